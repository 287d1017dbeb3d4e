# What the pgbench TAP tests (004_pgbench_load.pl, 005_crash.pl) and the
# upgrade test (006_upgrade.pl) share: a populated CRM, the pgbench scripts of a CRM write mix, and the check that
# every figure equals an independent recomputation.
#
# Deadlocks.  pgbench aborts a client on an error, and these tests demand
# that no transaction fails, so no script may be able to deadlock with
# another.  The extension locks, per write: the base row, then the figures
# row of each organization it changes, in org_id order (a move locks two).
# Foreign key checks take KEY SHARE row locks, which nothing in the mix
# conflicts with (no deletes, no key changes).  A rate change locks
# accounts.deals in SHARE mode (it waits for every deal writer) before it
# updates figures rows.  So the scripts follow three rules:
#  - a write that moves a row to another organization is a transaction of its
#    own, or the first statement of its transaction;
#  - in a transaction of several statements, only the first statement
#    updates an existing row; the later ones insert new rows, or update rows
#    that the first one locked, of the organizations that it locked;
#  - a transaction that writes deals writes them in its first statement (it
#    then holds its lock on accounts.deals before any figures row), and rates
#    change for one currency only: rate changes of two currencies could lock
#    the same figures rows in different orders.
# Then every transaction waits only for locks that a transaction holding
# nothing it needs has, and no cycle can form.  READ COMMITTED: no
# serialization failures.
package AccountsLoad;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Utils ();
use Test::More;

our @EXPORT = qw(populate_sql pgbench_scripts write_pgbench_scripts
  check_figures run_load check_rebuild);

# sizes of the populated database; the scripts pick ids in these ranges
our $ORGS = 300;
our $DEALS = 1500;
our $PERSONS = 600;
our $ACTIVITIES = 1500;

# the day the kanban buckets are computed for, in the load and the checks
our $TODAY = '2026-03-04';

# A few hundred organizations (the last 50 without deals), deals in three
# currencies in every status, people, activities (done or not, dated or
# not, with a time or not), notes and files; in a new installation of the
# extension, of the given version or the default one.
sub populate_sql
{
	my ($version) = @_;
	my $create = 'CREATE EXTENSION accounts'
	  . (defined $version ? " VERSION '$version'" : '');

	return qq{
$create;
INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.0834, false),
	('JPY', 'Yen', 0.0067, false);
INSERT INTO accounts.users (name) SELECT 'user ' || i FROM generate_series(1, 5) i;
INSERT INTO accounts.organizations (name, owner_id, custom_fields)
SELECT 'org ' || i, 1 + i % 5, jsonb_build_object('n', i)
FROM generate_series(1, $ORGS) i;
INSERT INTO accounts.persons (name, org_id)
SELECT 'person ' || i, 1 + i % $ORGS FROM generate_series(1, $PERSONS) i;
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability,
	won_time)
SELECT 'deal ' || i, (i * 3701 % 1000000) / 100.0, (ARRAY['USD', 'EUR', 'JPY'])[1 + i % 3],
	(ARRAY['open', 'won', 'lost', 'open', 'won', 'deleted'])[1 + i % 6],
	1 + i * 7 % ($ORGS - 50), NULLIF(i % 101, 100),
	timestamptz '2025-06-01 00:00+00' + i * interval '5 hours'
FROM generate_series(1, $DEALS) i;
INSERT INTO accounts.activities (subject, type, org_id, due_date, due_time, done)
SELECT 'activity ' || i, (ARRAY['call', 'meeting', 'email', 'task'])[1 + i % 4],
	1 + i * 11 % $ORGS,
	CASE WHEN i % 10 <> 0 THEN date '$TODAY' + (i % 41 - 20) END,
	CASE WHEN i % 3 = 0 THEN time '08:00' + (i % 9) * interval '1 hour' END,
	i % 3 = 1
FROM generate_series(1, $ACTIVITIES) i;
INSERT INTO accounts.notes (content, deal_id)
SELECT 'note ' || i, i FROM generate_series(1, 400) i;
INSERT INTO accounts.files (name, person_id)
SELECT 'file ' || i, i FROM generate_series(1, 200) i;
};
}

