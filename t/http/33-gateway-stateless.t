# The MCP gateway, 2026-07-28 era: the official v2 client
# (@modelcontextprotocol/client, pinned to 2026-07-28) discovers a
# navigator instance's endpoint, lists the tools of an upstream of that
# era (built with @modelcontextprotocol/server) and of a 2025-era one
# (server-everything), and calls both; nothing of a session is made.  The
# era is the body's (params._meta), the headers are checked against it
# with the SDK's codes and statuses, and a 2025 client keeps working on
# the same endpoint.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
my $hub = HubTest->new(conf => join "\n",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2',
    '<Location /mcp>',
    '    HubMcpGateway On',
    '</Location>');
my $a = $hub->team('acme');
sub q1 { $hub->psql($hub->db, $_[0]) }

my $modern = HubMcp::node_server('stateless.mjs', TOOLS => 3, LEGACY => 'reject');
my $everything = HubMcp::everything();
my $m_id = HubGateway::register($hub, $a->{key}, { name => 'Modern', endpoint => $modern->{url} });
my $e_id = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $everything->{url} });
is(q1("SELECT protocol_version FROM servers WHERE id = '$m_id'"), '2026-07-28', 'the modern upstream is of 2026');
my $g = HubGateway::navigator($hub, $a->{key}, $m_id, $e_id);
my $URL = $hub->base . $g->{path};
my $n = q1("SELECT count(*) FROM tools WHERE server_id IN ('$m_id', '$e_id')");

# ---- the v2 client --------------------------------------------------------------
my $c = HubMcp::sdk_client({ client => 'sdk2', url => $URL, headers => { 'x-api-key' => $g->{key} },
    steps => [ { op => 'discover' }, { op => 'list' },
               { op => 'call', name => 'modern__tool-002', arguments => { text => 'hi', n => 1 } },
               { op => 'call', name => 'everything__echo', arguments => { message => 'stateless' } },
               { op => 'call', name => 'modern__nope' } ] });
ok(!$c->{connect_error}, 'the v2 client connects') or diag(explain($c->{connect_error}));
is($c->{protocol_version}, '2026-07-28', '  over 2026-07-28');
is($c->{server}{name}, 'mod_hub', '  serverInfo (in _meta) names the hub');
my ($disc, $list, $call, $echo, $nope) = @{ $c->{steps} };
is_deeply($disc->{supportedVersions}, ['2026-07-28'], 'server/discover: supportedVersions');
ok($disc->{capabilities}{tools}, '  the tools capability');
is(scalar @{ $list->{tools} }, $n, 'tools/list: the tools of both upstreams');
ok((grep { $_->{name} eq 'modern__tool-001' } @{ $list->{tools} })
   && (grep { $_->{name} eq 'everything__echo' } @{ $list->{tools} }), '  named server__tool');
is($call->{content}[0]{text}, 'called tool-002', 'tools/call reaches the 2026 upstream');
is_deeply($call->{structuredContent}, { arguments => { text => 'hi', n => 1 } }, '  with the arguments');
is($echo->{content}[0]{text}, 'Echo: stateless', 'and the 2025 upstream');
is($nope->{error}{code}, -32602, 'an unknown tool: -32602');
is(q1('SELECT count(*) FROM mcp_sessions'), 0, 'no session was stored');

# the 2025 client on the same endpoint
$c = HubMcp::sdk_client({ url => $URL, headers => { 'x-api-key' => $g->{key} },
                          steps => [ { op => 'call', name => 'modern__tool-001' } ] });
is($c->{protocol_version}, '2025-11-25', 'a 2025 client on the same endpoint gets a session');
is($c->{steps}[0]{content}[0]{text}, 'called tool-001', '  and calls the 2026 upstream through it');

# ---- the era and its headers, raw ------------------------------------------------------
my %ENV26 = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28',
             'io.modelcontextprotocol/clientCapabilities' => {});
sub rpc {
    my ($method, $params, %h) = @_;
    my $meta = exists $h{meta} ? delete $h{meta} : { %ENV26 };
    my $p = { %{ $params || {} }, defined $meta ? (_meta => $meta) : () };
    my %hdr = ('x-api-key' => $g->{key}, 'MCP-Protocol-Version' => '2026-07-28', 'Mcp-Method' => $method, %h);
    delete $hdr{$_} for grep { !defined $hdr{$_} } keys %hdr;
    return $hub->request(POST => $g->{path}, headers => \%hdr,
                         json => { jsonrpc => '2.0', id => 7, method => $method, params => $p });
}
my $r = rpc('tools/list');
is($r->{status}, 200, 'tools/list, stateless');
is($r->{json}{result}{resultType}, 'complete', '  resultType');
is($r->{json}{result}{ttlMs}, 0, '  ttlMs');
is($r->{json}{result}{cacheScope}, 'private', '  cacheScope');
is($r->{json}{result}{_meta}{'io.modelcontextprotocol/serverInfo'}{name}, 'mod_hub', '  serverInfo in _meta');
ok(!$r->{headers}{'mcp-session-id'}, '  no Mcp-Session-Id');
sub err { my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: HTTP $status");
    is($r->{json}{error}{code}, $code, "  $code") or diag(explain($r->{json})) }
