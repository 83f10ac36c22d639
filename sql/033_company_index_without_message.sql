-- Reverts 031. A btree tuple must fit in a third of a page (~2.7 kB), and INCLUDE (message)
-- made every message part of the tuple: a valid message longer than that which does not
-- compress well (messages may hold 10,000 characters) failed its insert with "index row size
-- exceeds btree maximum". The company index goes back to the key columns only; company +
-- message substring searches pay the heap fetches again (docs/query-plans.md).
DROP INDEX IF EXISTS auditevents_company_time_msg_idx;
DROP INDEX IF EXISTS auditevents_archival_company_time_msg_idx;
CREATE INDEX IF NOT EXISTS auditevents_company_time_idx
  ON auditevents (companyid, eventtimestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS auditevents_archival_company_time_idx
  ON auditevents_archival (companyid, eventtimestamp DESC, id DESC);