# The write mix, as pgbench's files: "name\@weight" => script.
sub pgbench_scripts
{
	my %s;
	my $deal = "\\set d random(1, $DEALS)\n";
	my $org = "\\set o random(1, $ORGS)\n";

	# win a deal; won_time is the transaction's time
	$s{'win@4'} = $deal . q{
UPDATE accounts.deals SET status = 'won' WHERE id = :d;
};
	# win a deal with a given won time: the first and last won time move
	$s{'win_dated@1'} = $deal . q{
\set h random(0, 8000)
UPDATE accounts.deals SET status = 'won',
	won_time = timestamptz '2025-06-01 00:00+00' + :h * interval '1 hour'
WHERE id = :d;
};
	# reopen a deal (a won one leaves: the account may close)
	$s{'reopen@3'} = $deal . q{
\set p random(0, 100)
UPDATE accounts.deals SET status = 'open', probability = NULLIF(:p, 100)
WHERE id = :d;
};
	$s{'lose@1'} = $deal . q{
UPDATE accounts.deals SET status = 'lost', lost_reason = 'price' WHERE id = :d;
};
	$s{'value@3'} = $deal . q{
\set v random(0, 5000000)
UPDATE accounts.deals SET value = :v * 0.01 WHERE id = :d;
};
	$s{'currency@1'} = $deal . q{
\set c random(1, 3)
UPDATE accounts.deals SET currency = (ARRAY['USD', 'EUR', 'JPY'])[:c] WHERE id = :d;
};
	# move a deal to another organization: one statement, two figures rows
	$s{'move_deal@3'} = $deal . $org . q{
UPDATE accounts.deals SET org_id = :o WHERE id = :d;
};
	$s{'activity_add@3'} = $org . qq{
\\set days random(-20, 40)
\\set t random(0, 3)
INSERT INTO accounts.activities (subject, org_id, due_date, due_time)
VALUES ('call in ' || :days || ' days', :o,
	CASE WHEN :days <= 30 THEN date '$TODAY' + :days END,
	CASE WHEN :t > 0 THEN time '08:00' + :t * interval '2 hours' END);
};
	# complete the next activity of an organization: it is looked up again
	$s{'activity_done@3'} = $org . q{
UPDATE accounts.activities SET done = true
WHERE id = (SELECT a.id FROM accounts.activities a
			WHERE a.org_id = :o AND NOT a.done
			ORDER BY a.due_date, a.due_time, a.id LIMIT 1);
};
	$s{'activity_move_date@2'} = qq{
\\set a random(1, $ACTIVITIES)
\\set k random(-5, 5)
UPDATE accounts.activities SET due_date = due_date + :k WHERE id = :a;
};
	# reopen a done activity (the last activity may leave)
	$s{'activity_undo@1'} = qq{
\\set a random(1, $ACTIVITIES)
UPDATE accounts.activities SET done = false WHERE id = :a;
};
	# a note on a deal is linked to the deal's organization
	$s{'note@2'} = $deal . q{
INSERT INTO accounts.notes (content, deal_id) VALUES ('about deal ' || :d, :d);
};
	$s{'person_move@2'} = $org . qq{
\\set p random(1, $PERSONS)
UPDATE accounts.persons SET org_id = :o WHERE id = :p;
};
	# an organization edited through the view
	$s{'edit@1'} = $org . q{
\set n random(1, 9)
UPDATE accounts.organization_summary SET label = 'label ' || :n WHERE id = :o;
};
	# one currency only (see the top of this file)
	$s{'rate@1'} = q{
\set r random(9000, 12000)
UPDATE accounts.currencies SET rate = :r * 0.0001 WHERE code = 'EUR';
};

	# Transactions of several statements.  The first statement locks the
	# deal or activity and its organization's figures; the later ones add
	# rows to that same organization.
	$s{'close_won@2'} = $deal . qq{
\\set v random(100, 1000000)
BEGIN;
UPDATE accounts.deals SET status = 'won', value = :v * 0.01 WHERE id = :d;
INSERT INTO accounts.activities (subject, type, deal_id, done, due_date)
VALUES ('handover of deal ' || :d, 'meeting', :d, true, date '$TODAY');
INSERT INTO accounts.notes (content, deal_id) VALUES ('won deal ' || :d, :d);
COMMIT;
};
	$s{'follow_up@2'} = $org . qq{
\\set days random(1, 20)
BEGIN;
UPDATE accounts.activities SET done = true
WHERE id = (SELECT a.id FROM accounts.activities a
			WHERE a.org_id = :o AND NOT a.done
			ORDER BY a.due_date, a.due_time, a.id LIMIT 1);
INSERT INTO accounts.activities (subject, org_id, due_date)
VALUES ('follow-up', :o, date '$TODAY' + :days);
INSERT INTO accounts.notes (content, org_id) VALUES ('called back', :o);
COMMIT;
};
	# a move, then a win rolled back to a savepoint, then a note
	$s{'savepoint@1'} = $deal . $org . q{
BEGIN;
UPDATE accounts.deals SET org_id = :o WHERE id = :d;
SAVEPOINT s;
UPDATE accounts.deals SET status = 'won', value = value + 1 WHERE id = :d;
INSERT INTO accounts.notes (content, deal_id) VALUES ('rolled back', :d);
ROLLBACK TO SAVEPOINT s;
INSERT INTO accounts.notes (content, deal_id) VALUES ('moved deal ' || :d, :d);
COMMIT;
};
	$s{'rollback@1'} = $deal . q{
BEGIN;
UPDATE accounts.deals SET status = 'won' WHERE id = :d;
INSERT INTO accounts.activities (subject, deal_id) VALUES ('rolled back', :d);
ROLLBACK;
};
	return \%s;
}

