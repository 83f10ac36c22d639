-- Monthly maintenance: archive every month older than the retention window by moving whole
-- partitions, optionally hard-delete old archive months, and create partitions ahead.
-- Operators' guide: docs/lifecycle.md.
-- The runs table is in 006_maintenance.sql.

-- The pieces of auditevents_maintain below, each one step of it; they run inside its transaction
-- and under its settings (lock_timeout, datestyle), and are not meant to be called alone.

-- First: the arguments checked, and the instants they mean: live months ending at or before
-- cutoff are archived; archive months ending at or before drop_before (NULL: none) are dropped.
CREATE OR REPLACE FUNCTION auditevents_maintenance_window(
  months_to_keep integer, ref_date date, archive_months_to_keep integer, today date,
  OUT cutoff timestamptz, OUT drop_before timestamptz)
LANGUAGE plpgsql
AS $$
DECLARE
  ref_month timestamptz;
BEGIN
  IF months_to_keep IS NULL OR months_to_keep < 1 THEN
    RAISE EXCEPTION 'months_to_keep must be at least 1, got %', coalesce(months_to_keep::text, 'NULL');
  END IF;
  IF archive_months_to_keep IS NOT NULL AND archive_months_to_keep < months_to_keep THEN
    RAISE EXCEPTION 'archive_months_to_keep (%) must not be less than months_to_keep (%)',
      archive_months_to_keep, months_to_keep;
  END IF;
  IF ref_date > today THEN
    RAISE EXCEPTION 'ref_date % is in the future (today is % in Central Time)', ref_date, today;
  END IF;
  ref_month := auditevents_month_start(coalesce(ref_date, today)::timestamp AT TIME ZONE 'America/Chicago');
  cutoff := auditevents_add_months(ref_month, 1 - months_to_keep);
  IF archive_months_to_keep IS NOT NULL THEN
    drop_before := auditevents_add_months(ref_month, 1 - archive_months_to_keep);
  END IF;
END $$;

-- Step 2, outside the critical section: the live months ending at or before cutoff, each counted
-- and given the range CHECK constraint if it lacks it, in month order.
CREATE OR REPLACE FUNCTION auditevents_months_to_archive(
  cutoff timestamptz,
  OUT names text[], OUT froms timestamptz[], OUT tos timestamptz[], OUT moved jsonb, OUT total_rows bigint)
LANGUAGE plpgsql
AS $$
DECLARE
  part record;
  part_rows bigint;
BEGIN
  names := '{}';
  froms := '{}';
  tos := '{}';
  moved := '[]'::jsonb;
  total_rows := 0;
  FOR part IN SELECT * FROM auditevents_partitions
              WHERE parent = 'auditevents' AND range_to <= cutoff ORDER BY range_from LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = part.relid AND conname = 'auditevents_month_range' AND convalidated) THEN
      -- A partition made some other way: this scans it, under an ACCESS EXCLUSIVE lock on this
      -- old month only (see docs/lifecycle.md).
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT auditevents_month_range '
                     'CHECK (eventtimestamp >= %L AND eventtimestamp < %L)',
                     part.partition, part.range_from, part.range_to);
    END IF;
    -- Rows stored in this month after the count (late events during the run) move with it
    -- but are not in rows_archived.
    EXECUTE format('SELECT count(*) FROM %I', part.partition) INTO part_rows;
    total_rows := total_rows + part_rows;
    names := names || part.partition;
    froms := froms || part.range_from;
    tos := tos || part.range_to;
    moved := moved || jsonb_build_object('partition', part.partition, 'from', part.range_from,
                                         'to', part.range_to, 'rows', part_rows);
  END LOOP;
END $$;

