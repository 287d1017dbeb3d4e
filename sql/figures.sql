--
-- figures: every figure through every kind of write
--
-- pg_regress runs every test in the same database: start each test from a
-- freshly created extension, so that ids and the account history start at 1.
\i test/regress_setup.sql
-- The figures of every organization, short names, for hand-checked numbers.
-- Every won deal here gets an explicit won_time, so that the times shown are
-- the same in every run.
CREATE TEMP VIEW fig AS
SELECT id, won_deals_count AS won, won_value, won_value_by_currency AS by_currency,
	first_won_time AS first_won, last_won_time AS last_won,
	open_deals_count AS open, open_deals_value AS open_value,
	open_deals_weighted_value AS weighted, lost_deals_count AS lost,
	closed_deals_count AS closed, people_count AS people,
	notes_count AS notes, files_count AS files
FROM accounts.organization_summary;

INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 2, false);
INSERT INTO accounts.organizations (name)
VALUES ('Acme'), ('Globex'), ('Initech'), ('Umbrella');
-- a new organization starts with zero figures
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Inserts
--
INSERT INTO accounts.deals (title, value, status, org_id, probability, won_time) VALUES
	('d1 Acme open 50%', 1000, 'open', 1, 50, NULL),
	('d2 Acme open, no probability', 200, 'open', 1, NULL, NULL),
	('d3 Acme won', 300, 'won', 1, NULL, '2024-03-01'),
	('d4 Globex lost', 50, 'lost', 2, NULL, NULL),
	('d5 no organization, won', 999, 'won', NULL, NULL, '2024-01-01'),
	('d6 Globex deleted', 70, 'deleted', 2, NULL, NULL);
-- Acme: won 1 (300), first = last = March 1; open 2: 1000 + 200 = 1200,
-- weighted 1000 * 50% + 200 * 100% = 700; closed 1.  Globex: lost 1, closed
-- 1; its deleted deal counts nowhere, nor does the deal without organization.
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;

INSERT INTO accounts.persons (name, org_id)
VALUES ('p1 Pat', 1), ('p2 Quinn', 1), ('p3 Ray', 2), ('p4 Sam', NULL);
INSERT INTO accounts.notes (content, org_id, deal_id, person_id) VALUES
	('n1 on Acme', 1, NULL, NULL),
	('n2 on deal d4', NULL, 4, NULL),
	('n3 on Pat', NULL, NULL, 1),
	('n4 on nothing', NULL, NULL, NULL);
INSERT INTO accounts.files (name, org_id, deal_id, person_id) VALUES
	('f1 on deal d3', NULL, 3, NULL),
	('f2 on Ray', NULL, NULL, 3),
	('f3 on Initech', 3, NULL, NULL);
-- Acme: people 2, notes 2 (n1, n3), files 1 (f1); Globex: 1, 1 (n2), 1 (f2);
-- Initech: files 1
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Status changes in every direction, on deal d1 (Acme, open, 1000, 50%)
--
-- open -> won: won 2, 1300, first Feb 1, last Mar 1; open 1 (200), weighted 200
UPDATE accounts.deals SET status = 'won', won_time = '2024-02-01' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- won -> lost: won 1 (300), first = last = Mar 1 again; lost 1, closed 2
UPDATE accounts.deals SET status = 'lost' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- lost -> open: open 2, 1200, weighted 700; lost 0
UPDATE accounts.deals SET status = 'open' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- open -> lost: open 1 (200), weighted 200; lost 1
UPDATE accounts.deals SET status = 'lost' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- lost -> won: won 2, 1300, first Mar 1, last Apr 1; lost 0
UPDATE accounts.deals SET status = 'won', won_time = '2024-04-01' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- won -> deleted: won 1 (300), last back to Mar 1
UPDATE accounts.deals SET status = 'deleted' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- deleted -> open: open 2, 1200, weighted 700
UPDATE accounts.deals SET status = 'open' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- open -> deleted: open 1, 200, weighted 200
UPDATE accounts.deals SET status = 'deleted' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- deleted -> won: won 2, 1300, first Jan 15, last Mar 1
UPDATE accounts.deals SET status = 'won', won_time = '2024-01-15' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- won -> open: won 1, 300, first = last = Mar 1; open 2, 1200, weighted 700
UPDATE accounts.deals SET status = 'open' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
-- open -> lost, lost -> deleted, deleted -> lost, lost -> open
UPDATE accounts.deals SET status = 'lost' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
UPDATE accounts.deals SET status = 'deleted' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'lost' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;
UPDATE accounts.deals SET status = 'open' WHERE id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;