# Write the scripts into $dir with $prefix, for a pgbench started by hand;
# returns pgbench's -f options.
sub write_pgbench_scripts
{
	my ($dir, $prefix) = @_;
	my $scripts = pgbench_scripts();
	my @opts;

	foreach my $name (sort keys %$scripts)
	{
		my ($file, $weight) = split /\@/, $name;
		my $path = "$dir/$prefix$file.sql";
		PostgreSQL::Test::Utils::append_to_file($path, $scripts->{$name});
		push @opts, '-f', "$path\@$weight";
	}
	return @opts;
}

# Every organization's figures recomputed from the base tables, written
# independently of the extension (which has its own in figures_fresh), in
# the columns of accounts.organization_summary, with the kanban bucket as of
# accounts.today with weeks starting on Monday.
my $expected_summary = q{
CREATE TEMP VIEW expected_summary AS
SELECT o.id, o.name, o.owner_id, o.address, o.label, o.custom_fields,
	o.add_time, o.update_time,
	won.n > 0 AS is_account,
	won.n AS won_deals_count,
	won.total AS won_value,
	COALESCE(by_currency.totals, '{}') AS won_value_by_currency,
	won.first_time AS first_won_time,
	won.last_time AS last_won_time,
	op.n AS open_deals_count,
	op.total AS open_deals_value,
	op.weighted AS open_deals_weighted_value,
	lost.n AS lost_deals_count,
	won.n + lost.n AS closed_deals_count,
	(SELECT count(*) FROM accounts.persons p WHERE p.org_id = o.id)::integer
		AS people_count,
	(SELECT count(*) FROM accounts.notes n WHERE n.org_id = o.id)::integer
		AS notes_count,
	(SELECT count(*) FROM accounts.files f WHERE f.org_id = o.id)::integer
		AS files_count,
	act.n AS activities_count,
	act.done AS done_activities_count,
	act.n - act.done AS undone_activities_count,
	nxt.id AS next_activity_id,
	nxt.due_date AS next_activity_date,
	nxt.due_time AS next_activity_time,
	nxt.subject AS next_activity_subject,
	lst.id AS last_activity_id,
	lst.due_date AS last_activity_date,
	lst.due_date AS last_contacted,
	CASE WHEN nxt.id IS NULL THEN 'no_activity'
		 WHEN nxt.due_date IS NULL THEN 'later'
		 WHEN nxt.due_date < day.today THEN 'overdue'
		 WHEN nxt.due_date = day.today THEN 'today'
		 WHEN nxt.due_date = day.today + 1 THEN 'tomorrow'
		 WHEN nxt.due_date <= day.sunday THEN 'this_week'
		 WHEN nxt.due_date <= day.sunday + 7 THEN 'next_week'
		 ELSE 'later' END AS kanban_bucket
FROM accounts.organizations o
CROSS JOIN (SELECT t AS today,
				t + (7 - extract(isodow FROM t)::integer) AS sunday
			FROM (SELECT current_setting('accounts.today')::date AS t) s) day,
LATERAL (SELECT count(*)::integer AS n,
			COALESCE(sum(d.value * c.rate), 0) AS total,
			min(d.won_time) AS first_time, max(d.won_time) AS last_time
		 FROM accounts.deals d JOIN accounts.currencies c ON c.code = d.currency
		 WHERE d.org_id = o.id AND d.status = 'won') won,
LATERAL (SELECT count(*)::integer AS n,
			COALESCE(sum(d.value * c.rate), 0) AS total,
			COALESCE(sum(d.value * c.rate * COALESCE(d.probability, 100)) * 0.01,
					 0) AS weighted
		 FROM accounts.deals d JOIN accounts.currencies c ON c.code = d.currency
		 WHERE d.org_id = o.id AND d.status = 'open') op,
LATERAL (SELECT count(*)::integer AS n FROM accounts.deals d
		 WHERE d.org_id = o.id AND d.status = 'lost') lost,
LATERAL (SELECT jsonb_object_agg(t.currency, t.total) AS totals
		 FROM (SELECT d.currency, sum(d.value) AS total FROM accounts.deals d
			   WHERE d.org_id = o.id AND d.status = 'won'
			   GROUP BY d.currency) t) by_currency,
LATERAL (SELECT count(*)::integer AS n,
			(count(*) FILTER (WHERE a.done))::integer AS done
		 FROM accounts.activities a WHERE a.org_id = o.id) act
-- the next activity: earliest undone by date, time (missing ones last), id
LEFT JOIN LATERAL (SELECT a.id, a.due_date, a.due_time, a.subject
		 FROM accounts.activities a WHERE a.org_id = o.id AND NOT a.done
		 ORDER BY a.due_date NULLS LAST, a.due_time NULLS LAST, a.id
		 LIMIT 1) nxt ON true
-- the last activity: latest done by date, time (missing ones first), id
LEFT JOIN LATERAL (SELECT a.id, a.due_date
		 FROM accounts.activities a WHERE a.org_id = o.id AND a.done
		 ORDER BY a.due_date DESC NULLS LAST, a.due_time DESC NULLS LAST,
			a.id DESC
		 LIMIT 1) lst ON true;
};

