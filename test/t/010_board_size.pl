# The board by day stays about as large as the days that hold accounts.
# Twenty sessions move accounts' next activities across 700 distinct days
# at once, then every activity is completed: afterwards the board has few
# rows (no row per day and backend, no rows whose sums are zero; a day
# keeps more than one only where transactions wrote it at the same time),
# its sums equal the figures (verify()), and rebuild() leaves one row per
# day.  Before 0.4 it kept a row per day and backend that ever wrote it.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 40\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");
my $accounts = $node->safe_psql('crm', 'SELECT count(*) FROM accounts.accounts');

# each statement moves the next activity of one organization to one of
# 700 days; every organization has an undone activity to move
$node->safe_psql('crm', q{
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'moving', id, date '2026-01-01' FROM accounts.organizations});
$node->pgbench(
	'-n -c 20 -j 2 -t 150 crm',
	0,
	[
		qr{number of transactions actually processed: 3000/3000},
		qr{number of failed transactions: 0 \(0\.000%\)}
	],
	[qr{^$}],
	'20 sessions move accounts across 700 days',
	{
		'move' => q{
\set o random(1, 300)
\set d random(0, 699)
UPDATE accounts.activities SET due_date = date '2026-01-01' + :d
WHERE subject = 'moving' AND org_id = :o;
}
	});
my ($rows, $days) = split /\|/, $node->safe_psql('crm', q{
SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT day FROM accounts.kanban_days) d)
FROM accounts.kanban_days});
note "after the moves: $rows rows for $days days, $accounts accounts";
# a day has a second row only where two transactions wrote it at once:
# a few dozen times among 3,000 moves of 20 sessions on 2 cores
cmp_ok($rows, '<=', $days + 80,
	'the board has about one row per day that holds accounts');
is($node->safe_psql('crm', 'SELECT count(*) FROM accounts.verify()'), '0',
	'verify() is empty after the moves');

$node->safe_psql('crm', 'UPDATE accounts.activities SET done = true WHERE NOT done');
($rows, $days) = split /\|/, $node->safe_psql('crm', q{
SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT day FROM accounts.kanban_days) d)
FROM accounts.kanban_days});
note "after completing every activity: $rows rows for $days days";
# what is left besides the day of no activity: days whose rows cancel
cmp_ok($rows, '<=', 100, 'the board is small once every activity is done');
is($node->safe_psql('crm', q{
SELECT count(*) FROM accounts.kanban_days WHERE accounts = 0 AND won_value = 0}),
	'0', 'no row of the board is all zero');
is($node->safe_psql('crm', 'SELECT count(*) FROM accounts.verify()'), '0',
	'verify() is empty after completing every activity');
check_figures($node, 'crm', 'at the end');

$node->safe_psql('crm', 'SELECT accounts.rebuild()');
is( $node->safe_psql('crm', q{
SELECT count(*) = (SELECT count(*) FROM (SELECT DISTINCT day FROM accounts.kanban_days) d)
FROM accounts.kanban_days}),
	't', 'rebuild() leaves one row per day');

$node->stop;
done_testing();
