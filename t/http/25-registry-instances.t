# The server registry catalog (HubRegistryFile) and server instances
# through Caylex: every endpoint's shape and documented errors, search and
# pages, servers made from a catalog entry, connections, pausing, tools,
# clone (sealed secrets copied, never shown), tenants isolated (404 and
# nothing changed), and a malformed catalog file stopping the start.
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
my %E = (gh => '6f1c2a40-3b7e-4d35-9a51-0c9e8f3b2a11', ev => '0b8d7e52-9c14-4f6a-8e2d-5a7c1b3f9e04',
         ac => 'a1b2c3d4-0000-4000-8000-00000000000a');
my @catalog = (
    { id => $E{gh}, name => 'GitHub', description => 'Repositories, issues and pull requests',
      endpoint => 'https://gh.example.com/mcp/', transport => 'streamable_http',
      logo_url => 'https://gh.example.com/logo.svg', server_type => 'external', auth_methods => ['oauth'],
      auth_config => { oauth_config => { authorization_endpoint => 'https://gh.example.com/authorize',
                                         token_endpoint => 'https://gh.example.com/token',
                                         scopes => ['repo', 'user:email'] } },
      categories => ['source control'],
      tools => [{ name => 'list_repos', description => 'List repositories' }, { name => 'get_issue' }] },
    { id => uc $E{ev}, name => 'everything', description => 'The MCP reference server',
      endpoint => 'https://ev.example.com/mcp', transport => 'sse', logo_url => '' },
    { id => $E{ac}, name => 'Acme Weather', description => 'Forecasts', endpoint => 'https://wx.example.com/mcp',
      auth_method => 'header', auth_config => { header_config => { headers => [
          { header_name => 'X-Api-Key', header_value_prefix => '' }] } }, categories => ['weather'] },
);
my $regfile = "$dir/registry.json";
sub write_json { my ($f, $d) = @_; open my $fh, '>', $f or die; print $fh ref $d ? $HubTest::JSON->encode($d) : $d;
                 close $fh; chmod 0644, $f }
write_json($regfile, \@catalog);

my $hub = HubTest->new(conf => "HubSecretKeyFile $keyfile\nHubRegistryFile $regfile");
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
my $NOPE = '00000000-0000-4000-8000-000000000000';
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }
*is_422 = \&HubTest::is_422;
*is_detail = \&HubTest::is_detail;
sub meta_ok {
    my ($r, $size, $total, $next, $prev, $what) = @_;
    my $m = $r->{json}{meta};
    is_deeply([@$m{qw(size total)}, map { $_ ? 1 : 0 } @$m{qw(has_next has_prev)}], [$size, $total, $next ? 1 : 0, $prev ? 1 : 0], "$what: meta")
        or diag explain $m;
    ok($next ? length $m->{next_cursor} : !defined $m->{next_cursor}, "$what: next_cursor");
}
my $REG_KEYS = [sort qw(id name description endpoint logo_url server_type transport auth_methods auth_config)];

# ==== the catalog =========================================================
my $r = cx($a->{key}, GET => '/server-registry');
is($r->{status}, 200, 'registry: list');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['Acme Weather', 'everything', 'GitHub'], 'by name, any case');
meta_ok($r, 20, 3, 0, 0, 'registry list');
my ($gh) = grep { $_->{name} eq 'GitHub' } @{ $r->{json}{items} };
is_deeply([sort keys %$gh], $REG_KEYS, 'GetServerRegistryResponse fields');
is_deeply($gh, { id => $E{gh}, name => 'GitHub', description => 'Repositories, issues and pull requests',
                 endpoint => 'https://gh.example.com/mcp/', transport => 'streamable_http',
                 logo_url => 'https://gh.example.com/logo.svg', server_type => 'external', auth_methods => ['oauth'],
                 auth_config => $catalog[0]{auth_config} }, 'values as the file gives them');
my ($ev) = grep { $_->{name} eq 'everything' } @{ $r->{json}{items} };
is($ev->{id}, $E{ev}, 'ids in lower case');
is_deeply([@$ev{qw(transport server_type auth_methods logo_url)}], ['sse', 'external', ['none'], ''], 'defaults');
ok(!defined $ev->{auth_config}, 'auth_config null when the file has none');
my ($ac) = grep { $_->{name} eq 'Acme Weather' } @{ $r->{json}{items} };
is_deeply($ac->{auth_methods}, ['header'], 'auth_method as a list of one');

