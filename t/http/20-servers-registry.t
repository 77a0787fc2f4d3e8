# The server registry: one row seen through Patchwork, Tool Hub, GoClaw
# and Caylex; each profile's shapes and documented errors; bad input;
# stdio only for allowed commands; upstream secrets sealed at rest and in
# no answer, table or log; tenants isolated on every endpoint; a missing
# or short HubSecretKeyFile stops the start.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{ open my $fh, '>', $keyfile or die; print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
  close $fh; chmod 0600, $keyfile; }
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
my $hub = HubTest->new(conf => "HubSecretKeyFile $keyfile\nHubStdioAllow true uvx\nHubJwtKeyFile $jwtfile");
# the allowed stdio command is `true`: the prober really starts allowed
# commands, and a test must not run npx (it would fetch from npm)
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
my @SECRETS = ('hdr-S3CRET-value-1', 'qry-S3CRET-value-2', 'path-S3CRET-value-3',
               'oauth-client-S3CRET-4', 'oauth-client-id-5', 'env-S3CRET-value-6',
               'gc-api-key-S3CRET-7', 'gc-hdr-S3CRET-8', 'th-env-S3CRET-9');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $p, auth($k), @o) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }
sub no_secret {
    my ($r, $what) = @_;
    my @found = grep { index($r->{content} // '', $_) >= 0 } @SECRETS;
    ok(!@found, "$what: no secret value in the answer") or diag "@found";
}

# ==== Patchwork ==========================================================
my $r = req($a->{key}, POST => '/api/v1/servers/', json => { name => 'Weather Tools!', description => 'forecasts' });
is($r->{status}, 201, 'patchwork: create server');
my $pw = $r->{json};
is_deeply([sort keys %$pw], [sort qw(id name slug description mode github_repo endpoint default_branch health_status uptime_24h
                                     created_at updated_at server_key)], 'ServerOut fields, and the server key once');
like($pw->{server_key}, qr/^hubs_[\w-]{43}$/, 'server_key');
like($pw->{id}, $UUID, 'id');
is_deeply([@$pw{qw(name slug description mode github_repo health_status)}],
          ['Weather Tools!', 'weather-tools', 'forecasts', 'heartbeat', '', 'unknown'], 'ServerOut values');
ok(!defined $pw->{uptime_24h}, 'uptime_24h null until probed');
like($pw->{created_at}, $TS, 'created_at');
$r = req($a->{key}, POST => '/api/v1/servers/', json => { name => 'weather tools' });
is($r->{status}, 409, 'same slug in the team: 409');
ok(length $r->{json}{detail}, 'patchwork envelope');
$r = req($a->{key}, POST => '/api/v1/servers/', json => { name => 'Remote', endpoint => 'https://mcp.example.com/mcp' });
is($r->{status}, 201, 'patchwork: with an endpoint');
is($r->{json}{mode}, 'remote', 'mode remote');
for my $bad ([{}, 'name'], [{ name => 5 }, 'name'], [{ name => '' }, 'name'], [{ name => '%%%' }, 'name'],
             [{ name => 'x', endpoint => 'ftp://x.example/' }, 'endpoint'],
             [{ name => 'x', endpoint => 'https://user:pw@x.example/' }, 'endpoint'],
             [{ name => 'x', endpoint => 'javascript:alert(1)' }, 'endpoint'],
             [{ name => 'x', description => [] }, 'description']) {
    $r = req($a->{key}, POST => '/api/v1/servers/', json => $bad->[0]);
    is($r->{status}, 422, 'patchwork bad body: ' . $HubTest::JSON->encode($bad->[0]));
}
$r = req($a->{key}, GET => '/api/v1/servers/');
is($r->{status}, 200, 'patchwork: list');
is(scalar @{ $r->{json} }, 2, 'two servers');
$r = req($a->{key}, GET => '/api/v1/servers/?mode=remote');
is_deeply([map { $_->{slug} } @{ $r->{json} }], ['remote'], '?mode=remote');
$r = req($a->{key}, GET => '/api/v1/servers/?mode=nonsense');
is_deeply($r->{json}, [], 'an unknown mode lists nothing');
is(req($ro, POST => '/api/v1/servers/', json => { name => 'ro' })->{status}, 403, 'a read-only key cannot create');
is(req($ro, GET => '/api/v1/servers/')->{status}, 200, 'but can list');
is($hub->get('/api/v1/servers/')->{status}, 401, 'no credentials: 401');

# ==== Caylex =============================================================
$r = cx($a->{key}, POST => '/servers/header', json => {
    name => 'Custom API Server', endpoint => 'https://api.example.com/mcp', description => 'header auth',
    auth_level => 'user', transport => 'sse',
    headers => [{ header_name => 'Authorization', header_value_prefix => 'Bearer', header_value => $SECRETS[0] },
                { header_name => 'X-API-Version', header_value_prefix => 'v1' }],
    query_params => [{ name => 'format', value => 'json' }] });
is($r->{status}, 200, 'caylex: header server');
is_deeply([keys %{ $r->{json} }], ['id'], 'ServerModifiedResponse');
my $hdr = $r->{json}{id};
no_secret($r, 'create');
$r = cx($a->{key}, GET => "/servers/$hdr");
is($r->{status}, 200, 'caylex: get');
my $s = $r->{json};
is_deeply([sort keys %$s], [sort qw(id registry_id registry_name registry_endpoint name endpoint description
                                    transport auth_method server_type auth_level logo_url health_check metadata
                                    active_instances created_at updated_at auth_config)], 'GetServerResponse fields');
is_deeply([@$s{qw(name endpoint description transport auth_method server_type auth_level)}],
          ['Custom API Server', 'https://api.example.com/mcp', 'header auth', 'sse', 'header', 'external', 'user'],
          'values');
ok(!defined $s->{health_check} && !defined $s->{metadata} && !defined $s->{registry_id}, 'nulls');
is($s->{active_instances}, 0, 'active_instances');
is_deeply($s->{auth_config}, { auth_method => 'header', oauth => undef, paths => undef, params => undef,
    headers => [{ header_name => 'Authorization', header_value_prefix => 'Bearer' },
                { header_name => 'X-API-Version', header_value_prefix => 'v1' }] },
          'auth_config: names and prefixes, no value');
no_secret($r, 'get');
$r = cx($a->{key}, GET => "/servers/$hdr?include_analytics=true");
is_deeply($r->{json}{metadata}, { num_tools => undef, num_tool_calls => undef, connected_projects => 0 },
          'include_analytics: metadata');

$r = cx($a->{key}, POST => '/servers/query', json => { name => 'Query Auth', endpoint => 'http://q.example.com/mcp',
    description => undef, auth_level => 'project', transport => 'streamable_http',
    params => [{ query_param_name => 'api_key', value => $SECRETS[1] }] });
is($r->{status}, 200, 'caylex: query server');
my $qry = $r->{json}{id};
$r = cx($a->{key}, POST => '/servers/path', json => { name => 'Path Auth', endpoint => 'https://p.example.com/mcp',
    description => 'p', auth_level => 'user', transport => 'sse',
    paths => [{ path_param_name => 'token', value => $SECRETS[2] }] });
is($r->{status}, 200, 'caylex: path server');
my $pth = $r->{json}{id};
my %meta = (found => JSON::PP::true, auth_endpoint => 'https://gh.example/authorize',
            token_endpoint => 'https://gh.example/token', registration_endpoint => undef);
$r = cx($a->{key}, POST => '/servers/oauth', json => { name => 'GitHub OAuth', endpoint => 'https://gh.example/mcp',
    description => 'o', auth_level => 'user', transport => 'streamable_http', metadata => \%meta,
    manual_client_config => { client_id => $SECRETS[4], client_secret => $SECRETS[3] }, scopes => ['repo', 'user:email'] });
is($r->{status}, 200, 'caylex: oauth server');
my $oa = $r->{json}{id};
$r = cx($a->{key}, GET => "/servers/$oa");
is_deeply($r->{json}{auth_config}{oauth}, { scopes => 'repo user:email', provider => 'user' },
          'oauth: scopes and provider only');
no_secret($r, 'oauth get');
$r = cx($a->{key}, POST => '/servers/noauth', json => { name => 'Public', endpoint => 'https://pub.example.com/mcp',
    description => 'open', auth_level => 'project', transport => 'sse' });
is($r->{status}, 200, 'caylex: noauth server');
my $pub = $r->{json}{id};
is(cx($a->{key}, GET => "/servers/$qry")->{json}{auth_method}, 'query', 'query server: auth_method query');

# Caylex bad input: FastAPI's 422 naming the field
sub is_422 {
    my ($r, $loc, $what) = @_;
    is($r->{status}, 422, "$what: 422");
    is_deeply(ref $r->{json}{detail} eq 'ARRAY' ? $r->{json}{detail}[0]{loc} : undef, $loc,
              "$what: names " . join('.', @$loc)) or diag explain $r->{json};
}
my %base = (name => 'X', endpoint => 'https://x.example/mcp', description => 'd', auth_level => 'user', transport => 'sse');
is_422(cx($a->{key}, POST => '/servers/noauth', json => { %base, transport => 'stdio' }), ['body', 'transport'], 'bad transport');
is_422(cx($a->{key}, POST => '/servers/noauth', json => { %base, auth_level => 'team' }), ['body', 'auth_level'], 'bad auth_level');
my %nodesc = %base; delete $nodesc{description};
is_422(cx($a->{key}, POST => '/servers/noauth', json => \%nodesc), ['body', 'description'], 'description required');
is_422(cx($a->{key}, POST => '/servers/noauth', json => { %base, endpoint => 'file:///etc/passwd' }), ['body', 'endpoint'], 'file: URL');
is_422(cx($a->{key}, POST => '/servers/noauth', json => { %base, endpoint => undef }), ['body', 'endpoint'], 'no endpoint nor registry');
is_422(cx($a->{key}, POST => '/servers/header', json => { %base }), ['body', 'headers'], 'headers required');
is_422(cx($a->{key}, POST => '/servers/header', json => { %base, headers => [{ header_name => 'A' }] }),
       ['body', 'headers[0].header_value_prefix'], 'header item checked');
is_422(cx($a->{key}, POST => '/servers/oauth', json => { %base, metadata => \%meta }),
       ['body', 'manual_client_config'], 'manual_client_config required (may be null)');
is_422(cx($a->{key}, POST => '/servers/noauth', json => { %base, query_params => [{ name => 'a' }] }),
       ['body', 'query_params[0].value'], 'query_params item checked');
is(cx($a->{key}, POST => '/servers/noauth', json => { %base, endpoint => undef,
      registry_id => '123e4567-e89b-12d3-a456-426614174000' })->{status}, 404, 'unknown registry entry: 404');
is(cx($a->{key}, POST => '/servers/noauth', json => { %base, name => 'public' })->{status}, 409, 'same name: 409');
is(cx($a->{key}, POST => '/servers/noauth', body => '{"name":', headers => { 'Content-Type' => 'application/json', Authorization => "Bearer $a->{key}" })->{status},
   422, 'malformed JSON: 422');

# listing, search, filters, pages
$r = cx($a->{key}, GET => '/servers?size=2&sort_by=name_asc');
is($r->{status}, 200, 'caylex: list');
is($r->{json}{meta}{total}, 7, 'total counts every server of the tenant (patchwork ones too)');
is(scalar @{ $r->{json}{items} }, 2, 'size 2');
ok($r->{json}{meta}{has_next} && !$r->{json}{meta}{has_prev}, 'has_next');
is($r->{json}{items}[0]{name}, 'Custom API Server', 'sorted by name');
my $r2 = cx($a->{key}, GET => "/servers?size=2&sort_by=name_asc&cursor=$r->{json}{meta}{next_cursor}");
is($r2->{json}{items}[0]{name}, 'Path Auth', 'the next page');
ok($r2->{json}{meta}{has_prev}, 'has_prev');
$r = cx($a->{key}, GET => '/servers?auth_method=oauth');
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$oa], 'filter auth_method');
$r = cx($a->{key}, GET => '/servers?transport=sse&auth_level=user');
is($r->{json}{meta}{total}, 2, 'filters combine');
is_422(cx($a->{key}, GET => '/servers?transport=carrier-pigeon'), ['query', 'transport'], 'bad transport filter');
is_422(cx($a->{key}, GET => '/servers?sort_by=random'), ['query', 'sort_by'], 'bad sort_by');
is_422(cx($a->{key}, GET => '/servers?size=0'), ['query', 'size'], 'size 0');
is_422(cx($a->{key}, GET => '/servers?size=101'), ['query', 'size'], 'size 101');
is_422(cx($a->{key}, GET => '/servers?cursor=zzz'), ['query', 'cursor'], 'bad cursor');
is_422(cx($a->{key}, GET => '/servers?include_analytics=maybe'), ['query', 'include_analytics'], 'bad boolean');
# one boolean rule for every Caylex route (pydantic's), read from the row's query table
for my $yes (qw(true 1 yes on)) {
    ok(defined cx($a->{key}, GET => "/servers?include_analytics=$yes")->{json}{items}[0]{metadata},
       "include_analytics=$yes: metadata");
}
ok(!defined cx($a->{key}, GET => '/servers?include_analytics=off')->{json}{items}[0]{metadata}, 'off: none');
ok(defined cx($a->{key}, GET => "/servers/$hdr?include_analytics=1")->{json}{metadata}, 'get: 1');
# the route row's need is checked before the body is read
is(req($ro, POST => '/api/v1/servers/', json => {})->{status}, 403, 'read-only: 403 before the body');
is(cx($ro, POST => '/servers/noauth', json => {})->{status}, 403, 'caylex too');
$r = cx($a->{key}, GET => '/servers/search?search=WEATHER');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['Weather Tools!'], 'search, any case');
$r = cx($a->{key}, GET => '/servers/search?search=forecast');
is($r->{json}{meta}{total}, 1, 'search in descriptions');
$r = cx($a->{key}, GET => '/servers/search');
is($r->{json}{meta}{total}, 7, 'search without a term lists all');
no_secret(cx($a->{key}, GET => '/servers?size=100'), 'list');

