# The prober against real MCP servers: a registered server is probed by
# mod_watchdog within seconds, its real tools are stored, its health and
# uptime follow the probes, a changed tool set writes a tool-change event,
# credentials reach the upstream decrypted, and an internal address that
# the operator did not allow is never contacted.
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

my $hub = HubTest->new(conf => join "\n",
    "HubSecretKeyFile $dir/secret.key",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2',
    'HubProbeTimeout 3',
    'HubProbeThresholds 1 2');
my $a = $hub->team('acme');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub server { my ($slug) = @_;
    (grep { $_->{slug} eq $slug } @{ $hub->get('/api/v1/servers/', auth($a->{key}))->{json} })[0] }
sub q1 { $hub->psql($hub->db, $_[0]) }

# server-everything, registered through Patchwork
my $every = HubMcp::everything();
my $r = $hub->post('/api/v1/servers/', auth($a->{key}),
                   json => { name => 'everything', endpoint => $every->{url} });
is($r->{status}, 201, 'registered server-everything');
is($r->{json}{health_status}, 'unknown', 'not probed yet');
ok(HubTest::eventually(15, sub { (server('everything') || {})->{health_status} eq 'healthy' }),
   'the prober found it healthy within seconds');
is(q1("SELECT count(*) FROM tools t JOIN servers s ON s.id = t.server_id WHERE s.slug = 'everything'"), 13,
   'its 13 real tools are stored');
is(q1("SELECT count(*) FROM tools WHERE name = 'echo' AND input_schema->>'type' = 'object'"), 1,
   "with their input schemas (echo's is an object)");
is(q1("SELECT protocol_version FROM servers WHERE slug = 'everything'"), '2025-11-25', 'the era negotiated');
my $up = server('everything')->{uptime_24h};
ok(defined $up && $up == 1, 'uptime_24h 1 after good probes');
is(q1("SELECT count(*) FROM tool_changes"), 0, 'the first listing is not a change');

# the same real server registered through GoClaw and through Caylex: each
# is probed and lists its real tools through its own profile
$r = $hub->post('/v1/mcp/servers', auth($a->{key}),
                json => { name => 'every-gc', transport => 'streamable-http', url => $every->{url} });
is($r->{status}, 201, 'registered through GoClaw');
my $gcid = $r->{json}{id};
$r = $hub->post('/caylex/api/v1/servers/noauth', auth($a->{key}),
                json => { name => 'every-cx', endpoint => $every->{url}, description => 'd',
                          auth_level => 'project', transport => 'streamable_http' });
is($r->{status}, 200, 'registered through Caylex');
my $cxid = $r->{json}{id};
ok(HubTest::eventually(15, sub {
       q1("SELECT count(*) FROM servers WHERE slug IN ('every-gc', 'every-cx') AND health_status = 'healthy'") == 2 }),
   'both probed healthy');
$r = $hub->get("/v1/mcp/servers/$gcid/tools", auth($a->{key}));
is(scalar @{ $r->{json}{tools} || [] }, 13, 'GoClaw lists the 13 real tools');
$r = $hub->get("/caylex/api/v1/servers/$cxid/tools", auth($a->{key}));
is(scalar @{ $r->{json}{tools} || [] }, 13, 'Caylex lists the 13 real tools');
ok((grep { $_->{name} eq 'echo' } @{ $r->{json}{tools} || [] }), '  echo among them');

# on demand
$r = $hub->post('/api/v1/servers/everything/probe/', auth($a->{key}));
is($r->{status}, 200, 'trigger a probe');
is_deeply($r->{json}, { server_slug => 'everything', status => 'queued',
                        message => "probe scheduled; its result shows in the server's health_status within seconds" },
          'ProbeResultOut, at once');
is($hub->post('/api/v1/servers/nope/probe/', auth($a->{key}))->{status}, 404, 'unknown slug: 404');
my $b = $hub->team('bravo');
is($hub->post('/api/v1/servers/everything/probe/', auth($b->{key}))->{status}, 404,
   "another tenant's server: 404");

