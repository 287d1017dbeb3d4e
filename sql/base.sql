--
-- base: the CRM base tables and what they fill in by themselves
--
-- pg_regress runs every test in the same database: start each test from a
-- freshly created extension, so that ids and the account history start at 1.
\i test/regress_setup.sql
-- Rows of every table of the extension, to show that a refused write leaves
-- everything as it was: ":snapshot" saves them, "changes" lists what differs.
CREATE TEMP VIEW all_rows AS
SELECT 'users' AS tbl, t::text AS row FROM accounts.users t
UNION ALL SELECT 'organizations', t::text FROM accounts.organizations t
UNION ALL SELECT 'persons', t::text FROM accounts.persons t
UNION ALL SELECT 'currencies', t::text FROM accounts.currencies t
UNION ALL SELECT 'deals', t::text FROM accounts.deals t
UNION ALL SELECT 'activities', t::text FROM accounts.activities t
UNION ALL SELECT 'notes', t::text FROM accounts.notes t
UNION ALL SELECT 'files', t::text FROM accounts.files t
UNION ALL SELECT 'account_events', t::text FROM accounts.account_events t
UNION ALL SELECT 'figures', t::text FROM accounts.figures t
UNION ALL SELECT 'figures_by_currency', t::text FROM accounts.figures_by_currency t;
CREATE TEMP TABLE snap AS SELECT * FROM all_rows WITH NO DATA;
CREATE TEMP VIEW changes AS
SELECT 'gone' AS change, g.* FROM (TABLE snap EXCEPT ALL TABLE all_rows) g
UNION ALL
SELECT 'new', n.* FROM (TABLE all_rows EXCEPT ALL TABLE snap) n
ORDER BY 1, 2, 3;
\set snapshot 'TRUNCATE snap; INSERT INTO snap SELECT * FROM all_rows;'

--
-- The base tables, their foreign keys and identity columns
--
SELECT relname FROM pg_class
WHERE relnamespace = 'accounts'::regnamespace AND relkind = 'r'
ORDER BY 1;

SELECT conrelid::regclass::text AS "table", pg_get_constraintdef(oid) AS foreign_key
FROM pg_constraint
WHERE connamespace = 'accounts'::regnamespace AND contype = 'f'
ORDER BY 1, 2;

SELECT table_name, column_name, data_type, identity_generation
FROM information_schema.columns
WHERE table_schema = 'accounts' AND is_identity = 'YES'
ORDER BY 1;

-- ids come from the identity columns
INSERT INTO accounts.users (name, email)
VALUES ('Ann', 'ann@example.com'), ('Bob', NULL)
RETURNING id, name, email, active;
INSERT INTO accounts.organizations (name, owner_id)
VALUES ('Acme', 1), ('Globex', 2)
RETURNING id, name, owner_id, custom_fields;
SELECT * FROM problems;

--
-- Currencies and the default currency
--
SELECT accounts.default_currency();
:snapshot
-- no default currency: a deal without currency is refused, with a hint
INSERT INTO accounts.deals (title, value, org_id) VALUES ('first', 100, 1);
INSERT INTO accounts.currencies (code, name, rate) VALUES ('EUR', 'Euro', 1.08);
-- a currency that is not the default one does not help
INSERT INTO accounts.deals (title, value, org_id) VALUES ('first', 100, 1);
SELECT * FROM changes;
-- a deal with an explicit currency needs no default
INSERT INTO accounts.deals (title, value, currency, org_id)
VALUES ('in euros', 100, 'EUR', 1)
RETURNING id, title, value, currency, status, org_id;
SELECT * FROM problems;

INSERT INTO accounts.currencies VALUES ('USD', 'US dollar', 1, true);
SELECT accounts.default_currency();
-- now the default currency is filled in
INSERT INTO accounts.deals (title, value, org_id) VALUES ('in dollars', 250, 1)
RETURNING id, title, value, currency, status, org_id;
SELECT id, open_deals_count, open_deals_value, open_deals_weighted_value
FROM accounts.organization_summary ORDER BY id;
SELECT * FROM problems;

-- bad currencies: each refused, nothing changes
:snapshot
INSERT INTO accounts.currencies VALUES ('GBP', 'Pound', 0, false);
INSERT INTO accounts.currencies VALUES ('GBP', 'Pound', -1.27, false);
INSERT INTO accounts.currencies VALUES ('GBP', 'Pound', NULL, false);
INSERT INTO accounts.currencies VALUES ('gbp', 'Pound', 1.27, false);
-- a second default currency
INSERT INTO accounts.currencies VALUES ('CHF', 'Swiss franc', 1, true);
UPDATE accounts.currencies SET is_default = true WHERE code = 'EUR';
UPDATE accounts.currencies SET rate = 1, is_default = true WHERE code = 'EUR';
-- the default currency with a rate other than 1
INSERT INTO accounts.currencies VALUES ('CHF', 'Swiss franc', 1.13, true);
UPDATE accounts.currencies SET rate = 2 WHERE code = 'USD';
-- a rate that goes to zero or below, for a currency with deals
UPDATE accounts.currencies SET rate = 0 WHERE code = 'EUR';
UPDATE accounts.currencies SET rate = -1 WHERE code = 'EUR';
-- a currency that deals use cannot go away
DELETE FROM accounts.currencies WHERE code = 'EUR';
SELECT * FROM changes;
SELECT code, name, rate, is_default FROM accounts.currencies ORDER BY code;
SELECT * FROM problems;

