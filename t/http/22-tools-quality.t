# The tools the prober stores, through every profile, their change
# history, tool quality and server health, against real MCP servers:
# server-everything's 13 real tools are listed by Tool Hub, GoClaw and
# Caylex and scored by the quality rubric; a small MCP server of our own
# (a canned Perl socket speaking the 2025 handshake, its tool list read from
# a file on every request) lists deliberately bad tools and changes its set;
# the live health check meets a healthy, an unauthorised, a dead, a silent
# and a forbidden (internal, not allowed) server; every endpoint keeps
# tenants apart.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use Time::HiRes qw(time);
use HubTest;
use HubMcp;

HubMcp::require_peers();
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
open my $kf, '>', "$dir/secret.key" or die;
print $kf join('', map { sprintf '%02x', int rand 256 } 1 .. 32);
close $kf;

my $hub = HubTest->new(conf => join "\n",
    "HubSecretKeyFile $dir/secret.key",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2',
    'HubProbeTimeout 3',
    'HubProbeThresholds 1 2');
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
my $JSON = JSON::PP->new->canonical;
my $CX = '/caylex/api/v1';

# ---- an MCP server of our own, with the tools of a file ----------------

my $tools_file = "$dir/tools.json";
sub set_tools {
    open my $fh, '>', "$tools_file.new" or die;
    print $fh $JSON->encode($_[0]);
    close $fh;
    rename "$tools_file.new", $tools_file or die;
}
sub mcp_answer {
    my ($q) = @_;
    return HubMcp::http(200, 'application/json', '{}') if $q->{method} ne 'POST';
    my $m = $q->{rpc}{method} // '';
    my $id = $q->{rpc}{id};
    return HubMcp::http(202, undef, '') unless defined $id;         # notifications
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $id,
                                    error => { code => -32601, message => 'no discover' } })
        if $m eq 'server/discover';
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $id, result => {
        protocolVersion => '2025-11-25', capabilities => { tools => {} },
        serverInfo => { name => 'hub-test-canned', version => '0.1' } } })
        if $m eq 'initialize';
    if ($m eq 'tools/list') {
        open my $fh, '<', $tools_file or die;
        local $/;
        my $tools = JSON::PP->new->decode(<$fh>);
        return HubMcp::http_json(200, { jsonrpc => '2.0', id => $id,
                                        result => { tools => $tools } });
    }
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $id,
                                    error => { code => -32601, message => 'no' } });
}

my $bad = { name => 'bad tool!', description => 'x',
            inputSchema => { type => 'string', properties => { p => {} }, required => ['q'] } };
my $noschema = { name => 'no_schema', description => 'A tool that lists nothing at all here' };
my $good = { name => 'good_one', description => 'Returns the current time in UTC',
             inputSchema => { type => 'object' } };
set_tools([ $bad, $noschema, $good ]);
my $mine = HubMcp::canned(\&mcp_answer);

# ---- register and wait for the prober ---------------------------------

my $every = HubMcp::everything();
my $r = $hub->post('/api/v1/servers/', auth($a->{key}),
                   json => { name => 'everything', endpoint => $every->{url} });
is($r->{status}, 201, 'registered server-everything (Patchwork)');
my $eid = $r->{json}{id};
$r = $hub->post('/api/v1/servers/', auth($a->{key}),
                json => { name => 'mine', endpoint => $mine->{url} });
is($r->{status}, 201, 'registered our canned MCP server');
my $mid = $r->{json}{id};
$r = $hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'reporter' });
is($r->{status}, 201, 'registered a heartbeat server (no endpoint)');
my $hid = $r->{json}{id};

ok(HubTest::eventually(20, sub {
    q1("SELECT count(*) FROM servers WHERE health_status = 'healthy'") == 2 }),
   'both probed healthy') or diag(q1("SELECT slug || ': ' || coalesce(last_error, '') FROM servers"));
is(q1("SELECT tool_count FROM servers WHERE slug = 'everything'"), 13, "server-everything's 13 tools stored");
is(q1("SELECT tool_count FROM servers WHERE slug = 'mine'"), 3, 'our 3 tools stored');

# ---- Tool Hub: GET /api/mcp/servers/:id/tools ---------------------------

