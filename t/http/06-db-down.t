# PostgreSQL stopped under a running hub: every profile's database-backed
# health answers 503 in its own shape (never 500, never a stale 200), the
# endpoints that need no database keep answering, and once PostgreSQL is
# back the hub recovers by itself, prepared statements and all.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use HubTest;

my $hub = HubTest->new(private_pg => 1);

my %health = (
    patchwork => ['/api/v1/health', sub { $_[0]{status} }, 'healthy', 'unhealthy'],
    caylex    => ['/caylex/api/v1/health', sub { $_[0]{status} }, 'healthy', 'unhealthy'],
    analytics => ['/caylex/api/v1/analytics/health', sub { $_[0]{status} }, 'healthy', 'unhealthy'],
    goclaw    => ['/health', sub { $_[0]{database} }, 'ok', 'error'],
    toolhub   => ['/health/ready', sub { $_[0]{status} }, 'ready', 'not_ready'],
    g4f       => ['/g4f/api/v1/health', sub { $_[0]{ok} ? 'yes' : 'no' }, 'yes', 'no'],
);

sub check_all {
    my ($state) = @_;   # 'up' or 'down'
    for my $p (sort keys %health) {
        my ($path, $field, $up, $down) = @{ $health{$p} };
        my $r = $hub->get($path);
        my $want = $state eq 'up' ? 200 : 503;
        is($r->{status}, $want, "$p $path is $want with the database $state");
        is($field->($r->{json} || {}), $state eq 'up' ? $up : $down,
           "$p says the database is $state");
    }
}

# several rounds, so every httpd child's pooled connection is used before
# the database goes away
check_all('up') for 1 .. 3;

$hub->pg_stop;
check_all('down');

my $r = $hub->get('/health/ready');
is($r->{json}{checks}{database}, JSON::PP::false, 'toolhub: checks.database false');
$r = $hub->get('/health/live');
is($r->{status}, 200, 'liveness needs no database');
$r = $hub->get('/g4f/api/v1/capabilities');
is($r->{status}, 200, 'capabilities need no database');

$hub->pg_start;

# recovery: within a few seconds every endpoint is healthy again, on every
# child (many requests, so the pooled connections that saw the outage are
# all exercised)
my $deadline = time + 20;
my $recovered = 0;
while (time < $deadline) {
    my $bad = grep { $hub->get($health{$_}[0])->{status} != 200 } sort keys %health;
    if (!$bad) { $recovered = 1; last }
    sleep 0.2;
}
ok($recovered, 'the hub recovered by itself once PostgreSQL was back');
my @statuses = map { $hub->get($health{patchwork}[0])->{status} } 1 .. 60;
is_deeply([grep { $_ != 200 } @statuses], [], '60 requests after recovery all 200');
check_all('up');

# a second outage and recovery works the same way
$hub->pg_stop;
is($hub->get('/api/v1/health')->{status}, 503, 'second outage: 503');
$hub->pg_start;
$deadline = time + 20;
my $st = 0;
while (time < $deadline) {
    $st = $hub->get('/api/v1/health')->{status};
    last if $st == 200;
    sleep 0.2;
}
is($st, 200, 'second recovery');

my $log = $hub->slurp($hub->error_log_path);
unlike($log, qr/HUB00015|HUB00014/, 'no statement failed for good after the reconnects');
$hub->log_is_clean(qr/DBD|dbd|HUB00012|Can't connect|connection|database/i);
done_testing;