-- Step 3, in the critical section: each live month becomes an archive month (DETACH, archivedat
-- column, RENAME, ATTACH). Returns when the live table was locked (the first DETACH), or NULL
-- when there was nothing to move.
CREATE OR REPLACE FUNCTION auditevents_move_to_archive(
  names text[], froms timestamptz[], tos timestamptz[], archived_at timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql
AS $$
DECLARE
  locked_at timestamptz;
BEGIN
  FOR i IN 1..coalesce(array_length(names, 1), 0) LOOP
    EXECUTE format('ALTER TABLE auditevents DETACH PARTITION %I', names[i]);
    locked_at := coalesce(locked_at, clock_timestamp()); -- the live table is locked from here
    EXECUTE format('ALTER TABLE %I ADD COLUMN archivedat timestamptz NOT NULL DEFAULT %L',
                   names[i], archived_at);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN archivedat DROP DEFAULT', names[i]);
    EXECUTE format('ALTER TABLE %I RENAME TO %I',
                   names[i], auditevents_partition_name('auditevents_archival', froms[i]));
    EXECUTE format('ALTER TABLE auditevents_archival ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   auditevents_partition_name('auditevents_archival', froms[i]), froms[i], tos[i]);
  END LOOP;
  RETURN locked_at;
END $$;

-- Step 3, in the critical section: drops the archive months ending at or before drop_before;
-- returns their names as a JSON array.
CREATE OR REPLACE FUNCTION auditevents_drop_archive_months(drop_before timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  part record;
  dropped jsonb := '[]'::jsonb;
BEGIN
  FOR part IN SELECT * FROM auditevents_partitions
              WHERE parent = 'auditevents_archival' AND range_to <= drop_before ORDER BY range_from LOOP
    -- Signed into the next integrity block, so verification knows these were deleted by
    -- policy, not by hand (docs/integrity.md section 5).
    PERFORM integrity_record_deletion(part.partition, part.range_from, part.range_to, drop_before);
    EXECUTE format('DROP TABLE %I', part.partition);
    dropped := dropped || to_jsonb(part.partition);
  END LOOP;
  RETURN dropped;
END $$;

-- The whole maintenance as a function that returns the run it recorded (the Worker calls this;
-- operators call the procedure below).
--
-- months_to_keep: live months kept, the current one included (default 12).
-- ref_date: "today" in Central Time; tests pass a simulated date. Never in the future: that would
--   archive current months and route today's events to the archive.
-- archive_months_to_keep: hard-delete archive months older than this many months, counted like
--   months_to_keep (NULL = keep forever).
-- months_ahead: partitions created after the current month (default 5).
--
-- One run at a time (advisory lock 7262002); a concurrent call records 'skipped' and returns.
-- A failure is recorded as 'failed' and raised as a WARNING; its changes are rolled back.
--
-- Locking, in order:
--   1. Advisory lock 7262001 (partition layout): on-demand partition creation waits, ingest into
--      existing partitions does not.
--   2. Outside the critical section: count each month to move, make sure it carries the range
--      CHECK constraint (partitions made by auditevents_create_partition have it from birth),
--      delete idempotency keys past the hard-delete horizon. Nothing here locks the parents.
--   3. Critical section: DETACH takes ACCESS EXCLUSIVE on auditevents until commit. Everything
--      after it is catalogue-only: ADD COLUMN with a constant default (no rewrite), RENAME,
--      ATTACH (constraint implies the bound: no scan; indexes match: none built), horizon
--      update, DROP of expired archive months, partitions ahead. lock_timeout bounds how long a
--      queued ACCESS EXCLUSIVE request can hold up ingest behind a long query; on a timeout the
--      section is rolled back and retried after a pause.
CREATE OR REPLACE FUNCTION auditevents_maintain(
  months_to_keep integer DEFAULT 12,
  ref_date date DEFAULT NULL,
  archive_months_to_keep integer DEFAULT NULL,
  run_trigger text DEFAULT 'sql',
  months_ahead integer DEFAULT 5)
RETURNS auditevents_maintenance_runs
LANGUAGE plpgsql
SET datestyle = 'ISO, MDY'
SET lock_timeout = '2s'
SET jit = off -- compiling each month's count(*) would cost more than the count
AS $$
DECLARE
  max_attempts constant integer := 5;
  started timestamptz := clock_timestamp();
  today date := (now() AT TIME ZONE 'America/Chicago')::date;
  cutoff timestamptz;
  drop_before timestamptz;
  months record;
  dropped jsonb;
  created integer;
  keys_deleted bigint := 0;
  attempt integer := 0;
  attempt_started timestamptz;
  locked_at timestamptz;
  run auditevents_maintenance_runs;
  message text;
  state text;
BEGIN
  IF NOT pg_try_advisory_xact_lock(7262002) THEN
    INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, error)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'skipped', 'another maintenance run is in progress')
    RETURNING * INTO run;
    RAISE NOTICE 'auditevents_maintain: another run is in progress; skipped (run %)', run.id;
    RETURN run;
  END IF;

  BEGIN
    SELECT w.cutoff, w.drop_before INTO cutoff, drop_before
    FROM auditevents_maintenance_window(months_to_keep, ref_date, archive_months_to_keep, today) AS w;

    -- Nobody creates or moves partitions while this run decides what to move.
    PERFORM pg_advisory_xact_lock(7262001);

    -- Outside the critical section.
    months := auditevents_months_to_archive(cutoff);

    IF drop_before IS NOT NULL THEN
      -- Retried event_ids of hard-deleted events are stored again rather than answered with an
      -- id that no longer exists.
      DELETE FROM auditevent_idempotency WHERE eventtimestamp < drop_before;
      GET DIAGNOSTICS keys_deleted = ROW_COUNT;
    END IF;

    -- The critical section.
    LOOP
      attempt := attempt + 1;
      BEGIN
        attempt_started := clock_timestamp();
        locked_at := auditevents_move_to_archive(months.names, months.froms, months.tos, started);

        -- From now on, events for archived months are routed to the archive.
        UPDATE auditevents_lifecycle SET archived_before = cutoff
        WHERE archived_before IS NULL OR archived_before < cutoff;

        dropped := '[]'::jsonb;
        IF drop_before IS NOT NULL THEN
          dropped := auditevents_drop_archive_months(drop_before);
        END IF;

        created := ensure_auditevents_partitions(coalesce(ref_date, today), months_ahead);
        EXIT;
      EXCEPTION WHEN lock_not_available THEN
        -- Someone held a conflicting lock for lock_timeout (a long query on the table). Give the
        -- queue behind our request a moment, then try again.
        IF attempt >= max_attempts THEN
          RAISE;
        END IF;
        PERFORM pg_sleep(0.5 * attempt);
      END;
    END LOOP;

    INSERT INTO auditevents_maintenance_runs
      (job, run_trigger, started_at, finished_at, status, months_archived, rows_archived,
       archive_partitions_dropped, partitions_created, details)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'ok', coalesce(array_length(months.names, 1), 0),
            months.total_rows, jsonb_array_length(dropped), created,
            jsonb_build_object(
              'ref_date', coalesce(ref_date, today),
              'cutoff', cutoff,
              'drop_before', drop_before,
              'months_to_keep', months_to_keep,
              'archive_months_to_keep', archive_months_to_keep,
              'months_ahead', months_ahead,
              'archived', months.moved,
              'dropped', dropped,
              'idempotency_keys_deleted', keys_deleted,
              'lock_attempts', attempt,
              'lock_wait_ms', round(extract(epoch FROM coalesce(locked_at, attempt_started) - attempt_started) * 1000),
              'locked_ms', round(extract(epoch FROM clock_timestamp() - coalesce(locked_at, attempt_started)) * 1000)))
    RETURNING * INTO run;
    RETURN run;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
    INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, error, details)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'failed', message,
            jsonb_build_object('sqlstate', state, 'months_to_keep', months_to_keep, 'ref_date', ref_date,
                               'archive_months_to_keep', archive_months_to_keep, 'lock_attempts', attempt))
    RETURNING * INTO run;
    RAISE WARNING 'auditevents_maintain failed (run %): %', run.id, message;
    RETURN run;
  END;
