--
-- bad_input: every user-facing input of the extension given a bad value.
-- Each refusal shows its message, detail and hint and its SQLSTATE; after
-- each group, every table of the extension is compared with a snapshot
-- taken before it (nothing is half-applied) and verify() must be empty.
--
-- pg_regress runs every test in the same database: start afresh
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS accounts CASCADE;
CREATE EXTENSION accounts;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET jit = off;
-- errors show message, detail and hint, without the C context lines
\set SHOW_CONTEXT never
\set VERBOSITY default
-- :state after a refused statement prints its SQLSTATE
\set state '\\echo SQLSTATE :LAST_ERROR_SQLSTATE'

-- A small CRM.  Every id and time is given, here and in the refused
-- INSERTs below, so that the "Failing row contains" details are the same in
-- every run; a refused UPDATE sets update_time to the transaction's time, so
-- these are shown terse (message only).
\set t '2026-03-01 09:00+00'
INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.5, false);
INSERT INTO accounts.users (id, name, add_time) OVERRIDING SYSTEM VALUE
VALUES (1, 'ann', '2026-03-01 09:00+00');
INSERT INTO accounts.organizations (id, name, owner_id, add_time, update_time)
OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme', 1, '2026-03-01 09:00+00', '2026-03-01 09:00+00'),
	(2, 'Globex', 1, '2026-03-01 09:00+00', '2026-03-01 09:00+00'),
	(3, 'Initech', NULL, '2026-03-01 09:00+00', '2026-03-01 09:00+00');
INSERT INTO accounts.persons (id, name, org_id, add_time, update_time)
OVERRIDING SYSTEM VALUE
VALUES (1, 'Wile', 1, '2026-03-01 09:00+00', '2026-03-01 09:00+00');
INSERT INTO accounts.deals (id, title, value, currency, status, org_id,
	probability, won_time, add_time, update_time) OVERRIDING SYSTEM VALUE
VALUES (1, 'licence', 1000, 'USD', 'won', 1, NULL, '2026-03-02 10:00+00',
		'2026-03-01 09:00+00', '2026-03-01 09:00+00'),
	(2, 'support', 200, 'EUR', 'won', 1, NULL, '2026-03-03 10:00+00',
		'2026-03-01 09:00+00', '2026-03-01 09:00+00'),
	(3, 'upgrade', 500, 'EUR', 'open', 2, 40, NULL,
		'2026-03-01 09:00+00', '2026-03-01 09:00+00');
INSERT INTO accounts.activities (id, subject, due_date, done, org_id,
	add_time, update_time) OVERRIDING SYSTEM VALUE
VALUES (1, 'kick-off', '2026-03-05', false, 1,
		'2026-03-01 09:00+00', '2026-03-01 09:00+00'),
	(2, 'demo', '2026-03-02', true, 1,
		'2026-03-01 09:00+00', '2026-03-01 09:00+00');
INSERT INTO accounts.notes (id, content, org_id, add_time, update_time)
OVERRIDING SYSTEM VALUE
VALUES (1, 'met at the fair', 1, '2026-03-01 09:00+00', '2026-03-01 09:00+00');
INSERT INTO accounts.files (id, name, org_id, add_time) OVERRIDING SYSTEM VALUE
VALUES (1, 'contract.pdf', 1, '2026-03-01 09:00+00');
-- new rows get ids from 100
SELECT setval(pg_get_serial_sequence('accounts.' || t, 'id'), 99)
FROM unnest(ARRAY['users', 'organizations', 'persons', 'deals', 'activities',
	'notes', 'files']) t;

-- Every table of the extension: its rows and a hash of their text.  :snapshot
-- keeps it; :unchanged shows the row counts and sums, the tables that differ
-- from the snapshot (none), and how many figures verify() finds wrong (0).
CREATE TEMP VIEW state AS
SELECT 'tenants' AS tbl, count(*) AS n, NULL::numeric AS total,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id), '')) AS h
FROM accounts.tenants t
UNION ALL SELECT 'users', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.users t
UNION ALL SELECT 'organizations', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.organizations t
UNION ALL SELECT 'persons', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.persons t
UNION ALL SELECT 'currencies', count(*), sum(t.rate),
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.code), ''))
FROM accounts.currencies t
UNION ALL SELECT 'deals', count(*), sum(t.value),
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.deals t
UNION ALL SELECT 'activities', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.activities t
UNION ALL SELECT 'notes', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.notes t
UNION ALL SELECT 'files', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.files t
UNION ALL SELECT 'account_events', count(*), NULL,
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.id), ''))
FROM accounts.account_events t
UNION ALL SELECT 'figures', count(*), sum(t.won_value),
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.org_id), ''))
FROM accounts.figures t
UNION ALL SELECT 'figures_by_currency', count(*), sum(t.won_value),
	md5(COALESCE(string_agg(t::text, '|' ORDER BY t.tenant_id, t.org_id, t.currency), ''))
