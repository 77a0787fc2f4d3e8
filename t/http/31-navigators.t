# Caylex's navigators, navigator instances and tool permissions (the
# management side of the MCP gateway): every endpoint's shape and
# documented errors, api_name, search, sort and pages, connections as a
# set, instance metadata counted from the project's servers and tools,
# permission modes (legacy `enabled` too), rate limits, navigator-instance
# API keys (hashed, bound, no credential on the management API), all-or-nothing
# writes, delete cascading, read-only keys refused, tenants isolated
# (404 and nothing changed).
use strict;
use warnings;
use Test::More;
use Digest::SHA;
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
my $NOPE = '00000000-0000-4000-8000-000000000000';
my ($T, $F) = (JSON::PP::true, JSON::PP::false);
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }
sub q1 { $hub->psql($db, $_[0]) }
*is_422 = \&HubTest::is_422;
*is_detail = \&HubTest::is_detail;

# ---- a project with a server that has two tools ------------------------
sub project { my ($k, $n) = @_; cx($k, POST => '/projects', json => { name => $n })->{json}{id} }
my $p1 = project($a->{key}, 'Production');
my $p2 = project($a->{key}, 'development');
my $pb = project($b->{key}, 'Bravo Prod');
ok($p1 =~ $UUID && $p2 =~ $UUID && $pb =~ $UUID, 'projects');
# a heartbeat server reports its tools itself: no upstream needed
sub hb_server {
    my ($k, $name, @tools) = @_;
    my $r = $hub->post('/api/v1/servers/', auth($k), json => { name => $name });
    $hub->post('/api/v1/heartbeat/', auth($r->{json}{server_key}),
               json => { tool_count => scalar @tools, tool_names => \@tools });
    return $r->{json}{id};
}
my $wx = hb_server($a->{key}, 'Weather', 'forecast', 'alerts');
my $other = hb_server($a->{key}, 'Elsewhere', 'not_here');
my $bsrv = hb_server($b->{key}, 'Bravo Weather', 'forecast');
my %tool = map { split /\|/ } split /\n/, q1("SELECT name || '|' || id FROM tools WHERE server_id = '$wx'");
my $stray = q1("SELECT id FROM tools WHERE server_id = '$other'");
my $btool = q1("SELECT id FROM tools WHERE server_id = '$bsrv'");
ok($tool{forecast} && $tool{alerts} && $stray && $btool, 'tools from heartbeats');
is(cx($a->{key}, POST => "/servers/$wx/connections", json => { project_ids => [$p1] })->{status}, 200,
   'the weather server in Production');

# ==== navigators ===========================================================
my $r = cx($a->{key}, POST => '/navigators', json => { name => 'Support Bot', description => 'Answers tickets' });
is($r->{status}, 200, 'create');
is_deeply([sort keys %{ $r->{json} }], [qw(api_name id name)], 'CreateNavigatorResponse');
like($r->{json}{id}, $UUID, 'id');
is($r->{json}{api_name}, 'support-bot', 'api_name: the slug of the name');
my $n1 = $r->{json}{id};
my $n2 = cx($a->{key}, POST => '/navigators', json => { name => 'alpha', description => undef })->{json}{id};
my $n3 = cx($a->{key}, POST => '/navigators', json => { name => 'Zulu desk' })->{json}{id};
ok($n2 =~ $UUID && $n3 =~ $UUID, 'two more');
is(cx($a->{key}, POST => '/navigators', json => { name => 'support  BOT' })->{status}, 409,
   'a name whose api_name is taken: 409');
is(cx($b->{key}, POST => '/navigators', json => { name => 'Support Bot' })->{status}, 200,
   'the same name in another tenant');
is_422(cx($a->{key}, POST => '/navigators', json => {}), ['body', 'name'], 'no name');
is_422(cx($a->{key}, POST => '/navigators', json => { name => '' }), ['body', 'name'], 'an empty name');
is_422(cx($a->{key}, POST => '/navigators', json => { name => '!!!' }), ['body', 'name'], 'a name without a letter');
is(cx($ro, POST => '/navigators', json => { name => 'nope' })->{status}, 403, 'a read-only key cannot create');
is(q1("SELECT count(*) FROM navigators"), 4, 'nothing else stored');

