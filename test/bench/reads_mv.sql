-- test/bench/reads_mv.sql
--
-- Workload B on baseline (c), the materialized view bench.accounts_mv (as
-- fresh as its last REFRESH), with indexes on id, won_value, (owner_id,
-- next_activity_date), (owner_id, won_value) and (next_activity_key, id):
-- the same query shapes
-- as the extension's, kanban counts as range counts over an index.

PREPARE floor AS SELECT 1;
PREPARE top50 AS
	SELECT id, name, won_value FROM bench.accounts_mv
	ORDER BY won_value DESC LIMIT 50;
PREPARE owner(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE owner_id = $1
	ORDER BY next_activity_date, id LIMIT 50;
PREPARE owner2(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE owner_id = $1
	ORDER BY next_activity_date, id LIMIT 50 OFFSET 50;
PREPARE owner_value(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE owner_id = $1
	ORDER BY won_value DESC, id LIMIT 50;
PREPARE owner_value2(bigint) AS
	SELECT id, name, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE owner_id = $1
	ORDER BY won_value DESC, id LIMIT 50 OFFSET 50;
PREPARE kcounts AS
	SELECT r.bucket, r.bucket_position, c.accounts, c.won_value
	FROM bench.kanban_ranges() r
	CROSS JOIN LATERAL (
		SELECT count(*) AS accounts, COALESCE(sum(f.won_value), 0) AS won_value
		FROM bench.accounts_mv f
		WHERE f.next_activity_key BETWEEN r.first_day AND r.last_day) c
	WHERE r.first_day IS NOT NULL
	UNION ALL
	SELECT 'no_activity', 7, count(*), COALESCE(sum(f.won_value), 0)
	FROM bench.accounts_mv f
	WHERE f.next_activity_key IS NULL
	ORDER BY 2;
PREPARE kcol1 AS
	SELECT id, name, owner_id, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE next_activity_key < current_date
	ORDER BY next_activity_key, id LIMIT 50;
PREPARE kcol2(date, bigint) AS
	SELECT id, name, owner_id, next_activity_date, next_activity_subject, won_value
	FROM bench.accounts_mv WHERE next_activity_key < current_date
	  AND (next_activity_key, id) > ($1, $2)
	ORDER BY next_activity_key, id LIMIT 50;
PREPARE byid(bigint) AS SELECT * FROM bench.accounts_mv WHERE id = $1;
PREPARE timeline(bigint) AS
	SELECT t.kind, t.id, t.item_time, t.title, t.detail
	FROM (SELECT 'note' AS kind, n.id, n.add_time AS item_time,
			  left(n.content, 60) AS title, left(n.content, 200) AS detail
		  FROM accounts.notes n WHERE n.org_id = $1
		  UNION ALL
		  SELECT 'file', f.id, f.add_time, f.name,
			  concat_ws(', ', f.file_type, pg_size_pretty(f.file_size))
		  FROM accounts.files f WHERE f.org_id = $1
		  UNION ALL
		  SELECT 'activity', a.id,
			  COALESCE((a.due_date + COALESCE(a.due_time, '00:00'))::timestamptz,
					   a.add_time),
			  a.subject, a.type || CASE WHEN a.done THEN ', done' ELSE '' END
		  FROM accounts.activities a WHERE a.org_id = $1
		  UNION ALL
		  SELECT 'deal', d.id, COALESCE(d.won_time, d.lost_time, d.add_time),
			  d.title, d.status || ', ' || d.value || ' ' || d.currency
		  FROM accounts.deals d WHERE d.org_id = $1 AND d.status <> 'deleted') t
	WHERE EXISTS (SELECT FROM bench.accounts_mv m WHERE m.id = $1)
	ORDER BY t.item_time DESC, t.kind DESC, t.id DESC LIMIT 50;

SELECT next_activity_key AS after_date, id AS after_id
FROM (SELECT next_activity_key, id FROM bench.accounts_mv
	  WHERE next_activity_key < current_date
	  ORDER BY next_activity_key, id LIMIT 50) p
ORDER BY 1 DESC, 2 DESC LIMIT 1 \gset

\ir reads_common.sql
