--
-- The API surface that application layers (PostGraphile, PostgREST, Hasura)
-- read from the catalog: keys and relations as smart tags, names that do
-- not clash with the tools' own, internals hidden, the board's bucket as
-- an enum, named results; and the new functions against the old ones.
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS accounts CASCADE;
CREATE EXTENSION accounts;
SET accounts.today = '2026-03-04';

INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true);
INSERT INTO accounts.users (name) VALUES ('ann');
INSERT INTO accounts.organizations (name, owner_id) SELECT 'org ' || i, 1 FROM generate_series(1, 3) i;
INSERT INTO accounts.deals (title, value, currency, org_id, status, won_time)
SELECT 'deal ' || i, 100 * i, 'USD', 1 + i % 2, 'won', '2026-03-01 10:00+00'
FROM generate_series(1, 4) i;
INSERT INTO accounts.notes (content, org_id, add_time) SELECT 'note ' || i, 1 + i % 2,
	'2026-03-01 10:00+00' FROM generate_series(1, 4) i;
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('call', '2026-03-05', 2);

-- the smart tags at the start of each comment, the description after them
SELECT c.relname, pg_catalog.regexp_replace(d.description, E'\n[^@][^\n]*$', '') AS tags
FROM pg_class c JOIN pg_description d ON d.objoid = c.oid AND d.objsubid = 0
WHERE c.relnamespace = 'accounts'::regnamespace AND d.description LIKE '@%'
ORDER BY 1;
SELECT p.oid::regprocedure AS function, pg_catalog.split_part(d.description, E'\n', 1) AS tag
FROM pg_proc p JOIN pg_description d ON d.objoid = p.oid
WHERE p.pronamespace = 'accounts'::regnamespace AND d.description LIKE '@%'
ORDER BY 1;
-- every tagged comment still has its description
SELECT d.objoid, d.objsubid FROM pg_description d
WHERE d.description LIKE '@%' AND d.description NOT LIKE E'%\n%'
  AND d.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass);

-- no function offered to the tools is named like a view's or table's
-- single-row field (account for accounts), and no argument is named like
-- their paging arguments
SELECT p.oid::regprocedure AS clashing_function
FROM pg_proc p
WHERE p.pronamespace = 'accounts'::regnamespace
  AND COALESCE(obj_description(p.oid, 'pg_proc'), '') NOT LIKE E'@omit\n%'
  AND p.proname IN ('account', 'organization_summary', 'kanban', 'account_deal',
	'account_person', 'account_activity', 'account_note', 'account_file',
	'user', 'organization', 'person', 'currency', 'deal', 'activity', 'note',
	'file', 'account_event');
SELECT p.oid::regprocedure AS function, a.name AS paging_argument
FROM pg_proc p CROSS JOIN LATERAL unnest(p.proargnames) AS a(name)
WHERE p.pronamespace = 'accounts'::regnamespace
  AND COALESCE(obj_description(p.oid, 'pg_proc'), '') NOT LIKE E'@omit\n%'
  AND a.name IN ('before', 'after', 'first', 'last', 'offset');

-- the writable columns of the views are the organization's own; the others
-- carry @omit create,update
SELECT a.attrelid::regclass AS view, a.attname
FROM pg_attribute a
WHERE a.attrelid IN ('accounts.accounts'::regclass, 'accounts.organization_summary'::regclass)
  AND a.attnum > 0
  AND col_description(a.attrelid, a.attnum) NOT LIKE E'@omit create,update\n%'
ORDER BY 1, 2;

-- the board speaks accounts.bucket
SELECT c.relname || '.' || a.attname AS column, a.atttypid::regtype
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.oid IN ('accounts.kanban'::regclass, 'accounts.board_column'::regclass,
				'accounts.accounts'::regclass, 'accounts.organization_summary'::regclass)
  AND a.attname = 'bucket'
ORDER BY 1;
-- the deprecated kanban_bucket (text, until 0.9) is the same column
SELECT count(*) AS organizations,
	count(*) FILTER (WHERE kanban_bucket IS DISTINCT FROM bucket::text) AS differing
