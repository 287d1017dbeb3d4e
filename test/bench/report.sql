-- test/bench/report.sql
--
-- The benchmark's table, from the measurements the runner loaded into
-- bench_results (key, variant, round, value, extra): one markdown row per
-- workload and variant with the median over the rounds, the median of the
-- per-round ratios to the workload's baseline (measured in the same round),
-- the target where the issue sets one, and pass or miss.  Needs
-- :kanban_target (ms), :n_insert and :n_copy (labels).

CREATE TEMP TABLE catalogue (key text, ord numeric, label text, unit text,
	base_key text, base_variant text, target_op text, target float8);
INSERT INTO catalogue VALUES
	('A1', 1, 'A write mix, 1 client', 'tps', 'A1', 'bare', '>=x', 0.80),
	('A2', 2, 'A write mix, 2 clients', 'tps', 'A2', 'bare', '>=x', 0.80),
	('A1.win', 3, 'A latency, 1 client: win a deal', 'ms', 'A1.win', 'bare', NULL, NULL),
	('A1.reopen', 4, 'A latency, 1 client: reopen a deal', 'ms', 'A1.reopen', 'bare', NULL, NULL),
	('A1.value', 5, 'A latency, 1 client: change a deal''s value', 'ms', 'A1.value', 'bare', NULL, NULL),
	('A1.move', 6, 'A latency, 1 client: move a deal', 'ms', 'A1.move', 'bare', NULL, NULL),
	('A1.add_activity', 7, 'A latency, 1 client: schedule an activity', 'ms', 'A1.add_activity', 'bare', NULL, NULL),
	('A1.complete', 8, 'A latency, 1 client: complete the next activity', 'ms', 'A1.complete', 'bare', NULL, NULL),
	('B0', 10, 'B floor: prepared SELECT 1', 'ms', NULL, NULL, NULL, NULL),
	('B1', 11, 'B top 50 accounts by won value', 'ms', 'B1', 'view', '<ms', 0.2),
	('B2', 12, 'B one owner''s accounts by next activity, first page (50)', 'ms', 'B2', 'view', '<ms', 1),
	('B2b', 12.1, 'B one owner''s accounts by next activity, next page (50)', 'ms', 'B2b', 'view', '<ms', 1),
	('B2c', 12.2, 'B one owner''s accounts by won value, first page (50)', 'ms', 'B2c', 'view', '<ms', 1),
	('B2d', 12.3, 'B one owner''s accounts by won value, next page (50)', 'ms', 'B2d', 'view', '<ms', 1),
	('B3', 13, 'B kanban counts', 'ms', 'B3', 'view', '<ms', :kanban_target),
	('B4', 14, 'B kanban column ''overdue'', first page (50)', 'ms', 'B4', 'view', '<ms', 1),
	('B5', 15, 'B kanban column ''overdue'', next page (50)', 'ms', 'B5', 'view', '<ms', 1),
	('B6', 16, 'B one account by id', 'ms', 'B6', 'view', '<ms', 0.2),
	('B7', 17, 'B one account by id, through accounts.account_detail(id)', 'ms', 'B6', 'view', NULL, NULL),
	('B8', 18, 'B one account''s timeline (50 items)', 'ms', 'B8', 'view', NULL, NULL),
	('C1', 20, 'C one INSERT of ' || :'n_insert' || ' deals', 'ms', 'C1', 'bare', '<=x', 1.5),
	('C2', 21, 'C COPY of ' || :'n_copy' || ' deals', 'ms', 'C2', 'bare', NULL, NULL),
	('D1', 30, 'D recompute every figure', 'ms', 'D1', 'aggregate', '<=x', 1.3),
	('E1', 40, 'E lock probe: deal of another organization', 'wait', NULL, NULL, 'nowait', NULL),
	('E2', 41, 'E lock probe: another deal of the same organization', 'wait', NULL, NULL, NULL, NULL),
	('E3', 42, 'E lock probe: activity of the same organization', 'wait', NULL, NULL, NULL, NULL),
	('E4', 43, 'E lock probe: deal of another tenant during a rate change', 'wait', NULL, NULL, 'nowait', NULL),
	('E5', 44, 'E lock probe: deal of the same tenant during a rate change', 'wait', NULL, NULL, NULL, NULL),
	('F1', 50, 'F size of the maintained tables and indexes', 'MB', 'F1', 'base', NULL, NULL);

