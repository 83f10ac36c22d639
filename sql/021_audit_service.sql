-- The audit of the auditors: reads of the trail and admin actions are themselves audit events
-- of this functionality (src/lib/self-audit.ts), findable by search like any other event.
INSERT INTO auditfunctionalities (functionalityname)
VALUES ('Audit Service')
ON CONFLICT (functionalityname) DO NOTHING;

INSERT INTO auditeventtypes (functionalityid, eventtypename)
SELECT f.functionalityid, t.eventtypename
FROM (VALUES
  ('Audit Service', 'Search'),
  ('Audit Service', 'Recent'),
  ('Audit Service', 'Export'),
  ('Audit Service', 'Admin action')
) AS t (functionalityname, eventtypename)
JOIN auditfunctionalities f USING (functionalityname)
ON CONFLICT (functionalityid, eventtypename) DO NOTHING;
