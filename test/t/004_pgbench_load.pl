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

run_load($node, $seconds,
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

check_rebuild($node, 'crm', 'after the load');

$node->stop;
done_testing();