--
-- Bad deals: each refused with a clear error, nothing changes.  Inserts give
-- add_time and update_time so that the failing row shown is always the same.
--
\set t0 '''2024-01-01 00:00:00+00'''
:snapshot
-- unknown currency
INSERT INTO accounts.deals (title, value, currency, org_id)
VALUES ('bad', 1, 'XYZ', 1);
UPDATE accounts.deals SET currency = 'XYZ' WHERE title = 'in dollars';
-- probability out of 0..100
INSERT INTO accounts.deals (title, value, org_id, probability, add_time, update_time)
VALUES ('bad', 1, 1, -1, :t0, :t0);
INSERT INTO accounts.deals (title, value, org_id, probability, add_time, update_time)
VALUES ('bad', 1, 1, 101, :t0, :t0);
-- a value too large for numeric(15,2), and a negative one
INSERT INTO accounts.deals (title, value, org_id)
VALUES ('bad', 10000000000000, 1);
INSERT INTO accounts.deals (title, value, org_id, add_time, update_time)
VALUES ('bad', -0.01, 1, :t0, :t0);
-- no title, an empty title
INSERT INTO accounts.deals (title, value, org_id, add_time, update_time)
VALUES (NULL, 1, 1, :t0, :t0);
INSERT INTO accounts.deals (title, value, org_id, add_time, update_time)
VALUES ('', 1, 1, :t0, :t0);
-- a status that does not exist
INSERT INTO accounts.deals (title, value, org_id, status, add_time, update_time)
VALUES ('bad', 1, 1, 'closed', :t0, :t0);
-- an organization that does not exist
INSERT INTO accounts.deals (title, value, org_id) VALUES ('bad', 1, 999);
-- one bad row among good ones: none of them is inserted
INSERT INTO accounts.deals (title, value, org_id, status, won_time, add_time, update_time)
VALUES ('good', 1, 1, 'won', :t0, :t0, :t0), ('good too', 2, 2, 'open', NULL, :t0, :t0),
	('good three', 3, 2, 'won', :t0, :t0, :t0), ('bad', -3, 2, 'won', :t0, :t0, :t0);
-- the same refusals on UPDATE (VERBOSITY terse: the failing row shown in the
-- detail would contain the update time, which changes from run to run)
\set VERBOSITY terse
UPDATE accounts.deals SET probability = 101 WHERE title = 'in dollars';
UPDATE accounts.deals SET value = -1 WHERE title = 'in dollars';
UPDATE accounts.deals SET title = '' WHERE title = 'in dollars';
UPDATE accounts.deals SET title = NULL WHERE title = 'in dollars';
UPDATE accounts.deals SET status = 'closed' WHERE title = 'in dollars';
-- one row of a multi-row update fails: no row is changed
UPDATE accounts.deals SET value = value - 150;
\set VERBOSITY default
UPDATE accounts.deals SET value = value * 1e12;
-- bad organizations
INSERT INTO accounts.organizations (name, custom_fields, add_time, update_time)
VALUES ('Bad', '[1, 2]', :t0, :t0);
INSERT INTO accounts.organizations (name, custom_fields, add_time, update_time)
VALUES ('Bad', '"text"', :t0, :t0);
INSERT INTO accounts.organizations (name, custom_fields, add_time, update_time)
VALUES ('Bad', 'null', :t0, :t0);
INSERT INTO accounts.organizations (name, add_time, update_time)
VALUES ('', :t0, :t0);
INSERT INTO accounts.organizations (name, owner_id) VALUES ('Bad', 99);
SELECT * FROM changes;
SELECT * FROM problems;

-- the largest value numeric(15,2) holds is accepted, and exact
INSERT INTO accounts.deals (title, value, org_id, status, won_time)
VALUES ('largest', 9999999999999.99, 2, 'won', '2024-02-01')
RETURNING id, value;
SELECT id, won_deals_count, won_value, won_value_by_currency
FROM accounts.organization_summary ORDER BY id;
SELECT * FROM problems;
DELETE FROM accounts.deals WHERE title = 'largest';
SELECT * FROM problems;

