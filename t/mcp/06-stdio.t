# The stdio transport: the hub's MCP client runs a server as a child
# process (no shell, an environment of PATH and the given entries only)
# and speaks newline-delimited JSON-RPC on its stdin and stdout.  Against
# server-everything in stdio mode, and against processes that fail: one
# that never answers (timeout, and no process left behind), one that exits,
# one that writes garbage, one that is not there.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use HubMcp;

HubMcp::require_peers();
my $everything = "$HubMcp::NODE_MODULES/\@modelcontextprotocol/server-everything/dist/index.js";
my $dir = tempdir(CLEANUP => 1);

my ($r, $exit, $secs) = HubMcp::probe('--timeout-ms', 20000, '--stdio', 'node', $everything);
ok($r->{ok}, 'server-everything over stdio: ok') or diag($r->{error});
is($exit, 0, '  exit 0');
is(scalar @{ $r->{tools} || [] }, 13, '  its 13 tools');
ok((grep { $_ eq 'echo' } @{ HubMcp::tool_names($r) }), '  echo among them');
is($r->{server_name}, 'mcp-servers/everything', '  the server name from initialize');
like($r->{protocol_version} // '', qr/^\d{4}-\d\d-\d\d$/, '  a protocol version negotiated');
is($r->{http_status}, 0, '  no HTTP status');

# the environment: PATH plus the given entries, nothing inherited
{
    local $ENV{HUB_SHOULD_NOT_LEAK} = 'leaked';
    my $script = join '; ',
        "env > $dir/env.txt",
        'read line',
        'printf \'%s\n\' \'{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"sh","version":"0"}}}\'',
        'read line; read line',
        'printf \'%s\n\' \'{"jsonrpc":"2.0","method":"notifications/message","params":{}}\'',
        'printf \'%s\n\' \'{"jsonrpc":"2.0","id":"s1","method":"ping"}\'',
        'read pong; echo "$pong" > ' . "$dir/pong.txt",
        'printf \'%s\n\' \'{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"a","inputSchema":{"type":"object"}}],"nextCursor":"c1"}}\'',
        'read line',
        'printf \'%s\n\' \'{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"b","inputSchema":{"type":"object"}}]}}\'',
        'cat > /dev/null';
    ($r, $exit) = HubMcp::probe('--timeout-ms', 5000, '--env', 'TOKEN=s3cret', '--stdio', 'sh', '-c', $script);
    ok($r->{ok}, 'a scripted server: ok') or diag($r->{error});
    is_deeply(HubMcp::tool_names($r), ['a', 'b'], '  tools of both pages (pagination)');
    is($r->{pages}, 2, '  two pages');
    open my $fh, '<', "$dir/env.txt" or die;
    my %env = map { chomp; split /=/, $_, 2 } grep { /=/ } <$fh>;
    close $fh;
    delete $env{PWD}; delete $env{SHLVL}; delete $env{_};   # set by sh itself
    is_deeply([ sort keys %env ], [ 'PATH', 'TOKEN' ], '  the environment is PATH and the given entries only');
    is($env{TOKEN}, 's3cret', '  with their values');
    open $fh, '<', "$dir/pong.txt" or die;
    my $pong = <$fh>;
    like($pong // '', qr/"id":"s1".*"result":\{\}/, "  the server's ping answered");
}

# never answers: a timeout, and the child is gone afterwards
my $marker = 1000 + int rand 8000;
($r, $exit, $secs) = HubMcp::probe('--timeout-ms', 1500, '--stdio', 'sleep', $marker);
ok(!$r->{ok}, 'silent: not ok');
is($exit, 1, '  exit 1');
like($r->{error} // '', qr/timeout/, '  a timeout') or diag($r->{error});
ok($secs < 6, "  within the timeout and the kill grace (${secs}s)");
is(system("pgrep -f '^sleep $marker\$' >/dev/null"), 256, '  no process left behind');

# ignores SIGTERM: killed all the same
($r, $exit, $secs) = HubMcp::probe('--timeout-ms', 1000, '--stdio', 'sh', '-c', "trap '' TERM; exec sleep $marker");
ok(!$r->{ok}, 'deaf to SIGTERM: not ok');
is(system("pgrep -f '^sleep $marker\$' >/dev/null"), 256, '  SIGKILL: no process left behind');

# exits at once
($r, $exit) = HubMcp::probe('--timeout-ms', 5000, '--stdio', 'false');
ok(!$r->{ok}, 'exits: not ok');
like($r->{error} // '', qr/ended its output/, '  the output ended');

# garbage
($r, $exit) = HubMcp::probe('--timeout-ms', 5000, '--stdio', 'sh', '-c', 'echo "<html>hello</html>"; cat >/dev/null');
ok(!$r->{ok}, 'garbage: not ok');
like($r->{error} // '', qr/not a JSON-RPC message/, '  says so');

# a JSON-RPC error to initialize
($r, $exit) = HubMcp::probe('--timeout-ms', 5000, '--stdio', 'sh', '-c',
    'read l; printf \'%s\n\' \'{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"unsupported"}}\'; cat >/dev/null');
like($r->{error} // '', qr/initialize: JSON-RPC error -32602: unsupported/, 'an error to initialize: reported');

# not there; no shell, so no shell syntax either
($r, $exit) = HubMcp::probe('--stdio', 'no-such-command-here');
like($r->{error} // '', qr/not found/, 'a missing command: not found');
($r, $exit) = HubMcp::probe('--stdio', 'echo hi; true');
like($r->{error} // '', qr/not found/, 'no shell: a command line is one program name');

done_testing();
