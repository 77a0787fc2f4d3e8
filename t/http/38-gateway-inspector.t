# The official MCP Inspector (@modelcontextprotocol/inspector 0.15.0,
# --cli) on a navigator instance's endpoint, as an operator tries one:
# it lists the aggregated tools of two real upstreams (server-everything
# over Streamable HTTP and over stdio), calls echo and get-sum through
# both, and neither sees nor can call a tool disabled for the instance.
#
# The Inspector CLI sends no header over HTTP and replaces any URL's path
# with /mcp, so it cannot reach an authenticated /mcp/{instance} itself;
# it reaches it as MCP clients without header support do, through
# mcp-remote (a stdio-to-HTTP bridge, --header x-api-key:...).  Without
# the key the bridge is refused.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
my $NM = $HubMcp::NODE_MODULES;
-f "$NM/\@modelcontextprotocol/inspector/cli/build/cli.js" && -f "$NM/mcp-remote/dist/proxy.js"
    or die "the Inspector or mcp-remote is missing from $NM: ./tools/hub test installs t/mcp/package.json\n";
my $hub = HubTest->new(conf => join "\n",
    'HubOutboundAllow 127.0.0.0/8', 'HubStdioAllow node', 'HubProbeInterval 3600',
    '<Location /mcp>', '    HubMcpGateway On', '</Location>');
my $a = $hub->team('acme');
sub q1 { $hub->psql($hub->db, $_[0]) }

my $up = HubMcp::everything();
my $everything = "$NM/\@modelcontextprotocol/server-everything/dist/index.js";
my $http = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
my $stdio = HubGateway::register($hub, $a->{key},
                                 { name => 'everything-stdio', command => 'node', args => [$everything] });
my $g = HubGateway::navigator($hub, $a->{key}, $http, $stdio);
my $gz = q1("SELECT id FROM tools WHERE server_id = '$http' AND name = 'get-tiny-image'");
is($hub->request(PUT => "/caylex/api/v1/navigator-instances/$g->{instance}/tool-permissions",
                 headers => { Authorization => "Bearer $a->{key}" },
                 json => { permissions => [{ tool_id => $gz, mode => 'disabled' }] })->{status},
   200, 'get-tiny-image of the HTTP upstream disabled for the instance');

# mcp-remote keeps its OAuth state under this directory: the test's own
my $state = tempdir(CLEANUP => 1);
sub inspector {
    my ($key, @method) = @_;
    my @bridge = ('node', "$NM/mcp-remote/dist/proxy.js", $hub->base . $g->{path},
                  defined $key ? ('--header', "x-api-key:$key") : ());
    local $ENV{MCP_REMOTE_CONFIG_DIR} = $state;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>', "$state/stderr.log";
        exec 'timeout', '60', 'node', "$NM/\@modelcontextprotocol/inspector/cli/build/cli.js",
            '--cli', @bridge, @method;
        exit 127;
    }
    my $out = do { local $/; <$fh> };
    close $fh;
    my $rc = $? >> 8;
    return ($rc, scalar(eval { decode_json($out) }), $out . $hub->slurp("$state/stderr.log"));
}

my ($rc, $list, $raw) = inspector($g->{key}, '--method', 'tools/list');
is($rc, 0, 'the Inspector lists the tools') or diag($raw);
my %names = map { $_->{name} => 1 } @{ $list->{tools} || [] };
my $n = q1("SELECT count(*) FROM tools WHERE server_id IN ('$http', '$stdio')");
is(scalar keys %names, $n - 1, '  of both upstreams, less the disabled one');
ok($names{'everything__echo'} && $names{'everything-stdio__echo'}, '  named server__tool');
ok(!$names{'everything__get-tiny-image'}, '  the disabled tool is not listed');
ok($names{'everything-stdio__get-tiny-image'}, '  (the stdio upstream\'s is)');

for my $s ('everything', 'everything-stdio') {
    my ($rc1, $echo) = inspector($g->{key}, '--method', 'tools/call', '--tool-name', "${s}__echo",
                                 '--tool-arg', 'message=from the inspector');
    is($echo && $echo->{content}[0]{text}, 'Echo: from the inspector', "echo through the hub to $s");
    my ($rc2, $sum) = inspector($g->{key}, '--method', 'tools/call', '--tool-name', "${s}__get-sum",
                                '--tool-arg', 'a=2', 'b=40');
    like($sum && $sum->{content}[0]{text} // '', qr/\b42\b/, "get-sum through the hub to $s");
}
($rc, my $tiny, $raw) = inspector($g->{key}, '--method', 'tools/call', '--tool-name',
                                  'everything__get-tiny-image');
isnt($rc, 0, 'the disabled tool cannot be called');
like($raw, qr/Tool everything__get-tiny-image not found/, '  "Tool ... not found", as an unknown one') or diag($raw);

($rc) = inspector(undef, '--method', 'tools/list');
isnt($rc, 0, 'without the key the bridge is refused');
ok(HubTest::eventually(10, sub {
    q1("SELECT count(*) FROM mcp_calls WHERE method = 'tools/call' AND ok") == 4 }),
   'the four calls that went through are recorded');
ok($hub->log_is_clean, 'error log clean');
done_testing();
