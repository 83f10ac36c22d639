import { openDatabase } from '../../db/client';
import { archiveHorizonMs, latestRun, listPartitions } from '../../db/queries/admin-lifecycle';
import { formatCentral } from '../../lib/central-time';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import {
  LIFECYCLE_TAGS,
  PartitionsQuerySchema,
  PartitionsReportSchema,
  toPartitionObject,
  toRunObject,
  totalsOf,
} from './schemas';

export const partitionsRoute = defineRoute(
  {
    operationId: 'listPartitions',
    scope: 'admin',
    audit: 'Admin action',
    route: 'GET /admin/partitions',
    tags: LIFECYCLE_TAGS,
    summary: 'Partitions, archive size, archive horizon and the last maintenance runs',
    description:
      'Every monthly partition of the live table and of the archive with its range (UTC and Central Time) and row count, totals per table, the instant before which events are archived, and the last run of each job with its outcome. Large partitions show the planner estimate unless exact=true.',
    request: { query: PartitionsQuerySchema },
    responses: okResponses(PartitionsReportSchema, 'The data lifecycle at a glance'),
  },
  async (c) => {
    const exact = c.req.valid('query').exact === 'true';
    const { config } = c.var;
    // Exact counts read every partition: the export timeout, on a connection of their own.
    const handle = exact
      ? openDatabase(config, { statementTimeoutMs: config.EXPORT_QUERY_TIMEOUT_MS })
      : c.var.database();
    try {
      const partitions = await listPartitions(handle.db, { exact });
      const horizon = await archiveHorizonMs(handle.db);
      const lastMaintenance = await latestRun(handle.db, 'maintain');
      const lastPartitionsJob = await latestRun(handle.db, 'partitions');
      return c.json(
        {
          archived_before: horizon === null ? null : new Date(horizon).toISOString(),
          archived_before_central: horizon === null ? null : formatCentral(horizon),
          live: totalsOf(partitions.filter((p) => p.parent === 'auditevents')),
          archive: totalsOf(partitions.filter((p) => p.parent === 'auditevents_archival')),
          partitions: partitions.map(toPartitionObject),
          last_maintenance: lastMaintenance && toRunObject(lastMaintenance),
          last_partitions_job: lastPartitionsJob && toRunObject(lastPartitionsJob),
        },
        200,
      );
    } finally {
      if (exact) c.executionCtx.waitUntil(handle.close());
    }
  },
);
