--
-- replication: a database with publications (change data capture, logical
-- replication) and with two-phase commit.  No write, rebuild(), TRUNCATE or
-- upgrade fails because a table the extension writes is published: each
-- has a replica identity.  PREPARE TRANSACTION works for every write, and
-- COMMIT PREPARED or ROLLBACK PREPARED leave the figures, the board and the
-- history as if the transaction had committed or never run.
--
\i test/regress_setup.sql
SET client_min_messages = error;	-- wal_level may be too low to publish
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;

-- every table the extension writes has a replica identity: a key, or the
-- whole row for the board by day, whose day may be NULL
SELECT c.relname, c.relreplident,
	EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_key
FROM pg_class c
WHERE c.relnamespace = 'accounts'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname;

-- a publication of every table, as change data capture tools make
SET client_min_messages = error;
CREATE PUBLICATION cdc FOR ALL TABLES;
RESET client_min_messages;

INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.25, false);
INSERT INTO accounts.organizations (name) SELECT 'org ' || i FROM generate_series(1, 6) i;
INSERT INTO accounts.deals (title, value, currency, org_id)
SELECT 'deal ' || i, i * 100, CASE WHEN i % 2 = 0 THEN 'EUR' ELSE 'USD' END, i % 6 + 1
FROM generate_series(1, 18) i;
-- every organization's next activity on the same day: one row of the board
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'call ' || i, i, date '2026-03-02' FROM generate_series(1, 6) i;
INSERT INTO accounts.notes (content, org_id) VALUES ('met', 1), ('called', 2);

-- two organizations become accounts on the same day of the board
UPDATE accounts.deals SET status = 'won' WHERE org_id = 1;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 2;
-- and leave it
UPDATE accounts.deals SET status = 'lost' WHERE org_id = 2;
UPDATE accounts.currencies SET rate = 1.1 WHERE code = 'EUR';
SELECT accounts.rebuild();
TRUNCATE accounts.notes;
SELECT * FROM problems;
SELECT bucket, accounts, won_value FROM accounts.kanban_counts('2026-03-02') WHERE accounts > 0;
DROP PUBLICATION cdc;

-- a publication of the schema, and one of the internal tables alone
SET client_min_messages = error;
CREATE PUBLICATION cdc_schema FOR TABLES IN SCHEMA accounts;
CREATE PUBLICATION cdc_board FOR TABLE accounts.kanban_days, accounts.figures,
	accounts.figures_by_currency, accounts.account_events;
RESET client_min_messages;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 3;
UPDATE accounts.activities SET done = true WHERE org_id = 3;
UPDATE accounts.deals SET org_id = 4 WHERE org_id = 3;
DELETE FROM accounts.organizations WHERE id = 4;
SELECT accounts.rebuild();
SELECT * FROM problems;
DROP PUBLICATION cdc_schema, cdc_board;

-- Two-phase commit, with a listener in a second session
SELECT dblink_connect('listener',
	format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
		   current_setting('port'),
		   COALESCE(NULLIF(split_part(current_setting('unix_socket_directories'), ',', 1), ''),
					'localhost')));
SELECT dblink_exec('listener', 'LISTEN accounts_events');
CREATE FUNCTION received() RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
	-- a round trip: the server sends the listener what is pending first
	PERFORM * FROM dblink('listener', 'SELECT 1') AS t(x integer);
	-- the payload names the event; the rest is read from the table
	RETURN QUERY SELECT CASE WHEN n.p = jsonb_build_object('id', e.id,
			'__node__', jsonb_build_array('account_events', e.id))
		THEN jsonb_build_object('org_id', e.org_id, 'kind', e.kind, 'deal_id', e.deal_id)
		ELSE n.p END
		FROM (SELECT extra::jsonb AS p, row_number() OVER () AS i
			  FROM dblink_get_notify('listener')
			  WHERE notify_name = 'accounts_events') n
		LEFT JOIN accounts.account_events e ON e.id = (n.p->>'id')::bigint
		ORDER BY n.i;
END $$;
SELECT * FROM received();
CREATE TEMP TABLE events_before AS SELECT max(id) AS id FROM accounts.account_events;

-- prepared, then committed: the figures, the board and the history as
-- after a commit; no notification (see the README)
SELECT id, won_deals_count, next_activity_date FROM accounts.organization_summary
WHERE id IN (5, 6) ORDER BY id;
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 5;
INSERT INTO accounts.activities (subject, org_id, due_date) VALUES ('visit', 5, '2026-03-01');
PREPARE TRANSACTION 'accounts_regress_1';
SELECT won_deals_count FROM accounts.organization_summary WHERE id = 5;
COMMIT PREPARED 'accounts_regress_1';
SELECT won_deals_count, next_activity_date FROM accounts.organization_summary WHERE id = 5;
SELECT org_id, kind FROM accounts.account_events
WHERE id > (SELECT id FROM events_before) ORDER BY id;
SELECT * FROM received();
SELECT * FROM problems;

-- prepared, then rolled back: as if it never ran
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 6;
UPDATE accounts.deals SET status = 'lost' WHERE org_id = 1;
DELETE FROM accounts.activities WHERE org_id = 6;
PREPARE TRANSACTION 'accounts_regress_2';
ROLLBACK PREPARED 'accounts_regress_2';
SELECT org_id, kind FROM accounts.account_events
WHERE id > (SELECT id FROM events_before) ORDER BY id;
SELECT * FROM received();
SELECT * FROM problems;

-- a plain commit is announced at commit, a savepoint rolled back is not
BEGIN;
UPDATE accounts.deals SET status = 'lost' WHERE org_id = 1;
SAVEPOINT s;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 6;
ROLLBACK TO SAVEPOINT s;
SELECT * FROM received();
COMMIT;
SELECT * FROM received();
SELECT org_id, kind FROM accounts.account_events
WHERE id > (SELECT id FROM events_before) ORDER BY id;
SELECT * FROM problems;
SELECT dblink_disconnect('listener');

-- an upgrade from the first version with a publication in place
SET client_min_messages = error;
DROP EXTENSION accounts CASCADE;
CREATE PUBLICATION cdc FOR ALL TABLES;
CREATE EXTENSION accounts VERSION '0.1';
RESET client_min_messages;
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true);
INSERT INTO accounts.organizations (name) SELECT 'org ' || i FROM generate_series(1, 4) i;
INSERT INTO accounts.deals (title, value, currency, org_id, status)
SELECT 'deal ' || i, i * 10, 'USD', i % 4 + 1, 'won' FROM generate_series(1, 8) i;
ALTER EXTENSION accounts UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
					 WHERE name = 'accounts') AS newest
FROM pg_extension WHERE extname = 'accounts';
UPDATE accounts.deals SET status = 'open' WHERE org_id = 1;
INSERT INTO accounts.activities (subject, org_id, due_date) VALUES ('call', 2, '2026-03-02');
-- (the checks of regress_setup went with the extension dropped above)
SELECT * FROM accounts.verify();
DROP PUBLICATION cdc;