FROM accounts.figures_by_currency t;
CREATE TEMP TABLE snap AS SELECT * FROM state;
\set snapshot 'TRUNCATE snap; INSERT INTO snap SELECT * FROM state;'
\set unchanged 'SELECT string_agg(s.tbl || \' \' || s.n || COALESCE(\' \' || s.total, \'\'), \', \' ORDER BY s.tbl) AS rows_and_sums, COALESCE(string_agg(s.tbl, \', \') FILTER (WHERE s.h <> x.h), \'none\') AS changed, (SELECT count(*) FROM accounts.verify()) AS wrong_figures FROM state s JOIN snap x USING (tbl);'
:unchanged

--
-- Users and organizations
--
INSERT INTO accounts.users (id, name, add_time) VALUES (2, NULL, :'t');
:state
INSERT INTO accounts.users (id, name, add_time) VALUES (2, '', :'t');
:state
INSERT INTO accounts.users (id, name, active, add_time) VALUES (2, 'bob', 'maybe', :'t');
:state
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (4, NULL, :'t', :'t');
:state
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (4, '', :'t', :'t');
:state
-- custom_fields must be a JSON object
INSERT INTO accounts.organizations (id, name, custom_fields, add_time, update_time)
VALUES (4, 'Hooli', '[1, 2]', :'t', :'t');
:state
INSERT INTO accounts.organizations (id, name, custom_fields, add_time, update_time)
VALUES (4, 'Hooli', 'null', :'t', :'t');
:state
INSERT INTO accounts.organizations (id, name, custom_fields, add_time, update_time)
VALUES (4, 'Hooli', NULL, :'t', :'t');
:state
INSERT INTO accounts.organizations (id, name, custom_fields)
VALUES (4, 'Hooli', '{tier: gold}');
:state
INSERT INTO accounts.organizations (id, name, owner_id, add_time, update_time)
VALUES (4, 'Hooli', 99, :'t', :'t');
:state
INSERT INTO accounts.organizations (id, name, owner_id) VALUES (4, 'Hooli', 'ann');
:state
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (1, 'Acme again', :'t', :'t');
:state
-- UPDATE sets update_time to the transaction's time: the failing row is not
-- shown
\set VERBOSITY terse
UPDATE accounts.organizations SET name = '' WHERE id = 1;
:state
UPDATE accounts.organizations SET custom_fields = '"gold"' WHERE id = 1;
:state
\set VERBOSITY default
-- several rows, the last one bad: none is added
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (4, 'Hooli', :'t', :'t'),
	(5, 'Umbrella', :'t', :'t'),
	(6, '', :'t', :'t');
:state
:unchanged

--
-- Currencies
--
INSERT INTO accounts.currencies (code, rate) VALUES ('usd', 1);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('EURO', 1);
:state
INSERT INTO accounts.currencies (code, rate) VALUES (NULL, 1);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('EUR', 1.2);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('GBP', NULL);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('GBP', 0);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('GBP', -1.2);
:state
INSERT INTO accounts.currencies (code, rate) VALUES ('GBP', 'one');
:state
-- a second default currency
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('GBP', 1, true);
:state
-- the default currency's rate is 1
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('GBP', 2, true);
:state
UPDATE accounts.currencies SET rate = 2 WHERE code = 'USD';
:state
UPDATE accounts.currencies SET rate = 0 WHERE code = 'EUR';
:state
-- a currency in use can be neither renamed nor removed
UPDATE accounts.currencies SET code = 'EUX' WHERE code = 'EUR';
:state
DELETE FROM accounts.currencies WHERE code = 'EUR';
:state
:unchanged

-- NaN and Infinity are numerics greater than zero, but no rate: they must
-- be refused.  (Taken, they would stick: a figure that holds NaN or
-- Infinity cannot lose it again by deltas.  Each try runs in a transaction
-- rolled back, so that what follows does not depend on it.)
BEGIN;
DO $$
BEGIN
	UPDATE accounts.currencies SET rate = 'NaN' WHERE code = 'EUR';
	RAISE NOTICE 'rate NaN: accepted';