# PATCH
$r = cx($a->{key}, PATCH => "/servers/$hdr", json => { display_name => 'Custom API (renamed)',
     endpoint => 'https://api2.example.com/mcp', logo_url => '/logos/x.png',
     headers => [{ header_name => 'Authorization', header_value_prefix => 'Token' }] });
is($r->{status}, 200, 'caylex: patch');
is_deeply($r->{json}, { id => $hdr }, 'ServerModifiedResponse');
$s = cx($a->{key}, GET => "/servers/$hdr")->{json};
is_deeply([@$s{qw(name endpoint logo_url)}], ['Custom API (renamed)', 'https://api2.example.com/mcp', '/logos/x.png'],
          'patched fields');
is_deeply($s->{auth_config}{headers}, [{ header_name => 'Authorization', header_value_prefix => 'Token' }], 'headers replaced');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE id = '$hdr' AND secrets ? 'header:Authorization'"), 0,
   'replacing the headers without a value drops the stored one');
is(cx($a->{key}, PATCH => "/servers/$hdr", json => { logo_url => '' })->{status}, 200, 'logo_url "" clears');
ok(!defined cx($a->{key}, GET => "/servers/$hdr")->{json}{logo_url}, 'cleared');
is(cx($a->{key}, PATCH => "/servers/$hdr", json => { endpoint => 'gopher://x' })->{status}, 400, 'bad endpoint: 400');
is(cx($a->{key}, PATCH => "/servers/$hdr", json => { paths => [] })->{status}, 400, 'paths on a header server: 400');
is(cx($a->{key}, PATCH => "/servers/$hdr", json => { oauth_config => { manual_client_config => undef } })->{status}, 400,
   'oauth_config on a header server: 400');