--
-- won_time and lost_time
--
BEGIN;
-- inserted as won: won_time is the transaction time; lost_time stays empty
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('won at insert', 10, 1, 'won')
RETURNING id, status, won_time = now() AS won_time_now, lost_time IS NULL AS no_lost_time;
-- a given won_time is kept
INSERT INTO accounts.deals (title, value, org_id, status, won_time)
VALUES ('won earlier', 20, 1, 'won', '2023-05-01 12:00:00+00')
RETURNING id, status, won_time, lost_time IS NULL AS no_lost_time;
-- inserted as lost
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('lost at insert', 30, 2, 'lost')
RETURNING id, status, won_time IS NULL AS no_won_time, lost_time = now() AS lost_time_now;
-- times given to an open deal are cleared: they belong to won and lost deals
INSERT INTO accounts.deals (title, value, org_id, status, won_time, lost_time)
VALUES ('open', 40, 2, 'open', '2023-05-01', '2023-05-02')
RETURNING id, status, won_time IS NULL AS no_won_time, lost_time IS NULL AS no_lost_time;
COMMIT;
SELECT * FROM problems;

-- on update: won_time set when the deal becomes won, kept while it stays
-- won, cleared when it leaves won; lost_time likewise.  update_time is the
-- transaction time too, so won_time = update_time means "set by this update".
UPDATE accounts.deals SET status = 'won' WHERE title = 'open';
SELECT id, status, won_time = update_time AS won_time_set_now, lost_time IS NULL AS no_lost_time
FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET value = 41 WHERE title = 'open';
SELECT id, status, won_time < update_time AS won_time_kept FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'lost' WHERE title = 'open';
SELECT id, status, won_time IS NULL AS no_won_time, lost_time = update_time AS lost_time_set_now
FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'won', won_time = '2023-07-01 08:00:00+00' WHERE title = 'open';
SELECT id, status, won_time, lost_time IS NULL AS no_lost_time FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
-- a won deal whose won_time is erased gets the transaction time
UPDATE accounts.deals SET won_time = NULL WHERE title = 'open';
SELECT id, status, won_time = update_time AS won_time_set_now FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'open' WHERE title = 'open';
SELECT id, status, won_time IS NULL AS no_won_time, lost_time IS NULL AS no_lost_time
FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'lost', lost_time = '2023-08-01 00:00:00+00' WHERE title = 'open';
SELECT id, status, won_time IS NULL AS no_won_time, lost_time FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'deleted' WHERE title = 'open';
SELECT id, status, won_time IS NULL AS no_won_time, lost_time IS NULL AS no_lost_time
FROM accounts.deals WHERE title = 'open';
SELECT * FROM problems;

--
-- update_time changes on every update (and cannot be set by hand);
-- add_time stays
--
INSERT INTO accounts.organizations (name, add_time, update_time)
VALUES ('Initech', '2020-01-01', '2020-01-01');
SELECT id AS initech FROM accounts.organizations WHERE name = 'Initech' \gset
INSERT INTO accounts.persons (name, org_id, add_time, update_time)
VALUES ('Pat', :initech, '2020-01-01', '2020-01-01');
INSERT INTO accounts.deals (title, org_id, add_time, update_time)
VALUES ('old deal', :initech, '2020-01-01', '2020-01-01');
INSERT INTO accounts.notes (content, org_id, add_time, update_time)
VALUES ('old note', :initech, '2020-01-01', '2020-01-01');
INSERT INTO accounts.activities (subject, org_id, add_time, update_time)
VALUES ('old call', :initech, '2020-01-01', '2020-01-01');
SELECT 'organizations' AS tbl, add_time, update_time FROM accounts.organizations WHERE id = :initech
UNION ALL SELECT 'persons', add_time, update_time FROM accounts.persons WHERE org_id = :initech
UNION ALL SELECT 'deals', add_time, update_time FROM accounts.deals WHERE org_id = :initech
UNION ALL SELECT 'notes', add_time, update_time FROM accounts.notes WHERE org_id = :initech
UNION ALL SELECT 'activities', add_time, update_time FROM accounts.activities WHERE org_id = :initech
ORDER BY 1;
BEGIN;
UPDATE accounts.organizations SET address = 'Main Street 1' WHERE id = :initech;
UPDATE accounts.persons SET phone = '555-0100' WHERE org_id = :initech;
UPDATE accounts.deals SET probability = 20 WHERE org_id = :initech;
UPDATE accounts.notes SET content = 'new note' WHERE org_id = :initech;
UPDATE accounts.activities SET update_time = '2021-01-01' WHERE org_id = :initech;
SELECT 'organizations' AS tbl, add_time, update_time = now() AS updated_now FROM accounts.organizations WHERE id = :initech
UNION ALL SELECT 'persons', add_time, update_time = now() FROM accounts.persons WHERE org_id = :initech
UNION ALL SELECT 'deals', add_time, update_time = now() FROM accounts.deals WHERE org_id = :initech
UNION ALL SELECT 'notes', add_time, update_time = now() FROM accounts.notes WHERE org_id = :initech
UNION ALL SELECT 'activities', add_time, update_time = now() FROM accounts.activities WHERE org_id = :initech
ORDER BY 1;
COMMIT;
SELECT * FROM problems;

