import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { type Config, databaseTarget } from '../env';
import { later } from '../lib/after-response';
import { toHttpError, unavailable } from '../lib/errors';
import type { Database } from './client';
import { GroupCommitter } from './group-commit';
import { INGEST_ATTEMPTS, type IngestOutcome, type IngestRow, ingestEvents } from './queries/events';

/**
 * Single events stored through a group commit (src/db/group-commit.ts): the creates (and,
 * separately, the self-audit rows) of one isolate that arrive together go to
 * auditevents_ingest as one statement, which already reports per row (stored id, duplicate,
 * unknown name) and hashes every row. Within a group the first of two events with the same
 * event_id is stored and the second gets its id with duplicate: true, exactly as when sent one
 * after the other. docs/group-commit.md has the whole story.
 */
export type GroupPurpose = 'create' | 'self-audit';

type Committer = GroupCommitter<IngestRow, IngestOutcome>;

// Outlives requests: one committer per purpose and database per isolate. Groups never mix
// databases (tests point requests at several); bounded so a changing target cannot grow it.
const committers = new Map<string, Committer>();
const MAX_COMMITTERS = 16;

/**
 * A statement error that a 500 would answer (a constraint, bad data) may be one row's: the group
 * is run again row by row. A lost connection, a timeout or a lock wait is the group's: each
 * member gets it (503), and none is told it was stored.
 */
const oneRowMayHaveCaused = (error: unknown) => toHttpError(error).status === 500;

function committerFor(config: Config, purpose: GroupPurpose): Committer {
  const key = `${purpose} ${config.GROUP_COMMIT_MAX_EVENTS} ${config.GROUP_COMMIT_MAX_IN_FLIGHT} ${config.QUERY_TIMEOUT_MS} ${databaseTarget(config)}`;
  let committer = committers.get(key);
  if (!committer) {
    if (committers.size >= MAX_COMMITTERS) committers.clear();
    committer = new GroupCommitter({
      maxItems: config.GROUP_COMMIT_MAX_EVENTS,
      maxInFlight: config.GROUP_COMMIT_MAX_IN_FLIGHT,
      splittable: oneRowMayHaveCaused,
      // Past every bound of the leader's own work (connect, INGEST_ATTEMPTS statements, waits):
      // a member that still has no answer gets the 503 of a database that did not answer.
      maxWaitMs: 5_000 + (INGEST_ATTEMPTS + 1) * config.QUERY_TIMEOUT_MS,
      waitLimitError: () => unavailable('Database unavailable; retry later'),
    });
    committers.set(key, committer);
  }
  return committer;
}

export interface GroupHooks {
  /** Told about each transient conflict the group's statement is run again after. */
  onRetry?: (code: string, attempt: number) => void;
  /** Keeps the group's run alive as long as it takes (ctx.waitUntil of the leader). */
  keepAlive: (work: Promise<unknown>) => void;
}

/**
 * Stores one event, in a group with the others arriving now. `db` is this caller's connection,
 * opened only if this caller leads its group. Resolves after the group's commit.
 */
export async function ingestInGroup(
  config: Config,
  row: IngestRow,
  purpose: GroupPurpose,
  db: () => Database,
  hooks: GroupHooks,
): Promise<IngestOutcome> {
  if (config.GROUP_COMMIT_MAX_EVENTS <= 1) {
    const [outcome] = await ingestEvents(db(), [row], hooks.onRetry);
    if (!outcome) throw new Error('ingest returned no outcome');
    return outcome;
  }
  const run = async (rows: IngestRow[]): Promise<IngestOutcome[]> => {
    // idx is the position in the group: the first arrival wins a shared event_id.
    const outcomes = await ingestEvents(
      db(),
      rows.map((r, idx) => ({ ...r, idx })),
      hooks.onRetry,
    );
    const byIdx = new Map(outcomes.map((o) => [o.idx, o]));
    return rows.map((r, idx) => {
      const outcome = byIdx.get(idx);
      if (!outcome) throw new Error('ingest returned no outcome for a grouped event');
      return { ...outcome, idx: r.idx };
    });
  };
  return committerFor(config, purpose).submit(row, run, hooks.keepAlive);
}

/** ingestInGroup for a request: its config, its log, its waitUntil. */
export function ingestGrouped(
  c: Context<AppEnv>,
  row: IngestRow,
  purpose: GroupPurpose,
  db: () => Database,
): Promise<IngestOutcome> {
  const { config, logger } = c.var;
  return ingestInGroup(config, row, purpose, db, {
    onRetry: (code, attempt) => logger.warn('ingest retried after a transient conflict', { code, attempt }),
    keepAlive: (work) => later(c, work),
  });
}
