-- Ingest: resolve catalogue names, claim idempotency keys and insert, in one round trip.
--
-- events: a JSON array of objects with keys idx, ts (ISO 8601 with offset), functionality,
-- event_type, store_id, company_id, username, message, status, additional_data, event_id.
-- canonical_after_ids (optional): each event's canonical encoding after its id, in the order of
-- events, separated by U+001E (the encoding never holds a raw control character: JSON escapes
-- them), an empty one for an event without; auditevent_ingest_hash (sql/functions/integrity.sql)
-- hashes it instead of building the text here. A separate text, not a key of each event: inside
-- the JSON every quote of it would be escaped by the Worker and unescaped here.
-- Returns one row per input: its idx and either the stored id (duplicate = true when the
-- event_id had been stored before) or an error code: unknown_functionality / unknown_event_type.
--
-- Every stored row gets its eventhash in this same statement (issue 14, docs/integrity.md): from
-- the encoding after the id the Worker sends (canonical_after_ids) or, without it, built here with
-- the catalogue names taken already escaped from the catalogue rows (name_json, sql/043).
--
-- Idempotency is per company: (companyid, eventid) is the key (032_idempotency_per_company.sql).
-- No JIT: the planner overestimates this statement and compiling it cost 0.8 s a call
-- (030_ingest_no_jit.sql has the measurements).
-- The one-argument form before canonical_after_ids: dropped in the transaction that creates this
-- one, so a call with one argument (which the default serves) is never ambiguous nor unserved.
DROP FUNCTION IF EXISTS auditevents_ingest(jsonb);

