-- The live tail's subscription is self-audited like a search (src/lib/self-audit.ts): its event
-- type under the Audit Service functionality.
INSERT INTO auditeventtypes (functionalityid, eventtypename)
SELECT f.functionalityid, 'Stream'
FROM auditfunctionalities f
WHERE f.functionalityname = 'Audit Service'
ON CONFLICT (functionalityid, eventtypename) DO NOTHING;
