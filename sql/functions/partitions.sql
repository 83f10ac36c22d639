-- Partition helpers: Central Time months, partition names, and creating partitions ahead and
-- on demand. The tables and the auditevents_partitions view are in 004_partitions.sql.
--
-- Lock keys for pg_advisory_xact_lock: 7262001 = partition layout, 7262002 = maintenance.

CREATE OR REPLACE FUNCTION auditevents_month_start(ts timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', ts AT TIME ZONE 'America/Chicago') AT TIME ZONE 'America/Chicago'
$$;

CREATE OR REPLACE FUNCTION auditevents_add_months(month_start timestamptz, months integer)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT ((month_start AT TIME ZONE 'America/Chicago') + make_interval(months => months))
         AT TIME ZONE 'America/Chicago'
$$;

CREATE OR REPLACE FUNCTION auditevents_partition_name(parent text, month_start timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT parent || to_char(month_start AT TIME ZONE 'America/Chicago', '"_y"YYYY"m"MM')
$$;

-- Creates parent's partition for the month starting at month_start unless it exists.
-- Callers hold advisory lock 7262001, so concurrent callers cannot race on the name.
-- The CHECK constraint repeats the partition bound. It costs two comparisons per insert and is
-- what makes archival cheap: when the month moves to the archive, ATTACH PARTITION sees that the
-- bound is implied by a valid constraint and skips its validation scan.
-- datestyle is pinned so that the bounds written into the DDL read back as the same instants.
CREATE OR REPLACE FUNCTION auditevents_create_partition(parent text, month_start timestamptz)
RETURNS boolean LANGUAGE plpgsql SET datestyle = 'ISO, MDY' AS $$
DECLARE
  month_end timestamptz := auditevents_add_months(month_start, 1);
  part text := auditevents_partition_name(parent, month_start);
BEGIN
  IF EXISTS (SELECT 1 FROM auditevents_partitions p
             WHERE p.parent = auditevents_create_partition.parent AND p.range_from = month_start) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF %I (CONSTRAINT auditevents_month_range '
                 'CHECK (eventtimestamp >= %L AND eventtimestamp < %L)) FOR VALUES FROM (%L) TO (%L)',
                 part, parent, month_start, month_end, month_start, month_end);
  RETURN true;
END $$;

-- Creates the current Central Time month of ref_date and the months_ahead after it.
-- Months already archived are left to the archive. Returns how many partitions it created.
CREATE OR REPLACE FUNCTION ensure_auditevents_partitions(ref_date date DEFAULT NULL, months_ahead integer DEFAULT 5)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  first_month timestamptz := auditevents_month_start(
    coalesce(ref_date::timestamp AT TIME ZONE 'America/Chicago', now()));
  horizon timestamptz;
  month_start timestamptz;
  created integer := 0;
BEGIN
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 0 AND 120 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 120, got %', months_ahead;
  END IF;
  PERFORM pg_advisory_xact_lock(7262001);
  SELECT archived_before INTO horizon FROM auditevents_lifecycle;
  FOR i IN 0..months_ahead LOOP
    month_start := auditevents_add_months(first_month, i);
    IF (horizon IS NULL OR month_start >= horizon)
       AND auditevents_create_partition('auditevents', month_start) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- On-demand partitions for the months of these instants: live months get a live partition,
-- months before the archive horizon get an archive partition. Safe under concurrency.
-- CREATE TABLE ... PARTITION OF takes an exclusive lock on the parent; behind a long query on the
-- parent it would wait, and every reader and writer would queue behind it. lock_timeout makes it
-- give up instead (55P03, lock_not_available); auditevents_ingest tries again a few times
-- (issue 13.5). The API only asks for months it accepts (MAX_EVENT_AGE_MONTHS).
CREATE OR REPLACE FUNCTION auditevents_prepare_months(instants timestamptz[])
RETURNS integer LANGUAGE plpgsql
SET lock_timeout = '500ms'
AS $$
DECLARE
  horizon timestamptz;
  month_start timestamptz;
  created integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7262001);
  SELECT archived_before INTO horizon FROM auditevents_lifecycle;
  FOR month_start IN SELECT DISTINCT auditevents_month_start(t) FROM unnest(instants) AS t WHERE t IS NOT NULL LOOP
    IF horizon IS NOT NULL AND month_start < horizon THEN
      created := created + auditevents_create_partition('auditevents_archival', month_start)::integer;
    ELSE
      created := created + auditevents_create_partition('auditevents', month_start)::integer;
    END IF;
  END LOOP;
  RETURN created;
END $$;
