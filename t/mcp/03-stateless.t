# The stateless 2026-07-28 era against a server built on the official SDK v2
# (t/mcp/servers/stateless.mjs): server/discover is answered, that era is
# chosen and reported, tools/list pages are followed to the end.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

for my $legacy (qw(stateless reject)) {
    my $s = HubMcp::node_server('stateless.mjs', TOOLS => 3, LEGACY => $legacy);
    my ($r, $exit) = HubMcp::probe($s->{url}, '--allow', '127.0.0.0/8');
    ok($r->{ok}, "legacy=$legacy: ok") or diag($r->{error});
    is($exit, 0, "legacy=$legacy: exit 0");
    is($r->{protocol_version}, '2026-07-28', "legacy=$legacy: 2026-07-28 negotiated");
    is($r->{server_name}, 'hub-test-stateless', "legacy=$legacy: server name from discover _meta");
    is($r->{server_version}, '2.4.0-test', "legacy=$legacy: server version");
    is_deeply(HubMcp::tool_names($r), [qw(tool-001 tool-002 tool-003)],
              "legacy=$legacy: the 3 tools");
    is($r->{tools}[0]{inputSchema}{properties}{text}{type}, 'string',
       "legacy=$legacy: schemas as the server gave them");
    is($r->{pages}, 1, "legacy=$legacy: one page");
    ok(!$r->{session_deleted}, "legacy=$legacy: no session, nothing deleted");
    $s->stop;
}

# Pagination to the end: 25 tools, 4 a page -> 7 pages.
my $p = HubMcp::node_server('stateless.mjs', TOOLS => 25, PAGE => 4);
my ($r) = HubMcp::probe($p->{url}, '--allow', '127.0.0.0/8');
ok($r->{ok}, 'paged: ok') or diag($r->{error});
is($r->{pages}, 7, 'paged: 7 pages followed');
is_deeply(HubMcp::tool_names($r), [ map { sprintf 'tool-%03d', $_ } 1 .. 25 ],
          'paged: all 25 tools, in order, none twice');
$p->stop;

# More pages than the cap: stops with an error instead of looping on.
my $many = HubMcp::node_server('stateless.mjs', TOOLS => 120, PAGE => 1);
($r) = HubMcp::probe($many->{url}, '--allow', '127.0.0.0/8');
ok(!$r->{ok}, 'more than 100 pages: not ok');
like($r->{error} // '', qr/more than 100 pages/, 'more than 100 pages: says so');
$many->stop;

done_testing();
