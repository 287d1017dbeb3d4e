# The random writes of 003_random_writes.pl, shared with the tests that run
# them against other setups (009_replication.pl): every write the base
# tables allow, in batches of autocommit statements and of transaction
# blocks with savepoints, committed or rolled back.  Seed perl's rand()
# (srand) before use, and call refresh_ids() before each batch.
package RandomWrites;

use strict;
use warnings;

use Exporter 'import';

our @EXPORT = qw(random_setup_sql refresh_ids random_batch @base_tables);

# the currencies, users and organizations the batches start from
sub random_setup_sql
{
	return q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, name, rate, is_default)
VALUES ('USD', 'US dollar', 1, true), ('EUR', 'Euro', 1.0834, false),
	('GBP', 'Pound', 1.2710, false), ('JPY', 'Yen', 0.0067, false),
	('CHF', 'Franc', 1.1302, false);
INSERT INTO accounts.users (name) SELECT 'user ' || i FROM generate_series(1, 5) i;
INSERT INTO accounts.organizations (name, owner_id)
SELECT 'org ' || i, 1 + i % 5 FROM generate_series(1, 30) i;
};
}

my @currencies = qw(USD EUR GBP JPY CHF);
my @statuses = qw(open won lost deleted);
our @base_tables = qw(users organizations persons deals activities notes files);

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
			  . "ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, address = 'a%d';",
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
		  . " ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, value = excluded.value, "
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
		  . "ON CONFLICT (tenant_id, code) DO UPDATE SET rate = excluded.rate;";
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

# Read the ids that the batches refer to from database $db of $node.
sub refresh_ids
{
	my ($node, $db) = @_;

	# the identity sequences, not max(id): renumbered organizations have
	# ids far above the others
	my @max = split /\|/, $node->safe_psql($db,
		'SELECT ' . join(', ', map { "(SELECT last_value FROM accounts.${_}_id_seq)" }
			@base_tables));
	@max{@base_tables} = @max;
	my $id_lists = $node->safe_psql($db,
		'SELECT ' . join(', ',
			map { "(SELECT COALESCE(string_agg(id::text, ',' ORDER BY id), '') FROM accounts.$_)" }
			  @base_tables));
	my @ids = split /\|/, $id_lists, -1;
	@ids{@base_tables} = map { [ split /,/, $_ ] } @ids;
	return;
}

1;
