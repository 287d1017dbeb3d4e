-- test/bench/bulk.sql
--
-- Workload C, in one variant's database: one INSERT ... SELECT of
-- n_insert_deals new deals (200,000 at scale 1) and one COPY of
-- n_copy_deals (1,000,000 at scale 1) from the file :csv, each timed inside
-- its own transaction, which is then rolled back so that every round and
-- every variant starts from the same data.  The new deals are made first,
-- untimed, into a temporary table, so that only the insert is measured.
-- Prints key|ms lines.

SET client_min_messages = warning;
SELECT n_insert_deals FROM bench.params \gset
CREATE TEMP TABLE new_deals AS SELECT * FROM bench.new_deals(:n_insert_deals, 5000);

BEGIN;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO accounts.deals (title, value, currency, status, org_id, owner_id,
	probability, won_time, lost_time, add_time)
SELECT * FROM new_deals;
SELECT 'C1|' || extract(epoch FROM clock_timestamp() - :'t0') * 1000;
ROLLBACK;

BEGIN;
SELECT clock_timestamp() AS t0 \gset
COPY accounts.deals (title, value, currency, status, org_id, owner_id,
	probability, won_time, lost_time, add_time) FROM :'csv' (FORMAT csv);
SELECT 'C2|' || extract(epoch FROM clock_timestamp() - :'t0') * 1000;
ROLLBACK;

-- the rolled-back rows out of the way, untimed
VACUUM accounts.deals;