$r = cx($a->{key}, GET => "/navigators/$n1");
is($r->{status}, 200, 'get');
is_deeply([sort keys %{ $r->{json} }], [sort qw(id name description api_name created_at updated_at metadata
                                                  tool_exposure tool_naming)],
          'GetNavigatorResponse (and tool_exposure, tool_naming: hub extensions)');
is($r->{json}{tool_exposure}, 'all', '  every tool shown by default');
is($r->{json}{tool_naming}, 'prefixed', '  as server__tool by default');
is_422(cx($a->{key}, PATCH => "/navigators/$n1", json => { tool_exposure => 'some' }), ['body', 'tool_exposure'],
       'tool_exposure: all or compact');
is_422(cx($a->{key}, PATCH => "/navigators/$n1", json => { tool_naming => 'short' }), ['body', 'tool_naming'],
       'tool_naming: prefixed or bare');
like($r->{json}{created_at}, $TS, 'created_at, ISO 8601');
is_deeply($r->{json}{metadata}, { enabled_servers_count => 0, connected_projects_count => 0 }, 'metadata: nothing yet');
is_detail(cx($a->{key}, GET => "/navigators/$NOPE"), 404, 'Navigator not found', 'an unknown navigator');
is_422(cx($a->{key}, GET => '/navigators/nope'), ['path', 'navigator_id'], 'not a UUID');
is(cx($b->{key}, GET => "/navigators/$n1")->{status}, 404, "another tenant's navigator: 404");

$r = cx($a->{key}, GET => '/navigators');
is($r->{status}, 200, 'list');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['Zulu desk', 'alpha', 'Support Bot'], 'newest first');
is($r->{json}{meta}{total}, 3, 'meta.total: this tenant only');
ok(!defined $r->{json}{items}[0]{metadata}, 'metadata null unless asked');
$r = cx($a->{key}, GET => '/navigators?include_analytics=true&sort_by=name_asc');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['alpha', 'Support Bot', 'Zulu desk'], 'sort_by=name_asc, any case');
is_deeply($r->{json}{items}[0]{metadata}, { enabled_servers_count => 0, connected_projects_count => 0 },
          'include_analytics: metadata');
$r = cx($a->{key}, GET => '/navigators?sort_by=name_desc&size=2');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['Zulu desk', 'Support Bot'], 'name_desc, a page of 2');
ok($r->{json}{meta}{has_next}, 'has_next');
$r = cx($a->{key}, GET => "/navigators?sort_by=name_desc&size=2&cursor=$r->{json}{meta}{next_cursor}");
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['alpha'], 'the next page');
is_422(cx($a->{key}, GET => '/navigators?sort_by=best'), ['query', 'sort_by'], 'an unknown sort');
is_422(cx($a->{key}, GET => '/navigators?size=0'), ['query', 'size'], 'size 0');
$r = cx($a->{key}, GET => '/navigators/search?search=TICKET');
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$n1], 'search: in the description, any case');
is(cx($a->{key}, GET => '/navigators/search?search=bot')->{json}{meta}{total}, 1, 'search: in the name');
is_422(cx($a->{key}, GET => '/navigators/search'), ['query', 'search'], 'search without search');

$r = cx($a->{key}, PATCH => "/navigators/$n1", json => { name => 'Helpdesk' });
is($r->{status}, 200, 'update');
is_deeply([@{ $r->{json} }{qw(name api_name description)}], ['Helpdesk', 'support-bot', 'Answers tickets'],
          'renamed; api_name and description stay');
$r = cx($a->{key}, PATCH => "/navigators/$n1", json => { description => undef });
ok(!defined $r->{json}{description} && $r->{json}{name} eq 'Helpdesk', 'description null clears it, the name stays');
is_422(cx($a->{key}, PATCH => "/navigators/$n1", json => { name => 5 }), ['body', 'name'], 'update: a number');
is(cx($b->{key}, PATCH => "/navigators/$n1", json => { name => 'x' })->{status}, 404, "update another tenant's: 404");
is(q1("SELECT name FROM navigators WHERE id = '$n1'"), 'Helpdesk', 'and it is unchanged');
is(cx($ro, PATCH => "/navigators/$n1", json => { name => 'x' })->{status}, 403, 'a read-only key cannot update');

