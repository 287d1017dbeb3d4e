-- test/bench/generate.sql
--
-- The benchmark's data generator: a CRM at scale factor :scale, loaded into
-- the base tables of the extension in the current database.
--
--   psql -X -v ON_ERROR_STOP=1 -v scale=1 -f test/bench/generate.sql
--
-- Scale 1: 100 users, 100,000 organizations, 300,000 people, 1,000,000
-- deals in 4 currencies and every status, 1,000,000 activities due from two
-- months back to two months ahead (about 60% done), 200,000 notes and
-- 50,000 files.  Every count is multiplied by :scale.  Workload C inserts
-- 200,000 deals and copies 1,000,000 at every scale from 1 up (fewer below
-- scale 1, in proportion).
--
-- Skew: a quarter of the deals, activities and notes go to "whale"
-- organizations (one in 200), which then have about 500 deals each; the
-- rest are spread uniformly, about 7.5 deals per organization.  With 15% of
-- the deals won, about two thirds of the organizations have a won deal.
--
-- Tenants: with :tenants above 1 (test/bench/run --tenants), the
-- organizations are split into that many tenants of consecutive ids, and
-- every row goes to the tenant of its organization (rows without one to a
-- tenant drawn at random), with owners, people and currencies of that
-- tenant: each tenant has n_users / :tenants users (at least one), the
-- same four currencies, and n_persons / :tenants people.  With one tenant
-- (the default) the rows are those of earlier versions of this script.
--
-- Deterministic: every draw is a hash of the row number and a salt
-- (bench.u), so the same scale gives the same rows whatever the plan; the
-- dates are relative to the start of the current day, so that the kanban
-- board looks current on any day.
--
-- Fast: the rows are written with every trigger of the base tables disabled
-- (they are valid by construction), then accounts.rebuild() computes the
-- figures in one pass and the triggers are enabled again.  The ids are
-- given explicitly (1..N in each table) and the identity sequences moved
-- past them.
--
-- It also writes bench.params (the counts, "today"), bench.new_deals() (the
-- deals of workload C) and the helpers in schema bench that the other
-- scripts use.

\set ON_ERROR_STOP on
\if :{?tenants}
\else
\set tenants 1
\endif
SET client_min_messages = warning;
SET synchronous_commit = off;

CREATE EXTENSION IF NOT EXISTS accounts;
CREATE SCHEMA bench;

-- a uniform draw in [0, 1) from a row number and a salt
CREATE FUNCTION bench.u(g bigint, salt bigint) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT (pg_catalog.hashint8extended(g, salt) & 9007199254740991)::float8
				 / 9007199254740992 $$;

