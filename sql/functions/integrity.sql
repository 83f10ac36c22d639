-- Integrity (issue 14): the canonical encoding of an event and its hash. docs/integrity.md
-- describes the encoding byte for byte so anyone can recompute it.
--
-- The encoding is PostgreSQL's own jsonb text output of one array:
--   ["pyaudit-event/1", id, company_id, utc_instant, functionality, event_type, store_id,
--    username, message, status, additional_data, event_id]
-- with the integers as decimal strings (no precision questions outside PostgreSQL), the instant
-- as YYYY-MM-DDTHH:MI:SS.ffffffZ in UTC, SQL NULL as JSON null and additional_data as the jsonb
-- value itself: exactly what jsonb_build_array(...)::text prints. It is built here by
-- concatenating the pieces that output is made of, which prints the same bytes for every input
-- (test/integrity/canonical.test.ts compares the two) at about three quarters of the cost:
-- jsonb_build_array converts each element to jsonb and back (docs/benchmark.md, issue 14).
--   - strings: to_json(text)::text, the same escaping (escape_json) jsonb's output uses;
--   - additional_data: jsonb's own text output, which is how an array prints its elements;
--   - digits, the instant and the UUID need no escaping: they are only quoted;
--   - ", " between elements, as jsonb prints arrays; NULL as null.
-- The SQL functions are plain expressions, so the planner inlines them into the INSERT (ingest)
-- and into the verifier's scan.

