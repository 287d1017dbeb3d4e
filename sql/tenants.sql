--
-- tenants: companies that share one database, each with its own
-- currencies, accounts and board.  The same ids in two tenants, the same
-- currency code at different rates; every step ends with the figures of
-- both tenants compared with a fresh recomputation (problems, from
-- test/regress_setup.sql, checks the board of the session's tenant).
--
\i test/regress_setup.sql
SET accounts.today = '2026-03-04';
\set check 'SELECT * FROM problems; SET accounts.tenant = 2; SELECT * FROM problems; RESET accounts.tenant;'

-- tenant 1 is made with the extension; a database of one company never
-- names a tenant
SELECT tenant_id, name FROM accounts.tenants;
SELECT accounts.current_tenant();
INSERT INTO accounts.tenants (name) VALUES ('Globex Corp') RETURNING tenant_id, name;

-- each tenant its own default currency and rates
INSERT INTO accounts.currencies (code, rate, is_default)
VALUES ('USD', 1, true), ('EUR', 1.25, false), ('GBP', 1.5, false);
SET accounts.tenant = 2;
INSERT INTO accounts.currencies (code, rate, is_default)
VALUES ('EUR', 1, true), ('USD', 0.8, false);
SELECT accounts.current_tenant(), accounts.default_currency();
RESET accounts.tenant;
SELECT accounts.current_tenant(), accounts.default_currency(),
	accounts.default_currency(tenant_id => 2);
SELECT tenant_id, code, rate, is_default FROM accounts.currencies ORDER BY 1, 2;

-- the same ids in both tenants: ids are unique per tenant
INSERT INTO accounts.users (tenant_id, id, name) VALUES (1, 1, 'ann'), (2, 1, 'uma');
INSERT INTO accounts.organizations (tenant_id, id, name, owner_id)
VALUES (1, 1, 'Acme', 1), (1, 2, 'Initech', NULL), (2, 1, 'Umbrella', 1), (2, 2, 'Hooli', 1);
INSERT INTO accounts.persons (tenant_id, id, name, org_id)
VALUES (1, 1, 'Wile', 1), (2, 1, 'Alice', 1), (2, 2, 'Bob', 2);
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, org_id, status, won_time)
VALUES (1, 1, 'a1', 100, 'EUR', 1, 'won', '2026-01-10 10:00+00'),
	   (1, 2, 'a2', 200, 'USD', 1, 'open', NULL),
	   (1, 3, 'i1', 10, 'USD', 2, 'open', NULL),
	   (2, 1, 'u1', 100, 'EUR', 1, 'won', '2026-01-11 10:00+00'),
	   (2, 2, 'u2', 300, 'USD', 1, 'won', '2026-01-12 10:00+00'),
	   (2, 3, 'u3', 400, 'USD', 1, 'open', NULL);
-- a deal without a currency gets its own tenant's default (EUR here)
SET accounts.tenant = 2;
INSERT INTO accounts.deals (id, title, value, org_id, status, won_time)
VALUES (4, 'h1', 50, 2, 'won', '2026-01-13 10:00+00');
-- an activity or note given a deal is linked to that deal's organization,
-- in its own tenant
INSERT INTO accounts.activities (id, subject, deal_id, due_date)
VALUES (1, 'call Hooli', 4, '2026-03-05'), (2, 'visit Umbrella', 1, NULL);
INSERT INTO accounts.notes (id, content, deal_id) VALUES (1, 'signed', 4);
RESET accounts.tenant;
INSERT INTO accounts.activities (id, subject, deal_id, due_date)
VALUES (1, 'call Acme', 1, '2026-03-04');
SELECT tenant_id, id, deal_id, org_id FROM accounts.activities ORDER BY 1, 2;
SELECT d.tenant_id, d.id, d.currency FROM accounts.deals d WHERE d.id = 4;

SELECT tenant_id, id, name, won_deals_count AS won, won_value, won_value_by_currency,
	open_deals_value AS open_value, people_count AS people, notes_count AS notes,
	next_activity_date, bucket
FROM accounts.organization_summary ORDER BY tenant_id, id;
:check

-- a rate change re-values its own tenant only
UPDATE accounts.currencies SET rate = 2 WHERE tenant_id = 1 AND code = 'EUR';
UPDATE accounts.currencies SET rate = 0.5 WHERE tenant_id = 2 AND code = 'USD';
SELECT tenant_id, id, won_value, open_deals_value AS open_value
FROM accounts.organization_summary ORDER BY tenant_id, id;
:check

-- deals move between organizations of one tenant, and close accounts there
UPDATE accounts.deals SET org_id = 2 WHERE tenant_id = 2 AND id = 2;
UPDATE accounts.deals SET status = 'won' WHERE tenant_id = 1 AND id = 3;
UPDATE accounts.deals SET status = 'lost' WHERE tenant_id = 1 AND id = 1;
SELECT tenant_id, org_id, kind, deal_id FROM accounts.account_events ORDER BY id;
:check

