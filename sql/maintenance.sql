--
-- maintenance: verify() and rebuild()
--
-- pg_regress runs every test in the same database: start each test from a
-- freshly created extension, so that ids and the account history start at 1.
\i test/regress_setup.sql

--
-- rebuild() and verify() on an empty database
--
SELECT accounts.rebuild();
SELECT * FROM accounts.verify();
SELECT count(*) AS figures_rows FROM accounts.figures;
SELECT count(*) AS events FROM accounts.account_events;
SELECT * FROM problems;

--
-- A populated database: verify() is empty
--
INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.25, false);
INSERT INTO accounts.organizations (name) SELECT 'org ' || i FROM generate_series(1, 50) i;
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time)
SELECT 'deal ' || i, i * 3.5, CASE WHEN i % 4 = 0 THEN 'EUR' ELSE 'USD' END,
	(ARRAY['open', 'won', 'lost', 'deleted', 'won'])[i % 5 + 1],
	-- organizations 41 to 50 get no deal
	NULLIF(i % 41, 0), NULLIF(i % 9 * 10, 0),
	'2024-01-01'::timestamptz + i * interval '1 day'
FROM generate_series(1, 600) i;
INSERT INTO accounts.persons (name, org_id)
SELECT 'person ' || i, NULLIF(i % 45, 0) FROM generate_series(1, 200) i;
INSERT INTO accounts.notes (content, deal_id) SELECT 'note ' || i, i FROM generate_series(1, 300) i;
INSERT INTO accounts.files (name, person_id) SELECT 'file ' || i, i FROM generate_series(1, 100) i;
SELECT count(*) AS organizations, count(*) FILTER (WHERE is_account) AS accounts
FROM accounts.organization_summary;
SELECT * FROM accounts.verify();
SELECT * FROM problems;
-- rebuild() on correct figures changes nothing and records no event
CREATE TEMP TABLE figures_saved AS SELECT * FROM accounts.figures;
CREATE TEMP TABLE by_currency_saved AS SELECT * FROM accounts.figures_by_currency;
SELECT max(id) AS last_event FROM accounts.account_events \gset
SELECT accounts.rebuild() AS organizations;
SELECT (SELECT count(*) FROM (TABLE figures_saved EXCEPT ALL TABLE accounts.figures) a) +
	(SELECT count(*) FROM (TABLE accounts.figures EXCEPT ALL TABLE figures_saved) b) +
	(SELECT count(*) FROM (TABLE by_currency_saved EXCEPT ALL TABLE accounts.figures_by_currency) c) +
	(SELECT count(*) FROM (TABLE accounts.figures_by_currency EXCEPT ALL TABLE by_currency_saved) d)
	AS rows_changed;
SELECT count(*) AS new_events FROM accounts.account_events WHERE id > :last_event;
SELECT * FROM problems;

--
-- Damage the figures by hand (as superuser): verify() reports exactly what
-- is wrong, and so does the independent check
--
SELECT org_id, won_deals_count, won_value, first_won_time, last_won_time, people_count
FROM accounts.figures WHERE org_id IN (1, 2, 3) ORDER BY org_id;
SELECT org_id, currency, won_deals_count, won_value
FROM accounts.figures_by_currency WHERE org_id IN (2, 4) ORDER BY org_id, currency;
UPDATE accounts.figures SET won_value = won_value + 1 WHERE org_id = 1;
UPDATE accounts.figures SET people_count = people_count - 1,
	first_won_time = '2020-01-01' WHERE org_id = 2;
UPDATE accounts.figures SET open_deals_weighted_value = 0, lost_deals_count = 99
WHERE org_id = 3;
DELETE FROM accounts.figures_by_currency WHERE org_id = 2 AND currency = 'EUR';
UPDATE accounts.figures_by_currency SET won_deals_count = 7 WHERE org_id = 4 AND currency = 'USD';
-- org 45 has no deal: its figures row goes, and so does it from the views
DELETE FROM accounts.figures WHERE org_id = 45;
-- a figures row for an organization that does not exist
INSERT INTO accounts.figures (tenant_id, org_id) VALUES (1, 1000);
SELECT org_id, figure, stored, expected FROM accounts.verify();
SELECT source, org_id, count(*) FROM problems GROUP BY 1, 2 ORDER BY 1, 2;
-- rebuild() repairs everything and returns the number of organizations
SELECT accounts.rebuild() AS organizations,
	(SELECT count(*) FROM accounts.organizations) AS expected;
