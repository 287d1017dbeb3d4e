# Replication: a publisher under the random writes of 003_random_writes.pl
# (with prepared transactions among them), and three peers that follow it:
#  - a logical replication subscriber with the extension, subscribed to a
#    publication FOR ALL TABLES: it receives the derived tables as
#    published (its triggers do not fire for what the apply worker writes),
#    so that after catch-up every view, kanban_counts(), the history and
#    verify() answer there as on the publisher;
#  - a consumer of the events alone, in a database without the extension,
#    through a publication of accounts.account_events (pgoutput), and a
#    logical slot read with test_decoding: every event, in commit order,
#    in the transaction of the change that caused it;
#  - a physical standby (streaming, hot standby): every view and function
#    answers the same there, and verify() runs read-only.
# And two-phase commit: a prepared transaction holding a board day while a
# new backend (which may reuse the preparer's backend id) writes that day;
# PREPARE where max_prepared_transactions = 0 keeps PostgreSQL's error.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use RandomWrites;

my $seed = $ENV{ACCOUNTS_RANDOM_SEED};
$seed = (time() ^ ($$ << 12)) % 1_000_000_007
  unless defined $seed && $seed ne '';
my $batches = $ENV{ACCOUNTS_REPLICATION_BATCHES} || 40;
note "seed $seed";
srand($seed);

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf',
	"max_prepared_transactions = 10\ntrack_commit_timestamp = on\n");
$pub->start;
$pub->safe_psql('postgres', random_setup_sql());
$pub->safe_psql('postgres', q{
CREATE PUBLICATION crm FOR ALL TABLES;
CREATE PUBLICATION crm_events FOR TABLE accounts.account_events;
SELECT pg_create_logical_replication_slot('events_sql', 'test_decoding');
});

my $standby = PostgreSQL::Test::Cluster->new('standby');
$pub->backup('base');
$standby->init_from_backup($pub, 'base', has_streaming => 1);
$standby->start;

my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->start;
my $connstr = $pub->connstr . ' dbname=postgres';
# the publisher sends its default tenant: the subscriber's own goes first
$sub->safe_psql('postgres', qq{
CREATE EXTENSION accounts;
DELETE FROM accounts.tenants;
CREATE SUBSCRIPTION crm CONNECTION '$connstr' PUBLICATION crm;
});
# the events consumer: the table alone, no extension
$sub->safe_psql('postgres', 'CREATE DATABASE events');
$sub->safe_psql('events', qq{
CREATE SCHEMA accounts;
CREATE TABLE accounts.account_events (id bigint PRIMARY KEY, org_id bigint NOT NULL,
	kind text NOT NULL, deal_id bigint, event_time timestamptz NOT NULL,
	tenant_id bigint NOT NULL);
CREATE SUBSCRIPTION crm_events CONNECTION '$connstr' PUBLICATION crm_events;
});
$sub->poll_query_until('postgres',
	q{SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')})
  or die 'the initial copy did not finish';

# the random writes, and prepared transactions among them
for my $batch (1 .. $batches)
{
	refresh_ids($pub, 'postgres');
	my $sql = random_batch();
	if ($batch % 5 == 0)
	{
		# a prepared transaction around one batch's first statements
		my $resolve = $batch % 10 == 0 ? 'ROLLBACK PREPARED' : 'COMMIT PREPARED';
		$sql .= qq{
BEGIN;
UPDATE accounts.deals SET status = CASE WHEN status = 'won' THEN 'open' ELSE 'won' END
WHERE id % 7 = $batch % 7;
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'prepared', id, date '2026-02-01' + $batch FROM accounts.organizations WHERE id % 5 = 0;
PREPARE TRANSACTION 'accounts_$batch';
$resolve 'accounts_$batch';
};
	}
	my ($stdout, $stderr);
	$pub->psql('postgres', $sql, stdout => \$stdout, stderr => \$stderr,
		on_error_stop => 0);
	unlike($stderr, qr/ERROR:\s+(?!.*(?:violates|unknown currency|cannot truncate a table referenced|does not exist))/,
		"batch $batch: no error but by design");
}
is($pub->safe_psql('postgres', 'SELECT count(*) FROM accounts.verify()'),
	'0', 'publisher: verify() is empty');
my $events = $pub->safe_psql('postgres', 'SELECT count(*) FROM accounts.account_events');
cmp_ok($events, '>', 10, "the writes created and closed accounts ($events events)");

# two-phase commit and the board: a prepared transaction keeps its slot's
# row of a day; a new backend writing the same day never waits for it
$pub->safe_psql('postgres', q{
INSERT INTO accounts.organizations (id, name) VALUES (100001, 'prepared'), (100002, 'after');
INSERT INTO accounts.deals (title, value, currency, org_id)
VALUES ('p', 10, 'USD', 100001), ('a', 20, 'USD', 100002);
INSERT INTO accounts.activities (subject, org_id, due_date)
VALUES ('p', 100001, '2026-05-05'), ('a', 100002, '2026-05-05');
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE org_id = 100001;
PREPARE TRANSACTION 'accounts_board';
});
my ($out, $err);
$pub->psql('postgres', q{
SET lock_timeout = '3s';
UPDATE accounts.deals SET status = 'won' WHERE org_id = 100002;
}, stdout => \$out, stderr => \$err);
is($err, '', 'a new backend writes the day of the board held by a prepared transaction without waiting');
$pub->safe_psql('postgres', q{COMMIT PREPARED 'accounts_board'});
is( $pub->safe_psql('postgres', q{
SELECT accounts FROM accounts.kanban_counts('2026-05-05') WHERE bucket = 'today'}),
	$pub->safe_psql('postgres', q{
SELECT count(*) FROM accounts.accounts WHERE next_activity_date = '2026-05-05'}),
	'the board counts both accounts of that day');

# PostgreSQL's own error where prepared transactions are disabled
$sub->safe_psql('postgres', 'CREATE DATABASE plain');
$sub->safe_psql('plain', q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true);
INSERT INTO accounts.organizations (name) VALUES ('o');
INSERT INTO accounts.deals (title, value, currency, org_id) VALUES ('d', 1, 'USD', 1);
});
$sub->psql('plain', q{
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE id = 1;
PREPARE TRANSACTION 'accounts_disabled';
}, stderr => \$err);
like($err, qr/ERROR:  prepared transactions are disabled/,
	'PREPARE with max_prepared_transactions = 0 keeps PostgreSQL\'s error');