# ==== connections ===========================================================
$r = cx($a->{key}, GET => "/navigators/$n1/connections");
is($r->{status}, 200, 'connections: get');
is_deeply($r->{json}, { connections => [
    { project_id => $p2, project_name => 'development', navigator_instance_id => undef },
    { project_id => $p1, project_name => 'Production', navigator_instance_id => undef }] },
    'every project of the tenant, by name, none connected');
$r = cx($a->{key}, POST => "/navigators/$n1/connections", json => { project_ids => [$p1, $p2, $p1] });
is($r->{status}, 200, 'connections: set two');
is_deeply($r->{json}, { id => $n1 }, 'NavigatorModifiedResponse');
my %inst = map { $_->{project_id} => $_->{navigator_instance_id} }
    @{ cx($a->{key}, GET => "/navigators/$n1/connections")->{json}{connections} };
ok($inst{$p1} =~ $UUID && $inst{$p2} =~ $UUID, 'both connected, with instance ids');
my $i1 = $inst{$p1};
is(cx($a->{key}, POST => "/navigators/$n1/connections", json => { project_ids => [$p1] })->{status}, 200,
   'connections: set one');
is(q1("SELECT count(*) FROM navigator_instances"), 1, 'the set is exactly project_ids: one removed');
is_detail(cx($a->{key}, POST => "/navigators/$n1/connections", json => { project_ids => [$pb] }), 400,
          "Project $pb not found or not accessible", "another tenant's project");
is(q1("SELECT count(*) FROM navigator_instances"), 1, 'and nothing changed');
is_422(cx($a->{key}, POST => "/navigators/$n1/connections", json => { project_ids => ['x'] }),
       ['body', 'project_ids[0]'], 'not a UUID');
is_422(cx($a->{key}, POST => "/navigators/$n1/connections", json => {}), ['body', 'project_ids'], 'no project_ids');
is(cx($b->{key}, POST => "/navigators/$n1/connections", json => { project_ids => [$pb] })->{status}, 404,
   "connect another tenant's navigator: 404");
is(cx($b->{key}, GET => "/navigators/$n1/connections")->{status}, 404, "its connections: 404");
is(cx($a->{key}, POST => "/navigators/$n2/connections", json => { project_ids => [$p2] })->{status}, 200,
   'alpha in development');
is_deeply(cx($a->{key}, GET => "/navigators/$n1")->{json}{metadata},
          { enabled_servers_count => 1, connected_projects_count => 1 }, 'the navigator counts them');
is_deeply([@{ cx($a->{key}, GET => "/projects/$p1")->{json} }{qw(active_server_instances active_navigators)}], [1, 1],
          'the project counts its server instance and navigator');
is(cx($a->{key}, GET => '/projects?include_analytics=true')->{json}{meta}{total}, 2, 'projects list');
is_deeply({ map { $_->{id} => $_->{active_navigators} } @{ cx($a->{key}, GET => '/projects?include_analytics=true')->{json}{items} } },
          { $p1 => 1, $p2 => 1 }, 'and each, in a listing with include_analytics');

# ==== instances ===============================================================
$r = cx($a->{key}, GET => '/navigator-instances');
is($r->{status}, 200, 'instances: list');
is($r->{json}{meta}{total}, 2, 'two in the tenant');
$r = cx($a->{key}, GET => "/navigator-instances?project_id=$p1&include_analytics=1");
is(scalar @{ $r->{json}{items} }, 1, 'project_id filters');
my $it = $r->{json}{items}[0];
is_deeply([sort keys %$it], [sort qw(id navigator_id project_id created_at updated_at navigator_name api_name
                                     project_name dynamic_suggestions_enabled context_maps_enabled metadata
                                     config_metadata)], 'GetNavigatorInstanceResponse');
is_deeply([@$it{qw(id navigator_id project_id navigator_name api_name project_name)}],
          [$i1, $n1, $p1, 'Helpdesk', 'support-bot', 'Production'], 'values');
ok(!$it->{dynamic_suggestions_enabled} && !$it->{context_maps_enabled}, 'suggestions and context maps off');
is_deeply($it->{metadata}, { servers_enabled => 1, tools_enabled => 2 }, 'metadata: the project\'s server and tools');
is_422(cx($a->{key}, GET => '/navigator-instances?project_id=x'), ['query', 'project_id'], 'project_id not a UUID');
is(cx($b->{key}, GET => '/navigator-instances')->{json}{meta}{total}, 0, 'another tenant sees none');

