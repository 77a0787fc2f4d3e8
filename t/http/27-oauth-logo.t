# Caylex: GET /servers/discover-oauth-metadata against canned metadata
# servers on loopback, and POST /servers/upload-logo + GET
# /servers/logos/{id}: type by magic bytes, size, tenant isolation.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubMcp;

my $hub = HubTest->new(conf => 'HubOutboundAllow 127.0.0.0/8');
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $CX = '/caylex/api/v1';
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $CX . $p, headers => { Authorization => "Bearer $k", %{ {@o}->{h} || {} } }, @o) }
sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge; $s }

my $dead = HubTest::free_port();
sub srv {
    my (%rt) = @_;
    return HubMcp::canned(sub {
        my ($q) = @_;
        my $O = "http://$q->{headers}{host}";
        my $f = $rt{ $q->{path} };
        return $f ? $f->($O) : HubMcp::http(404, 'text/plain', 'no');
    });
}
sub AS { my $O = shift; { issuer => $O, authorization_endpoint => "$O/authorize", token_endpoint => "$O/token",
           registration_endpoint => "$O/register", scopes_supported => ['a', 'b'] } }
sub disc { my $s = shift; my $O = "http://127.0.0.1:$s->{port}"; (req($a->{key}, GET => '/servers/discover-oauth-metadata?url=' . enc("$O/mcp")), $O) }

my $s = srv('/.well-known/oauth-protected-resource/mcp' => sub { HubMcp::http_json(200, { resource => "$_[0]/mcp", authorization_servers => ["$_[0]/"], scopes_supported => ['mcp:read'] }) },
            '/.well-known/oauth-authorization-server' => sub { HubMcp::http_json(200, AS($_[0])) });
my ($r, $O) = disc($s);
is($r->{status}, 200, 'discover: 200');
is($r->{json}{found}, JSON::PP::true, 'found');
is($r->{json}{auth_endpoint}, "$O/authorize", 'auth endpoint');
is($r->{json}{token_endpoint}, "$O/token", 'token endpoint');
is($r->{json}{registration_endpoint}, "$O/register", 'registration endpoint');
is_deeply($r->{json}{scopes}, ['mcp:read'], 'scopes of the resource');
is($r->{json}{resource_metadata_url}, "$O/.well-known/oauth-protected-resource/mcp", 'resource metadata url');
$s->stop;

$s = srv('/.well-known/openid-configuration' => sub { HubMcp::http_json(200, { %{ AS($_[0]) }, registration_endpoint => undef }) });
($r, $O) = disc($s);
is($r->{json}{found}, JSON::PP::true, 'AS only (OpenID): found');
is($r->{json}{registration_endpoint}, undef, 'AS only: no registration endpoint');
is($r->{json}{resource_metadata_url}, undef, 'AS only: no resource metadata');
$s->stop;

$s = srv('/mcp' => sub { HubMcp::http(401, 'text/plain', 'no', qq{WWW-Authenticate: Bearer realm="x", resource_metadata="$_[0]/meta/prm"}) },
         '/meta/prm' => sub { HubMcp::http_json(200, { resource => "$_[0]/mcp", authorization_servers => ["$_[0]/tenant1"] }) },
         '/.well-known/oauth-authorization-server/tenant1' => sub { HubMcp::http_json(200, AS($_[0])) });
($r, $O) = disc($s);
is($r->{json}{found}, JSON::PP::true, '401 hint: found');
is($r->{json}{resource_metadata_url}, "$O/meta/prm", '401 hint followed');
is($r->{json}{authorization_server}, "$O/tenant1", 'issuer with path');
$s->stop;

