-- Sealed blocks (issue 14, docs/integrity.md section 2): the seal step groups events not yet
-- sealed into blocks, each with its RFC 6962 Merkle root, chained to the previous block by hash
-- and signed with Ed25519. Nothing here touches auditevents: which events a block holds is
-- recorded beside it, so ingest stays exactly as cheap as before and sealing takes no lock on
-- the event tables.
--
-- A block covers the events whose commit position (writexid, id) lies after the previous
-- block's end position and up to its own (end_writexid, end_id), inclusive. Rows stored before
-- migration 034 have no writexid: they count as writexid 0, before every real transaction.
CREATE TABLE IF NOT EXISTS integrity_blocks (
  seq              bigint PRIMARY KEY CHECK (seq >= 1),
  prev_hash        bytea NOT NULL CHECK (length(prev_hash) = 32),
  merkle_root      bytea NOT NULL CHECK (length(merkle_root) = 32),
  event_count      integer NOT NULL CHECK (event_count >= 0),
  first_id         bigint,
  last_id          bigint,
  first_time       timestamptz,
  last_time        timestamptz,
  -- The commit positions the block covers: after (start_writexid, start_id), the previous
  -- block's end, up to (end_writexid, end_id) inclusive.
  start_writexid   xid8 NOT NULL,
  start_id         bigint NOT NULL,
  end_writexid     xid8 NOT NULL,
  end_id           bigint NOT NULL,
  -- SHA-256 of the deletion records this block signs (NULL when none).
  deletions_digest bytea,
  sealed_at        timestamptz NOT NULL,
  key_id           text NOT NULL,
  block_hash       bytea NOT NULL CHECK (length(block_hash) = 32),
  signature        bytea NOT NULL
);
-- The proof route finds a block by an event's position.
CREATE INDEX IF NOT EXISTS integrity_blocks_end_idx ON integrity_blocks (end_writexid, end_id);

-- The manifest: each block's events in leaf order with the hash that was sealed. The signed
-- root commits to it, so it cannot be edited without verification noticing; it names which
-- event changed, which one is missing and which one was added.
--
-- Only the primary key: sealing writes up to 10,000 rows a block, and a second index (or a
-- foreign key check per row) doubled its cost (docs/benchmark.md). A proof finds its block by
-- the event's position (integrity_blocks_end_idx), then the event within the block's rows.
CREATE TABLE IF NOT EXISTS integrity_block_events (
  block_seq  bigint NOT NULL,
  ord        integer NOT NULL,
  event_id   bigint NOT NULL,
  event_time timestamptz NOT NULL,
  eventhash  bytea NOT NULL,
  PRIMARY KEY (block_seq, ord)
);

-- Deletion records (docs/integrity.md section 5): hard deletion past the archive horizon
-- writes one per dropped archive month, and the next block signs it (deletions_digest), so
-- verification tells events deleted by policy from events deleted by hand.
CREATE TABLE IF NOT EXISTS integrity_deletions (
  id           bigserial PRIMARY KEY,
  partition    text NOT NULL,
  range_from   timestamptz NOT NULL,
  range_to     timestamptz NOT NULL,
  drop_before  timestamptz NOT NULL,
  deleted_at   timestamptz NOT NULL DEFAULT now(),
  sealed_block bigint REFERENCES integrity_blocks (seq)
);
CREATE INDEX IF NOT EXISTS integrity_deletions_pending_idx ON integrity_deletions (id) WHERE sealed_block IS NULL;