--
-- Value, probability and currency changes (EUR is worth 2 USD)
--
-- d1 1000 -> 1500: open 1700, weighted 750 + 200 = 950
UPDATE accounts.deals SET value = 1500 WHERE id = 1;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- won d3 300 -> 350.50: won_value 350.50
UPDATE accounts.deals SET value = 350.50 WHERE id = 3;
SELECT id, won, won_value, by_currency FROM fig WHERE id = 1;
SELECT * FROM problems;
-- d1 50% -> 20%: weighted 300 + 200 = 500
UPDATE accounts.deals SET probability = 20 WHERE id = 1;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- d2 none -> 0%: weighted 300 + 0 = 300
UPDATE accounts.deals SET probability = 0 WHERE id = 2;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- d1 20% -> none (counts in full): weighted 1500 + 0 = 1500
UPDATE accounts.deals SET probability = NULL WHERE id = 1;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- d1 USD -> EUR: open value 3000 + 200 = 3200, weighted 3000 + 0
UPDATE accounts.deals SET currency = 'EUR' WHERE id = 1;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- won d3 USD -> EUR: won_value 701.00, by currency {"EUR": 350.50}
UPDATE accounts.deals SET currency = 'EUR' WHERE id = 3;
SELECT id, won, won_value, by_currency FROM fig WHERE id = 1;
SELECT * FROM problems;
-- d2: value, currency and probability at once (200 USD 0% -> 100 EUR 50%):
-- open value 3000 + 200 = 3200, weighted 3000 + 100 = 3100
UPDATE accounts.deals SET value = 100, currency = 'EUR', probability = 50 WHERE id = 2;
SELECT id, open, open_value, weighted FROM fig WHERE id = 1;
SELECT * FROM problems;
-- writing unchanged values, or columns that are no figure, changes nothing
UPDATE accounts.deals SET title = title || ' (renamed)', value = value, status = status
WHERE org_id = 1;
SELECT * FROM fig WHERE id = 1;
SELECT * FROM problems;

--
-- Won times: first_won_time and last_won_time follow every change, also when
-- the deal that held them moves away from the extreme
--
INSERT INTO accounts.deals (title, value, status, org_id, won_time) VALUES
	('d7 Initech won', 10, 'won', 3, '2024-01-10'),
	('d8 Initech won', 20, 'won', 3, '2024-02-10'),
	('d9 Initech won', 30, 'won', 3, '2024-03-10');
SELECT id, won, won_value, first_won, last_won FROM fig WHERE id = 3;
SELECT * FROM problems;
-- the earliest moves later: first becomes Feb 10
UPDATE accounts.deals SET won_time = '2024-02-20' WHERE id = 7;
SELECT id, won, won_value, first_won, last_won FROM fig WHERE id = 3;
SELECT * FROM problems;
-- the latest moves earliest: first Jan 1, last becomes Feb 20
UPDATE accounts.deals SET won_time = '2024-01-01' WHERE id = 9;
SELECT id, won, won_value, first_won, last_won FROM fig WHERE id = 3;
SELECT * FROM problems;
-- the middle one moves past the latest: last May 1
UPDATE accounts.deals SET won_time = '2024-05-01' WHERE id = 8;
SELECT id, won, won_value, first_won, last_won FROM fig WHERE id = 3;
SELECT * FROM problems;
-- two deals share the earliest time; one of them leaves won: first stays Jan 1
INSERT INTO accounts.deals (title, value, status, org_id, won_time)
VALUES ('d10 Initech won', 40, 'won', 3, '2024-01-01');
UPDATE accounts.deals SET status = 'open' WHERE id = 9;
SELECT id, won, won_value, first_won, last_won, open, open_value FROM fig WHERE id = 3;
SELECT * FROM problems;
-- and the other moves to the end: first Feb 20, last Jun 1
UPDATE accounts.deals SET won_time = '2024-06-01' WHERE id = 10;
SELECT id, won, won_value, first_won, last_won FROM fig WHERE id = 3;
SELECT * FROM problems;