is(cx($a->{key}, PATCH => "/servers/$oa", json => { endpoint => 'https://other.example/' })->{status}, 400,
   'endpoint of an oauth server: 400');
is_422(cx($a->{key}, PATCH => "/servers/$hdr", json => { auth_level => 'galaxy' }), ['body', 'auth_level'], 'bad auth_level');
is(cx($a->{key}, PATCH => "/servers/$hdr", json => { name => 'Public' })->{status}, 409, 'renaming onto a used name: 409');
$r = cx($a->{key}, PATCH => "/servers/$oa", json => { oauth_config => { manual_client_config => undef, scopes => ['repo'] } });
is($r->{status}, 200, 'oauth: switch to DCR');
is_deeply(cx($a->{key}, GET => "/servers/$oa")->{json}{auth_config}{oauth}, { scopes => 'repo', provider => 'dcr' },
          'provider dcr, scopes replaced');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE id = '$oa' AND secrets ?| array['oauth:client_id','oauth:client_secret']"),
   0, 'DCR drops the manual client credentials');
$r = cx($a->{key}, PATCH => "/servers/$oa", json => { oauth_config => {
    manual_client_config => { client_id => $SECRETS[4], client_secret => $SECRETS[3] } } });
is($r->{status}, 200, 'oauth: manual credentials again');
is(cx($a->{key}, GET => "/servers/$oa")->{json}{auth_config}{oauth}{scopes}, 'repo', 'scopes kept');
for my $bad ('00000000-0000-0000-0000-000000000000', 'not-a-uuid') {
    is(cx($a->{key}, GET => "/servers/$bad")->{status}, 404, "get $bad: 404");
    is(cx($a->{key}, PATCH => "/servers/$bad", json => { display_name => 'x' })->{status}, 404, "patch $bad: 404");
    is(cx($a->{key}, DELETE => "/servers/$bad")->{status}, 404, "delete $bad: 404");
}
is(cx($ro, PATCH => "/servers/$hdr", json => { display_name => 'x' })->{status}, 403, 'read-only key cannot patch');

