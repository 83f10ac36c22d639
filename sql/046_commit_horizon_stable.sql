-- The commit horizon (sql/034) as a bound the planner can use. auditevents_commit_horizon() is
-- the statement snapshot's xmin: the same value for the whole statement, so STABLE (it was
-- VOLATILE). A volatile call cannot be an index condition, so the live tail's read
-- `writexid < auditevents_commit_horizon()` was a filter on every row after the reader's
-- position; STABLE, it is evaluated once and ends the index scan at the horizon. That bounds
-- the live tail's re-read while a long transaction holds the horizon: it reads the rows it can
-- deliver and one of the waiting ones, not the next 500 waiting rows on every 100 ms re-poll
-- (src/db/queries/events/live-tail.ts, docs/live-tail.md).
CREATE OR REPLACE FUNCTION auditevents_commit_horizon() RETURNS xid8
LANGUAGE sql STABLE
AS $$ SELECT pg_snapshot_xmin(pg_current_snapshot()) $$;
