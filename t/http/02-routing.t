# Routing: a hub path answers in its profile, a wrong method gets 405 with
# Allow in the profile's envelope, and whatever is no hub route is left to
# httpd (static files keep working under the same Location).
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;

# fall-through to httpd
my $r = $hub->get('/hello.txt');
is($r->{status}, 200, 'a static file under the root Location is served by httpd');
is($r->{content}, "hello from httpd\n", 'with its content');
$r = $hub->get('/no/such/thing');
is($r->{status}, 404, 'unknown path: 404');
unlike($r->{headers}{'content-type'} // '', qr/json/, 'from httpd, not in a hub envelope');
is($hub->get('/caylex/api/v1/no-such')->{status}, 404, 'unknown path under a mount');
# a trailing slash must agree; FastAPI's Patchwork redirects to the route
# (t/http/51 has every profile's rule)
is($hub->get('/api/v1/health/', max_redirect => 0)->{status}, 307,
   'trailing slash must agree: patchwork redirects /api/v1/health/ to the route');
is($hub->get('/api', max_redirect => 0)->{status}, 307, 'patchwork /api redirects to /api/');
is($hub->get('/caylex/api/v1health')->{status}, 404, 'a prefix that only looks like the mount');
is($hub->get('/caylex/api/health')->{status}, 404, 'caylex routes only under their mount');
is($hub->get('/g4f/api/v1/api/v1/health')->{status}, 404, 'patchwork routes not under the g4f mount');
is($hub->get('/api/v1/../v1/health')->{status}, 200, 'dot segments are normalised by httpd first');
is($hub->get('/api/v1//health')->{status}, 200, 'doubled slashes count once');
is($hub->get('/api/v1/h%65alth')->{status}, 200, 'escaped letters in literal segments match');

# 405 with Allow, in each profile's envelope
my %cases = (
    patchwork => ['POST', '/api/v1/health', sub { defined $_[0]{detail} && !ref $_[0]{detail} }],
    caylex    => ['DELETE', '/caylex/api/v1/health', sub { defined $_[0]{detail} }],
    goclaw    => ['PUT', '/health', sub { defined $_[0]{error} && !ref $_[0]{error} }],
    toolhub   => ['POST', '/health/live', sub { ref $_[0]{error} eq 'HASH' && $_[0]{error}{code} eq 'METHOD_NOT_ALLOWED' }],
    g4f       => ['PATCH', '/g4f/api/v1/capabilities', sub {
        my $e = $_[0]{error};
        ref $e eq 'HASH' && $e->{code} eq 'METHOD_NOT_ALLOWED' && length $e->{request_id}
            && JSON::PP::is_bool($e->{retryable}) && ref $e->{details} eq 'HASH';
    }],
);
for my $p (sort keys %cases) {
    my ($m, $path, $shape) = @{ $cases{$p} };
    $r = $hub->request($m, $path);
    is($r->{status}, 405, "$p: $m $path is 405");
    is($r->{headers}{allow}, 'GET, HEAD', "$p: Allow lists GET and HEAD");
    ok($shape->($r->{json} || {}), "$p: 405 body in the profile's envelope")
        or diag($r->{content});
    like($r->{headers}{'content-type'}, qr{^application/json}, "$p: JSON");
}
$r = $hub->request('OPTIONS', '/api/v1/health');
is($r->{status}, 405, 'OPTIONS on a hub path is 405 too');
$r = $hub->request('PROPFIND', '/health');
is($r->{status}, 405, 'a method no route can have: 405');
is($r->{headers}{allow}, 'GET, HEAD', 'with Allow');

# the g4f error's request_id is the one in the response header
$r = $hub->request('POST', '/g4f/api/v1/health');
is($r->{json}{error}{request_id}, $r->{headers}{'x-request-id'}, 'request_id echoes X-Request-Id');
$r = $hub->request('POST', '/g4f/api/v1/health', headers => { 'X-Request-Id' => 'trace-42' });
is($r->{json}{error}{request_id}, 'trace-42', "a caller's sane X-Request-Id is kept");
$r = $hub->request('POST', '/g4f/api/v1/health', headers => { 'X-Request-Id' => 'bad id <x>' });
isnt($r->{json}{error}{request_id}, 'bad id <x>', 'an unsafe one is replaced');

$hub->log_is_clean;
done_testing;