$r = $hub->get("/api/mcp/servers/$eid/tools", auth($a->{key}));
is($r->{status}, 200, 'Tool Hub lists the tools');
my @th = @{ $r->{json} || [] };
is(scalar @th, 13, '  all 13');
is_deeply([ map { $_->{name} } @th ], [ sort map { $_->{name} } @th ], '  by name');
is_deeply([ sort keys %{ $th[0] } ], [qw(description input_schema name server_id)],
          '  name, description, input_schema, server_id, as the document shows');
my ($echo) = grep { $_->{name} eq 'echo' } @th;
is($echo->{description}, 'Echoes back the input string', "  echo's real description");
is($echo->{input_schema}{type}, 'object', '  its input schema');
is_deeply($echo->{input_schema}{required}, ['message'], '  with what it requires');
is($echo->{server_id}, $eid, '  and the server id');
$r = $hub->get("/api/mcp/servers/$hid/tools", auth($a->{key}));
is_deeply([ $r->{status}, $r->{json} ], [ 200, [] ], 'a server with no tools: []');

# ---- GoClaw: GET /v1/mcp/servers/{id}/tools -----------------------------

$r = $hub->get("/v1/mcp/servers/$eid/tools", auth($a->{key}));
is($r->{status}, 200, 'GoClaw lists the tools');
is(scalar @{ $r->{json}{tools} || [] }, 13, '  {"tools": [13]}');
my ($gecho) = grep { $_->{name} eq 'echo' } @{ $r->{json}{tools} };
is_deeply($gecho, { name => 'echo', description => 'Echoes back the input string' },
          "  GoClaw's ToolInfo: name and description");
{
    # Go's omitempty: a tool without a description has no such member
    my %desc = map { $_->{name} => $_->{description} } @th;
    my @wrong = grep { exists $_->{description} ? !length($desc{$_->{name}} // '')
                                                : length($desc{$_->{name}} // '') }
                @{ $r->{json}{tools} };
    is(scalar @wrong, 0, '  a description only where the tool has one');
}

# ---- Caylex: GET /servers/{id}/tools, PATCH .../tools/{tool_id} ---------

$r = $hub->get("$CX/servers/$eid/tools", auth($a->{key}));
is($r->{status}, 200, 'Caylex lists the tools');
my @cx = @{ $r->{json}{tools} || [] };
is(scalar @cx, 13, '  {"tools": [13]}');
is_deeply([ sort keys %{ $cx[0] } ], [qw(added_context description id input_schema name)],
          '  GetServerToolResponse fields');
my ($cecho) = grep { $_->{name} eq 'echo' } @cx;
like($cecho->{id}, qr/^[0-9a-f-]{36}$/, '  a stable tool id');
is($cecho->{added_context}, undef, '  added_context null');
my $tid = $cecho->{id};

$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}),
                   json => { added_context => 'Prefer this for plain text.' });
is($r->{status}, 200, 'PATCH added_context');
is_deeply($r->{json}, { id => $tid, added_context => 'Prefer this for plain text.' },
          '  PatchServerToolResponse');
($cecho) = grep { $_->{name} eq 'echo' } @{ $hub->get("$CX/servers/$eid/tools", auth($a->{key}))->{json}{tools} };
is($cecho->{added_context}, 'Prefer this for plain text.', '  listed with the tool');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}), json => {});
is_deeply([ $r->{status}, $r->{json}{added_context} ], [ 200, 'Prefer this for plain text.' ],
          '  an empty PATCH changes nothing');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}),
                   json => { enabled => JSON::PP::false });
is($r->{status}, 200, '  the hub extension enabled: false');
is(q1("SELECT enabled::text || ' ' || added_context FROM tools WHERE id = '$tid'"),
   'false Prefer this for plain text.', '  stored, added_context kept');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}),
                   json => { added_context => undef, enabled => JSON::PP::true });
is_deeply([ $r->{status}, $r->{json} ], [ 200, { id => $tid, added_context => undef } ],
          '  null clears added_context');
is(q1("SELECT enabled FROM tools WHERE id = '$tid'"), 't', '  enabled again');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}),
                   json => { added_context => 42 });
is($r->{status}, 422, '  added_context a number: 422');
is($r->{json}{detail}[0]{loc}[-1], 'added_context', '  FastAPI detail names it');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($a->{key}),
                   json => { added_context => 'x' x 10001 });
