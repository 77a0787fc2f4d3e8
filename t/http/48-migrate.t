# tools/hubctl migrate: one command that applies, records and upgrades the
# hub's schema on any database it is given (--dsn, the DBDParams text, or
# --conf, an httpd file with Define + DBDParams), including a database
# migrated the older way (psql -1 -f of each file, no schema_migrations),
# which it adopts: the files it had are recorded and the newer applied.
# The result must be the schema a fresh migration makes, and a hub must
# start on it with every prepared statement matching.
use strict;
use warnings;
use Test::More;
use File::Basename qw(basename);
use HubTest;

my $hub = HubTest->new;
my $TOP = $HubTest::TOP;
my ($port, $passfile) = @$hub{qw(pg_port pg_pass)};
my $pass = do { local (@ARGV, $/) = ($passfile); <> };
chomp $pass;
my @files = sort glob("$TOP/sql/[0-9][0-9][0-9]_*.sql");
my @versions = map { basename($_, '.sql') } @files;
my ($cut) = grep { $versions[$_] =~ /^030_/ } 0 .. $#versions;
ok(defined $cut && $cut > 0, 'sql/ has migrations before and from 030');

sub su { $hub->psql('postgres', $_[0], 'postgres') }
sub q_db { my ($db, $sql) = @_; $hub->psql($db, $sql) }
sub new_db {
    my ($db) = @_;
    su(qq{CREATE DATABASE "$db" OWNER hub ENCODING 'UTF8' TEMPLATE template0});
    return "host=127.0.0.1 port=$port dbname=$db user=hub password=$pass";
}
# the older way: psql -1 -f of each file, nothing recorded
sub old_way {
    my ($db, @f) = @_;
    for my $f (@f) {
        my $rc = system('bash', '-c', qq{PGPASSWORD='$pass' psql -X -q -v ON_ERROR_STOP=1 }
                        . qq{-h 127.0.0.1 -p $port -U hub -d '$db' -1 -f '$f' >/dev/null 2>&1});
        return 0 if $rc != 0;
    }
    return 1;
}
sub hubctl {
    my (@args) = @_;
    my $cmd = join ' ', map { "'" . s/'/'\\''/gr . "'" } "$TOP/tools/hubctl", @args;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}
# what a schema is, as text: tables and columns with types, defaults and
# nullability, indexes, constraints, functions, triggers
sub schema_of {
    my ($db) = @_;
    # day partitions are the watchdog's, made whenever a host runs: not
    # the schema
    return q_db($db, <<'SQL');
WITH rel AS (SELECT c.oid, c.relname FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace
                AND NOT c.relispartition AND c.relname <> 'schema_migrations')
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' '
         || is_nullable || ' ' || coalesce(column_default, '') AS x
    FROM information_schema.columns WHERE table_schema = 'public'
      AND table_name IN (SELECT relname FROM rel)
  UNION ALL
  SELECT 'idx ' || indexname || ' ' || indexdef FROM pg_indexes
   WHERE schemaname = 'public' AND tablename IN (SELECT relname FROM rel)
  UNION ALL
  SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      AND conrelid IN (SELECT oid FROM rel)
  UNION ALL
  SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
  UNION ALL
  SELECT 'agg ' || p.oid::regprocedure FROM pg_proc p
   WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'a'
  UNION ALL
  SELECT 'trg ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger
   WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM rel)) s
SQL
}
my $fresh = schema_of($hub->db);
like($fresh, qr/^col tenants\.id /m, 'the reference schema (a fresh migration) reads back');