-- the reading functions answer for one tenant: the session's, or tenant_id
SELECT * FROM accounts.kanban_counts();
SELECT * FROM accounts.kanban_counts(tenant_id => 2);
SET accounts.tenant = 2;
SELECT * FROM accounts.kanban_counts();
SELECT id, name, bucket, won_value, tenant_id FROM accounts.kanban_column('tomorrow');
SELECT id, name, bucket, won_value, tenant_id FROM accounts.kanban_column('later');
SELECT (accounts.account_detail(2)).name, (accounts.account_detail(2)).won_value;
SELECT kind, id, title FROM accounts.account_timeline(2);
SELECT * FROM accounts.contact_overview;
RESET accounts.tenant;
SELECT id, name FROM accounts.kanban_column('later', tenant_id => 2);
SELECT (accounts.account_detail(2)).name AS tenant_1,
	(accounts.account_detail(2, tenant_id => 2)).name AS tenant_2;
SELECT count(*) FROM accounts.account_timeline(2, tenant_id => 2);
SELECT a.tenant_id, a.id, count(t.*)
FROM accounts.accounts a, accounts.accounts_timeline(a) t GROUP BY 1, 2 ORDER BY 1, 2;
-- the board of each tenant against its cards
SELECT k.tenant_id, c.bucket, c.accounts, c.won_value,
	(SELECT count(*) FROM accounts.kanban x
	 WHERE x.tenant_id = k.tenant_id AND x.bucket = c.bucket) AS cards
FROM (VALUES (1), (2)) k(tenant_id),
	accounts.kanban_counts(tenant_id => k.tenant_id) c
WHERE c.accounts > 0 ORDER BY 1, c.bucket_position;

-- an edit through the view changes the organization of its own tenant
UPDATE accounts.accounts SET label = 'key account' WHERE tenant_id = 2 AND id = 2
RETURNING tenant_id, id, name, label;
SELECT tenant_id, id, label FROM accounts.organizations ORDER BY 1, 2;

-- deleting an organization detaches its rows in its own tenant only
DELETE FROM accounts.organizations WHERE tenant_id = 2 AND id = 2;
SELECT tenant_id, id, org_id FROM accounts.deals ORDER BY 1, 2;
:check

-- rebuild() recomputes every tenant and changes nothing that was right
SELECT accounts.rebuild();
SELECT tenant_id, day, sum(accounts) AS accounts, sum(won_value) AS won_value
FROM accounts.kanban_days GROUP BY 1, 2 ORDER BY 1, 2;
:check

-- A transaction that writes the figures of many tenants holds the rates
-- lock of each of its first 16 tenants, then the lock of all tenants
-- (objid 0) instead: a COPY of many companies' deals does not fill the
-- lock table.
INSERT INTO accounts.tenants (tenant_id, name)
SELECT t, 'tenant ' || t FROM generate_series(3, 40) t;
INSERT INTO accounts.currencies (tenant_id, code, rate, is_default)
SELECT t, 'EUR', 1, true FROM generate_series(3, 40) t;
INSERT INTO accounts.organizations (tenant_id, id, name)
SELECT t, 1, 'org of tenant ' || t FROM generate_series(3, 40) t;
BEGIN;
INSERT INTO accounts.deals (tenant_id, title, value, org_id, status)
SELECT t, 'deal of tenant ' || t, 10 * t, 1, 'won' FROM generate_series(3, 40) t;
SELECT count(*) FILTER (WHERE l.objid <> 0) AS tenant_locks,
	count(*) FILTER (WHERE l.objid = 0) AS all_tenants_locks,
	string_agg(DISTINCT l.mode, ', ') AS modes
FROM pg_locks l
WHERE l.locktype = 'object' AND l.classid = 'accounts.tenants'::regclass
  AND l.pid = pg_backend_pid();
COMMIT;
SELECT count(*) AS accounts, sum(won_value) AS won_value
FROM accounts.accounts WHERE tenant_id BETWEEN 3 AND 40;
-- a rate change holds its tenant's rates lock in SHARE mode, and the lock
-- of all tenants in ROW EXCLUSIVE mode
BEGIN;
INSERT INTO accounts.currencies (tenant_id, code, rate) VALUES (3, 'USD', 1);
UPDATE accounts.currencies SET rate = 0.9 WHERE tenant_id = 3 AND code = 'USD';
SELECT l.objid, l.mode, count(*) AS locks
FROM pg_locks l
WHERE l.locktype = 'object' AND l.classid = 'accounts.tenants'::regclass
  AND l.pid = pg_backend_pid()
GROUP BY 1, 2 ORDER BY 1;
ROLLBACK;
:check
