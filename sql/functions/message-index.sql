-- The message trigram index per closed month (issue 18; docs/lifecycle.md, "The message index").

-- Whether this table has a valid GIN trigram index on message (whatever its name).
CREATE OR REPLACE FUNCTION auditevents_has_message_index(relid oid)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = relid AND i.indisvalid AND am.amname = 'gin'
      AND pg_get_indexdef(i.indexrelid) LIKE '%USING gin (message gin_trgm_ops)%')
$$;

-- The current month is written to and has no trigram index (inserts into it pay none); a month
-- that has closed is read far more than written, so it gets `GIN (message gin_trgm_ops)` of its
-- own. The index must be built with CREATE INDEX CONCURRENTLY (late events for that month keep
-- inserting meanwhile), which cannot run inside a function or a transaction: this function only
-- says what to run, and the caller runs each statement on its own, outside a transaction:
--   the Worker's maintenance (src/maintenance/message-index.ts), before the monthly archival and
--   with the daily partitions job; operators in psql:
--     SELECT statement FROM auditevents_message_index_statements() \gexec
--
-- Rows: one CREATE per live month that ended at or before the start of ref_date's Central month
-- (default today) and has no valid trigram index on message, newest month first, preceded by a
-- DROP of the invalid index a failed or interrupted build left under that name. A month whose
-- index is being built right now (pg_stat_progress_create_index) is left to that build. Nothing
-- to do: no rows, so running it again is a no-op. The archive's months have the index of the
-- archive parent and are never listed.
CREATE OR REPLACE FUNCTION auditevents_message_index_statements(ref_date date DEFAULT NULL)
RETURNS TABLE (partition text, index_name text, statement text)
LANGUAGE sql STABLE
AS $$
  WITH closed AS (
    SELECT p.partition, p.relid, p.range_from, p.partition || '_message_trgm_idx' AS index_name
    FROM auditevents_partitions p
    WHERE p.parent = 'auditevents'
      AND p.range_to <= auditevents_month_start(
            coalesce(ref_date::timestamp AT TIME ZONE 'America/Chicago', now()))
      AND NOT auditevents_has_message_index(p.relid)
      AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index b WHERE b.relid = p.relid)
  )
  SELECT c.partition, c.index_name, s.statement
  FROM closed c
  CROSS JOIN LATERAL (
    SELECT 1 AS step, format('DROP INDEX CONCURRENTLY IF EXISTS %I', c.index_name) AS statement
    WHERE EXISTS (SELECT 1 FROM pg_class ic JOIN pg_index i ON i.indexrelid = ic.oid
                  WHERE ic.relname = c.index_name AND i.indrelid = c.relid)
    UNION ALL
    SELECT 2, format('CREATE INDEX CONCURRENTLY IF NOT EXISTS %I ON %I USING gin (message gin_trgm_ops)',
                     c.index_name, c.partition)
  ) s
  ORDER BY c.range_from DESC, s.step
$$;