# a tool set that changes: our stateless server with 3, then 5 tools on one port
my $port = HubMcp::free_port();
my $s3 = HubMcp::node_server('stateless.mjs', PORT => $port, TOOLS => 3);
$r = $hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'moving', endpoint => $s3->{url} });
is($r->{status}, 201, 'registered a 2026-era server');
ok(HubTest::eventually(15, sub { q1("SELECT tool_count FROM servers WHERE slug = 'moving'") == 3 }),
   'probed: 3 tools');
is(q1("SELECT protocol_version FROM servers WHERE slug = 'moving'"), '2026-07-28', 'the stateless era');
$s3->stop;
my $s5 = HubMcp::node_server('stateless.mjs', PORT => $port, TOOLS => 5);
ok(HubTest::eventually(15, sub { q1("SELECT tool_count FROM servers WHERE slug = 'moving'") == 5 }),
   'the next probe sees 5 tools');
is(q1("SELECT added::text || ' ' || removed::text || ' ' || tool_count_before || '>' || tool_count_after
         FROM tool_changes"), '{tool-004,tool-005} {} 3>5', 'one tool-change event: two added');

# down, then degraded and down by the thresholds, then back
$s5->stop;
ok(HubTest::eventually(20, sub { (server('moving') || {})->{health_status} eq 'down' }),
   'a server that stops answering goes down (after 2 failures)');
ok(q1("SELECT uptime_24h < 1 FROM servers WHERE slug = 'moving'") eq 't', 'and its uptime drops');
like(q1("SELECT last_error FROM servers WHERE slug = 'moving'"), qr/\S/, 'with the error kept');
is(q1("SELECT tool_count FROM servers WHERE slug = 'moving'"), 5, 'its last known tools stay');
my $back = HubMcp::node_server('stateless.mjs', PORT => $port, TOOLS => 5);
ok(HubTest::eventually(15, sub { (server('moving') || {})->{health_status} eq 'healthy' }),
   'and healthy again when it is back');

# 401 from the upstream is reachable-but-unauthorised, and credentials
# reach it decrypted: a canned server that wants a bearer token
my $guard = HubMcp::canned(sub {
    my ($req) = @_;
    return HubMcp::http(401, 'application/json', '{"error":"unauthorized"}');
});
$r = $hub->post('/caylex/api/v1/servers/header', auth($a->{key}),
                json => { name => 'guarded', endpoint => $guard->{url}, description => 'd',
                          auth_level => 'project', transport => 'streamable_http',
                          headers => [{ header_name => 'Authorization', header_value_prefix => 'Bearer ',
                                        header_value => 's3cret-upstream-token' }] });
is($r->{status}, 200, 'registered a server with a header secret (Caylex answers 200)') or diag($r->{content});
ok(HubTest::eventually(15, sub { q1("SELECT health_status FROM servers WHERE slug = 'guarded'") eq 'unauthorized' }),
   '401 upstream: unauthorized, not down');
my @seen = @{ HubMcp::requests($guard) };
ok(@seen && (grep { ($_->{headers}{authorization} // '') eq 'Bearer s3cret-upstream-token' } @seen),
   'the upstream got the decrypted credential with its prefix');
unlike(q1("SELECT string_agg(row(s.*)::text, ',') FROM servers s") . $hub->slurp($hub->error_log_path),
       qr/s3cret-upstream-token/, 'the credential is in no table and no log');

# an internal address the operator did not allow is refused without contact
my $hidden = HubMcp::canned(sub { HubMcp::http(200, 'text/plain', 'should never be asked') });
my $other = HubTest->new(name => 'probe_closed', conf => "HubProbeInterval 2");
my $o = $other->team('solo');
$other->post('/api/v1/servers/', headers => { Authorization => "Bearer $o->{key}" },
             json => { name => 'inside', endpoint => $hidden->{url} =~ s/127\.0\.0\.1/localhost/r });
ok(HubTest::eventually(15, sub {
    $other->psql($other->db, "SELECT last_error FROM servers WHERE slug = 'inside'") =~ /internal/ }),
   'without HubOutboundAllow a loopback endpoint is refused');
is(scalar @{ HubMcp::requests($hidden) }, 0, "and never contacted");
$other->log_is_clean(qr/HUB00310/);

$hub->log_is_clean;
done_testing;
