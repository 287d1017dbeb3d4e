--
-- Account detail: the detail views, account() and the timeline.
--
-- pg_regress runs every test in the same database: start afresh
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS accounts CASCADE;
CREATE EXTENSION accounts;
SET TIME ZONE 'UTC';

INSERT INTO accounts.currencies (code, rate, is_default)
VALUES ('USD', 1, true), ('EUR', 1.25, false);
INSERT INTO accounts.organizations (id, name) OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech');
INSERT INTO accounts.persons (id, name, org_id) OVERRIDING SYSTEM VALUE
VALUES (1, 'Ann', 1), (2, 'Bob', 1), (3, 'Cid', 2);
INSERT INTO accounts.deals (id, title, value, currency, org_id, status, add_time, won_time)
OVERRIDING SYSTEM VALUE VALUES
	(1, 'licence', 1000, 'EUR', 1, 'won', '2026-01-01 09:00', '2026-01-10 12:00'),
	(2, 'support', 500, 'USD', 1, 'open', '2026-02-01 09:00', NULL),
	(3, 'spam', 1, 'USD', 1, 'deleted', '2026-02-02 09:00', NULL),
	(4, 'pilot', 200, 'USD', 2, 'open', '2026-02-03 09:00', NULL);
-- three notes and a file at the very same time, to page across
INSERT INTO accounts.notes (id, content, org_id, add_time) OVERRIDING SYSTEM VALUE
VALUES (1, 'kick-off went well', 1, '2026-02-10 10:00'),
	   (2, 'sent the contract', 1, '2026-02-10 10:00'),
	   (3, 'asked for a discount', 1, '2026-02-10 10:00'),
	   (4, 'prospect note', 2, '2026-02-10 10:00');
INSERT INTO accounts.files (id, name, file_type, file_size, deal_id, add_time)
OVERRIDING SYSTEM VALUE
VALUES (1, 'contract.pdf', 'pdf', 204800, 1, '2026-02-10 10:00');
INSERT INTO accounts.activities (id, subject, type, due_date, due_time, done,
	person_id, add_time)
OVERRIDING SYSTEM VALUE
VALUES (1, 'onboarding call', 'call', '2026-02-11', '15:30', true, 1, '2026-01-15'),
	   (2, 'quarterly review', 'meeting', '2026-05-01', NULL, false, 2, '2026-01-15'),
	   (3, 'undated task', 'task', NULL, NULL, false, 1, '2026-02-10 10:00');

-- The detail views hold exactly the account's rows of the base tables.
SELECT 'deals' AS view, count(*) FROM accounts.account_deals WHERE account_id = 1
UNION ALL SELECT 'people', count(*) FROM accounts.account_people WHERE account_id = 1
UNION ALL SELECT 'activities', count(*) FROM accounts.account_activities WHERE account_id = 1
UNION ALL SELECT 'notes', count(*) FROM accounts.account_notes WHERE account_id = 1
UNION ALL SELECT 'files', count(*) FROM accounts.account_files WHERE account_id = 1;
CREATE TEMP VIEW detail_check AS
(SELECT 'deals' AS what, account_id, id FROM accounts.account_deals
 EXCEPT ALL SELECT 'deals', d.org_id, d.id FROM accounts.deals d
	JOIN accounts.figures f ON f.org_id = d.org_id
	WHERE f.won_deals_count > 0 AND d.status <> 'deleted')
UNION ALL
(SELECT 'deals', d.org_id, d.id FROM accounts.deals d
	JOIN accounts.figures f ON f.org_id = d.org_id
	WHERE f.won_deals_count > 0 AND d.status <> 'deleted'
 EXCEPT ALL SELECT 'deals', account_id, id FROM accounts.account_deals)
UNION ALL
(SELECT 'people', account_id, id FROM accounts.account_people
 EXCEPT ALL SELECT 'people', org_id, id FROM accounts.persons
	WHERE org_id IN (SELECT id FROM accounts.accounts))
UNION ALL
(SELECT 'people', org_id, id FROM accounts.persons
	WHERE org_id IN (SELECT id FROM accounts.accounts)
 EXCEPT ALL SELECT 'people', account_id, id FROM accounts.account_people)
UNION ALL
(SELECT 'activities', account_id, id FROM accounts.account_activities
 EXCEPT ALL SELECT 'activities', org_id, id FROM accounts.activities
	WHERE org_id IN (SELECT id FROM accounts.accounts))
UNION ALL
(SELECT 'activities', org_id, id FROM accounts.activities
	WHERE org_id IN (SELECT id FROM accounts.accounts)
 EXCEPT ALL SELECT 'activities', account_id, id FROM accounts.account_activities)
UNION ALL
(SELECT 'notes', account_id, id FROM accounts.account_notes
 EXCEPT ALL SELECT 'notes', org_id, id FROM accounts.notes
	WHERE org_id IN (SELECT id FROM accounts.accounts))