EXCEPTION WHEN others THEN
	RAISE NOTICE 'rate NaN: refused';
END
$$;
UPDATE accounts.deals SET org_id = 2 WHERE id = 2;
UPDATE accounts.currencies SET rate = 1.5 WHERE code = 'EUR';
UPDATE accounts.deals SET org_id = 1 WHERE id = 2;
SELECT * FROM accounts.verify();
ROLLBACK;
BEGIN;
DO $$
BEGIN
	UPDATE accounts.currencies SET rate = 'Infinity' WHERE code = 'EUR';
	RAISE NOTICE 'rate Infinity: accepted';
EXCEPTION WHEN others THEN
	RAISE NOTICE 'rate Infinity: refused';
END
$$;
UPDATE accounts.deals SET org_id = 2 WHERE id = 2;
UPDATE accounts.currencies SET rate = 1.5 WHERE code = 'EUR';
UPDATE accounts.deals SET org_id = 1 WHERE id = 2;
SELECT * FROM accounts.verify();
ROLLBACK;
:unchanged

--
-- Deals
--
INSERT INTO accounts.deals (id, title, value, currency, org_id, add_time, update_time)
VALUES (9, NULL, 10, 'USD', 1, :'t', :'t');
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, add_time, update_time)
VALUES (9, '', 10, 'USD', 1, :'t', :'t');
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, add_time, update_time)
VALUES (9, 'x', -10, 'USD', 1, :'t', :'t');
:state
INSERT INTO accounts.deals (title, value, currency, org_id) VALUES ('x', 'ten', 'USD', 1);
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, add_time, update_time)
VALUES (9, 'x', NULL, 'USD', 1, :'t', :'t');
:state
-- value is numeric(15, 2): below 10^13
INSERT INTO accounts.deals (title, value, currency, org_id)
VALUES ('x', 10000000000000, 'USD', 1);
:state
INSERT INTO accounts.deals (title, value, currency, org_id)
VALUES ('x', 'Infinity', 'USD', 1);
:state
-- the largest value is taken, and counted exactly
BEGIN;
INSERT INTO accounts.deals (title, value, currency, org_id, status)
VALUES ('x', 9999999999999.994, 'EUR', 3, 'won');
SELECT won_deals_count, won_value, won_value_by_currency
FROM accounts.organization_summary WHERE id = 3;
SELECT count(*) AS wrong_figures FROM accounts.verify();
ROLLBACK;
-- one statement, one of its rows overflowing: no row changes
UPDATE accounts.deals
SET value = CASE WHEN id = 3 THEN value * 100000000000 ELSE value + 1 END;
:state
INSERT INTO accounts.deals (title, value, currency, org_id) VALUES ('x', 10, 'XXX', 1);
:state
INSERT INTO accounts.deals (title, value, currency, org_id) VALUES ('x', 10, 'eur', 1);
:state
UPDATE accounts.deals SET currency = 'GBP' WHERE id = 1;
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, status, add_time,
	update_time)
VALUES (9, 'x', 10, 'USD', 1, 'closed', :'t', :'t');
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, status, add_time,
	update_time)
VALUES (9, 'x', 10, 'USD', 1, NULL, :'t', :'t');
:state
\set VERBOSITY terse
UPDATE accounts.deals SET status = 'Won' WHERE id = 3;
:state
\set VERBOSITY default
INSERT INTO accounts.deals (id, title, value, currency, org_id, probability,
	add_time, update_time)
VALUES (9, 'x', 10, 'USD', 1, 101, :'t', :'t');
:state
INSERT INTO accounts.deals (id, title, value, currency, org_id, probability,
	add_time, update_time)
VALUES (9, 'x', 10, 'USD', 1, -1, :'t', :'t');
:state
INSERT INTO accounts.deals (title, value, currency, org_id, probability)
VALUES ('x', 10, 'USD', 1, 40000);
:state
INSERT INTO accounts.deals (title, value, currency, org_id, probability)
VALUES ('x', 10, 'USD', 1, 'high');
:state
INSERT INTO accounts.deals (title, value, currency, org_id) VALUES ('x', 10, 'USD', 99);
:state
UPDATE accounts.deals SET org_id = 99 WHERE id = 1;
:state
INSERT INTO accounts.deals (title, value, currency, org_id, person_id)
VALUES ('x', 10, 'USD', 1, 99);
:state
INSERT INTO accounts.deals (title, value, currency, org_id, won_time, status)
VALUES ('x', 10, 'USD', 1, 'soon', 'won');
:state
-- no currency and no default currency: the hint shows the INSERT to run
BEGIN;
UPDATE accounts.currencies SET is_default = false WHERE code = 'USD';
INSERT INTO accounts.deals (title, value, org_id) VALUES ('x', 10, 1);
:state
ROLLBACK;
:unchanged