$r = cx($a->{key}, GET => '/server-registry?size=2');
meta_ok($r, 2, 3, 1, 0, 'registry page 1');
is(scalar @{ $r->{json}{items} }, 2, 'two items');
my $cur = $r->{json}{meta}{next_cursor};
$r = cx($a->{key}, GET => "/server-registry?size=2&cursor=$cur");
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['GitHub'], 'page 2');
meta_ok($r, 2, 3, 0, 1, 'registry page 2');
is_422(cx($a->{key}, GET => '/server-registry?size=0'), ['query', 'size'], 'size 0');
is_422(cx($a->{key}, GET => '/server-registry?size=101'), ['query', 'size'], 'size 101');
is_422(cx($a->{key}, GET => '/server-registry?size=x'), ['query', 'size'], 'size x');
is_422(cx($a->{key}, GET => '/server-registry?cursor=42'), ['query', 'cursor'], 'foreign cursor');

for my $case (['github', ['GitHub']], ['REFERENCE', ['everything']], ['weather', ['Acme Weather']],
              ['source control', ['GitHub']], ['nothing-like-it', []], ['', ['Acme Weather', 'everything', 'GitHub']]) {
    $r = cx($a->{key}, GET => "/server-registry/search?search=" . join('%20', split / /, $case->[0]));
    is($r->{status}, 200, "search '$case->[0]'");
    is_deeply([map { $_->{name} } @{ $r->{json}{items} }], $case->[1], "search '$case->[0]': matches");
    is($r->{json}{meta}{total}, scalar @{ $case->[1] }, "search '$case->[0]': total");
}
$r = cx($a->{key}, GET => '/server-registry/search');
is($r->{json}{meta}{total}, 3, 'search without search: everything');
$r = cx($a->{key}, GET => '/server-registry/search?search=e&size=1');
meta_ok($r, 1, 3, 1, 0, 'search pages');

$r = cx($a->{key}, GET => "/server-registry/$E{gh}");
is($r->{status}, 200, 'registry: get');
is_deeply($r->{json}, $gh, 'the same entry');
is(cx($a->{key}, GET => '/server-registry/' . uc $E{gh})->{json}{id}, $E{gh}, 'any case of the id');
is_detail(cx($a->{key}, GET => "/server-registry/$NOPE"), 404, 'Server from registry not found', 'unknown entry');
is_422(cx($a->{key}, GET => '/server-registry/github'), ['path', 'server_registry_id'], 'not a UUID');
is($hub->get("$CX/server-registry")->{status}, 401, 'no credentials: 401');
is(cx($ro, GET => '/server-registry')->{status}, 200, 'a read-only key reads the catalog');
is(cx($b->{key}, GET => '/server-registry')->{json}{meta}{total}, 3, 'every tenant sees the one catalog');

# tools: the tenant's servers from the entry, else the file's, else 404
$r = cx($a->{key}, GET => "/server-registry/$E{gh}/tools");
is($r->{status}, 200, 'registry tools from the file');
is_deeply($r->{json}, { tools => [{ name => 'list_repos', description => 'List repositories' },
                                  { name => 'get_issue', description => undef }] }, 'GetServerRegistryToolsResponse');
is_detail(cx($a->{key}, GET => "/server-registry/$E{ev}/tools"), 404,
          'Tool listing is not yet available for this server. You can still add this server to your library '
          . 'and authenticate to get tool listings.', 'no tools anywhere');
is_detail(cx($a->{key}, GET => "/server-registry/$NOPE/tools"), 404, 'Server registry entry not found',
          'tools of an unknown entry');
is_422(cx($a->{key}, GET => '/server-registry/x/tools'), ['path', 'server_registry_id'], 'tools: not a UUID');

# a server made from an entry
my %nb = (description => 'from the catalog', auth_level => 'project', transport => 'sse');
$r = cx($a->{key}, POST => '/servers/noauth', json => { %nb, name => 'Everything', registry_id => uc $E{ev} });
is($r->{status}, 200, 'create from a registry entry, no endpoint');
my $evs = $r->{json}{id};
$r = cx($a->{key}, GET => "/servers/$evs");
is_deeply([@{ $r->{json} }{qw(registry_id endpoint)}], [$E{ev}, 'https://ev.example.com/mcp'],
          'registry_id kept, the entry\'s endpoint used');
