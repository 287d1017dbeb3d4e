--
-- currencies: multi-currency figures and rate changes
--
-- pg_regress runs every test in the same database: start each test from a
-- freshly created extension, so that ids and the account history start at 1.
\i test/regress_setup.sql
-- The value figures of every organization, short names.
CREATE TEMP VIEW fig AS
SELECT id, won_deals_count AS won, won_value, won_value_by_currency AS by_currency,
	open_deals_count AS open, open_deals_value AS open_value,
	open_deals_weighted_value AS weighted, lost_deals_count AS lost
FROM accounts.organization_summary;
-- what changed since fig_saved was filled
CREATE TEMP TABLE fig_saved AS SELECT * FROM fig WITH NO DATA;
CREATE TEMP VIEW fig_changed AS
SELECT 'before' AS version, * FROM (TABLE fig_saved EXCEPT ALL TABLE fig) b
UNION ALL
SELECT 'now', * FROM (TABLE fig EXCEPT ALL TABLE fig_saved) n
ORDER BY id, version;
\set save 'TRUNCATE fig_saved; INSERT INTO fig_saved SELECT * FROM fig;'

-- rates: the value of one unit in the default currency, USD
INSERT INTO accounts.currencies (code, name, rate, is_default) VALUES
	('USD', 'US dollar', 1, true),
	('EUR', 'Euro', 1.08, false),
	('GBP', 'Pound sterling', 1.27, false),
	('JPY', 'Yen', 0.0067, false),
	('CHF', 'Swiss franc', 1.13, false);
INSERT INTO accounts.organizations (name)
VALUES ('Alpha'), ('Beta'), ('Gamma'), ('Delta');

INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time) VALUES
	('a won', 100, 'USD', 'won', 1, NULL, '2024-01-01'),
	('a open', 50, 'USD', 'open', 1, 40, NULL),
	('b won eur', 200, 'EUR', 'won', 2, NULL, '2024-01-02'),
	('b won usd', 300, 'USD', 'won', 2, NULL, '2024-01-03'),
	('b won eur 2', 10, 'EUR', 'won', 2, NULL, '2024-01-04'),
	('b open', 1000, 'EUR', 'open', 2, 10, NULL),
	('b lost', 5, 'EUR', 'lost', 2, NULL, NULL),
	('g won gbp', 1000, 'GBP', 'won', 3, NULL, '2024-01-05'),
	('g won jpy', 123456, 'JPY', 'won', 3, NULL, '2024-01-06'),
	('g open', 500000, 'JPY', 'open', 3, NULL, NULL),
	('d open', 400, 'EUR', 'open', 4, 25, NULL),
	('d lost', 80, 'CHF', 'lost', 4, NULL, NULL);
-- Alpha: won 100; open 50, weighted 50 * 40% = 20
-- Beta:  won 200 * 1.08 + 300 + 10 * 1.08 = 526.80, by currency EUR 210,
--        USD 300; open 1000 * 1.08 = 1080, weighted 108; lost 1
-- Gamma: won 1000 * 1.27 + 123456 * 0.0067 = 1270 + 827.1552 = 2097.1552;
--        open 500000 * 0.0067 = 3350, weighted in full
-- Delta: open 400 * 1.08 = 432, weighted 25% = 108; lost 1 (in CHF)
SELECT * FROM fig ORDER BY id;
SELECT org_id, currency, won_deals_count, won_value
FROM accounts.figures_by_currency ORDER BY org_id, currency;
SELECT * FROM problems;

--
-- A rate change updates every affected figure in the same transaction, and
-- a rollback restores them
--
:save
BEGIN;
UPDATE accounts.currencies SET rate = 1.10 WHERE code = 'EUR';
-- Beta: 210 * 1.10 + 300 = 531, open 1100, weighted 110;
-- Delta: open 440, weighted 110; Alpha and Gamma have no EUR deal
SELECT * FROM fig_changed;
SELECT * FROM problems;
ROLLBACK;
SELECT * FROM fig_changed;
SELECT * FROM problems;
-- the same, committed
UPDATE accounts.currencies SET rate = 1.10 WHERE code = 'EUR';
SELECT * FROM fig_changed;
SELECT * FROM problems;

