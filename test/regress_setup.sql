-- test/regress_setup.sql: the start of the pg_regress tests that check
-- the figures (base, figures, currencies, events, views, maintenance): a
-- fresh extension, fixed settings, and the checks they run after every step.
-- Each test reads it with \i test/regress_setup.sql.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS accounts CASCADE;
CREATE EXTENSION accounts;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
-- the checks below are cheap; compiling them with JIT only slows them down
SET jit = off;
-- errors show message, detail and hint, without the C context lines
\set SHOW_CONTEXT never

-- The figures of every organization recomputed from the base tables, written
-- independently of the extension's own figures_fresh view; every join
-- within the organization's tenant.
CREATE TEMP VIEW expected_summary AS
SELECT o.id, o.name, o.owner_id, o.address, o.label, o.custom_fields,
	o.add_time, o.update_time,
	won.n > 0 AS is_account,
	won.n AS won_deals_count,
	won.total AS won_value,
	COALESCE(by_currency.totals, '{}') AS won_value_by_currency,
	won.first_time AS first_won_time,
	won.last_time AS last_won_time,
	op.n AS open_deals_count,
	op.total AS open_deals_value,
	op.weighted AS open_deals_weighted_value,
	lost.n AS lost_deals_count,
	won.n + lost.n AS closed_deals_count,
	(SELECT count(*) FROM accounts.persons p
	 WHERE p.tenant_id = o.tenant_id AND p.org_id = o.id)::integer AS people_count,
	(SELECT count(*) FROM accounts.notes n
	 WHERE n.tenant_id = o.tenant_id AND n.org_id = o.id)::integer AS notes_count,
	(SELECT count(*) FROM accounts.files f
	 WHERE f.tenant_id = o.tenant_id AND f.org_id = o.id)::integer AS files_count,
	o.tenant_id
FROM accounts.organizations o,
LATERAL (SELECT count(*)::integer AS n,
			COALESCE(sum(d.value * c.rate), 0) AS total,
			min(d.won_time) AS first_time, max(d.won_time) AS last_time
		 FROM accounts.deals d
		 JOIN accounts.currencies c ON c.tenant_id = d.tenant_id AND c.code = d.currency
		 WHERE d.tenant_id = o.tenant_id AND d.org_id = o.id AND d.status = 'won') won,
LATERAL (SELECT count(*)::integer AS n,
			COALESCE(sum(d.value * c.rate), 0) AS total,
			-- a deal without probability counts in full; * 0.01 is exact
			COALESCE(sum(d.value * c.rate * COALESCE(d.probability, 100)) * 0.01,
					 0) AS weighted
		 FROM accounts.deals d
		 JOIN accounts.currencies c ON c.tenant_id = d.tenant_id AND c.code = d.currency
		 WHERE d.tenant_id = o.tenant_id AND d.org_id = o.id AND d.status = 'open') op,
LATERAL (SELECT count(*)::integer AS n FROM accounts.deals d
		 WHERE d.tenant_id = o.tenant_id AND d.org_id = o.id AND d.status = 'lost') lost,
LATERAL (SELECT jsonb_object_agg(t.currency, t.total) AS totals
		 FROM (SELECT d.currency, sum(d.value) AS total FROM accounts.deals d
			   WHERE d.tenant_id = o.tenant_id AND d.org_id = o.id AND d.status = 'won'
			   GROUP BY d.currency) t) by_currency;

-- Everything that is wrong, empty when all is well: accounts.verify(), the
-- views compared with the recomputation above (EXCEPT ALL both ways; the
-- rows shown leave out add_time and update_time, compared all the same), and
-- the account history: kinds alternate per organization, and the last event
-- of an organization says whether it is an account now; and the board
-- counts agree with the cards of the kanban view, bucketed one by one.
CREATE TEMP VIEW problems AS
SELECT 'verify' AS source, v.org_id,
	v.figure || ': stored ' || COALESCE(v.stored::text, 'none') ||
	', expected ' || COALESCE(v.expected::text, 'none') AS detail
FROM accounts.verify() v
UNION ALL
SELECT 'organization_summary lacks', x.id, (to_jsonb(x) - 'add_time' - 'update_time')::text
FROM (SELECT * FROM expected_summary
	  EXCEPT ALL
	  SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, is_account, won_deals_count, won_value,
		won_value_by_currency, first_won_time, last_won_time,
		open_deals_count, open_deals_value, open_deals_weighted_value,
		lost_deals_count, closed_deals_count, people_count, notes_count,
		files_count, tenant_id
	  FROM accounts.organization_summary) x
