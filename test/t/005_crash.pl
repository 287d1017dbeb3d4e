# A crash in the middle of a write load: pgbench runs the CRM write mix of
# 004_pgbench_load.pl with four clients, the server is stopped in immediate
# mode (no shutdown checkpoint: crash recovery replays the WAL), and after
# the restart every figure equals an independent recomputation.  Then the
# same load runs again, without a failed transaction, and the figures stay
# exact.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");
my $notes = $node->safe_psql('crm', 'SELECT count(*) FROM accounts.notes');

# the load, in the background; far longer than the test waits for it
my ($stdout, $stderr) = ('', '');
my $pgbench = IPC::Run::start(
	[
		'pgbench', '-n', '-c', '4', '-j', '2', '-T', '300',
		'-h', $node->host, '-p', $node->port,
		write_pgbench_scripts($node->basedir, 'load_'), 'crm'
	],
	'>', \$stdout, '2>', \$stderr);

# Some writes, a checkpoint, more writes: recovery starts at the checkpoint
# and replays the transactions committed after it; those in flight at the
# crash are rolled back.
$node->poll_query_until('crm',
	"SELECT count(*) >= $notes + 100 FROM accounts.notes")
  or die 'the load does not write';
$node->safe_psql('crm', 'CHECKPOINT');
my $checkpointed = $node->safe_psql('crm', 'SELECT count(*) FROM accounts.notes');
$node->poll_query_until('crm',
	"SELECT count(*) >= $checkpointed + 500 FROM accounts.notes")
  or die 'the load does not write';

$node->stop('immediate');
# every client loses its connection, and pgbench gives up
$pgbench->finish;
like($stderr, qr/aborted/, 'the crash interrupted the load');
note($stderr);

$node->start;
ok($node->log_contains(qr/database system was interrupted/),
	'the restart recovered from a crash');
cmp_ok($node->safe_psql('crm', 'SELECT count(*) FROM accounts.notes'),
	'>', $checkpointed, 'writes committed after the checkpoint survive');

check_figures($node, 'crm', 'after crash recovery');

run_load($node, 3,
	'after recovery the write mix runs without a failed transaction',
	pgbench_scripts());

check_figures($node, 'crm', 'after more writes');

$node->stop;
done_testing();
