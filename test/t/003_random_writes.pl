# A seeded randomized differential test: long random sequences of every
# write the base tables allow (single- and multi-row INSERT, UPDATE and
# DELETE of every table, INSERT ... SELECT generate_series, COPY FROM STDIN,
# INSERT ... ON CONFLICT DO UPDATE, MERGE, TRUNCATE, rate changes, writes
# through the accounts views, explicit transactions committed and rolled
# back, savepoints rolled back and released, organizations deleted and
# renumbered), run in batches.  After every batch:
#   - accounts.verify() is empty;
#   - the main figures of accounts.organization_summary equal an
#     independent recomputation written here (EXCEPT ALL both ways);
#   - the account history alternates per organization and its last event
#     says whether the organization is an account now;
#   - every statement that failed, failed by design (a foreign key, unique,
#     check or not-null violation of a base table, a TRUNCATE of a
#     referenced table), never inside the extension.
# Statements that fail by design are part of the workload: psql runs each
# batch with ON_ERROR_ROLLBACK on, so a failing statement inside a
# transaction rolls back to an implicit savepoint (half of a multi-row
# statement's figure deltas must go with it) and the batch goes on.
#
# The seed is printed ("seed N"); to replay a run, or to run longer:
#   ACCOUNTS_RANDOM_SEED=N ACCOUNTS_RANDOM_BATCHES=2000 make tapcheck \
#       PROVE_TESTS=test/t/003_random_writes.pl      (as a non-root user)
# The default length, 100 batches of about 50 statements, takes about 15 s;
# the long run of 2000 batches about 7 minutes (two cores).  The statements
# of every batch are kept in tmp_check/log/003_random_writes_batches.sql,
# each batch headed by its number, so a failing batch can be read and
# replayed.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use RandomWrites;

my $seed = $ENV{ACCOUNTS_RANDOM_SEED};
$seed = (time() ^ ($$ << 12)) % 1_000_000_007
  unless defined $seed && $seed ne '';
my $batches = $ENV{ACCOUNTS_RANDOM_BATCHES} || 100;
note "seed $seed";
note "batches $batches";
srand($seed);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
# no autovacuum: the same seed replays the same row order in every scan
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

$node->safe_psql('postgres', random_setup_sql());

# The figures recomputed from the base tables, independently of the
# extension's own figures_fresh view, compared with organization_summary.
my $figures_diff = q{
WITH expected AS (
	SELECT o.id,
		won.n AS won_deals_count, won.total AS won_value,
		op.n AS open_deals_count, op.total AS open_deals_value,
		op.weighted AS open_deals_weighted_value,
		(SELECT count(*) FROM accounts.deals d
		 WHERE d.org_id = o.id AND d.status = 'lost')::integer AS lost_deals_count,
		(SELECT count(*) FROM accounts.persons p WHERE p.org_id = o.id)::integer AS people_count,
		(SELECT count(*) FROM accounts.notes n WHERE n.org_id = o.id)::integer AS notes_count,
		(SELECT count(*) FROM accounts.files f WHERE f.org_id = o.id)::integer AS files_count,
		act.n AS activities_count, act.done AS done_activities_count,
		act.next_id AS next_activity_id, act.next_date AS next_activity_date,
		act.last_id AS last_activity_id,
		won.first_time AS first_won_time, won.last_time AS last_won_time,
		COALESCE(cur.totals, '{}') AS won_value_by_currency
	FROM accounts.organizations o,
	LATERAL (SELECT count(*)::integer AS n, COALESCE(sum(d.value * c.rate), 0) AS total,
				min(d.won_time) AS first_time, max(d.won_time) AS last_time
			 FROM accounts.deals d JOIN accounts.currencies c ON c.code = d.currency
			 WHERE d.org_id = o.id AND d.status = 'won') won,
	LATERAL (SELECT count(*)::integer AS n, COALESCE(sum(d.value * c.rate), 0) AS total,
				COALESCE(sum(d.value * c.rate * COALESCE(d.probability, 100) * 0.01), 0)
					AS weighted
			 FROM accounts.deals d JOIN accounts.currencies c ON c.code = d.currency
			 WHERE d.org_id = o.id AND d.status = 'open') op,
	-- next: the earliest undone activity by date, time (missing ones last),
	-- id; last: the latest done one, a missing date or time counting as the
	-- earliest
	LATERAL (SELECT count(*)::integer AS n, count(*) FILTER (WHERE a.done)::integer AS done,
				(array_agg(a.id ORDER BY a.due_date NULLS LAST, a.due_time NULLS LAST, a.id)
					FILTER (WHERE NOT a.done))[1] AS next_id,
				(array_agg(a.due_date ORDER BY a.due_date NULLS LAST, a.due_time NULLS LAST, a.id)
					FILTER (WHERE NOT a.done))[1] AS next_date,
				(array_agg(a.id ORDER BY a.due_date DESC NULLS LAST,
						a.due_time DESC NULLS LAST, a.id DESC)
					FILTER (WHERE a.done))[1] AS last_id
			 FROM accounts.activities a WHERE a.org_id = o.id) act,
	LATERAL (SELECT jsonb_object_agg(t.currency, t.total) AS totals
			 FROM (SELECT d.currency, sum(d.value) AS total FROM accounts.deals d
				   WHERE d.org_id = o.id AND d.status = 'won' GROUP BY d.currency) t) cur
),
stored AS (
	SELECT id, won_deals_count, won_value, open_deals_count, open_deals_value,
		open_deals_weighted_value, lost_deals_count, people_count, notes_count,
		files_count, activities_count, done_activities_count, next_activity_id,
		next_activity_date, last_activity_id, first_won_time, last_won_time,
		won_value_by_currency
	FROM accounts.organization_summary
)
SELECT 'expected, not in organization_summary: ' || to_jsonb(x)::text
FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) x
UNION ALL
SELECT 'in organization_summary, not expected: ' || to_jsonb(y)::text
FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) y
};

