# Writers change deals, activities and people of many organizations in
# multi-row statements while other sessions make the backends' caches go
# away under them: ANALYZE of every base and internal table in a loop (each
# sends a relcache invalidation, as autovacuum does under any steady write
# load), catalog churn with temporary tables (enough invalidations to
# overflow the queue, which resets every cache of a backend that falls
# behind), and rewrites of the internal tables (VACUUM FULL, CLUSTER,
# REINDEX, CREATE INDEX CONCURRENTLY and DROP INDEX of an extra index).
# No backend may die; afterwards every figure equals an independent
# recomputation and every B-tree index of the extension's schema agrees
# with its table (amcheck, heapallindexed).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $seconds = $ENV{ACCOUNTS_CHURN_SECONDS} // 60;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', q{
restart_after_crash = on
log_statement = none
autovacuum_naptime = 1s
autovacuum_vacuum_threshold = 20
autovacuum_analyze_threshold = 20
});
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
$node->safe_psql('crm', 'CREATE EXTENSION amcheck');
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");

my $base = 'accounts.organizations, accounts.persons, accounts.currencies, '
  . 'accounts.deals, accounts.activities, accounts.notes, accounts.files';
my $internal = 'accounts.figures, accounts.figures_by_currency, '
  . 'accounts.kanban_days, accounts.account_events';

# Each stream is a pgbench of its own; deadlocks with the DDL of the rewrite
# stream are retried, any other error fails the stream.
my %streams = (
	# flip deals between won and open, ~30 deals of as many organizations
	# a statement; add and remove won deals, move deals
	writers => [
		2,
		{
			'flip@4' => q{
\set k random(0, 50)
UPDATE accounts.deals SET status = CASE WHEN status = 'won' THEN 'open' ELSE 'won' END
 WHERE id % 51 = :k AND status IN ('won', 'open');
},
			'value@2' => q{
\set k random(0, 40)
UPDATE accounts.deals SET value = value + 1 WHERE id % 41 = :k;
},
			'activities@2' => q{
\set k random(0, 36)
UPDATE accounts.activities SET done = NOT done WHERE id % 37 = :k;
},
			'schedule@2' => qq{
\\set k random(0, 60)
\\set d random(-5, 20)
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'churn call', o.id, '$AccountsLoad::TODAY'::date + :d
FROM accounts.organizations o WHERE o.id % 61 = :k;
},
			'people@1' => q{
\set k random(0, 60)
\set o random(1, 300)
UPDATE accounts.persons SET org_id = :o WHERE id % 61 = :k;
},
		}
	],
	analyze => [
		1,
		{
			'analyze@1' => join('',
				map { "ANALYZE $_;\n" } split /, /, "$internal, $base")
		}
	],
	catalog => [
		1,
		{
			'temp@1' => q{
CREATE TEMP TABLE churn (a int PRIMARY KEY, b text, c numeric);
CREATE INDEX ON churn (b);
DROP TABLE churn;
}
		}
	],
	rewrite => [
		1,
		{
			'rewrite@1' => q{
VACUUM FULL accounts.figures;
CREATE INDEX CONCURRENTLY IF NOT EXISTS churn_extra ON accounts.figures (people_count);
CLUSTER accounts.kanban_days USING kanban_days_day_slot;
REINDEX TABLE accounts.figures_by_currency;
DROP INDEX IF EXISTS accounts.churn_extra;
VACUUM FULL accounts.account_events;
CLUSTER accounts.figures USING figures_pkey;
REINDEX INDEX accounts.figures_kanban;
CREATE INDEX CONCURRENTLY IF NOT EXISTS churn_extra_days ON accounts.kanban_days (accounts);
VACUUM FULL accounts.figures_by_currency;
DROP INDEX CONCURRENTLY IF EXISTS accounts.churn_extra_days;
}
		}
	],);

my $dir = PostgreSQL::Test::Utils::tempdir;
my %runs;
foreach my $name (sort keys %streams)
{
	my ($clients, $scripts) = @{ $streams{$name} };
	my @files;
	foreach my $script (sort keys %$scripts)
	{
		my ($file, $weight) = split /\@/, $script;
		my $path = "$dir/$name-$file.sql";
		PostgreSQL::Test::Utils::append_to_file($path, $scripts->{$script});
		push @files, '-f', "$path\@$weight";
	}
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'pgbench', '-n', '-c', $clients, '-T', $seconds,
			'--max-tries=1000', '-h', $node->host, '-p', $node->port,
			@files, 'crm'
		],
		'>', \$out, '2>', \$err);
	$runs{$name} = [ $h, \$out, \$err ];
}

foreach my $name (sort keys %runs)
{
	my ($h, $out, $err) = @{ $runs{$name} };
	$h->finish;
	my ($done) = $$out =~ /number of transactions actually processed: (\d+)/;
	my ($failed) = $$out =~ /number of failed transactions: (\d+)/;
	my ($retried) = $$out =~ /number of transactions retried: (\d+)/;
	note("$name: "
		  . ($done // '?')
		  . ' transactions, '
		  . ($retried // 0)
		  . ' retried');
	is($h->result(0), 0, "stream $name ran to its end") or diag($$err);
	ok(defined $done && $done > 0, "stream $name did some work");
	is($failed // 0, 0, "no transaction of stream $name failed") or diag($$err);
}

# a dead backend takes every session with it; the log says so
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend died');
unlike($log, qr/TRAP: /, 'no assertion failed');

$node->safe_psql('crm', 'DROP INDEX IF EXISTS accounts.churn_extra, accounts.churn_extra_days');

check_figures($node, 'crm', 'after the churn');

is( $node->safe_psql(
		'crm', q{
SELECT count(*) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am a ON a.oid = c.relam AND a.amname = 'btree'
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'accounts'
CROSS JOIN LATERAL bt_index_check(i.indexrelid, true)
WHERE i.indisvalid}),
	$node->safe_psql(
		'crm', q{
SELECT count(*) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am a ON a.oid = c.relam AND a.amname = 'btree'
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'accounts'
WHERE i.indisvalid}),
	'amcheck finds every index of the extension consistent with its table');

check_rebuild($node, 'crm', 'after the churn');

$node->stop;
done_testing();
