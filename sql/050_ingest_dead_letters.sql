-- Queued ingest (issue 17, docs/queued-ingest.md): events the queue consumer could not store and
-- never will without a change (their catalogue entry is gone, or the database refuses the row),
-- kept with the reason until an admin replays them (POST /admin/ingest/dead-letters/{id}/replay).
-- One row per (company, event_id): every queued event has an event_id, and a redelivered
-- message that fails again only counts another failure. A message that is not even readable
-- (malformed_message; a bug or a version skew) has neither and is kept whole, by message_id.
CREATE TABLE IF NOT EXISTS ingest_dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id      bigint,
  event_id        uuid,
  message_id      text,
  -- The event as enqueued: the row auditevents_ingest takes (src/db/queries/ingest.ts), or the
  -- whole message body when it was malformed.
  event           jsonb NOT NULL,
  -- unknown_functionality, unknown_event_type, malformed_message or rejected_by_database
  reason          text NOT NULL,
  detail          text NOT NULL,
  enqueued_at     timestamptz,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  failures        integer NOT NULL DEFAULT 1,
  -- Set when a replay stored the event: the stored row's id.
  replayed_at     timestamptz,
  replayed_id     bigint,
  CONSTRAINT ingest_dead_letters_event UNIQUE (company_id, event_id)
);

-- The list shows the ones still waiting first, newest first.
CREATE INDEX IF NOT EXISTS ingest_dead_letters_pending
  ON ingest_dead_letters (id DESC) WHERE replayed_at IS NULL;
