/* sql/accounts--0.5--0.6.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.6'" to load this file. \quit

/*
 * 0.6: an API surface that application layers which read the schema
 * (PostGraphile, PostgREST, Hasura) serve as it is.
 *
 * - The views an application reads get a declared key and the relations of
 *   an account page, as PostGraphile smart tags at the start of their
 *   comments (the description follows; PostGraphile shows only that).
 * - No function is named like a view's single-row field, and no argument
 *   like the tools' paging (before, after, first, last, offset):
 *   account_detail() and account_timeline() replace account() and
 *   timeline(), which stay for this version, deprecated and hidden from the
 *   tools.
 * - Internals (figures tables, the board by day, helper functions,
 *   verify(), rebuild(), writes of the history) carry @omit, and the
 *   columns of the writable views that are not writable carry
 *   @omit create,update; the README grants UPDATE on the writable columns
 *   only, which the tools that follow privileges read.
 * - The board speaks accounts.bucket: the view kanban, kanban_column()'s
 *   argument and kanban_counts()'s result; function results are named
 *   composite types whose columns carry comments.
 */

/* Named results, with comments on their columns. */
CREATE TYPE accounts.board_column AS (
	bucket		accounts.bucket,
	bucket_position integer,
	accounts	bigint,
	won_value	numeric
);
COMMENT ON TYPE accounts.board_column IS
'One column of the kanban board: its accounts and their won value.';
COMMENT ON COLUMN accounts.board_column.bucket IS
'Kanban column: overdue, today, tomorrow, this_week, next_week, later or no_activity.';
COMMENT ON COLUMN accounts.board_column.bucket_position IS
'Position of the column on the board, 1 (overdue) to 7 (no_activity).';
COMMENT ON COLUMN accounts.board_column.accounts IS
'Number of accounts in the column.';
COMMENT ON COLUMN accounts.board_column.won_value IS
'Sum of their won value in the default currency.';

CREATE TYPE accounts.timeline_item AS (
	kind		text,
	id			bigint,
	item_time	timestamptz,
	title		text,
	detail		text
);
COMMENT ON TYPE accounts.timeline_item IS
'One item of an account''s timeline: a note, file, activity or deal.';
COMMENT ON COLUMN accounts.timeline_item.kind IS
'note, file, activity or deal.';
COMMENT ON COLUMN accounts.timeline_item.id IS
'Id of the note, file, activity or deal.';
COMMENT ON COLUMN accounts.timeline_item.item_time IS
'When a note or file was added; an activity''s due date and time (its add time if undated); a deal''s won or lost time (its add time while open).';
COMMENT ON COLUMN accounts.timeline_item.title IS
'Subject, title, name or the start of the note.';
COMMENT ON COLUMN accounts.timeline_item.detail IS
'A short detail: status and value of a deal, type of an activity, type and size of a file, the note''s first 200 characters.';

/*
 * The board with the column as accounts.bucket.  A view's column cannot
 * change type in place: kanban_column() (which returns its rows) and the
 * view are made again.  What was granted on the old view is not granted
 * again here: a GRANT in an extension's script becomes one of the
 * extension's initial privileges, which pg_dump leaves out (and which, from
 * PostgreSQL 17, keep the role from being dropped).  The README says to
 * grant again in the transaction of the update.
 */

DROP FUNCTION accounts.kanban_column(text, pg_catalog.date, bigint, integer, pg_catalog.date);
DROP VIEW accounts.kanban;

CREATE VIEW accounts.kanban AS
SELECT k.id, k.name, k.owner_id, k.bucket::accounts.bucket AS bucket,
	pg_catalog.array_position(ARRAY['overdue', 'today', 'tomorrow', 'this_week',
		'next_week', 'later', 'no_activity'], k.bucket) AS bucket_position,
	k.next_activity_id, k.next_activity_date, k.next_activity_time,
	k.next_activity_subject, k.won_value, k.won_deals_count, k.last_contacted
FROM (SELECT o.id, o.name, o.owner_id,
		accounts.kanban_bucket(f.next_activity_date) AS bucket,
		f.next_activity_id,
		NULLIF(f.next_activity_date, 'infinity') AS next_activity_date,
		f.next_activity_time, f.next_activity_subject, f.won_value,
		f.won_deals_count, f.last_activity_date AS last_contacted
	  FROM accounts.organizations o
	  JOIN accounts.figures f ON f.org_id = o.id
	  WHERE f.won_deals_count > 0) k;
ALTER VIEW accounts.kanban SET (security_invoker = true);