CREATE TEMP TABLE variants (variant text, label text, ord int);
INSERT INTO variants VALUES
	('ext', '**accounts** (C triggers)', 1),
	('bare', '(a) bare tables', 2),
	('view', '(b) plain view', 3),
	('mv', '(c) materialized view', 4),
	('pl', '(d) PL/pgSQL triggers', 5),
	('aggregate', 'bare aggregate query', 6),
	('base', 'base tables, for scale', 7);

CREATE FUNCTION pg_temp.fmt(v float8, unit text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL THEN '—'
		WHEN unit = 'tps' THEN round(v)::text || ' TPS'
		WHEN unit = 'MB' THEN round(v::numeric, 1)::text || ' MB'
		WHEN unit = 'ms' AND v >= 1000 THEN round((v / 1000)::numeric, 2)::text || ' s'
		WHEN unit = 'ms' AND v >= 10 THEN round(v::numeric, 1)::text || ' ms'
		WHEN unit = 'ms' AND v >= 1 THEN round(v::numeric, 2)::text || ' ms'
		ELSE round(v::numeric, 3)::text || ' ms' END
$$;

WITH per_round AS (
	SELECT r.key, r.variant, r.round, r.value, r.extra,
		r.value / NULLIF(b.value, 0) AS ratio
	FROM bench_results r
	JOIN catalogue c ON c.key = r.key
	LEFT JOIN bench_results b
		ON b.key = c.base_key AND b.variant = c.base_variant AND b.round = r.round
),
agg AS (
	SELECT key, variant,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS value,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS ratio,
		count(*) AS rounds,
		percentile_disc(0.5) WITHIN GROUP (ORDER BY extra) AS extra
	FROM per_round GROUP BY key, variant
),
rows AS (
	SELECT c.ord, v.ord AS vord, c.key, c.label, v.label AS vlabel, c.unit,
		a.value, a.ratio, a.rounds, a.extra, c.base_variant, a.variant,
		CASE WHEN a.variant <> 'ext' OR c.target_op IS NULL THEN NULL
			 WHEN c.target_op = '>=x' THEN '≥ ' || c.target || '×'
			 WHEN c.target_op = '<=x' THEN '≤ ' || c.target || '×'
			 WHEN c.target_op = '<ms' THEN '< ' || c.target || ' ms'
			 WHEN c.target_op = 'nowait' THEN 'no wait' END AS target,
		CASE WHEN a.variant <> 'ext' OR c.target_op IS NULL THEN NULL
			 WHEN c.target_op = '>=x' THEN a.ratio >= c.target
			 WHEN c.target_op = '<=x' THEN a.ratio <= c.target
			 WHEN c.target_op = '<ms' THEN a.value < c.target
			 WHEN c.target_op = 'nowait' THEN a.value = 0 END AS pass
	FROM agg a
	JOIN catalogue c ON c.key = a.key
	JOIN variants v ON v.variant = a.variant
)
SELECT string_agg(line, E'\n' ORDER BY o1, o2) FROM (
	SELECT 0 AS o1, 0 AS o2,
		'| workload | variant | median | ratio to baseline | target | result | samples |' || E'\n' ||
		'|---|---|---:|---:|---|---|---|' AS line
	UNION ALL
	SELECT ord, CASE WHEN variant = base_variant THEN 0 ELSE vord END,
		format('| %s | %s | %s | %s | %s | %s | %s |',
			label, vlabel,
			CASE WHEN unit = 'wait' THEN extra ELSE pg_temp.fmt(value, unit) END,
			CASE WHEN ratio IS NULL THEN ''
				 WHEN variant = base_variant THEN 'baseline'
				 WHEN ratio >= 100 THEN round(ratio::numeric)::text || '× ' || base_variant
				 WHEN ratio >= 0.01 THEN round(ratio::numeric, 2)::text || '× ' || base_variant
				 ELSE trim(to_char(ratio, '9.9EEEE')) || '× ' || base_variant END,
			COALESCE(target, ''),
			CASE WHEN pass THEN 'pass' WHEN NOT pass THEN '**miss**' ELSE '' END,
			rounds || CASE WHEN unit = 'ms' AND key LIKE 'B%' AND extra IS NOT NULL
						   THEN '×' || extra ELSE '' END)
	FROM rows) t;