-- NaN is a numeric that passes "value >= 0", but no value: it must be
-- refused (taken, it would stick in the figures)
BEGIN;
DO $$
BEGIN
	UPDATE accounts.deals SET value = 'NaN' WHERE id = 1;
	RAISE NOTICE 'value NaN: accepted';
EXCEPTION WHEN others THEN
	RAISE NOTICE 'value NaN: refused';
END
$$;
UPDATE accounts.deals SET value = 1000 WHERE id = 1;
SELECT * FROM accounts.verify();
ROLLBACK;
:unchanged

--
-- Activities
--
INSERT INTO accounts.activities (id, subject, org_id, add_time, update_time)
VALUES (9, NULL, 1, :'t', :'t');
:state
INSERT INTO accounts.activities (id, subject, org_id, add_time, update_time)
VALUES (9, '', 1, :'t', :'t');
:state
INSERT INTO accounts.activities (id, subject, type, org_id, add_time, update_time)
VALUES (9, 'call', NULL, 1, :'t', :'t');
:state
-- the due date must be a day
INSERT INTO accounts.activities (id, subject, due_date, org_id, add_time, update_time)
VALUES (9, 'call', 'infinity', 1, :'t', :'t');
:state
INSERT INTO accounts.activities (id, subject, due_date, org_id, add_time, update_time)
VALUES (9, 'call', '-infinity', 1, :'t', :'t');
:state
\set VERBOSITY terse
UPDATE accounts.activities SET due_date = 'infinity' WHERE id = 1;
:state
\set VERBOSITY default
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('call', '2026-02-30', 1);
:state
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('call', 'someday', 1);
:state
INSERT INTO accounts.activities (subject, due_time, org_id) VALUES ('call', '25:00', 1);
:state
INSERT INTO accounts.activities (subject, duration, org_id) VALUES ('call', 'forever', 1);
:state
INSERT INTO accounts.activities (id, subject, done, org_id, add_time, update_time)
VALUES (9, 'call', NULL, 1, :'t', :'t');
:state
INSERT INTO accounts.activities (subject, done, org_id) VALUES ('call', 'maybe', 1);
:state
INSERT INTO accounts.activities (subject, org_id) VALUES ('call', 99);
:state
-- an unknown deal or person gives no organization: refused, as a foreign key
-- would (and as a deal or person that the role may not see; see access)
INSERT INTO accounts.activities (subject, deal_id) VALUES ('call', 99);
:state
INSERT INTO accounts.activities (subject, person_id) VALUES ('call', 99);
:state
-- far but finite dates are days like others: the board puts them in later,
-- or overdue
BEGIN;
INSERT INTO accounts.activities (subject, due_date, org_id)
VALUES ('in the year 99999', '99999-01-01', 1);
UPDATE accounts.activities SET done = true WHERE id = 1;
SELECT next_activity_subject, next_activity_date, bucket
FROM accounts.organization_summary WHERE id = 1;
SELECT bucket, accounts FROM accounts.kanban_counts('2026-03-04') WHERE accounts > 0;
UPDATE accounts.activities SET due_date = '4713-01-01 BC' WHERE subject = 'in the year 99999';
SELECT next_activity_subject, next_activity_date, bucket
FROM accounts.organization_summary WHERE id = 1;
SELECT count(*) AS wrong_figures FROM accounts.verify();
ROLLBACK;
:unchanged