# ==== GoClaw =============================================================
$r = req($a->{key}, POST => '/v1/mcp/servers', json => { name => 'gh-tools', display_name => 'GitHub tools',
    transport => 'streamable-http', url => 'https://gh-tools.example/mcp', headers => { 'X-Token' => $SECRETS[7] },
    api_key => $SECRETS[6], tool_prefix => 'gh_', timeout_sec => 30 });
is($r->{status}, 201, 'goclaw: create');
my $gc = $r->{json};
is_deeply([@$gc{qw(name display_name transport url tool_prefix timeout_sec)}],
          ['gh-tools', 'GitHub tools', 'streamable-http', 'https://gh-tools.example/mcp', 'gh_', 30], 'values');
is_deeply($gc->{headers}, { 'X-Token' => '********' }, 'header values masked');
is($gc->{api_key}, '********', 'api_key masked');
ok(JSON::PP::is_bool($gc->{enabled}) && $gc->{enabled}, 'enabled');
no_secret($r, 'goclaw create');
$r = req($a->{key}, GET => '/v1/mcp/servers');
is($r->{status}, 200, 'goclaw: list');
is(scalar @{ $r->{json}{servers} }, 8, '{"servers": [...]} with every server');
is((grep { $_->{id} eq $hdr } @{ $r->{json}{servers} })[0]{name}, 'custom-api-server',
   'a Caylex server through GoClaw: name is the slug');
