# stdio MCP servers run by the prober: server-everything registered through
# Tool Hub with a command the operator allows (HubStdioAllow node) is
# started, listed (13 real tools) and ended; a command not on the list is
# refused at registration; one allowed once but no longer is not started;
# one that never answers times out and leaves no process behind; "env"
# values reach the child decrypted, and only they (and PATH).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;

HubMcp::require_peers();
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
open my $kf, '>', "$dir/secret.key" or die;
print $kf join('', map { sprintf '%02x', int rand 256 } 1 .. 32);
close $kf;
my $out = tempdir(CLEANUP => 1);         # the children write here (httpd's user)
chmod 0777, $out;
my $everything = "$HubMcp::NODE_MODULES/\@modelcontextprotocol/server-everything/dist/index.js";
my $marker = 1000 + int rand 8000;       # the silent server's sleep

my $hub = HubTest->new(conf => join "\n",
    "HubSecretKeyFile $dir/secret.key",
    'HubStdioAllow node sleep sh',
    'HubProbeInterval 2',
    'HubProbeTimeout 5',
    'HubProbeThresholds 1 2');
my $a = $hub->team('acme');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
sub th_server { my ($id) = @_;
    (grep { $_->{id} eq $id } @{ $hub->get('/api/mcp/servers', auth($a->{key}))->{json} || [] })[0] || {} }

# server-everything over stdio
my $r = $hub->post('/api/mcp/servers', auth($a->{key}),
                   json => { name => 'everything-stdio', command => 'node', args => [$everything],
                             env => { HUB_TEST_TOKEN => 'tok-s3cret-value' } });
is($r->{status}, 201, 'Tool Hub: a stdio server with an allowed command') or diag(explain($r->{json}));
my $id = $r->{json}{id};
is($r->{json}{status}, 'pending', '  pending until probed');
ok(HubTest::eventually(30, sub { q1("SELECT health_status FROM servers WHERE id = '$id'") eq 'healthy' }),
   'the prober ran it and found it healthy')
    or diag(q1("SELECT last_error FROM servers WHERE id = '$id'"));
is(q1("SELECT count(*) FROM tools WHERE server_id = '$id'"), 13, 'its 13 real tools are stored');
is(q1("SELECT count(*) FROM tools WHERE server_id = '$id' AND name = 'echo'"), 1, '  echo among them');
is(q1("SELECT tool_count FROM servers WHERE id = '$id'"), 13, '  tool_count 13');
like(q1("SELECT protocol_version FROM servers WHERE id = '$id'"), qr/^\d{4}-\d\d-\d\d$/, '  a protocol version');
is(th_server($id)->{status}, 'connected', 'Tool Hub shows it connected');
my $good = q1("SELECT count(*) FROM probe_results WHERE server_id = '$id' AND ok");
ok($good >= 1, 'the probe is recorded');
# every probe ends its child: once the server is no longer probed, no
# process of it is left (found by the env value only this test gives it;
# other tests run server-everything at the same time)
sub children_alive {
    my $n = 0;
    for my $env (glob '/proc/[0-9]*/environ') {
        open my $fh, '<', $env or next;
        local $/;
        my $e = <$fh> // '';
        $n++ if $e =~ /(?:^|\0)HUB_TEST_TOKEN=tok-s3cret-value(?:\0|$)/;
    }
    return $n;
}
q1("UPDATE servers SET enabled = false WHERE id = '$id'");
ok(defined HubTest::eventually(12, sub { children_alive() == 0 }),
   'no server-everything process of this server left behind');
q1("UPDATE servers SET enabled = true WHERE id = '$id'");

# Tool Hub's live health check runs it too, as the prober would
$r = $hub->get("/api/mcp/servers/$id/health", auth($a->{key}));
is($r->{status}, 200, 'live health of a stdio server');
is($r->{json}{status}, 'healthy', '  healthy: it was started and listed its tools');
like($r->{json}{latency_ms}, qr/^\d+$/, '  with its latency');

# on demand too
$r = $hub->post('/api/v1/servers/everything-stdio/probe/', auth($a->{key}));
is($r->{json}{status}, 'queued', 'a stdio server can be probed on demand');

# the environment: PATH and the decrypted env values, nothing else
$r = $hub->post('/api/mcp/servers', auth($a->{key}),
                json => { name => 'env-dump', command => 'sh',
                          args => ['-c', "env > $out/env.txt; cat >/dev/null"],
                          env => { HUB_TEST_TOKEN => 'tok-s3cret-value' } });
is($r->{status}, 201, 'a stdio server that writes its environment');
my $eid = $r->{json}{id};
ok(HubTest::eventually(20, sub { -s "$out/env.txt" && q1("SELECT last_check_at IS NOT NULL FROM servers WHERE id = '$eid'") eq 't' }),
   '  it was run');
