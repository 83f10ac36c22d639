-- Catalogue names as the event hash writes them (issue 14, docs/integrity.md): each name as a JSON
-- string (to_json(name)::text), stored beside the name, so ingest reads it from the catalogue row
-- it joins anyway instead of escaping both names of every event (~0.4 us an event, about a third
-- of the per-event hash cost; docs/benchmark.md).
--
-- A generated column needs an IMMUTABLE expression and to_json() is only STABLE (for other types
-- it calls their output functions); for text it is escape_json() alone, which depends on nothing
-- but its input, so this wrapper may say IMMUTABLE. It lives here, not in sql/functions/, because
-- the columns below need it before the function files run.
CREATE OR REPLACE FUNCTION integrity_json_string(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_json(value)::text $$;

ALTER TABLE auditfunctionalities
  ADD COLUMN IF NOT EXISTS name_json text GENERATED ALWAYS AS (integrity_json_string(functionalityname)) STORED;
ALTER TABLE auditeventtypes
  ADD COLUMN IF NOT EXISTS name_json text GENERATED ALWAYS AS (integrity_json_string(eventtypename)) STORED;
