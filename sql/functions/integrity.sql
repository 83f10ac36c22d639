-- Integrity (issue 14): the canonical encoding of an event and its hash. docs/integrity.md
-- describes the encoding byte for byte so anyone can recompute it.
--
-- The encoding is PostgreSQL's own jsonb text output of one array:
--   ["pyaudit-event/1", id, company_id, utc_instant, functionality, event_type, store_id,
--    username, message, status, additional_data, event_id]
-- with the integers as decimal strings (no precision questions outside PostgreSQL), the instant
-- as YYYY-MM-DDTHH:MI:SS.ffffffZ in UTC, SQL NULL as JSON null and additional_data as the jsonb
-- value itself. Both functions are plain SQL expressions, so the planner inlines them into the
-- INSERT (ingest) and into the verifier's scan.
CREATE OR REPLACE FUNCTION auditevent_canonical(
  id bigint, ts timestamptz, functionality text, event_type text, store_id bigint, company_id bigint,
  username text, message text, status text, additional_data jsonb, event_id uuid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT jsonb_build_array(
    'pyaudit-event/1', id::text, company_id::text,
    to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    functionality, event_type, store_id::text, username, message, status, additional_data,
    event_id::text)::text
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
