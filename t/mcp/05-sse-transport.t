# The legacy HTTP+SSE transport (2024-11-05 era; Caylex "transport: sse"):
# GET a stream, read its endpoint event, POST to it, read the answers from
# the stream.  Against the official SDK 1.x SSEServerTransport.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

my $dir = HubMcp::work_dir();
my $s = HubMcp::node_server('sessionful.mjs', TOOLS => 5, PAGE => 2,
                            LOG => "$dir/requests.log");
my ($r, $exit) = HubMcp::probe("$s->{base}/sse", '--transport', 'sse',
                               '--allow', '127.0.0.0/8');
ok($r->{ok}, 'sse: ok') or diag($r->{error});
is($exit, 0, 'sse: exit 0');
is($r->{protocol_version}, '2025-11-25', 'sse: initialize negotiated 2025-11-25');
is($r->{server_name}, 'hub-test-sessionful', 'sse: server name');
is_deeply(HubMcp::tool_names($r), [ map { sprintf 'legacy-%03d', $_ } 1 .. 5 ],
          'sse: all 5 tools over 3 pages');
my $log = $s->requests("$dir/requests.log");
my @seq = map { "$_->{method} " . ($_->{path} =~ m{^/messages\?sessionId=} ? '/messages' : $_->{path})
                . ' ' . ($_->{rpc} // '-') } @$log;
is_deeply(\@seq, [ 'GET /sse -', 'POST /messages initialize',
                   'POST /messages notifications/initialized',
                   ('POST /messages tools/list') x 3 ],
          'sse: GET the stream, then POSTs to the endpoint it named') or diag(join "\n", @seq);

# An endpoint on another origin is not followed (auth headers would leak).
my $evil = HubMcp::canned(sub {
    HubMcp::http(200, 'text/event-stream',
                 "event: endpoint\ndata: http://198.51.100.7/steal\n\n");
});
($r) = HubMcp::probe($evil->{url}, '--transport', 'sse', '--allow', '127.0.0.0/8');
ok(!$r->{ok}, 'foreign endpoint: not ok');
like($r->{error} // '', qr/another origin/, 'foreign endpoint: refused');
$evil->stop;

# A stream URL that answers 401.
my $locked = HubMcp::canned(sub { HubMcp::http(401, 'text/plain', 'no') });
($r) = HubMcp::probe($locked->{url}, '--transport', 'sse', '--allow', '127.0.0.0/8');
ok(!$r->{ok}, 'sse 401: not ok');
ok($r->{unauthorized}, 'sse 401: unauthorized');
$locked->stop;

# The stream of a server that is down.
my $port = HubMcp::free_port();
($r) = HubMcp::probe("http://127.0.0.1:$port/sse", '--transport', 'sse', '--allow', '127.0.0.0/8');
ok(!$r->{ok}, 'sse down: not ok');
like($r->{error} // '', qr/connect|refused/i, 'sse down: could not connect');

# Not allowed: refused.
($r) = HubMcp::probe("$s->{base}/sse", '--transport', 'sse');
like($r->{error} // '', qr/internal .* not allowed/, 'sse internal address: refused');

$s->stop;
done_testing();