is($r->{json}{registry_endpoint}, 'https://ev.example.com/mcp', 'registry_endpoint: the entry\'s');
ok(defined $r->{json}{registry_name} && length $r->{json}{registry_name}, 'registry_name: the entry\'s name');
$r = cx($a->{key}, POST => '/servers/noauth', json => { %nb, name => 'GH Own', registry_id => $E{gh},
                                                        endpoint => 'https://own.example.com/mcp' });
is($r->{status}, 200, 'create from an entry with an endpoint of its own');
is(cx($a->{key}, GET => "/servers/$r->{json}{id}")->{json}{endpoint}, 'https://own.example.com/mcp', 'own endpoint');
is(cx($a->{key}, GET => "/servers/$r->{json}{id}")->{json}{logo_url}, 'https://gh.example.com/logo.svg',
   'the entry\'s logo');
my $ghs = $r->{json}{id};
is_detail(cx($a->{key}, POST => '/servers/noauth', json => { %nb, name => 'Nope', registry_id => $NOPE }), 404,
          'Registry entry not found', 'unknown registry_id');
$hub->psql($db, "INSERT INTO tools (tenant_id, server_id, name, description, definition)"
              . " SELECT tenant_id, id, 'echo', 'Echo a message', '{}' FROM servers WHERE id = '$evs'");
$r = cx($a->{key}, GET => "/server-registry/$E{ev}/tools");
is_deeply($r->{json}, { tools => [{ name => 'echo', description => 'Echo a message' }] },
          'registry tools: the tenant\'s server\'s');
is(cx($b->{key}, GET => "/server-registry/$E{ev}/tools")->{status}, 404, 'not another tenant\'s tools');
$hub->psql($db, "INSERT INTO tools (tenant_id, server_id, name, description, definition)"
              . " SELECT tenant_id, id, 'search_code', 'Search code', '{}' FROM servers WHERE id = '$ghs'");
is_deeply(cx($a->{key}, GET => "/server-registry/$E{gh}/tools")->{json}{tools},
          [{ name => 'search_code', description => 'Search code' }], 'synced tools before the file\'s');
is_deeply([map { $_->{name} } @{ cx($b->{key}, GET => "/server-registry/$E{gh}/tools")->{json}{tools} }],
          ['list_repos', 'get_issue'], 'another tenant: the file\'s');

# ==== servers, projects, connections =======================================
sub project { my ($k, $n) = @_; my $r = cx($k, POST => '/projects', json => { name => $n }); $r->{json}{id} }
my $p1 = project($a->{key}, 'Production');
my $p2 = project($a->{key}, 'development');
my $pb = project($b->{key}, 'Bravo Prod');
ok($p1 =~ $UUID && $p2 =~ $UUID && $pb =~ $UUID, 'projects');
my $SECRET = 'hdr-S3CRET-value-25';
$r = cx($a->{key}, POST => '/servers/header', json => { name => 'GitHub API', endpoint => 'https://api.example.com/mcp',
    description => 'header auth', auth_level => 'user', transport => 'streamable_http', logo_url => 'https://l.example/x.png',
    headers => [{ header_name => 'Authorization', header_value_prefix => 'Bearer', header_value => $SECRET }] });
is($r->{status}, 200, 'a header server');
my $s1 = $r->{json}{id};
$hub->psql($db, "UPDATE servers SET tool_count = 2 WHERE id = '$s1'");
my $bs = cx($b->{key}, POST => '/servers/noauth', json => { %nb, name => 'Bravo Srv',
                                                            endpoint => 'https://b.example.com/mcp' })->{json}{id};

$r = cx($a->{key}, GET => "/servers/$s1/connections");
is($r->{status}, 200, 'connections: get');
is_deeply($r->{json}, { connections => [
    { project_id => $p2, project_name => 'development', server_instance_id => undef, is_paused => JSON::PP::false },
    { project_id => $p1, project_name => 'Production', server_instance_id => undef, is_paused => JSON::PP::false }] },
    'every project of the tenant, none connected');
