/* sql/accounts--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2: the kanban board by day, so that kanban_counts() reads a few hundred
 * rows instead of every account; kanban_counts(), kanban_column(),
 * account() and timeline() in PL/pgSQL, so that their plans are kept
 * between calls.  A fresh install runs 0.1 and then this script.
 */

/*
 * Accounts and their won value per next activity day (NULL: no undone
 * activity; 'infinity': an undone activity without a date).  Each backend
 * adds its changes to its own slot (its backend id), so that two running
 * transactions never write the same row; a day's figures are the sum over
 * its slots.  rebuild() folds the slots into slot 0.  Derived data, never
 * dumped.
 */
CREATE TABLE accounts.kanban_days (
	day			date,
	slot		integer NOT NULL,
	accounts	bigint NOT NULL,
	won_value	numeric NOT NULL,
	CONSTRAINT kanban_days_day_slot UNIQUE NULLS NOT DISTINCT (day, slot)
) WITH (fillfactor = 50);
COMMENT ON TABLE accounts.kanban_days IS
'Internal: accounts and their won value per next activity day, by backend slot, kept by the triggers on accounts.figures. Read them through accounts.kanban_counts().';

INSERT INTO accounts.kanban_days (day, slot, accounts, won_value)
SELECT next_activity_date, 0, count(*), sum(won_value)
FROM accounts.figures
WHERE won_deals_count > 0
GROUP BY next_activity_date;

CREATE FUNCTION accounts.board_after() RETURNS trigger
	LANGUAGE c
	SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'accounts_board_after';
REVOKE ALL ON FUNCTION accounts.board_after() FROM PUBLIC;

CREATE TRIGGER figures_board_insert AFTER INSERT ON accounts.figures
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION accounts.board_after();
CREATE TRIGGER figures_board_update AFTER UPDATE ON accounts.figures
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION accounts.board_after();
CREATE TRIGGER figures_board_delete AFTER DELETE ON accounts.figures
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION accounts.board_after();

/*
 * The rows count every account, so they are readable only by those who see
 * every organization: no row level security on organizations applies to
 * them.  Everybody else gets no rows, and kanban_counts() counts their
 * visible accounts one by one.
 */
ALTER TABLE accounts.kanban_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY kanban_days_for_who_sees_every_organization ON accounts.kanban_days
	FOR SELECT
	USING (pg_catalog.has_column_privilege('accounts.organizations', 'id', 'SELECT')
		   AND NOT pg_catalog.row_security_active('accounts.organizations'));
GRANT SELECT ON accounts.kanban_days TO PUBLIC;

