import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app-env';
import { HttpError, validationError } from '../../lib/errors';
import { parseJsonBody } from '../../lib/json-body';
import { noteForAudit } from '../../lib/self-audit';
import { runMaintenance, withMaintenanceDatabase } from '../../maintenance/run-maintenance';
import { defineRoute } from '../define-route';
import { errorResponse, jsonResponse, okResponses } from '../schemas';
import { LIFECYCLE_TAGS, MaintenanceRunSchema, RunMaintenanceBodySchema, toRunObject } from './schemas';

const RunProblemSchema = z
  .object({ detail: z.string(), run: MaintenanceRunSchema.optional() })
  .openapi('MaintenanceRunProblem');

/** The body is optional: empty means the defaults; anything else must be JSON (parseJsonBody). */
const optionalJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if ((await c.req.text()).trim() !== '') return parseJsonBody(c, next);
  // The validator parses the cached text whatever the Content-Type says: make it an empty object.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  return next();
};

export const runMaintenanceRoute = defineRoute(
  {
    operationId: 'runMaintenance',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/maintenance/run',
    tags: LIFECYCLE_TAGS,
    summary: 'Run the monthly maintenance now',
    description:
      'Builds the message index of each closed month that lacks it, then archives every live month older than months_to_keep (default RETENTION_MONTHS) by moving whole partitions, hard-deletes archive months past ARCHIVE_RETENTION_MONTHS when set, and creates the partitions ahead: what the monthly cron does. Idempotent. The body is optional.',
    middleware: [optionalJsonBody] as const,
    request: {
      body: { required: false, content: { 'application/json': { schema: RunMaintenanceBodySchema } } },
    },
    responses: okResponses(MaintenanceRunSchema, 'The run this request recorded (status ok)', {
      409: jsonResponse(RunProblemSchema, 'Another maintenance run holds the lock; this one was recorded as skipped'),
      415: errorResponse('A body that is not JSON'),
      500: jsonResponse(RunProblemSchema, 'The run failed and was rolled back; run.error says why'),
    }),
  },
  async (c) => {
    const body = c.req.valid('json') ?? {};
    const { config } = c.var;
    const monthsToKeep = body.months_to_keep ?? config.RETENTION_MONTHS;
    if (config.ARCHIVE_RETENTION_MONTHS !== null && monthsToKeep > config.ARCHIVE_RETENTION_MONTHS) {
      throw validationError([
        {
          loc: ['body', 'months_to_keep'],
          msg: `months_to_keep must not exceed ARCHIVE_RETENTION_MONTHS (${config.ARCHIVE_RETENTION_MONTHS})`,
          type: 'less_than_equal',
        },
      ]);
    }
    const run = toRunObject(
      await withMaintenanceDatabase(config, (db) =>
        runMaintenance(db, config, 'admin', c.var.logger, { monthsToKeep, refDate: body.ref_date }),
      ),
    );
    noteForAudit(c, { maintenance_run: run.id, status: run.status });
    if (run.status === 'skipped') {
      throw new HttpError(409, 'Another maintenance run is in progress; this one was skipped', { run });
    }
    if (run.status === 'failed')
      throw new HttpError(500, `Maintenance failed: ${run.error ?? 'unknown error'}`, { run });
    return c.json(run, 200);
  },
);
