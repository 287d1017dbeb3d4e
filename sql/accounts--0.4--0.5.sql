/* sql/accounts--0.4--0.5.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.5'" to load this file. \quit

/*
 * 0.5: what readers are not meant to query moves out of schema accounts,
 * so that granting SELECT on everything in it hands out only relations that
 * show the organizations a role may see.  accounts_internal is granted to
 * nobody: the recomputations from the base tables (an aggregate over every
 * deal, blind to row-level security on organizations), the trigger
 * functions and the parts of verify() live there.
 */
CREATE SCHEMA accounts_internal;
COMMENT ON SCHEMA accounts_internal IS
'Internals of the accounts extension: not for queries, granted to nobody.';

ALTER VIEW accounts.figures_fresh SET SCHEMA accounts_internal;
ALTER VIEW accounts.figures_by_currency_fresh SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.before_row() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.organization_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.deal_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.activity_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.count_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.currency_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.truncate_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.view_write() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.board_after() SET SCHEMA accounts_internal;
ALTER FUNCTION accounts.verify_figures() SET SCHEMA accounts_internal;

/*
 * Every stored figure that differs from a fresh recomputation.  The figures
 * are compared by name as the two rows give them, so that the list of
 * figures lives in the table and in the code that writes it, not here too.
 * The rows become jsonb through json: to_jsonb() of a row keeps pointers to
 * the names of the row type's columns past the release of its descriptor,
 * and read freed memory when an invalidation rebuilt it meanwhile (seen
 * with debug_discard_caches); row_to_json() copies them at once.
 */
