# Four clients change, as fast as they can, the deals and activities of two
# organizations only, so that their figures rows, their currency rows and
# the board rows of a few days are written by every transaction, and most
# figures updates are not HOT (each changes the won value or the next
# activity date, which indexes hold).  A lookup of such a row with a dirty
# snapshot can miss it when another transaction moves it to a new TID and
# commits in between (src/direct.c, direct_find): the delta would be lost
# without a word.  Afterwards every figure equals an independent
# recomputation, and rebuild() changes nothing.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use AccountsLoad;

my $seconds = $ENV{ACCOUNTS_HOT_SECONDS} // 6;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE crm');
$node->safe_psql('crm', populate_sql());
$node->safe_psql('postgres',
	"ALTER DATABASE crm SET accounts.today = '$AccountsLoad::TODAY'");

# the two organizations with the most deals, and their deals and activities
$node->safe_psql('crm', q{
CREATE TABLE hot_orgs AS
SELECT org_id FROM accounts.deals WHERE org_id IS NOT NULL
GROUP BY org_id ORDER BY count(*) DESC, org_id LIMIT 2;
CREATE TABLE hot_deals AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM accounts.deals
WHERE org_id IN (SELECT org_id FROM hot_orgs);
UPDATE accounts.deals SET status = 'won'
WHERE id IN (SELECT id FROM hot_deals WHERE n % 3 <> 0);
});
my $ndeals = $node->safe_psql('crm', 'SELECT count(*) FROM hot_deals');
cmp_ok($ndeals, '>=', 4, 'the two organizations have deals');

my $deal = "\\set n random(1, $ndeals)\n";
my $org = "\\set o random(1, 2)\n";
my $hot_org = '(SELECT org_id FROM hot_orgs ORDER BY org_id OFFSET :o - 1 LIMIT 1)';
run_load($node, $seconds,
	'the load on two organizations runs without a failed transaction',
	{
		'value@4' => $deal . q{
UPDATE accounts.deals SET value = value + 1 WHERE id = (SELECT id FROM hot_deals WHERE n = :n);
},
		'status@2' => $deal . q{
UPDATE accounts.deals
SET status = CASE status WHEN 'won' THEN 'open' ELSE 'won' END
WHERE id = (SELECT id FROM hot_deals WHERE n = :n);
},
		'schedule@2' => $org . "\\set days random(-3, 10)\n" . qq{
INSERT INTO accounts.activities (type, subject, due_date, org_id)
VALUES ('call', 'hot call', '$AccountsLoad::TODAY'::date + :days, $hot_org);
},
		'complete@2' => $org . qq{
UPDATE accounts.activities SET done = true
WHERE id = (SELECT id FROM accounts.activities
			WHERE org_id = $hot_org AND NOT done
			ORDER BY due_date, due_time, id LIMIT 1);
},
	});

check_figures($node, 'crm', 'after the load on two organizations');

check_rebuild($node, 'crm', 'after the load');

$node->stop;
done_testing();
