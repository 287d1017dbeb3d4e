--
-- internal_tables: what the owner adds to the tables the triggers write.
-- figures, figures_by_currency and kanban_days are written row by row
-- without the executor: a constraint, default, NOT NULL, generated column,
-- domain, trigger, rule or parent added to them would not apply, so the
-- command that adds one is refused and leaves the table as it was.  Plain
-- columns and indexes are maintained and allowed.  account_events is
-- written in SQL as soon as it has any of these, so they apply there.
--
\i test/regress_setup.sql

INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true);
INSERT INTO accounts.organizations (name) SELECT 'org ' || i FROM generate_series(1, 4) i;
INSERT INTO accounts.deals (title, value, status, org_id)
SELECT 'deal ' || i, i * 100, CASE WHEN i % 2 = 0 THEN 'won' ELSE 'open' END, i % 4 + 1
FROM generate_series(1, 8) i;
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'call ' || i, i % 4 + 1, date '2026-03-01' + i FROM generate_series(1, 4) i;
SELECT * FROM problems;

-- what gives the three tables behaviour, as the extension made it
CREATE TEMP TABLE behaviour_before AS SELECT * FROM accounts_internal.behaviour;
CREATE TEMP VIEW behaviour_changed AS
(TABLE accounts_internal.behaviour EXCEPT TABLE behaviour_before)
UNION ALL
(TABLE behaviour_before EXCEPT TABLE accounts_internal.behaviour);
SELECT relname, count(*) AS items FROM behaviour_before GROUP BY 1 ORDER BY 1;

CREATE FUNCTION public.regress_noop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RETURN NULL;
END $$;
CREATE DOMAIN public.regress_positive AS integer CHECK (VALUE > 0);
CREATE TABLE public.regress_parent (day date, slot integer, accounts bigint,
	won_value numeric);
CREATE TABLE public.regress_partitioned (LIKE accounts.kanban_days)
	PARTITION BY LIST (slot);

-- each kind, refused with the same error naming what was added
\set VERBOSITY default
CREATE TRIGGER regress_t AFTER INSERT ON accounts.figures
	FOR EACH ROW EXECUTE FUNCTION public.regress_noop();
\set VERBOSITY terse
CREATE CONSTRAINT TRIGGER regress_t AFTER UPDATE ON accounts.kanban_days
	FOR EACH ROW EXECUTE FUNCTION public.regress_noop();
CREATE RULE regress_r AS ON UPDATE TO accounts.figures_by_currency DO ALSO NOTIFY regress;
ALTER TABLE accounts.figures ADD CHECK (won_value >= 0);
ALTER TABLE accounts.figures_by_currency
	ADD FOREIGN KEY (tenant_id, org_id) REFERENCES accounts.organizations (tenant_id, id);
ALTER TABLE accounts.kanban_days ADD CONSTRAINT regress_x EXCLUDE (day WITH =, slot WITH =);
ALTER TABLE accounts.figures_by_currency
	ADD CONSTRAINT regress_u UNIQUE (org_id, currency) DEFERRABLE;
