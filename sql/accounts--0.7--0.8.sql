/* sql/accounts--0.7--0.8.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.8'" to load this file. \quit

/*
 * 0.8: the board's column as accounts.bucket in the list views too.
 *
 * - accounts.accounts and accounts.organization_summary gain the column
 *   bucket, of type accounts.bucket, as the view kanban, kanban_column()
 *   and kanban_counts() have it since 0.6.  It is added last: a view's
 *   column keeps its type until the view is made again, which every view
 *   of a database over these two would block, so kanban_bucket (text)
 *   stays, deprecated, until 0.9, hidden from the application layers.
 */

CREATE OR REPLACE VIEW accounts.organization_summary WITH (security_invoker = true) AS
SELECT o.id, o.name, f.owner_id, o.address, o.label, o.custom_fields,
	o.add_time, o.update_time,
	f.won_deals_count > 0 AS is_account,
	f.won_deals_count, f.won_value,
	COALESCE((SELECT pg_catalog.jsonb_object_agg(c.currency, c.won_value
												 ORDER BY c.currency)
			  FROM accounts.figures_by_currency c
			  WHERE c.tenant_id = o.tenant_id AND c.org_id = o.id),
			 '{}') AS won_value_by_currency,
	f.first_won_time, f.last_won_time,
	f.open_deals_count, f.open_deals_value, f.open_deals_weighted_value,
	f.lost_deals_count,
	f.won_deals_count + f.lost_deals_count AS closed_deals_count,
	f.people_count, f.notes_count, f.files_count,
	f.activities_count, f.done_activities_count,
	f.activities_count - f.done_activities_count AS undone_activities_count,
	f.next_activity_id,
	NULLIF(f.next_activity_date, 'infinity') AS next_activity_date,
	f.next_activity_time, f.next_activity_subject,
	f.last_activity_id, f.last_activity_date,
	f.last_activity_date AS last_contacted,
	accounts.kanban_bucket(f.next_activity_date) AS kanban_bucket,
	o.tenant_id,
	accounts.kanban_bucket(f.next_activity_date)::accounts.bucket AS bucket
FROM accounts.organizations o
JOIN accounts.figures f ON f.tenant_id = o.tenant_id AND f.org_id = o.id;

CREATE OR REPLACE VIEW accounts.accounts WITH (security_invoker = true) AS
SELECT id, name, owner_id, address, label, custom_fields, add_time, update_time,
	won_deals_count, won_value, won_value_by_currency, first_won_time,
	last_won_time, open_deals_count, open_deals_value,
	open_deals_weighted_value, lost_deals_count, closed_deals_count,
	people_count, notes_count, files_count, activities_count,
	done_activities_count, undone_activities_count, next_activity_id,
	next_activity_date, next_activity_time, next_activity_subject,
	last_activity_id, last_activity_date, last_contacted, kanban_bucket,
	tenant_id, bucket
FROM accounts.organization_summary
WHERE won_deals_count > 0;

DO $$
DECLARE
	v text;
BEGIN
	FOREACH v IN ARRAY ARRAY['organization_summary', 'accounts']
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN accounts.%I.bucket IS %L', v,
			E'@omit create,update\nKanban column of the next undone activity relative to today: overdue, today, tomorrow, this_week, next_week, later or no_activity.');
		EXECUTE pg_catalog.format('COMMENT ON COLUMN accounts.%I.kanban_bucket IS %L', v,
			E'@omit\nDeprecated since 0.8, removed in 0.9: use bucket, the same column as accounts.bucket. Kanban column as text.');
	END LOOP;
END
$$;
