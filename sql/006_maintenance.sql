-- Monthly maintenance: archive every month older than the retention window by moving whole
-- partitions, optionally hard-delete old archive months, and create partitions ahead.

CREATE TABLE IF NOT EXISTS auditevents_maintenance_runs (
  id                         bigserial PRIMARY KEY,
  job                        text NOT NULL,
  run_trigger                text NOT NULL DEFAULT 'sql',
  started_at                 timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at                timestamptz,
  status                     text NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
  months_archived            integer NOT NULL DEFAULT 0,
  rows_archived              bigint NOT NULL DEFAULT 0,
  archive_partitions_dropped integer NOT NULL DEFAULT 0,
  partitions_created         integer NOT NULL DEFAULT 0,
  details                    jsonb,
  error                      text
);

-- months_to_keep: live months kept (the current one counts as kept; default 12).
-- ref_date: "today" in Central Time (tests pass a simulated date).
-- archive_months_to_keep: hard-delete archive months older than this (NULL = keep forever).
-- One run at a time (advisory lock 7262002); a second concurrent call records 'skipped'.
-- A failure is recorded as 'failed' and raised as a WARNING, leaving the data untouched.
CREATE OR REPLACE PROCEDURE sp_auditevents_maintain(
  months_to_keep integer DEFAULT 12,
  ref_date date DEFAULT NULL,
  archive_months_to_keep integer DEFAULT NULL,
  run_trigger text DEFAULT 'sql')
LANGUAGE plpgsql AS $$
DECLARE
  started timestamptz := clock_timestamp();
  ref_month timestamptz := auditevents_month_start(
    coalesce(ref_date::timestamp AT TIME ZONE 'America/Chicago', now()));
  cutoff timestamptz;
  drop_before timestamptz;
  part record;
  moved jsonb := '[]'::jsonb;
  dropped jsonb := '[]'::jsonb;
  part_rows bigint;
  total_rows bigint := 0;
  created integer := 0;
  archive_name text;
  message text;
BEGIN
  IF months_to_keep IS NULL OR months_to_keep < 1 THEN
    RAISE EXCEPTION 'months_to_keep must be at least 1, got %', months_to_keep;
  END IF;
  IF archive_months_to_keep IS NOT NULL AND archive_months_to_keep < months_to_keep THEN
    RAISE EXCEPTION 'archive_months_to_keep (%) must not be less than months_to_keep (%)',
      archive_months_to_keep, months_to_keep;
  END IF;
  cutoff := auditevents_add_months(ref_month, 1 - months_to_keep);

  IF NOT pg_try_advisory_xact_lock(7262002) THEN
    INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, error)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'skipped', 'another maintenance run is in progress');
    RAISE NOTICE 'sp_auditevents_maintain: another run is in progress; skipped';
    RETURN;
  END IF;

  BEGIN
    -- Nobody creates partitions while the layout changes.
    PERFORM pg_advisory_xact_lock(7262001);

    -- Phase 1: a CHECK constraint that matches the range lets ATTACH skip its validation scan.
    -- Only the old partition is locked here; ingest into current months goes on.
    FOR part IN SELECT * FROM auditevents_partitions
                WHERE parent = 'auditevents' AND range_to <= cutoff ORDER BY range_from LOOP
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (eventtimestamp >= %L AND eventtimestamp < %L)',
                     part.partition, part.partition || '_range', part.range_from, part.range_to);
      EXECUTE format('SELECT count(*) FROM %I', part.partition) INTO part_rows;
      total_rows := total_rows + part_rows;
      moved := moved || jsonb_build_object('partition', part.partition, 'from', part.range_from,
                                           'to', part.range_to, 'rows', part_rows);
    END LOOP;

    -- Phase 2: metadata only. Detach, stamp archivedat as a constant default (no rewrite),
    -- rename, attach to the archive (its indexes match, so none is built).
    FOR part IN SELECT * FROM auditevents_partitions
                WHERE parent = 'auditevents' AND range_to <= cutoff ORDER BY range_from LOOP
      archive_name := auditevents_partition_name('auditevents_archival', part.range_from);
      EXECUTE format('ALTER TABLE auditevents DETACH PARTITION %I', part.partition);
      EXECUTE format('ALTER TABLE %I ADD COLUMN archivedat timestamptz NOT NULL DEFAULT %L',
                     part.partition, started);
      EXECUTE format('ALTER TABLE %I ALTER COLUMN archivedat DROP DEFAULT', part.partition);
      EXECUTE format('ALTER TABLE %I RENAME TO %I', part.partition, archive_name);
      EXECUTE format('ALTER TABLE auditevents_archival ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                     archive_name, part.range_from, part.range_to);
      EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', archive_name, part.partition || '_range');
    END LOOP;

    -- From now on, events for archived months are routed to the archive.
    UPDATE auditevents_lifecycle SET archived_before = greatest(coalesce(archived_before, cutoff), cutoff);

    -- Phase 3: the archive's hard-delete horizon, when configured.
    IF archive_months_to_keep IS NOT NULL THEN
      drop_before := auditevents_add_months(ref_month, 1 - archive_months_to_keep);
      FOR part IN SELECT * FROM auditevents_partitions
                  WHERE parent = 'auditevents_archival' AND range_to <= drop_before ORDER BY range_from LOOP
        EXECUTE format('DROP TABLE %I', part.partition);
        dropped := dropped || to_jsonb(part.partition);
      END LOOP;
      DELETE FROM auditevent_idempotency WHERE eventtimestamp < drop_before;
    END IF;

    created := ensure_auditevents_partitions(ref_date);

    INSERT INTO auditevents_maintenance_runs
      (job, run_trigger, started_at, finished_at, status, months_archived, rows_archived,
       archive_partitions_dropped, partitions_created, details)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'ok', jsonb_array_length(moved),
            total_rows, jsonb_array_length(dropped), created,
            jsonb_build_object('cutoff', cutoff, 'archived', moved, 'dropped', dropped,
                               'months_to_keep', months_to_keep,
                               'archive_months_to_keep', archive_months_to_keep));
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
    INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, error)
    VALUES ('maintain', run_trigger, started, clock_timestamp(), 'failed', message);
    RAISE WARNING 'sp_auditevents_maintain failed: %', message;
  END;
END $$;

-- The daily job: partitions ahead, recorded like maintenance.
CREATE OR REPLACE FUNCTION auditevents_daily_partitions(ref_date date DEFAULT NULL, run_trigger text DEFAULT 'sql')
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  started timestamptz := clock_timestamp();
  created integer;
BEGIN
  created := ensure_auditevents_partitions(ref_date);
  INSERT INTO auditevents_maintenance_runs (job, run_trigger, started_at, finished_at, status, partitions_created)
  VALUES ('partitions', run_trigger, started, clock_timestamp(), 'ok', created);
  RETURN created;
END $$;

-- Partitions for the current month and the five ahead, right after migrating.
SELECT ensure_auditevents_partitions();