err(rpc('tools/list', undef, 'MCP-Protocol-Version' => '2025-11-25'), 400, -32020, 'header and body disagree on the version');
$r = rpc('tools/list', undef, 'Mcp-Method' => 'tools/call');
err($r, 400, -32020, 'Mcp-Method disagrees');
is_deeply($r->{json}{error}{data}, { mismatch => { header => 'tools/call',
    body => 'the body names method tools/list but the Mcp-Method header names tools/call' } }, '  with the SDK\'s data');
err(rpc('tools/list', undef, 'MCP-Protocol-Version' => undef), 400, -32020, 'no MCP-Protocol-Version');
err(rpc('tools/list', undef, 'Mcp-Method' => undef), 400, -32020, 'no Mcp-Method');
err(rpc('tools/call', { name => 'modern__tool-001' }), 400, -32020, 'tools/call without Mcp-Name');
err(rpc('tools/call', { name => 'modern__tool-001' }, 'Mcp-Name' => 'modern__tool-002'), 400, -32020,
    'Mcp-Name names another tool');
$r = rpc('tools/call', { name => 'modern__tool-001' }, 'Mcp-Name' => '=?base64?bW9kZXJuX190b29sLTAwMQ==?=');
is($r->{json}{result}{content}[0]{text}, 'called tool-001', 'Mcp-Name as a Base64 sentinel');
err(rpc('tools/call', { name => 'modern__tool-001' }, 'Mcp-Name' => '=?base64?!!!?='), 400, -32020,
    'a broken sentinel');
err(rpc('tools/list', undef, meta => { 'io.modelcontextprotocol/protocolVersion' => '2026-07-28' }), 400, -32602,
    'an envelope without clientCapabilities');
err(rpc('tools/list', undef, meta => undef), 400, -32602, 'a 2026 header on a body without an envelope');
$r = rpc('tools/list', undef, meta => { %ENV26, 'io.modelcontextprotocol/protocolVersion' => '2027-01-01' },
         'MCP-Protocol-Version' => '2027-01-01');
err($r, 400, -32022, 'a revision the hub does not serve');
is_deeply($r->{json}{error}{data}, { supported => ['2026-07-28'], requested => '2027-01-01' }, '  naming the supported');
err(rpc('ping'), 404, -32601, 'ping is not of this era');
err(rpc('resources/list'), 404, -32601, 'nor a method the hub does not serve');
$r = rpc('tools/list', { cursor => 'bm9wZQ==' });
is($r->{json}{error}{code}, -32602, 'a cursor not ours: -32602, in-band');
$r = $hub->request(POST => $g->{path}, headers => { 'x-api-key' => $g->{key}, 'MCP-Protocol-Version' => '2026-07-28' },
                   json => { jsonrpc => '2.0', method => 'notifications/cancelled', params => {} });
is($r->{status}, 202, 'a notification with the 2026 header: 202');
$r = rpc('tools/list', undef, 'x-api-key' => undef);
is($r->{status}, 401, 'the caller is checked in this era too');

# ---- compact mode: two meta tools instead of every tool --------------------------
sub list_bytes { length rpc('tools/list')->{content} }
my $all_bytes = list_bytes();
$r = $hub->request(PATCH => "/caylex/api/v1/navigators/$g->{navigator}",
                   headers => { Authorization => "Bearer $a->{key}" }, json => { tool_exposure => 'compact' });
is($r->{json}{tool_exposure}, 'compact', 'a navigator made compact');
$c = HubMcp::sdk_client({ client => 'sdk2', url => $URL, headers => { 'x-api-key' => $g->{key} },
    steps => [ { op => 'list' },
               { op => 'call', name => 'search_tools', arguments => { query => 'sum numbers', limit => 3 } },
               { op => 'call', name => 'call_tool',
                 arguments => { name => 'everything__get-sum', arguments => { a => 20, b => 22 } } },
               { op => 'call', name => 'modern__tool-001' },
               { op => 'call', name => 'search_tools', arguments => {} } ] });
my ($clist, $search, $via, $direct, $bad) = @{ $c->{steps} };
is_deeply([map { $_->{name} } @{ $clist->{tools} }], ['search_tools', 'call_tool'], 'tools/list: the two meta tools');
is($search->{structuredContent}{tools}[0]{name}, 'everything__get-sum', 'search_tools finds get-sum first');
ok($search->{structuredContent}{tools}[0]{inputSchema}{properties}{a}, '  with its inputSchema');
ok(@{ $search->{structuredContent}{tools} } <= 3, '  at most the limit');
like($via->{content}[0]{text}, qr/\b42\b/, 'call_tool runs the tool it names');
is($direct->{content}[0]{text}, 'called tool-001', 'a tool is still callable by its own name');
is($bad->{error}{code}, -32602, 'search_tools without a query: -32602');
ok(HubTest::eventually(10, sub { q1("SELECT count(*) FROM mcp_calls WHERE tool_name = 'everything__get-sum'") == 1 }),
   'call_tool is recorded as the tool it ran');
