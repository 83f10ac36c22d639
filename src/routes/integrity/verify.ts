import { z } from '@hono/zod-openapi';
import { utcInstantOfMs } from '../../integrity/canonical';
import { integrityKeys } from '../../integrity/keys';
import { verifyTrail } from '../../integrity/verify';
import { endOfPrecision } from '../../lib/central-time';
import { forbidden, HttpError, type ValidationIssue, validationError } from '../../lib/errors';
import { withMaintenanceDatabase } from '../../maintenance/run-maintenance';
import { defineRoute } from '../define-route';
import { DATE_HELP, queryDate } from '../query-dates';
import { errorResponse, okResponses } from '../schemas';
import { INTEGRITY_TAGS } from './schemas';

const VerifyQuerySchema = z.strictObject({
  from_date: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: `Blocks whose events reach this time or later. ${DATE_HELP}`, example: '11-01-2026' }),
  to_date: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: `... and start at this time or earlier (a date alone: that whole day). ${DATE_HELP}` }),
});

const FailureSchema = z.object({
  block: z.number().int().nullable().openapi({ description: 'seq of the block; null for an event not sealed yet' }),
  event_id: z.union([z.number().int(), z.string()]).nullable(),
  reason: z.string().openapi({ description: 'See docs/integrity.md, "What verification reports"' }),
});

const VerifyReportSchema = z
  .object({
    ok: z.boolean(),
    blocks: z.number().int(),
    events: z.number().int().openapi({ description: 'Events the checked blocks sealed' }),
    deleted_by_policy: z
      .number()
      .int()
      .openapi({ description: 'Sealed events gone with an archive month that a signed deletion record covers' }),
    failures: z.array(FailureSchema),
    failures_truncated: z.boolean().openapi({ description: 'More than 1,000 failures: the first 1,000 are listed' }),
  })
  .openapi('IntegrityVerifyReport');

export const verifyRoute = defineRoute(
  {
    operationId: 'verifyIntegrity',
    scope: 'events:read',
    audit: null,
    route: 'GET /integrity/verify',
    tags: INTEGRITY_TAGS,
    summary: 'Recompute hashes, Merkle roots, the chain and the signatures over a range',
    description:
      'Checks every block whose events meet [from_date, to_date] (all blocks without dates) and the events not sealed yet in that range. Needs events:read on a key with every company; a key limited to companies checks its own events with /integrity/proof.',
    request: { query: VerifyQuerySchema },
    responses: okResponses(
      VerifyReportSchema,
      'ok is true when nothing failed; each failure names its block and event',
      {
        403: errorResponse('The key is limited to some companies'),
      },
    ),
  },
  // Verification reads every block and event: the maintenance connection's long statement timeout.
  async (c) => {
    const range = rangeOf(c.req.valid('query'));
    if (c.var.principal.companies !== null) {
      throw forbidden('Verifying the whole trail needs a key with every company; use /integrity/proof for your events');
    }
    const { trusted } = await integrityKeys(c.var.config);
    if (trusted.size === 0) {
      throw new HttpError(503, 'Integrity is not configured: set INTEGRITY_SIGNING_KEY or INTEGRITY_PUBLIC_KEYS');
    }
    // Two connections: the rows of two blocks are hashed at once (src/integrity/verify.ts).
    const report = await withMaintenanceDatabase(c.var.config, (db) =>
      withMaintenanceDatabase(c.var.config, (second) => verifyTrail(db, trusted, range, [db, second])),
    );
    return c.json(report, 200);
  },
);

/** The range as the UTC text the blocks use; to_date inclusive to the precision it was written in. */
function rangeOf(q: z.infer<typeof VerifyQuerySchema>): { fromIso: string | null; toIso: string | null } {
  const issues: ValidationIssue[] = [];
  const from = queryDate(q, 'from_date', issues);
  const to = queryDate(q, 'to_date', issues);
  if (from && to && from.epochMs >= endOfPrecision(to)) {
    issues.push({ loc: ['query', 'to_date'], msg: 'to_date must be after from_date', type: 'value_error' });
  }
  if (issues.length > 0) throw validationError(issues);
  return {
    fromIso: from ? utcInstantOfMs(from.epochMs) : null,
    toIso: to ? `${utcInstantOfMs(endOfPrecision(to) - 1).slice(0, 23)}999Z` : null,
  };
}