is($r->{status}, 422, '  more than 10000 characters: 422');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/00000000-0000-4000-8000-000000000000",
                   auth($a->{key}), json => { added_context => 'x' });
is_deeply([ $r->{status}, $r->{json} ], [ 404, { detail => 'Tool not found' } ], '  an unknown tool: 404');
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/not-a-uuid", auth($a->{key}),
                   json => { added_context => 'x' });
is($r->{status}, 404, '  a malformed tool id: 404');
$r = $hub->request('PATCH', "$CX/servers/$mid/tools/$tid", auth($a->{key}),
                   json => { added_context => 'x' });
is($r->{status}, 404, "  a tool of another server: 404");
my $ro = $hub->hubctl('create-key', 'acme', '--user', $a->{email}, '--scopes', 'operator.read');
is($hub->get("$CX/servers/$eid/tools", auth($ro))->{status}, 200, '  a read-only key reads');
is($hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($ro),
                 json => { added_context => 'x' })->{status}, 403, '  but cannot PATCH');

# ---- Patchwork: quality -------------------------------------------------

$r = $hub->get('/api/v1/servers/everything/quality/', auth($a->{key}));
is($r->{status}, 200, 'quality of server-everything');
my $qo = $r->{json};
is_deeply([ sort keys %$qo ], [qw(average_score server_slug tool_count tools)], '  ToolQualityOut');
is($qo->{server_slug}, 'everything', '  server_slug');
is($qo->{tool_count}, 13, '  tool_count 13');
is(scalar @{ $qo->{tools} }, 13, '  13 items');
is_deeply([ sort keys %{ $qo->{tools}[0] } ],
          [qw(last_analyzed_at quality_issues quality_score tool_name)], '  ToolQualityItemOut');
my %score = map { $_->{tool_name} => $_ } @{ $qo->{tools} };
is_deeply([ sort grep { $score{$_}{quality_score} == 100 } keys %score ],
          [ sort grep { $_ ne 'get-resource-reference' } keys %score ],
          '  12 of its real tools score 100');
is($score{'get-resource-reference'}{quality_score}, 95,
   '  get-resource-reference scores 95');
is_deeply($score{'get-resource-reference'}{quality_issues},
          [ { type => 'property_undescribed', severity => 'warning',
              detail => "property 'resourceType' has no description" } ],
          '  for its undescribed resourceType');
ok(abs($qo->{average_score} - 99.6) < 1e-9, '  average 99.6 (1295 / 13, to one decimal)')
    or diag($qo->{average_score});
