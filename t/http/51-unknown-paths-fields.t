# A path under a hub mount that is no route answers as the profile's own
# server would, in its own envelope, not with httpd's HTML page:
#  - one that differs from a route only by its trailing slash: FastAPI's
#    (Patchwork, Caylex) 307 to the route's form, query kept; Express's
#    (Tool Hub) the route itself; Go's and G4F's a 404;
#  - any other path in a profile's space: that profile's 404.
# At the "/" mount a profile's space is the paths that begin its routes
# (/api/, /v1/, /health...), so the site's static files stay httpd's.
# And a Patchwork body member its model does not name is a 422
# (extra_forbidden), not silently dropped: a typo `url` for `endpoint`
# used to register a heartbeat server.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $base = $hub->base;
my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 20);
sub get { my ($path) = @_; my $r = $http->get("$base$path");
          $r->{json} = eval { $HubTest::JSON->decode($r->{content}) }; $r }

# 404s in each envelope
my $r = get('/api/v1/no-such-thing');
is($r->{status}, 404, 'Patchwork: an unknown path under /api/v1 is 404');
is_deeply($r->{json}, { detail => 'Not Found' }, 'in FastAPI\'s words');
like($r->{headers}{'content-type'}, qr{^application/json}, 'as JSON');

$r = get('/caylex/api/v1/no/such/thing');
is($r->{status}, 404, 'Caylex: an unknown path under its mount is 404');
is($r->{json}{detail}, 'Not Found', 'its envelope');

$r = get('/v1/no-such-thing');
is($r->{status}, 404, 'GoClaw: an unknown /v1 path is 404');
is_deeply($r->{json}, { error => 'Not Found' }, 'its {"error"} envelope');

$r = get('/g4f/api/v1/nothing');
is($r->{status}, 404, 'G4F: 404');
is($r->{json}{error}{code}, 'NOT_FOUND', 'its {"error": {code, ...}} envelope');

$r = get('/api/workflows-but-not');
is($r->{status}, 404, 'an unknown /api path at the root mount is 404');
ok($r->{json}, 'as JSON (Patchwork\'s and Tool Hub\'s space)');

# trailing slashes
$r = get('/api/v1/servers?limit=5');
is($r->{status}, 307, 'Patchwork: /api/v1/servers (the route is /servers/) redirects');
is($r->{headers}{location}, "$base/api/v1/servers/?limit=5", 'to the route\'s form, query kept');
is($r->{content}, '', 'with no body');

$r = get('/caylex/api/v1/analytics/health/');
is($r->{status}, 307, 'Caylex: a route with an extra slash redirects');
is($r->{headers}{location}, "$base/caylex/api/v1/analytics/health", 'to the route');

$r = get('/health/live/');
is($r->{status}, 200, 'Tool Hub: /health/live/ answers as /health/live (Express)');
is_deeply($r->{json}, get('/health/live')->{json}, 'the same answer');

$r = get('/health/');
is($r->{status}, 404, 'GoClaw: /health/ is not /health (Go\'s mux): 404');
is_deeply($r->{json}, { error => 'Not Found' }, 'in its envelope');

$r = get('/g4f/api/v1/health/');
is($r->{status}, 404, 'G4F: /health/ is 404');

# httpd keeps what is not the hub's
$r = get('/hello.txt');
is($r->{status}, 200, 'a static file at the root mount is still served');
is($r->{content}, "hello from httpd\n", 'by httpd');
$r = get('/no-such-file.html');
is($r->{status}, 404, 'a missing static file is 404');
ok(!$r->{json}, 'httpd\'s page, not a hub envelope');

# Patchwork: unknown body members are refused, nothing stored
my $t = $hub->team('acme');
my %auth = (Authorization => "Bearer $t->{key}", 'Content-Type' => 'application/json');
my $before = $hub->get('/api/v1/servers/', headers => \%auth)->{json};
$r = $hub->post('/api/v1/servers/', headers => \%auth,
                body => '{"name": "typo", "url": "https://mcp.example.test/mcp", "colour": 1}');
is($r->{status}, 422, 'Patchwork: a body with members its model does not name is 422');
# Patchwork's envelope is one detail string (hub_error.c)
like($r->{json}{detail}, qr/\burl: Extra inputs are not permitted\b.*\bcolour: Extra inputs are not permitted/,
     'each named, in pydantic\'s words, in the body\'s order');
is_deeply($hub->get('/api/v1/servers/', headers => \%auth)->{json}, $before,
          'and no server was made');
$r = $hub->post('/api/v1/servers/', headers => \%auth,
                body => '{"name": "right", "endpoint": "https://mcp.example.test/mcp"}');
is($r->{status}, 201, 'the same with `endpoint` is made');
is($r->{json}{name}, 'right', 'as named');
is_deeply([ @{ $r->{json} }{qw(mode endpoint default_branch)} ],
          [ 'remote', 'https://mcp.example.test/mcp', 'main' ],
          'ServerOut shows what was stored: mode, endpoint, default_branch');
my ($listed) = grep { $_->{name} eq 'right' } @{ $hub->get('/api/v1/servers/', headers => \%auth)->{json} };
is($listed->{endpoint}, 'https://mcp.example.test/mcp', 'and so does the list');

# a known path with another method is still 405
$r = $http->request('DELETE', "$base/health/live");
is($r->{status}, 405, 'a route with another method is still 405');
$hub->log_is_clean;
done_testing;
