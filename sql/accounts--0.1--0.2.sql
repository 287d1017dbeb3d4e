/* sql/accounts--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2: the kanban board by day, so that kanban_counts() reads a few hundred
 * rows instead of every account; kanban_counts() and kanban_column() in
 * PL/pgSQL, so that their plans are kept between calls.  A fresh install
 * runs 0.1 and then this script.
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

/* verify() also checks that the board by day agrees with the figures. */
CREATE OR REPLACE FUNCTION accounts.verify()
RETURNS TABLE (org_id bigint, figure text, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(s.org_id, e.org_id), v.figure, v.stored, v.expected
	FROM accounts.figures s
	FULL JOIN accounts.figures_fresh e ON e.org_id = s.org_id
	CROSS JOIN LATERAL (VALUES
		('row', to_jsonb(s.org_id IS NOT NULL), to_jsonb(e.org_id IS NOT NULL)),
		('won_deals_count', to_jsonb(s.won_deals_count), to_jsonb(e.won_deals_count)),
		('won_value', to_jsonb(s.won_value), to_jsonb(e.won_value)),
		('first_won_time', to_jsonb(s.first_won_time), to_jsonb(e.first_won_time)),
		('last_won_time', to_jsonb(s.last_won_time), to_jsonb(e.last_won_time)),
		('open_deals_count', to_jsonb(s.open_deals_count), to_jsonb(e.open_deals_count)),
		('open_deals_value', to_jsonb(s.open_deals_value), to_jsonb(e.open_deals_value)),
		('open_deals_weighted_value', to_jsonb(s.open_deals_weighted_value),
			to_jsonb(e.open_deals_weighted_value)),
		('lost_deals_count', to_jsonb(s.lost_deals_count), to_jsonb(e.lost_deals_count)),
		('people_count', to_jsonb(s.people_count), to_jsonb(e.people_count)),
		('notes_count', to_jsonb(s.notes_count), to_jsonb(e.notes_count)),
		('files_count', to_jsonb(s.files_count), to_jsonb(e.files_count)),
		('activities_count', to_jsonb(s.activities_count), to_jsonb(e.activities_count)),
		('done_activities_count', to_jsonb(s.done_activities_count),
			to_jsonb(e.done_activities_count)),
		('next_activity_id', to_jsonb(s.next_activity_id), to_jsonb(e.next_activity_id)),
		('next_activity_date', to_jsonb(s.next_activity_date), to_jsonb(e.next_activity_date)),
		('next_activity_time', to_jsonb(s.next_activity_time), to_jsonb(e.next_activity_time)),
		('next_activity_subject', to_jsonb(s.next_activity_subject),
			to_jsonb(e.next_activity_subject)),
		('last_activity_id', to_jsonb(s.last_activity_id), to_jsonb(e.last_activity_id)),
		('last_activity_date', to_jsonb(s.last_activity_date), to_jsonb(e.last_activity_date)),
		('last_activity_time', to_jsonb(s.last_activity_time), to_jsonb(e.last_activity_time))
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
		  FROM accounts.figures_by_currency_fresh c GROUP BY c.org_id) e
		ON e.org_id = s.org_id
	WHERE s.by_currency IS DISTINCT FROM e.by_currency
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