FROM accounts.organization_summary;
SELECT id, bucket FROM accounts.accounts WHERE bucket >= 'tomorrow' ORDER BY bucket, id;
SELECT id FROM accounts.accounts WHERE bucket = 'overdeu';
SELECT pg_get_function_arguments('accounts.kanban_column'::regproc);
SELECT pg_get_function_result('accounts.kanban_counts'::regproc),
	pg_get_function_result('accounts.account_timeline'::regproc),
	pg_get_function_result('accounts.account_detail'::regproc);
-- named results: each column described
SELECT a.attrelid::regclass AS type, a.attname, col_description(a.attrelid, a.attnum) IS NOT NULL AS described
FROM pg_attribute a
WHERE a.attrelid IN ('accounts.board_column'::regclass, 'accounts.timeline_item'::regclass)
  AND a.attnum > 0
ORDER BY 1, a.attnum;
SELECT * FROM accounts.kanban_counts() WHERE accounts > 0;
SELECT id, bucket FROM accounts.kanban_column('tomorrow');
SELECT id, bucket FROM accounts.kanban WHERE bucket >= 'tomorrow' ORDER BY bucket, id;

-- account_detail(): one row, NULL for an id that is no account
SELECT (accounts.account_detail(1)).name, (accounts.account_detail(3)) IS NULL AS org_3_no_account,
	(accounts.account_detail(NULL)) IS NULL AS null_id;
-- account_timeline() pages; accounts_timeline() is the
-- same for a row of accounts.accounts
SELECT * FROM accounts.account_timeline(2, page_size => 3);
SELECT * FROM accounts.account_timeline(2, older_than => '2026-03-01 10:00+00',
	older_than_kind => 'note', older_than_id => 3, page_size => 3);
SELECT a.id, t.kind, t.id FROM accounts.accounts a, accounts.accounts_timeline(a, page_size => 2) t
ORDER BY a.id, t.item_time DESC, t.kind DESC, t.id DESC;
-- the deprecated names are gone (0.7)
SELECT to_regprocedure('accounts.account(bigint)') AS account,
	to_regproc('accounts.timeline') AS timeline;

-- the README's grants: UPDATE on the writable columns only
CREATE ROLE regress_api_writer NOLOGIN;
GRANT USAGE ON SCHEMA accounts TO regress_api_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA accounts TO regress_api_writer;
GRANT UPDATE (name, owner_id, address, label, custom_fields)
	ON accounts.accounts, accounts.organization_summary TO regress_api_writer;
GRANT UPDATE ON accounts.organizations TO regress_api_writer;
SET ROLE regress_api_writer;
UPDATE accounts.accounts SET label = 'key account' WHERE id = 1;
UPDATE accounts.accounts SET won_value = 0 WHERE id = 1;
INSERT INTO accounts.accounts (name) VALUES ('new');
DELETE FROM accounts.accounts WHERE id = 1;
RESET ROLE;
SELECT id, label FROM accounts.organizations WHERE id = 1;
SELECT * FROM accounts.verify();
REVOKE ALL ON ALL TABLES IN SCHEMA accounts FROM regress_api_writer;
REVOKE ALL ON SCHEMA accounts FROM regress_api_writer;

-- the update to 0.6 makes the board view again, without its grants: they
-- are made again in the transaction of the update, as the README says, and
-- are then the database's own (not the extension's initial privileges,
-- which pg_dump leaves out)
DROP EXTENSION accounts CASCADE;
CREATE EXTENSION accounts VERSION '0.5';
GRANT SELECT ON accounts.kanban TO regress_api_writer;
BEGIN;
ALTER EXTENSION accounts UPDATE TO '0.6';
SELECT has_table_privilege('regress_api_writer', 'accounts.kanban', 'SELECT') AS kept,
	(SELECT atttypid::regtype FROM pg_attribute
	 WHERE attrelid = 'accounts.kanban'::regclass AND attname = 'bucket');
GRANT SELECT ON accounts.kanban TO regress_api_writer;
COMMIT;
SELECT has_table_privilege('regress_api_writer', 'accounts.kanban', 'SELECT') AS granted,
	NOT EXISTS (SELECT FROM pg_init_privs i, aclexplode(i.initprivs) a
				WHERE i.objoid = 'accounts.kanban'::regclass
				  AND a.grantee = 'regress_api_writer'::regrole) AS not_initial;
REVOKE ALL ON accounts.kanban FROM regress_api_writer;
DROP ROLE regress_api_writer;
