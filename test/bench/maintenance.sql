-- test/bench/maintenance.sql
--
-- Workload D, in the extension's database: every figure recomputed from
-- the base tables, by the bare aggregate query (accounts_internal.figures_fresh and
-- accounts_internal.figures_by_currency_fresh, run to completion by EXPLAIN ANALYZE
-- so that no row is sent) and by accounts.rebuild(), which computes the
-- same and writes it into the figures tables.  Each is timed twice, in the
-- order aggregate, rebuild, rebuild, aggregate, so that neither always
-- finds the cache as the other left it; the mean of the two is reported.
-- Prints key|variant|ms lines.  (The materialized view's REFRESH is timed
-- by the runner in the bare database.)

SET client_min_messages = warning;

SELECT clock_timestamp() AS t0 \gset
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM accounts_internal.figures_fresh \g /dev/null
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM accounts_internal.figures_by_currency_fresh \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 AS agg1 \gset

SELECT clock_timestamp() AS t0 \gset
SELECT accounts.rebuild() \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 AS rebuild1 \gset
VACUUM accounts.figures, accounts.figures_by_currency, accounts.kanban_days;

SELECT clock_timestamp() AS t0 \gset
SELECT accounts.rebuild() \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 AS rebuild2 \gset
VACUUM accounts.figures, accounts.figures_by_currency, accounts.kanban_days;

SELECT clock_timestamp() AS t0 \gset
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM accounts_internal.figures_fresh \g /dev/null
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM accounts_internal.figures_by_currency_fresh \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 AS agg2 \gset

SELECT 'D1|aggregate|' || (:agg1 + :agg2) / 2;
SELECT 'D1|ext|' || (:rebuild1 + :rebuild2) / 2;