CREATE OR REPLACE FUNCTION accounts_internal.verify_figures()
RETURNS TABLE (org_id bigint, figure text, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(s.org_id, e.org_id), v.figure, v.stored, v.expected
	FROM accounts.figures s
	FULL JOIN accounts_internal.figures_fresh e ON e.org_id = s.org_id
	CROSS JOIN LATERAL (SELECT pg_catalog.row_to_json(s)::jsonb AS s,
							   pg_catalog.row_to_json(e)::jsonb AS e OFFSET 0) j
	CROSS JOIN LATERAL (
		SELECT 'row', to_jsonb(s.org_id IS NOT NULL), to_jsonb(e.org_id IS NOT NULL)
		UNION ALL
		SELECT f.figure, NULLIF(j.s -> f.figure, 'null'),
			NULLIF(j.e -> f.figure, 'null')
		FROM jsonb_object_keys(COALESCE(j.e, j.s)) AS f(figure)
		WHERE f.figure <> 'org_id'
	) AS v(figure, stored, expected)
	WHERE v.stored IS DISTINCT FROM v.expected
	UNION ALL
	SELECT COALESCE(s.org_id, e.org_id), 'won_value_by_currency',
		s.by_currency, e.by_currency
	FROM (SELECT c.org_id, jsonb_object_agg(c.currency,
				jsonb_build_array(c.won_deals_count, c.won_value)) AS by_currency
		  FROM accounts.figures_by_currency c GROUP BY c.org_id) s
	FULL JOIN (SELECT c.org_id, jsonb_object_agg(c.currency,
				jsonb_build_array(c.won_deals_count, c.won_value)) AS by_currency
		  FROM accounts_internal.figures_by_currency_fresh c GROUP BY c.org_id) e
		ON e.org_id = s.org_id
	WHERE s.by_currency IS DISTINCT FROM e.by_currency
	ORDER BY 1, 2
$$;

CREATE OR REPLACE FUNCTION accounts.verify()
RETURNS TABLE (org_id bigint, figure text, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM accounts_internal.verify_figures()
	UNION ALL
	-- the board by day against the stored figures (a day nobody is on any
	-- more may keep rows that sum to zero; no next activity date is
	-- '-infinity', due dates being finite)
	SELECT NULL, 'kanban_days',
		jsonb_build_object('day', s.day, 'accounts', s.accounts, 'won_value', s.won_value),
		jsonb_build_object('day', e.day, 'accounts', e.accounts, 'won_value', e.won_value)
	FROM (SELECT k.day, sum(k.accounts) AS accounts, sum(k.won_value) AS won_value
		  FROM accounts.kanban_days k GROUP BY k.day
		  HAVING sum(k.accounts) <> 0 OR sum(k.won_value) <> 0) s
	FULL JOIN (SELECT f.next_activity_date AS day, count(*) AS accounts,
				   sum(f.won_value) AS won_value
			   FROM accounts.figures f WHERE f.won_deals_count > 0
			   GROUP BY f.next_activity_date) e
		ON COALESCE(e.day, '-infinity') = COALESCE(s.day, '-infinity')
	WHERE (s.accounts, s.won_value) IS DISTINCT FROM (e.accounts, e.won_value)
	ORDER BY 1, 2, 3
$$;

/*
 * The tables that the triggers write row by row, without the executor
 * (src/direct.c): no constraint, default, trigger or rule of theirs runs
 * there.  What their owner adds of those is refused when it is made, by an
 * event trigger that compares what gives them behaviour (below) with what
 * the extension made (accounts_internal.shipped).  Columns without a
 * default or NOT NULL, indexes (which the direct writes maintain, unique
 * ones checked), storage options, policies and publications are free.
 * account_events is not among them: it is written in SQL, which applies
 * all of these, as soon as it has any (src/events.c).
 */
CREATE VIEW accounts_internal.behaviour AS
SELECT c.relname, b.item
FROM pg_catalog.pg_class c
CROSS JOIN LATERAL (
	SELECT pg_catalog.format('column %I %s', a.attname, x.what)
	FROM pg_catalog.pg_attribute a
	LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	CROSS JOIN LATERAL (
		SELECT 'NOT NULL' WHERE a.attnotnull
		UNION ALL
		SELECT CASE WHEN a.attgenerated <> '' THEN 'GENERATED ALWAYS AS ' ELSE 'DEFAULT ' END
			|| pg_catalog.pg_get_expr(d.adbin, d.adrelid)
		WHERE d.adbin IS NOT NULL
		UNION ALL
		SELECT 'GENERATED AS IDENTITY' WHERE a.attidentity <> ''
		UNION ALL
		-- a domain's constraints would apply to a NULL stored in the column
		SELECT 'of domain ' || a.atttypid::pg_catalog.regtype::text
		FROM pg_catalog.pg_type ty
		WHERE ty.oid = a.atttypid AND ty.typtype = 'd'
	) AS x(what)
	WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT pg_catalog.format('constraint %I %s', n.conname,
							 pg_catalog.pg_get_constraintdef(n.oid))
	FROM pg_catalog.pg_constraint n
	WHERE n.conrelid = c.oid AND n.contype <> 'n'
	UNION ALL
	SELECT pg_catalog.format('trigger %I %s', t.tgname,
		CASE t.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled'
			WHEN 'R' THEN 'enabled on replicas only' ELSE 'always enabled' END)
		|| ', calling ' || t.tgfoid::pg_catalog.regprocedure::text
	FROM pg_catalog.pg_trigger t
	WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT pg_catalog.format('rule %I', r.rulename)
	FROM pg_catalog.pg_rewrite r
	WHERE r.ev_class = c.oid
	UNION ALL
	SELECT pg_catalog.format('parent %s', i.inhparent::pg_catalog.regclass)
	FROM pg_catalog.pg_inherits i
	WHERE i.inhrelid = c.oid
) AS b(item)
WHERE c.relnamespace = 'accounts'::pg_catalog.regnamespace
  AND c.relname IN ('figures', 'figures_by_currency', 'kanban_days');
ALTER VIEW accounts_internal.behaviour SET (security_invoker = true);
COMMENT ON VIEW accounts_internal.behaviour IS
'Internal: what gives behaviour to the tables that the triggers write without the executor: constraints, defaults, NOT NULL, triggers, rules, parents.';

/*
 * accounts_internal.behaviour as the extension makes it, written out here,
 * not read off the tables: what an owner added to them before this version
 * would otherwise pass for the extension's own.  (A view, not a table: a
 * publication FOR ALL TABLES would copy a table into the subscriber's.)
 * A later version's script that changes these tables makes it again.
 */
CREATE VIEW accounts_internal.shipped (relname, item) AS VALUES
	('figures'::name, 'column activities_count DEFAULT 0'::text),
	('figures', 'column activities_count NOT NULL'),
	('figures', 'column done_activities_count DEFAULT 0'),
	('figures', 'column done_activities_count NOT NULL'),
	('figures', 'column files_count DEFAULT 0'),
	('figures', 'column files_count NOT NULL'),
	('figures', 'column lost_deals_count DEFAULT 0'),
	('figures', 'column lost_deals_count NOT NULL'),
	('figures', 'column notes_count DEFAULT 0'),
	('figures', 'column notes_count NOT NULL'),
	('figures', 'column open_deals_count DEFAULT 0'),
	('figures', 'column open_deals_count NOT NULL'),
	('figures', 'column open_deals_value DEFAULT 0'),
	('figures', 'column open_deals_value NOT NULL'),
	('figures', 'column open_deals_weighted_value DEFAULT 0'),
	('figures', 'column open_deals_weighted_value NOT NULL'),
	('figures', 'column org_id NOT NULL'),
	('figures', 'column people_count DEFAULT 0'),
	('figures', 'column people_count NOT NULL'),
	('figures', 'column won_deals_count DEFAULT 0'),
	('figures', 'column won_deals_count NOT NULL'),
	('figures', 'column won_value DEFAULT 0'),
	('figures', 'column won_value NOT NULL'),
	('figures', 'constraint figures_pkey PRIMARY KEY (org_id)'),
	('figures', 'trigger figures_board_delete enabled, calling accounts_internal.board_after()'),
	('figures', 'trigger figures_board_insert enabled, calling accounts_internal.board_after()'),
	('figures', 'trigger figures_board_update enabled, calling accounts_internal.board_after()'),
	('figures_by_currency', 'column currency NOT NULL'),
	('figures_by_currency', 'column org_id NOT NULL'),
	('figures_by_currency', 'column won_deals_count NOT NULL'),
	('figures_by_currency', 'column won_value NOT NULL'),
	('figures_by_currency', 'constraint figures_by_currency_pkey PRIMARY KEY (org_id, currency)'),
	('kanban_days', 'column accounts NOT NULL'),
	('kanban_days', 'column slot NOT NULL'),
	('kanban_days', 'column won_value NOT NULL'),
	('kanban_days', 'constraint kanban_days_day_slot UNIQUE NULLS NOT DISTINCT (day, slot)');
ALTER VIEW accounts_internal.shipped SET (security_invoker = true);

/*
 * What an owner added to these tables before 0.5 was skipped in silence by
 * the triggers' writes: the update refuses to go on while it is there.
 */
DO $$
DECLARE
	added record;
BEGIN
	SELECT b.relname, b.item INTO added
	FROM accounts_internal.behaviour b
	EXCEPT SELECT s.relname, s.item FROM accounts_internal.shipped s
	ORDER BY 1, 2 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'table "accounts.%" has %, which the triggers of the accounts extension do not apply', added.relname, added.item
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'They write this table row by row without the executor: constraints, defaults, NOT NULL, triggers and rules added to it do not apply there.',
				  HINT = 'Drop it, then update the extension again.';
	END IF;
END
$$;
COMMENT ON VIEW accounts_internal.shipped IS
'Internal: accounts_internal.behaviour as the extension makes it; each version''s script that changes these tables makes it again.';

CREATE FUNCTION accounts_internal.guard_ddl() RETURNS event_trigger
	LANGUAGE c
	SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'accounts_guard_ddl';
REVOKE ALL ON FUNCTION accounts_internal.guard_ddl() FROM PUBLIC;
CREATE EVENT TRIGGER accounts_internal_tables ON ddl_command_end
	EXECUTE FUNCTION accounts_internal.guard_ddl();
