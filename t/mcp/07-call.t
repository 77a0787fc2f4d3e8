# tools/call through the session API (hub_mcp_open → hub_mcp_call →
# hub_mcp_close) over every transport, against real servers built with the
# official SDKs: Streamable HTTP of the stateless 2026-07-28 era and of the
# sessionful 2025 era (answers as SSE and as JSON), the legacy HTTP+SSE
# transport, and stdio.  A tool's result comes back as the server gave it
# (its text and the arguments sent); a tool that fails says so with
# isError, which is an answer, not a failed call; a JSON-RPC error is a
# failed call.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

my $stateless = HubMcp::node_server('stateless.mjs', TOOLS => 2, LEGACY => 'reject');
my $sse_answers = HubMcp::node_server('sessionful.mjs', TOOLS => 2);
my $json_dir = HubMcp::work_dir();
my $json_answers = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1,
                                       LOG => "$json_dir/requests.log");
my $script = "$HubMcp::TOP/t/mcp/servers/sessionful.mjs";
my @allow = ('--allow', '127.0.0.0/8');

my @cases = (
    [ '2026 stateless', '2026-07-28', 'tool-001',
      [ $stateless->{url}, @allow ] ],
    [ '2025 sessionful, SSE answers', '2025-11-25', 'legacy-001',
      [ $sse_answers->{url}, @allow ] ],
    [ '2025 sessionful, JSON answers', '2025-11-25', 'legacy-001',
      [ $json_answers->{url}, @allow ] ],
    [ 'legacy HTTP+SSE', '2025-11-25', 'legacy-001',
      [ "$sse_answers->{base}/sse", '--transport', 'sse', @allow ] ],
    [ 'stdio', '2025-11-25', 'legacy-001',
      [ '--timeout-ms', 20000, '--env', "HUB_NODE_MODULES=$HubMcp::NODE_MODULES",
        '--env', 'STDIO=1', '--stdio', 'node', $script ] ],
);

sub call {
    my ($target, @call) = @_;
    my @t = @$target;
    # the --call options go before --stdio, which takes the rest
    my ($i) = grep { $t[$_] eq '--stdio' } 0 .. $#t;
    splice(@t, defined $i ? $i : scalar @t, 0, @call);
    return HubMcp::probe(@t);
}

for my $c (@cases) {
    my ($what, $version, $tool, $target) = @$c;
    my ($r, $exit) = call($target, '--call', $tool, '--args', '{"text":"hello","n":2}');
    ok($r->{ok}, "$what: $tool called") or diag($r->{error});
    is($exit, 0, "$what: exit 0");
    is($r->{protocol_version}, $version, "$what: over $version");
    my $res = $r->{result} || {};
    is_deeply($res->{content}, [ { type => 'text', text => "called $tool" } ],
              "$what: the tool's own text");
    is_deeply($res->{structuredContent}, { arguments => { text => 'hello', n => 2 } },
              "$what: the arguments reached the tool");
    ok(!$res->{isError}, "$what: not an error");

    ($r, $exit) = call($target, '--call', 'fail');
    ok($r->{ok}, "$what: a failing tool is still an answer") or diag($r->{error});
    is($exit, 0, "$what: exit 0");
    ok($r->{result} && $r->{result}{isError}, "$what: isError");
    is_deeply($r->{result}{content}, [ { type => 'text', text => 'the tool failed' } ],
              "$what: with the tool's text");
}

# the sessionful server: one session per call, the Mcp-Session-Id echoed on
# tools/call, and the session deleted afterwards
{
    my @seq = map { join ' ', $_->{method}, $_->{rpc} // '-', $_->{session} ? 'session' : 'none' }
              grep { $_->{method} ne 'POST' || ($_->{rpc} // '') ne 'server/discover' }
              @{ $json_answers->requests("$json_dir/requests.log") };
    my @last = @seq[-4 .. -1];
    is_deeply(\@last, [ 'POST initialize none', 'POST notifications/initialized session',
                        'POST tools/call session', 'DELETE - session' ],
              'sessionful: initialize, tools/call in the session, DELETE')
        or diag(join "\n", @seq);
}

# a JSON-RPC error to tools/call is a failed call, reported
{
    my $s = HubMcp::canned(sub {
        my ($req) = @_;
        my $m = $req->{rpc} && $req->{rpc}{method} // '';
        return HubMcp::http(202, undef, '') unless $req->{rpc}{id};
        return HubMcp::http_json(200, { jsonrpc => '2.0', id => $req->{rpc}{id},
            result => { protocolVersion => '2025-11-25', capabilities => {},
                        serverInfo => { name => 'canned', version => '0' } } })
            if $m eq 'initialize';
        return HubMcp::http_json(200, { jsonrpc => '2.0', id => $req->{rpc}{id},
            error => { code => -32602, message => 'Unknown tool: nope' } })
            if $m eq 'tools/call';
        return HubMcp::http_json(200, { jsonrpc => '2.0', id => $req->{rpc}{id},
            error => { code => -32601, message => 'Method not found' } });
    });
    my ($r, $exit) = HubMcp::probe($s->{url}, @allow, '--call', 'nope');
    ok(!$r->{ok}, 'a JSON-RPC error to tools/call: not ok');
    is($exit, 1, '  exit 1');
    like($r->{error} // '', qr/^tools\/call: JSON-RPC error -32602: Unknown tool: nope/, '  says so');
}

done_testing();