END $$;

-- The entry point operators already call: CALL sp_auditevents_maintain(); (optional months to
-- keep, default 12). Reports the recorded run as a NOTICE.
CREATE OR REPLACE PROCEDURE sp_auditevents_maintain(
  months_to_keep integer DEFAULT 12,
  ref_date date DEFAULT NULL,
  archive_months_to_keep integer DEFAULT NULL,
  run_trigger text DEFAULT 'sql',
  months_ahead integer DEFAULT 5)
LANGUAGE plpgsql AS $$
DECLARE
  run auditevents_maintenance_runs;
BEGIN
  run := auditevents_maintain(months_to_keep, ref_date, archive_months_to_keep, run_trigger, months_ahead);
  RAISE NOTICE 'sp_auditevents_maintain: run % %: % months archived (% rows), % archive months dropped, % partitions created',
    run.id, run.status, run.months_archived, run.rows_archived, run.archive_partitions_dropped,
    run.partitions_created;
END $$;

-- The daily job: partitions ahead, recorded like maintenance. lock_timeout keeps a partition
-- creation from queueing ingest behind a long query; a failed day is retried the next day, with
-- months_ahead of margin.
CREATE OR REPLACE FUNCTION auditevents_daily_partitions(
  ref_date date DEFAULT NULL,
  run_trigger text DEFAULT 'sql',
  months_ahead integer DEFAULT 5)
