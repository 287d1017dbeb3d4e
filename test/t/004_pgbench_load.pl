# pgbench with four clients runs a CRM write mix (win, reopen, lose, change
# a value or a currency, move deals and people between organizations, add,
# complete and re-date activities, add notes, edit organizations through the
# view, change a rate; transactions of several statements with savepoints
# and rollbacks) against a populated database.  No transaction may fail, and
# afterwards every figure equals an independent recomputation.  The scripts
# and the reasons why none of them can deadlock are in AccountsLoad.pm.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

# seconds of load; short for CI
my $seconds = $ENV{ACCOUNTS_PGBENCH_SECONDS} // 12;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
# report a wait for a lock, should one ever get long
$node->append_conf('postgresql.conf', "log_lock_waits = on\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
# the kanban buckets of the checks are computed for a fixed day
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");

check_figures($node, 'crm', 'populated');

my $counts = q{SELECT (SELECT count(*) FROM accounts.notes) || ' '
	|| (SELECT count(*) FROM accounts.activities) || ' '
	|| (SELECT count(*) FROM accounts.account_events) || ' '
	|| (SELECT string_agg(org_id::text, ',' ORDER BY id) FROM accounts.deals)};
my ($notes, $activities, $events, $deal_orgs) =
  split / /, $node->safe_psql('crm', $counts);

$node->pgbench(
	"-n -c 4 -j 2 -T $seconds crm",
	0,
	[
		qr{number of transactions actually processed: [1-9]\d*},
		qr{number of failed transactions: 0 \(0\.000%\)}
	],
	[qr{^$}],
	'the write mix runs without a failed transaction',
	pgbench_scripts());

my ($notes2, $activities2, $events2, $deal_orgs2) =
  split / /, $node->safe_psql('crm', $counts);
note("notes $notes -> $notes2, activities $activities -> $activities2, "
	  . "account events $events -> $events2");
cmp_ok($notes2, '>', $notes, 'the load added notes');
cmp_ok($activities2, '>', $activities, 'the load added activities');
cmp_ok($events2, '>', $events, 'the load created or closed accounts');
isnt($deal_orgs2, $deal_orgs, 'the load moved deals');

check_figures($node, 'crm', 'after the load');

# rebuild() recomputes what the triggers kept: no figure changes (compared
# as values: a figure kept by deltas may show more decimal places)
$node->safe_psql('crm', q{
CREATE TABLE kept AS SELECT * FROM accounts.organization_summary;
SELECT accounts.rebuild();
CREATE TABLE rebuilt AS SELECT * FROM accounts.organization_summary;
});
is( $node->safe_psql(
		'crm',
		'SELECT count(*) FROM ((TABLE kept EXCEPT ALL TABLE rebuilt)'
		  . ' UNION ALL (TABLE rebuilt EXCEPT ALL TABLE kept)) x'),
	'0',
	'rebuild() after the load changes no figure');

$node->stop;
done_testing();
