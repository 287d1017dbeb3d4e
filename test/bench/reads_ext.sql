-- test/bench/reads_ext.sql
--
-- Workload B on the extension: its views and functions, as the README
-- shows them.  The kanban column is 'overdue', the largest one.

PREPARE floor AS SELECT 1;
PREPARE top50 AS
	SELECT id, name, won_value FROM accounts.accounts
	ORDER BY won_value DESC LIMIT 50;
PREPARE owner(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE owner_id = $1
	ORDER BY next_activity_date, id LIMIT 50;
PREPARE owner2(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE owner_id = $1
	ORDER BY next_activity_date, id LIMIT 50 OFFSET 50;
PREPARE owner_value(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE owner_id = $1
	ORDER BY won_value DESC, id LIMIT 50;
PREPARE owner_value2(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM accounts.accounts WHERE owner_id = $1
	ORDER BY won_value DESC, id LIMIT 50 OFFSET 50;
PREPARE kcounts AS SELECT * FROM accounts.kanban_counts();
PREPARE kcol1 AS SELECT * FROM accounts.kanban_column('overdue', page_size => 50);
PREPARE kcol2(date, bigint) AS
	SELECT * FROM accounts.kanban_column('overdue', after_date => $1,
										 after_id => $2, page_size => 50);
PREPARE byid(bigint) AS SELECT * FROM accounts.accounts WHERE id = $1;
PREPARE byid_fn(bigint) AS SELECT * FROM accounts.account_detail($1);
PREPARE timeline(bigint) AS SELECT * FROM accounts.account_timeline($1, page_size => 50);

SELECT next_activity_date AS after_date, id AS after_id
FROM accounts.kanban_column('overdue', page_size => 50)
ORDER BY next_activity_date DESC, id DESC LIMIT 1 \gset

SELECT bench.report_time('B7', 'byid_fn', bench.account_args(), :n, :budget);
\ir reads_common.sql