is((grep { $_->{id} eq $gc->{id} } @{ $r->{json}{servers} })[0]{agent_count}, 0, 'agent_count');
no_secret($r, 'goclaw list');
$r = req($a->{key}, GET => "/v1/mcp/servers/$gc->{id}");
is($r->{status}, 200, 'goclaw: get');
is($r->{json}{display_name}, 'GitHub tools', 'get values');
$r = req($a->{key}, PUT => "/v1/mcp/servers/$gc->{id}", json => { display_name => 'GH', headers => { 'X-Token' => '********', 'X-Other' => 'plain-new' }, api_key => '********', enabled => JSON::PP::false });
is($r->{status}, 200, 'goclaw: put');
is_deeply($r->{json}, { status => 'updated' }, '{"status": "updated"}');
$r = req($a->{key}, GET => "/v1/mcp/servers/$gc->{id}");
is_deeply($r->{json}{headers}, { 'X-Token' => '********', 'X-Other' => '********' }, 'headers after put');
ok(!$r->{json}{enabled}, 'enabled false');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE id = '$gc->{id}' AND secrets ? 'header:X-Token' AND secrets ? 'api_key'"),
   1, '"********" keeps the stored values');
is(req($a->{key}, PUT => "/v1/mcp/servers/$gc->{id}", json => { api_key => '' })->{status}, 200, 'api_key "" removes it');
ok(!exists req($a->{key}, GET => "/v1/mcp/servers/$gc->{id}")->{json}{api_key}, 'api_key gone');
for my $bad ([{ transport => 'sse', url => 'https://x.example/' }, 'no name'],
             [{ name => 'Bad Name', transport => 'sse', url => 'https://x.example/' }, 'name not a slug'],
             [{ name => 'x', transport => 'pigeon', url => 'https://x.example/' }, 'bad transport'],
             [{ name => 'x', transport => 'sse' }, 'no url'],
             [{ name => 'x', transport => 'sse', url => 'http://' }, 'url without host'],
             [{ name => 'x', transport => 'sse', url => 'https://x.example/', args => [1] }, 'args not strings'],
             [{ name => 'x', transport => 'sse', url => 'https://x.example/', timeout_sec => 0 }, 'timeout 0'],
             [{ name => 'x', transport => 'stdio' }, 'stdio without command'],
             [{ name => 'x', transport => 'stdio', command => 'bash', args => ['-c', 'id'] }, 'stdio command not allowed']) {
    $r = req($a->{key}, POST => '/v1/mcp/servers', json => $bad->[0]);
    is($r->{status}, 400, "goclaw: $bad->[1]: 400");
    ok(length $r->{json}{error}, '  ... goclaw envelope');
}
like(req($a->{key}, POST => '/v1/mcp/servers', json => { name => 'x', transport => 'stdio', command => 'bash' })->{json}{error},
     qr/HubStdioAllow/, 'the refusal says why');
is(req($a->{key}, POST => '/v1/mcp/servers', json => { name => 'gh-tools', transport => 'sse', url => 'https://x.example/' })->{status},
   409, 'goclaw: same name 409');
