import { bigint, integer, jsonb, pgTable, pgView, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

/** drizzle's view of the tables created by sql/*.sql (the SQL files are the source of truth). */

export const auditFunctionalities = pgTable('auditfunctionalities', {
  functionalityId: integer('functionalityid').primaryKey(),
  functionalityName: varchar('functionalityname', { length: 100 }).notNull(),
});

export const auditEventTypes = pgTable('auditeventtypes', {
  eventTypeId: integer('eventtypeid').primaryKey(),
  functionalityId: integer('functionalityid').notNull(),
  eventTypeName: varchar('eventtypename', { length: 100 }).notNull(),
});

export const companies = pgTable('companies', {
  companyId: bigint('companyid', { mode: 'number' }).primaryKey(),
  companyName: varchar('companyname', { length: 200 }).notNull(),
});

export const storeLocations = pgTable('storelocations', {
  companyId: bigint('companyid', { mode: 'number' }).notNull(),
  storeLocationId: bigint('storelocationid', { mode: 'number' }).notNull(),
  storeName: varchar('storename', { length: 200 }).notNull(),
});

/** Columns shared by the live table, the archive and the view over both. */
const eventColumns = {
  id: bigint('id', { mode: 'number' }).notNull(),
  // Kept as PostgreSQL's text so cursors keep microseconds; converted for display.
  eventTimestamp: timestamp('eventtimestamp', { withTimezone: true, mode: 'string' }).notNull(),
  functionalityId: integer('functionalityid').notNull(),
  eventTypeId: integer('eventtypeid').notNull(),
  storeLocationId: bigint('storelocationid', { mode: 'number' }),
  companyId: bigint('companyid', { mode: 'number' }).notNull(),
  username: varchar('username', { length: 20 }),
  message: text('message').notNull(),
  status: varchar('status', { length: 20 }).notNull(),
  additionalData: jsonb('additionaldata'),
  eventId: uuid('eventid'),
  createdAt: timestamp('createdat', { withTimezone: true, mode: 'string' }).notNull(),
};

export const auditEvents = pgTable('auditevents', eventColumns);
export const auditEventsArchival = pgTable('auditevents_archival', {
  ...eventColumns,
  archivedAt: timestamp('archivedat', { withTimezone: true, mode: 'string' }).notNull(),
});
export const auditEventsAll = pgView('auditevents_all', eventColumns).existing();

export const maintenanceRuns = pgTable('auditevents_maintenance_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  job: text('job').notNull(),
  runTrigger: text('run_trigger').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
  status: text('status').notNull(),
  monthsArchived: integer('months_archived').notNull(),
  rowsArchived: bigint('rows_archived', { mode: 'number' }).notNull(),
  archivePartitionsDropped: integer('archive_partitions_dropped').notNull(),
  partitionsCreated: integer('partitions_created').notNull(),
  details: jsonb('details'),
  error: text('error'),
});
