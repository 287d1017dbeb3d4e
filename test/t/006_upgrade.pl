# Upgrades: every earlier version of the extension, installed and loaded
# with data, then brought to the newest one with ALTER EXTENSION accounts
# UPDATE, has the same objects (tables and their columns in order, indexes,
# constraints, triggers, policies, functions, views, types, comments,
# privileges, extension members and dump configuration) and the same
# figures as a fresh install of the newest version loaded with the same
# data; and both go on the same way through the same writes after it.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use AccountsLoad;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

my $newest = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'accounts'");
my @earlier = split /\n/, $node->safe_psql('postgres', qq{
SELECT version FROM pg_available_extension_versions
WHERE name = 'accounts' AND version <> '$newest'
ORDER BY pg_catalog.string_to_array(version, '.')::int[]});
ok(@earlier > 0, "versions before $newest: @earlier");

# populate_sql() before the update (fixed times and ids, so that two
# databases loaded with it hold the same rows); these writes after it.
my $load_after = q{
UPDATE accounts.deals SET status = 'won', won_time = '2026-11-20 10:00+00'
WHERE id % 23 = 0 AND status = 'open';
UPDATE accounts.deals SET org_id = 1 + (org_id + 3) % 170 WHERE id % 31 = 0;
UPDATE accounts.activities SET done = true WHERE id % 7 = 0;
UPDATE accounts.activities SET due_date = due_date + 3 WHERE id % 9 = 0;
INSERT INTO accounts.activities (subject, org_id, due_date)
SELECT 'follow up ' || i, i, date '2026-03-05' FROM generate_series(1, 180, 3) i
WHERE i % 50 <> 0;
DELETE FROM accounts.organizations WHERE id IN (7, 8);
UPDATE accounts.currencies SET rate = 0.0071 WHERE code = 'JPY';
};

# Everything the extension defines, one line per object or property.
my $objects = q{
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'accounts'),
ns AS (SELECT 'accounts'::regnamespace AS oid)
SELECT line FROM (
SELECT 'relation ' || c.relname || ' kind=' || c.relkind::text ||
	' options=' || COALESCE(array_to_string(c.reloptions, ','), '') ||
	' rls=' || c.relrowsecurity || ' replident=' || c.relreplident::text ||
	' acl=' || COALESCE(c.relacl::text, '') ||
	' comment=' || COALESCE(obj_description(c.oid, 'pg_class'), '') AS line
FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns)
UNION ALL
SELECT 'column ' || c.relname || ' #' ||
	row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) || ' ' || a.attname ||
	' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull ||
	' identity=' || a.attidentity::text ||
	' default=' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '') ||
	' acl=' || COALESCE(a.attacl::text, '') ||
	' comment=' || COALESCE(col_description(c.oid, a.attnum), '')
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = (SELECT oid FROM ns) AND a.attnum > 0 AND NOT a.attisdropped
	AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
UNION ALL
SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind = 'v'
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = (SELECT oid FROM ns)
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' ||
	pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = (SELECT oid FROM ns)
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = (SELECT oid FROM ns) AND NOT t.tgisinternal
UNION ALL
SELECT 'policy ' || tablename || ' ' || policyname || ' ' || permissive || ' ' ||
	roles::text || ' ' || cmd || ' ' || COALESCE(qual, '') || ' ' || COALESCE(with_check, '')
FROM pg_policies WHERE schemaname = 'accounts'
UNION ALL
SELECT 'function ' || pg_get_functiondef(p.oid) || ' acl=' || COALESCE(p.proacl::text, '') ||
	' comment=' || COALESCE(obj_description(p.oid, 'pg_proc'), '')
FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
UNION ALL
SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' ' ||
	COALESCE((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
			  FROM pg_enum e WHERE e.enumtypid = t.oid), '')
FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM ns) AND t.typrelid = 0
	AND t.typelem = 0
UNION ALL
SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
	AND refobjid = (SELECT oid FROM ext) AND deptype = 'e'
UNION ALL
SELECT 'dumped ' || x.relid::regclass || ' ' || COALESCE(x.cond, '')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(relid, cond)
WHERE e.extname = 'accounts'
UNION ALL
SELECT 'schema comment=' || COALESCE(obj_description((SELECT oid FROM ns), 'pg_namespace'), '')
) l ORDER BY line COLLATE "C"
};

# The figures and the board, without the times of the day the rows were
# written (add_time, update_time, event_time differ between the databases).
my @figures = (
	q{SELECT to_jsonb(s) - 'add_time' - 'update_time' FROM accounts.organization_summary s ORDER BY id},
	q{SELECT * FROM accounts.figures ORDER BY org_id},
	q{SELECT * FROM accounts.figures_by_currency ORDER BY org_id, currency},
	qq{SELECT * FROM accounts.kanban_counts('$AccountsLoad::TODAY')},
	qq{SELECT * FROM accounts.kanban_column('overdue', as_of => '$AccountsLoad::TODAY')},
	qq{SELECT * FROM accounts.kanban_column('later', as_of => '$AccountsLoad::TODAY',
		page_size => 500)},
	q{SELECT day, sum(accounts), sum(won_value) FROM accounts.kanban_days
	  GROUP BY day HAVING sum(accounts) <> 0 OR sum(won_value) <> 0 ORDER BY day},
	q{SELECT org_id, kind, deal_id FROM accounts.account_events ORDER BY id},
	q{SELECT * FROM accounts.verify()});

sub compare
{
	my ($upgraded, $fresh, $when) = @_;

	is($node->safe_psql($upgraded, $objects), $node->safe_psql($fresh, $objects),
		"$upgraded: the same objects as a fresh install $when");
	foreach my $query (@figures)
	{
		is($node->safe_psql($upgraded, $query), $node->safe_psql($fresh, $query),
			"$upgraded: the same result $when: $query");
	}
	check_figures($node, $upgraded, "$upgraded $when");
}

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', populate_sql());
is($node->safe_psql('fresh',
		"SELECT extversion FROM pg_extension WHERE extname = 'accounts'"),
	$newest, "a fresh install is at $newest");

foreach my $version (@earlier)
{
	(my $db = "from_$version") =~ s/\W/_/g;

	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, populate_sql($version));
	$node->safe_psql($db, 'ALTER EXTENSION accounts UPDATE');
	is($node->safe_psql($db,
			"SELECT extversion FROM pg_extension WHERE extname = 'accounts'"),
		$newest, "$db: updated to $newest");
	compare($db, 'fresh', 'after the update');
}

# the same writes on every database, after the update
$node->safe_psql('fresh', $load_after);
foreach my $version (@earlier)
{
	(my $db = "from_$version") =~ s/\W/_/g;

	$node->safe_psql($db, $load_after);
	compare($db, 'fresh', 'after writes');
}

$node->stop;
done_testing();