SELECT * FROM accounts.verify();
SELECT * FROM problems;
SELECT org_id, won_deals_count, won_value, first_won_time, last_won_time, people_count
FROM accounts.figures WHERE org_id IN (1, 2, 3) ORDER BY org_id;
SELECT org_id, currency, won_deals_count, won_value
FROM accounts.figures_by_currency WHERE org_id IN (2, 4) ORDER BY org_id, currency;
SELECT count(*) AS new_events FROM accounts.account_events WHERE id > :last_event;

--
-- Damage that invents or hides an account: rebuild() brings the history in
-- line with the deals, not with the damaged figures: it records nothing
-- that did not happen, and the history still alternates
--
-- org 46 has no deal; damage makes it look like an account, rebuild()
-- removes it again; it never was one, so no event is recorded
UPDATE accounts.figures SET won_deals_count = 1 WHERE org_id = 46;
SELECT id, won_deals_count FROM accounts.accounts WHERE id = 46;
SELECT org_id, figure, stored, expected FROM accounts.verify();
SELECT accounts.rebuild() AS organizations;
SELECT id FROM accounts.accounts WHERE id = 46;
SELECT org_id, kind, deal_id FROM accounts.account_events WHERE id > :last_event ORDER BY id;
SELECT * FROM accounts.verify();
SELECT * FROM problems;
SELECT max(id) AS last_event FROM accounts.account_events \gset
-- a real account hidden by damage: rebuild() shows it again; it was an
-- account all along and its history already says so: no second 'created'
SELECT org_id, kind FROM accounts.account_events WHERE org_id = 2 ORDER BY id;
DELETE FROM accounts.figures WHERE org_id = 2;
SELECT count(*) AS shown FROM accounts.accounts WHERE id = 2;
SELECT org_id, figure, stored, expected FROM accounts.verify();
SELECT accounts.rebuild() AS organizations;
SELECT count(*) AS shown FROM accounts.accounts WHERE id = 2;
SELECT org_id, kind FROM accounts.account_events WHERE org_id = 2 ORDER BY id;
SELECT * FROM accounts.verify();
SELECT * FROM problems;

--
-- What a restore with --disable-triggers leaves: base tables and history,
-- no figures.  rebuild() brings the figures back; the history is already
-- complete, so no event is added
--
SELECT max(id) AS last_event FROM accounts.account_events \gset
SELECT count(*) AS accounts_before FROM accounts.accounts;
TRUNCATE accounts.figures, accounts.figures_by_currency;
SELECT count(*) AS accounts_now FROM accounts.accounts;
SELECT count(*) AS organizations_now FROM accounts.organization_summary;
SELECT figure, count(*) FROM accounts.verify() GROUP BY figure ORDER BY figure;
SELECT accounts.rebuild() AS organizations;
SELECT count(*) AS accounts_after FROM accounts.accounts;
SELECT count(*) AS new_events FROM accounts.account_events WHERE id > :last_event;
SELECT * FROM accounts.verify();
SELECT * FROM problems;

--
-- rebuild() is transactional, and only for the privileged
--
BEGIN;
UPDATE accounts.figures SET won_value = 0;
SELECT accounts.rebuild() AS organizations;
SELECT count(*) AS wrong FROM accounts.verify();
ROLLBACK;
SELECT count(*) AS wrong FROM accounts.verify();
SELECT has_function_privilege('public', 'accounts.rebuild()', 'execute') AS public_may_rebuild;

--
-- After everything is deleted, rebuild() finds no organization
--
DELETE FROM accounts.deals;
DELETE FROM accounts.persons;
DELETE FROM accounts.organizations;
SELECT count(*) AS figures_rows FROM accounts.figures;
SELECT count(*) AS by_currency_rows FROM accounts.figures_by_currency;
SELECT accounts.rebuild() AS organizations;
SELECT * FROM accounts.verify();
SELECT * FROM problems;