--
-- Moves between organizations
--
SELECT id, title, org_id, status, value, currency, probability, won_time
FROM accounts.deals ORDER BY id;
-- won d8 (May 1) Initech -> Umbrella: Initech won 2 (50), Feb 20 .. Jun 1;
-- Umbrella won 1 (20), May 1
UPDATE accounts.deals SET org_id = 4 WHERE id = 8;
SELECT id, won, won_value, by_currency, first_won, last_won FROM fig WHERE id IN (3, 4) ORDER BY id;
SELECT * FROM problems;
-- won d10 (Jun 1, Initech's latest) Initech -> Umbrella: Initech won 1 (10),
-- Feb 20 .. Feb 20; Umbrella won 2 (60), May 1 .. Jun 1
UPDATE accounts.deals SET org_id = 4 WHERE id = 10;
SELECT id, won, won_value, by_currency, first_won, last_won FROM fig WHERE id IN (3, 4) ORDER BY id;
SELECT * FROM problems;
-- open d2 (100 EUR, 50%) Acme -> Globex: Acme open 1 (3000, weighted 3000);
-- Globex open 1 (200, weighted 100)
UPDATE accounts.deals SET org_id = 2 WHERE id = 2;
SELECT id, open, open_value, weighted FROM fig WHERE id IN (1, 2) ORDER BY id;
SELECT * FROM problems;
-- lost d4 Globex -> no organization -> Acme
UPDATE accounts.deals SET org_id = NULL WHERE id = 4;
SELECT id, lost, closed FROM fig WHERE id IN (1, 2) ORDER BY id;
SELECT * FROM problems;
UPDATE accounts.deals SET org_id = 1 WHERE id = 4;
SELECT id, lost, closed FROM fig WHERE id IN (1, 2) ORDER BY id;
SELECT * FROM problems;
-- moved and won at once: open d9 (30) Initech -> Globex, won on Jul 1
UPDATE accounts.deals SET org_id = 2, status = 'won', won_time = '2024-07-01' WHERE id = 9;
SELECT * FROM fig WHERE id IN (2, 3) ORDER BY id;
SELECT * FROM problems;
-- people, notes and files move
UPDATE accounts.persons SET org_id = 2 WHERE id = 1;
UPDATE accounts.persons SET org_id = 4 WHERE id = 4;
UPDATE accounts.persons SET org_id = NULL WHERE id = 2;
UPDATE accounts.notes SET org_id = 3 WHERE id = 1;
UPDATE accounts.notes SET org_id = 2 WHERE id = 4;
UPDATE accounts.files SET org_id = 4 WHERE id = 1;
UPDATE accounts.files SET org_id = NULL WHERE id = 3;
-- Acme: people 0, notes 1 (n3), files 0; Globex: people 2, notes 2 (n2, n4),
-- files 1; Initech: notes 1 (n1), files 0; Umbrella: people 1, files 1 (f1)
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Deletes
--
-- d7, Initech's only won deal, holds both its extremes
DELETE FROM accounts.deals WHERE id = 7;
SELECT * FROM fig WHERE id = 3;
SELECT * FROM problems;
DELETE FROM accounts.persons WHERE id = 3;
DELETE FROM accounts.notes WHERE id = 2;
DELETE FROM accounts.files WHERE id = 2;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Statements that touch many rows and organizations
--
-- every deal gains 1 (EUR deals 2 USD)
UPDATE accounts.deals SET value = value + 1;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;
-- 400 deals in one statement, of every status, currency and organization
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time)
SELECT 'bulk ' || i, i * 1.25,
	CASE WHEN i % 3 = 0 THEN 'EUR' ELSE 'USD' END,
	(ARRAY['open', 'won', 'lost', 'deleted'])[i % 4 + 1],
	NULLIF(i % 5, 0),
	CASE WHEN i % 7 = 0 THEN NULL ELSE i % 101 END,
	'2024-01-01'::timestamptz + i * interval '1 hour'
