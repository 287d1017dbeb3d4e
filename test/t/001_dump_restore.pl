# pg_dump of a populated database restored into a fresh one: every base
# table, view and event comes back identical row for row, the figures equal
# a fresh recomputation, and the identity sequences continue after the
# restored ids.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, rate, is_default)
VALUES ('USD', 1, true), ('EUR', 1.0834, false), ('JPY', 0.0067, false);
INSERT INTO accounts.users (name) SELECT 'user ' || i FROM generate_series(1, 5) i;
INSERT INTO accounts.organizations (name, owner_id, custom_fields)
SELECT 'org ' || i, 1 + i % 5, jsonb_build_object('n', i)
FROM generate_series(1, 300) i;
INSERT INTO accounts.persons (name, org_id)
SELECT 'person ' || i, 1 + i % 300 FROM generate_series(1, 600) i;
INSERT INTO accounts.deals (title, value, currency, status, org_id, probability, won_time)
SELECT 'deal ' || i, (i * 37 % 10000) / 3.0, (ARRAY['USD','EUR','JPY'])[1 + i % 3],
	(ARRAY['open','won','lost','deleted','won'])[1 + i % 5], 1 + i * 7 % 250,
	i % 101, timestamptz '2026-01-01' + i * interval '1 hour'
FROM generate_series(1, 2000) i;
INSERT INTO accounts.notes (content, deal_id) SELECT 'note ' || i, i FROM generate_series(1, 500) i;
INSERT INTO accounts.files (name, person_id) SELECT 'file ' || i, i FROM generate_series(1, 200) i;
UPDATE accounts.deals SET status = 'open' WHERE id % 17 = 0;
UPDATE accounts.currencies SET rate = 1.1 WHERE code = 'EUR';
DELETE FROM accounts.organizations WHERE id % 50 = 0;
});

is($node->safe_psql('source', 'SELECT count(*) FROM accounts.verify()'),
	'0', 'source figures are exact');

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('target'), $dump ],
	'pg_restore');

is($node->safe_psql('target', 'SELECT count(*) FROM accounts.verify()'),
	'0', 'restored figures are exact');

foreach my $query (
	'SELECT * FROM accounts.users ORDER BY id',
	'SELECT * FROM accounts.organizations ORDER BY id',
	'SELECT * FROM accounts.persons ORDER BY id',
	'SELECT * FROM accounts.currencies ORDER BY code',
	'SELECT * FROM accounts.deals ORDER BY id',
	'SELECT * FROM accounts.notes ORDER BY id',
	'SELECT * FROM accounts.files ORDER BY id',
	'SELECT * FROM accounts.account_events ORDER BY id',
	'SELECT * FROM accounts.accounts ORDER BY id',
	'SELECT * FROM accounts.organization_summary ORDER BY id')
{
	my $before = $node->safe_psql('source', $query);
	my $after = $node->safe_psql('target', $query);
	ok(length($before) > 0, "source has rows: $query");
	is($after, $before, "identical after restore: $query");
}

# the identity sequences were dumped too: new rows get new ids
foreach my $table (qw(users organizations persons deals notes files account_events))
{
	is( $node->safe_psql('target',
			"SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('accounts.$table', 'id'))"
			  . " > (SELECT max(id) FROM accounts.$table)"),
		't', "sequence of $table continues after the restored ids");
}

$node->stop;
done_testing();
