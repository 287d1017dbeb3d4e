--
-- events: accounts appear and disappear, recorded and announced
--
-- pg_regress runs every test in the same database: start each test from a
-- freshly created extension, so that ids and the account history start at 1.
\i test/regress_setup.sql
--
-- Listening.  psql prints a notification with the sending process's PID and
-- the payload's event_time, which change from run to run; so a second
-- session, opened with dblink, does the LISTEN, and the test reads what it
-- received with dblink_get_notify() and compares each payload with the
-- account_events row it announces (id, org_id, kind, deal_id and event_time).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT dblink_connect('listener',
	format('dbname=%s user=%s port=%s host=%s', current_database(), current_user,
		   current_setting('port'),
		   COALESCE(NULLIF(split_part(current_setting('unix_socket_directories'), ',', 1), ''),
					'localhost')));
SELECT dblink_exec('listener', 'LISTEN accounts_events');

-- The events recorded since the last call, and the notifications received
-- meanwhile: recorded = the row exists in account_events, notified = a
-- notification announced exactly this row, by its id and nothing else:
-- {"id" : 7, "__node__" : ["account_events", 7]}.
CREATE TEMP TABLE seen (last_id bigint NOT NULL);
INSERT INTO seen VALUES (0);
CREATE FUNCTION pg_temp.new_events()
RETURNS TABLE (org_id bigint, kind text, deal_id bigint,
			   recorded boolean, notified boolean)
LANGUAGE plpgsql AS $$
DECLARE
	since bigint := (SELECT s.last_id FROM seen s);
BEGIN
	-- a round trip on the listener's connection: the server sends it the
	-- pending notifications before it answers
	PERFORM * FROM dblink('listener', 'SELECT 1') AS t(x integer);
	RETURN QUERY
	WITH n AS (
		SELECT (x.p->>'id')::bigint AS id, x.p
		FROM (SELECT extra::jsonb AS p FROM dblink_get_notify('listener')
			  WHERE notify_name = 'accounts_events') x),
	e AS (SELECT * FROM accounts.account_events a WHERE a.id > since)
	SELECT e.org_id, e.kind, e.deal_id,
		e.id IS NOT NULL,
		n.id IS NOT NULL AND n.p = jsonb_build_object('id', e.id,
			'__node__', jsonb_build_array('account_events', e.id))
	FROM e FULL JOIN n ON n.id = e.id
	-- by organization: the order of the rows a statement writes may vary
	ORDER BY e.org_id, COALESCE(e.id, n.id);
	UPDATE seen SET last_id = COALESCE((SELECT max(a.id) FROM accounts.account_events a), 0);
END
$$;

-- the accounts, as a list of organization ids
CREATE TEMP VIEW members AS
SELECT COALESCE(string_agg(id::text, ', ' ORDER BY id), '') AS accounts
FROM accounts.accounts;

INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true);
INSERT INTO accounts.organizations (name)
VALUES ('Acme'), ('Globex'), ('Initech'), ('Umbrella'), ('Wayne'), ('Stark');
INSERT INTO accounts.deals (title, value, org_id)
SELECT 'open ' || o, 10 * o, o FROM generate_series(1, 6) o;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

--
-- Ways to become an account
--
-- a deal inserted as won: Acme (1) is an account, caused by deal 7
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('d7 won at insert', 100, 1, 'won');
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- a second won deal: no event
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('d8 won at insert', 100, 1, 'won');
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- a deal updated to won: Globex (2), by deal 2
UPDATE accounts.deals SET status = 'won' WHERE id = 2;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- a won deal moved into an organization: Initech (3) by deal 8; Acme keeps
-- deal 7 and stays an account
UPDATE accounts.deals SET org_id = 3 WHERE id = 8;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

--
-- Ways to stop being one
--
-- reopened: Globex closed by deal 2
UPDATE accounts.deals SET status = 'open' WHERE id = 2;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- lost: Initech closed by deal 8
UPDATE accounts.deals SET status = 'lost' WHERE id = 8;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- marked deleted: Globex created again by deal 2, then closed by it
UPDATE accounts.deals SET status = 'won' WHERE id = 2;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
UPDATE accounts.deals SET status = 'deleted' WHERE id = 2;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- the deal is deleted: Acme closed by deal 7
DELETE FROM accounts.deals WHERE id = 7;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- the won deal moves to another organization: Umbrella (4) closed and
-- Wayne (5) created, both by deal 4
UPDATE accounts.deals SET status = 'won' WHERE id = 4;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
UPDATE accounts.deals SET org_id = 5 WHERE id = 4;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- the won deal loses its organization: Wayne closed by deal 4
UPDATE accounts.deals SET org_id = NULL WHERE id = 4;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- the organization is deleted: Wayne, an account again by deal 5, is closed
-- (by no deal: the deletion closed it);
-- deleting Umbrella, no account, records nothing
UPDATE accounts.deals SET status = 'won' WHERE id = 5;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
DELETE FROM accounts.organizations WHERE id IN (4, 5);
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT id, org_id, status FROM accounts.deals WHERE id IN (4, 5) ORDER BY id;
SELECT * FROM problems;