-- an integer in [lo, hi] from a draw
CREATE FUNCTION bench.pick(r float8, lo bigint, hi bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT lo + LEAST(floor(r * (hi - lo + 1))::bigint, hi - lo) $$;

/*
 * The organization of the g-th row of a kind (salt): 1% none (for deals,
 * activities and notes), 25% one of the whales (ids divisible by 200), the
 * rest uniform.
 */
CREATE FUNCTION bench.org_of(g bigint, salt bigint, n_orgs bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT CASE
		WHEN bench.u(g, salt) < 0.01 THEN NULL
		WHEN bench.u(g, salt + 1) < 0.25 AND n_orgs >= 200
			THEN 200 * bench.pick(bench.u(g, salt + 2), 1, n_orgs / 200)
		ELSE bench.pick(bench.u(g, salt + 3), 1, n_orgs) END $$;

CREATE TABLE bench.params AS
SELECT :scale::numeric AS scale,
	(:tenants * GREATEST(1, floor(GREATEST(5, round(100 * :scale)) / :tenants)))::bigint
		AS n_users,
	GREATEST(10, round(100000 * :scale))::bigint AS n_orgs,
	GREATEST(10, round(300000 * :scale))::bigint AS n_persons,
	GREATEST(10, round(1000000 * :scale))::bigint AS n_deals,
	GREATEST(10, round(1000000 * :scale))::bigint AS n_activities,
	GREATEST(10, round(200000 * :scale))::bigint AS n_notes,
	GREATEST(10, round(50000 * :scale))::bigint AS n_files,
	-- workload C: 200,000 and 1,000,000 deals from scale 1 up, fewer below
	GREATEST(10, round(200000 * LEAST(:scale, 1)))::bigint AS n_insert_deals,
	GREATEST(10, round(1000000 * LEAST(:scale, 1)))::bigint AS n_copy_deals,
	date_trunc('day', now()) AS t0,
	current_date AS today,
	:tenants::bigint AS n_tenants;

SELECT n_users, n_orgs, n_persons, n_deals, n_activities, n_notes, n_files,
	n_tenants, n_orgs / n_tenants AS opt, n_users / n_tenants AS upt,
	n_persons / n_tenants AS ppt,
	n_orgs % n_tenants = 0 AND n_persons % n_tenants = 0 AS tenants_fit
FROM bench.params \gset
\if :tenants_fit
\else
\echo 'generate.sql: :tenants must divide the organizations and the people'
SELECT 1 / 0;
\endif

/*
 * The kanban buckets as date ranges, week starting on Monday: what the
 * baselines use (the extension has its own).
 */
CREATE FUNCTION bench.kanban_ranges(today date DEFAULT current_date)
RETURNS TABLE (bucket text, bucket_position integer, first_day date, last_day date)
	LANGUAGE sql STABLE
	AS $$
	SELECT b.* FROM (SELECT today - (extract(isodow FROM today)::int - 1) + 6 AS e) w,
	LATERAL (VALUES
		('overdue', 1, '-infinity'::date, today - 1),
		('today', 2, today, today),
		('tomorrow', 3, today + 1, today + 1),
		('this_week', 4, today + 2, w.e),
		('next_week', 5, GREATEST(w.e + 1, today + 2), w.e + 7),
		('later', 6, w.e + 8, 'infinity'::date),
		('no_activity', 7, NULL, NULL)) b $$;

/*
 * n new deals (for the bulk insert and the COPY of workload C): the same
 * mix as the base data, spread over the existing organizations, with ids
 * from the sequence.
 */
CREATE FUNCTION bench.new_deals(n bigint, salt bigint)
RETURNS TABLE (title text, value numeric, currency text, status text,
			   org_id bigint, owner_id bigint, probability smallint,
			   won_time timestamptz, lost_time timestamptz, add_time timestamptz)
	LANGUAGE sql STABLE
	AS $$
	SELECT 'New deal ' || g,
		round((500 + 49500 * bench.u(g, salt + 1) ^ 3)::numeric, 2),
		(ARRAY['USD', 'USD', 'EUR', 'GBP', 'CHF'])[bench.pick(bench.u(g, salt + 2), 1, 5)],
		s.status,
		bench.org_of(g, salt + 10, p.n_orgs),
		bench.pick(bench.u(g, salt + 3), 1, p.n_users),
		(10 * bench.pick(bench.u(g, salt + 4), 0, 10))::smallint,
		CASE WHEN s.status = 'won' THEN p.t0 - interval '1 hour' * bench.u(g, salt + 5) * 48 END,
		CASE WHEN s.status = 'lost' THEN p.t0 - interval '1 hour' * bench.u(g, salt + 5) * 48 END,
		p.t0 - interval '1 day' * bench.u(g, salt + 6) * 30
	FROM bench.params p,
		generate_series(1, n) g,
		LATERAL (SELECT CASE WHEN bench.u(g, salt) < 0.15 THEN 'won'
						WHEN bench.u(g, salt) < 0.60 THEN 'open'
						WHEN bench.u(g, salt) < 0.90 THEN 'lost'
						ELSE 'deleted' END AS status) s $$;

-- the base tables, their triggers off while loading
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'organizations', 'persons', 'currencies',
							 'deals', 'activities', 'notes', 'files']
	LOOP
		EXECUTE format('ALTER TABLE accounts.%I DISABLE TRIGGER ALL', t);
	END LOOP;
END
$$;

INSERT INTO accounts.tenants (tenant_id, name)
SELECT t, 'Tenant ' || t FROM generate_series(2, :n_tenants) t;

INSERT INTO accounts.currencies (tenant_id, code, name, rate, is_default)
SELECT t, c.* FROM generate_series(1, :n_tenants) t, (VALUES
	('USD', 'US dollar', 1, true),
	('EUR', 'Euro', 1.08, false),
	('GBP', 'Pound sterling', 1.27, false),
	('CHF', 'Swiss franc', 1.13, false)) c;

INSERT INTO accounts.users (tenant_id, id, name, email)
SELECT 1 + (g - 1) / :upt, g, 'Rep ' || g, 'rep' || g || '@example.com'
FROM generate_series(1, :n_users) g;

INSERT INTO accounts.organizations (tenant_id, id, name, owner_id, address, label,
	custom_fields, add_time, update_time)
SELECT 1 + (g - 1) / :opt, g, 'Organization ' || g,
	(g - 1) / :opt * :upt + bench.pick(bench.u(g, 101), 1, :upt),
	g || ' Main Street, ' ||
		(ARRAY['Berlin', 'Paris', 'London', 'Zurich', 'New York', 'Lyon'])[bench.pick(bench.u(g, 102), 1, 6)],
	(ARRAY['customer', 'prospect', 'partner', NULL])[bench.pick(bench.u(g, 103), 1, 4)],
	CASE WHEN bench.u(g, 104) < 0.3 THEN jsonb_build_object('tier', 'gold') ELSE '{}' END,
	p.t0 - interval '1 day' * (365 * 5 * bench.u(g, 105)),
	p.t0 - interval '1 day' * (30 * bench.u(g, 106))
FROM bench.params p, generate_series(1, :n_orgs) g;

-- people: consecutive ids per tenant, each with an organization of it
INSERT INTO accounts.persons (tenant_id, id, name, org_id, email, phone, owner_id,
	add_time, update_time)
SELECT 1 + t, g, 'Person ' || g,
	CASE WHEN bench.u(g, 201) < 0.05 THEN NULL
		 ELSE t * :opt + bench.pick(bench.u(g, 202), 1, :opt) END,
	'person' || g || '@example.com',
	'+1 555 ' || lpad((g % 10000000)::text, 7, '0'),
	t * :upt + bench.pick(bench.u(g, 203), 1, :upt),
	p.t0 - interval '1 day' * (365 * 3 * bench.u(g, 204)),
	p.t0 - interval '1 day' * (30 * bench.u(g, 205))
FROM bench.params p, generate_series(1, :n_persons) g,
	LATERAL (SELECT (g - 1) / :ppt AS t) t;

/*
 * The tenant of the g-th row of a kind (salt) whose organization is org,
 * less one: the organization's, or one drawn at random for a row without.
 */
CREATE FUNCTION bench.tenant0(g bigint, salt bigint, org bigint, opt bigint,
							  n_tenants bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT CASE WHEN org IS NULL THEN bench.pick(bench.u(g, salt), 0, n_tenants - 1)
					  ELSE (org - 1) / opt END $$;

-- deals: 15% won, 45% open, 30% lost, 10% deleted
INSERT INTO accounts.deals (tenant_id, id, title, value, currency, status, org_id,
	person_id, owner_id, probability, expected_close_date, won_time,
	lost_time, lost_reason, add_time, update_time)
SELECT 1 + o.t, g, 'Deal ' || g,
	round((500 + 49500 * bench.u(g, 301) ^ 3)::numeric, 2),
	(ARRAY['USD', 'USD', 'EUR', 'GBP', 'CHF'])[bench.pick(bench.u(g, 302), 1, 5)],
	s.status,
	o.org,
	CASE WHEN bench.u(g, 303) < 0.3 THEN o.t * :ppt + bench.pick(bench.u(g, 304), 1, :ppt) END,
	o.t * :upt + bench.pick(bench.u(g, 305), 1, :upt),
	CASE WHEN bench.u(g, 306) < 0.2 THEN NULL
		 ELSE (10 * bench.pick(bench.u(g, 307), 0, 10))::smallint END,
	CASE WHEN s.status = 'open' THEN p.today + bench.pick(bench.u(g, 308), 0, 120)::int END,
	CASE WHEN s.status = 'won' THEN s.add_time + (p.t0 - s.add_time) * bench.u(g, 309) END,
	CASE WHEN s.status = 'lost' THEN s.add_time + (p.t0 - s.add_time) * bench.u(g, 309) END,
	CASE WHEN s.status = 'lost' THEN 'Price' END,
	s.add_time, s.add_time
FROM bench.params p,
	generate_series(1, :n_deals) g,
	LATERAL (SELECT bench.org_of(g, 310, :n_orgs) AS org) o0,
	LATERAL (SELECT o0.org, bench.tenant0(g, 311, o0.org, :opt, :n_tenants) AS t) o,
	LATERAL (SELECT CASE WHEN bench.u(g, 300) < 0.15 THEN 'won'
					WHEN bench.u(g, 300) < 0.60 THEN 'open'
					WHEN bench.u(g, 300) < 0.90 THEN 'lost'
					ELSE 'deleted' END AS status,
			 p.t0 - interval '1 day' * (365 * 3 * bench.u(g, 320)) AS add_time) s;

/*
 * activities: due from 60 days back to 60 days ahead (2% without a date,
 * 30% without a time); 90% of the past ones and 30% of the others done.
 */
INSERT INTO accounts.activities (tenant_id, id, type, subject, due_date, due_time,
	duration, done, marked_as_done_time, org_id, person_id, owner_id,
	add_time, update_time)
SELECT 1 + o.t, g, d.type, d.subject, d.due_date, d.due_time, interval '30 minutes',
	d.done, CASE WHEN d.done THEN p.t0 END,
	o.org,
	CASE WHEN bench.u(g, 406) < 0.3 THEN o.t * :ppt + bench.pick(bench.u(g, 407), 1, :ppt) END,
	o.t * :upt + bench.pick(bench.u(g, 408), 1, :upt),
	p.t0 - interval '1 day' * (90 * bench.u(g, 409)),
	p.t0 - interval '1 day' * (30 * bench.u(g, 409))
FROM bench.params p,
	generate_series(1, :n_activities) g,
	LATERAL (SELECT bench.org_of(g, 410, :n_orgs) AS org) o0,
	LATERAL (SELECT o0.org, bench.tenant0(g, 411, o0.org, :opt, :n_tenants) AS t) o,
	LATERAL (SELECT
		(ARRAY['call', 'meeting', 'email', 'task'])[bench.pick(bench.u(g, 401), 1, 4)] AS type,
		(ARRAY['Intro call', 'Demo', 'Follow-up', 'Contract review', 'Check-in',
			   'Renewal', 'Onboarding', 'QBR'])[bench.pick(bench.u(g, 402), 1, 8)] AS subject,
		CASE WHEN bench.u(g, 403) < 0.02 THEN NULL
			 ELSE p.today + bench.pick(bench.u(g, 404), -60, 60)::int END AS due_date,
		CASE WHEN bench.u(g, 405) < 0.3 THEN NULL
			 ELSE time '08:00' + interval '15 minutes' * bench.pick(bench.u(g, 405), 0, 40) END AS due_time) d0,
	LATERAL (SELECT d0.*,
		bench.u(g, 411) < CASE WHEN d0.due_date < p.today THEN 0.9 ELSE 0.3 END AS done) d;

INSERT INTO accounts.notes (tenant_id, id, content, org_id, person_id, owner_id,
	add_time, update_time)
SELECT 1 + o.t, g, 'Note ' || g || ': talked about the renewal and the next steps.',
	o.org,
	CASE WHEN bench.u(g, 501) < 0.2 THEN o.t * :ppt + bench.pick(bench.u(g, 502), 1, :ppt) END,
	o.t * :upt + bench.pick(bench.u(g, 503), 1, :upt),
	p.t0 - interval '1 day' * (730 * bench.u(g, 504)),
	p.t0 - interval '1 day' * (730 * bench.u(g, 504))
FROM bench.params p, generate_series(1, :n_notes) g,
	LATERAL (SELECT bench.org_of(g, 510, :n_orgs) AS org) o0,
	LATERAL (SELECT o0.org, bench.tenant0(g, 511, o0.org, :opt, :n_tenants) AS t) o;

INSERT INTO accounts.files (tenant_id, id, name, file_type, file_size, url, org_id,
	owner_id, add_time)
SELECT 1 + o.t, g, 'file-' || g || '.pdf', 'pdf',
	bench.pick(bench.u(g, 601), 1000, 5000000),
	'https://files.example.com/' || g,
	o.org,
	o.t * :upt + bench.pick(bench.u(g, 602), 1, :upt),
	p.t0 - interval '1 day' * (730 * bench.u(g, 603))
FROM bench.params p, generate_series(1, :n_files) g,
	LATERAL (SELECT bench.org_of(g, 610, :n_orgs) AS org) o0,
	LATERAL (SELECT o0.org, bench.tenant0(g, 611, o0.org, :opt, :n_tenants) AS t) o;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['users', 'organizations', 'persons', 'deals',
							 'activities', 'notes', 'files']
	LOOP
		EXECUTE format('SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%L, ''id''), '
					   '(SELECT max(id) FROM accounts.%I))', 'accounts.' || t, t);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['users', 'organizations', 'persons', 'currencies',
							 'deals', 'activities', 'notes', 'files']
	LOOP
		EXECUTE format('ALTER TABLE accounts.%I ENABLE TRIGGER ALL', t);
	END LOOP;
END
$$;

-- the figures of every organization, in one pass
SELECT accounts.rebuild() AS organizations \gset
