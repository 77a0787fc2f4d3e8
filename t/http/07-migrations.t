# Migrations: numbered files applied in order, recorded, each in one
# transaction; applying again is a no-op; a failing migration leaves
# nothing half-written.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;

my @files = map { m{/(\d{3}_[^/]+)\.sql$} ? $1 : () } sort glob("$HubTest::TOP/sql/*.sql");
ok(@files >= 2, 'there are migrations');
is($hub->psql($db, 'SELECT string_agg(version, \',\' ORDER BY version) FROM schema_migrations'),
   join(',', @files), 'every migration is recorded, in order');

# again: nothing to do
my $q = HubTest::quote("$HubTest::TOP/sql");
my $out = HubTest::sh_lib("pg_migrate $hub->{pg_port} " . HubTest::quote($hub->{pg_pass})
                          . " $db $q");
is($out, '', 'applying twice is a no-op');
is($hub->psql($db, 'SELECT count(*) FROM schema_migrations'), scalar @files, 'nothing recorded twice');

# every tenant-owned table carries tenant_id
for my $t (qw(memberships projects api_keys)) {
    is($hub->psql($db, "SELECT count(*) FROM information_schema.columns
                         WHERE table_name = '$t' AND column_name = 'tenant_id'
                           AND is_nullable = 'NO'"), 1, "$t.tenant_id is NOT NULL");
}

# a broken migration: its changes and its record roll back together
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
system('cp', glob("$HubTest::TOP/sql/*.sql"), $dir) == 0 or die;
open my $fh, '>', "$dir/999_broken.sql" or die;
print $fh "CREATE TABLE half_written (id int);\nSELECT no_such_function();\n";
close $fh;
my $rc = eval {
    HubTest::sh_lib("pg_migrate $hub->{pg_port} " . HubTest::quote($hub->{pg_pass})
                    . " $db " . HubTest::quote($dir));
    1;
};
ok(!$rc, 'a failing migration fails the run');
is($hub->psql($db, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_written'"), 0,
   'its table was rolled back');
is($hub->psql($db, "SELECT count(*) FROM schema_migrations WHERE version = '999_broken'"), 0,
   'and it was not recorded');

# the hub still serves
is($hub->get('/api/v1/health')->{status}, 200, 'hub healthy');
$hub->log_is_clean;
done_testing;