--
-- People, notes and files
--
INSERT INTO accounts.persons (id, name, org_id, add_time, update_time)
VALUES (9, NULL, 1, :'t', :'t');
:state
INSERT INTO accounts.persons (id, name, org_id, add_time, update_time)
VALUES (9, '', 1, :'t', :'t');
:state
UPDATE accounts.persons SET org_id = 99 WHERE id = 1;
:state
INSERT INTO accounts.notes (id, content, org_id, add_time, update_time)
VALUES (9, NULL, 1, :'t', :'t');
:state
INSERT INTO accounts.notes (id, content, org_id, add_time, update_time)
VALUES (9, '', 1, :'t', :'t');
:state
INSERT INTO accounts.notes (content, deal_id) VALUES ('about a deal', 99);
:state
INSERT INTO accounts.files (id, name, org_id, add_time) VALUES (9, NULL, 1, :'t');
:state
INSERT INTO accounts.files (id, name, file_size, org_id, add_time)
VALUES (9, 'big.bin', -1, 1, :'t');
:state
INSERT INTO accounts.files (name, file_size, org_id) VALUES ('big.bin', 1e19, 1);
:state
:unchanged

--
-- Writes through the views
--
INSERT INTO accounts.accounts (id, name) VALUES (4, 'Hooli');
:state
DELETE FROM accounts.accounts WHERE id = 1;
:state
DELETE FROM accounts.organization_summary WHERE id = 2;
:state
-- a figure, by name
UPDATE accounts.accounts SET won_value = 0 WHERE id = 1;
:state
UPDATE accounts.accounts SET won_deals_count = won_deals_count + 1 WHERE id = 1;
:state
UPDATE accounts.organization_summary SET is_account = true WHERE id = 2;
:state
UPDATE accounts.organization_summary SET bucket = 'today' WHERE id = 1;
:state
-- the organization's own id and times
UPDATE accounts.accounts SET id = 4 WHERE id = 1;
:state
UPDATE accounts.accounts SET update_time = '2026-01-01' WHERE id = 1;
:state
-- a writable column and a figure together: nothing is written
UPDATE accounts.accounts SET name = 'Acme Corp', won_value = 0 WHERE id = 1;
:state
-- the organization's constraints apply (update_time changes: terse)
\set VERBOSITY terse
UPDATE accounts.accounts SET name = NULL WHERE id = 1;
:state
UPDATE accounts.accounts SET name = '' WHERE id = 1;
:state
UPDATE accounts.accounts SET custom_fields = '[]' WHERE id = 1;
:state
UPDATE accounts.accounts SET owner_id = 99 WHERE id = 1;
:state
\set VERBOSITY default
-- no such account: nothing to update
UPDATE accounts.accounts SET name = 'Nobody' WHERE id = 99;
UPDATE accounts.accounts SET name = 'Not an account' WHERE id = 3;
-- the other views cannot be written at all
UPDATE accounts.kanban SET name = 'x' WHERE id = 1;
:state
DELETE FROM accounts.account_deals WHERE account_id = 1;
:state
INSERT INTO accounts.contact_overview (period) VALUES ('never');
:state
TRUNCATE accounts.accounts;
:state
:unchanged

--
-- Functions
--
-- an id that is no account gives no row, like an invisible one
SELECT count(*) FROM accounts.account_detail(99) WHERE id IS NOT NULL;
SELECT count(*) FROM accounts.account_detail(3) WHERE id IS NOT NULL;
SELECT count(*) FROM accounts.account_detail(NULL) WHERE id IS NOT NULL;
SELECT * FROM accounts.account_detail('Acme');
:state
SELECT count(*) FROM accounts.account_timeline(99);
SELECT count(*) FROM accounts.account_timeline(NULL);
SELECT * FROM accounts.account_timeline(1, page_size => -1);
:state
SELECT count(*) FROM accounts.account_timeline(1, page_size => 0);
SELECT * FROM accounts.account_timeline(1, older_than => 'whenever');
:state
-- kanban columns are named by the board's buckets
SELECT * FROM accounts.kanban_column('someday');
:state
SELECT * FROM accounts.kanban_column('Today');
:state
SELECT count(*) FROM accounts.kanban_column(NULL);
SELECT * FROM accounts.kanban_column('later', page_size => -1);
:state
SELECT count(*) FROM accounts.kanban_column('later', page_size => 0);
SELECT * FROM accounts.kanban_column('today', after_date => 'tomorrow-ish');
:state
-- the reference day must be a finite day with a week around it
SELECT * FROM accounts.kanban_counts('infinity');
:state
SELECT * FROM accounts.kanban_counts('-infinity');
:state
SELECT * FROM accounts.kanban_counts('5874897-12-31');
:state
SELECT * FROM accounts.kanban_counts('4714-11-24 BC');
:state
SELECT * FROM accounts.kanban_column('today', as_of => 'infinity');
:state
SELECT * FROM accounts.kanban_ranges('infinity');
:state
SELECT accounts.kanban_week_end('infinity');
:state
SELECT accounts.kanban_bucket('2026-03-04', 'infinity');
:state
SELECT accounts.kanban_bucket('next tuesday');
:state
-- maintenance is for the extension owner
CREATE ROLE regress_bad_input;
GRANT USAGE ON SCHEMA accounts TO regress_bad_input;
SET ROLE regress_bad_input;
SELECT accounts.rebuild();
:state
SELECT * FROM accounts.verify();
:state
RESET ROLE;
:unchanged

