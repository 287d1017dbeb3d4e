# pg_upgrade across PostgreSQL versions: a populated cluster of an older
# installation with the extension in use (ACCOUNTS_UPGRADE_FROM: the
# directory that holds its bin/, with the same build of the extension
# installed, as test/matrix prepares from Debian's PostgreSQL 15) is
# upgraded to the installation under test.  After it, and after ALTER
# EXTENSION accounts UPDATE, every table and view of the extension holds
# what it held, kanban_counts(), kanban_column() and timeline() answer as
# before, verify() is empty and the figures equal a recomputation; then a
# pgbench write mix runs on the new cluster and they still do.
#
# Skipped without ACCOUNTS_UPGRADE_FROM: one installation alone has
# nothing to upgrade from.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $from = $ENV{ACCOUNTS_UPGRADE_FROM} // '';
plan skip_all => 'ACCOUNTS_UPGRADE_FROM names no older installation'
  if $from eq '';
-x "$from/bin/postgres"
  or BAIL_OUT("ACCOUNTS_UPGRADE_FROM=$from has no bin/postgres");

my $old = PostgreSQL::Test::Cluster->new('old', install_path => $from);
my $new = PostgreSQL::Test::Cluster->new('new');
note 'from ' . $old->pg_version . ' to ' . $new->pg_version;

# 18's initdb turns data checksums on by default, and pg_upgrade wants
# both clusters alike: on in both
$old->init(extra => ['--data-checksums']);
$old->start;
$new->init(extra => ['--data-checksums']);
$new->start;

# pg_upgrade restores the attribute options of every column.  Some minor
# releases record options of their own there that the other version's
# server does not know (15.20 gives every column pg_attver, which 18.6
# refuses): then no cluster at all can be upgraded, whatever it holds.
$old->safe_psql('postgres', 'CREATE TABLE probe (a int)');
foreach my $option (split /\n/, $old->safe_psql('postgres', q{
SELECT DISTINCT ON (split_part(o, '=', 1)) o
FROM pg_attribute, unnest(attoptions) o ORDER BY split_part(o, '=', 1)}))
{
	my ($ret, $stdout, $stderr) = $new->psql('postgres',
		"CREATE TEMP TABLE probe (a int); ALTER TABLE probe ALTER a SET ($option)");
	plan skip_all => 'pg_upgrade from ' . $old->pg_version . ' to '
	  . $new->pg_version . " fails for any cluster: the old one gives columns"
	  . " the option $option, the new one refuses it ($stderr)"
	  if $ret != 0;
}
$old->safe_psql('postgres', 'DROP TABLE probe');
$new->stop;

$old->safe_psql('postgres', 'CREATE DATABASE crm');
$old->safe_psql('crm', populate_sql());
# a history of accounts closed and opened again, and a rate changed
$old->safe_psql('crm', q{
UPDATE accounts.deals SET status = 'lost' WHERE org_id % 13 = 0 AND status = 'won';
UPDATE accounts.deals SET status = 'won', won_time = '2026-02-01 09:00+00'
WHERE org_id % 26 = 0 AND status = 'lost';
UPDATE accounts.currencies SET rate = 1.0921 WHERE code = 'EUR';
});
$old->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");
check_figures($old, 'crm', 'before the upgrade');

# Every table and view of the extension's schemas, each row as text in a
# fixed order, and what the functions that read the board and the
# timeline answer.
my @queries = map { "SELECT t::text FROM $_ t ORDER BY 1" } split /\n/,
  $old->safe_psql('crm', q{
SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('accounts', 'accounts_internal') AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY 1});
ok(@queries >= 20, scalar(@queries) . ' tables and views to compare');
push @queries,
  'SELECT * FROM accounts.kanban_counts()',
  "SELECT * FROM accounts.kanban_column('later', page_size => 50)",
  "SELECT * FROM accounts.kanban_column('no_activity', page_size => 50)",
  'SELECT * FROM accounts.account_detail(42)',
  'SELECT * FROM accounts.account_timeline(42, page_size => 50)';
my %before = map { $_ => $old->safe_psql('crm', $_) } @queries;
$old->stop;

# pg_upgrade writes its logs into the current directory's and the new
# cluster's directories
chdir $PostgreSQL::Test::Utils::tmp_check;
command_ok(
	[
		$new->config_data('--bindir') . '/pg_upgrade', '--no-sync',
		'--old-datadir' => $old->data_dir,
		'--new-datadir' => $new->data_dir,
		'--old-bindir' => $old->config_data('--bindir'),
		'--new-bindir' => $new->config_data('--bindir'),
		'--socketdir' => $new->host,
		'--old-port' => $old->port,
		'--new-port' => $new->port,
	],
	'pg_upgrade from ' . $old->pg_version . ' to ' . $new->pg_version);
$new->start;

$new->safe_psql('crm', 'ALTER EXTENSION accounts UPDATE');
is( $new->safe_psql('crm', q{
SELECT e.extversion = a.default_version
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
WHERE e.extname = 'accounts'}),
	't', 'the extension is at the default version');

foreach my $query (@queries)
{
	my $after = $new->safe_psql('crm', $query);
	is($after, $before{$query}, "after the upgrade: $query");
}
check_figures($new, 'crm', 'after the upgrade');

# writes go on: a deal won makes an account with an event after the old
# ones, then the write mix of 004_pgbench_load.pl
$new->safe_psql('crm', q{
INSERT INTO accounts.organizations (name) VALUES ('after the upgrade');
INSERT INTO accounts.deals (title, value, currency, status, org_id)
SELECT 'first deal', 100, 'USD', 'won', max(id) FROM accounts.organizations;
});
is( $new->safe_psql('crm', q{
SELECT e.kind, e.id > (SELECT max(id) FROM accounts.account_events
	WHERE org_id <> e.org_id)
FROM accounts.account_events e
WHERE e.org_id = (SELECT max(id) FROM accounts.organizations)}),
	'created|t', 'a new account gets an event after the upgraded ones');
check_figures($new, 'crm', 'after a write on the new cluster');
run_load($new, 5, 'the write mix on the upgraded cluster', pgbench_scripts());
check_figures($new, 'crm', 'after the write mix on the upgraded cluster');

$new->stop;
done_testing();
