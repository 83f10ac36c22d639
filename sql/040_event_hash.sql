-- Event hashes (issue 14): every event row carries the SHA-256 of its canonical encoding,
-- written by the statement that stores it (sql/functions/ingest.sql). The encoding is
-- auditevent_canonical() in sql/functions/integrity.sql, documented in docs/integrity.md.
--
-- A column without a default is a catalogue-only change on both parents and every partition.
-- Rows stored before this migration keep NULL; the seal step hashes them from their content
-- when it puts them into a block (docs/integrity.md, "Events without a stored hash").
ALTER TABLE auditevents ADD COLUMN IF NOT EXISTS eventhash bytea;
ALTER TABLE auditevents_archival ADD COLUMN IF NOT EXISTS eventhash bytea;