--
-- Settings
--
SET accounts.week_start = 'tuesday';
:state
SET accounts.week_start = '';
:state
SET accounts.week_start = 'Sunday';
SHOW accounts.week_start;
RESET accounts.week_start;
BEGIN;
ALTER ROLE regress_bad_input SET accounts.week_start = 'friday';
:state
ROLLBACK;
SET accounts.no_such_setting = 'on';
:state
-- accounts.today is checked when used
SET accounts.today = 'the day after tomorrow';
SELECT * FROM accounts.kanban_counts();
:state
SELECT id, bucket FROM accounts.organization_summary;
:state
SET accounts.today = '2026-02-30';
SELECT * FROM accounts.kanban;
:state
SET accounts.today = 'infinity';
SELECT * FROM accounts.kanban_counts();
:state
-- every view and function that uses accounts.today must refuse it
DO $$
BEGIN
	PERFORM * FROM accounts.contact_overview;
	RAISE NOTICE 'contact_overview as of infinity: answered';
EXCEPTION WHEN others THEN
	RAISE NOTICE 'contact_overview as of infinity: refused';
END
$$;
-- an as_of given to the function wins over the setting
SELECT bucket, accounts FROM accounts.kanban_counts('2026-03-04') WHERE accounts > 0;
RESET accounts.today;
:unchanged

--
-- Trigger functions
--
-- not callable as functions
SELECT accounts_internal.deal_after();
:state
SELECT * FROM accounts_internal.before_row();
:state
-- a trigger with the wrong timing, level or event is refused when it fires
CREATE TEMP TABLE scratch (id bigint, org_id bigint);
INSERT INTO scratch VALUES (1, 1);
CREATE TRIGGER wrong AFTER UPDATE ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.before_row();
UPDATE scratch SET id = 2;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong BEFORE UPDATE ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.deal_after();
UPDATE scratch SET id = 2;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER UPDATE ON scratch
	FOR EACH STATEMENT EXECUTE FUNCTION accounts_internal.count_after('people_count');
UPDATE scratch SET id = 2;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER TRUNCATE ON scratch
	FOR EACH STATEMENT EXECUTE FUNCTION accounts_internal.view_write();
TRUNCATE scratch;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER UPDATE ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.truncate_after();
UPDATE scratch SET id = 2;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong BEFORE UPDATE ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.view_write();
UPDATE scratch SET id = 2;
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER INSERT ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.currency_after();
INSERT INTO scratch VALUES (3, 1);
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER INSERT ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.count_after();
INSERT INTO scratch VALUES (3, 1);
:state
DROP TRIGGER wrong ON scratch;
CREATE TRIGGER wrong AFTER INSERT ON scratch
	FOR EACH ROW EXECUTE FUNCTION accounts_internal.count_after('deals_count');
INSERT INTO scratch VALUES (3, 1);
:state
DROP TABLE scratch;
:unchanged

--
-- Tenants: a NULL or unknown tenant, a reference to another tenant's row,
-- a row moved to another tenant, a bad setting, a tenant without a default
-- currency.  Tenant 2 has its own currency, organization and deal.
--
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (2, 'Globex Corp', :'t');
INSERT INTO accounts.currencies (tenant_id, code, name, rate, is_default)
VALUES (2, 'EUR', 'Euro', 1, true);
INSERT INTO accounts.organizations (tenant_id, id, name, add_time, update_time)
VALUES (2, 50, 'Umbrella', :'t', :'t');
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, status, org_id,
	won_time, add_time, update_time)