$r = req($a->{key}, POST => '/v1/mcp/servers', json => { name => 'fs', transport => 'stdio', command => 'true',
     args => ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env => { API_TOKEN => $SECRETS[5] } });
is($r->{status}, 201, 'goclaw: an allowed stdio command');
is_deeply([@{ $r->{json} }{qw(transport command)}], ['stdio', 'true'], 'stdio stored');
is_deeply($r->{json}{env}, { API_TOKEN => '********' }, 'env masked');
my $fs = $r->{json}{id};
is(req($ro, POST => '/v1/mcp/servers', json => { name => 'y', transport => 'sse', url => 'https://y.example/' })->{status},
   403, 'goclaw: writes need admin');
is(req($ro, GET => "/v1/mcp/servers/$fs")->{status}, 200, 'goclaw: reads need read');
is(req($a->{key}, GET => '/v1/mcp/servers/nope')->{status}, 404, 'goclaw: malformed id 404');
is(req($a->{key}, PUT => '/v1/mcp/servers/00000000-0000-0000-0000-000000000000', json => {})->{status}, 404, 'goclaw: unknown id 404');
is(req($a->{key}, PUT => "/v1/mcp/servers/$fs", json => { command => 'sh' })->{status}, 400,
   'goclaw: put a command not allowed: 400');

# ==== Tool Hub (JWT, and keys) =========================================
my $now = time;
my $th = HubTest::jwt($jwtkey, { sub => 'th-user', email => 'owner@acme.test', role => 'admin', tenant => 'acme',
                                 exp => $now + 600, iat => $now });
# a JWT for an existing local account is refused (15-login-tokens.t); use a Tool Hub user in acme
$th = HubTest::jwt($jwtkey, { sub => 'th-user', email => 'dev@toolhub.test', role => 'admin', tenant => 'acme',
                              exp => $now + 600, iat => $now });
$r = req($th, POST => '/api/mcp/servers', json => { name => 'filesystem', command => 'true',
     args => ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env => { CUSTOM_VAR => $SECRETS[8] },
     description => 'Filesystem MCP server' });
is($r->{status}, 201, 'toolhub (JWT): connect a stdio server');
my $thsrv = $r->{json};
is_deeply([@$thsrv{qw(name command description status)}], ['filesystem', 'true', 'Filesystem MCP server', 'pending'],
          'values');
is_deeply($thsrv->{args}, ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], 'args');
ok(exists $thsrv->{connected_at} && !defined $thsrv->{connected_at}, 'connected_at null');
no_secret($r, 'toolhub create');
$r = req($th, POST => '/api/mcp/servers', json => { name => 'evil', command => 'bash', args => ['-c', 'curl x | sh'] });
is($r->{status}, 400, 'toolhub: a command not on the allowlist is refused');
is($r->{json}{error}{code}, 'STDIO_NOT_ALLOWED', '  ... STDIO_NOT_ALLOWED');
like($r->{json}{error}{message}, qr/HubStdioAllow/, '  ... saying why');
is($r->{json}{error}{code}, 'STDIO_NOT_ALLOWED', 'toolhub envelope');
is(req($th, POST => '/api/mcp/servers', json => { name => 'abs', command => '/usr/bin/true' })->{status}, 400,
   'the match is exact: a path to an allowed name is refused');
$r = req($a->{key}, POST => '/api/mcp/servers', json => { name => 'remote-th', url => 'https://th.example/mcp' });
is($r->{status}, 201, 'toolhub (key): an http server');
is_deeply([@{ $r->{json} }{qw(url transport command)}], ['https://th.example/mcp', 'streamable_http', undef], 'url server');
my $thr = $r->{json}{id};
for my $bad ([{}, 'no name'], [{ name => 'x' }, 'neither command nor url'],
             [{ name => 'x', command => 'true', url => 'https://x.example/' }, 'both'],
             [{ name => 'x', url => 'ftp://x.example/' }, 'ftp url'],
             [{ name => 'x', command => 'true', env => { 'A B' => 'x' } }, 'bad env name'],
             [{ name => 'x', command => 'true', env => { A => 1 } }, 'env value not a string'],
             [{ name => 'x', command => 'true', args => 'x' }, 'args not an array']) {
    $r = req($th, POST => '/api/mcp/servers', json => $bad->[0]);
    is($r->{status}, 400, "toolhub: $bad->[1]: 400");
}
$r = req($th, GET => '/api/mcp/servers');
is($r->{status}, 200, 'toolhub: list');
my ($seen) = grep { $_->{id} eq $thsrv->{id} } @{ $r->{json} };
is_deeply($seen->{env}, { CUSTOM_VAR => '********' }, 'env masked in the list');
is(scalar @{ $r->{json} }, 11, 'every server of the tenant');
no_secret($r, 'toolhub list');
is(req($th, DELETE => '/api/mcp/servers/nope')->{status}, 404, 'toolhub: malformed id 404');
is(req($th, DELETE => '/api/mcp/servers/00000000-0000-0000-0000-000000000000')->{json}{error}{code}, 'SERVER_NOT_FOUND',
   'SERVER_NOT_FOUND');
