-- The commit horizon: which stored events can no longer be joined by an earlier-ordered one.
--
-- Ids come from a sequence when the INSERT runs, not when it commits, so id order is not commit
-- order: a transaction holding id 7 may commit after one holding id 9. Anything that follows the
-- trail as it grows (the live tail, the integrity seal, queue status) needs a position that only
-- moves past events once nothing before it can still appear. That position is the writing
-- transaction's id:
--   - writexid is the xid8 of the transaction that stored the row (the column default, so every
--     INSERT path sets it without naming it);
--   - auditevents_commit_horizon() is the oldest transaction still running (the current
--     snapshot's xmin). Every row with writexid < horizon is committed (or rolled back and
--     gone), and no new row can ever get a writexid below it.
-- A reader therefore takes rows with (writexid, id) > its last position and writexid < horizon,
-- in (writexid, id) order, and remembers the last one: no gaps and no repeats, whatever order
-- the commits came in. Read-only transactions have no xid and do not hold the horizon back.
--
-- Rows stored before this migration keep a NULL writexid (adding a column with a volatile
-- default would rewrite every partition under an exclusive lock): they were committed long
-- before any reader's first position, and readers treat NULL as "before everything".
ALTER TABLE auditevents ADD COLUMN IF NOT EXISTS writexid xid8;
ALTER TABLE auditevents ALTER COLUMN writexid SET DEFAULT pg_current_xact_id();
ALTER TABLE auditevents_archival ADD COLUMN IF NOT EXISTS writexid xid8;
ALTER TABLE auditevents_archival ALTER COLUMN writexid SET DEFAULT pg_current_xact_id();

CREATE INDEX IF NOT EXISTS auditevents_writexid_idx ON auditevents (writexid, id);
CREATE INDEX IF NOT EXISTS auditevents_archival_writexid_idx ON auditevents_archival (writexid, id);

CREATE OR REPLACE FUNCTION auditevents_commit_horizon() RETURNS xid8
LANGUAGE sql VOLATILE
AS $$ SELECT pg_snapshot_xmin(pg_current_snapshot()) $$;
