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

# Every table is tenant-owned -- a NOT NULL tenant_id with a foreign key to
# tenants (id) -- unless it is named here with the reason.  The tables come
# from the catalog, so a new table without tenant_id fails this test until
# it gets one or a line here.
my %not_tenant_owned = (
    # the root of the tenancy model: it is what tenant_id points at
    tenants           => 'the tenants themselves',
    # one account for all five profiles: a user joins tenants through
    # memberships (which carry tenant_id); email, password and
    # is_superuser are the account's, not a tenant's
    users             => 'global accounts; tenancy is in memberships',
    # counted per account email or client address before any tenant is
    # known (at login), and a brute force must be stopped across tenants
    login_throttle    => 'per account/address, before a tenant is known',
    # a reset token belongs to a user's one global password (users.id),
    # whichever tenant the reset was asked from
    password_resets   => 'resets a global password; keyed by user',
    # the migration runner's bookkeeping (tools/lib/pg.sh)
    schema_migrations => 'migration bookkeeping',
);

# one row per table: name | has tenant_id | NOT NULL | FK to tenants (id)
sub tenant_columns {
    my ($db) = @_;
    my $out = $hub->psql($db, q{
        SELECT c.relname,
               a.attnum IS NOT NULL,
               coalesce(a.attnotnull, false),
               EXISTS (SELECT 1 FROM pg_constraint k
                        WHERE k.conrelid = c.oid AND k.contype = 'f'
                          AND k.confrelid = 'tenants'::regclass
                          AND k.conkey = ARRAY[a.attnum]
                          AND k.confkey = ARRAY[(SELECT t.attnum
                                FROM pg_attribute t
                               WHERE t.attrelid = 'tenants'::regclass
                                 AND t.attname = 'id')])
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid
                                  AND a.attname = 'tenant_id'
                                  AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'p')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%'
         ORDER BY 1});
    return map { my @f = split /\|/; ($f[0] => { col => $f[1] eq 't',
                 notnull => $f[2] eq 't', fk => $f[3] eq 't' }) }
           grep { length } split /\n/, $out;
}

# what is wrong with one table's tenant_id, or '' when nothing is
sub tenant_problem {
    my ($c) = @_;
    return 'has no tenant_id column' unless $c->{col};
    return 'tenant_id may be NULL' unless $c->{notnull};
    return 'tenant_id does not reference tenants (id)' unless $c->{fk};
    return '';
}

my %tables = tenant_columns($db);
ok(keys %tables > keys %not_tenant_owned, 'the catalog lists the tables');
for my $t (sort keys %not_tenant_owned) {
    ok($tables{$t}, "$t (not tenant-owned: $not_tenant_owned{$t}) exists");
    ok(!$tables{$t} || !$tables{$t}{col},
       "  ... and has no tenant_id (else it belongs in the check)");
}
for my $t (sort grep { !$not_tenant_owned{$_} } keys %tables) {
    is(tenant_problem($tables{$t}), '',
       "$t.tenant_id is NOT NULL and references tenants (id)");
}

# the check itself: tables added without it are caught
$hub->psql($db, 'CREATE TABLE probe_no_tenant (id int);
                 CREATE TABLE probe_nullable (tenant_id uuid REFERENCES tenants (id));
                 CREATE TABLE probe_no_fk (tenant_id uuid NOT NULL)');
my %probe = tenant_columns($db);
is(tenant_problem($probe{probe_no_tenant}), 'has no tenant_id column',
   'a new table without tenant_id would fail the check');
is(tenant_problem($probe{probe_nullable}), 'tenant_id may be NULL',
   'a nullable tenant_id would fail it');
is(tenant_problem($probe{probe_no_fk}), 'tenant_id does not reference tenants (id)',
   'a tenant_id without its foreign key would fail it');
$hub->psql($db, 'DROP TABLE probe_no_tenant, probe_nullable, probe_no_fk');

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