UNION ALL
(SELECT 'notes', org_id, id FROM accounts.notes
	WHERE org_id IN (SELECT id FROM accounts.accounts)
 EXCEPT ALL SELECT 'notes', account_id, id FROM accounts.account_notes)
UNION ALL
(SELECT 'files', account_id, id FROM accounts.account_files
 EXCEPT ALL SELECT 'files', org_id, id FROM accounts.files
	WHERE org_id IN (SELECT id FROM accounts.accounts))
UNION ALL
(SELECT 'files', org_id, id FROM accounts.files
	WHERE org_id IN (SELECT id FROM accounts.accounts)
 EXCEPT ALL SELECT 'files', account_id, id FROM accounts.account_files);
SELECT * FROM detail_check;
SELECT id, title, status, value, currency, value_in_default_currency
FROM accounts.account_deals WHERE account_id = 1 ORDER BY id;

-- The account page: the account itself, with the organization's fields
UPDATE accounts.organizations SET custom_fields = '{"tier": "gold"}', label = 'key'
WHERE id = 1;
SELECT id, name, label, custom_fields, won_deals_count, won_value,
	won_value_by_currency, people_count, next_activity_subject
FROM accounts.account_detail(1);
-- an organization that is no account, and one that does not exist
SELECT count(*) FROM accounts.account_detail(2) WHERE id IS NOT NULL;
SELECT count(*) FROM accounts.account_detail(424242) WHERE id IS NOT NULL;

-- The timeline, newest first; paged by (item_time, kind, id).
SELECT * FROM accounts.account_timeline(1);
SELECT * FROM accounts.account_timeline(1, page_size => 3);
SELECT * FROM accounts.account_timeline(1, older_than => '2026-02-10 10:00+00', page_size => 3,
	older_than_kind => 'note', older_than_id => 2);
SELECT * FROM accounts.account_timeline(1, older_than => '2026-02-10 10:00+00', page_size => 3,
	older_than_kind => 'note', older_than_id => 1);
-- pages of two walk every item exactly once, in order
SELECT kind, id FROM accounts.account_timeline(1, page_size => 2);
SELECT item_time AS t, kind AS k, id AS i
FROM accounts.account_timeline(1, page_size => 2) ORDER BY item_time, kind, id LIMIT 1 \gset
SELECT kind, id FROM accounts.account_timeline(1, :'t', :'k', :i, 2);
SELECT item_time AS t, kind AS k, id AS i
FROM accounts.account_timeline(1, :'t', :'k', :i, 2) ORDER BY item_time, kind, id LIMIT 1 \gset
SELECT kind, id FROM accounts.account_timeline(1, :'t', :'k', :i, 2);
SELECT item_time AS t, kind AS k, id AS i
FROM accounts.account_timeline(1, :'t', :'k', :i, 2) ORDER BY item_time, kind, id LIMIT 1 \gset
SELECT kind, id FROM accounts.account_timeline(1, :'t', :'k', :i, 2);
SELECT item_time AS t, kind AS k, id AS i
FROM accounts.account_timeline(1, :'t', :'k', :i, 2) ORDER BY item_time, kind, id LIMIT 1 \gset
SELECT kind, id FROM accounts.account_timeline(1, :'t', :'k', :i, 2);
SELECT item_time AS t, kind AS k, id AS i
FROM accounts.account_timeline(1, :'t', :'k', :i, 2) ORDER BY item_time, kind, id LIMIT 1 \gset
SELECT count(*) AS items,
	(SELECT count(*) FROM accounts.account_notes WHERE account_id = 1)
	+ (SELECT count(*) FROM accounts.account_files WHERE account_id = 1)
	+ (SELECT count(*) FROM accounts.account_activities WHERE account_id = 1)
	+ (SELECT count(*) FROM accounts.account_deals WHERE account_id = 1) AS expected
FROM accounts.account_timeline(1, page_size => 1000);
-- no account, no timeline
SELECT count(*) FROM accounts.account_timeline(2);
SELECT count(*) FROM accounts.account_timeline(424242);
SELECT count(*) FROM accounts.account_timeline(NULL);
SELECT * FROM accounts.account_timeline(1, page_size => -1);

-- When the last won deal is reopened, the detail is gone with the account.
UPDATE accounts.deals SET status = 'open' WHERE id = 1;
SELECT count(*) FROM accounts.account_deals WHERE account_id = 1;
SELECT count(*) FROM accounts.account_timeline(1);
SELECT * FROM detail_check;
UPDATE accounts.deals SET status = 'won' WHERE id = 4;
SELECT account_id, id, title FROM accounts.account_deals ORDER BY id;
SELECT * FROM detail_check;
SELECT * FROM accounts.verify();
