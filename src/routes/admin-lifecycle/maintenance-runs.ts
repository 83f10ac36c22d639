import { z } from '@hono/zod-openapi';
import { recentRuns } from '../../db/queries/admin-lifecycle';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { LIFECYCLE_TAGS, MaintenanceRunSchema, RUNS_DEFAULT_LIMIT, RunsQuerySchema, toRunObject } from './schemas';

const RunsSchema = z
  .object({ count: z.number().int(), runs: z.array(MaintenanceRunSchema) })
  .openapi('MaintenanceRuns');

export const runsRoute = defineRoute(
  {
    operationId: 'listMaintenanceRuns',
    scope: 'admin',
    audit: 'Admin action',
    route: 'GET /admin/maintenance/runs',
    tags: LIFECYCLE_TAGS,
    summary: 'Recent maintenance and partition runs, newest first',
    request: { query: RunsQuerySchema },
    responses: okResponses(RunsSchema, 'Every run is recorded: cron, admin and psql, ok, failed or skipped'),
  },
  async (c) => {
    const { limit = RUNS_DEFAULT_LIMIT, job } = c.req.valid('query');
    const runs = await recentRuns(c.var.database().db, { limit, job });
    return c.json({ count: runs.length, runs: runs.map(toRunObject) }, 200);
  },
);