$r = req($th, DELETE => "/api/mcp/servers/$thr");
is($r->{status}, 204, 'toolhub: disconnect');
ok(!length($r->{content} // ''), '  ... no body');
is(req($th, DELETE => "/api/mcp/servers/$thr")->{status}, 404, 'gone');
is(req($a->{key}, GET => "/api/mcp/servers")->{status}, 200, 'keys work on Tool Hub routes');

# ==== one row, every profile ===========================================
my $id = $pw->{id};
$s = cx($a->{key}, GET => "/servers/$id")->{json};
is_deeply([@$s{qw(id name description endpoint created_at)}], [$id, 'Weather Tools!', 'forecasts', '', $pw->{created_at}],
          'a Patchwork server through Caylex');
$r = req($a->{key}, GET => "/v1/mcp/servers/$id");
is_deeply([@{ $r->{json} }{qw(id name display_name created_at)}], [$id, 'weather-tools', 'Weather Tools!', $pw->{created_at}],
          'through GoClaw');
($seen) = grep { $_->{id} eq $id } @{ req($th, GET => '/api/mcp/servers')->{json} };
is_deeply([@$seen{qw(id name description)}], [$id, 'Weather Tools!', 'forecasts'], 'through Tool Hub');
($seen) = grep { $_->{id} eq $thsrv->{id} } @{ req($a->{key}, GET => '/api/v1/servers/')->{json} };
is_deeply([@$seen{qw(slug mode)}], ['filesystem', 'stdio'], 'a Tool Hub stdio server through Patchwork');
$s = cx($a->{key}, GET => "/servers/$thsrv->{id}")->{json};
is_deeply([@$s{qw(transport endpoint auth_method)}], ['stdio', '', 'none'], 'and through Caylex');
is(req($a->{key}, PUT => "/v1/mcp/servers/$id", json => { display_name => 'Weather (GoClaw)' })->{status}, 200,
   'changed through GoClaw');
is(req($a->{key}, GET => '/api/v1/servers/?mode=heartbeat')->{json}[0]{name}, 'Weather (GoClaw)', 'seen through Patchwork');

# ==== tenants are isolated =============================================
my @ids = ($hdr, $oa, $gc->{id}, $thsrv->{id}, $id);
# what requests can change (the prober keeps health and probe times moving)
my $before = $hub->psql($db, "SELECT md5(string_agg(row(s.id, s.tenant_id, s.slug, s.name, s.description, s.mode,
    s.transport, s.endpoint, s.command, s.args, s.auth_method, s.auth_config, s.secrets,
    s.enabled, s.updated_at)::text, ',' ORDER BY id)) FROM servers s");
is_deeply(req($b->{key}, GET => '/api/v1/servers/')->{json}, [], 'bravo: patchwork list empty');
is_deeply(req($b->{key}, GET => '/v1/mcp/servers')->{json}{servers}, [], 'bravo: goclaw list empty');
is_deeply(req($b->{key}, GET => '/api/mcp/servers')->{json}, [], 'bravo: toolhub list empty');
is(cx($b->{key}, GET => '/servers')->{json}{meta}{total}, 0, 'bravo: caylex list empty');
is(cx($b->{key}, GET => '/servers/search?search=a')->{json}{meta}{total}, 0, 'bravo: caylex search empty');
for my $x (@ids) {
    is(cx($b->{key}, GET => "/servers/$x")->{status}, 404, "bravo: caylex get $x: 404");
    is(cx($b->{key}, PATCH => "/servers/$x", json => { display_name => 'pwned' })->{status}, 404, '  caylex patch: 404');
    is(cx($b->{key}, DELETE => "/servers/$x")->{status}, 404, '  caylex delete: 404');
    is(req($b->{key}, GET => "/v1/mcp/servers/$x")->{status}, 404, '  goclaw get: 404');
    is(req($b->{key}, PUT => "/v1/mcp/servers/$x", json => { display_name => 'pwned' })->{status}, 404, '  goclaw put: 404');
    is(req($b->{key}, DELETE => "/v1/mcp/servers/$x")->{status}, 404, '  goclaw delete: 404');
    is(req($b->{key}, DELETE => "/api/mcp/servers/$x")->{status}, 404, '  toolhub delete: 404');
}
is($hub->psql($db, "SELECT md5(string_agg(row(s.id, s.tenant_id, s.slug, s.name, s.description, s.mode,
    s.transport, s.endpoint, s.command, s.args, s.auth_method, s.auth_config, s.secrets,
    s.enabled, s.updated_at)::text, ',' ORDER BY id)) FROM servers s"), $before, 'nothing changed');