CREATE OR REPLACE FUNCTION accounts.kanban_counts(as_of pg_catalog.date DEFAULT NULL)
RETURNS TABLE (bucket text, bucket_position integer, accounts bigint,
			   won_value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
BEGIN
	IF has_column_privilege('accounts.organizations', 'id', 'SELECT')
	   AND NOT row_security_active('accounts.organizations') THEN
		-- every account is visible: sum the board by day
		RETURN QUERY
		SELECT r.bucket, r.bucket_position,
			COALESCE(sum(d.accounts), 0)::bigint, COALESCE(sum(d.won_value), 0)
		FROM accounts.kanban_ranges(as_of) r
		LEFT JOIN (SELECT k.day, sum(k.accounts) AS accounts,
					   sum(k.won_value) AS won_value
				   FROM accounts.kanban_days k GROUP BY k.day) d
			ON CASE WHEN r.first_day IS NULL THEN d.day IS NULL
				ELSE d.day BETWEEN r.first_day AND r.last_day END
		GROUP BY r.bucket, r.bucket_position
		ORDER BY r.bucket_position;
	ELSE
		-- row level security decides: count the visible accounts
		RETURN QUERY
		SELECT r.bucket, r.bucket_position, c.accounts, c.won_value
		FROM accounts.kanban_ranges(as_of) r
		CROSS JOIN LATERAL (
			SELECT count(*) AS accounts, COALESCE(sum(f.won_value), 0) AS won_value
			FROM accounts.figures f
			WHERE f.won_deals_count > 0
			  AND f.next_activity_date BETWEEN r.first_day AND r.last_day) c
		WHERE r.first_day IS NOT NULL
		UNION ALL
		SELECT 'no_activity', 7, count(*), COALESCE(sum(f.won_value), 0)
		FROM accounts.figures f
		WHERE f.won_deals_count > 0 AND f.next_activity_date IS NULL
		ORDER BY 2;
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION accounts.kanban_column(bucket text,
	after_date pg_catalog.date DEFAULT NULL, after_id bigint DEFAULT NULL,
	page_size integer DEFAULT 50, as_of pg_catalog.date DEFAULT NULL)
RETURNS SETOF accounts.kanban
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	RETURN QUERY
	SELECT o.id, o.name, o.owner_id, p.bucket, p.bucket_position, f.next_activity_id,
		NULLIF(f.next_activity_date, 'infinity'), f.next_activity_time,
		f.next_activity_subject, f.won_value, f.won_deals_count,
		f.last_activity_date
	FROM (SELECT r.bucket, r.bucket_position, r.first_day, r.last_day
		  FROM accounts.kanban_ranges(as_of) r
		  WHERE r.bucket = kanban_column.bucket::accounts.bucket::text) p
	CROSS JOIN LATERAL (
		(SELECT g.org_id, g.next_activity_date FROM accounts.figures g
		 WHERE p.first_day IS NOT NULL
		   AND g.won_deals_count > 0
		   AND g.next_activity_date BETWEEN p.first_day AND p.last_day
		   AND (g.next_activity_date, g.org_id) >
			   (CASE WHEN after_id IS NULL THEN p.first_day
					 ELSE COALESCE(after_date, 'infinity') END,
				COALESCE(after_id, -9223372036854775808))
		 ORDER BY g.next_activity_date, g.org_id
		 LIMIT page_size)
		UNION ALL
		(SELECT g.org_id, g.next_activity_date FROM accounts.figures g
		 WHERE p.first_day IS NULL
		   AND g.won_deals_count > 0
		   AND g.next_activity_date IS NULL
		   AND g.org_id > COALESCE(after_id, -9223372036854775808)
		 ORDER BY g.next_activity_date, g.org_id
		 LIMIT page_size)) c
	-- one index lookup per card, whatever the planner thinks of page_size
	CROSS JOIN LATERAL (SELECT * FROM accounts.figures f1
						WHERE f1.org_id = c.org_id OFFSET 0) f
	CROSS JOIN LATERAL (SELECT * FROM accounts.organizations o1
						WHERE o1.id = c.org_id OFFSET 0) o
	ORDER BY c.next_activity_date, c.org_id;
END
$$;

/* account() and timeline() in PL/pgSQL too: their plans are kept */
CREATE OR REPLACE FUNCTION accounts.account(account_id bigint)
RETURNS SETOF accounts.accounts
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	RETURN QUERY SELECT * FROM accounts.accounts a WHERE a.id = account_id;
END
$$;

CREATE OR REPLACE FUNCTION accounts.timeline(account_id bigint,
	before timestamptz DEFAULT NULL, lim integer DEFAULT 50,
	before_kind text DEFAULT NULL, before_id bigint DEFAULT NULL)
RETURNS TABLE (kind text, id bigint, item_time timestamptz, title text,
			   detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	RETURN QUERY
	SELECT t.kind, t.id, t.item_time, t.title, t.detail
	FROM (SELECT 'note' AS kind, n.id, n.add_time AS item_time,
			  left(n.content, 60) AS title, left(n.content, 200) AS detail
		  FROM accounts.account_notes n WHERE n.account_id = timeline.account_id
		  UNION ALL
		  SELECT 'file', f.id, f.add_time, f.name,
			  concat_ws(', ', f.file_type, pg_size_pretty(f.file_size))
		  FROM accounts.account_files f WHERE f.account_id = timeline.account_id
		  UNION ALL
		  SELECT 'activity', a.id,
			  COALESCE((a.due_date + COALESCE(a.due_time, '00:00'))::timestamptz,
					   a.add_time),
			  a.subject, a.type || CASE WHEN a.done THEN ', done' ELSE '' END
		  FROM accounts.account_activities a WHERE a.account_id = timeline.account_id
		  UNION ALL
		  SELECT 'deal', d.id, COALESCE(d.won_time, d.lost_time, d.add_time),
			  d.title, d.status || ', ' || d.value || ' ' || d.currency
		  FROM accounts.account_deals d WHERE d.account_id = timeline.account_id) t
	WHERE timeline.before IS NULL
	   OR t.item_time < timeline.before
	   OR (t.item_time = timeline.before AND timeline.before_kind IS NOT NULL
		   AND (t.kind, t.id) < (timeline.before_kind, COALESCE(timeline.before_id, 0)))
	ORDER BY t.item_time DESC, t.kind DESC, t.id DESC
	LIMIT timeline.lim;
END
$$;

/*
 * verify() also checks that the board by day agrees with the figures: the
 * 0.1 function, which compares the figures with a recomputation, becomes
 * verify_figures(), and verify() adds the board to what it lists.
 */
ALTER FUNCTION accounts.verify() RENAME TO verify_figures;
COMMENT ON FUNCTION accounts.verify_figures() IS
'Internal: every stored figure that differs from a fresh recomputation from the base tables; part of verify().';

CREATE FUNCTION accounts.verify()
RETURNS TABLE (org_id bigint, figure text, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM accounts.verify_figures()
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
COMMENT ON FUNCTION accounts.verify() IS
'Lists every stored figure that differs from a fresh recomputation from the base tables, and every day of the kanban board that differs from the figures; empty when all figures are exact.';
REVOKE ALL ON FUNCTION accounts.verify() FROM PUBLIC;
