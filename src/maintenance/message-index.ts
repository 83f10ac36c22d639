/**
 * The message trigram index for each closed month (issue 18, docs/lifecycle.md "The message
 * index"): the live month has none, so inserts pay no trigram work; once a month closes,
 * maintenance builds its index CONCURRENTLY, one statement at a time, logging each.
 */
import type { Database } from '../db/client';
import { messageIndexStatements, runMessageIndexStatement } from '../db/queries/admin-lifecycle';
import { describeError } from '../lib/errors';
import type { Logger } from '../lib/logger';

export interface MessageIndexOutcome {
  /** Indexes built by this call, by name. */
  built: string[];
  /** Statements that failed (the next run retries them: a failed build leaves an invalid index it drops first). */
  failed: { statement: string; error: string }[];
}

/**
 * Builds what is missing, newest closed month first. A failure is logged and the rest still
 * run: archival must not wait on an index (ATTACH builds one for a month that has none).
 */
export async function indexClosedMonths(db: Database, logger: Logger, refDate?: string): Promise<MessageIndexOutcome> {
  const outcome: MessageIndexOutcome = { built: [], failed: [] };
  const statements = await messageIndexStatements(db, refDate);
  for (const [i, step] of statements.entries()) {
    const started = Date.now();
    logger.info('message index: running', {
      partition: step.partition,
      step: i + 1,
      of: statements.length,
      statement: step.statement,
    });
    try {
      await runMessageIndexStatement(db, step);
    } catch (error) {
      logger.error('message index: statement failed', {
        partition: step.partition,
        statement: step.statement,
        ...describeError(error),
      });
      outcome.failed.push({ statement: step.statement, error: (error as Error).message });
      continue;
    }
    if (step.statement.startsWith('CREATE')) outcome.built.push(step.indexName);
    logger.info('message index: done', {
      partition: step.partition,
      index: step.indexName,
      duration_ms: Date.now() - started,
    });
  }
  return outcome;
}