-- an activity's marked_as_done_time follows done
BEGIN;
UPDATE accounts.activities SET done = true WHERE org_id = :initech
RETURNING subject, done, marked_as_done_time = now() AS marked_now;
COMMIT;
UPDATE accounts.activities SET done = false WHERE org_id = :initech
RETURNING subject, done, marked_as_done_time IS NULL AS not_marked;

--
-- Notes, files and activities given a deal or a person but no organization
-- are linked to the deal's (else the person's) organization
--
INSERT INTO accounts.persons (name, org_id) VALUES ('Quinn', 1), ('Ray', NULL);
SELECT id, name, org_id FROM accounts.persons ORDER BY id;
INSERT INTO accounts.deals (title, value, org_id) VALUES ('Globex deal', 5, 2), ('no org deal', 5, NULL);
SELECT id AS globex_deal FROM accounts.deals WHERE title = 'Globex deal' \gset
SELECT id AS no_org_deal FROM accounts.deals WHERE title = 'no org deal' \gset
INSERT INTO accounts.notes (content, org_id, deal_id, person_id) VALUES
	('deal only', NULL, :globex_deal, NULL),
	('person only', NULL, NULL, 2),
	('deal and person: the deal wins', NULL, :globex_deal, 2),
	('deal without org, person', NULL, :no_org_deal, 2),
	('explicit org is kept', 1, :globex_deal, NULL),
	('person without org', NULL, NULL, 3),
	('nothing linked', NULL, NULL, NULL);
SELECT content, org_id, deal_id, person_id FROM accounts.notes WHERE id > 1 ORDER BY id;
INSERT INTO accounts.files (name, org_id, deal_id, person_id) VALUES
	('deal only', NULL, :globex_deal, NULL),
	('person only', NULL, NULL, 2),
	('deal and person: the deal wins', NULL, :globex_deal, 2),
	('deal without org, person', NULL, :no_org_deal, 2),
	('explicit org is kept', 1, :globex_deal, NULL),
	('person without org', NULL, NULL, 3),
	('nothing linked', NULL, NULL, NULL);
SELECT name, org_id, deal_id, person_id FROM accounts.files ORDER BY id;
INSERT INTO accounts.activities (subject, org_id, deal_id, person_id) VALUES
	('deal only', NULL, :globex_deal, NULL),
	('person only', NULL, NULL, 2),
	('deal and person: the deal wins', NULL, :globex_deal, 2),
	('deal without org, person', NULL, :no_org_deal, 2),
	('explicit org is kept', 1, :globex_deal, NULL),
	('person without org', NULL, NULL, 3),
	('nothing linked', NULL, NULL, NULL);
SELECT subject, org_id, deal_id, person_id FROM accounts.activities WHERE id > 1 ORDER BY id;
-- a deal or person that does not exist gives no organization: refused
INSERT INTO accounts.notes (content, deal_id) VALUES ('ghost deal', 999);
INSERT INTO accounts.files (name, person_id) VALUES ('ghost person', 999);
SELECT id, name, people_count, notes_count, files_count
FROM accounts.organization_summary ORDER BY id;
SELECT * FROM problems;

-- deleting a user clears the owner it was
DELETE FROM accounts.users WHERE id = 2;
SELECT id, name, owner_id FROM accounts.organizations ORDER BY id;
SELECT * FROM problems;

-- the same on update, when the row has no organization yet: the note is now
-- Globex's and the file Acme's, and their counts follow
UPDATE accounts.notes SET deal_id = :globex_deal WHERE content = 'nothing linked'
RETURNING content, org_id, deal_id;
UPDATE accounts.files SET person_id = 2 WHERE name = 'nothing linked'
RETURNING name, org_id, person_id;
SELECT id, name, people_count, notes_count, files_count
FROM accounts.organization_summary ORDER BY id;
SELECT * FROM problems;

-- only a row without organization is linked, and only when its deal or
-- person is given: a given org_id is kept, and an org_id set to NULL stays
-- NULL (as when the organization is deleted)
UPDATE accounts.notes SET org_id = 1 WHERE content = 'deal only'
RETURNING content, org_id, deal_id;
UPDATE accounts.notes SET org_id = NULL WHERE content = 'deal only'
RETURNING content, org_id, deal_id;
SELECT id, name, people_count, notes_count, files_count
FROM accounts.organization_summary ORDER BY id;
SELECT * FROM problems;
