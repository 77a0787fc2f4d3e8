# The gateway keeps its upstream sessions: tools/calls through the hub to
# a 2025-era upstream (the SDK 1.x server, which logs every request) make
# one initialize per httpd child, not one per call, and reuse its
# Mcp-Session-Id; when the upstream forgets its sessions (restarted), the
# next call opens a new one and still answers.  A stdio upstream's process
# is kept the same way: started once per child, not once per call, and
# started again when it has died.
use strict;
use warnings;
use Test::More;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
# one probe at registration, then none for the test's life: what the
# upstream sees after that is the gateway's
# upstream credentials and a stdio server's env are stored encrypted
my $keydir = tempdir(CLEANUP => 1);
open my $kf, '>', "$keydir/secret.key" or die $!;
print $kf join('', map { sprintf '%02x', int rand 256 } 1 .. 32);
close $kf;
my $hub = HubTest->new(conf => join "\n",
    "HubSecretKeyFile $keydir/secret.key",
    'HubOutboundAllow 127.0.0.0/8',
    'HubStdioAllow node',
    'HubProbeInterval 3600');
my $a = $hub->team('acme');
my $dir = HubMcp::work_dir();
my $log = "$dir/requests.log";
my $up = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1, LOG => $log);
my $srv = HubGateway::register($hub, $a->{key}, { name => 'Up', endpoint => $up->{url} });
my $g = HubGateway::navigator($hub, $a->{key}, $srv);

my %ENV26 = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28',
             'io.modelcontextprotocol/clientCapabilities' => {});
sub call {
    my ($n) = @_;
    my $r = $hub->request(POST => $g->{path},
        headers => { 'x-api-key' => $g->{key}, 'MCP-Protocol-Version' => '2026-07-28',
                     'Mcp-Method' => 'tools/call', 'Mcp-Name' => 'up__legacy-001' },
        json => { jsonrpc => '2.0', id => $n, method => 'tools/call',
                  params => { name => 'up__legacy-001', arguments => { n => $n }, _meta => { %ENV26 } } });
    return $r->{json}{result}{content}[0]{text} // explain($r->{json});
}
sub seen {
    open my $fh, '<', $log or return [];
    return [ map { $HubMcp::JSON->decode($_) } <$fh> ];
}
sub count { my ($what, $from) = @_; scalar grep { ($_->{rpc} // '') eq $what } @{ seen() }[$from .. $#{ seen() }] }

my $children = 2;   # StartServers of the tests' httpd
my $from = scalar @{ seen() };
is_deeply([map { call($_) } 1 .. 10], [('called legacy-001') x 10], 'ten calls through the gateway');
is(count('tools/call', $from), 10, 'ten calls reached the upstream');
my $inits = count('initialize', $from);
ok($inits >= 1 && $inits <= $children, "over $inits initialize(s): one per httpd child at most, not one per call");
my %sessions = map { ($_->{session} // '') => 1 } grep { ($_->{rpc} // '') eq 'tools/call' } @{ seen() }[$from .. $#{ seen() }];
ok(keys %sessions <= $children && !$sessions{''}, '  each call in a kept session');
is(count('notifications/initialized', $from), $inits, '  each session opened properly');

# the upstream restarted: it knows none of those sessions
my $port = $up->{port};
$up->stop;
$up = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1, LOG => $log, PORT => $port);
$from = scalar @{ seen() };
is_deeply([map { call($_) } 11 .. 16], [('called legacy-001') x 6], 'after a restart of the upstream every call answers');
ok(count('initialize', $from) >= 1 && count('initialize', $from) <= $children, '  in new sessions');
my $calls = count('tools/call', $from);
ok($calls >= 6 && $calls <= 6 + $children,
   "  each forgotten session costing one refused try at most ($calls tries for 6 calls)");

# ---- a stdio upstream: its process kept ------------------------------------------
# where the server, run as httpd's user, can read its script and write
# its log
my $sdir = tempdir('hub-stdio-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0777, $sdir;
copy("$HubMcp::TOP/t/mcp/servers/sessionful.mjs", "$sdir/sessionful.mjs") or die "copy: $!";
chmod 0644, "$sdir/sessionful.mjs";
my $slog = "$sdir/starts.log";
my $r = $hub->post('/api/mcp/servers', headers => { Authorization => "Bearer $a->{key}" },
    json => { name => 'Local', command => 'node', args => ["$sdir/sessionful.mjs"],
              env => { STDIO => '1', TOOLS => '2', LOG => $slog,
                       HUB_NODE_MODULES => $HubMcp::NODE_MODULES } });
is($r->{status}, 201, 'a stdio upstream registered') or diag(explain($r->{json}));
my $sid = $r->{json}{id};
ok(HubTest::eventually(40, sub {
    $hub->psql($hub->db, "SELECT health_status FROM servers WHERE id = '$sid'") eq 'healthy' }),
   '  and probed');
my $gs = HubGateway::navigator($hub, $a->{key}, $sid);
sub starts { open my $fh, '<', $slog or return (); return map { $HubMcp::JSON->decode($_)->{started} } <$fh> }
sub scall {
    my ($n) = @_;
    my $r = $hub->request(POST => $gs->{path},
        headers => { 'x-api-key' => $gs->{key}, 'MCP-Protocol-Version' => '2026-07-28',
                     'Mcp-Method' => 'tools/call', 'Mcp-Name' => 'local__legacy-002' },
        json => { jsonrpc => '2.0', id => $n, method => 'tools/call',
                  params => { name => 'local__legacy-002', arguments => {}, _meta => { %ENV26 } } });
    return $r->{json}{result}{content}[0]{text} // explain($r->{json});
}
my @before = starts();
is_deeply([map { scall($_) } 1 .. 10], [('called legacy-002') x 10], 'ten calls to the stdio upstream');
my @all = starts();
my @started = @all[@before .. $#all];
ok(@started >= 1 && @started <= $children,
   scalar(@started) . " process start(s) for them: one per httpd child at most, not one per call");
kill 'KILL', @started;
is_deeply([map { scall($_) } 11 .. 14], [('called legacy-002') x 4], 'its processes killed: every call still answers');
my $again = scalar(starts()) - @all;
ok($again >= 1 && $again <= $children, "  in $again new process(es)");

ok($hub->log_is_clean, 'no unexpected errors in the log');

done_testing;
