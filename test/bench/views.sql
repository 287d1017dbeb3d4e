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
-- The figures are the extension's (SPEC 1.3), written here independently;
-- next_activity_key is the next activity's due date with 'infinity' for an
-- undone activity without a date, the key of the kanban columns.

SET client_min_messages = warning;

CREATE VIEW bench.figures_view AS
SELECT o.id AS org_id,
	COALESCE(d.won_deals_count, 0)::integer AS won_deals_count,
	COALESCE(d.won_value, 0) AS won_value,
	d.first_won_time,
	d.last_won_time,
	COALESCE(d.open_deals_count, 0)::integer AS open_deals_count,
	COALESCE(d.open_deals_value, 0) AS open_deals_value,
	COALESCE(d.open_deals_weighted_value, 0) AS open_deals_weighted_value,
	COALESCE(d.lost_deals_count, 0)::integer AS lost_deals_count,
	COALESCE(p.n, 0)::integer AS people_count,
	COALESCE(n.n, 0)::integer AS notes_count,
	COALESCE(f.n, 0)::integer AS files_count,
	COALESCE(a.n, 0)::integer AS activities_count,
	COALESCE(a.done, 0)::integer AS done_activities_count,
	na.id AS next_activity_id,
	na.due_date AS next_activity_key,
	na.due_time AS next_activity_time,
	na.subject AS next_activity_subject,
	la.id AS last_activity_id,
	la.due_date AS last_activity_date,
	la.due_time AS last_activity_time
FROM accounts.organizations o
LEFT JOIN (
	SELECT d.org_id,
		count(*) FILTER (WHERE d.status = 'won') AS won_deals_count,
		sum(d.value * c.rate) FILTER (WHERE d.status = 'won') AS won_value,
		min(d.won_time) FILTER (WHERE d.status = 'won') AS first_won_time,
		max(d.won_time) FILTER (WHERE d.status = 'won') AS last_won_time,
		count(*) FILTER (WHERE d.status = 'open') AS open_deals_count,
		sum(d.value * c.rate) FILTER (WHERE d.status = 'open') AS open_deals_value,
		sum(d.value * c.rate * COALESCE(d.probability, 100) * 0.01)
			FILTER (WHERE d.status = 'open') AS open_deals_weighted_value,
		count(*) FILTER (WHERE d.status = 'lost') AS lost_deals_count
	FROM accounts.deals d
	JOIN accounts.currencies c ON c.code = d.currency
	WHERE d.org_id IS NOT NULL
	GROUP BY d.org_id) d ON d.org_id = o.id
LEFT JOIN (SELECT org_id, count(*) AS n FROM accounts.persons
		   WHERE org_id IS NOT NULL GROUP BY org_id) p ON p.org_id = o.id
LEFT JOIN (SELECT org_id, count(*) AS n FROM accounts.notes
		   WHERE org_id IS NOT NULL GROUP BY org_id) n ON n.org_id = o.id
LEFT JOIN (SELECT org_id, count(*) AS n FROM accounts.files
		   WHERE org_id IS NOT NULL GROUP BY org_id) f ON f.org_id = o.id
LEFT JOIN (SELECT org_id, count(*) AS n, count(*) FILTER (WHERE done) AS done
		   FROM accounts.activities
		   WHERE org_id IS NOT NULL GROUP BY org_id) a ON a.org_id = o.id
LEFT JOIN (SELECT DISTINCT ON (org_id) org_id, id,
			   COALESCE(due_date, 'infinity') AS due_date, due_time, subject
		   FROM accounts.activities
		   WHERE org_id IS NOT NULL AND NOT done
		   ORDER BY org_id, due_date, due_time, id) na ON na.org_id = o.id
LEFT JOIN (SELECT DISTINCT ON (org_id) org_id, id, due_date, due_time
		   FROM accounts.activities
		   WHERE org_id IS NOT NULL AND done
		   ORDER BY org_id, due_date DESC NULLS LAST, due_time DESC NULLS LAST,
			   id DESC) la ON la.org_id = o.id;

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
CREATE INDEX ON bench.accounts_mv (next_activity_key, id) INCLUDE (won_value);
VACUUM ANALYZE bench.accounts_mv;
