import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';

/** One statement of sql/functions/message-index.sql: a DROP of a failed build or a CREATE. */
export interface MessageIndexStatement {
  partition: string;
  indexName: string;
  statement: string;
}

/** What gives every closed live month its message trigram index; empty when nothing is left to do. */
export async function messageIndexStatements(db: Database, refDate?: string): Promise<MessageIndexStatement[]> {
  const rows = await queryRows<{ partition: string; index_name: string; statement: string }>(
    db,
    sql`SELECT partition, index_name, statement FROM auditevents_message_index_statements(${refDate ?? null}::date)`,
  );
  return rows.map((r) => ({ partition: r.partition, indexName: r.index_name, statement: r.statement }));
}

/**
 * Runs one of those statements as it is: CONCURRENTLY needs to be a statement of its own,
 * outside any transaction, which a single query on the connection is.
 */
export async function runMessageIndexStatement(db: Database, statement: MessageIndexStatement): Promise<void> {
  await db.execute(sql.raw(statement.statement));
}