my %env = do { open my $fh, '<', "$out/env.txt" or die; map { chomp; split /=/, $_, 2 } grep { /=/ } <$fh> };
delete @env{qw(PWD SHLVL _)};                     # set by sh itself
is_deeply([ sort keys %env ], [ 'HUB_TEST_TOKEN', 'PATH' ], '  its environment: PATH and its env only');
is($env{HUB_TEST_TOKEN}, 'tok-s3cret-value', '  the value decrypted');
like(q1("SELECT last_error FROM servers WHERE id = '$eid'"), qr/timeout/, '  (it never answers: a timeout)');
$hub->request('DELETE', "/api/mcp/servers/$eid", auth($a->{key}));

# a command not on the allowlist: refused at registration
$r = $hub->post('/api/mcp/servers', auth($a->{key}),
                json => { name => 'evil', command => 'bash', args => ['-c', "touch $out/pwned"] });
is($r->{status}, 400, 'a command not allowed: 400');
is($r->{json}{error}{code}, 'STDIO_NOT_ALLOWED', '  STDIO_NOT_ALLOWED');

# allowed once, no longer: not started, the probe records why
my $tid = q1("SELECT tenant_id FROM servers WHERE id = '$id'");
my $oid = q1("INSERT INTO servers (tenant_id, slug, name, mode, transport, command, args)"
             . " VALUES ('$tid', 'was-allowed', 'was allowed', 'stdio', 'stdio', 'bash',"
             . " '[\"-c\", \"touch $out/pwned\"]') RETURNING id");
ok(HubTest::eventually(15, sub { q1("SELECT last_check_at IS NOT NULL FROM servers WHERE id = '$oid'") eq 't' }),
   'a command no longer allowed: probed');
like(q1("SELECT last_error FROM servers WHERE id = '$oid'"), qr/not allowed by HubStdioAllow/, '  recorded as an error');
isnt(q1("SELECT health_status FROM servers WHERE id = '$oid'"), 'healthy', '  not healthy');
ok(!-e "$out/pwned", '  and never started');

# one that never answers: a timeout, and no process left behind
$r = $hub->post('/api/mcp/servers', auth($a->{key}),
                json => { name => 'silent', command => 'sleep', args => ["$marker"] });
is($r->{status}, 201, 'a silent stdio server (sleep)');
my $sid = $r->{json}{id};
ok(HubTest::eventually(8, sub { system("pgrep -f '^sleep $marker\$' >/dev/null") == 0 }),
   '  the prober started it');
ok(HubTest::eventually(20, sub { q1("SELECT last_check_at IS NOT NULL FROM servers WHERE id = '$sid'") eq 't' }),
   '  its probe ended');
like(q1("SELECT last_error FROM servers WHERE id = '$sid'"), qr/timeout/, '  with a timeout');
like(q1("SELECT health_status FROM servers WHERE id = '$sid'"), qr/^(degraded|down)$/, '  not healthy');
is(system("pgrep -f '^sleep $marker\$' >/dev/null"), 256, '  and no sleep process left behind');
$hub->request('DELETE', "/api/mcp/servers/$sid", auth($a->{key}));
sleep 1;
is(system("pgrep -f '^sleep $marker\$' >/dev/null"), 256, '  none after it is deleted either');

# a server that forks (as npx and other wrappers do): its whole process
# group ends with the probe, grandchild included
my ($m2, $m3) = (10000 + int rand 8000, 20000 + int rand 8000);
$r = $hub->post('/api/mcp/servers', auth($a->{key}),
                json => { name => 'forker', command => 'sh',
                          args => ['-c', "sleep $m2 & exec sleep $m3"] });
is($r->{status}, 201, 'a stdio server that forks a grandchild');
my $fid = $r->{json}{id};
ok(HubTest::eventually(8, sub { system("pgrep -f '^sleep $m2\$' >/dev/null") == 0 }),
   '  the prober started it and its grandchild');
ok(HubTest::eventually(20, sub { q1("SELECT last_check_at IS NOT NULL FROM servers WHERE id = '$fid'") eq 't' }),
   '  its probe ended');
q1("UPDATE servers SET enabled = false WHERE id = '$fid'");
ok(defined HubTest::eventually(5, sub {
       system("pgrep -f '^sleep ($m2|$m3)\$' >/dev/null") == 256 }),
   '  and neither the child nor the grandchild is left');

# the hub is fine, the secret value is in no log or table
is($hub->get('/health')->{status}, 200, 'the hub is healthy');
unlike($hub->slurp($hub->error_log_path), qr/tok-s3cret-value/, 'the env value is not in the log');
unlike(q1("SELECT string_agg(secrets::text || coalesce(last_error, ''), ' ') FROM servers"), qr/tok-s3cret-value/,
       'nor in the servers table');
$hub->log_is_clean;
done_testing();