my $compact = list_bytes();
ok($compact < $all_bytes / 2, "compact tools/list: $compact bytes against $all_bytes for every tool");

# queries: a search_tools call is recorded as a query (its text, a new
# query id); in a 2025 session the calls after it carry that id, in the
# stateless era nothing joins them
is(q1("SELECT count(*) FROM mcp_calls WHERE tool_name = 'search_tools' AND query = 'sum numbers'
         AND query_id IS NOT NULL"), 1, 'the stateless search_tools call is recorded as a query, with an id');
is(q1("SELECT count(*) FROM mcp_calls WHERE tool_name = 'everything__get-sum' AND query_id IS NULL"), 1,
   '  the stateless call after it belongs to no query');
$c = HubMcp::sdk_client({ url => $URL, headers => { 'x-api-key' => $g->{key} },
    steps => [ { op => 'call', name => 'modern__tool-001' },
               { op => 'call', name => 'search_tools', arguments => { query => 'echo please' } },
               { op => 'call', name => 'call_tool',
                 arguments => { name => 'everything__echo', arguments => { message => 'q1' } } },
               { op => 'call', name => 'modern__tool-002', arguments => { text => 'x', n => 1 } },
               { op => 'call', name => 'search_tools', arguments => { query => 'add' } },
               { op => 'call', name => 'call_tool',
                 arguments => { name => 'everything__get-sum', arguments => { a => 1, b => 2 } } } ] });
is($c->{protocol_version}, '2025-11-25', 'a 2025 session in compact mode');
ok(HubTest::eventually(10, sub { q1("SELECT count(*) FROM mcp_calls WHERE query IN ('echo please', 'add')") == 2 }),
   '  its two searches are recorded as queries');
my $q_echo = q1("SELECT query_id FROM mcp_calls WHERE query = 'echo please'");
my $q_add = q1("SELECT query_id FROM mcp_calls WHERE query = 'add'");
isnt($q_echo, $q_add, '  each with its own id');
my $sess = q1("SELECT session_hash FROM mcp_calls WHERE query = 'echo please'");
ok(HubTest::eventually(10, sub { q1("SELECT count(*) FROM mcp_calls WHERE method = 'tools/call'
                                        AND session_hash = '$sess' AND query IS NULL") == 4 }),
   '  and its four tool calls are recorded');
is(q1("SELECT string_agg(tool_name || '=' || coalesce(query_id::text, '-'), ' ' ORDER BY at)
         FROM mcp_calls WHERE method = 'tools/call' AND session_hash = '$sess' AND query IS NULL"),
   "modern__tool-001=- everything__echo=$q_echo modern__tool-002=$q_echo everything__get-sum=$q_add",
   '  the call before any query has none; each later call carries the latest query of its session');

# ---- bare naming: a tool's own name, prefixed only where two servers share it ------
$r = $hub->request(PATCH => "/caylex/api/v1/navigators/$g->{navigator}",
                   headers => { Authorization => "Bearer $a->{key}" },
                   json => { tool_exposure => 'all', tool_naming => 'bare' });
is($r->{json}{tool_naming}, 'bare', 'a navigator with bare tool names');
sub names { [sort map { $_->{name} } @{ rpc('tools/list')->{json}{result}{tools} || [] }] }
my @bare = @{ names() };
ok((grep { $_ eq 'tool-001' } @bare) && (grep { $_ eq 'echo' } @bare), 'tools/list: tool-001, echo, ...');
ok(!(grep { /__/ } @bare), '  none prefixed (no name is on two servers)');
is(rpc('tools/call', { name => 'echo', arguments => { message => 'bare' } }, 'Mcp-Name' => 'echo')
       ->{json}{result}{content}[0]{text}, 'Echo: bare', 'tools/call by the bare name');
is(rpc('tools/call', { name => 'everything__echo', arguments => { message => 'p' } }, 'Mcp-Name' => 'everything__echo')
       ->{json}{result}{content}[0]{text}, 'Echo: p', '  and by the prefixed one');
# a second server with a tool-001 of its own
my $twin = HubMcp::node_server('stateless.mjs', TOOLS => 1, LEGACY => 'reject');
my $t_id = HubGateway::register($hub, $a->{key}, { name => 'Twin', endpoint => $twin->{url} });
$hub->request(POST => "/caylex/api/v1/servers/$t_id/connections", headers => { Authorization => "Bearer $a->{key}" },
              json => { project_ids => [$g->{project}] });
my @now = @{ names() };
ok((grep { $_ eq 'modern__tool-001' } @now) && (grep { $_ eq 'twin__tool-001' } @now),
   'tool-001 on two servers: both prefixed');
ok(!(grep { $_ eq 'tool-001' } @now) && (grep { $_ eq 'tool-002' } @now), '  the others still bare');
is(rpc('tools/call', { name => 'tool-001' }, 'Mcp-Name' => 'tool-001')->{json}{error}{code}, -32602,
   '  the ambiguous bare name is not found');
is(rpc('tools/call', { name => 'twin__tool-001' }, 'Mcp-Name' => 'twin__tool-001')->{json}{result}{content}[0]{text},
   'called tool-001', '  each is called by its prefixed name');

ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing;