-- The encoding, given the two catalogue names already as JSON strings (to_json(name)::text):
-- ingest reads them from the catalogue rows it joins (name_json, sql/043) and the verifier escapes
-- each catalogue row's name once per query, instead of escaping both names of every event.
CREATE OR REPLACE FUNCTION auditevent_canonical_with_json_names(
  id bigint, ts timestamptz, functionality_json text, event_type_json text, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  -- Each piece carries the ", " that follows it (one concatenation fewer per element), and the
  -- two statuses the table allows are written as constants (to_json() costs ~0.2 us a call);
  -- any other value, NULL included, takes the general path.
  SELECT '["pyaudit-event/1", '
    || coalesce('"' || id::text || '", ', 'null, ')
    || coalesce('"' || company_id::text || '", ', 'null, ')
    || coalesce('"' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '", ', 'null, ')
    || coalesce(functionality_json || ', ', 'null, ')
    || coalesce(event_type_json || ', ', 'null, ')
    || coalesce('"' || store_id::text || '", ', 'null, ')
    || coalesce(to_json(username)::text || ', ', 'null, ')
    || coalesce(to_json(message)::text || ', ', 'null, ')
    || CASE status WHEN 'Success' THEN '"Success", ' WHEN 'Failed' THEN '"Failed", '
                   ELSE coalesce(to_json(status)::text || ', ', 'null, ') END
    || coalesce(additional_data::text || ', ', 'null, ')
    || coalesce('"' || event_id::text || '"]', 'null]')
$$;

CREATE OR REPLACE FUNCTION auditevent_canonical(
  id bigint, ts timestamptz, functionality text, event_type text, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT auditevent_canonical_with_json_names(id, ts, to_json(functionality)::text, to_json(event_type)::text,
                                              store_id, company_id, username, message, status, additional_data,
                                              event_id)
$$;

CREATE OR REPLACE FUNCTION auditevent_hash(
  id bigint, ts timestamptz, functionality text, event_type text, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(auditevent_canonical(id, ts, functionality, event_type, store_id, company_id,
                                                username, message, status, additional_data, event_id), 'UTF8'))
$$;

-- The hash, given the catalogue names as JSON strings (auditevent_canonical_with_json_names).
CREATE OR REPLACE FUNCTION auditevent_hash_with_json_names(
  id bigint, ts timestamptz, functionality_json text, event_type_json text, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(auditevent_canonical_with_json_names(id, ts, functionality_json, event_type_json,
                             store_id, company_id, username, message, status, additional_data, event_id), 'UTF8'))
$$;

-- The hash ingest stores. The Worker sends each event's encoding after the id
-- (canonical_after_id, src/integrity/ingest-canonical.ts), built from the values it sends; the
-- statement only puts the id in front and hashes: ~1.5 us an event instead of ~5.5 us with the
-- text built here (docs/benchmark.md, issue 14). Without it (NULL: another caller, or a value the
-- Worker does not vouch for) the text is built here. Either way the verifier recomputes the hash
-- from the stored row, so a text that did not match what was stored would show as event_changed;
-- test/integrity/ingest-canonical.test.ts compares the two over every kind of value.
CREATE OR REPLACE FUNCTION auditevent_ingest_hash(
  id bigint, canonical_after_id text, ts timestamptz, functionality_json text, event_type_json text,
  store_id bigint, company_id bigint, username text, message text, status text, additional_data jsonb,
  event_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT coalesce(sha256(convert_to('["pyaudit-event/1", "' || id::text || '", ' || canonical_after_id, 'UTF8')),
                  auditevent_hash_with_json_names(id, ts, functionality_json, event_type_json, store_id, company_id,
                                                  username, message, status, additional_data, event_id))
$$;

-- The catalogue names as the encoding writes them (JSON strings), one row per catalogue entry:
-- joined by the verifier, so each name is escaped once per query, not once per event.
-- OFFSET 0 keeps each view a subquery of its own: pulled up into the query, its to_json would
-- be evaluated for every event joined to it.
CREATE OR REPLACE VIEW integrity_functionality_json AS
SELECT functionalityid, to_json(functionalityname::text)::text AS name_json FROM auditfunctionalities OFFSET 0;

CREATE OR REPLACE VIEW integrity_event_type_json AS
SELECT eventtypeid, to_json(eventtypename::text)::text AS name_json FROM auditeventtypes OFFSET 0;

-- The hash of what a stored row says, looking up the names behind its catalogue ids. Used where
-- a row's content is checked (verify) or has no stored hash (rows from before migration 040).
CREATE OR REPLACE FUNCTION auditevent_content_hash(
  id bigint, ts timestamptz, functionalityid integer, eventtypeid integer, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT auditevent_hash(id, ts,
    (SELECT f.functionalityname FROM auditfunctionalities f WHERE f.functionalityid = $3),
    (SELECT t.eventtypename FROM auditeventtypes t WHERE t.eventtypeid = $4),
    store_id, company_id, username, message, status, additional_data, event_id)
$$;

-- Live and archived rows with their commit position. writexid is NULL for rows stored before
-- migration 034; they sort first (position writexid 0).
CREATE OR REPLACE VIEW integrity_event_rows AS
SELECT id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status,
       additionaldata, eventid, eventhash, writexid
FROM auditevents
UNION ALL
SELECT id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status,
       additionaldata, eventid, eventhash, writexid
FROM auditevents_archival;

-- The next events to seal after position (after_xid, after_id): committed for sure (writexid
-- below the commit horizon, sql/034), in position order, at most max_events. A transaction that
-- commits late has a writexid at or above the horizon until it commits, so it is left for a
-- later block and never skipped. Rows from before 034 (no writexid) come first, by id, in
-- blocks of their own. Reads only: no lock on the event tables beyond a plain SELECT.
CREATE OR REPLACE FUNCTION integrity_unsealed(after_xid xid8, after_id bigint, max_events integer)
RETURNS TABLE (event_id bigint, writexid xid8, event_time timestamptz, eventhash bytea)
LANGUAGE plpgsql VOLATILE
-- A plan for these very positions: a generic plan cached after a few calls would not know the
-- range is narrow and could scan every partition for each block.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  horizon xid8 := auditevents_commit_horizon();
  found_legacy bigint;
BEGIN
  IF after_xid = '0'::xid8 THEN
    RETURN QUERY
      SELECT e.id, '0'::xid8, e.eventtimestamp,
             coalesce(e.eventhash, auditevent_content_hash(e.id, e.eventtimestamp, e.functionalityid, e.eventtypeid,
               e.storelocationid, e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid))
      FROM integrity_event_rows e
      WHERE e.writexid IS NULL AND e.id > after_id
      ORDER BY e.id
      LIMIT max_events;
    GET DIAGNOSTICS found_legacy = ROW_COUNT;
    IF found_legacy > 0 THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    SELECT e.id, e.writexid, e.eventtimestamp,
           coalesce(e.eventhash, auditevent_content_hash(e.id, e.eventtimestamp, e.functionalityid, e.eventtypeid,
             e.storelocationid, e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid))
    FROM integrity_event_rows e
    WHERE e.writexid IS NOT NULL AND (e.writexid, e.id) > (after_xid, after_id) AND e.writexid < horizon
    ORDER BY e.writexid, e.id
    LIMIT max_events;
END $$;

-- Stores a block the Worker built and signed, with its manifest, and marks the deletion records
-- it signs, in one statement. Returns false (and stores nothing) when block seq exists already:
-- another seal got there first, and its block stands.
CREATE OR REPLACE FUNCTION integrity_append_block(
  p_seq bigint, p_prev_hash bytea, p_root bytea, p_count integer,
  p_first_id bigint, p_last_id bigint, p_first_time timestamptz, p_last_time timestamptz,
  p_start_xid xid8, p_start_id bigint, p_end_xid xid8, p_end_id bigint,
  p_deletions_digest bytea, p_deletion_ids bigint[], p_sealed_at timestamptz, p_key_id text,
  p_block_hash bytea, p_signature bytea,
  p_event_ids bigint[], p_event_times timestamptz[], p_hashes text[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  INSERT INTO integrity_blocks (seq, prev_hash, merkle_root, event_count, first_id, last_id, first_time, last_time,
                                start_writexid, start_id, end_writexid, end_id, deletions_digest, sealed_at,
                                key_id, block_hash, signature)
  VALUES (p_seq, p_prev_hash, p_root, p_count, p_first_id, p_last_id, p_first_time, p_last_time,
          p_start_xid, p_start_id, p_end_xid, p_end_id, p_deletions_digest, p_sealed_at,
          p_key_id, p_block_hash, p_signature)
  ON CONFLICT (seq) DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO integrity_block_events (block_seq, ord, event_id, event_time, eventhash)
  SELECT p_seq, u.ord - 1, u.id, u.t, decode(u.h, 'hex')
  FROM unnest(p_event_ids, p_event_times, p_hashes) WITH ORDINALITY AS u(id, t, h, ord);
  UPDATE integrity_deletions SET sealed_block = p_seq
  WHERE id = ANY (p_deletion_ids) AND sealed_block IS NULL;
  RETURN true;
END $$;

-- Everything verification needs from the database about one block, in one row (one query
-- and one read of the manifest per block; docs/integrity.md section 3):
--   event_count, hashes, first_id, last_id, first_time, last_time
--       its manifest: the number of leaves, the sealed event hashes in leaf order (hex,
--       concatenated: the Worker recomputes the Merkle root from them), the id and time span;
--   deletions   the deletion records it signed, in id order (JSON array of their fields as text);
--   findings    what is wrong with its events (JSON array of {event_id, reason}, by event id),
--               comparing every row in the block's position range, hashed from its content,
--               with the manifest:
--     event_changed       the row's content no longer hashes to the sealed hash
--     event_hash_changed  the content still matches, but the stored eventhash column was edited
--     event_missing       sealed, no longer stored, and no signed deletion record covers it
--     deleted_by_policy   sealed, no longer stored, inside a signed deletion record (not a failure)
--     event_inserted      stored inside the block's range but never sealed in it
-- No row when the block does not exist.
CREATE OR REPLACE FUNCTION integrity_verify_block(p_seq bigint)
RETURNS TABLE (event_count integer, hashes text, first_id text, last_id text, first_time text, last_time text,
               deletions jsonb, findings jsonb)
LANGUAGE plpgsql STABLE
-- As integrity_unsealed: each block's range planned as itself, never a generic whole-table plan.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  b integrity_blocks;
BEGIN
  SELECT * INTO b FROM integrity_blocks WHERE seq = p_seq;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY
    WITH in_range AS (
      SELECT e.* FROM integrity_event_rows e
      WHERE b.start_writexid = '0'::xid8 AND e.writexid IS NULL AND e.id > b.start_id
        AND (b.end_writexid > '0'::xid8 OR e.id <= b.end_id)
      UNION ALL
      SELECT e.* FROM integrity_event_rows e
      WHERE b.end_writexid > '0'::xid8 AND e.writexid IS NOT NULL
        AND (e.writexid, e.id) > (b.start_writexid, b.start_id) AND (e.writexid, e.id) <= (b.end_writexid, b.end_id)
        -- Implied by the row comparisons, but the planner estimates those from writexid alone: a
        -- block inside one large transaction would look like that whole transaction. These fold
        -- to plain bounds in the custom plan and keep the estimate (and plan) to the block.
        AND e.writexid BETWEEN b.start_writexid AND b.end_writexid
        AND (b.start_writexid <> b.end_writexid OR (e.id > b.start_id AND e.id <= b.end_id))
    ),
    stored AS (
      -- Names by join, not per-row lookups: four times faster over a block (docs/benchmark.md).
      -- A row whose catalogue ids lead nowhere hashes with null names, which never matches.
      SELECT e.id, e.eventhash AS stored_hash,
             auditevent_hash_with_json_names(e.id, e.eventtimestamp, f.name_json, t.name_json, e.storelocationid,
               e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid) AS content_hash
      FROM in_range e
      LEFT JOIN integrity_functionality_json f ON f.functionalityid = e.functionalityid
      LEFT JOIN integrity_event_type_json t ON t.eventtypeid = e.eventtypeid
    ),
    sealed AS (
      SELECT m.ord, m.event_id, m.event_time, m.eventhash FROM integrity_block_events m WHERE m.block_seq = p_seq
    ),
    compared AS (
      SELECT m.ord, m.event_id AS sealed_id, m.event_time, m.eventhash AS sealed_hash,
             coalesce(s.id, m.event_id) AS id,
             CASE
               WHEN m.event_id IS NULL THEN 'event_inserted'
               WHEN s.id IS NULL THEN
                 CASE WHEN EXISTS (SELECT 1 FROM integrity_deletions d
                                   WHERE d.sealed_block IS NOT NULL AND d.range_to <= d.drop_before
                                     AND m.event_time >= d.range_from AND m.event_time < d.range_to)
                      THEN 'deleted_by_policy' ELSE 'event_missing' END
               WHEN s.content_hash IS DISTINCT FROM m.eventhash THEN 'event_changed'
               WHEN s.stored_hash IS NOT NULL AND s.stored_hash <> m.eventhash THEN 'event_hash_changed'
             END AS reason
      FROM stored s
      FULL JOIN sealed m ON m.event_id = s.id
      -- Kept a subquery (not pulled up into the aggregates below): otherwise each aggregate that
      -- reads reason would evaluate it, and the content hash inside it, again.
      OFFSET 0
    )
    SELECT count(c.sealed_id)::integer,
           coalesce(encode(string_agg(c.sealed_hash, ''::bytea ORDER BY c.ord), 'hex'), ''),
           min(c.sealed_id)::text, max(c.sealed_id)::text,
           to_char(min(c.event_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           to_char(max(c.event_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                     'id', d.id::text, 'partition', d.partition,
                     'range_from', to_char(d.range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'range_to', to_char(d.range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'drop_before', to_char(d.drop_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'deleted_at', to_char(d.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
                   ORDER BY d.id), '[]'::jsonb)
            FROM integrity_deletions d WHERE d.sealed_block = p_seq),
           coalesce(jsonb_agg(jsonb_build_object('event_id', c.id::text, 'reason', c.reason) ORDER BY c.id)
                      FILTER (WHERE c.reason IS NOT NULL), '[]'::jsonb)
    FROM compared c;
END $$;

-- Events not sealed yet (after the last block's end) whose stored hash does not match their
-- content, or that have none although they were stored after migration 040 (every ingest path
-- writes it: a row without one was written around the service).
CREATE OR REPLACE FUNCTION integrity_check_unsealed(after_xid xid8, after_id bigint,
                                                    from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (event_id bigint, reason text)
LANGUAGE sql STABLE
AS $$
  SELECT e.id, CASE WHEN e.eventhash IS NULL THEN 'event_hash_missing' ELSE 'event_hash_mismatch' END
  FROM integrity_event_rows e
  LEFT JOIN integrity_functionality_json f ON f.functionalityid = e.functionalityid
  LEFT JOIN integrity_event_type_json t ON t.eventtypeid = e.eventtypeid
  WHERE ((e.writexid IS NULL AND after_xid = '0'::xid8 AND e.id > after_id)
         OR (e.writexid IS NOT NULL AND (e.writexid, e.id) > (after_xid, after_id)))
    AND (from_ts IS NULL OR e.eventtimestamp >= from_ts) AND (to_ts IS NULL OR e.eventtimestamp <= to_ts)
    AND (e.eventhash IS NULL AND e.writexid IS NOT NULL
         OR e.eventhash IS DISTINCT FROM auditevent_hash_with_json_names(e.id, e.eventtimestamp, f.name_json,
              t.name_json, e.storelocationid, e.companyid, e.username, e.message, e.status, e.additionaldata,
              e.eventid)
            AND e.eventhash IS NOT NULL)
  ORDER BY 1
$$;

-- Hard deletion of an archive month past the horizon (sql/functions/maintenance.sql) leaves
-- this record; the next seal signs it into the chain.
CREATE OR REPLACE FUNCTION integrity_record_deletion(p_partition text, p_from timestamptz, p_to timestamptz,
                                                     p_drop_before timestamptz)
RETURNS void
LANGUAGE sql VOLATILE
AS $$
  INSERT INTO integrity_deletions (partition, range_from, range_to, drop_before)
  VALUES (p_partition, p_from, p_to, p_drop_before)
$$;

-- Where an event was sealed: the block whose position range holds the event's (writexid, id),
-- found through integrity_blocks_end_idx, and its leaf index in that block.
CREATE OR REPLACE FUNCTION integrity_placement(p_event_id bigint)
RETURNS TABLE (block_seq bigint, ord integer)
LANGUAGE sql STABLE
AS $$
  SELECT b.seq, m.ord
  FROM (SELECT coalesce(r.writexid, '0'::xid8) AS x, r.id FROM integrity_event_rows r WHERE r.id = p_event_id LIMIT 1) e
  CROSS JOIN LATERAL (
    SELECT seq, start_writexid, start_id FROM integrity_blocks
    WHERE (end_writexid, end_id) >= (e.x, e.id)
    ORDER BY end_writexid, end_id LIMIT 1) b
  JOIN integrity_block_events m ON m.block_seq = b.seq AND m.event_id = e.id
  WHERE (e.x, e.id) > (b.start_writexid, b.start_id)
$$;

-- What an NDJSON export with integrity=true adds to each event (docs/export.md, docs/integrity.md
-- section 4): the fields of the canonical encoding the event object does not show (the instant
-- in UTC to the microsecond, the client's event_id), its hash (stored, or from its content for a
-- row from before migration 040), its commit position and the block whose position range holds
-- it (NULL while not sealed). Each row is found by (id, event time), the tables' primary key, in a
-- LATERAL probe so that it stays one index probe in its own partition (a plain join was planned
-- as a merge join over every row); the block by integrity_blocks_end_idx.
CREATE OR REPLACE FUNCTION integrity_export_fields(p_ids bigint[], p_micros bigint[])
RETURNS TABLE (id bigint, utc_time text, client_event_id text, event_hash text, block_seq bigint, event_position text)
LANGUAGE sql STABLE
AS $$
  SELECT e.id,
         to_char(e.eventtimestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         e.eventid::text,
         encode(coalesce(e.eventhash, auditevent_content_hash(e.id, e.eventtimestamp, e.functionalityid, e.eventtypeid,
           e.storelocationid, e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid)), 'hex'),
         b.seq,
         e.x::text || ':' || e.id::text
  FROM unnest(p_ids, p_micros) AS k(id, micros)
  CROSS JOIN LATERAL (
    SELECT r.*, coalesce(r.writexid, '0'::xid8) AS x FROM integrity_event_rows r
    WHERE r.id = k.id AND r.eventtimestamp = TIMESTAMPTZ 'epoch' + k.micros * INTERVAL '1 microsecond'
    LIMIT 1) e
  LEFT JOIN LATERAL (
    SELECT s.seq, s.start_writexid, s.start_id FROM integrity_blocks s
    WHERE (s.end_writexid, s.end_id) >= (e.x, e.id)
    ORDER BY s.end_writexid, s.end_id LIMIT 1) b
    ON (e.x, e.id) > (b.start_writexid, b.start_id)
$$;