my $summary_columns = q{id, name, owner_id, address, label, custom_fields,
	add_time, update_time, is_account, won_deals_count, won_value,
	won_value_by_currency, first_won_time, last_won_time, open_deals_count,
	open_deals_value, open_deals_weighted_value, lost_deals_count,
	closed_deals_count, people_count, notes_count, files_count,
	activities_count, done_activities_count, undone_activities_count,
	next_activity_id, next_activity_date, next_activity_time,
	next_activity_subject, last_activity_id, last_activity_date,
	last_contacted, kanban_bucket};

# Check every figure of database $db; $when names the moment in test names.
sub check_figures
{
	my ($node, $db, $when) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $set = qq{SET accounts.today = '$TODAY'; SET accounts.week_start = 'monday';};

	is($node->safe_psql($db, 'SELECT * FROM accounts.verify() LIMIT 20'),
		'', "$when: verify() is empty");

	# both ways, with the differing rows shown on failure
	is( $node->safe_psql(
			$db, $set . $expected_summary . qq{
SELECT 'missing', x.* FROM (
	SELECT $summary_columns FROM expected_summary
	EXCEPT ALL
	SELECT $summary_columns FROM accounts.organization_summary) x
UNION ALL
SELECT 'extra', x.* FROM (
	SELECT $summary_columns FROM accounts.organization_summary
	EXCEPT ALL
	SELECT $summary_columns FROM expected_summary) x
LIMIT 20}),
		'',
		"$when: organization_summary equals the recomputation");

	is( $node->safe_psql(
			$db, $set . $expected_summary . q{
(SELECT id, won_value, kanban_bucket FROM expected_summary WHERE is_account
 EXCEPT ALL
 SELECT id, won_value, kanban_bucket FROM accounts.accounts)
UNION ALL
(SELECT id, won_value, kanban_bucket FROM accounts.accounts
 EXCEPT ALL
 SELECT id, won_value, kanban_bucket FROM expected_summary WHERE is_account)
LIMIT 20}),
		'',
		"$when: accounts equals the recomputation");

	is( $node->safe_psql(
			$db, $set . $expected_summary . q{
CREATE TEMP VIEW expected_counts AS
SELECT b.bucket, count(s.id) AS accounts, COALESCE(sum(s.won_value), 0) AS won_value
FROM unnest(ARRAY['overdue', 'today', 'tomorrow', 'this_week', 'next_week',
	'later', 'no_activity']) b(bucket)
LEFT JOIN expected_summary s ON s.kanban_bucket = b.bucket AND s.is_account
GROUP BY b.bucket;
-- bucket is text up to 0.5, accounts.bucket from 0.6
(TABLE expected_counts
 EXCEPT ALL
 SELECT bucket::text, accounts, won_value FROM accounts.kanban_counts())
UNION ALL
(SELECT bucket::text, accounts, won_value FROM accounts.kanban_counts()
 EXCEPT ALL
 TABLE expected_counts)}),
		'',
		"$when: kanban_counts() equals the recomputation");

	# the history: kinds alternate, and the last one says what is true now
	is( $node->safe_psql(
			$db, $set . $expected_summary . q{
SELECT e.org_id, e.kind, 'repeated' FROM (
	SELECT org_id, kind, lag(kind) OVER (PARTITION BY org_id ORDER BY id) AS prev
	FROM accounts.account_events) e
WHERE e.kind = e.prev
UNION ALL
SELECT s.id, l.kind, 'last event contradicts is_account ' || s.is_account
FROM expected_summary s
LEFT JOIN LATERAL (SELECT kind FROM accounts.account_events e
	WHERE e.org_id = s.id ORDER BY e.id DESC LIMIT 1) l ON true
WHERE COALESCE(l.kind = 'created', false) <> s.is_account
LIMIT 20}),
		'',
		"$when: account events alternate and match the accounts");
	return;
}