$r = cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => [$p1, $p2, $p1] });
is($r->{status}, 200, 'connections: set two');
is_deeply($r->{json}, { id => $s1 }, 'ServerModifiedResponse');
$r = cx($a->{key}, GET => "/servers/$s1/connections");
my %inst = map { $_->{project_id} => $_->{server_instance_id} } @{ $r->{json}{connections} };
ok($inst{$p1} =~ $UUID && $inst{$p2} =~ $UUID, 'both connected, with instance ids');
is(cx($a->{key}, GET => "/servers/$s1")->{json}{active_instances}, 2, 'the server counts them');
my $count = sub { $hub->psql($db, "SELECT count(*) FROM server_instances") };
is($count->(), 2, 'two rows');
is_detail(cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => [$p1, $pb] }), 400,
          "Project $pb not found or not accessible", 'another tenant\'s project');
is_detail(cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => [$NOPE] }), 400,
          "Project $NOPE not found or not accessible", 'an unknown project');
is($count->(), 2, 'nothing changed');
is_422(cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => ['nope'] }),
       ['body', 'project_ids[0]'], 'not a UUID');
is_422(cx($a->{key}, POST => "/servers/$s1/connections", json => {}), ['body', 'project_ids'], 'project_ids required');
is_422(cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => 'x' }), ['body', 'project_ids'],
       'project_ids an array');
is_detail(cx($a->{key}, POST => "/servers/$NOPE/connections", json => { project_ids => [] }), 404, 'Server not found',
          'connections of an unknown server');
is_detail(cx($a->{key}, GET => '/servers/nope/connections'), 404, 'Server not found', 'connections: no UUID');
is(cx($ro, POST => "/servers/$s1/connections", json => { project_ids => [] })->{status}, 403, 'read-only: 403');
is($count->(), 2, 'still two');
$r = cx($a->{key}, POST => "/servers/$s1/connections", json => { project_ids => [$p1] });
is($r->{status}, 200, 'connections: down to one');
$r = cx($a->{key}, GET => "/servers/$s1/connections");
is_deeply({ map { $_->{project_id} => $_->{server_instance_id} } @{ $r->{json}{connections} } },
          { $p1 => $inst{$p1}, $p2 => undef }, 'the kept instance keeps its id, the other is gone');
cx($a->{key}, POST => "/servers/$evs/connections", json => { project_ids => [$p2] });
my $i1 = $inst{$p1};
my ($i2) = $hub->psql($db, "SELECT id FROM server_instances WHERE server_id = '$evs'");
cx($b->{key}, POST => "/servers/$bs/connections", json => { project_ids => [$pb] });
my ($ib) = $hub->psql($db, "SELECT id FROM server_instances WHERE server_id = '$bs'");

# ==== server instances ======================================================
my $INST_KEYS = [sort qw(id server_id project_id paused created_at updated_at server_name project_name auth_method
                         auth_credentials_level server_type transport logo_url description num_tools)];
$r = cx($a->{key}, GET => '/server-instances');
is($r->{status}, 200, 'instances: list');
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$i2, $i1], 'the tenant\'s, newest first');
meta_ok($r, 20, 2, 0, 0, 'instances list');
my ($x) = grep { $_->{id} eq $i1 } @{ $r->{json}{items} };
is_deeply([sort keys %$x], $INST_KEYS, 'GetServerInstanceResponse fields');
is_deeply({ %$x, created_at => 'ts', updated_at => 'ts' },
          { id => $i1, server_id => $s1, project_id => $p1, paused => JSON::PP::false, created_at => 'ts',
            updated_at => 'ts', server_name => 'GitHub API', project_name => 'Production', auth_method => 'header',
            auth_credentials_level => 'user', server_type => 'external', transport => 'streamable_http',
            logo_url => 'https://l.example/x.png', description => 'header auth', num_tools => 2 }, 'values');
like($x->{created_at}, $TS, 'created_at');
unlike($r->{content}, qr/S3CRET/, 'no secret in the answer');
$r = cx($a->{key}, GET => '/server-instances?size=1');
meta_ok($r, 1, 2, 1, 0, 'instances page 1');
$r = cx($a->{key}, GET => "/server-instances?size=1&cursor=$r->{json}{meta}{next_cursor}");
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$i1], 'instances page 2');
meta_ok($r, 1, 2, 0, 1, 'instances page 2');
is_deeply([map { $_->{id} } @{ cx($a->{key}, GET => "/server-instances?project_id=$p1")->{json}{items} }], [$i1],
          'project_id filter');