VALUES (2, 50, 'umbrella licence', 10, 'EUR', 'won', 50, :'t', :'t', :'t');
:snapshot
-- tenants themselves
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (0, 'Zero', :'t');
:state
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (-1, 'Minus', :'t');
:state
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (3, '', :'t');
:state
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (3, 'Globex Corp', :'t');
:state
DELETE FROM accounts.tenants WHERE tenant_id = 2;
:state
-- tenant_id NULL, or a tenant that does not exist
INSERT INTO accounts.organizations (tenant_id, id, name, add_time, update_time)
VALUES (NULL, 51, 'Nobody', :'t', :'t');
:state
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, status,
	add_time, update_time)
VALUES (NULL, 51, 'nobody''s', 1, 'EUR', 'open', :'t', :'t');
:state
INSERT INTO accounts.organizations (tenant_id, id, name, add_time, update_time)
VALUES (9, 51, 'Nowhere', :'t', :'t');
:state
-- a reference to another tenant's organization, currency, person or deal
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, status, org_id,
	add_time, update_time)
VALUES (2, 51, 'for Acme', 1, 'EUR', 'open', 1, :'t', :'t');
:state
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, status, org_id,
	add_time, update_time)
VALUES (2, 51, 'in dollars', 1, 'USD', 'open', 50, :'t', :'t');
:state
INSERT INTO accounts.persons (tenant_id, id, name, org_id, add_time, update_time)
VALUES (2, 51, 'Wile', 1, :'t', :'t');
:state
INSERT INTO accounts.notes (tenant_id, id, content, org_id, person_id, add_time, update_time)
VALUES (2, 51, 'met Wile', 50, 1, :'t', :'t');
:state
-- linked through a deal of another tenant: that deal is not found
INSERT INTO accounts.activities (tenant_id, id, subject, deal_id, add_time, update_time)
VALUES (2, 51, 'follow up', 1, :'t', :'t');
:state
UPDATE accounts.deals SET org_id = 1 WHERE tenant_id = 2 AND id = 50;
:state
-- a row moved to another tenant
UPDATE accounts.organizations SET tenant_id = 2 WHERE tenant_id = 1 AND id = 3;
:state
UPDATE accounts.deals SET tenant_id = 2 WHERE tenant_id = 1 AND id = 1;
:state
UPDATE accounts.currencies SET tenant_id = 2 WHERE tenant_id = 1 AND code = 'USD';
:state
UPDATE accounts.accounts SET tenant_id = 2 WHERE id = 1;
:state
:unchanged
-- the setting accounts.tenant: checked where it is used
SET accounts.tenant = '-1';
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (51, 'Hooli', :'t', :'t');
:state
SET accounts.tenant = '0';
SELECT accounts.current_tenant();
:state
SET accounts.tenant = 'globex';
SELECT * FROM accounts.kanban_counts();
:state
SET accounts.tenant = '9';
INSERT INTO accounts.organizations (id, name, add_time, update_time)
VALUES (51, 'Hooli', :'t', :'t');
:state
SELECT * FROM accounts.kanban_counts();
:state
RESET accounts.tenant;
-- a tenant without a default currency, and a deal that needs one
INSERT INTO accounts.tenants (tenant_id, name, add_time) VALUES (3, 'Initrode', :'t');
INSERT INTO accounts.deals (tenant_id, id, title, value, status, add_time, update_time)
VALUES (3, 52, 'no currency', 1, 'open', :'t', :'t');
:state
DELETE FROM accounts.tenants WHERE tenant_id = 3;
:unchanged

-- An application role (the README's grants: USAGE on the schema) must not
-- be able to write figures by putting a trigger function of the extension
-- on a table of its own: refused when the trigger is created or fires.
CREATE SCHEMA regress_bad_input AUTHORIZATION regress_bad_input;
BEGIN;
SET LOCAL ROLE regress_bad_input;
CREATE TABLE regress_bad_input.people (org_id bigint);
DO $$
BEGIN
	CREATE TRIGGER forge AFTER INSERT ON regress_bad_input.people
		FOR EACH ROW EXECUTE FUNCTION accounts_internal.count_after('people_count');
	INSERT INTO regress_bad_input.people SELECT 1 FROM generate_series(1, 100);
	RAISE NOTICE 'people_count written through a table of its own: accepted';
EXCEPTION WHEN others THEN
	RAISE NOTICE 'people_count written through a table of its own: refused';
END
$$;
RESET ROLE;
SELECT * FROM accounts.verify();
ROLLBACK;
:unchanged

DROP SCHEMA regress_bad_input CASCADE;
REVOKE USAGE ON SCHEMA accounts FROM regress_bad_input;
DROP ROLE regress_bad_input;