# Run pgbench on database crm of $node with 4 clients for $seconds seconds
# and the scripts of %$scripts (name@weight => text): every transaction
# must commit.
sub run_load
{
	my ($node, $seconds, $name, $scripts) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	$node->pgbench(
		"-n -c 4 -j 2 -T $seconds crm",
		0,
		[
			qr{number of transactions actually processed: [1-9]\d*},
			qr{number of failed transactions: 0 \(0\.000%\)}
		],
		[qr{^$}],
		$name,
		$scripts);
}

# rebuild() recomputes what the triggers kept: no figure of database $db
# changes (compared as values: a figure kept by deltas may show more
# decimal places).  $when names the moment in the test name.
sub check_rebuild
{
	my ($node, $db, $when) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	$node->safe_psql($db, q{
CREATE TABLE kept AS SELECT * FROM accounts.organization_summary;
SELECT accounts.rebuild();
CREATE TABLE rebuilt AS SELECT * FROM accounts.organization_summary;
});
	is( $node->safe_psql(
			$db,
			'SELECT count(*) FROM ((TABLE kept EXCEPT ALL TABLE rebuilt)'
			  . ' UNION ALL (TABLE rebuilt EXCEPT ALL TABLE kept)) x'),
		'0',
		"rebuild() $when changes no figure");
	$node->safe_psql($db, 'DROP TABLE kept, rebuilt');
}

1;