$s = srv();
($r, $O) = disc($s);
is_deeply([$r->{status}, $r->{json}{found}], [200, JSON::PP::false], 'nothing: found=false');
$s->stop;
$r = req($a->{key}, GET => '/servers/discover-oauth-metadata?url=' . enc("http://127.0.0.1:$dead/mcp"));
is_deeply([$r->{status}, $r->{json}{found}], [200, JSON::PP::false], 'unreachable: found=false');
$r = req($a->{key}, GET => '/servers/discover-oauth-metadata');
is($r->{status}, 422, 'no url: 422');
is($r->{json}{detail}[0]{loc}[1], 'url', '  ... FastAPI loc');
$r = req($a->{key}, GET => '/servers/discover-oauth-metadata?url=ftp://x/');
is($r->{status}, 422, 'ftp url: 422');

# ---- logos --------------------------------------------------------------
my $png = "\x89PNG\r\n\x1a\n" . join('', map { chr($_ % 256) } 0 .. 3000);
my $jpg = "\xFF\xD8\xFF\xE0" . join('', map { chr(($_ * 7) % 256) } 0 .. 2000) . "\r\n--x";
sub mp {
    my ($content, %o) = @_;
    my $bd = 'BOUNDARYxyz123';
    my $name = $o{name} // 'logo';
    my $body = "--$bd\r\nContent-Disposition: form-data; name=\"$name\"; filename=\"" . ($o{file} // 'l.png')
             . "\"\r\nContent-Type: " . ($o{type} // 'image/png') . "\r\n\r\n$content\r\n--$bd--\r\n";
    return (body => $body, h => { 'content-type' => "multipart/form-data; boundary=$bd" });
}
sub up { my ($k, @o) = @_; my %m = mp(@o); $hub->request(POST => "$CX/servers/upload-logo", body => $m{body}, headers => { Authorization => "Bearer $k", %{ $m{h} } }) }
for my $c ([$png, 'image/png', 'PNG'], [$jpg, 'image/jpeg', 'JPEG']) {
    $r = up($a->{key}, $c->[0]);
    is($r->{status}, 200, "$c->[2] upload: 200") or diag $r->{content};
    my ($path) = ($r->{json}{logo_url} // '') =~ m{(/servers/logos/[0-9a-f-]{36})$};
    ok($path, "$c->[2]: logo_url") or next;
    my $g = req($a->{key}, GET => $path);
    is($g->{status}, 200, "$c->[2]: served");
    ok($g->{content} eq $c->[0], "$c->[2]: byte-identical");
    is($g->{headers}{'content-type'}, $c->[1], "$c->[2]: type");
    is($g->{headers}{'x-content-type-options'}, 'nosniff', "$c->[2]: nosniff");
    is(req($b->{key}, GET => $path)->{status}, 404, "$c->[2]: another tenant gets 404");
    is($hub->get("$CX$path")->{status}, 401, "$c->[2]: no credentials 401");
}
$r = up($a->{key}, "hello world", type => 'text/plain');
is_deeply([$r->{status}, $r->{json}{detail}], [400, 'File must be a PNG, JPEG, GIF or WebP image'], 'text: 400');
$r = up($a->{key}, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', type => 'image/svg+xml', file => 'a.svg');
is($r->{status}, 400, 'svg: 400');
$r = up($a->{key}, '<html><script>alert(1)</script></html>', file => 'x.png');
is($r->{status}, 400, '.png name with HTML: 400');
$r = up($a->{key}, '');
is($r->{status}, 400, 'empty: 400');
$r = up($a->{key}, "\x89PNG\r\n\x1a\n" . ('x' x (5 * 1024 * 1024 + 10)));
is($r->{status}, 413, 'oversized: 413');
$r = up($a->{key}, $png, name => 'other');
is($r->{status}, 422, 'no logo part: 422');
$r = $hub->request(POST => "$CX/servers/upload-logo", json => { logo => 'x' }, headers => { Authorization => "Bearer $a->{key}" });
is($r->{status}, 415, 'JSON body: 415');
is(req($a->{key}, GET => '/servers/logos/not-a-uuid')->{status}, 404, 'bad id: 404');
ok($hub->log_is_clean, 'no unexpected errors in the log');

done_testing;
