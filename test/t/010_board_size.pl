# The board by day stays as small as the days in use.  Twenty sessions move
# the activities of the accounts across 700 distinct days, then complete
# every one of them; each session writes its own slot of
# accounts.kanban_days.  Accounts that leave a day that the session's own
# row would then count none of take the rows of the other slots that
# nobody is writing, and a row whose sums are zero goes
# (src/board.c): afterwards the board holds about a row per day in use,
# not one per day and session that ever wrote it, and after rebuild()
# exactly one per day in use.  The figures and the board stay exact.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $clients = 20;
my $days = 700;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', 'max_connections = 50');
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");

# the activities of the accounts, numbered; every one undone
$node->safe_psql('crm', q{
CREATE TABLE moved AS
SELECT row_number() OVER (ORDER BY a.id) AS n, a.id FROM accounts.activities a
WHERE a.org_id IN (SELECT id FROM accounts.accounts);
UPDATE accounts.activities SET done = false WHERE id IN (SELECT id FROM moved);
});
my $nacts = $node->safe_psql('crm', 'SELECT count(*) FROM moved');
cmp_ok($nacts, '>=', 500, 'the accounts have activities to move');

# What the board holds: its rows, and the days that hold accounts.
sub board_size
{
	my @r = split /\|/, $node->safe_psql('crm', q{
SELECT (SELECT count(*) FROM accounts.kanban_days),
	(SELECT count(*) FROM (SELECT DISTINCT next_activity_date FROM accounts.figures
						   WHERE won_deals_count > 0) d)});
	return ($r[0], $r[1]);
}

# 1. every session moves activities to any of 700 days, one at a time
my $moves = int(3 * $nacts / $clients);
$node->pgbench(
	"-n -c $clients -j 2 -t $moves crm",
	0,
	[
		qr{number of transactions actually processed: [1-9]\d*},
		qr{number of failed transactions: 0 \(0\.000%\)}
	],
	[qr{^$}],
	"$clients sessions move activities across $days days",
	{
		'move' => "\\set n random(1, $nacts)\n\\set d random(0, $days - 1)\n" . q{
UPDATE accounts.activities SET due_date = date '2026-01-01' + :d
WHERE id = (SELECT id FROM moved WHERE n = :n);
}
	});
check_figures($node, 'crm', 'after the moves');
my ($rows, $in_use) = board_size();
note("after the moves: $rows board rows for $in_use days in use");
cmp_ok($in_use, '>=', 100, 'the accounts are spread over many days');
# a day that an account left holds at most a row per session that added
# one since; 0.4 kept a row per day and session that ever wrote it
cmp_ok($rows, '<=', 2 * $in_use, 'at most two board rows per day in use');

# 2. every session completes its share of the activities, one at a time
my $share = int($nacts / $clients) + 10;
$node->pgbench(
	"-n -c $clients -j 2 -t $share crm",
	0,
	[
		qr{number of transactions actually processed: [1-9]\d*},
		qr{number of failed transactions: 0 \(0\.000%\)}
	],
	[qr{^$}],
	"$clients sessions complete every activity",
	{
		'complete' => qq{
UPDATE accounts.activities SET done = true
WHERE id = (SELECT id FROM moved m WHERE m.n % $clients = :client_id
			AND NOT (SELECT done FROM accounts.activities a WHERE a.id = m.id)
			ORDER BY m.n LIMIT 1);
}
	});
is($node->safe_psql('crm',
		'SELECT count(*) FROM accounts.activities WHERE NOT done AND id IN (SELECT id FROM moved)'),
	'0', 'every activity of the accounts is done');
check_figures($node, 'crm', 'after the completions');
($rows, $in_use) = board_size();
note("after the completions: $rows board rows for $in_use days in use");
# the accounts without an undone activity: a row per session; and the
# days left a few rows at most, those that another transaction was writing
# when the last account left (nobody waits for them; they go when the day
# is next left, or at rebuild())
cmp_ok($rows, '<=', $in_use + 2 * $clients,
	'the days left hold (almost) no rows; the day in use one per session');

# 3. rebuild() leaves one row per day in use
$node->safe_psql('crm', 'SELECT accounts.rebuild()');
($rows, $in_use) = board_size();
is($rows, $in_use, 'after rebuild(): one board row per day in use');

$node->stop;
done_testing();
