# The health and root endpoints of the five profiles answer with the fields
# their documents give, and check the database for real.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;

sub iso_ok { like($_[0] // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, $_[1]) }

# patchwork
my $r = $hub->get('/api/');
is($r->{status}, 200, 'patchwork GET /api/');
is(ref $r->{json}{versions}, 'HASH', 'versions is an object');
ok(defined $r->{json}{$_}, "root has $_") for qw(message documentation openapi_schema);
like($r->{json}{openapi_schema}, qr{^http://127\.0\.0\.1:\d+/api/openapi\.json$},
     'openapi_schema is an absolute URL');

$r = $hub->get('/api/v1/health');
is($r->{status}, 200, 'patchwork health');
is($r->{json}{status}, 'healthy', 'status healthy');
ok(length $r->{json}{version}, 'version');
iso_ok($r->{json}{timestamp}, 'timestamp is ISO-8601');
like($r->{headers}{'content-type'}, qr{^application/json}, 'JSON content type');

# caylex
$r = $hub->get('/caylex/api/v1/health');
is($r->{status}, 200, 'caylex health');
is_deeply([sort keys %{ $r->{json} }], [qw(service status timestamp version)],
          'caylex health fields');
is($r->{json}{status}, 'healthy');
iso_ok($r->{json}{timestamp}, 'caylex timestamp');

$r = $hub->get('/caylex/api/v1/analytics/health');
is($r->{status}, 200, 'caylex analytics health (mod_hub_analytics)');
is($r->{json}{status}, 'healthy');
ok(JSON::PP::is_bool($r->{json}{$_}) && $r->{json}{$_}, "$_ is true")
    for qw(database_connected influxdb_connected);
iso_ok($r->{json}{last_check}, 'last_check');

# goclaw
$r = $hub->get('/health');
is($r->{status}, 200, 'goclaw health');
is($r->{json}{status}, 'ok');
is($r->{json}{database}, 'ok');
is($r->{json}{mode}, 'managed');
like($r->{json}{uptime_ms}, qr/^\d+$/, 'uptime_ms is an integer');

# toolhub
$r = $hub->get('/health/live');
is($r->{status}, 200, 'toolhub live');
is_deeply($r->{json}, { status => 'alive' }, 'live body');
$r = $hub->get('/health/ready');
is($r->{status}, 200, 'toolhub ready');
is($r->{json}{status}, 'ready');
ok($r->{json}{checks}{database}, 'database check true');
ok($r->{json}{checks}{scheduler}, 'scheduler check true');

# g4f
$r = $hub->get('/g4f/api/v1/');
is($r->{status}, 200, 'g4f root');
ok($r->{json}{ok}, 'ok true');
is($r->{json}{base_path}, '/g4f/api/v1', 'base_path is the mount');
my %eps = map { ("$_->{method} $_->{path}" => 1) } @{ $r->{json}{endpoints} };
ok($eps{"GET $_"}, "endpoints lists GET $_") for qw(/ /health /capabilities /server/stats);
ok(!grep({ /_hub/ } keys %eps), 'diagnostic routes not listed when off');
ok(length $r->{json}{$_}, "root has $_") for qw(name version);
is($hub->get('/g4f/api/v1')->{status}, 200, 'g4f root without the slash');

$r = $hub->get('/g4f/api/v1/health');
is($r->{status}, 200, 'g4f health');
ok($r->{json}{ok}, 'ok');
like($r->{json}{uptime_s}, qr/^\d+$/, 'uptime_s integer');
iso_ok($r->{json}{time}, 'time');
ok(length $r->{json}{build}, 'build');

$r = $hub->get('/g4f/api/v1/capabilities');
is($r->{status}, 200, 'g4f capabilities');
is(ref $r->{json}{features}, 'HASH', 'features object');
is(ref $r->{json}{limits}, 'HASH', 'limits object');
is($r->{json}{limits}{max_body_bytes}, 1048576, 'limits report HubMaxBodySize');
ok($r->{json}{features}{$_}, "feature $_ (module loaded)") for qw(auth servers analytics workflows);

# HEAD is answered like GET, without a body
$r = $hub->request('HEAD', '/api/v1/health');
is($r->{status}, 200, 'HEAD on a GET route');
is($r->{content} // '', '', 'no body for HEAD');

# every answer carries a request id
like($hub->get('/health')->{headers}{'x-request-id'}, qr/^[\w.-]+$/, 'X-Request-Id');

$hub->log_is_clean;
done_testing;