CREATE OR REPLACE FUNCTION auditevents_ingest(events jsonb, canonical_after_ids text DEFAULT NULL)
RETURNS TABLE (idx integer, id bigint, duplicate boolean, error text)
LANGUAGE plpgsql
SET jit = off
AS $$
DECLARE
  outcome jsonb;
  attempt integer := 0;
  -- Most batches carry no event_id (the benchmark's, the self-audit's, most clients'): they take
  -- a statement without the idempotency bookkeeping (no key to claim, no outcome to look up
  -- afterwards), ~27% less PostgreSQL CPU per 1,000 events (issue 18, docs/benchmark.md).
  keyed constant boolean := jsonb_path_exists(events, '$[*] ? (@.event_id != null)');
  idxs integer[];
  ids bigint[];
  errors text[];
BEGIN
  LOOP
    BEGIN
      IF NOT keyed THEN
        -- The statement below without event ids: every accepted row is inserted, so its id is
        -- its new_id. Collected into arrays and returned after the loop, so that a retried
        -- attempt never leaves rows of a failed one in the result.
        WITH input AS (
          SELECT x.idx, x.ts, x.functionality, x.event_type, x.store_id, x.company_id, x.username, x.message,
                 x.status, x.additional_data, nullif(x.canonical_after_id, '') AS canonical_after_id
          -- ROWS FROM reads the two side by side, the n-th text with the n-th event (no join).
          FROM ROWS FROM (
            jsonb_to_recordset(events) AS (
              idx integer, ts timestamptz, functionality text, event_type text, store_id bigint,
              company_id bigint, username text, message text, status text, additional_data jsonb),
            string_to_table(canonical_after_ids, E'\x1e')
          ) WITH ORDINALITY AS x (idx, ts, functionality, event_type, store_id, company_id, username, message,
                                  status, additional_data, canonical_after_id, n)
          WHERE x.n <= jsonb_array_length(events)
        ),
        resolved AS (
          -- The hash is taken as the row is read (see the statement with event ids below).
          SELECT r.idx, r.ts, r.store_id, r.company_id, r.username, r.message, r.status, r.additional_data,
                 r.functionalityid, r.eventtypeid, r.new_id, r.to_archive,
                 auditevent_ingest_hash(r.new_id, r.canonical_after_id, r.ts, r.functionality_json,
                   r.event_type_json, r.store_id, r.company_id, r.username, r.message, r.status,
                   r.additional_data, NULL::uuid) AS eventhash
          FROM (
            SELECT i.*, f.functionalityid, t.eventtypeid, f.name_json AS functionality_json,
                   t.name_json AS event_type_json, nextval('auditevents_id_seq') AS new_id,
                   coalesce(i.ts < (SELECT archived_before FROM auditevents_lifecycle), false) AS to_archive
            FROM input i
            LEFT JOIN auditfunctionalities f ON f.functionalityname = i.functionality
            LEFT JOIN auditeventtypes t
                   ON t.functionalityid = f.functionalityid AND t.eventtypename = i.event_type
          ) r
        ),
        accepted AS (
          SELECT r.* FROM resolved r WHERE r.eventtypeid IS NOT NULL
        ),
        live AS (
          INSERT INTO auditevents (id, eventtimestamp, functionalityid, eventtypeid, storelocationid,
                                   companyid, username, message, status, additionaldata, eventhash)
          SELECT a.new_id, a.ts, a.functionalityid, a.eventtypeid, a.store_id, a.company_id,
                 a.username, a.message, a.status, a.additional_data, a.eventhash
          FROM accepted a WHERE NOT a.to_archive
        ),
        archived AS (
          INSERT INTO auditevents_archival (id, eventtimestamp, functionalityid, eventtypeid,
                                            storelocationid, companyid, username, message, status,
                                            additionaldata, eventhash)
          SELECT a.new_id, a.ts, a.functionalityid, a.eventtypeid, a.store_id, a.company_id,
                 a.username, a.message, a.status, a.additional_data, a.eventhash
          FROM accepted a WHERE a.to_archive
        )
        SELECT array_agg(r.idx ORDER BY r.idx),
               array_agg(CASE WHEN r.eventtypeid IS NOT NULL THEN r.new_id END ORDER BY r.idx),
               array_agg(CASE WHEN r.functionalityid IS NULL THEN 'unknown_functionality'
                              WHEN r.eventtypeid IS NULL THEN 'unknown_event_type' END ORDER BY r.idx)
        INTO idxs, ids, errors
        FROM resolved r;
        EXIT;
      END IF;

      WITH input AS (
        SELECT x.idx, x.ts, x.functionality, x.event_type, x.store_id, x.company_id, x.username, x.message,
               x.status, x.additional_data, x.event_id, nullif(x.canonical_after_id, '') AS canonical_after_id
        FROM ROWS FROM (
          jsonb_to_recordset(events) AS (
            idx integer, ts timestamptz, functionality text, event_type text, store_id bigint,
            company_id bigint, username text, message text, status text, additional_data jsonb,
            event_id uuid),
          string_to_table(canonical_after_ids, E'\x1e')
        ) WITH ORDINALITY AS x (idx, ts, functionality, event_type, store_id, company_id, username, message,
                                status, additional_data, event_id, canonical_after_id, n)
        -- A text beyond the last event (never sent) makes no row.
        WHERE x.n <= jsonb_array_length(events)
      ),
      resolved AS (
        -- The hash is taken here, as the row is read, not in accepted: this CTE is materialized
        -- (read by claimed, accepted and the result), and carrying each event's canonical text
        -- into it cost ~1 us an event (docs/benchmark.md). Rows that will not be stored (an
        -- unknown name, a duplicate event_id) are hashed too: rare, and cheaper than the copy.
        SELECT r.idx, r.ts, r.store_id, r.company_id, r.username, r.message, r.status, r.additional_data,
               r.event_id, r.functionalityid, r.eventtypeid, r.new_id, r.to_archive,
               auditevent_ingest_hash(r.new_id, r.canonical_after_id, r.ts, r.functionality_json,
                 r.event_type_json, r.store_id, r.company_id, r.username, r.message, r.status,
                 r.additional_data, r.event_id) AS eventhash
        FROM (
          SELECT i.*, f.functionalityid, t.eventtypeid, f.name_json AS functionality_json,
                 t.name_json AS event_type_json, nextval('auditevents_id_seq') AS new_id,
                 -- Before the archive horizon: the month was archived, store it there. (A scalar
                 -- subquery, not a join: the planner would take the one-row table for ~2,200 rows.)
                 coalesce(i.ts < (SELECT archived_before FROM auditevents_lifecycle), false) AS to_archive
          FROM input i
          LEFT JOIN auditfunctionalities f ON f.functionalityname = i.functionality
          LEFT JOIN auditeventtypes t
                 ON t.functionalityid = f.functionalityid AND t.eventtypename = i.event_type
        ) r
      ),
      claimed AS (
        INSERT INTO auditevent_idempotency (companyid, eventid, id, eventtimestamp)
        SELECT r.company_id, r.event_id, r.new_id, r.ts FROM resolved r
        WHERE r.event_id IS NOT NULL AND r.eventtypeid IS NOT NULL
        -- Keys are claimed in one fixed order, whatever the batch's order: two batches sharing
        -- event_ids in different orders would otherwise each hold a key the other waits for
        -- (a deadlock, issue 13.11). Within one key, idx keeps the first copy in the batch the
        -- one stored.
        ORDER BY r.company_id, r.event_id, r.idx
        ON CONFLICT (companyid, eventid) DO NOTHING
        RETURNING auditevent_idempotency.eventid, auditevent_idempotency.id
      ),
      accepted AS (
        -- The event hash (resolved, above): from the Worker's canonical text, or built from exactly
        -- what is stored, the catalogue rows having matched these names by equality, so their
        -- name_json (sql/043) is each name as a JSON string, escaped once when the row was written.
        SELECT r.*
        FROM resolved r
        WHERE r.eventtypeid IS NOT NULL
          AND (r.event_id IS NULL OR EXISTS (SELECT 1 FROM claimed c WHERE c.id = r.new_id))
      ),
      live AS (
        INSERT INTO auditevents (id, eventtimestamp, functionalityid, eventtypeid, storelocationid,
                                 companyid, username, message, status, additionaldata, eventid, eventhash)
        SELECT a.new_id, a.ts, a.functionalityid, a.eventtypeid, a.store_id, a.company_id,
               a.username, a.message, a.status, a.additional_data, a.event_id, a.eventhash
        FROM accepted a WHERE NOT a.to_archive
        RETURNING auditevents.id
      ),
      archived AS (
        INSERT INTO auditevents_archival (id, eventtimestamp, functionalityid, eventtypeid,
                                          storelocationid, companyid, username, message, status,
                                          additionaldata, eventid, eventhash)
        SELECT a.new_id, a.ts, a.functionalityid, a.eventtypeid, a.store_id, a.company_id,
               a.username, a.message, a.status, a.additional_data, a.event_id, a.eventhash
        FROM accepted a WHERE a.to_archive
        RETURNING auditevents_archival.id
      )
      SELECT jsonb_agg(jsonb_build_object(
               'idx', r.idx,
               'id', CASE WHEN r.new_id IN (SELECT l.id FROM live l UNION ALL SELECT v.id FROM archived v)
                          THEN r.new_id END,
               'event_id', r.event_id,
               'company_id', r.company_id,
               'error', CASE WHEN r.functionalityid IS NULL THEN 'unknown_functionality'
                             WHEN r.eventtypeid IS NULL THEN 'unknown_event_type' END))
      INTO outcome
      FROM resolved r;
      EXIT;
    EXCEPTION WHEN check_violation THEN
      -- 23514 is also the status CHECK; only "no partition of relation ... found for row" is
      -- retried, after creating the missing months (or routing them to the archive).
      IF SQLERRM NOT LIKE 'no partition of relation%' OR attempt >= 2 THEN
        RAISE;
      END IF;
      attempt := attempt + 1;
      -- The DDL waits at most its lock_timeout for the parent (sql/functions/partitions.sql):
      -- three tries, then the 55P03 goes to the caller, which answers 503 (issue 13.5).
      FOR ddl_try IN 1..3 LOOP
        BEGIN
          PERFORM auditevents_prepare_months(
            ARRAY(SELECT (e ->> 'ts')::timestamptz FROM jsonb_array_elements(events) AS e));
          EXIT;
        EXCEPTION WHEN lock_not_available THEN
          IF ddl_try >= 3 THEN
            RAISE;
          END IF;
          PERFORM pg_sleep(0.1 * ddl_try);
        END;
      END LOOP;
    END;
  END LOOP;

  IF NOT keyed THEN
    RETURN QUERY SELECT u.i, u.n, false, u.e FROM unnest(idxs, ids, errors) AS u (i, n, e);
    RETURN;
  END IF;

  -- Events whose event_id was already stored (possibly by a transaction that committed while
  -- this one waited on the key): this statement has a fresh snapshot and sees that row.
  RETURN QUERY
  SELECT (o ->> 'idx')::integer,
         coalesce((o ->> 'id')::bigint, k.id),
         (o ->> 'id') IS NULL AND k.id IS NOT NULL,
         o ->> 'error'
  FROM jsonb_array_elements(coalesce(outcome, '[]'::jsonb)) AS o
  LEFT JOIN auditevent_idempotency k
         ON (o ->> 'id') IS NULL AND (o ->> 'error') IS NULL
        AND k.companyid = (o ->> 'company_id')::bigint
        AND k.eventid = (o ->> 'event_id')::uuid
  ORDER BY 1;
END $$;