FROM generate_series(1, 400) i;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;
-- hand check of Umbrella's won deals among them: i = 4k + 1 with i % 5 = 4,
-- i.e. i = 9, 29, ..., 389 (20 deals); EUR when i % 3 = 0
SELECT count(*) AS won, sum(i * 1.25 * CASE WHEN i % 3 = 0 THEN 2 ELSE 1 END) AS won_value
FROM generate_series(9, 389, 20) i;
-- every deal moves to the next organization, in one statement
UPDATE accounts.deals SET org_id = org_id % 4 + 1 WHERE org_id IS NOT NULL;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;
-- half of the open deals are won at once
UPDATE accounts.deals SET status = 'won', won_time = '2024-08-01'
WHERE status = 'open' AND id % 2 = 0;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;
-- a third of the bulk deals go
DELETE FROM accounts.deals WHERE title LIKE 'bulk %' AND id % 3 = 0;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;
-- people and notes in bulk, then half of the people leave
INSERT INTO accounts.persons (name, org_id)
SELECT 'person ' || i, NULLIF(i % 5, 0) FROM generate_series(1, 300) i;
INSERT INTO accounts.notes (content, person_id)
SELECT 'note ' || i, id FROM accounts.persons, generate_series(1, 2) i;
UPDATE accounts.persons SET org_id = NULL WHERE id % 2 = 0;
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Rollback and savepoints
--
CREATE TEMP TABLE fig_saved AS SELECT * FROM fig;
CREATE TEMP VIEW fig_changed AS
SELECT 'before' AS version, * FROM (TABLE fig_saved EXCEPT ALL TABLE fig) b
UNION ALL
SELECT 'now', * FROM (TABLE fig EXCEPT ALL TABLE fig_saved) n
ORDER BY id, version;
BEGIN;
UPDATE accounts.deals SET status = 'lost' WHERE org_id = 1;
DELETE FROM accounts.persons WHERE org_id = 2;
INSERT INTO accounts.files (name, org_id) VALUES ('rolled back', 3);
UPDATE accounts.deals SET org_id = 3 WHERE org_id = 4;
-- inside the transaction the figures follow
SELECT version, id, won, open, lost, people, files FROM fig_changed;
SELECT * FROM problems;
ROLLBACK;
-- and after the rollback they are what they were
SELECT * FROM fig_changed;
SELECT * FROM problems;

BEGIN;
INSERT INTO accounts.deals (title, value, status, org_id, won_time)
VALUES ('kept', 500, 'won', 4, '2024-09-01');
SAVEPOINT s1;
DELETE FROM accounts.deals WHERE org_id = 1;
UPDATE accounts.persons SET org_id = 1 WHERE org_id IS NULL;
SELECT * FROM problems;
ROLLBACK TO s1;
SELECT * FROM problems;
SAVEPOINT s2;
UPDATE accounts.deals SET value = 2 * value WHERE org_id = 2;
-- an error aborts the subtransaction, not what came before
INSERT INTO accounts.deals (title, value, org_id) VALUES ('bad', 1, 99);
ROLLBACK TO s2;
SAVEPOINT s3;
UPDATE accounts.deals SET status = 'won', won_time = '2024-09-02' WHERE org_id = 2 AND status = 'open';
RELEASE s3;
COMMIT;
-- only 'kept' (Umbrella: won + 1, + 500, last Sep 1) and the deal won in s3
-- (Globex: its open deal of 1501 EUR = 3002 USD, won + 1, + 3002, last Sep 2)
-- remain
SELECT version, id, won, won_value, last_won, open, open_value FROM fig_changed;
SELECT * FROM problems;
-- an error without savepoint undoes the whole transaction
TRUNCATE fig_saved;
INSERT INTO fig_saved SELECT * FROM fig;
BEGIN;
UPDATE accounts.deals SET status = 'won', won_time = '2024-09-03' WHERE org_id = 1;
UPDATE accounts.deals SET org_id = 99 WHERE org_id = 2;
COMMIT;
SELECT * FROM fig_changed;
SELECT * FROM problems;