--
-- Several at once, and never the same kind twice in a row
--
-- one statement wins deals of three organizations: three events
UPDATE accounts.deals SET status = 'won' WHERE id IN (1, 2, 3);
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- two more won deals for Acme in one statement, then all three of them
-- reopened in one statement: one event, when the last one goes (which one
-- that is depends on the order in which the statement visits them)
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('d9 Acme', 1, 1, 'won'), ('d10 Acme', 1, 1, 'won');
SELECT * FROM pg_temp.new_events();
UPDATE accounts.deals SET status = 'open' WHERE org_id = 1;
SELECT * FROM members;
SELECT org_id, kind, deal_id IN (1, 9, 10) AS by_an_acme_deal, recorded, notified
FROM pg_temp.new_events();
SELECT * FROM problems;
-- a won deal moves between two accounts that keep other won deals: nothing
INSERT INTO accounts.deals (title, value, org_id, status) VALUES ('d11 Globex', 1, 2, 'won');
UPDATE accounts.deals SET org_id = 3 WHERE id = 11;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- won and reopened in one committed transaction: both events, in order
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE id = 6;
UPDATE accounts.deals SET status = 'open' WHERE id = 6;
COMMIT;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

--
-- Rollback leaves no event and sends no notification
--
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE id = 6;
UPDATE accounts.deals SET status = 'lost' WHERE org_id = 2;
-- inside the transaction: Stark (6) created, Globex closed
SELECT * FROM members;
SELECT org_id, kind, deal_id FROM accounts.account_events
WHERE id > (SELECT last_id FROM seen) ORDER BY org_id, id;
SELECT * FROM problems;
ROLLBACK;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- a rolled back savepoint takes its events and notifications along
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE id = 6;
SAVEPOINT s1;
UPDATE accounts.deals SET status = 'open' WHERE id = 6;
UPDATE accounts.deals SET status = 'open' WHERE org_id = 3;
ROLLBACK TO s1;
COMMIT;
-- Stark created, and nothing else
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- an error ends the transaction without events
BEGIN;
UPDATE accounts.deals SET status = 'open' WHERE id = 6;
UPDATE accounts.deals SET org_id = 99 WHERE id = 6;
COMMIT;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

--
-- An application's trigger on account_events fires: events are then
-- written in SQL, which fires it; without one they are written directly.
-- Both ways record and announce the same.
--
CREATE TEMP TABLE reactions (org_id bigint, kind text);
CREATE FUNCTION pg_temp.react() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO reactions VALUES (NEW.org_id, NEW.kind);
	RETURN NEW;
END
$$;
CREATE TRIGGER react AFTER INSERT ON accounts.account_events
	FOR EACH ROW EXECUTE FUNCTION pg_temp.react();
-- Stark (6) closed, through the trigger
UPDATE accounts.deals SET status = 'open' WHERE id = 6;
SELECT * FROM reactions;
SELECT * FROM pg_temp.new_events();
DROP TRIGGER react ON accounts.account_events;
-- Stark created again, written directly: no reaction
UPDATE accounts.deals SET status = 'won' WHERE id = 6;
SELECT * FROM reactions;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

--
-- TRUNCATE closes every account (no deal caused it)
--
SELECT * FROM members;
TRUNCATE accounts.deals CASCADE;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- winning again after that creates them again
INSERT INTO accounts.deals (title, value, org_id, status)
VALUES ('d12', 5, 1, 'won'), ('d13', 5, 3, 'won');
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;
-- and a TRUNCATE of the organizations closes them too
TRUNCATE accounts.organizations CASCADE;
SELECT * FROM members;
SELECT * FROM pg_temp.new_events();
SELECT * FROM problems;

-- the whole history, per organization: kinds alternate
SELECT org_id, string_agg(kind, ', ' ORDER BY id) AS history
FROM accounts.account_events GROUP BY org_id ORDER BY org_id;

SELECT dblink_disconnect('listener');
DROP EXTENSION dblink;