$r = cx($a->{key}, GET => "/navigator-instances/$i1");
is($r->{status}, 200, 'instance: get');
ok(!defined $r->{json}{config_metadata}, 'config_metadata only when asked');
$r = cx($a->{key}, GET => "/navigator-instances/$i1?include_config_metadata=true");
is_deeply($r->{json}{config_metadata}, { can_enable_context_maps => $F, extraction_enabled_servers_count => 0,
                                         extraction_enabled_server_ids => [] }, 'config_metadata');
is_detail(cx($a->{key}, GET => "/navigator-instances/$NOPE"), 404, 'Navigator instance not found', 'unknown');
is(cx($b->{key}, GET => "/navigator-instances/$i1")->{status}, 404, "another tenant's instance: 404");

# ==== tool permissions =========================================================
sub perms { my $k = shift // $a->{key};
    my $r = cx($k, GET => "/navigator-instances/$i1/tool-permissions");
    return $r->{status} == 200 ? { map { $_->{tool_name} => $_ } @{ $r->{json}{permissions} } } : $r->{status} }
my $p = perms();
is_deeply([sort keys %$p], ['alerts', 'forecast'], "the tools of the project's servers, not others'");
is_deeply([sort keys %{ $p->{forecast} }], [sort qw(tool_id tool_name server_id server_name logo_url mode
                                                    impact_level enabled rate_limit_per_minute)], 'ToolPermissionItem');
is_deeply([@{ $p->{forecast} }{qw(tool_id server_id server_name mode enabled)}],
          [$tool{forecast}, $wx, 'Weather', 'always_execute', $T], 'always_execute until said otherwise');
is(perms($b->{key}), 404, "another tenant's instance: 404");

$r = cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
        json => { permissions => [{ tool_id => $tool{forecast}, mode => 'disabled' },
                                  { tool_id => $tool{alerts}, mode => 'require_approval', rate_limit_per_minute => 30 }] });
is($r->{status}, 200, 'permissions: put');
is_deeply($r->{json}, { id => $i1 }, 'NavigatorInstanceModifiedResponse');
$p = perms();
is_deeply([@{ $p->{forecast} }{qw(mode enabled)}], ['disabled', $F], 'disabled, enabled false');
is_deeply([@{ $p->{alerts} }{qw(mode enabled rate_limit_per_minute)}], ['require_approval', $T, 30],
          'require_approval with a rate limit');
is(cx($a->{key}, GET => "/navigator-instances/$i1?include_analytics=true")->{json}{metadata}{tools_enabled}, 1,
   'a disabled tool is not counted as enabled');
cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
   json => { permissions => [{ tool_id => $tool{forecast}, enabled => JSON::PP::true },
                             { tool_id => $tool{alerts}, mode => 'always_execute' }] });
$p = perms();
is($p->{forecast}{mode}, 'always_execute', 'legacy enabled: true -> always_execute');
is($p->{alerts}{rate_limit_per_minute}, 30, 'a rate limit stays when not given');
cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
   json => { permissions => [{ tool_id => $tool{alerts}, enabled => JSON::PP::false, rate_limit_per_minute => undef },
                             { tool_id => $tool{forecast}, mode => 'require_approval' },
                             { tool_id => $tool{forecast}, mode => 'disabled', enabled => JSON::PP::true }] });
$p = perms();
is_deeply([@{ $p->{alerts} }{qw(mode rate_limit_per_minute)}], ['disabled', undef], 'enabled false; null clears the limit');
is($p->{forecast}{mode}, 'disabled', 'the same tool twice: the last item; mode wins over enabled');

my $before = q1("SELECT string_agg(mode || coalesce(rate_limit_per_minute::text, ''), ',' ORDER BY mode)
                 FROM navigator_tool_permissions");
is_detail(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
             json => { permissions => [{ tool_id => $tool{forecast}, mode => 'always_execute' },
                                       { tool_id => $stray, mode => 'disabled' }] }), 400,
          "Tool $stray is not a tool of this navigator instance's servers", "a tool of a server not in the project");
