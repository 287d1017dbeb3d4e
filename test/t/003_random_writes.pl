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

$node->safe_psql('postgres', q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.0834, false),
	('GBP', 'Pound', 1.2710, false), ('JPY', 'Yen', 0.0067, false),
	('CHF', 'Franc', 1.1302, false);
INSERT INTO accounts.users (name) SELECT 'user ' || i FROM generate_series(1, 5) i;
INSERT INTO accounts.organizations (name, owner_id)
SELECT 'org ' || i, 1 + i % 5 FROM generate_series(1, 30) i;
});

my @currencies = qw(USD EUR GBP JPY CHF);
my @statuses = qw(open won lost deleted);
my @base_tables = qw(users organizations persons deals activities notes files);

# the highest id given by the identity sequence of every base table, and
# the ids of the rows, read before each batch
my (%max, %ids);

sub rint { return int(rand($_[0])); }
sub chance { return rand() < $_[0]; }
sub pick { return $_[ rint(scalar @_) ]; }

# an id of a row of $table that exists when the batch starts, sometimes any
# id up to the sequence's (the write then fails on a foreign key or changes
# nothing), or NULL
sub ref_id
{
	my ($table, $null_chance) = @_;
	return 'NULL' if chance($null_chance // 0);
	my $ids = $ids{$table};
	return $ids->[ rint(scalar @$ids) ] if @$ids && chance(0.9);
	return 1 + rint($max{$table} + 2);
}

sub money { return sprintf('%d.%02d', rint(5000), rint(100)); }
sub day { return sprintf("date '2026-01-01' + %d", rint(90)); }
sub clock { return sprintf("'%02d:%02d'", 8 + rint(10), pick(0, 15, 30, 45)); }

# won times from a small set, so that deals share them and the first and
# last won time are often held by more than one deal
sub won_time
{
	return 'NULL' if chance(0.3);    # the trigger sets it when won
	return sprintf("timestamptz '2026-01-01 00:00+00' + %d * interval '6 hours'",
		rint(40));
}

# COPY data: tab-separated, \N for NULL
sub copy_value { my ($v) = @_; return $v eq 'NULL' ? '\N' : $v; }

my @ops = (
	# organizations
	[ 4, sub {
		sprintf("INSERT INTO accounts.organizations (name, owner_id) VALUES ('org %d', %s);",
			rint(1000), ref_id('users', 0.3));
	} ],
	[ 1, sub {
		sprintf("INSERT INTO accounts.organizations (name, label) "
			  . "SELECT 'batch org ' || i, 'l' || i %% 3 FROM generate_series(1, %d) i;",
			1 + rint(4));
	} ],
	[ 2, sub {
		sprintf("UPDATE accounts.organizations SET name = name || '+', label = 'x%d' WHERE id = %s;",
			rint(9), ref_id('organizations'));
	} ],
	[ 1.2, sub {
		sprintf("DELETE FROM accounts.organizations WHERE id = %s;", ref_id('organizations'));
	} ],
	[ 0.3, sub {
		sprintf("DELETE FROM accounts.organizations WHERE id %% %d = %d AND id > %d;",
			7 + rint(10), rint(7), rint($max{organizations} + 1));
	} ],
	[ 1, sub {
		my $id = ref_id('organizations');
		sprintf("INSERT INTO accounts.organizations (id, name) VALUES (%s, 'upserted %d') "
			  . "ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = 'a%d';",
			$id, rint(100), rint(100));
	} ],
	# renumbering: fails when the organization is referenced
	[ 0.5, sub {
		sprintf("UPDATE accounts.organizations SET id = %d WHERE id = %s;",
			1_000_000 + rint(1_000_000), ref_id('organizations'));
	} ],
	# through the views
	[ 0.5, sub {
		sprintf("UPDATE accounts.organization_summary SET label = 'view %d' WHERE id %% %d = %d;",
			rint(10), 3 + rint(5), rint(3));
	} ],
	[ 0.3, sub {
		sprintf("UPDATE accounts.accounts SET custom_fields = custom_fields || '{\"tier\": %d}' "
			  . "WHERE id = %s;", rint(3), ref_id('organizations'));
	} ],

	# persons
	[ 4, sub {
		sprintf("INSERT INTO accounts.persons (name, org_id, owner_id) VALUES ('p%d', %s, %s);",
			rint(1000), ref_id('organizations', 0.15), ref_id('users', 0.5));
	} ],
	[ 1, sub {
		sprintf("INSERT INTO accounts.persons (name, org_id) "
			  . "SELECT 'gp' || i, NULLIF((i * %d) %% %d, 0) FROM generate_series(1, %d) i;",
			1 + rint(13), $max{organizations} + 1, 1 + rint(6));
	} ],
	[ 3, sub {
		sprintf("UPDATE accounts.persons SET org_id = %s WHERE id = %s;",
			ref_id('organizations', 0.15), ref_id('persons'));
	} ],
	[ 1, sub {
		sprintf("UPDATE accounts.persons SET org_id = NULLIF((id * %d) %% %d, 0) "
			  . "WHERE id %% %d = %d;",
			1 + rint(7), $max{organizations} + 1, 5 + rint(10), rint(5));
	} ],
	[ 2, sub {
		sprintf("DELETE FROM accounts.persons WHERE id = %s;", ref_id('persons'));
	} ],

	# deals
	[ 10, sub {
		my $status = pick(@statuses, 'open', 'won', 'won');
		sprintf("INSERT INTO accounts.deals (title, value, currency, status, org_id, person_id, "
			  . "probability, won_time) VALUES ('d%d', %s, %s, '%s', %s, %s, %s, %s);",
			rint(1000), money(),
			chance(0.15) ? 'NULL' : "'" . pick(@currencies) . "'",
			$status, ref_id('organizations', 0.1), ref_id('persons', 0.6),
			chance(0.3) ? 'NULL' : rint(101),
			$status eq 'won' ? won_time() : 'NULL');
	} ],
	[ 2, sub {
		my $k = 1 + rint(7);
		sprintf("INSERT INTO accounts.deals (title, value, currency, status, org_id, probability) "
			  . "SELECT 'gd' || i, (i * %d %% 3000) / 3.0, "
			  . "(ARRAY['USD','EUR','GBP','JPY','CHF'])[1 + (i + %d) %% 5], "
			  . "(ARRAY['open','won','lost','deleted','won'])[1 + (i + %d) %% 5], "
			  . "NULLIF((i * %d) %% %d, 0), NULLIF(i * 7 %% 102, 101) "
			  . "FROM generate_series(1, %d) i;",
			37 + rint(100), rint(5), rint(5), $k, $max{organizations} + 2, 1 + rint(12));
	} ],
	[ 8, sub {
		my $id = ref_id('deals');
		my @set;
		push @set, "status = '" . pick(@statuses) . "'" if chance(0.6);
		push @set, 'value = ' . money() if chance(0.3);
		push @set, "currency = '" . pick(@currencies) . "'" if chance(0.15);
		push @set, 'probability = ' . (chance(0.2) ? 'NULL' : rint(101)) if chance(0.2);
		push @set, 'org_id = ' . ref_id('organizations', 0.1) if chance(0.25);
		push @set, 'won_time = ' . won_time() if chance(0.15);
		push @set, 'person_id = ' . ref_id('persons', 0.3) if chance(0.1);
		push @set, "title = 't" . rint(100) . "'" unless @set;
		sprintf("UPDATE accounts.deals SET %s WHERE id = %s;", join(', ', @set), $id);
	} ],
	[ 2, sub {
		my $set = pick("status = '" . pick(@statuses) . "'",
			'value = value + 1',
			"currency = '" . pick(@currencies) . "'",
			'probability = (COALESCE(probability, 50) + 10) % 101',
			'org_id = org_id + 1',
			"won_time = won_time + interval '1 day'",
			"status = CASE status WHEN 'open' THEN 'won' WHEN 'won' THEN 'lost' "
			  . "WHEN 'lost' THEN 'open' ELSE status END");
		sprintf("UPDATE accounts.deals SET %s WHERE id %% %d = %d;", $set, 3 + rint(12), rint(3));
	} ],
	[ 2, sub {
		sprintf("DELETE FROM accounts.deals WHERE id = %s;", ref_id('deals'));
	} ],
	[ 0.3, sub {
		sprintf("DELETE FROM accounts.deals WHERE id %% %d = %d;", 11 + rint(20), rint(11));
	} ],
	[ 1.5, sub {
		my @rows;
		for (1 .. 1 + rint(3))
		{
			push @rows, sprintf("(%d, 'upsert', %s, '%s', '%s', %s)",
				1 + rint($max{deals}), money(), pick(@currencies), pick(@statuses),
				ref_id('organizations', 0.1));
		}
		# one row per id: ON CONFLICT cannot update a row twice
		my %seen;
		@rows = grep { my ($i) = /^\((\d+)/; !$seen{$i}++ } @rows;
		"INSERT INTO accounts.deals AS d (id, title, value, currency, status, org_id) VALUES "
		  . join(', ', @rows)
		  . " ON CONFLICT (id) DO UPDATE SET status = excluded.status, value = excluded.value, "
		  . "org_id = excluded.org_id, currency = excluded.currency;";
	} ],
	[ 1.5, sub {
		my (@rows, %seen);
		for (1 .. 1 + rint(4))
		{
			my $id = 1 + rint($max{deals} + 3);
			next if $seen{$id}++;
			push @rows, sprintf("(%d, '%s', %s, %s)", $id, pick(@statuses, 'gone'), money(),
				ref_id('organizations', 0.1));
		}
		"MERGE INTO accounts.deals d USING (VALUES " . join(', ', @rows)
		  . ") AS v(id, status, value, org_id) ON d.id = v.id "
		  . "WHEN MATCHED AND v.status = 'gone' THEN DELETE "
		  . "WHEN MATCHED THEN UPDATE SET status = v.status, value = v.value, "
		  . "org_id = v.org_id::bigint "
		  . "WHEN NOT MATCHED AND v.status <> 'gone' THEN INSERT (title, value, currency, status, org_id) "
		  . "VALUES ('merged', v.value, 'EUR', v.status, v.org_id::bigint);";
	} ],
	[ 1, sub {
		my $data = '';
		for (1 .. 1 + rint(5))
		{
			my $status = pick(@statuses);
			$data .= join("\t", 'copied', money(), pick(@currencies), $status,
				copy_value(ref_id('organizations', 0.1)),
				copy_value(chance(0.3) ? 'NULL' : rint(101))) . "\n";
		}
		"COPY accounts.deals (title, value, currency, status, org_id, probability) FROM STDIN;\n"
		  . $data . "\\.";
	} ],

	# activities
	[ 7, sub {
		my $link = rint(3);
		sprintf("INSERT INTO accounts.activities (subject, org_id, deal_id, person_id, due_date, "
			  . "due_time, done) VALUES ('a%d', %s, %s, %s, %s, %s, %s);",
			rint(1000),
			$link == 0 ? ref_id('organizations', 0.1) : 'NULL',
			$link == 1 ? ref_id('deals') : 'NULL',
			$link == 2 ? ref_id('persons') : 'NULL',
			chance(0.15) ? 'NULL' : day(), chance(0.4) ? 'NULL' : clock(),
			chance(0.3) ? 'true' : 'false');
	} ],
	[ 1, sub {
		sprintf("INSERT INTO accounts.activities (subject, org_id, due_date, due_time, done) "
			  . "SELECT 'ga' || i, NULLIF((i * %d) %% %d, 0), "
			  . "CASE WHEN i %% 6 <> 0 THEN date '2026-01-01' + (i * %d) %% 60 END, "
			  . "CASE WHEN i %% 3 = 0 THEN time '09:00' + i * interval '5 minutes' END, "
			  . "i %% 4 = 0 FROM generate_series(1, %d) i;",
			1 + rint(11), $max{organizations} + 1, 1 + rint(17), 1 + rint(8));
	} ],
	[ 8, sub {
		my @set;
		push @set, 'done = ' . pick('true', 'false', 'NOT done') if chance(0.5);
		push @set, 'due_date = ' . (chance(0.15) ? 'NULL' : day()) if chance(0.35);
		push @set, 'due_time = ' . (chance(0.3) ? 'NULL' : clock()) if chance(0.2);
		push @set, "subject = 's" . rint(100) . "'" if chance(0.15);
		push @set, pick('org_id = ' . ref_id('organizations', 0.15),
			'org_id = NULL, deal_id = ' . ref_id('deals'),
			'org_id = NULL, person_id = ' . ref_id('persons')) if chance(0.25);
		push @set, "note = 'n'" unless @set;
		sprintf("UPDATE accounts.activities SET %s WHERE id = %s;", join(', ', @set),
			ref_id('activities'));
	} ],
	[ 2, sub {
		my $set = pick('done = NOT done', "due_date = due_date + %d",
			"due_date = due_date - %d", 'org_id = org_id + 1', 'due_time = NULL',
			"subject = subject || '.'");
		$set = sprintf($set, 1 + rint(20)) if $set =~ /%d/;
		sprintf("UPDATE accounts.activities SET %s WHERE id %% %d = %d;", $set, 3 + rint(10),
			rint(3));
	} ],
	[ 2, sub {
		sprintf("DELETE FROM accounts.activities WHERE id = %s;", ref_id('activities'));
	} ],
	[ 1, sub {
		my (@rows, %seen);
		for (1 .. 1 + rint(4))
		{
			my $id = 1 + rint($max{activities} + 3);
			next if $seen{$id}++;
			push @rows, sprintf("(%d, %s, %s, %s)", $id,
				pick('true', 'false', 'NULL::boolean'),
				chance(0.2) ? 'NULL::date' : day(), ref_id('organizations', 0.1));
		}
		"MERGE INTO accounts.activities a USING (VALUES " . join(', ', @rows)
		  . ") AS v(id, done, due, org_id) ON a.id = v.id "
		  . "WHEN MATCHED AND v.done IS NULL THEN DELETE "
		  . "WHEN MATCHED THEN UPDATE SET done = v.done, due_date = v.due "
		  . "WHEN NOT MATCHED AND v.done IS NOT NULL THEN "
		  . "INSERT (subject, org_id, due_date, done) "
		  . "VALUES ('merged', v.org_id::bigint, v.due, v.done);";
	} ],
	[ 1, sub {
		my $data = '';
		for (1 .. 1 + rint(5))
		{
			$data .= join("\t", 'copied', copy_value(ref_id('organizations', 0.1)),
				copy_value(chance(0.5) ? 'NULL' : ref_id('deals')),
				chance(0.2) ? '\N' : sprintf('2026-02-%02d', 1 + rint(28)),
				chance(0.5) ? '\N' : sprintf('%02d:30', 8 + rint(10)),
				pick('t', 'f')) . "\n";
		}
		"COPY accounts.activities (subject, org_id, deal_id, due_date, due_time, done) "
		  . "FROM STDIN;\n" . $data . "\\.";
	} ],

	# notes and files
	(map {
		my $table = $_;
		my $col = $table eq 'notes' ? 'content' : 'name';
		(
			[ 3, sub {
				my $link = rint(3);
				sprintf("INSERT INTO accounts.%s (%s, org_id, deal_id, person_id) "
					  . "VALUES ('x%d', %s, %s, %s);",
					$table, $col, rint(1000),
					$link == 0 ? ref_id('organizations', 0.1) : 'NULL',
					$link == 1 ? ref_id('deals') : 'NULL',
					$link == 2 ? ref_id('persons') : 'NULL');
			} ],
			[ 3, sub {
				my $set = pick('org_id = ' . ref_id('organizations', 0.15),
					'org_id = NULL, deal_id = ' . ref_id('deals'),
					'org_id = NULL, person_id = ' . ref_id('persons'),
					"$col = $col || '.'");
				sprintf("UPDATE accounts.%s SET %s WHERE id = %s;", $table, $set,
					ref_id($table));
			} ],
			[ 1, sub {
				sprintf("UPDATE accounts.%s SET org_id = NULLIF((id + %d) %% %d, 0) "
					  . "WHERE id %% %d = %d;",
					$table, rint(10), $max{organizations} + 1, 4 + rint(8), rint(4));
			} ],
			[ 2, sub {
				sprintf("DELETE FROM accounts.%s WHERE id = %s;", $table, ref_id($table));
			} ],
			[ 1, sub {
				my $data = '';
				$data .= join("\t", "copied", copy_value(ref_id('organizations', 0.2)),
					copy_value(ref_id('persons', 0.7))) . "\n"
				  for 1 .. 1 + rint(6);
				"COPY accounts.$table ($col, org_id, person_id) FROM STDIN;\n" . $data . "\\.";
			} ],
			[ 0.8, sub {
				sprintf("INSERT INTO accounts.%s (%s, org_id) "
					  . "SELECT 'g' || i, NULLIF((i * %d) %% %d, 0) FROM generate_series(1, %d) i;",
					$table, $col, 1 + rint(9), $max{organizations} + 1, 1 + rint(6));
			} ],
		)
	} qw(notes files)),

	# currencies
	[ 2, sub {
		sprintf("UPDATE accounts.currencies SET rate = %s WHERE code = '%s';",
			sprintf('%.4f', 0.5 + rand(1.5)), pick(qw(EUR GBP CHF)));
	} ],
	[ 0.5, sub { "UPDATE accounts.currencies SET rate = rate * 1.01 WHERE NOT is_default;" } ],
	[ 0.5, sub {
		sprintf("UPDATE accounts.currencies SET rate = 0.00%02d WHERE code = 'JPY';", 50 + rint(30));
	} ],
	[ 0.3, sub { "DELETE FROM accounts.currencies WHERE code = 'CHF';" } ],
	[ 0.3, sub {
		"INSERT INTO accounts.currencies (code, rate) VALUES ('CHF', 1.1302) "
		  . "ON CONFLICT (code) DO UPDATE SET rate = excluded.rate;";
	} ],

	# users
	[ 0.5, sub { sprintf("INSERT INTO accounts.users (name) VALUES ('u%d');", rint(100)) } ],
	[ 0.3, sub { sprintf("DELETE FROM accounts.users WHERE id = %s;", ref_id('users')) } ],

	# TRUNCATE (rare): a rebuild in the statement trigger
	[ 0.08, sub { pick('TRUNCATE accounts.notes;', 'TRUNCATE accounts.files;',
			'TRUNCATE accounts.activities;', 'TRUNCATE accounts.deals;') } ],
	[ 0.015, sub { pick('TRUNCATE accounts.deals CASCADE;',
			'TRUNCATE accounts.persons CASCADE;') } ],
	[ 0.004, sub {
		"TRUNCATE accounts.organizations CASCADE;\n"
		  . "INSERT INTO accounts.organizations (name) SELECT 'refill ' || i "
		  . "FROM generate_series(1, 20) i;";
	} ],
);

my $total_weight = 0;
$total_weight += $_->[0] for @ops;

sub random_statement
{
	my $r = rand($total_weight);
	foreach my $op (@ops)
	{
		return $op->[1]->() if ($r -= $op->[0]) < 0;
	}
	return $ops[-1]->[1]->();
}

# A batch: units of one autocommit statement, or of a transaction block
# with savepoints, committed or rolled back.
sub random_batch
{
	my $sql = "\\set ON_ERROR_ROLLBACK on\n\\set SHOW_CONTEXT never\n"
	  . "SET client_min_messages = warning;\n";
	for (1 .. 8 + rint(8))
	{
		if (chance(0.4))
		{
			$sql .= random_statement() . "\n";
			next;
		}
		$sql .= "BEGIN;\n";
		my $savepoints = 0;
		for (1 .. 1 + rint(6))
		{
			if (chance(0.2))
			{
				$savepoints++;
				$sql .= "SAVEPOINT sp$savepoints;\n";
			}
			$sql .= random_statement() . "\n";
			if ($savepoints > 0 && chance(0.25))
			{
				$sql .= (chance(0.6) ? 'ROLLBACK TO' : 'RELEASE') . " sp$savepoints;\n";
				$savepoints--;
			}
		}
		$sql .= (chance(0.2) ? 'ROLLBACK' : 'COMMIT') . ";\n";
	}
	return $sql;
}

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
	# the identity sequences, not max(id): renumbered organizations have
	# ids far above the others
	my @max = split /\|/, $node->safe_psql('postgres',
		'SELECT ' . join(', ', map { "(SELECT last_value FROM accounts.${_}_id_seq)" }
			@base_tables));
	@max{@base_tables} = @max;
	my $id_lists = $node->safe_psql('postgres',
		'SELECT ' . join(', ',
			map { "(SELECT COALESCE(string_agg(id::text, ',' ORDER BY id), '') FROM accounts.$_)" }
			  @base_tables));
	my @ids = split /\|/, $id_lists, -1;
	@ids{@base_tables} = map { [ split /,/, $_ ] } @ids;

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
