# The MCP gateway, 2025-11-25 era: a navigator instance's endpoint
# (HubMcpGateway) serves the tools of its project's servers — the
# reference server-everything over Streamable HTTP and over stdio — to the
# official SDK client: listed under server__tool names in a stable order
# over pages, called through to the upstream (results as the upstream
# gave them, isError included), a disabled tool neither listed nor
# callable.  Sessions live in the database: one opened on one httpd host
# continues on another, DELETE ends it, a lost one is 404.  Who may call
# (the instance's navigator keys, the tenant's hub credentials; nobody of
# another tenant), Origin, and malformed messages answered as the SDKs
# answer them.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;
use HubGateway;
use Digest::SHA;

HubMcp::require_peers();
my $everything = "$HubMcp::NODE_MODULES/\@modelcontextprotocol/server-everything/dist/index.js";
my $conf = join "\n",
    'HubOutboundAllow 127.0.0.0/8',
    'HubStdioAllow node',
    'HubProbeInterval 2',
    '<Location /mcp>',
    '    HubMcpGateway On',
    '    HubMcpPageSize 10',
    '    HubMcpAllowOrigin http://agent.example',
    '</Location>';
my $hub = HubTest->new(conf => $conf);
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $r;
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }
sub q1 { $hub->psql($db, $_[0]) }

# ---- two upstreams in a project, a navigator connected to it ------------
my $up = HubMcp::everything();
my $http_id = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
my $stdio_id = HubGateway::register($hub, $a->{key},
                                    { name => 'everything-stdio', command => 'node', args => [$everything] });
my $n_tools = q1("SELECT count(*) FROM tools WHERE server_id = '$http_id'");
ok($n_tools >= 10, "server-everything lists its tools ($n_tools)");
is(q1("SELECT count(*) FROM tools WHERE server_id = '$stdio_id'"), $n_tools, '  the same over stdio');
my $g = HubGateway::navigator($hub, $a->{key}, $http_id, $stdio_id);
my ($inst, $key) = @$g{qw(instance key)};
my $URL = $hub->base . $g->{path};

# a tool disabled for this instance
my $gz = q1("SELECT id FROM tools WHERE server_id = '$http_id' AND name = 'get-tiny-image'");
is(cx($a->{key}, PUT => "/navigator-instances/$inst/tool-permissions",
      json => { permissions => [{ tool_id => $gz, mode => 'disabled' }] })->{status}, 200,
   'get-tiny-image of the HTTP server disabled here');

# ---- the official SDK client ------------------------------------------------
my $c = HubMcp::sdk_client({ url => $URL, headers => { 'x-api-key' => $key },
    steps => [ { op => 'list' },
               { op => 'call', name => 'everything__echo', arguments => { message => 'hello hub' } },
               { op => 'call', name => 'everything-stdio__get-sum', arguments => { a => 2, b => 40 } },
               { op => 'call', name => 'everything__get-tiny-image' },
               { op => 'call', name => 'nowhere__echo', arguments => { message => 'x' } },
               { op => 'ping' } ] });
ok(!$c->{connect_error}, 'the SDK client connects with the navigator key (x-api-key)')
    or diag(explain($c->{connect_error}));
