--
-- Activity figures and the kanban board.
--
-- Every step compares the stored figures with accounts.verify() and with
-- the recomputation below, written independently of the extension's own.
--
-- pg_regress runs every test in the same database: start afresh
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS accounts CASCADE;
CREATE EXTENSION accounts;
SET accounts.week_start = 'monday';

INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true);
INSERT INTO accounts.organizations (id, name)
SELECT i, 'org ' || i FROM generate_series(1, 9) i;
INSERT INTO accounts.deals (title, value, org_id, status)
SELECT 'deal ' || i, 100 * i, i, 'won' FROM generate_series(1, 8) i;

-- next: earliest undone by due date, due time (undated last), id;
-- last: latest done by the same key
CREATE TEMP VIEW expected_activity AS
SELECT o.id,
	(SELECT count(*) FROM accounts.activities a WHERE a.org_id = o.id) AS n,
	(SELECT count(*) FROM accounts.activities a WHERE a.org_id = o.id AND a.done) AS done,
	(SELECT a.id FROM accounts.activities a WHERE a.org_id = o.id AND NOT a.done
	 ORDER BY a.due_date NULLS LAST, a.due_time NULLS LAST, a.id LIMIT 1) AS next_id,
	(SELECT a.id FROM accounts.activities a WHERE a.org_id = o.id AND a.done
	 ORDER BY a.due_date DESC NULLS LAST, a.due_time DESC NULLS LAST, a.id DESC
	 LIMIT 1) AS last_id
FROM accounts.organizations o;
CREATE TEMP VIEW stored_activity AS
SELECT s.id, s.activities_count::bigint, s.done_activities_count::bigint,
	s.next_activity_id, s.last_activity_id
FROM accounts.organization_summary s;
CREATE TEMP VIEW activity_check AS
SELECT 'missing' AS side, * FROM (TABLE expected_activity EXCEPT ALL TABLE stored_activity) x
UNION ALL
SELECT 'extra', * FROM (TABLE stored_activity EXCEPT ALL TABLE expected_activity) y;
-- the next and last activity's own columns must be the activity's
CREATE TEMP VIEW detail_check AS
SELECT s.id FROM accounts.organization_summary s
LEFT JOIN accounts.activities n ON n.id = s.next_activity_id
LEFT JOIN accounts.activities l ON l.id = s.last_activity_id
WHERE s.next_activity_date IS DISTINCT FROM n.due_date
   OR s.next_activity_time IS DISTINCT FROM n.due_time
   OR s.next_activity_subject IS DISTINCT FROM n.subject
   OR s.last_activity_date IS DISTINCT FROM l.due_date
   OR s.last_contacted IS DISTINCT FROM l.due_date
   OR s.undone_activities_count <> s.activities_count - s.done_activities_count;
\set check 'SELECT * FROM activity_check UNION ALL SELECT ''detail'', id, NULL, NULL, NULL, NULL FROM detail_check UNION ALL SELECT ''verify'', org_id, NULL, NULL, NULL, NULL FROM accounts.verify()'

-- Reference day: Wednesday 2026-03-04.  Weeks (monday start): Mon 03-02 ..
-- Sun 03-08, next week 03-09 .. 03-15.
INSERT INTO accounts.activities (id, subject, due_date, due_time, org_id, done)
OVERRIDING SYSTEM VALUE VALUES
	(1, 'overdue call', '2026-03-03', '09:00', 1, false),
	(2, 'today call', '2026-03-04', '15:00', 2, false),
	(3, 'tomorrow call', '2026-03-05', NULL, 3, false),
	(4, 'sunday call', '2026-03-08', NULL, 4, false),
	(5, 'next monday call', '2026-03-09', NULL, 5, false),
	(6, 'next sunday call', '2026-03-15', NULL, 6, false),
	(7, 'far call', '2026-03-16', NULL, 7, false),
	(8, 'done call', '2026-03-01', NULL, 8, true),
	(9, 'prospect call', '2026-03-04', NULL, 9, false);
ALTER SEQUENCE accounts.activities_id_seq RESTART WITH 100;
:check;

SELECT id, bucket, bucket_position, next_activity_date, next_activity_subject,
	won_value, last_contacted