# catch-up of every peer
$pub->wait_for_catchup('crm');
$pub->wait_for_catchup('crm_events');
$pub->wait_for_catchup($standby, 'replay', $pub->lsn('insert'));

# What an application reads, on the publisher and on a peer.
my $as_of = q{SET accounts.today = '2026-03-04';};
my @reads = (
	'SELECT * FROM accounts.accounts ORDER BY id',
	'SELECT * FROM accounts.organization_summary ORDER BY id',
	'SELECT * FROM accounts.kanban ORDER BY id',
	'SELECT * FROM accounts.kanban_counts()',
	q{SELECT * FROM accounts.kanban_column('overdue', page_size => 50)},
	q{SELECT * FROM accounts.kanban_column('later', page_size => 50)},
	'SELECT * FROM accounts.contact_overview',
	'SELECT a.* FROM accounts.accounts x, accounts.account_detail(x.id) a ORDER BY a.id',
	'SELECT * FROM accounts.account_deals ORDER BY account_id, id',
	'SELECT * FROM accounts.account_people ORDER BY account_id, id',
	'SELECT * FROM accounts.account_activities ORDER BY account_id, id',
	'SELECT * FROM accounts.account_notes ORDER BY account_id, id',
	'SELECT * FROM accounts.account_files ORDER BY account_id, id',
	'SELECT t.* FROM accounts.accounts x, accounts.account_timeline(x.id) t ORDER BY 1, 2, 3, 4',
	'SELECT * FROM accounts.account_events ORDER BY id',
	'SELECT * FROM accounts.verify()',);

foreach my $peer ([ $sub, 'subscriber' ], [ $standby, 'standby' ])
{
	my ($node, $name) = @$peer;
	foreach my $read (@reads)
	{
		my $want = $pub->safe_psql('postgres', $as_of . $read);
		my $got = $node->safe_psql('postgres', $as_of . $read);
		is($got, $want, "$name: $read");
	}
}
is($pub->safe_psql('postgres', 'SELECT count(*) FROM accounts.verify()'), '0',
	'publisher: verify() is empty at the end');
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't',
	'the standby ran verify() in recovery, read-only');

# the events consumer (pgoutput): the same rows
is( $sub->safe_psql('events', 'SELECT * FROM accounts.account_events ORDER BY id'),
	$pub->safe_psql('postgres', 'SELECT * FROM accounts.account_events ORDER BY id'),
	'the events consumer received every event');

# test_decoding: every event once, in commit order, each in a transaction
# that also changed the deals or organizations that caused it
my $changes = $pub->safe_psql('postgres', q{
SELECT data FROM pg_logical_slot_get_changes('events_sql', NULL, NULL,
	'include-xids', '0', 'skip-empty-xacts', '1')});
my @decoded;
my ($orphans, $xact_events, $xact_causes, @xact) = (0, 0, 0);
foreach my $line (split /\n/, $changes)
{
	push @xact, $line;
	if ($line eq 'BEGIN')
	{
		($xact_events, $xact_causes, @xact) = (0, 0);
	}
	elsif ($line eq 'COMMIT')
	{
		if ($xact_events && !$xact_causes)
		{
			$orphans++;
			diag("an event without its cause:\n" . join("\n", @xact));
		}
	}
	elsif ($line =~ /^table accounts\.account_events: INSERT: id\[bigint\]:(\d+)/)
	{
		push @decoded, $1;
		$xact_events++;
	}
	# a TRUNCATE names every table it truncates, those of CASCADE too:
	# "table accounts.persons, accounts.deals, ...: TRUNCATE: cascade"
	elsif ($line =~ /^table (?:[^:]*, )?accounts\.(?:deals|organizations)[,:]/)
	{
		$xact_causes++;
	}
}
is(join(',', @decoded),
	$pub->safe_psql('postgres',
		q{SELECT string_agg(id::text, ',' ORDER BY pg_xact_commit_timestamp(xmin), id)
		  FROM accounts.account_events}),
	'test_decoding: every event once, in commit order');
is($orphans, 0, 'test_decoding: each event in the transaction of its cause');

$sub->stop;
$standby->stop;
$pub->stop;
done_testing();
