-- test/bench/reads_ext_tenants.sql
--
-- Workload B on the extension with many tenants (test/bench/run
-- --tenants N): the statements of reads_ext.sql, each for one tenant, as
-- an application that serves many companies (or the row-level security
-- recipe) asks them.  Arguments cycle through 100 tenants (picked by a
-- hash of the id), their owners and 100 of their accounts.  The baselines
-- have no tenants and are not run in this shape.

PREPARE floor AS SELECT 1;
PREPARE top50(bigint) AS
	SELECT id, name, won_value FROM accounts.accounts
	WHERE tenant_id = $1 ORDER BY won_value DESC LIMIT 50;
PREPARE owner(bigint, bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE tenant_id = $1 AND owner_id = $2
	ORDER BY next_activity_date, id LIMIT 50;
PREPARE owner2(bigint, bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE tenant_id = $1 AND owner_id = $2
	ORDER BY next_activity_date, id LIMIT 50 OFFSET 50;
PREPARE owner_value(bigint, bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE tenant_id = $1 AND owner_id = $2
	ORDER BY won_value DESC, id LIMIT 50;
PREPARE owner_value2(bigint, bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE tenant_id = $1 AND owner_id = $2
	ORDER BY won_value DESC, id LIMIT 50 OFFSET 50;
PREPARE kcounts(bigint) AS SELECT * FROM accounts.kanban_counts(tenant_id => $1);
PREPARE kcol1(bigint) AS
	SELECT * FROM accounts.kanban_column('overdue', page_size => 50, tenant_id => $1);
PREPARE kcol2(bigint, date, bigint) AS
	SELECT * FROM accounts.kanban_column('overdue', after_date => $2, after_id => $3,
										 page_size => 50, tenant_id => $1);
PREPARE byid(bigint, bigint) AS
	SELECT * FROM accounts.accounts WHERE tenant_id = $1 AND id = $2;
PREPARE byid_fn(bigint, bigint) AS
	SELECT * FROM accounts.account_detail($2, tenant_id => $1);
PREPARE timeline(bigint, bigint) AS
	SELECT * FROM accounts.account_timeline($2, page_size => 50, tenant_id => $1);

CREATE TEMP TABLE sample_tenants AS
SELECT tenant_id FROM accounts.tenants
ORDER BY pg_catalog.hashint8(tenant_id), tenant_id LIMIT 100;
CREATE TEMP TABLE args AS
SELECT (SELECT array_agg('(' || tenant_id || ')' ORDER BY tenant_id)
		FROM sample_tenants) AS tenants,
	(SELECT array_agg(format('(%s, %s)', u.tenant_id, u.id) ORDER BY u.tenant_id, u.id)
	 FROM accounts.users u JOIN sample_tenants s USING (tenant_id)) AS owners,
	(SELECT array_agg(format('(%s, %s)', f.tenant_id, f.org_id)
					  ORDER BY pg_catalog.hashint8(f.org_id), f.org_id)
	 FROM (SELECT f.tenant_id, f.org_id FROM accounts.figures f
		   JOIN sample_tenants s USING (tenant_id) WHERE f.won_deals_count > 0
		   ORDER BY pg_catalog.hashint8(f.org_id), f.org_id LIMIT 100) f) AS accounts,
	-- the next page of each tenant's 'overdue' column starts after the last
	-- card of its first page
	(SELECT array_agg(format('(%s, %L, %s)', s.tenant_id,
							 COALESCE(l.next_activity_date, 'infinity'),
							 COALESCE(l.id, 9223372036854775807)) ORDER BY s.tenant_id)
	 FROM sample_tenants s
	 LEFT JOIN LATERAL (SELECT c.next_activity_date, c.id
						FROM accounts.kanban_column('overdue', page_size => 50,
													tenant_id => s.tenant_id) c
						ORDER BY c.next_activity_date DESC, c.id DESC LIMIT 1) l ON true)
		AS after_first_page;

SELECT bench.report_time('B0', 'floor', NULL, :n, :budget);
SELECT bench.report_time('B1', 'top50', (SELECT tenants FROM args), :n, :budget);
SELECT bench.report_time('B2', 'owner', (SELECT owners FROM args), :n, :budget);
SELECT bench.report_time('B2b', 'owner2', (SELECT owners FROM args), :n, :budget);
SELECT bench.report_time('B2c', 'owner_value', (SELECT owners FROM args), :n, :budget);
SELECT bench.report_time('B2d', 'owner_value2', (SELECT owners FROM args), :n, :budget);
SELECT bench.report_time('B3', 'kcounts', (SELECT tenants FROM args), :n, :budget);
SELECT bench.report_time('B4', 'kcol1', (SELECT tenants FROM args), :n, :budget);
SELECT bench.report_time('B5', 'kcol2', (SELECT after_first_page FROM args), :n, :budget);
SELECT bench.report_time('B6', 'byid', (SELECT accounts FROM args), :n, :budget);
SELECT bench.report_time('B7', 'byid_fn', (SELECT accounts FROM args), :n, :budget);
SELECT bench.report_time('B8', 'timeline', (SELECT accounts FROM args), :n, :budget);
