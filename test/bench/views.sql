-- test/bench/views.sql
--
-- Baselines (b) and (c) of the benchmark, installed by test/bench/run into
-- the "bare" copy of the benchmark database (the extension's triggers
-- disabled, so the base tables carry no maintenance at all):
--
--   (b) bench.accounts_view: a plain SQL view computing the account figures
--       from the base tables on every read;
--   (c) bench.accounts_mv: a materialized view of it, with the indexes its
--       reads need, brought up to date with REFRESH MATERIALIZED VIEW.
--
-- The figures are the extension's (SPEC 1.3), computed by its view
-- accounts_internal.figures_fresh, the query that a user without the extension would
-- write; next_activity_key is the next activity's due date with 'infinity'
-- for an undone activity without a date, the key of the kanban columns.

SET client_min_messages = warning;

-- the figures of every organization: the extension's own recomputation (the
-- query rebuild() and verify() run), with the next activity's key renamed
CREATE VIEW bench.figures_view AS
SELECT f.*, f.next_activity_date AS next_activity_key
FROM accounts_internal.figures_fresh f;

-- the accounts: organizations with a won deal, their columns and figures
CREATE VIEW bench.accounts_view AS
SELECT o.id, o.name, o.owner_id, o.address, o.label, o.custom_fields,
	o.add_time, o.update_time,
	f.won_deals_count, f.won_value,
	COALESCE((SELECT jsonb_object_agg(d.currency, d.v ORDER BY d.currency)
			  FROM (SELECT currency, sum(value) AS v FROM accounts.deals
					WHERE org_id = o.id AND status = 'won'
					GROUP BY currency) d), '{}') AS won_value_by_currency,
	f.first_won_time, f.last_won_time, f.open_deals_count, f.open_deals_value,
	f.open_deals_weighted_value, f.lost_deals_count,
	f.won_deals_count + f.lost_deals_count AS closed_deals_count,
	f.people_count, f.notes_count, f.files_count, f.activities_count,
	f.done_activities_count,
	f.activities_count - f.done_activities_count AS undone_activities_count,
	f.next_activity_id,
	NULLIF(f.next_activity_key, 'infinity') AS next_activity_date,
	f.next_activity_key,
	f.next_activity_time, f.next_activity_subject,
	f.last_activity_id, f.last_activity_date,
	f.last_activity_date AS last_contacted
FROM accounts.organizations o
JOIN bench.figures_view f ON f.org_id = o.id
WHERE f.won_deals_count > 0;

CREATE MATERIALIZED VIEW bench.accounts_mv AS SELECT * FROM bench.accounts_view;
CREATE UNIQUE INDEX ON bench.accounts_mv (id);
CREATE INDEX ON bench.accounts_mv (won_value DESC);
CREATE INDEX ON bench.accounts_mv (owner_id, next_activity_date, id);
CREATE INDEX ON bench.accounts_mv (owner_id, won_value DESC, id);
CREATE INDEX ON bench.accounts_mv (next_activity_key, id) INCLUDE (won_value);
VACUUM ANALYZE bench.accounts_mv;