--
-- INSERT ... ON CONFLICT, in a new organization Wayne (5)
--
INSERT INTO accounts.organizations (name) VALUES ('Wayne');
INSERT INTO accounts.deals (id, title, value, status, org_id, probability)
VALUES (9001, 'upsert', 100, 'open', 5, 10)
ON CONFLICT (tenant_id, id) DO NOTHING;
-- open 1, 100, weighted 10
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;
-- a conflict with DO NOTHING changes nothing
INSERT INTO accounts.deals (id, title, value, status, org_id, probability)
VALUES (9001, 'upsert', 999, 'won', 5, 10)
ON CONFLICT (tenant_id, id) DO NOTHING;
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;
-- a conflict with DO UPDATE wins the deal: won 1, 250, Oct 1; open 0
INSERT INTO accounts.deals (id, title, value, status, org_id, won_time)
VALUES (9001, 'upsert', 250, 'won', 5, '2024-10-01')
ON CONFLICT (tenant_id, id) DO UPDATE
SET status = excluded.status, value = excluded.value, won_time = excluded.won_time;
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;
-- two rows, one update (9001 lost) and one insert (9002 won, 75, Nov 1)
INSERT INTO accounts.deals (id, title, value, status, org_id, won_time) VALUES
	(9001, 'upsert', 250, 'lost', 5, NULL),
	(9002, 'upsert 2', 75, 'won', 5, '2024-11-01')
ON CONFLICT (tenant_id, id) DO UPDATE
SET status = excluded.status, value = excluded.value, won_time = excluded.won_time;
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;
-- a person upserted into Wayne, then moved by an upsert to Umbrella
INSERT INTO accounts.persons (id, name, org_id) VALUES (9001, 'upserted', 5)
ON CONFLICT (tenant_id, id) DO UPDATE SET org_id = excluded.org_id;
SELECT id, people FROM fig WHERE id IN (4, 5) ORDER BY id;
INSERT INTO accounts.persons (id, name, org_id) VALUES (9001, 'upserted', 4)
ON CONFLICT (tenant_id, id) DO UPDATE SET org_id = excluded.org_id;
SELECT id, people FROM fig WHERE id IN (4, 5) ORDER BY id;
SELECT * FROM problems;

--
-- COPY FROM STDIN
--
COPY accounts.deals (title, value, status, org_id, probability, won_time) FROM stdin;
copy open	10	open	5	30	\N
copy won	20	won	5	\N	2024-12-01 00:00:00+00
copy lost	30	lost	5	\N	\N
\.
COPY accounts.persons (name, org_id) FROM stdin;
copy person 1	5
copy person 2	5
\.
COPY accounts.notes (content, deal_id) FROM stdin;
copy note on deal 9002	9002
\.
-- Wayne: won 2 (75 + 20 = 95), Nov 1 .. Dec 1; open 1 (10, weighted 3);
-- lost 2; people 2, notes 1
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;
-- a COPY with one bad line loads nothing
COPY accounts.deals (title, value, status, org_id) FROM stdin;
copy good	1	won	5
copy bad	1	won	6
\.
SELECT * FROM fig WHERE id = 5;
SELECT * FROM problems;

--
-- TRUNCATE of a base table rebuilds the figures
--
BEGIN;
TRUNCATE accounts.notes;
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;
ROLLBACK;
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;
TRUNCATE accounts.files;
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;
TRUNCATE accounts.notes;
SELECT id, people, notes, files FROM fig ORDER BY id;
SELECT * FROM problems;

--
-- Deleting an organization: its deals and people are detached and its
-- figures row goes
--
DELETE FROM accounts.organizations WHERE id = 5;
SELECT title, org_id, status FROM accounts.deals WHERE id IN (9001, 9002) OR title LIKE 'copy %'
ORDER BY id;
SELECT name, org_id FROM accounts.persons WHERE name LIKE 'copy person %' ORDER BY id;
SELECT (SELECT count(*) FROM accounts.figures WHERE org_id = 5) AS figures_rows,
	(SELECT count(*) FROM accounts.figures_by_currency WHERE org_id = 5) AS by_currency_rows;
SELECT * FROM problems;
-- several organizations at once, accounts or not
DELETE FROM accounts.organizations WHERE id IN (2, 3);
SELECT * FROM fig ORDER BY id;
SELECT count(*) AS figures_rows FROM accounts.figures;
SELECT * FROM problems;

