# DROP EXTENSION accounts leaves nothing behind, and CREATE EXTENSION works
# again afterwards.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

# every object of the database, by catalog
my $objects = q{
SELECT 'class ' || n.nspname || '.' || c.relname FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
UNION ALL SELECT 'proc ' || p.oid::regprocedure::text FROM pg_proc p
UNION ALL SELECT 'type ' || t.oid::regtype::text FROM pg_type t
UNION ALL SELECT 'namespace ' || nspname FROM pg_namespace
UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger
UNION ALL SELECT 'constraint ' || conname FROM pg_constraint
UNION ALL SELECT 'description ' || objoid || ' ' || objsubid FROM pg_description
ORDER BY 1
};

my $before = $node->safe_psql('postgres', $objects);

$node->safe_psql('postgres', q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true);
INSERT INTO accounts.organizations (name) VALUES ('Acme');
INSERT INTO accounts.deals (title, value, org_id, status) VALUES ('licence', 10, 1, 'won');
INSERT INTO accounts.activities (subject, due_date, org_id) VALUES ('call', current_date, 1);
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM accounts.accounts'),
	'1', 'an account exists');
isnt($node->safe_psql('postgres', $objects), $before, 'the extension adds objects');

$node->safe_psql('postgres', 'DROP EXTENSION accounts');
is($node->safe_psql('postgres', $objects), $before,
	'DROP EXTENSION leaves nothing behind');

$node->safe_psql('postgres', q{
CREATE EXTENSION accounts;
INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('EUR', 1, true);
INSERT INTO accounts.organizations (name) VALUES ('Globex');
INSERT INTO accounts.deals (title, value, org_id, status) VALUES ('support', 20, 1, 'won');
});
is($node->safe_psql('postgres',
		'SELECT name, won_value FROM accounts.accounts'),
	'Globex|20.00', 'CREATE EXTENSION again starts afresh');
is($node->safe_psql('postgres', 'SELECT count(*) FROM accounts.verify()'),
	'0', 'figures are exact');

$node->stop;
done_testing();