is(req($b->{key}, POST => '/api/v1/servers/', json => { name => 'Weather Tools' })->{status}, 201,
   'the same slug in another team is fine');
# a sealed value moved to another tenant's row does not decrypt: checked in
# t/unit/test_secret.c (the tenant id is the additional data)

# ==== delete, and refused while projects use the server ================
my $proj = cx($a->{key}, POST => '/projects', json => { name => 'P1' })->{json}{id};
$hub->psql($db, "INSERT INTO server_instances (tenant_id, server_id, project_id)
                 SELECT tenant_id, id, '$proj' FROM servers WHERE id = '$pub'");
$r = cx($a->{key}, DELETE => "/servers/$pub");
is($r->{status}, 400, 'caylex: delete refused while a project uses it');
like($r->{json}{detail}, qr/associated with 1 project\(s\).*\Q$proj\E/, '  ... naming the project');
is(req($a->{key}, DELETE => "/v1/mcp/servers/$pub")->{status}, 409, 'goclaw: 409');
is(req($th, DELETE => "/api/mcp/servers/$pub")->{json}{error}{code}, 'SERVER_IN_USE', 'toolhub: SERVER_IN_USE');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE id = '$pub'"), 1, 'still there');
$hub->psql($db, "DELETE FROM server_instances");
$r = cx($a->{key}, DELETE => "/servers/$pub");
is($r->{status}, 200, 'caylex: delete');
is_deeply($r->{json}, { server_id => $pub, message => "Successfully deleted server 'public'" }, 'DeleteServerResponse');
is(cx($a->{key}, GET => "/servers/$pub")->{status}, 404, 'gone');
$r = req($a->{key}, DELETE => "/v1/mcp/servers/$fs");
is_deeply([$r->{status}, $r->{json}], [200, { status => 'deleted' }], 'goclaw: delete');

# ==== secrets at rest ====================================================
my $dump = $hub->psql($db, "SELECT s::text FROM servers s");
my @leaked = grep { index($dump, $_) >= 0 } @SECRETS;
ok(!@leaked, 'no secret value in a dump of the servers table') or diag "@leaked";
like($hub->psql($db, "SELECT secrets->>'query:api_key' FROM servers WHERE id = '$qry'"), qr/^v1:[A-Za-z0-9+\/=]+$/,
     'sealed as v1:<base64>');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE id = '$oa' AND secrets ?& array['oauth:client_id','oauth:client_secret']"),
   1, 'oauth client credentials sealed');
my $log = $hub->slurp($hub->error_log_path);
@leaked = grep { index($log, $_) >= 0 } @SECRETS;
ok(!@leaked, 'no secret value in the error log') or diag "@leaked";
$hub->log_is_clean;

# ==== HubSecretKeyFile that cannot be used stops the start =============
$hub->stop_httpd;
my $short = "$dir/short.key";
{ open my $fh, '>', $short or die; print $fh "0123456789abcdef\n"; close $fh; }
for my $case (["$dir/missing.key", qr/HUB00300: HubSecretKeyFile .*missing\.key/, 'missing'],
              [$short, qr/HUB00301: HubSecretKeyFile .*short\.key/, 'short']) {
    open my $cf, '<', $hub->{conf_file} or die;
    my $conf = do { local $/; <$cf> };
    close $cf;
    $conf =~ s/^HubSecretKeyFile .*$/HubSecretKeyFile $case->[0]/m;
    open my $wf, '>', "$hub->{conf_file}.bad" or die;
    print $wf $conf;
    close $wf;
    my $out = `timeout 20 /usr/sbin/apache2 -f $hub->{conf_file}.bad -DFOREGROUND 2>&1`;
    isnt($?, 0, "$case->[2] key file: httpd refuses to start");
    like($out . $hub->slurp($hub->error_log_path), $case->[1], "  ... and names it");
}
done_testing;