RETURNS auditevents_maintenance_runs
LANGUAGE plpgsql
SET lock_timeout = '2s'
AS $$
DECLARE
  started timestamptz := clock_timestamp();
  created integer;
  run auditevents_maintenance_runs;
  message text;
BEGIN
  BEGIN
    created := ensure_auditevents_partitions(ref_date, months_ahead);
    INSERT INTO auditevents_maintenance_runs
      (job, run_trigger, started_at, finished_at, status, partitions_created, details)
    VALUES ('partitions', run_trigger, started, clock_timestamp(), 'ok', created,
            jsonb_build_object('ref_date', ref_date, 'months_ahead', months_ahead))
    RETURNING * INTO run;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
    INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, error)
    VALUES ('partitions', run_trigger, started, clock_timestamp(), 'failed', message)
    RETURNING * INTO run;
    RAISE WARNING 'auditevents_daily_partitions failed (run %): %', run.id, message;
  END;
  RETURN run;
END $$;

-- Every partition of both parents with its range, size and row count, for the admin route.
-- Counting a large month reads all of it, so a partition whose heap is over 8 MB shows the
-- planner's estimate scaled to its current size (as the planner does) unless exact is true or
-- it has no statistics yet; rows_exact says which. No JIT: it would compile each count.
CREATE OR REPLACE FUNCTION auditevents_partition_stats(exact boolean DEFAULT false)
RETURNS TABLE (parent text, partition text, range_from timestamptz, range_to timestamptz,
               total_bytes bigint, row_count bigint, rows_exact boolean)
LANGUAGE plpgsql STABLE
SET jit = off
AS $$
DECLARE
  p record;
  estimate double precision;
BEGIN
  FOR p IN SELECT v.*, c.reltuples, c.relpages, pg_relation_size(v.relid) AS heap_bytes
           FROM auditevents_partitions v JOIN pg_class c ON c.oid = v.relid
           ORDER BY v.parent, v.range_from LOOP
    parent := p.parent;
    partition := p.partition;
    range_from := p.range_from;
    range_to := p.range_to;
    total_bytes := pg_total_relation_size(p.relid);
    estimate := CASE WHEN p.relpages > 0 AND p.reltuples >= 0
                     THEN p.reltuples / p.relpages * (p.heap_bytes / current_setting('block_size')::integer)
                END;
    rows_exact := exact OR p.heap_bytes <= 8 * 1024 * 1024 OR estimate IS NULL;
    IF rows_exact THEN
      EXECUTE format('SELECT count(*) FROM %I', p.partition) INTO row_count;
    ELSE
      row_count := round(estimate);
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