-- an organization's id changes: its figures follow it
INSERT INTO accounts.organizations (name) VALUES ('Renamed id');
SELECT id AS renamed FROM accounts.organizations WHERE name = 'Renamed id' \gset
UPDATE accounts.organizations SET id = 100 WHERE id = :renamed;
SELECT * FROM fig ORDER BY id;
SELECT * FROM problems;

-- Figures belong to the id value: the foreign keys are NO ACTION, so the deals
-- keep their org_id when organizations trade ids in one statement.
INSERT INTO accounts.organizations (id, name)
VALUES (200, 'Shift A'), (201, 'Shift B'), (202, 'Shift C');
INSERT INTO accounts.deals (title, value, currency, org_id, status)
SELECT 'shift ' || i, 10 * i, (SELECT code FROM accounts.currencies ORDER BY code LIMIT 1),
	200 + i, 'won'
FROM generate_series(1, 2) i;
INSERT INTO accounts.persons (name, org_id) VALUES ('shift person', 202);
-- each organization takes the next id: the deals and the person stay with
-- 201 and 202, so their figures now show under Shift A and Shift B (in this
-- row order: the primary key is checked row by row, so the plan walks the
-- list in order)
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_seqscan = off;
UPDATE accounts.organizations o SET id = m.new_id
FROM (VALUES (202, 203), (201, 202), (200, 201)) m(old_id, new_id)
WHERE o.id = m.old_id;
SELECT o.name, f.org_id, f.won_deals_count, f.won_value, f.people_count
FROM accounts.figures f JOIN accounts.organizations o ON o.id = f.org_id
WHERE f.org_id BETWEEN 200 AND 203 ORDER BY f.org_id;
SELECT * FROM problems;
-- and back
UPDATE accounts.organizations o SET id = m.new_id
FROM (VALUES (201, 200), (202, 201), (203, 202)) m(old_id, new_id)
WHERE o.id = m.old_id;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_seqscan;
SELECT o.name, f.org_id, f.won_deals_count, f.won_value, f.people_count
FROM accounts.figures f JOIN accounts.organizations o ON o.id = f.org_id
WHERE f.org_id BETWEEN 200 AND 203 ORDER BY f.org_id;
SELECT * FROM problems;
-- an upsert moves the organization holding 201 to 205 and inserts a new 201
-- in the same statement: the deal of 201 now counts for the new one
INSERT INTO accounts.organizations (id, name)
VALUES (201, 'Upsert 1'), (201, 'Upsert 2')
ON CONFLICT (tenant_id, id) DO UPDATE SET id = 205;
SELECT o.name, f.org_id, f.won_deals_count, f.won_value, f.people_count
FROM accounts.figures f JOIN accounts.organizations o ON o.id = f.org_id
WHERE f.org_id BETWEEN 200 AND 205 ORDER BY f.org_id;
SELECT * FROM problems;
-- leaving an id that deals still reference fails as a whole
UPDATE accounts.organizations SET id = 203 WHERE id = 202;
SELECT count(*) AS figures_rows FROM accounts.figures WHERE org_id BETWEEN 200 AND 203;
SELECT * FROM problems;

-- One statement deleting more than 8 organizations with won deals (their
-- figures are written in one batch) leaves no figures of them behind.
INSERT INTO accounts.organizations (id, name)
SELECT i, 'bulk ' || i FROM generate_series(9001, 9009) i;
INSERT INTO accounts.deals (title, value, currency, org_id, status)
SELECT 'bulk ' || i, 100, (SELECT code FROM accounts.currencies ORDER BY code LIMIT 1), i, 'won'
FROM generate_series(9001, 9009) i;
SELECT count(*) AS accounts FROM accounts.accounts WHERE id BETWEEN 9001 AND 9009;
DELETE FROM accounts.organizations WHERE id BETWEEN 9001 AND 9009;
SELECT count(*) AS figures_left FROM accounts.figures WHERE org_id BETWEEN 9001 AND 9009;
SELECT count(*) AS currencies_left FROM accounts.figures_by_currency
WHERE org_id BETWEEN 9001 AND 9009;
SELECT * FROM accounts.verify();