/* The buckets with their ranges of days, the bucket as accounts.bucket. */
DROP FUNCTION accounts.kanban_ranges(pg_catalog.date);
CREATE FUNCTION accounts.kanban_ranges(as_of pg_catalog.date DEFAULT NULL)
RETURNS TABLE (bucket accounts.bucket, bucket_position integer,
			   first_day pg_catalog.date, last_day pg_catalog.date)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
	SELECT b.bucket::accounts.bucket, b.bucket_position, b.first_day, b.last_day
	FROM (SELECT accounts.kanban_today(as_of) AS t) d
	CROSS JOIN LATERAL (SELECT accounts.kanban_week_end(d.t) AS e) w
	CROSS JOIN LATERAL (VALUES
		('overdue', 1, '-infinity'::date, d.t - 1),
		('today', 2, d.t, d.t),
		('tomorrow', 3, d.t + 1, d.t + 1),
		('this_week', 4, d.t + 2, w.e),
		('next_week', 5, GREATEST(w.e + 1, d.t + 2), w.e + 7),
		('later', 6, w.e + 8, 'infinity'::date),
		('no_activity', 7, NULL, NULL)) AS b(bucket, bucket_position, first_day, last_day)
$$;

CREATE FUNCTION accounts.kanban_column(bucket accounts.bucket,
	after_date pg_catalog.date DEFAULT NULL, after_id bigint DEFAULT NULL,
	page_size integer DEFAULT 50, as_of pg_catalog.date DEFAULT NULL)
RETURNS SETOF accounts.kanban
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	RETURN QUERY
	SELECT o.id, o.name, o.owner_id, p.bucket, p.bucket_position,
		f.next_activity_id, NULLIF(f.next_activity_date, 'infinity'),
		f.next_activity_time, f.next_activity_subject, f.won_value,
		f.won_deals_count, f.last_activity_date
	FROM (SELECT r.bucket, r.bucket_position, r.first_day, r.last_day
		  FROM accounts.kanban_ranges(as_of) r
		  WHERE r.bucket = kanban_column.bucket) p
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
COMMENT ON FUNCTION accounts.kanban_column(accounts.bucket, pg_catalog.date, bigint, integer, pg_catalog.date) IS
E'@simpleCollections only\nOne page of one kanban column in board order (next_activity_date, id), page_size cards. For the next page pass the next_activity_date and id of the last card as after_date and after_id.';

DROP FUNCTION accounts.kanban_counts(pg_catalog.date);
CREATE FUNCTION accounts.kanban_counts(as_of pg_catalog.date DEFAULT NULL)
RETURNS SETOF accounts.board_column
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
		SELECT 'no_activity'::accounts.bucket, 7, count(*), COALESCE(sum(f.won_value), 0)
		FROM accounts.figures f
		WHERE f.won_deals_count > 0 AND f.next_activity_date IS NULL
		ORDER BY 2;
	END IF;
END
$$;
COMMENT ON FUNCTION accounts.kanban_counts(pg_catalog.date) IS
E'@simpleCollections only\nAccounts and their total won value per kanban column, all seven columns in board order, as of kanban_today(as_of).';

/*
 * account_detail(): one account, one row (NULL when the id is no account
 * or not visible); account() stays for this version.
 */
CREATE FUNCTION accounts.account_detail(account_id bigint)
RETURNS accounts.accounts
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	a accounts.accounts;
BEGIN
	SELECT * INTO a FROM accounts.accounts x WHERE x.id = account_id;
	RETURN a;
END
$$;
COMMENT ON FUNCTION accounts.account_detail(bigint) IS
'The account with this id (a row of accounts.accounts), or NULL if the organization is not an account or not visible.';

/*
 * account_timeline(): timeline() with arguments that do not clash with the
 * paging arguments of the tools (older_than instead of before) and a named
 * result.  accounts_timeline() is the same for a row of accounts.accounts,
 * which PostGraphile serves as the field timeline of an account.
 */
CREATE FUNCTION accounts.account_timeline(account_id bigint,
	older_than timestamptz DEFAULT NULL, older_than_kind text DEFAULT NULL,
	older_than_id bigint DEFAULT NULL, page_size integer DEFAULT 50)
