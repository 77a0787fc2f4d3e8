# The MCP gateway's guard on tools/call: a require_approval tool is not
# called but queued for an operator (the approvals endpoints), the same
# call waits as one request, goes through once approved and is told once
# when denied; a rate limit per minute stops calls past it; each case is
# recorded with its error type; the upstream (which logs what it gets)
# sees only the calls that went through.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
my $hub = HubTest->new(conf => join "\n",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2');
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $CX = '/caylex/api/v1';
sub q1 { $hub->psql($hub->db, $_[0]) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", headers => { Authorization => "Bearer $k" }, @o) }

my $dir = HubMcp::work_dir();
my $up = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1, LOG => "$dir/requests.log");
my $srv = HubGateway::register($hub, $a->{key}, { name => 'Up', endpoint => $up->{url} });
my $g = HubGateway::navigator($hub, $a->{key}, $srv);
my $I = $g->{instance};
my %tool = map { split /\|/ } split /\n/, q1("SELECT name || '|' || id FROM tools WHERE server_id = '$srv'");
is(cx($a->{key}, PUT => "/navigator-instances/$I/tool-permissions",
      json => { permissions => [{ tool_id => $tool{'legacy-001'}, mode => 'require_approval' },
                                { tool_id => $tool{'legacy-002'}, mode => 'always_execute',
                                  rate_limit_per_minute => 2 }] })->{status}, 200,
   'legacy-001 needs approval, legacy-002 takes 2 calls a minute');

my %ENV26 = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28',
             'io.modelcontextprotocol/clientCapabilities' => {});
sub call {
    my ($name, $args, $key) = @_;
    my $r = $hub->request(POST => $g->{path},
        headers => { 'x-api-key' => $key // $g->{key}, 'MCP-Protocol-Version' => '2026-07-28',
                     'Mcp-Method' => 'tools/call', 'Mcp-Name' => $name },
        json => { jsonrpc => '2.0', id => 1, method => 'tools/call',
                  params => { name => $name, arguments => $args, _meta => { %ENV26 } } });
    return $r->{json}{result} // { error => $r->{json}{error}, status => $r->{status} };
}
sub upstream_calls {
    open my $fh, '<', "$dir/requests.log" or return 0;
    return scalar grep { /"tools\/call"/ } <$fh>;
}

# ---- approvals ------------------------------------------------------------------
my $r = call('up__legacy-001', { text => 'one' });
ok(!$r->{isError}, 'a require_approval tool: a result, not an error');
like($r->{content}[0]{text}, qr/needs an operator's approval.*pending.*not made/s, '  saying approval is pending');
my $ap1 = $r->{_meta}{'mod_hub/approval'}{id};
like($ap1, qr/^[0-9a-f-]{36}$/, '  naming the request');
is(upstream_calls(), 0, '  and the upstream was not called');
is(call('up__legacy-001', { text => 'one' })->{_meta}{'mod_hub/approval'}{id}, $ap1,
   'the same call again: the same request');
my $ap2 = call('up__legacy-001', { text => 'two' })->{_meta}{'mod_hub/approval'}{id};
isnt($ap2, $ap1, 'other arguments: another request');

$r = cx($ro, GET => "/navigator-instances/$I/approvals");
is($r->{status}, 200, 'approvals: listed (read access)');
is($r->{json}{meta}{total}, 2, '  two');
is_deeply([sort map { $_->{id} } @{ $r->{json}{items} }], [sort $ap1, $ap2], '  those two');
my ($item) = grep { $_->{id} eq $ap1 } @{ $r->{json}{items} };
is_deeply([@$item{qw(tool_name status tool_id navigator_instance_id)}, $item->{arguments}],
          ['up__legacy-001', 'pending', $tool{'legacy-001'}, $I, { text => 'one' }], '  with what was asked');
like($item->{requested_by}, qr/^key:/, '  and by whom');
is(cx($a->{key}, GET => "/navigator-instances/$I/approvals?status=approved")->{json}{meta}{total}, 0,
   '  filtered by status');
is(cx($b->{key}, GET => "/navigator-instances/$I/approvals")->{status}, 404, "another tenant: 404");
is(cx($ro, POST => "/navigator-instances/$I/approvals/$ap1/approve")->{status}, 403, 'read access cannot approve');
is(cx($b->{key}, POST => "/navigator-instances/$I/approvals/$ap1/approve")->{status}, 404,
   "another tenant cannot approve");

$r = cx($a->{key}, POST => "/navigator-instances/$I/approvals/$ap1/approve");
is($r->{status}, 200, 'approve');
is($r->{json}{status}, 'approved', '  approved');
is($r->{json}{decided_by}, $a->{email}, '  by whom');
is(cx($a->{key}, POST => "/navigator-instances/$I/approvals/$ap1/deny")->{status}, 409, 'decided once only: 409');
$r = call('up__legacy-001', { text => 'one' });
is($r->{content}[0]{text}, 'called legacy-001', 'approved: the same call goes through');
is(upstream_calls(), 1, '  to the upstream, once');
is(cx($a->{key}, GET => "/navigator-instances/$I/approvals?status=used")->{json}{items}[0]{id}, $ap1,
   '  and the approval is used');
like(call('up__legacy-001', { text => 'one' })->{content}[0]{text}, qr/pending/, 'a further call asks again');
is(upstream_calls(), 1, '  and is not made');
is(call('up__legacy-001', { text => 'one' }, $a->{key})->{_meta}{'mod_hub/approval'}{status}, 'pending',
   "another caller's approval is not this caller's");

is(cx($a->{key}, POST => "/navigator-instances/$I/approvals/$ap2/deny")->{json}{status}, 'denied', 'deny');
$r = call('up__legacy-001', { text => 'two' });
ok($r->{isError}, 'denied: an error result');
like($r->{content}[0]{text}, qr/denied/, '  saying so');
like(call('up__legacy-001', { text => 'two' })->{content}[0]{text}, qr/pending/, '  once; then it asks again');
is(upstream_calls(), 1, 'the upstream saw only the approved call');
is(cx($a->{key}, POST => "/navigator-instances/$I/approvals/00000000-0000-4000-8000-000000000000/approve")->{status},
   404, 'an unknown request: 404');
is(cx($a->{key}, POST => "/navigator-instances/$I/approvals/nope/approve")->{status}, 422, 'not a UUID: 422');

# ---- rate limits ----------------------------------------------------------------------
# (at a minute's very end the window could turn between calls: wait it out)
sleep 1 while (localtime)[0] >= 57;
my @texts = map { call('up__legacy-002', { n => $_ })->{content}[0]{text} } 1 .. 3;
is_deeply([@texts[0, 1]], ['called legacy-002', 'called legacy-002'], 'two calls within the limit');
like($texts[2], qr/Rate limit: this tool takes 2 calls a minute here; try again in \d+ s/, 'the third: over it');
is(upstream_calls(), 3, '  and not made');

# ---- recorded ---------------------------------------------------------------------------
ok(HubTest::eventually(10, sub { q1("SELECT count(*) FROM mcp_calls WHERE method = 'tools/call'") >= 11 }),
   'every call recorded');
is(q1("SELECT count(*) FROM mcp_calls WHERE error_type = 'approval' AND NOT ok"), 7,
   'waiting and denied ones as approval');
is(q1("SELECT count(*) FROM mcp_calls WHERE error_type = 'rate_limit' AND NOT ok AND upstream_ms IS NULL"), 1,
   'the one over the limit as rate_limit');
is(q1("SELECT count(*) FROM mcp_calls WHERE ok AND tool_name LIKE 'up__legacy-00_'"), 3, 'the three made ok');

ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing;