ALTER TABLE accounts.figures ADD COLUMN regress_tag text DEFAULT 'new';
ALTER TABLE accounts.figures ADD COLUMN regress_n integer NOT NULL DEFAULT 0;
ALTER TABLE accounts.figures ADD COLUMN regress_g bigint GENERATED ALWAYS AS (org_id * 2) STORED;
ALTER TABLE accounts.figures ADD COLUMN regress_i bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE accounts.figures ADD COLUMN regress_d public.regress_positive;
ALTER TABLE accounts.figures ALTER COLUMN next_activity_date SET NOT NULL;
ALTER TABLE accounts.figures ALTER COLUMN next_activity_date SET DEFAULT '-infinity';
ALTER TABLE accounts.kanban_days INHERIT public.regress_parent;
-- as the default partition, whatever the slots of the rows (a backend's)
ALTER TABLE public.regress_partitioned ATTACH PARTITION accounts.kanban_days DEFAULT;
-- the extension's own triggers stay as they are
ALTER TABLE accounts.figures DISABLE TRIGGER figures_board_update;
ALTER TABLE accounts.figures ENABLE REPLICA TRIGGER figures_board_update;
ALTER TRIGGER figures_board_update ON accounts.figures RENAME TO regress_renamed;
-- in one transaction with other commands: nothing of it stays
BEGIN;
ALTER TABLE accounts.figures ADD COLUMN regress_note text;
ALTER TABLE accounts.figures ADD CHECK (regress_note <> '');
COMMIT;
\set VERBOSITY default
SELECT * FROM behaviour_changed;
SELECT count(*) AS regress_note_columns FROM pg_attribute
WHERE attrelid = 'accounts.figures'::regclass AND attname = 'regress_note';

-- allowed: a plain column (NULL in rows the triggers write), indexes, and
-- storage options; the figures stay exact and the new index is maintained
ALTER TABLE accounts.figures ADD COLUMN regress_note text;
CREATE INDEX regress_by_note ON accounts.figures (regress_note, org_id);
CREATE UNIQUE INDEX regress_one_slot_day ON accounts.kanban_days (slot, day)
	WHERE day IS NOT NULL;
ALTER TABLE accounts.figures SET (fillfactor = 70);
SELECT * FROM behaviour_changed;
UPDATE accounts.figures SET regress_note = 'checked' WHERE org_id = 2;
INSERT INTO accounts.organizations (name) VALUES ('org 5');
INSERT INTO accounts.deals (title, value, status, org_id) VALUES ('deal 9', 900, 'won', 5);
UPDATE accounts.activities SET done = true WHERE org_id = 2;
SET enable_seqscan = off;
SELECT org_id, regress_note FROM accounts.figures
WHERE regress_note IS NOT NULL OR org_id = 5 ORDER BY regress_note, org_id;
RESET enable_seqscan;
SELECT * FROM problems;
DROP INDEX accounts.regress_by_note, accounts.regress_one_slot_day;
ALTER TABLE accounts.figures DROP COLUMN regress_note;
ALTER TABLE accounts.figures RESET (fillfactor);
SELECT * FROM behaviour_changed;

-- Other DDL is not concerned: a base table takes a check, a temporary
-- table is made.
ALTER TABLE accounts.deals ADD CONSTRAINT regress_value_positive CHECK (value >= 0);
CREATE TEMP TABLE regress_scratch (x integer);
ALTER TABLE accounts.deals DROP CONSTRAINT regress_value_positive;

--
-- account_events applies what its owner adds: an event is then written in
-- SQL.  Org 1 (won deals 4 and 8) and org 3 (won deals 2 and 6) are
-- accounts; org 4 has the open deals 3 and 7.
--
SELECT org_id, kind, deal_id FROM accounts.account_events ORDER BY id;
-- (the failing rows that errors show hold the time)
\set VERBOSITY terse
-- deleting an account records an event without a deal
ALTER TABLE accounts.account_events ALTER COLUMN deal_id SET NOT NULL;
DELETE FROM accounts.organizations WHERE id = 1;
ALTER TABLE accounts.account_events ALTER COLUMN deal_id DROP NOT NULL;
DELETE FROM accounts.organizations WHERE id = 1;

ALTER TABLE accounts.account_events ADD CONSTRAINT regress_not_deal_3
	CHECK (deal_id IS DISTINCT FROM 3);
UPDATE accounts.deals SET status = 'won' WHERE id = 3;
UPDATE accounts.deals SET status = 'won' WHERE id = 7;
ALTER TABLE accounts.account_events DROP CONSTRAINT regress_not_deal_3;

\set VERBOSITY default
ALTER TABLE accounts.account_events ADD COLUMN regress_source text;
ALTER TABLE accounts.account_events ALTER COLUMN regress_source SET DEFAULT 'crm';
UPDATE accounts.deals SET status = 'open' WHERE id = 7;
ALTER TABLE accounts.account_events
	ADD CONSTRAINT regress_one_id EXCLUDE (id WITH =);
UPDATE accounts.deals SET status = 'won' WHERE id = 7;
SELECT org_id, kind, deal_id, regress_source FROM accounts.account_events ORDER BY id;
ALTER TABLE accounts.account_events DROP CONSTRAINT regress_one_id;
ALTER TABLE accounts.account_events DROP COLUMN regress_source;
-- as the extension made it again: written directly
UPDATE accounts.deals SET status = 'lost' WHERE id = 7;
SELECT org_id, kind, deal_id FROM accounts.account_events ORDER BY id DESC LIMIT 1;
SELECT * FROM problems;

--
-- What an owner added before 0.5, when nothing refused it, makes the update
-- to 0.5 stop, naming it, rather than pass for the extension's own.
--
SET client_min_messages = warning;
DROP EXTENSION accounts CASCADE;
CREATE EXTENSION accounts VERSION '0.4';
RESET client_min_messages;
CREATE TRIGGER regress_t AFTER INSERT ON accounts.figures
	FOR EACH ROW EXECUTE FUNCTION public.regress_noop();
ALTER TABLE accounts.kanban_days ADD CHECK (accounts >= 0);
\set VERBOSITY default
ALTER EXTENSION accounts UPDATE TO '0.5';
\set VERBOSITY terse
DROP TRIGGER regress_t ON accounts.figures;
ALTER EXTENSION accounts UPDATE TO '0.5';
ALTER TABLE accounts.kanban_days DROP CONSTRAINT kanban_days_accounts_check;
ALTER EXTENSION accounts UPDATE TO '0.5';
SELECT extversion FROM pg_extension WHERE extname = 'accounts';
\set VERBOSITY default

DROP TABLE public.regress_parent, public.regress_partitioned;
DROP DOMAIN public.regress_positive;
DROP FUNCTION public.regress_noop();