RETURNS SETOF accounts.timeline_item
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
	RETURN QUERY
	SELECT t.kind, t.id, t.item_time, t.title, t.detail
	FROM (SELECT 'note' AS kind, n.id, n.add_time AS item_time,
			  left(n.content, 60) AS title, left(n.content, 200) AS detail
		  FROM accounts.account_notes n WHERE n.account_id = account_timeline.account_id
		  UNION ALL
		  SELECT 'file', f.id, f.add_time, f.name,
			  concat_ws(', ', f.file_type, pg_size_pretty(f.file_size))
		  FROM accounts.account_files f WHERE f.account_id = account_timeline.account_id
		  UNION ALL
		  SELECT 'activity', a.id,
			  COALESCE((a.due_date + COALESCE(a.due_time, '00:00'))::timestamptz,
					   a.add_time),
			  a.subject, a.type || CASE WHEN a.done THEN ', done' ELSE '' END
		  FROM accounts.account_activities a WHERE a.account_id = account_timeline.account_id
		  UNION ALL
		  SELECT 'deal', d.id, COALESCE(d.won_time, d.lost_time, d.add_time),
			  d.title, d.status || ', ' || d.value || ' ' || d.currency
		  FROM accounts.account_deals d WHERE d.account_id = account_timeline.account_id) t
	WHERE account_timeline.older_than IS NULL
	   OR t.item_time < account_timeline.older_than
	   OR (t.item_time = account_timeline.older_than
		   AND account_timeline.older_than_kind IS NOT NULL
		   AND (t.kind, t.id) < (account_timeline.older_than_kind,
								 COALESCE(account_timeline.older_than_id, 0)))
	ORDER BY t.item_time DESC, t.kind DESC, t.id DESC
	LIMIT account_timeline.page_size;
END
$$;
COMMENT ON FUNCTION accounts.account_timeline(bigint, timestamptz, text, bigint, integer) IS
E'@simpleCollections only\nNotes, files, activities and deals of an account, newest first, page_size items; for the next page pass the item_time, kind and id of the last item as older_than, older_than_kind and older_than_id. No rows for an id that is not an account.';

CREATE FUNCTION accounts.accounts_timeline(account accounts.accounts,
	older_than timestamptz DEFAULT NULL, older_than_kind text DEFAULT NULL,
	older_than_id bigint DEFAULT NULL, page_size integer DEFAULT 50)
RETURNS SETOF accounts.timeline_item
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
	SELECT * FROM accounts.account_timeline((account).id, older_than,
		older_than_kind, older_than_id, page_size)
$$;
COMMENT ON FUNCTION accounts.accounts_timeline(accounts.accounts, timestamptz, text, bigint, integer) IS
E'@simpleCollections only\n@fieldName timeline\nThe account''s notes, files, activities and deals, newest first, page_size items; for the next page pass the item_time, kind and id of the last item as older_than, older_than_kind and older_than_id.';

/* The 0.5 names, for this version: hidden from the tools, deprecated. */
CREATE OR REPLACE FUNCTION accounts.timeline(account_id bigint,
	before timestamptz DEFAULT NULL, lim integer DEFAULT 50,
	before_kind text DEFAULT NULL, before_id bigint DEFAULT NULL)
RETURNS TABLE (kind text, id bigint, item_time timestamptz, title text,
			   detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
	SELECT * FROM accounts.account_timeline(account_id, before, before_kind,
											 before_id, lim)
$$;
COMMENT ON FUNCTION accounts.account(bigint) IS
E'@omit\nDeprecated since 0.6, removed in 0.7: use account_detail(). The account with this id (a row of accounts.accounts), or no row if the organization is not an account or not visible.';
COMMENT ON FUNCTION accounts.timeline(bigint, timestamptz, integer, text, bigint) IS
E'@omit\nDeprecated since 0.6, removed in 0.7: use account_timeline(). Notes, files, activities and deals of an account, newest first, lim rows; for the next page pass the item_time, kind and id of the last row as before, before_kind, before_id. No rows for an id that is not an account.';

/*
 * Keys and relations, as PostGraphile smart tags at the start of the
 * comments (PostgREST and Hasura take them from the base tables' keys
 * through these views, or from their own configuration: see the README).
 */
COMMENT ON VIEW accounts.accounts IS
E'@primaryKey id\n@foreignKey (owner_id) references accounts.users (id)|@fieldName owner|@foreignFieldName accounts\n@omit create,delete\nAccounts: organizations with at least one won deal, with their figures. UPDATE of the organization''s own columns changes the organization.';
COMMENT ON VIEW accounts.organization_summary IS
E'@primaryKey id\n@foreignKey (owner_id) references accounts.users (id)|@fieldName owner|@foreignFieldName organizationSummaries\n@omit create,delete\nEvery organization, account or not, with the same figures as accounts.accounts.';
COMMENT ON VIEW accounts.kanban IS
E'@primaryKey id\n@foreignKey (id) references accounts.accounts (id)|@fieldName account|@foreignSingleFieldName card|@omit many\n@foreignKey (owner_id) references accounts.users (id)|@fieldName owner|@foreignFieldName cards\n@omit create,update,delete\nThe kanban board: every account with the column (bucket) of its next undone activity relative to today in the session''s time zone (or the setting accounts.today). Page one column with accounts.kanban_column().';
COMMENT ON VIEW accounts.account_deals IS
E'@primaryKey id\n@foreignKey (account_id) references accounts.accounts (id)|@fieldName account|@foreignFieldName deals\n@omit create,update,delete\nDeals of every account (deleted ones left out); filter by account_id.';
COMMENT ON VIEW accounts.account_people IS
E'@primaryKey id\n@foreignKey (account_id) references accounts.accounts (id)|@fieldName account|@foreignFieldName people\n@omit create,update,delete\nPeople of every account; filter by account_id.';
COMMENT ON VIEW accounts.account_activities IS
E'@primaryKey id\n@foreignKey (account_id) references accounts.accounts (id)|@fieldName account|@foreignFieldName activities\n@omit create,update,delete\nActivities of every account; filter by account_id.';
COMMENT ON VIEW accounts.account_notes IS
E'@primaryKey id\n@foreignKey (account_id) references accounts.accounts (id)|@fieldName account|@foreignFieldName notes\n@omit create,update,delete\nNotes of every account; filter by account_id.';
COMMENT ON VIEW accounts.account_files IS
E'@primaryKey id\n@foreignKey (account_id) references accounts.accounts (id)|@fieldName account|@foreignFieldName files\n@omit create,update,delete\nFiles of every account; filter by account_id.';

/* The columns of the new kanban view, as 0.1 described them. */
DO $$
DECLARE
	a record;
BEGIN
	FOR a IN
		SELECT o.attname, pg_catalog.col_description(o.attrelid, o.attnum) AS txt
		FROM pg_catalog.pg_attribute o
		WHERE o.attrelid = 'accounts.accounts'::pg_catalog.regclass
		  AND o.attnum > 0
		  AND o.attname IN (SELECT k.attname FROM pg_catalog.pg_attribute k
							WHERE k.attrelid = 'accounts.kanban'::pg_catalog.regclass
							  AND k.attnum > 0)
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN accounts.kanban.%I IS %L',
								  a.attname, a.txt);
	END LOOP;