-- GBP 1.27 -> 1.30: only Gamma (1300 + 827.1552 = 2127.1552)
:save
UPDATE accounts.currencies SET rate = 1.30 WHERE code = 'GBP';
SELECT * FROM fig_changed;
SELECT * FROM problems;
-- CHF is used by a lost deal only: no value figure changes
:save
UPDATE accounts.currencies SET rate = 1.50 WHERE code = 'CHF';
SELECT * FROM fig_changed;
SELECT * FROM problems;
-- a rate written back unchanged, or with another scale, changes nothing
UPDATE accounts.currencies SET rate = 1.300 WHERE code = 'GBP';
UPDATE accounts.currencies SET name = 'Euro (EUR)' WHERE code = 'EUR';
SELECT * FROM fig_changed;
SELECT * FROM problems;

-- a rate change and a deal of that currency in the same transaction, in both
-- orders: each deal counts at the rate its transaction sees
:save
BEGIN;
UPDATE accounts.currencies SET rate = 0.0070 WHERE code = 'JPY';
INSERT INTO accounts.deals (title, value, currency, status, org_id, won_time)
VALUES ('g won jpy 2', 1000, 'JPY', 'won', 3, '2024-01-07');
-- Gamma: 1300 + (123456 + 1000) * 0.0070 = 2171.192; open 3500
SELECT * FROM fig_changed;
SELECT * FROM problems;
COMMIT;
:save
BEGIN;
INSERT INTO accounts.deals (title, value, currency, status, org_id, won_time)
VALUES ('a won jpy', 1000, 'JPY', 'won', 1, '2024-01-08');
UPDATE accounts.currencies SET rate = 0.0075 WHERE code = 'JPY';
-- Alpha: 100 + 1000 * 0.0075 = 107.5; Gamma: 1300 + 124456 * 0.0075 =
-- 2233.42, open 3750
SELECT * FROM fig_changed;
SELECT * FROM problems;
COMMIT;
SELECT * FROM problems;

-- two rates in one statement: EUR 2.20, GBP 2.60
:save
UPDATE accounts.currencies SET rate = rate * 2 WHERE code IN ('EUR', 'GBP');
-- Beta: 210 * 2.2 + 300 = 762, open 2200, weighted 220; Gamma: 2600 +
-- 933.42 = 3533.42; Delta: open 880, weighted 220
SELECT * FROM fig_changed;
SELECT * FROM problems;

--
-- won_value_by_currency: one entry per currency of the won deals
--
-- b won eur 2 (10) EUR -> JPY: Beta EUR 200, JPY 10, USD 300;
-- won_value 440 + 0.075 + 300 = 740.075
UPDATE accounts.deals SET currency = 'JPY' WHERE title = 'b won eur 2';
SELECT id, won, won_value, by_currency FROM fig WHERE id = 2;
SELECT * FROM problems;
-- the last EUR deal of Beta is reopened: its EUR entry goes
UPDATE accounts.deals SET status = 'open' WHERE title = 'b won eur';
SELECT id, won, won_value, by_currency, open, open_value, weighted FROM fig WHERE id = 2;
SELECT org_id, currency, won_deals_count, won_value
FROM accounts.figures_by_currency WHERE org_id = 2 ORDER BY currency;
SELECT * FROM problems;
-- and comes back when it is won again
UPDATE accounts.deals SET status = 'won', won_time = '2024-01-02' WHERE title = 'b won eur';
SELECT id, won, won_value, by_currency FROM fig WHERE id = 2;
SELECT * FROM problems;
-- a deal moved between organizations takes its currency along
UPDATE accounts.deals SET org_id = 4 WHERE title = 'b won eur 2';
SELECT id, won, won_value, by_currency FROM fig WHERE id IN (2, 4) ORDER BY id;
SELECT org_id, currency, won_deals_count, won_value
FROM accounts.figures_by_currency ORDER BY org_id, currency;
SELECT * FROM problems;

