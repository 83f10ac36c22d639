-- Integrity (issue 14): verification reads each block with integrity_verify_block()
-- (sql/functions/integrity.sql: manifest, deletion records and the checked rows in one query),
-- which replaces integrity_check_block().
DROP FUNCTION IF EXISTS integrity_check_block(bigint);