is(cx($a->{key}, GET => "/server-instances?project_id=$pb")->{json}{meta}{total}, 0, 'another tenant\'s project: none');
is_422(cx($a->{key}, GET => '/server-instances?project_id=x'), ['query', 'project_id'], 'project_id not a UUID');
is_422(cx($a->{key}, GET => '/server-instances?size=500'), ['query', 'size'], 'size 500');
is_422(cx($a->{key}, GET => '/server-instances/search'), ['query', 'search'], 'search is required');
for my $case (['github', [$i1]], ['DEVELOP', [$i2]], ['everything', [$i2]], ['zzz', []], ['', [$i2, $i1]]) {
    $r = cx($a->{key}, GET => "/server-instances/search?search=$case->[0]");
    is($r->{status}, 200, "instances search '$case->[0]'");
    is_deeply([map { $_->{id} } @{ $r->{json}{items} }], $case->[1], "instances search '$case->[0]': matches");
}
is_deeply([map { $_->{id} } @{ cx($a->{key}, GET => "/server-instances/search?search=git&project_id=$p1")->{json}{items} }],
          [$i1], 'search with project_id');

$r = cx($a->{key}, GET => "/server-instances/$i1");
is($r->{status}, 200, 'instance: get');
is_deeply($r->{json}, $x, 'the same as listed');
is_detail(cx($a->{key}, GET => "/server-instances/$NOPE"), 404, 'Server instance not found', 'unknown instance');
is_422(cx($a->{key}, GET => '/server-instances/nope'), ['path', 'server_instance_id'], 'instance: not a UUID');

$r = cx($a->{key}, POST => "/server-instances/$i1", json => { status => 'pause' });
is($r->{status}, 200, 'pause');
is_deeply($r->{json}, { server_instance_id => $i1, server_id => $s1, server_name => 'GitHub API', status => 'paused',
                        message => "Successfully paused server instance 'GitHub API'" }, 'ServerInstanceResponse');
