-- test/bench/timing.sql
--
-- Read latency, measured inside the server: bench.time_stmt(stmt, args, n,
-- budget_ms) runs the prepared statement stmt (PREPAREd in the calling
-- session, so its plan is cached as an application's would be) up to n
-- times, cycling through args (each a parenthesized argument list such as
-- '(42)', or '' for none), and returns the time of each run in
-- milliseconds.  Warm-up runs come first, untimed: one with each argument
-- list that the timed runs will use (at least five runs), so that every
-- timed run finds its rows in memory, as the hundredth visit of a list
-- does, not the first; at scale 10 the base tables are three times
-- shared_buffers, and four copies of them share the machine's memory, so
-- that a first visit reads its pages from the operating system or the
-- disk, for every variant alike.  The warm-up stops once budget_ms has
-- been spent, and the timed runs stop early likewise, after at least one
-- timed run, so that the slow baselines (the plain view) take seconds, not
-- hours.  The
-- time includes the EXECUTE of the prepared statement and the fetching of
-- all its rows, not the network; the floor (a prepared SELECT 1) is
-- reported alongside.

CREATE FUNCTION bench.time_stmt(stmt text, args text[], n integer,
								budget_ms float8)
RETURNS float8[]
LANGUAGE plpgsql AS $$
DECLARE
	k			integer := COALESCE(array_length(args, 1), 0);
	calls		text[];
	res			float8[] := '{}';
	start		timestamptz;
	t0			timestamptz;
	i			integer := 0;
BEGIN
	SELECT array_agg(format('EXECUTE %I%s', stmt, a) ORDER BY o)
	INTO calls
	FROM unnest(CASE WHEN k > 0 THEN args ELSE ARRAY[''] END) WITH ORDINALITY AS u(a, o);
	k := array_length(calls, 1);

	start := clock_timestamp();
	FOR w IN 1..GREATEST(5, LEAST(n, k)) LOOP
		EXECUTE calls[1 + (w - 1) % k];
		EXIT WHEN clock_timestamp() - start > budget_ms * interval '1 ms';
	END LOOP;

	start := clock_timestamp();
	LOOP
		t0 := clock_timestamp();
		EXECUTE calls[1 + i % k];
		res := res || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
		i := i + 1;
		EXIT WHEN i >= n OR clock_timestamp() - start > budget_ms * interval '1 ms';
	END LOOP;
	RETURN res;
END
$$;

CREATE FUNCTION bench.median(v float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
	SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(v) x
$$;

-- one output line for the runner: key|median ms|number of timed runs
CREATE FUNCTION bench.report_time(key text, stmt text, args text[], n integer,
								  budget_ms float8)
RETURNS text
LANGUAGE sql AS $$
	SELECT format('%s|%s|%s', key, bench.median(t), cardinality(t))
	FROM (SELECT bench.time_stmt(stmt, args, n, budget_ms) AS t) x
$$;

/*
 * What the reads are run with: 100 accounts (spread over all of them by a
 * hash of the id, so small and large ones alike) and every owner.
 */
CREATE TABLE bench.sample_accounts AS
SELECT org_id FROM accounts.figures WHERE won_deals_count > 0
ORDER BY pg_catalog.hashint8(org_id), org_id LIMIT 100;

CREATE FUNCTION bench.account_args() RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT array_agg('(' || org_id || ')' ORDER BY pg_catalog.hashint8(org_id), org_id)
	FROM bench.sample_accounts
$$;

CREATE FUNCTION bench.owner_args() RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT array_agg('(' || id || ')' ORDER BY id) FROM accounts.users
$$;