is($c->{protocol_version}, '2025-11-25', '  over 2025-11-25');
like($c->{session} // '', qr/^mcps_[\w-]{40,}$/, '  in a session');
is($c->{server}{name}, 'mod_hub', '  serverInfo names the hub');
my ($list, $echo, $sum, $off, $unknown, $ping) = @{ $c->{steps} };
my @names = map { $_->{name} } @{ $list->{tools} };
is(scalar @names, 2 * $n_tools - 1, 'tools/list: every tool of both servers but the disabled one');
is($list->{pages}, int((2 * $n_tools - 1 + 9) / 10), '  over pages of 10 (HubMcpPageSize)');
# (server and tool joined by NUL sort as the pairs do, byte by byte)
is_deeply(\@names, [map { s/\0/__/r } sort map { s/__/\0/r } @names], '  in a stable order: by server, then tool');
ok((grep { $_ eq 'everything__echo' } @names) && (grep { $_ eq 'everything-stdio__echo' } @names),
   '  named server__tool');
ok(!(grep { $_ eq 'everything__get-tiny-image' } @names), '  the disabled tool is not listed');
ok((grep { $_ eq 'everything-stdio__get-tiny-image' } @names), "  the other server's is");
my ($sum_def) = grep { $_->{name} eq 'everything__get-sum' } @{ $list->{tools} };
is_deeply([sort keys %{ $sum_def->{inputSchema}{properties} }], ['a', 'b'], "  with the upstream's schema");
is($sum_def->{title}, 'Get Sum Tool', '  and title');
is($echo->{content}[0]{text}, 'Echo: hello hub', 'tools/call echo reaches the HTTP upstream');
like($sum->{content}[0]{text}, qr/\b42\b/, 'tools/call get-sum reaches the stdio upstream');
ok(!$echo->{isError} && !$sum->{isError}, '  not errors');
is($off->{error}{code}, -32602, 'a disabled tool cannot be called: -32602');
like($off->{error}{message}, qr/Tool everything__get-tiny-image not found/, '  as an unknown one');
is($unknown->{error}{code}, -32602, 'an unknown tool: -32602');
is_deeply($ping, {}, 'ping');
ok($c->{ended}, 'the client ends its session (DELETE)');
my $sid_hash = Digest::SHA::sha256_hex($c->{session});
is(q1("SELECT (ended_at IS NOT NULL) || ' ' || protocol_version || ' ' || client_name FROM mcp_sessions"
      . " WHERE id_hash = '$sid_hash'"), 'true 2025-11-25 hub-test-sdk-client',
   'the session was stored by its hash, and ended');
is(q1("SELECT count(*) FROM mcp_sessions WHERE id_hash = '$c->{session}'"), 0, '  never by the id itself');

# ---- every request recorded (mcp_calls), within a second or two -----------------
my $keyid = q1("SELECT id FROM api_keys WHERE navigator_instance_id = '$inst'");
ok(HubTest::eventually(10, sub { q1("SELECT count(*) FROM mcp_calls WHERE method = 'tools/call'") >= 4 }),
   'the tool calls are recorded');
my %rec = map { my @f = split /\|/, $_, -1; ($f[0] => [@f[1 .. $#f]]) } split /\n/, q1(
    "SELECT tool_name || '|' || ok || '|' || coalesce(error_type, '') || '|' || (upstream_ms IS NOT NULL)"
  . " || '|' || coalesce(server_id::text, '') || '|' || (key_id = '$keyid') || '|' || (gateway_ms >= upstream_ms"
  . " OR upstream_ms IS NULL) || '|' || (request_bytes > 0 AND response_bytes > 0) || '|' || tenant_id"
  . " || '|' || project_id FROM mcp_calls WHERE method = 'tools/call'");
my $tenant = q1("SELECT id FROM tenants WHERE slug = 'acme'");
is_deeply($rec{'everything__echo'}, ['true', '', 'true', $http_id, 'true', 'true', 'true', $tenant, $g->{project}],
          'echo: ok, timed upstream, its server, the caller, sizes, tenant and project');
is_deeply([@{ $rec{'everything-stdio__get-sum'} }[0 .. 3]], ['true', '', 'true', $stdio_id],
          'get-sum: ok, on the stdio server');
is_deeply([@{ $rec{'everything__get-tiny-image'} }[0 .. 3]], ['false', 'protocol', 'false', ''],
          'the disabled tool: a protocol error, no upstream');
is_deeply([@{ $rec{'nowhere__echo'} }[0 .. 2]], ['false', 'protocol', 'false'], 'the unknown one too');
is(q1("SELECT count(*) FROM mcp_calls WHERE method IN ('initialize', 'tools/list', 'ping')"
      . " AND session_hash = '$sid_hash'"), 1 + $list->{pages} + 1,
   'initialize, every tools/list page and the ping, with their session');
like(q1("SELECT tableoid::regclass FROM mcp_calls LIMIT 1"), qr/^mcp_calls_\d{8}$/, "  in the day's partition");

# an upstream's own failure passes through
$c = HubMcp::sdk_client({ url => $URL, headers => { Authorization => "Bearer $key" },
    steps => [ { op => 'call', name => 'everything__get-sum', arguments => { a => 'two' } } ] });
my $bad = $c->{steps}[0];
ok($bad->{isError}, "bad arguments: the upstream's isError answer (Bearer works too)")
    or diag(explain($c));
# (server-everything's SDK refuses them by the tool's own name: the hub
# sent the upstream's name, not its public one)
like($bad->{content}[0]{text} // '', qr/Invalid arguments for tool get-sum: .*expected number/,
     '  as the upstream said it') or diag(explain($bad));

# ---- who may call ------------------------------------------------------------
sub init_body { { jsonrpc => '2.0', id => 1, method => 'initialize',
                  params => { protocolVersion => '2025-11-25', capabilities => {},
                              clientInfo => { name => 'raw', version => '0' } } } }
sub mcp {
    my ($k, $body, %h) = @_;
    my $host = delete $h{host} || $hub;
    my $path = delete $h{path} || "/mcp/$inst";
    return $host->request(POST => $path, json => $body,
                          headers => { ($k ? ('x-api-key' => $k) : ()), %h });
}
$r = mcp(undef, init_body());
is($r->{status}, 401, 'no credential: 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/, '  WWW-Authenticate: Bearer');
is($r->{json}{error}{code}, -32000, '  a JSON-RPC error');
is(mcp($a->{key}, init_body())->{status}, 200, "the tenant's admin key may connect");
is(mcp($ro, init_body())->{status}, 200, 'a read-only key too');
is(mcp($b->{key}, init_body())->{status}, 404, "another tenant's key: 404, as an unknown instance");
is(mcp($key, init_body(), path => '/mcp/00000000-0000-4000-8000-000000000000')->{status}, 401,
   "the navigator key on another instance's endpoint: 401");
is(mcp($a->{key}, init_body(), path => '/mcp/not-a-uuid')->{status}, 404, 'not an instance id: 404');
is(mcp($key, init_body(), Origin => 'http://evil.example')->{status}, 403, 'a foreign Origin: 403');
is(mcp($key, init_body(), Origin => 'http://agent.example')->{status}, 200, 'HubMcpAllowOrigin: allowed');
is(mcp($key, init_body(), Origin => $hub->base)->{status}, 200, "the hub's own origin: allowed");

# ---- sessions -----------------------------------------------------------------
$r = mcp($key, init_body());
my $sid = $r->{headers}{'mcp-session-id'};
like($sid, qr/^mcps_/, 'initialize gives Mcp-Session-Id');
is($r->{json}{result}{protocolVersion}, '2025-11-25', '  the version asked for');
is_deeply($r->{json}{result}{capabilities}, { tools => { listChanged => JSON::PP::true } },
          '  tools capability (list changes told: t/http/37)');
my $old = init_body();
$old->{params}{protocolVersion} = '2024-11-05';
is(mcp($key, $old)->{json}{result}{protocolVersion}, '2024-11-05', 'an older known version is kept');
$old->{params}{protocolVersion} = '1999-01-01';
is(mcp($key, $old)->{json}{result}{protocolVersion}, '2025-11-25', 'an unknown one gets the newest');
my $list_body = { jsonrpc => '2.0', id => 2, method => 'tools/list' };
$r = mcp($key, $list_body, 'Mcp-Session-Id' => $sid, 'MCP-Protocol-Version' => '2025-11-25');
is($r->{status}, 200, 'tools/list in the session');
is(scalar @{ $r->{json}{result}{tools} }, 10, '  one page');
ok($r->{json}{result}{nextCursor}, '  and a cursor');
$r = mcp($key, { %$list_body, params => { cursor => $r->{json}{result}{nextCursor} } }, 'Mcp-Session-Id' => $sid);
is($r->{json}{result}{tools}[0]{name}, $names[10], 'the cursor gives the next page');
$r = mcp($key, { %$list_body, params => { cursor => 'bm90IG91cnM=' } }, 'Mcp-Session-Id' => $sid);
is($r->{json}{error}{code}, -32602, 'a cursor not ours: -32602');
$r = mcp($key, $list_body);
is($r->{status}, 400, 'no Mcp-Session-Id: 400');
$r = mcp($key, $list_body, 'Mcp-Session-Id' => 'mcps_nope');
is($r->{status}, 404, 'an unknown session: 404');
is($r->{json}{error}{code}, -32001, '  Session not found');
is(mcp($a->{key}, $list_body, 'Mcp-Session-Id' => $sid)->{status}, 404,
   'another caller cannot continue the session');
is(mcp($key, $list_body, 'Mcp-Session-Id' => $sid, 'MCP-Protocol-Version' => '1999-01-01')->{status}, 400,
   'an unsupported MCP-Protocol-Version: 400');
$r = mcp($key, { jsonrpc => '2.0', method => 'notifications/initialized' }, 'Mcp-Session-Id' => $sid);
is($r->{status}, 202, 'a notification: 202');
is($r->{content}, '', '  no body');
$r = mcp($key, { jsonrpc => '2.0', id => 3, method => 'resources/list' }, 'Mcp-Session-Id' => $sid);
is($r->{json}{error}{code}, -32601, 'a method the hub does not serve: -32601');

# another host on the same database continues it
my $hub2 = HubTest->new(name => 'gateway_host_two', conf => $conf, share => $hub);
$r = mcp($key, { jsonrpc => '2.0', id => 4, method => 'tools/call',
                 params => { name => 'everything__echo', arguments => { message => 'from host 2' } } },
         'Mcp-Session-Id' => $sid, host => $hub2);
is($r->{status}, 200, 'the session continues on a second httpd host') or diag(explain($r->{json}));
is($r->{json}{result}{content}[0]{text}, 'Echo: from host 2', '  and calls through it');
$c = HubMcp::sdk_client({ url => $hub2->base . "/mcp/$inst", headers => { 'x-api-key' => $key },
                          session => $sid, version => '2025-11-25', keep => 1,
                          steps => [ { op => 'call', name => 'everything__echo',
                                       arguments => { message => 'sdk on host 2' } } ] });
is($c->{steps}[0]{content}[0]{text}, 'Echo: sdk on host 2', "  the SDK client resumes it there too")
    or diag(explain($c));
is($hub2->request(DELETE => "/mcp/$inst", headers => { 'x-api-key' => $key, 'Mcp-Session-Id' => $sid })->{status},
   200, 'DELETE on host 2 ends it');
is(mcp($key, $list_body, 'Mcp-Session-Id' => $sid)->{status}, 404, '  and host 1 no longer knows it');
is($hub->request(DELETE => "/mcp/$inst", headers => { 'x-api-key' => $key, 'Mcp-Session-Id' => $sid })->{status},
   404, '  a second DELETE: 404');
q1("UPDATE mcp_sessions SET last_seen_at = now() - interval '2 hours' WHERE ended_at IS NULL");
$r = mcp($key, init_body());
my $sid2 = $r->{headers}{'mcp-session-id'};
is(mcp($key, $list_body, 'Mcp-Session-Id' => $sid2)->{status}, 200, 'a fresh session works');
q1("UPDATE mcp_sessions SET last_seen_at = now() - interval '2 hours'");
is(mcp($key, $list_body, 'Mcp-Session-Id' => $sid2)->{status}, 404, 'idle past HubMcpSessionIdle: 404');

# ---- malformed -----------------------------------------------------------------
$r = $hub->request(POST => "/mcp/$inst", body => '{"jsonrpc":', headers => { 'x-api-key' => $key,
                   'content-type' => 'application/json' });
is($r->{status}, 400, 'not JSON: 400');
is($r->{json}{error}{code}, -32700, '  parse error');
$r = mcp($key, [init_body()]);
is($r->{status}, 400, 'a batch: 400');
is($r->{json}{error}{code}, -32600, '  invalid request');
$r = mcp($key, { jsonrpc => '1.0', id => 1, method => 'ping' });
is($r->{json}{error}{code}, -32600, 'jsonrpc not 2.0: -32600');
$r = $hub->request(POST => "/mcp/$inst", body => '{}', headers => { 'x-api-key' => $key,
                   'content-type' => 'text/plain' });
is($r->{status}, 415, 'not application/json: 415');
$r = $hub->request(GET => "/mcp/$inst", headers => { 'x-api-key' => $key, Accept => 'text/event-stream' });
is($r->{status}, 405, 'GET without a session: 405 (the stream is a session\'s)');
like($r->{headers}{allow} // '', qr/POST/, '  Allow names POST');
is($hub->request(GET => "/mcp/$inst")->{status}, 401, '  after the caller is checked');

# a graceful stop loses nothing: a call answered just before the host
# stops is written by its child on the way out
my $since = q1("SELECT now()");
$r = mcp($key, init_body(), host => $hub2);
is($r->{status}, 200, 'a last request on host 2');
ok($hub2->stop_graceful, '  which stops gracefully at once');
is(q1("SELECT count(*) FROM mcp_calls WHERE method = 'initialize' AND at >= '$since'"), 1,
   '  and has recorded it');

# a revoked navigator key is refused at once (this host's credential
# cache forgets it), though it was used a moment ago
is(mcp($key, init_body())->{status}, 200, 'the navigator key works');
$r = cx($a->{key}, DELETE => "/navigator-instances/$inst/api-keys/$keyid");
is_deeply([$r->{status}, $r->{json}], [200, { id => $keyid }], 'revoked');
is(mcp($key, init_body())->{status}, 401, '  and refused by the gateway at once');

ok($hub->log_is_clean, 'no unexpected errors in the log');
ok($hub2->log_is_clean, '  nor on the second host');
done_testing;