ok(cx($a->{key}, GET => "/server-instances/$i1")->{json}{paused}, 'paused');
is(cx($a->{key}, GET => "/servers/$s1")->{json}{active_instances}, 0, 'not active');
ok((grep { ($_->{server_instance_id} // '') eq $i1 && $_->{is_paused} }
    @{ cx($a->{key}, GET => "/servers/$s1/connections")->{json}{connections} }), 'connections: is_paused');
is(cx($a->{key}, POST => "/server-instances/$i1", json => { status => 'pause' })->{json}{status}, 'paused', 'again');
$r = cx($a->{key}, POST => "/server-instances/$i1", json => { status => 'unpause' });
is_deeply([@{ $r->{json} }{qw(status message)}], ['running', "Successfully unpaused server instance 'GitHub API'"],
          'unpause');
ok(!cx($a->{key}, GET => "/server-instances/$i1")->{json}{paused}, 'running again');
is_detail(cx($a->{key}, POST => "/server-instances/$i1", json => { status => 'stop' }), 400,
          "Invalid status. Must be 'pause' or 'unpause'", 'bad status');
is_422(cx($a->{key}, POST => "/server-instances/$i1", json => {}), ['body', 'status'], 'status required');
is_422(cx($a->{key}, POST => "/server-instances/$i1", json => { status => 1 }), ['body', 'status'], 'status a string');
is_detail(cx($a->{key}, POST => "/server-instances/$NOPE", json => { status => 'pause' }), 404,
          'Server instance not found', 'pause an unknown instance');
is(cx($ro, POST => "/server-instances/$i1", json => { status => 'pause' })->{status}, 403, 'read-only cannot pause');
is(cx($ro, GET => "/server-instances/$i1")->{status}, 200, 'but can read');

is_detail(cx($a->{key}, GET => "/server-instances/$i1/tools"), 404, 'Tool listing is not yet available for this '
          . 'server. At least one user must authenticate to retrieve tool listings.', 'no tools yet');
$hub->psql($db, "INSERT INTO tools (tenant_id, server_id, name, description, input_schema, definition)"
              . " SELECT tenant_id, id, 'list_repos', 'List repositories',"
              . " '{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}', '{}'"
              . " FROM servers WHERE id = '$s1'");
$hub->psql($db, "INSERT INTO tools (tenant_id, server_id, name, definition)"
              . " SELECT tenant_id, id, 'get_issue', '{}' FROM servers WHERE id = '$s1'");
$r = cx($a->{key}, GET => "/server-instances/$i1/tools");
is($r->{status}, 200, 'instance tools');
is_deeply($r->{json}, { tools => [
    { name => 'get_issue', description => undef, input_schema => undef },
    { name => 'list_repos', description => 'List repositories',
      input_schema => { type => 'object', properties => { q => { type => 'string' } } } }] },
    'GetServerInstanceToolsResponse, by name');
is_detail(cx($a->{key}, GET => "/server-instances/$NOPE/tools"), 404, 'Server instance not found',
          'tools of an unknown instance');
is_422(cx($a->{key}, GET => '/server-instances/x/tools'), ['path', 'server_instance_id'], 'tools: not a UUID');

# ==== clone ===================================================================
$r = cx($a->{key}, POST => "/servers/$s1/clone", json => { name => 'GitHub API Copy' });
is($r->{status}, 200, 'clone');
my $c1 = $r->{json}{id};
like($c1, $UUID, 'ServerModifiedResponse');
isnt($c1, $s1, 'a new server');
my ($o, $c) = map { cx($a->{key}, GET => "/servers/$_")->{json} } $s1, $c1;
is($c->{name}, 'GitHub API Copy', 'the new name');
is_deeply([@$c{qw(endpoint description transport auth_method server_type auth_level logo_url auth_config)}],
          [@$o{qw(endpoint description transport auth_method server_type auth_level logo_url auth_config)}],
          'the configuration copied');
is($c->{active_instances}, 0, 'no instances copied');
is($hub->psql($db, "SELECT count(*) FROM servers a JOIN servers b ON a.secrets = b.secrets"
                   . " WHERE a.id = '$s1' AND b.id = '$c1' AND a.secrets ? 'header:Authorization'"), 1,
   'the sealed secret re-used as it is');
is($hub->psql($db, "SELECT count(*) FROM servers WHERE secrets::text LIKE '%S3CRET%'"), 0, 'never in clear');
is($hub->psql($db, "SELECT count(*) FROM tools WHERE server_id = '$c1'"), 0, 'tools left to the prober');
$r = cx($a->{key}, POST => "/servers/$s1/clone", json => { name => 'Other Endpoint', endpoint => 'https://o.example.com/mcp' });
is($r->{status}, 200, 'clone with an endpoint');
is(cx($a->{key}, GET => "/servers/$r->{json}{id}")->{json}{endpoint}, 'https://o.example.com/mcp', 'the new endpoint');
$r = cx($a->{key}, POST => "/servers/$evs/clone", json => { name => 'Everything Copy' });
is(cx($a->{key}, GET => "/servers/$r->{json}{id}")->{json}{registry_id}, $E{ev}, 'registry_id copied');
$r = cx($a->{key}, POST => "/servers/$s1/clone", json => { name => 'github api copy' });
is($r->{status}, 409, 'a taken name: 409');
is_deeply($r->{json}, { error => { message => "A server with the name 'github api copy' already exists in this tenant" } },
          'the documented 409 envelope');
is_detail(cx($a->{key}, POST => "/servers/$NOPE/clone", json => { name => 'x' }), 404, 'Server not found',
          'clone an unknown server');
is_detail(cx($a->{key}, POST => '/servers/nope/clone', json => { name => 'x' }), 404, 'Server not found', 'no UUID');
is_422(cx($a->{key}, POST => "/servers/$s1/clone", json => {}), ['body', 'name'], 'name required');
is_422(cx($a->{key}, POST => "/servers/$s1/clone", json => { name => '%%' }), ['body', 'name'], 'name without a letter');
is_422(cx($a->{key}, POST => "/servers/$s1/clone", json => { name => 'y', endpoint => 'ftp://x' }),
       ['body', 'endpoint'], 'bad endpoint');
is(cx($ro, POST => "/servers/$s1/clone", json => { name => 'ro' })->{status}, 403, 'read-only cannot clone');

# ==== tenants isolated: 404 and nothing changed ==============================
my $snap = sub { $hub->psql($db, "SELECT string_agg(id || status || updated_at, ',' ORDER BY id) FROM server_instances")
                 . $hub->psql($db, "SELECT count(*) FROM servers") };
my $before = $snap->();
$r = cx($b->{key}, GET => '/server-instances');
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$ib], 'bravo lists its own instance only');
is(cx($b->{key}, GET => '/server-instances/search?search=github')->{json}{meta}{total}, 0, 'bravo: search');
is(cx($b->{key}, GET => "/server-instances?project_id=$p1")->{json}{meta}{total}, 0, 'bravo: acme\'s project');
is_detail(cx($b->{key}, GET => "/server-instances/$i1"), 404, 'Server instance not found', 'bravo: get acme\'s');
is_detail(cx($b->{key}, POST => "/server-instances/$i1", json => { status => 'pause' }), 404,
          'Server instance not found', 'bravo: pause acme\'s');
