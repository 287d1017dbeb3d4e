-- test/bench/reads_common.sql
--
-- Workload B, the part every variant shares: times the statements that the
-- variant's reads_*.sql PREPAREd, with the same names and arguments, and
-- prints one line per statement: key|median ms|timed runs.  Needs :n (runs
-- per statement), :budget (ms per statement) and :after_date, :after_id
-- (the last card of the first page of the column).

SELECT bench.report_time('B0', 'floor', NULL, :n, :budget);
SELECT bench.report_time('B1', 'top50', NULL, :n, :budget);
SELECT bench.report_time('B2', 'owner', bench.owner_args(), :n, :budget);
SELECT bench.report_time('B2b', 'owner2', bench.owner_args(), :n, :budget);
SELECT bench.report_time('B2c', 'owner_value', bench.owner_args(), :n, :budget);
SELECT bench.report_time('B2d', 'owner_value2', bench.owner_args(), :n, :budget);
SELECT bench.report_time('B3', 'kcounts', NULL, :n, :budget);
SELECT bench.report_time('B4', 'kcol1', NULL, :n, :budget);
SELECT bench.report_time('B5', 'kcol2',
	ARRAY[format('(%L, %s)', :'after_date', :after_id)], :n, :budget);
SELECT bench.report_time('B6', 'byid', bench.account_args(), :n, :budget);
SELECT bench.report_time('B8', 'timeline', bench.account_args(), :n, :budget);