--
-- Exactness: rates and values with many decimals are summed exactly
--
INSERT INTO accounts.currencies (code, name, rate) VALUES
	('BTC', 'Bitcoin', 61234.567890123456789),
	('VND', 'Dong', 0.0000393700787401574803),
	('XTS', 'One third', 0.333333333333333333333333333333);
INSERT INTO accounts.organizations (name) VALUES ('Epsilon');
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time) VALUES
	('e won btc', 0.01, 'BTC', 'won', 5, NULL, '2024-02-01'),
	('e won vnd', 1234567890123.45, 'VND', 'won', 5, NULL, '2024-02-02'),
	('e open btc', 0.07, 'BTC', 'open', 5, 33, NULL);
-- the expected numbers, computed with exact decimal arithmetic:
-- won 0.01 * 61234.567890123456789 + 1234567890123.45 * 0.0000393700787401574803
--   = 48605647.389909216176727897943035
-- open 0.07 * 61234.567890123456789 = 4286.41975230864197523, 33% of it
--   = 1414.5185182618518518259
SELECT id, won, won_value, by_currency, open, open_value, weighted FROM fig WHERE id = 5;
SELECT won_value = 48605647.389909216176727897943035 AS won_exact,
	open_deals_value = 4286.41975230864197523 AS open_exact,
	open_deals_weighted_value = 1414.5185182618518518259 AS weighted_exact
FROM accounts.organization_summary WHERE id = 5;
SELECT * FROM problems;
-- three thirds of a cent: 0.00999999999999999999999999999999, not 0.01
INSERT INTO accounts.deals (title, value, currency, status, org_id, won_time)
SELECT 'e won xts ' || i, 0.01, 'XTS', 'won', 5, '2024-02-03' FROM generate_series(1, 3) i;
SELECT won_value, won_value = 48605647.39990921617672789794303499999999 AS won_exact
FROM accounts.organization_summary WHERE id = 5;
SELECT * FROM problems;
-- 300 deals come and go: the sum comes back to exactly the same value
:save
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time)
SELECT 'e many ' || i, i * 0.37, (ARRAY['BTC', 'VND', 'XTS'])[i % 3 + 1],
	CASE WHEN i % 2 = 0 THEN 'won' ELSE 'open' END, 5, i % 100,
	'2024-03-01'::timestamptz + i * interval '1 minute'
FROM generate_series(1, 300) i;
SELECT * FROM problems;
UPDATE accounts.deals SET value = value + 0.01, probability = 99 - probability
WHERE title LIKE 'e many %';
SELECT * FROM problems;
DELETE FROM accounts.deals WHERE title LIKE 'e many %';
SELECT * FROM fig_changed;
SELECT * FROM problems;
-- a rate with even more decimals, and back
UPDATE accounts.currencies SET rate = 61234.567890123456789012345678901234567890
WHERE code = 'BTC';
-- won 48605647.39990921617672789806649178901233567890
-- open 4286.41975230864197523086419752308641975230
-- weighted 1414.518518261851851826185185182618518518259
SELECT won_value = 48605647.39990921617672789806649178901233567890 AS won_exact,
	open_deals_value = 4286.41975230864197523086419752308641975230 AS open_exact,
	open_deals_weighted_value = 1414.518518261851851826185185182618518518259 AS weighted_exact
FROM accounts.organization_summary WHERE id = 5;
SELECT * FROM problems;
UPDATE accounts.currencies SET rate = 61234.567890123456789 WHERE code = 'BTC';
SELECT * FROM fig_changed;
SELECT * FROM problems;

--
-- Refused rate changes leave every figure as it was
--
:save
UPDATE accounts.currencies SET rate = 0 WHERE code = 'EUR';
UPDATE accounts.currencies SET rate = rate - 2.20 WHERE code IN ('GBP', 'EUR');
UPDATE accounts.currencies SET rate = 3 WHERE code = 'USD';
SELECT * FROM fig_changed;
SELECT code, rate FROM accounts.currencies ORDER BY code;
SELECT * FROM problems;