UNION ALL
SELECT 'organization_summary has extra', x.id, (to_jsonb(x) - 'add_time' - 'update_time')::text
FROM (SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, is_account, won_deals_count, won_value,
		won_value_by_currency, first_won_time, last_won_time,
		open_deals_count, open_deals_value, open_deals_weighted_value,
		lost_deals_count, closed_deals_count, people_count, notes_count,
		files_count, tenant_id
	  FROM accounts.organization_summary
	  EXCEPT ALL
	  SELECT * FROM expected_summary) x
UNION ALL
SELECT 'accounts lacks', x.id, (to_jsonb(x) - 'add_time' - 'update_time')::text
FROM (SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, won_deals_count, won_value, won_value_by_currency,
		first_won_time, last_won_time, open_deals_count, open_deals_value,
		open_deals_weighted_value, lost_deals_count, closed_deals_count,
		people_count, notes_count, files_count, tenant_id
	  FROM expected_summary WHERE is_account
	  EXCEPT ALL
	  SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, won_deals_count, won_value, won_value_by_currency,
		first_won_time, last_won_time, open_deals_count, open_deals_value,
		open_deals_weighted_value, lost_deals_count, closed_deals_count,
		people_count, notes_count, files_count, tenant_id
	  FROM accounts.accounts) x
UNION ALL
SELECT 'accounts has extra', x.id, (to_jsonb(x) - 'add_time' - 'update_time')::text
FROM (SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, won_deals_count, won_value, won_value_by_currency,
		first_won_time, last_won_time, open_deals_count, open_deals_value,
		open_deals_weighted_value, lost_deals_count, closed_deals_count,
		people_count, notes_count, files_count, tenant_id
	  FROM accounts.accounts
	  EXCEPT ALL
	  SELECT id, name, owner_id, address, label, custom_fields, add_time,
		update_time, won_deals_count, won_value, won_value_by_currency,
		first_won_time, last_won_time, open_deals_count, open_deals_value,
		open_deals_weighted_value, lost_deals_count, closed_deals_count,
		people_count, notes_count, files_count, tenant_id
	  FROM expected_summary WHERE is_account) x
UNION ALL
SELECT 'account_events doubled', e.org_id,
	e.kind || ' twice in a row, event ' || e.id
FROM (SELECT id, org_id, kind,
		lag(kind) OVER (PARTITION BY tenant_id, org_id ORDER BY id) AS previous
	  FROM accounts.account_events) e
WHERE e.kind = e.previous
UNION ALL
SELECT 'account_events disagree', o.id,
	CASE WHEN o.is_account THEN 'account, last event '
		ELSE 'no account, last event ' END || COALESCE(l.kind, 'none')
FROM (SELECT tenant_id, id, is_account FROM expected_summary
	  UNION ALL
	  SELECT DISTINCT tenant_id, org_id, false FROM accounts.account_events e
	  WHERE NOT EXISTS (SELECT FROM accounts.organizations x
						WHERE x.tenant_id = e.tenant_id AND x.id = e.org_id)) o
LEFT JOIN LATERAL (SELECT kind FROM accounts.account_events e
				   WHERE e.tenant_id = o.tenant_id AND e.org_id = o.id
				   ORDER BY e.id DESC LIMIT 1) l ON true
WHERE o.is_account IS DISTINCT FROM (l.kind = 'created')
	AND (o.is_account OR l.kind IS NOT NULL)
UNION ALL
SELECT 'kanban_counts disagree', NULL,
	c.bucket || ': ' || c.accounts || ' accounts, ' || c.won_value ||
	'; the board has ' || COALESCE(k.accounts, 0) || ', ' || COALESCE(k.won_value, 0)
FROM accounts.kanban_counts() c
LEFT JOIN (SELECT bucket, count(*) AS accounts, sum(won_value) AS won_value
		   FROM accounts.kanban WHERE tenant_id = accounts.current_tenant()
		   GROUP BY bucket) k ON k.bucket = c.bucket
WHERE (c.accounts, c.won_value) <> (COALESCE(k.accounts, 0), COALESCE(k.won_value, 0))
ORDER BY 1, 2, 3;

