import { sql } from 'drizzle-orm';
import type { Database } from '../client';

/** The healthcheck's probe: the database answers a query. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