is_detail(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
             json => { permissions => [{ tool_id => $btool, mode => 'disabled' }] }), 400,
          "Tool $btool is not a tool of this navigator instance's servers", "another tenant's tool");
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
          json => { permissions => [{ tool_id => $tool{forecast} }] }), ['body', 'permissions[0]'], 'neither mode nor enabled');
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
          json => { permissions => [{ tool_id => $tool{forecast}, mode => 'sometimes' }] }),
       ['body', 'permissions[0].mode'], 'an unknown mode');
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
          json => { permissions => [{ tool_id => 'x', mode => 'disabled' }] }),
       ['body', 'permissions[0].tool_id'], 'tool_id not a UUID');
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
          json => { permissions => [{ tool_id => $tool{alerts}, mode => 'disabled', rate_limit_per_minute => 0 }] }),
       ['body', 'permissions[0].rate_limit_per_minute'], 'a rate limit of 0');
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
          json => { permissions => ['disabled'] }), ['body', 'permissions[0]'], 'an item that is no object');
is_422(cx($a->{key}, PUT => "/navigator-instances/$i1/tool-permissions", json => {}), ['body', 'permissions'],
       'no permissions');
is(cx($b->{key}, PUT => "/navigator-instances/$i1/tool-permissions",
      json => { permissions => [{ tool_id => $btool, mode => 'disabled' }] })->{status}, 404,
   "another tenant's instance: 404");
is(cx($ro, PUT => "/navigator-instances/$i1/tool-permissions",
      json => { permissions => [{ tool_id => $tool{alerts}, mode => 'always_execute' }] })->{status}, 403,
   'a read-only key cannot change permissions');
