--
-- direct_indexes: the index entries of the rows that the triggers write
-- directly (src/direct.c), checked with amcheck against the heap, for the
-- extension's indexes and for indexes a DBA adds or drops meanwhile.
--
\i test/regress_setup.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS amcheck;
RESET client_min_messages;

-- Every B-tree index of the tables written directly holds exactly the rows
-- of the heap (bt_index_check with heapallindexed raises an error if not).
CREATE TEMP VIEW index_check AS
SELECT c.relname AS table_name, count(*) AS indexes_checked
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
CROSS JOIN LATERAL bt_index_check(i.indexrelid, true)
WHERE c.relnamespace = 'accounts'::regnamespace
  AND c.relname IN ('figures', 'figures_by_currency', 'kanban_days')
GROUP BY c.relname
ORDER BY c.relname;

INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.25, false);
INSERT INTO accounts.organizations (name) SELECT 'org ' || i FROM generate_series(1, 40) i;
INSERT INTO accounts.deals (title, value, currency, status, org_id)
SELECT 'deal ' || i, i * 10, CASE WHEN i % 3 = 0 THEN 'EUR' ELSE 'USD' END,
	CASE WHEN i % 2 = 0 THEN 'won' ELSE 'open' END, i % 40 + 1
FROM generate_series(1, 200) i;
INSERT INTO accounts.activities (type, subject, due_date, org_id)
SELECT 'call', 'call ' || i, current_date + (i % 20 - 10), i % 40 + 1
FROM generate_series(1, 120) i;

-- Row by row, as an application writes: every figures update below changes
-- an indexed column (won value, next activity date), so none is HOT.
DO $$
BEGIN
	FOR i IN 1..40 LOOP
		UPDATE accounts.deals SET value = value + 1 WHERE id = i * 5 - 1;
		UPDATE accounts.activities SET done = true
		WHERE id = (SELECT min(id) FROM accounts.activities WHERE org_id = i AND NOT done);
	END LOOP;
END
$$;
SELECT * FROM index_check;
SELECT * FROM problems;

--
-- Indexes added in this session, after the triggers have written: a partial
-- index and an expression index get their entries from the next write on.
--
CREATE INDEX figures_big_won_value ON accounts.figures (won_value) WHERE won_value > 1000;
CREATE INDEX figures_subject_lower ON accounts.figures (lower(next_activity_subject));
UPDATE accounts.deals SET value = value * 3 WHERE id % 7 = 0;
UPDATE accounts.activities SET done = true WHERE id % 5 = 0 AND NOT done;
INSERT INTO accounts.activities (type, subject, due_date, org_id)
SELECT 'meeting', 'Meeting ' || i, current_date - 20, i FROM generate_series(1, 40, 3) i;
SELECT * FROM index_check;
-- the partial index answers as the table does
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) AS big_by_index FROM accounts.figures WHERE won_value > 1000;
SELECT count(*) AS lower_meeting_by_index FROM accounts.figures
WHERE lower(next_activity_subject) LIKE 'meeting%'
  AND lower(next_activity_subject) >= 'meeting' AND lower(next_activity_subject) < 'meetinh';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) AS big_by_scan FROM accounts.figures WHERE won_value + 0 > 1000;
SELECT count(*) AS lower_meeting_by_scan FROM accounts.figures
WHERE lower(next_activity_subject || '') LIKE 'meeting%';

-- Dropped again: the next writes do without them.
DROP INDEX accounts.figures_big_won_value;
DROP INDEX accounts.figures_subject_lower;
UPDATE accounts.deals SET status = 'lost' WHERE id % 11 = 0;
SELECT * FROM index_check;
SELECT * FROM problems;

--
-- A deferrable unique constraint cannot be checked row by row: it is
-- refused when it is made, and with that check switched off, a write that
-- reaches the figures fails with a clear error and changes nothing.
--
ALTER TABLE accounts.figures
	ADD CONSTRAINT figures_org_deferrable UNIQUE (org_id) DEFERRABLE INITIALLY DEFERRED;
ALTER EVENT TRIGGER accounts_internal_tables DISABLE;
ALTER TABLE accounts.figures
	ADD CONSTRAINT figures_org_deferrable UNIQUE (org_id) DEFERRABLE INITIALLY DEFERRED;
SELECT value AS value_before FROM accounts.deals WHERE id = 2;
UPDATE accounts.deals SET value = value + 100 WHERE id = 2;
SELECT value AS value_after FROM accounts.deals WHERE id = 2;
ALTER TABLE accounts.figures DROP CONSTRAINT figures_org_deferrable;
ALTER EVENT TRIGGER accounts_internal_tables ENABLE;
UPDATE accounts.deals SET value = value + 100 WHERE id = 2;
SELECT value AS value_after_drop FROM accounts.deals WHERE id = 2;
SELECT * FROM index_check;
SELECT * FROM problems;