END
$$;
COMMENT ON COLUMN accounts.kanban.bucket IS
'Kanban column: overdue, today, tomorrow, this_week, next_week, later or no_activity.';
COMMENT ON COLUMN accounts.kanban.bucket_position IS
'Position of the column on the board, 1 (overdue) to 7 (no_activity).';

/*
 * The columns of accounts and organization_summary that are not the
 * organization's own (figures, id, times) are neither set on create nor on
 * update through the tools; a write of them is refused by the views anyway.
 */
DO $$
DECLARE
	a record;
BEGIN
	FOR a IN
		SELECT c.oid::pg_catalog.regclass AS rel, t.attname,
			pg_catalog.col_description(t.attrelid, t.attnum) AS txt
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0
		WHERE c.oid IN ('accounts.accounts'::pg_catalog.regclass,
						'accounts.organization_summary'::pg_catalog.regclass)
		  AND t.attname NOT IN ('name', 'owner_id', 'address', 'label', 'custom_fields')
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', a.rel, a.attname,
								  E'@omit create,update\n' || a.txt);
	END LOOP;
END
$$;

/* Internals: not offered by the tools. */
COMMENT ON TABLE accounts.figures IS
E'@omit\nInternal: the figures of every organization, kept by the triggers. Read them through the views.';
COMMENT ON TABLE accounts.figures_by_currency IS
E'@omit\nInternal: won deals per organization and currency, kept by the triggers.';
COMMENT ON TABLE accounts.kanban_days IS
E'@omit\nInternal: accounts and their won value per next activity day, by backend slot, kept by the triggers on accounts.figures. Read them through accounts.kanban_counts().';
COMMENT ON TABLE accounts.account_events IS
E'@omit create,update,delete\nWhen organizations became accounts and stopped being ones; written by the triggers only.';
COMMENT ON FUNCTION accounts.rebuild() IS
E'@omit\nRecomputes every figure from the base tables, blocking their writers meanwhile, and records the accounts it creates or closes; returns the number of organizations.';
COMMENT ON FUNCTION accounts.verify() IS
E'@omit\nLists every stored figure that differs from a fresh recomputation from the base tables, and every day of the kanban board that differs from the figures; empty when all figures are exact.';
COMMENT ON FUNCTION accounts.kanban_today(pg_catalog.date) IS
E'@omit\nThe day the board is computed for: as_of if given, else the setting accounts.today if set, else the current date in the session''s time zone.';
COMMENT ON FUNCTION accounts.kanban_week_end(pg_catalog.date) IS
E'@omit\nThe last day of the week containing the given day, the week starting on the day set by accounts.week_start (monday or sunday).';
COMMENT ON FUNCTION accounts.kanban_bucket(pg_catalog.date, pg_catalog.date) IS
E'@omit\nThe kanban bucket of a next activity date relative to kanban_today(as_of): overdue, today, tomorrow, this_week, next_week, later, or no_activity for NULL.';
COMMENT ON FUNCTION accounts.kanban_ranges(pg_catalog.date) IS
E'@omit\nThe kanban buckets in board order, each with the first and last next-activity date it holds, as of kanban_today(as_of).';