is(q1("SELECT string_agg(mode || coalesce(rate_limit_per_minute::text, ''), ',' ORDER BY mode)
       FROM navigator_tool_permissions"), $before, 'none of the refused writes changed anything');
is(cx($ro, GET => "/navigator-instances/$i1/tool-permissions")->{status}, 200, 'a read-only key reads them');

# ==== navigator-instance API keys ===============================================
my $K = "/navigator-instances/$i1/api-keys";
$r = cx($a->{key}, POST => $K, json => { name => 'ci agent', description => 'runs the nightly checks' });
is($r->{status}, 200, 'keys: create');
is_deeply([sort keys %{ $r->{json} }], [qw(id key preview)], 'CreateApiKeyResponse');
my ($k1, $raw) = @{ $r->{json} }{qw(id key)};
like($raw, qr/^hub_[\w-]{40,}$/, 'the key, shown once');
is($r->{json}{preview}, substr($raw, 0, 8) . '......', 'preview: its prefix');
is(q1("SELECT kind || ' ' || (user_id IS NULL) || ' ' || scopes::text || ' ' || navigator_instance_id
       FROM api_keys WHERE key_hash = '" . Digest::SHA::sha256_hex($raw) . "'"), "navigator true {} $i1",
   'stored as its SHA-256, bound to the instance, with no user and no scope');
is($hub->get("$CX/navigators", auth($raw))->{status}, 401, 'a navigator key is no credential on the management API');
is($hub->get('/api/v1/teams/', auth($raw))->{status}, 401, "nor on Patchwork's");
my $k2 = cx($a->{key}, POST => $K, json => { name => 'second', expires_at => '2099-01-01T00:00:00Z' })->{json}{id};
$r = cx($a->{key}, GET => $K);
is($r->{status}, 200, 'keys: list');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['second', 'ci agent'], 'newest first');
is($r->{json}{meta}{total}, 2, 'meta.total');
my ($it1) = grep { $_->{id} eq $k1 } @{ $r->{json}{items} };
is_deeply([sort keys %$it1], [sort qw(id navigator_instance_id navigator_instance_name project_id project_name preview
                                      key_prefix name description expires_at created_at updated_at)], 'GetApiKeyResponse');
is_deeply([@$it1{qw(navigator_instance_id navigator_instance_name project_id project_name key_prefix description)}],
          [$i1, 'Helpdesk', $p1, 'Production', substr($raw, 0, 8), 'runs the nightly checks'], 'values');
ok(!grep({ index($r->{content}, $_) >= 0 } $raw, Digest::SHA::sha256_hex($raw)), 'neither the key nor its hash listed');
is(cx($a->{key}, GET => "$K/$k2")->{json}{expires_at}, '2099-01-01T00:00:00.000Z', 'get one: its expiry');
is_deeply([map { $_->{id} } @{ cx($a->{key}, GET => "$K/search?q=NIGHTLY")->{json}{items} }], [$k1],
          'search: in the description, any case');
is_422(cx($a->{key}, GET => "$K/search"), ['query', 'q'], 'search without q');
is_detail(cx($a->{key}, GET => "$K/$NOPE"), 404, 'API key not found', 'an unknown key');
is_detail(cx($a->{key}, GET => "/navigator-instances/$NOPE/api-keys"), 404, 'Navigator instance not found',
          'keys of an unknown instance');
is(cx($b->{key}, GET => $K)->{status}, 404, "another tenant's instance's keys: 404");
is(cx($b->{key}, GET => "$K/$k1")->{status}, 404, "another tenant's key: 404");
is_422(cx($a->{key}, POST => $K, json => {}), ['body', 'name'], 'create without a name');
is_422(cx($a->{key}, POST => $K, json => { name => 'x', expires_at => 'soon' }), ['body', 'expires_at'], 'a bad time');
is_422(cx($a->{key}, POST => $K, json => { name => 'x', expires_at => '2001-01-01T00:00:00Z' }), ['body', 'expires_at'],
       'an expiry in the past');
is(cx($ro, POST => $K, json => { name => 'x' })->{status}, 403, 'a read-only key cannot make one');
is(cx($b->{key}, POST => $K, json => { name => 'x' })->{status}, 404, "nor another tenant");
is(q1("SELECT count(*) FROM api_keys WHERE kind = 'navigator'"), 2, 'nothing else stored');
is(cx($ro, GET => $K)->{status}, 200, 'a read-only key lists them');

$r = cx($a->{key}, PATCH => "$K/$k2", json => { name => 'renamed', expires_at => undef });
is_deeply([$r->{status}, $r->{json}], [200, { id => $k2 }], 'update: ModifiedApiKeyResponse');
$r = cx($a->{key}, GET => "$K/$k2");
is_deeply([@{ $r->{json} }{qw(name expires_at)}], ['renamed', undef], 'renamed, expiry cleared');
is(cx($b->{key}, PATCH => "$K/$k2", json => { name => 'x' })->{status}, 404, "update another tenant's: 404");
is(cx($ro, PATCH => "$K/$k2", json => { name => 'x' })->{status}, 403, 'a read-only key cannot update');

is(cx($ro, DELETE => "$K/$k1")->{status}, 403, 'a read-only key cannot delete');
is(cx($b->{key}, DELETE => "$K/$k1")->{status}, 404, "delete another tenant's: 404");
$r = cx($a->{key}, DELETE => "$K/$k1");
is_deeply([$r->{status}, $r->{json}], [200, { id => $k1 }], 'delete');
is(q1("SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = '$k1'"), 't', 'revoked: the row stays, marked');
is_deeply([map { $_->{id} } @{ cx($a->{key}, GET => $K)->{json}{items} }], [$k2], 'and no longer listed');
is(cx($a->{key}, DELETE => "$K/$k1")->{status}, 404, 'twice: 404');

# ==== delete ===================================================================
is_detail(cx($b->{key}, DELETE => "/navigators/$n1"), 404, 'Navigator not found', "delete another tenant's");
is(cx($ro, DELETE => "/navigators/$n1")->{status}, 403, 'a read-only key cannot delete');
$r = cx($a->{key}, DELETE => "/navigators/$n1");
is($r->{status}, 200, 'delete');
is_deeply($r->{json}, { id => $n1 }, 'NavigatorModifiedResponse');
is(cx($a->{key}, GET => "/navigators/$n1")->{status}, 404, 'gone');
is(cx($a->{key}, GET => "/navigator-instances/$i1")->{status}, 404, 'its instances with it');
is(q1("SELECT count(*) FROM navigator_tool_permissions"), 0, 'and their permissions');
is(q1("SELECT count(*) FROM api_keys WHERE kind = 'navigator'"), 0, 'and their API keys');
is(q1("SELECT count(*) FROM navigator_instances"), 1, "alpha's instance stays");
is(cx($a->{key}, DELETE => "/navigators/$n1")->{status}, 404, 'twice: 404');

$hub->log_is_clean;
done_testing;
