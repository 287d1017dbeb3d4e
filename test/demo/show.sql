-- test/demo/show.sql
--
-- Prints what the sample CRM (test/demo/sample.sql) looks like through the
-- extension: a summary, the accounts list sorted by won value, and the check
-- that every stored figure equals a fresh recomputation.  Fits a 160-column
-- terminal.
--
--   psql -X -v ON_ERROR_STOP=1 -f test/demo/show.sql

\set ON_ERROR_STOP on
\set QUIET on
SET client_encoding = 'UTF8';
\pset footer off
-- wider than 160 columns only with very long names: wrap rather than overflow
\pset format wrapped
\pset columns 160
\pset null ''

SELECT COALESCE(accounts.default_currency(), '') AS currency \gset
SELECT 'won value (' || :'currency' || ')' AS won_value_header \gset

\echo
\echo '== Sample CRM'
SELECT
	(SELECT count(*) FROM accounts.organizations) AS organizations,
	(SELECT count(*) FROM accounts.accounts) AS accounts,
	(SELECT count(*) FROM accounts.deals) AS deals,
	(SELECT count(*) FROM accounts.deals WHERE status = 'won') AS won,
	(SELECT count(*) FROM accounts.deals WHERE status = 'open') AS open,
	(SELECT count(*) FROM accounts.deals WHERE status = 'lost') AS lost,
	(SELECT count(*) FROM accounts.persons) AS people,
	(SELECT count(*) FROM accounts.activities) AS activities,
	(SELECT count(*) FROM accounts.notes) AS notes,
	(SELECT count(*) FROM accounts.files) AS files;

\echo
\echo '== Accounts: the 25 largest by won value (accounts.accounts)'
SELECT a.name,
	u.name AS owner,
	a.won_deals_count AS won,
	to_char(round(a.won_value, 2), '999,999,990.00') AS :"won_value_header",
	a.won_value_by_currency AS "won value by currency",
	a.first_won_time::date AS "customer since",
	a.open_deals_count AS open,
	a.people_count AS people,
	a.notes_count AS notes,
	a.files_count AS files
FROM accounts.accounts a
LEFT JOIN accounts.users u ON u.id = a.owner_id
ORDER BY a.won_value DESC, a.id
LIMIT 25;

\echo
\echo '== Kanban board: accounts by their next activity (accounts.kanban_counts())'
SELECT bucket, accounts,
	to_char(round(won_value, 2), '999,999,990.00') AS :"won_value_header"
FROM accounts.kanban_counts();

\echo
\echo '== Kanban board: the first cards of each column (accounts.kanban)'
\pset format aligned
SELECT k.card, k.bucket,
	left(k.name, 16) || COALESCE(' ' || to_char(k.next_activity_date, 'DD Mon'), '') AS name,
	k.bucket_position
FROM (SELECT bucket, bucket_position, name, next_activity_date,
		row_number() OVER (PARTITION BY bucket
						   ORDER BY next_activity_date, id) AS card
	  FROM accounts.kanban) k
WHERE k.card <= 8
ORDER BY k.bucket_position, k.card
\crosstabview card bucket name bucket_position
\pset format wrapped

\echo
\echo '== Post-sales contact overview (accounts.contact_overview)'
SELECT period, accounts,
	to_char(round(won_value, 2), '999,999,990.00') AS :"won_value_header"
FROM accounts.contact_overview;

\echo
\echo '== Figures that differ from a fresh recomputation (accounts.verify(); 0 when all is well)'
SELECT count(*) AS differing_figures FROM accounts.verify();