# The account history: kinds alternate per organization, and the last event
# of an organization (existing or deleted) says whether it is an account now.
my $events_diff = q{
SELECT 'same kind twice in a row: ' || to_jsonb(e)::text
FROM (SELECT id, org_id, kind, lag(kind) OVER (PARTITION BY org_id ORDER BY id) AS previous
	  FROM accounts.account_events) e
WHERE e.kind = e.previous
UNION ALL
SELECT 'last event disagrees: org ' || l.org_id || ' last ' || l.kind
FROM (SELECT DISTINCT ON (org_id) org_id, kind FROM accounts.account_events
	  ORDER BY org_id, id DESC) l
WHERE (l.kind = 'created') IS DISTINCT FROM EXISTS (
	SELECT FROM accounts.deals d JOIN accounts.organizations o ON o.id = d.org_id
	WHERE d.org_id = l.org_id AND d.status = 'won')
UNION ALL
SELECT 'account without a created event: org ' || o.id
FROM accounts.organizations o
WHERE EXISTS (SELECT FROM accounts.deals d WHERE d.org_id = o.id AND d.status = 'won')
  AND NOT EXISTS (SELECT FROM accounts.account_events e WHERE e.org_id = o.id)
};

# Errors that a statement may raise by design: a constraint of a base table,
# the extension's own check of a deal's currency, a TRUNCATE of a table that
# others reference.  Anything else (an error inside the extension, a
# constraint of its internal tables) is a failure.
my $base_constraint = qr/^"(?:users|organizations|persons|currencies|deals|activities|notes|files)_\w+"$|^"currencies_one_default"$/;
sub expected_error
{
	my ($msg) = @_;
	return 1 if $msg =~ /^(?:insert or update|update or delete) on table "\w+" violates foreign key constraint/;
	return 1 if $msg =~ /^duplicate key value violates unique constraint (\S+)/ && $1 =~ $base_constraint;
	return 1 if $msg =~ /^new row for relation "\w+" violates check constraint/;
	return 1 if $msg =~ /^null value in column "\w+" of relation "\w+" violates not-null constraint/;
	return 1 if $msg =~ /^unknown currency "\w+"/;
	return 1 if $msg =~ /^(?:deal|person) \d+ does not exist$/;
	return 1 if $msg =~ /^cannot truncate a table referenced in a foreign key constraint/;
	return 0;
}

sub row_counts
{
	return $node->safe_psql('postgres',
		'SELECT ' . join(" || ', ' || ",
			map { "'$_ ' || (SELECT count(*) FROM accounts.$_)" }
			  @base_tables, 'accounts', 'account_events'));
}

my $log = "$PostgreSQL::Test::Utils::log_path/003_random_writes_batches.sql";
open(my $batch_log, '>', $log) or die "could not open $log: $!";
print $batch_log "-- seed $seed\n";

my ($statements, %errors, @unexpected) = (0);
my $start = time();
my $passed_batches = 0;
for my $batch (1 .. $batches)
{
	refresh_ids($node, 'postgres');

	my $sql = random_batch();
	print $batch_log "\n-- batch $batch\n$sql";
	$statements += () = $sql =~ /;\n/g;

	my ($stdout, $stderr);
	my $rc = $node->psql('postgres', $sql, stdout => \$stdout, stderr => \$stderr,
		on_error_stop => 0);
	is($rc, 0, "batch $batch: psql ran the batch") or last;
	foreach my $line (split /\n/, $stderr)
	{
		next unless $line =~ /ERROR:\s+(.*)$/;
		my $msg = $1;
		if (expected_error($msg))
		{
			(my $kind = $msg) =~ s/"[^"]*"/"..."/g;
			$errors{$kind}++;
		}
		else
		{
			push @unexpected, "batch $batch: $msg";
		}
	}

	my $verify = $node->safe_psql('postgres',
		'SELECT org_id, figure, stored, expected FROM accounts.verify()');
	my $diff = $node->safe_psql('postgres', $figures_diff);
	my $events = $node->safe_psql('postgres', $events_diff);
	my $ok = is($verify, '', "batch $batch: verify() is empty");
	$ok = is($diff, '', "batch $batch: figures equal the recomputation") && $ok;
	$ok = is($events, '', "batch $batch: account history is consistent") && $ok;
	$ok = is(scalar(@unexpected), 0, "batch $batch: no unexpected error") && $ok;
	unless ($ok)
	{
		diag "unexpected error: $_" foreach @unexpected;
		diag "seed $seed failed at batch $batch; its statements are in $log";
		last;
	}
	$passed_batches++;
	note "after batch $batch: " . row_counts() if $batch % 100 == 0;
}
close $batch_log;

note sprintf('%d of %d batches passed, %d statements in %d s', $passed_batches,
	$batches, $statements, time() - $start);
note sprintf('%6d failed by design: %s', $errors{$_}, $_)
  foreach sort { $errors{$b} <=> $errors{$a} } keys %errors;
note 'at the end: ' . row_counts();

$node->stop;
done_testing();