# 1. a database migrated the older way up to the file before 030
{
    my $dsn = new_db("t_old_$$");
    ok(old_way("t_old_$$", @files[0 .. $cut - 1]), "the older way: psql -1 -f of 001..$versions[$cut-1]");
    is(q_db("t_old_$$", "SELECT to_regclass('schema_migrations') IS NULL"), 't',
       'it left no migration record');
    my ($rc, $out) = hubctl('--dsn', $dsn, 'migrate');
    is($rc, 0, 'hubctl migrate succeeds') or diag $out;
    like($out, qr/adopted: migrations up to \Q$versions[$cut-1]\E were applied/,
         'it says which files it found applied');
    for my $v (@versions[$cut .. $#versions]) {
        like($out, qr/^applied \Q$v\E$/m, "and applies $v");
    }
    unlike($out, qr/^applied \Q$versions[$cut-1]\E$/m, 'and does not apply an adopted file again');
    is(q_db("t_old_$$", 'SELECT string_agg(version, \' \' ORDER BY version) FROM schema_migrations'),
       join(' ', @versions), 'every file is recorded');
    is(schema_of("t_old_$$"), $fresh, 'the upgraded schema is the one a fresh migration makes');
    ($rc, $out) = hubctl('--dsn', $dsn, 'migrate');
    is("$rc:$out", '0:', 'a second run does nothing and says nothing');

    # a hub starts on it: every prepared statement matches the schema
    my $host = HubTest->new(name => 'upgraded',
                            share => { pg_port => $port, pg_pass => $passfile,
                                       db => "t_old_$$" });
    is($host->get('/health')->{status}, 200, 'a hub on the upgraded database is healthy');
    my $log = $host->slurp($host->error_log_path);
    like($log, qr/resuming normal operations|AH00094/, "the upgraded host's log is read");
    unlike($log, qr/HUB00011|HUB00018/, 'with no statement that fails to prepare');
    $host->stop_httpd;
}

# 2. --conf: an empty database named by an httpd file's Define + DBDParams
{
    my $dsn = new_db("t_conf_$$");
    my $conf = "$hub->{work}/hub-db.conf";
    open my $fh, '>', $conf or die;
    print $fh "# the database, readable by root only\n",
              qq{Define HUB_DBD_PARAMS "$dsn"\n},
              qq{DBDriver pgsql\n},
              qq{DBDParams "\${HUB_DBD_PARAMS}"\n};
    close $fh;
    chmod 0600, $conf;
    my ($rc, $out) = hubctl('--conf', $conf, 'migrate');
    is($rc, 0, 'hubctl --conf FILE migrate succeeds on an empty database') or diag $out;
    unlike($out, qr/adopted/, 'an empty database is not adopted');
    is(scalar(() = $out =~ /^applied /mg), scalar(@versions), 'every file applied');
    is(schema_of("t_conf_$$"), $fresh, 'the schema is the fresh one');
    open $fh, '>', $conf or die;
    print $fh qq{DBDParams "\${NOT_DEFINED}"\n};
    close $fh;
    ($rc, $out) = hubctl('--conf', $conf, 'migrate');
    isnt($rc, 0, 'an undefined ${NAME} in DBDParams is refused');
    like($out, qr/NOT_DEFINED.*not defined/, 'naming it');
}

# 3. half-applied: a newer file's objects partly there: refused, nothing recorded
{
    new_db("t_half_$$");
    my $dsn = "host=127.0.0.1 port=$port dbname=t_half_$$ user=hub password=$pass";
    old_way("t_half_$$", @files[0 .. $cut - 1]);
    # what a crashed hand-run of a later file could leave: one of its
    # tables and not the rest
    my ($later) = grep { /_notifications_/ } @files;
    ok($later, 'a later migration creating several tables exists');
    q_db("t_half_$$", 'CREATE TABLE notifications (id int)');
    my ($rc, $out) = hubctl('--dsn', $dsn, 'migrate');
    isnt($rc, 0, 'a half-applied database is refused');
    like($out, qr/half-applied:.*\Q@{[basename($later, '.sql')]}\E/, 'naming the file');
    is(q_db("t_half_$$", "SELECT to_regclass('schema_migrations') IS NULL"), 't',
       'and nothing was recorded');
}

# 4. the local-cluster options still work, and apply nothing on a current database
{
    my $out = $hub->hubctl('migrate');
    is($out, '', 'hubctl migrate on a current database (local options) is a no-op');
}

for my $db ("t_old_$$", "t_conf_$$", "t_half_$$") {
    su(qq{DROP DATABASE IF EXISTS "$db" WITH (FORCE)});
}
done_testing;