FROM accounts.kanban_column('overdue', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('today', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('tomorrow', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('this_week', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('next_week', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('later', as_of => '2026-03-04')
UNION ALL SELECT id, bucket, bucket_position, next_activity_date,
	next_activity_subject, won_value, last_contacted
FROM accounts.kanban_column('no_activity', as_of => '2026-03-04');

SELECT * FROM accounts.kanban_counts('2026-03-04');

-- The same board through the view, with accounts.today; organization 9 has
-- no won deal: it is no account and on no board.
SET accounts.today = '2026-03-04';
SELECT id, bucket, bucket_position FROM accounts.kanban
ORDER BY bucket_position, next_activity_date, id;
SELECT id, bucket FROM accounts.organization_summary WHERE id = 9;

-- counts from the ranges equal counts of the per-row buckets
CREATE TEMP VIEW counts_check AS
(SELECT bucket, accounts, won_value FROM accounts.kanban_counts()
 EXCEPT ALL
 SELECT b.bucket, count(k.id), COALESCE(sum(k.won_value), 0)
 FROM accounts.kanban_ranges() b LEFT JOIN accounts.kanban k ON k.bucket = b.bucket
 GROUP BY b.bucket)
UNION ALL
(SELECT b.bucket, count(k.id), COALESCE(sum(k.won_value), 0)
 FROM accounts.kanban_ranges() b LEFT JOIN accounts.kanban k ON k.bucket = b.bucket
 GROUP BY b.bucket
 EXCEPT ALL
 SELECT bucket, accounts, won_value FROM accounts.kanban_counts());
SELECT * FROM counts_check;

-- Every day around the boundaries, for both week starts.
SELECT d::date AS day, to_char(d, 'Dy') AS dow,
	accounts.kanban_bucket(d::date, '2026-03-04') AS monday_start
FROM generate_series(timestamp '2026-03-02', '2026-03-17', '1 day') d;
SET accounts.week_start = 'sunday';
-- Sunday start: week Sun 03-01 .. Sat 03-07, next week 03-08 .. 03-14.
SELECT d::date AS day, to_char(d, 'Dy') AS dow,
	accounts.kanban_bucket(d::date, '2026-03-04') AS sunday_start
FROM generate_series(timestamp '2026-03-02', '2026-03-17', '1 day') d;
SELECT * FROM counts_check;
-- Saturday, the last day of a Sunday week: tomorrow is next week's Sunday,
-- and this_week is empty.
SELECT * FROM accounts.kanban_ranges('2026-03-07');
SET accounts.week_start = 'monday';
-- Sunday, the last day of a Monday week
SELECT * FROM accounts.kanban_ranges('2026-03-08');
-- Monday, the first day
SELECT * FROM accounts.kanban_ranges('2026-03-09');
-- not stored: the same figures give another board on another day
SELECT bucket, accounts FROM accounts.kanban_counts('2026-03-10');
RESET accounts.today;

-- Time zones on both sides of midnight: UTC+14 and UTC-11 are 25 hours
-- apart, so their dates always differ; "today" follows the session.
SET TIME ZONE 'Pacific/Kiritimati';
SELECT accounts.kanban_today() = (now() AT TIME ZONE 'Pacific/Kiritimati')::date
	AS follows_session;
UPDATE accounts.activities SET due_date = (now() AT TIME ZONE 'Pacific/Kiritimati')::date
WHERE id = 2;
SELECT bucket FROM accounts.kanban WHERE id = 2;
SET TIME ZONE 'Pacific/Pago_Pago';
SELECT accounts.kanban_today() = (now() AT TIME ZONE 'Pacific/Pago_Pago')::date
	AS follows_session;
SELECT bucket IN ('tomorrow', 'this_week', 'next_week') AS ahead
FROM accounts.kanban WHERE id = 2;
RESET TIME ZONE;
UPDATE accounts.activities SET due_date = '2026-03-04' WHERE id = 2;
:check;

SET accounts.today = '2026-03-04';

-- How the next activity changes.
-- completed: the next one is looked up, the last one follows
UPDATE accounts.activities SET done = true WHERE id = 1;
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES
	('later call', '2026-04-01', 1), ('undated task', NULL, 1);
SELECT id, next_activity_id, next_activity_date, last_activity_id, last_contacted,
	bucket FROM accounts.accounts WHERE id = 1;
:check;
UPDATE accounts.activities SET done = true WHERE subject = 'later call';
SELECT id, next_activity_subject, next_activity_date, bucket
FROM accounts.accounts WHERE id = 1;
:check;
-- a new earlier one
INSERT INTO accounts.activities (subject, due_date, due_time, org_id)
VALUES ('urgent', '2026-03-04', '08:00', 2);
SELECT id, next_activity_subject, next_activity_time FROM accounts.accounts WHERE id = 2;
:check;
-- same day: a time sorts before no time, then ids
INSERT INTO accounts.activities (subject, due_date, org_id)
VALUES ('no time', '2026-03-04', 2);
UPDATE accounts.activities SET due_time = NULL WHERE subject = 'urgent';
SELECT id, next_activity_subject FROM accounts.accounts WHERE id = 2;
:check;
-- re-dated later: the next one changes; re-dated earlier: it comes back
UPDATE accounts.activities SET due_date = '2026-03-20' WHERE id = 2;
:check;
UPDATE accounts.activities SET due_date = '2026-03-01' WHERE id = 2;
SELECT id, next_activity_id, bucket FROM accounts.accounts WHERE id = 2;
:check;
-- subject changed on the next one
UPDATE accounts.activities SET subject = 'renamed' WHERE id = 2;
SELECT id, next_activity_subject FROM accounts.accounts WHERE id = 2;
:check;
-- moved to another organization
UPDATE accounts.activities SET org_id = 3 WHERE id = 2;
SELECT id, next_activity_id, activities_count FROM accounts.accounts
WHERE id IN (2, 3) ORDER BY id;
:check;
-- deleted
DELETE FROM accounts.activities WHERE id = 2;
:check;
-- reopened: done back to undone
UPDATE accounts.activities SET done = false WHERE id = 1;
SELECT id, next_activity_id, last_activity_id FROM accounts.accounts WHERE id = 1;
:check;
-- rollback and savepoint
BEGIN;
UPDATE accounts.activities SET done = true WHERE org_id = 4;
SAVEPOINT s;
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('x', '2026-01-01', 4);
ROLLBACK TO s;
SELECT id, next_activity_id, last_activity_id, bucket FROM accounts.accounts WHERE id = 4;
ROLLBACK;
SELECT id, next_activity_id, last_activity_id, bucket FROM accounts.accounts WHERE id = 4;
:check;
-- only done activities: no_activity, and contacted
UPDATE accounts.activities SET done = true WHERE org_id = 8;
SELECT id, bucket, last_contacted FROM accounts.accounts WHERE id = 8;
-- multi-row: everything done, then everything undone, then moved
UPDATE accounts.activities SET done = true;
:check;
UPDATE accounts.activities SET done = false WHERE id % 2 = 0;
:check;
UPDATE accounts.activities SET org_id = 1 + (id % 7);
:check;
-- an activity given only a deal is linked to the deal's organization
INSERT INTO accounts.activities (subject, due_date, deal_id) VALUES ('deal call', '2026-03-02', 5);
SELECT org_id FROM accounts.activities WHERE subject = 'deal call';
:check;
-- many at once
INSERT INTO accounts.activities (subject, due_date, due_time, done, org_id)
SELECT 'bulk ' || i, date '2026-02-01' + (i % 60), CASE WHEN i % 3 = 0 THEN time '09:00' + i * interval '1 minute' END,
	i % 4 = 0, 1 + i % 9
FROM generate_series(1, 500) i;
:check;
DELETE FROM accounts.activities WHERE id % 5 = 0;
:check;
TRUNCATE accounts.activities;
:check;
SELECT * FROM accounts.kanban_counts();

-- Paging a column: pages of 3 walk the whole column in board order, the
-- undated ones last; each page starts after the last card of the previous.
INSERT INTO accounts.activities (subject, due_date, org_id)
SELECT 'p' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE date '2026-04-01' + i % 3 END, i
FROM generate_series(1, 8) i;
SELECT id, next_activity_date FROM accounts.kanban_column('later', page_size => 3);
SELECT id, next_activity_date FROM accounts.kanban_column('later', '2026-04-02', 1, 3);
SELECT id, next_activity_date FROM accounts.kanban_column('later', '2026-04-03', 5, 3);
SELECT id, next_activity_date FROM accounts.kanban_column('later', NULL, 4, 3);
SELECT id, next_activity_date FROM accounts.kanban_column('later', NULL, 8, 3);
-- a column without cards
SELECT count(*) FROM accounts.kanban_column('today');
SELECT id FROM accounts.kanban_column('no_activity');

-- Post-sales contact overview
UPDATE accounts.activities SET done = true, due_date = '2026-02-20' WHERE org_id = 1;
UPDATE accounts.activities SET done = true, due_date = '2025-12-01' WHERE org_id = 2;
UPDATE accounts.activities SET done = true, due_date = '2026-01-20' WHERE org_id = 3;
SELECT * FROM accounts.contact_overview;
SELECT sum(accounts) = (SELECT count(*) FROM accounts.accounts) AS all_accounts,
	sum(won_value) = (SELECT sum(won_value) FROM accounts.accounts) AS all_value
FROM accounts.contact_overview;
:check;

-- Bad settings and arguments: refused, nothing changes.
SET accounts.week_start = 'friday';
SET accounts.week_start = '';
SHOW accounts.week_start;
-- per database or role, checked the same way
ALTER DATABASE contrib_regression SET accounts.week_start = 'friday';
ALTER ROLE CURRENT_USER SET accounts.week_start = 'tuesday';
SET accounts.today = 'yesterday-ish';
SELECT * FROM accounts.kanban_counts();
RESET accounts.today;
SELECT * FROM accounts.kanban_counts('infinity');
SELECT count(*) FROM accounts.kanban_column('someday');
\set VERBOSITY terse
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('never', 'infinity', 1);
INSERT INTO accounts.activities (subject, org_id) VALUES (NULL, 1);
INSERT INTO accounts.activities (subject, org_id) VALUES ('x', 424242);
\set VERBOSITY default
SELECT count(*) FROM accounts.activities;
:check;
