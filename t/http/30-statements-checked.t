# Statements are prepared where they are first used, not handed to mod_dbd
# (which would prepare all of them on every new pooled connection), and
# each new httpd child checks them all once: a database that lacks what a
# statement needs -- a migration not applied -- is named in the error log
# when httpd starts, the statements that do match keep working, and the
# failed ones work as soon as the schema is right, without a restart.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;
my $team = $hub->team('stmts');
my $auth = { authorization => "Bearer $team->{key}" };

my $r = $hub->get('/caylex/api/v1/servers', headers => $auth);
is($r->{status}, 200, 'the servers list answers on a migrated database');
is_deeply([$hub->unexpected_log_errors], [], 'and the start logged no statement error')
    or diag(join "\n", $hub->unexpected_log_errors);

# as if 016 had not been applied: the column the servers statements read
$hub->psql($db, 'ALTER TABLE servers DROP COLUMN secret_names');
$hub->stop_httpd;
$hub->start;

# every child checks at start (the port answers as soon as the parent
# listens, before any child is up: wait for the summary line)
my $log = '';
HubTest::eventually(10, sub {
    $log = $hub->slurp($hub->error_log_path);
    $log =~ /HUB00018/;
});
like($log, qr/HUB00011: cannot prepare hub_servers_page: .*secret_names/,
     'the child start names the statement and the missing column');
like($log, qr/HUB00018: \d+ statements do not prepare: is the database migrated/,
     'and says what is likely wrong');
unlike($log, qr/HUB00011: cannot prepare hub_auth_/,
       'statements that match the schema are not reported');

is($hub->get('/api/v1/health')->{status}, 200,
   'what does not need the missing column keeps working');
is($hub->get('/api/v1/teams/', headers => $auth)->{status}, 200,
   'an authenticated list of another table too');
is($hub->get('/api/v1/servers/', headers => $auth)->{status}, 200,
   "Patchwork's servers list, which selects only ServerOut's columns, too");
# Caylex's list reads every column (Patchwork's selects only its own)
$r = $hub->get('/caylex/api/v1/servers', headers => $auth);
is($r->{status}, 500, 'the list that needs it fails in its envelope, not silently');
like($r->{json}{detail} // '', qr/request/i, 'naming the request')
    or diag($r->{content});

# the migration applied: the statement prepares on its next use
$hub->psql($db, q{ALTER TABLE servers ADD COLUMN secret_names text[]
                  GENERATED ALWAYS AS (hub_jsonb_keys(secrets)) STORED});
for my $n (1 .. 3) {     # on whichever pooled connection answers
    is($hub->get('/caylex/api/v1/servers', headers => $auth)->{status}, 200,
       "once the schema is right the list answers again, without a restart ($n)");
}

$hub->log_is_clean(qr/HUB0001[18]|HUB00015/);
done_testing;
