# What the client sends in the 2025 era, seen by a recording server built on
# the official SDK 1.x (t/mcp/servers/sessionful.mjs): the discover probe
# first, then initialize, the echoed Mcp-Session-Id and MCP-Protocol-Version,
# every tools/list page, and the DELETE of the session.  Once with answers
# as SSE streams, once as application/json.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

for my $json (0, 1) {
    my $kind = $json ? 'application/json answers' : 'text/event-stream answers';
    my $dir = HubMcp::work_dir();
    my $s = HubMcp::node_server('sessionful.mjs', TOOLS => 7, PAGE => 3,
                                JSON => $json, LOG => "$dir/requests.log");
    my ($r, $exit) = HubMcp::probe($s->{url}, '--allow', '127.0.0.0/8');
    ok($r->{ok}, "$kind: ok") or diag($r->{error});
    is($exit, 0, "$kind: exit 0");
    is($r->{protocol_version}, '2025-11-25', "$kind: 2025-11-25 negotiated");
    is($r->{server_name}, 'hub-test-sessionful', "$kind: server name");
    is($r->{server_version}, '1.32-test', "$kind: server version");
    is_deeply(HubMcp::tool_names($r), [ map { sprintf 'legacy-%03d', $_ } 1 .. 7 ],
              "$kind: 7 tools over pages of 3, in order");
    is($r->{pages}, 3, "$kind: 3 pages read");
    ok($r->{session_deleted}, "$kind: session deleted");

    my $log = $s->requests("$dir/requests.log");
    my @seq = map { "$_->{method} " . ($_->{rpc} // '-') } @$log;
    is_deeply(\@seq, [ 'POST server/discover', 'POST initialize',
                       'POST notifications/initialized', 'POST tools/list',
                       'POST tools/list', 'POST tools/list', 'DELETE -' ],
              "$kind: discover, initialize, initialized, 3 pages, DELETE") or diag("@seq");
    my ($disc, $init, @rest) = @$log;
    is($disc->{version}, '2026-07-28', 'discover carries MCP-Protocol-Version: 2026-07-28');
    is($disc->{mcp_method}, 'server/discover', 'discover carries Mcp-Method');
    like($disc->{accept} // '', qr{application/json}, 'Accept has application/json');
    like($disc->{accept} // '', qr{text/event-stream}, 'Accept has text/event-stream');
    is($init->{session}, undef, 'initialize is sent without a session');
    is($init->{version}, undef, 'initialize is sent without MCP-Protocol-Version');
    is($init->{mcp_method}, undef, 'no 2026 routing header in the 2025 era');
    my $sid = $rest[0]{session};
    ok(defined $sid && length $sid, 'the server gave a session id');
    is(scalar(grep { ($_->{session} // '') eq $sid } @rest), scalar @rest,
       'every later request (the DELETE too) echoes Mcp-Session-Id');
    is(scalar(grep { ($_->{version} // '') eq '2025-11-25' } @rest), scalar @rest,
       'every later request carries MCP-Protocol-Version: 2025-11-25');
    $s->stop;
}

done_testing();