is_detail(cx($b->{key}, GET => "/server-instances/$i1/tools"), 404, 'Server instance not found', 'bravo: tools');
is_detail(cx($b->{key}, GET => "/servers/$s1/connections"), 404, 'Server not found', 'bravo: acme\'s connections');
is_detail(cx($b->{key}, POST => "/servers/$s1/connections", json => { project_ids => [] }), 404, 'Server not found',
          'bravo: disconnect acme\'s server');
is_detail(cx($b->{key}, POST => "/servers/$s1/connections", json => { project_ids => [$pb] }), 404,
          'Server not found', 'bravo: connect acme\'s server to its project');
is_detail(cx($b->{key}, POST => "/servers/$bs/connections", json => { project_ids => [$p1] }), 400,
          "Project $p1 not found or not accessible", 'bravo: its server to acme\'s project');
is_detail(cx($b->{key}, POST => "/servers/$s1/clone", json => { name => 'Stolen' }), 404, 'Server not found',
          'bravo: clone acme\'s server');
is($snap->(), $before, 'nothing changed');
is_deeply([map { $_->{project_id} } @{ cx($b->{key}, GET => "/servers/$bs/connections")->{json}{connections} }], [$pb],
          'bravo\'s connections show its projects only');

my $log = $hub->slurp($hub->error_log_path);
unlike($log, qr/S3CRET/, 'no secret value in the error log');
like($log, qr/HUB00521: HubRegistryFile .*registry\.json: 3 catalog entries/, 'the catalog loaded, logged');
$hub->log_is_clean;

# ==== a malformed catalog stops the start ====================================
$hub->stop_httpd;
my %base = (id => $NOPE, name => 'n', endpoint => 'https://n.example.com/mcp');
for my $case (['not json', '[{"id": ', qr/not JSON/],
              ['not an array', { servers => [] }, qr/a JSON array of catalog entries/],
              ['no id', [{ %base, id => undef }], qr/entry 0: "id" must be a UUID/],
              ['no name', [{ %base, name => '' }], qr/entry 0 \(id $NOPE\): "name" is required/],
              ['bad endpoint', [{ %base, endpoint => 'ftp://x' }], qr/"endpoint": the URL scheme/],
              ['bad transport', [{ %base, transport => 'stdio' }], qr/"transport" must be/],
              ['bad auth method', [{ %base, auth_methods => ['basic'] }], qr/"auth_methods"\[0\] must be one of/],
              ['bad tools', [{ %base, tools => [{ description => 'x' }] }], qr/"tools"\[0\] must be an object/],
              ['unknown member', [{ %base, endpont => 'x' }], qr/unknown member "endpont"/],
              ['duplicate id', [{ %base }, { %base, name => 'm' }], qr/entry 1: the id $NOPE is already used/],
              ['missing file', undef, qr/cannot read it/]) {
    my $bad = "$dir/bad.json";
    unlink $bad;
    write_json($bad, $case->[1]) if defined $case->[1];
    open my $cf, '<', $hub->{conf_file} or die;
    my $conf = do { local $/; <$cf> };
    close $cf;
    $conf =~ s/^HubRegistryFile .*$/HubRegistryFile $bad/m or die 'no HubRegistryFile line';
    open my $wf, '>', "$hub->{conf_file}.bad" or die;
    print $wf $conf;
    close $wf;
    my $out = `timeout 20 /usr/sbin/apache2 -f $hub->{conf_file}.bad -DFOREGROUND 2>&1`;
    isnt($?, 0, "$case->[0]: httpd refuses to start");
    like($out . $hub->slurp($hub->error_log_path), qr/HUB00520: HubRegistryFile \S*bad\.json: .*$case->[2]/,
         "  ... and says why");
}
done_testing;