like($score{echo}{last_analyzed_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, '  last_analyzed_at');
is(q1("SELECT count(*) FROM tools t JOIN servers s ON s.id = t.server_id
        WHERE s.slug = 'everything' AND t.quality_score IS NOT NULL"), 13, '  scores are stored');
my $checked = q1("SELECT last_check_at FROM servers WHERE slug = 'everything'");
ok(HubTest::eventually(10, sub { q1("SELECT last_check_at FROM servers WHERE slug = 'everything'") ne $checked }),
   '  (the prober lists the same tools again)');
$r = $hub->get('/api/v1/servers/everything/quality/', auth($a->{key}));
is($r->{json}{tools}[0]{last_analyzed_at}, $qo->{tools}[0]{last_analyzed_at},
   '  asked again (probed again meanwhile): the same analysis');
is($hub->get('/api/v1/servers/everything/quality/', auth($ro))->{status}, 200, '  a read-only key reads it');

$r = $hub->get('/api/v1/servers/mine/quality/', auth($a->{key}));
is($r->{status}, 200, 'quality of our bad tools');
%score = map { $_->{tool_name} => $_ } @{ $r->{json}{tools} };
is($score{'bad tool!'}{quality_score}, 20, "  'bad tool!' scores 20");
is_deeply([ map { $_->{type} } @{ $score{'bad tool!'}{quality_issues} } ],
          [qw(name_invalid description_too_short input_schema_not_object property_untyped
              property_undescribed required_unknown)], '  with six issues');
is_deeply([ map { $_->{severity} } @{ $score{'bad tool!'}{quality_issues} } ],
          [qw(error warning error warning warning error)], '  and their severities');
is($score{no_schema}{quality_score}, 75, '  no inputSchema: 75');
is($score{no_schema}{quality_issues}[0]{detail}, 'the tool has no inputSchema', '  says so');
is($score{good_one}{quality_score}, 100, '  a good one: 100');
is($r->{json}{average_score}, 65, '  average 65');

$r = $hub->get('/api/v1/servers/reporter/quality/', auth($a->{key}));
is_deeply($r->{json}, { server_slug => 'reporter', tool_count => 0, average_score => undef, tools => [] },
          'a server without tools: average null');
$r = $hub->get('/api/v1/servers/nope/quality/', auth($a->{key}));
is_deeply([ $r->{status}, $r->{json} ], [ 404, { detail => 'Server not found' } ], 'unknown slug: 404');

# ---- tool changes, and a changed definition re-scored ------------------

$r = $hub->get('/api/v1/servers/mine/tool-changes/', auth($a->{key}));
is_deeply([ $r->{status}, $r->{json} ], [ 200, [] ], 'no tool changes yet: []');
my $before = q1("SELECT quality_analyzed_at FROM tools WHERE name = 'good_one'");
set_tools([ $bad, $noschema, { %$good, description => 'Time' },
            { name => 'added_one', description => 'A tool added by the second listing' } ]);
ok(HubTest::eventually(15, sub { q1("SELECT count(*) FROM tool_changes") == 1 }),
   'a tool added: a tool-change event');
set_tools([ $noschema, { %$good, description => 'Time' },
            { name => 'added_one', description => 'A tool added by the second listing' } ]);
ok(HubTest::eventually(15, sub { q1("SELECT count(*) FROM tool_changes") == 2 }),
   'a tool removed: another');
$r = $hub->get('/api/v1/servers/mine/tool-changes/', auth($a->{key}));
is($r->{status}, 200, 'tool changes');
my @ch = @{ $r->{json} };
is(scalar @ch, 2, '  two');
is_deeply([ sort keys %{ $ch[0] } ], [qw(added removed timestamp tool_count_after tool_count_before)],
          '  ToolChangeOut');
is_deeply({ %{ $ch[0] }, timestamp => 'T' },
          { timestamp => 'T', added => [], removed => ['bad tool!'],
            tool_count_before => 4, tool_count_after => 3 }, '  newest first: the removal');
is_deeply({ %{ $ch[1] }, timestamp => 'T' },
          { timestamp => 'T', added => ['added_one'], removed => [],
            tool_count_before => 3, tool_count_after => 4 }, '  then the addition');
ok($ch[0]{timestamp} gt $ch[1]{timestamp}, '  timestamps descending');
like($ch[0]{timestamp}, qr/^\d{4}-\d\d-\d\dT[\d:.]+Z$/, '  ISO 8601');
$r = $hub->get('/api/v1/servers/mine/tool-changes/?limit=1', auth($a->{key}));
is_deeply([ $r->{status}, scalar @{ $r->{json} }, $r->{json}[0]{removed} ], [ 200, 1, ['bad tool!'] ],
          '  ?limit=1: the newest');
for my $l ('0', '1001', 'abc', '') {
    is($hub->get("/api/v1/servers/mine/tool-changes/?limit=$l", auth($a->{key}))->{status}, 422,
       "  ?limit=$l: 422");
}
is($hub->get('/api/v1/servers/nope/tool-changes/', auth($a->{key}))->{status}, 404, '  unknown slug: 404');

$r = $hub->get('/api/v1/servers/mine/quality/', auth($a->{key}));
%score = map { $_->{tool_name} => $_ } @{ $r->{json}{tools} };
is($score{good_one}{quality_score}, 85, 'a changed definition is scored again (description "Time": 85)');
isnt(q1("SELECT quality_analyzed_at FROM tools WHERE name = 'good_one'"), $before, '  a new analysis');
is($score{added_one}{quality_score}, 75, '  a new tool is scored (no inputSchema)');
ok(!exists $score{'bad tool!'}, '  a removed one is gone');
is($r->{json}{tool_count}, 3, '  3 tools');

# ---- live health --------------------------------------------------------

$r = $hub->get("/api/mcp/servers/$eid/health", auth($a->{key}));
is($r->{status}, 200, 'live health of server-everything');
is_deeply([ sort keys %{ $r->{json} } ], [qw(latency_ms message server_id status)],
          '  {server_id, status, message, latency_ms}');
is_deeply([ @{ $r->{json} }{qw(server_id status message)} ], [ $eid, 'healthy', undef ],
          '  healthy, no message');
like($r->{json}{latency_ms}, qr/^\d+$/, '  latency_ms an integer');

# a 401 upstream: reachable, not authorised
my $guard = HubMcp::canned(sub { HubMcp::http(401, 'application/json', '{"error":"unauthorized"}') });
$r = $hub->post("$CX/servers/header", auth($a->{key}),
                json => { name => 'guarded', endpoint => $guard->{url}, description => 'd',
                          auth_level => 'project', transport => 'streamable_http',
                          headers => [{ header_name => 'X-Upstream-Key', header_value_prefix => 'Key ',
                                        header_value => 's3cret-live-token' }] });
is($r->{status}, 200, 'registered a server that answers 401, with a header secret (Caylex)')
    or diag($r->{content});
my $gid = $r->{json}{id};
my $seen = @{ HubMcp::requests($guard) };
$r = $hub->get("/api/mcp/servers/$gid/health", auth($a->{key}));
is_deeply([ $r->{status}, $r->{json}{status} ], [ 200, 'unauthorized' ], '  live: unauthorized');
like($r->{json}{message}, qr/401/, '  the message says 401');
my @got = @{ HubMcp::requests($guard) }[$seen .. $#{ HubMcp::requests($guard) }];
ok(@got && (grep { ($_->{headers}{'x-upstream-key'} // '') eq 'Key s3cret-live-token' } @got),
   '  the live check sent the decrypted credential with its prefix');
unlike($r->{content} . $hub->slurp($hub->error_log_path), qr/s3cret-live-token/,
       '  which is in no answer and no log');

# a dead one: nothing listens
my $dead_port = HubMcp::free_port();
$r = $hub->post('/api/mcp/servers', auth($a->{key}),
                json => { name => 'dead', url => "http://127.0.0.1:$dead_port/mcp" });
my $did = $r->{json}{id};
$r = $hub->get("/api/mcp/servers/$did/health", auth($a->{key}));
is_deeply([ $r->{status}, $r->{json}{status} ], [ 200, 'down' ], 'a dead server: 200, down');
like($r->{json}{message}, qr/connect|refused/i, '  the message says why') or diag($r->{json}{message});

# a silent one: the timeout (HubProbeTimeout 3)
my $silent = HubMcp::canned(sub { undef });
$r = $hub->post('/api/mcp/servers', auth($a->{key}), json => { name => 'silent', url => $silent->{url} });
my $sid = $r->{json}{id};
my $t0 = time;
$r = $hub->get("/api/mcp/servers/$sid/health", auth($a->{key}));
my $took = time - $t0;
is_deeply([ $r->{status}, $r->{json}{status} ], [ 200, 'down' ], 'a silent server: 200, down');
like($r->{json}{message}, qr/time/i, '  timed out') or diag($r->{json}{message});
ok($r->{json}{latency_ms} >= 2500 && $r->{json}{latency_ms} <= 4500,
   "  latency about the timeout ($r->{json}{latency_ms} ms)");
ok($took < 8, sprintf('  the request waited %.1f s, not longer', $took));

# a server without an endpoint
$r = $hub->get("/api/mcp/servers/$hid/health", auth($a->{key}));
is_deeply([ $r->{status}, @{ $r->{json} }{qw(status latency_ms)} ], [ 200, 'unknown', undef ],
          'a heartbeat server: unknown, no latency');

# ---- /health/mcp/:server_id: the last probe -----------------------------

$r = $hub->get("/health/mcp/$eid", auth($a->{key}));
is($r->{status}, 200, 'the last probe of server-everything');
is_deeply([ @{ $r->{json} }{qw(server_id status message)} ], [ $eid, 'healthy', undef ],
          '  healthy, no message');
like($r->{json}{latency_ms}, qr/^\d+$/, '  with its latency');
like($r->{json}{checked_at}, qr/^\d{4}-/, '  when it was checked');
is($r->{json}{uptime_24h}, 1, '  and the uptime');
ok(HubTest::eventually(15, sub { q1("SELECT health_status FROM servers WHERE id = '$did'") eq 'down' }),
   'the prober finds the dead one down');
$r = $hub->get("/health/mcp/$did", auth($a->{key}));
is($r->{json}{status}, 'down', '  /health/mcp says down');
is($r->{json}{message}, q1("SELECT last_error FROM servers WHERE id = '$did'"), '  with the last error');
$r = $hub->get("/health/mcp/$hid", auth($a->{key}));
is_deeply([ @{ $r->{json} }{qw(status message latency_ms checked_at)} ],
          [ 'unknown', 'not probed: this server has no endpoint (stdio or heartbeat)', undef, undef ],
          'a heartbeat server: unknown, and why');
$r = $hub->get('/health/mcp/00000000-0000-4000-8000-000000000000', auth($a->{key}));
is_deeply([ $r->{status}, $r->{json}{error}{code} ], [ 404, 'SERVER_NOT_FOUND' ],
          'an unknown server: 404 in Tool Hub\'s envelope');
is($hub->get("/health/mcp/$eid")->{status}, 401, 'without credentials: 401 (a server id is a tenant\'s)');

# ---- isolation: another tenant sees none of it --------------------------

my @reads = ("/api/mcp/servers/$eid/tools", "/api/mcp/servers/$eid/health", "/health/mcp/$eid",
             "/v1/mcp/servers/$eid/tools", "$CX/servers/$eid/tools",
             '/api/v1/servers/everything/tool-changes/', '/api/v1/servers/everything/quality/',
             '/api/v1/servers/mine/tool-changes/', '/api/v1/servers/mine/quality/');
for my $path (@reads) {
    is($hub->get($path, auth($b->{key}))->{status}, 404, "bravo: GET $path is 404");
    is($hub->get($path)->{status}, 401, "  and 401 without credentials");
}
$r = $hub->request('PATCH', "$CX/servers/$eid/tools/$tid", auth($b->{key}),
                   json => { added_context => 'bravo was here' });
is($r->{status}, 404, "bravo: PATCH of acme's tool is 404");
is(q1("SELECT count(*) FROM tools WHERE added_context = 'bravo was here'"), 0, '  and changes nothing');
is_deeply($hub->get("/v1/mcp/servers/$eid/tools", auth($b->{key}))->{json},
          { error => "server not found: $eid" }, "  GoClaw's envelope");
for my $path ('/api/mcp/servers/not-a-uuid/tools', '/api/mcp/servers/not-a-uuid/health',
              '/health/mcp/not-a-uuid', '/v1/mcp/servers/not-a-uuid/tools',
              "$CX/servers/not-a-uuid/tools") {
    is($hub->get($path, auth($a->{key}))->{status}, 404, "malformed id: GET $path is 404");
}
# bravo's own server of the same slug is bravo's
$r = $hub->post('/api/v1/servers/', auth($b->{key}), json => { name => 'everything' });
is($r->{status}, 201, "bravo registers a server named 'everything' too");
is_deeply($hub->get('/api/v1/servers/everything/quality/', auth($b->{key}))->{json},
          { server_slug => 'everything', tool_count => 0, average_score => undef, tools => [] },
          '  and sees only its own (no tools)');
is_deeply($hub->get('/api/v1/servers/everything/tool-changes/', auth($b->{key}))->{json}, [],
          '  and no tool changes');

# ---- an internal address without HubOutboundAllow ------------------------

my $hidden = HubMcp::canned(sub { HubMcp::http(200, 'text/plain', 'should never be asked') });
my $closed = HubTest->new(name => 'tools_closed', conf => "HubProbeInterval 300");
my $o = $closed->team('solo');
$r = $closed->post('/api/mcp/servers', headers => { Authorization => "Bearer $o->{key}" },
                   json => { name => 'inside', url => $hidden->{url} =~ s/127\.0\.0\.1/localhost/r });
# a name: judged when the hub connects (a literal address is refused at
# registration, 29-registration-addresses.t)
is($r->{status}, 201, 'a hub without HubOutboundAllow registers a loopback server');
$r = $closed->get("/api/mcp/servers/$r->{json}{id}/health",
                  headers => { Authorization => "Bearer $o->{key}" });
is_deeply([ $r->{status}, $r->{json}{status} ], [ 200, 'down' ], '  live health: down');
like($r->{json}{message}, qr/internal/, '  refused: an internal address') or diag($r->{json}{message});
is(scalar @{ HubMcp::requests($hidden) }, 0, '  never contacted');
$closed->log_is_clean;

$hub->log_is_clean;
done_testing;
