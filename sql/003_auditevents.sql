-- Events, range-partitioned by Central Time month on the absolute instant (timestamptz).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SEQUENCE IF NOT EXISTS auditevents_id_seq AS bigint;

-- Identity columns on partitioned tables need PostgreSQL 17, so the id comes from a sequence.
CREATE TABLE IF NOT EXISTS auditevents (
  id              bigint NOT NULL DEFAULT nextval('auditevents_id_seq'),
  eventtimestamp  timestamptz NOT NULL,
  functionalityid integer NOT NULL,
  eventtypeid     integer NOT NULL,
  storelocationid bigint,
  companyid       bigint NOT NULL,
  username        varchar(20),
  message         text NOT NULL,
  status          varchar(20) NOT NULL DEFAULT 'Success'
                  CONSTRAINT auditevents_status_check CHECK (status IN ('Success', 'Failed')),
  additionaldata  jsonb,
  eventid         uuid,
  createdat       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, eventtimestamp)
) PARTITION BY RANGE (eventtimestamp);

ALTER SEQUENCE auditevents_id_seq OWNED BY auditevents.id;

-- The archive has the same columns (and constraint names) plus archivedat, the same partitioning and the same
-- indexes, so a month moves here by detach/attach without copying rows or building indexes.
CREATE TABLE IF NOT EXISTS auditevents_archival (
  id              bigint NOT NULL,
  eventtimestamp  timestamptz NOT NULL,
  functionalityid integer NOT NULL,
  eventtypeid     integer NOT NULL,
  storelocationid bigint,
  companyid       bigint NOT NULL,
  username        varchar(20),
  message         text NOT NULL,
  status          varchar(20) NOT NULL DEFAULT 'Success'
                  CONSTRAINT auditevents_status_check CHECK (status IN ('Success', 'Failed')),
  additionaldata  jsonb,
  eventid         uuid,
  createdat       timestamptz NOT NULL DEFAULT now(),
  archivedat      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, eventtimestamp)
) PARTITION BY RANGE (eventtimestamp);

-- Index set, one per query shape (docs/query-plans.md); identical on both parents.
CREATE INDEX IF NOT EXISTS auditevents_time_idx ON auditevents (eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_company_time_idx ON auditevents (companyid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_store_time_idx ON auditevents (storelocationid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_user_time_idx ON auditevents (username, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_type_time_idx ON auditevents (functionalityid, eventtypeid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_message_trgm_idx ON auditevents USING gin (message gin_trgm_ops);

CREATE INDEX IF NOT EXISTS auditevents_archival_time_idx ON auditevents_archival (eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_company_time_idx ON auditevents_archival (companyid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_store_time_idx ON auditevents_archival (storelocationid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_user_time_idx ON auditevents_archival (username, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_type_time_idx ON auditevents_archival (functionalityid, eventtypeid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_message_trgm_idx ON auditevents_archival USING gin (message gin_trgm_ops);

-- Client-supplied event ids (idempotent retries). A unique index on a partitioned table must
-- contain the partition key, so uniqueness of eventid alone lives in this side table.
CREATE TABLE IF NOT EXISTS auditevent_idempotency (
  eventid        uuid PRIMARY KEY,
  id             bigint NOT NULL,
  eventtimestamp timestamptz NOT NULL
);

-- Live and archived events together, for include_archived=true.
CREATE OR REPLACE VIEW auditevents_all AS
SELECT id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
       username, message, status, additionaldata, eventid, createdat
FROM auditevents
UNION ALL
SELECT id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
       username, message, status, additionaldata, eventid, createdat
FROM auditevents_archival;
