# The gateway honours Caylex's project users.  When a caller came into
# the project through an auth link, a server of auth_level "user" serves
# them only while they are authenticated to its instance.  Revoking that
# (POST /projects/{id}/users/{user_id}) takes its tools from them at
# once: they are no longer listed or callable.  The project's other
# servers, other callers and the navigator's own keys are unaffected.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
my $hub = HubTest->new(conf => join "\n",
    'HubOutboundAllow 127.0.0.0/8', 'HubProbeInterval 3600',
    '<Location /mcp>', '    HubMcpGateway On', '</Location>');
my $a = $hub->team('acme');
my $C = '/caylex/api/v1';
sub q1 { $hub->psql($hub->db, $_[0]) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$C$p", headers => { Authorization => "Bearer $k" }, @o) }

# two real upstreams: one each user has to authenticate to, one for the project
my $up = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1);
my %S;
for my $s (['Wiki', 'user'], ['Docs', 'project']) {
    my $r = cx($a->{key}, POST => '/servers/noauth',
               json => { name => $s->[0], endpoint => $up->{url}, description => $s->[0],
                         auth_level => $s->[1], transport => 'streamable_http' });
    is($r->{status}, 200, "$s->[0] ($s->[1] level) registered") or diag(explain($r->{json}));
    $S{$s->[0]} = $r->{json}{id};
    ok(HubTest::eventually(40, sub { q1("SELECT health_status FROM servers WHERE id = '$S{$s->[0]}'") eq 'healthy' }),
       '  and probed');
}
my $g = HubGateway::navigator($hub, $a->{key}, $S{Wiki}, $S{Docs});
my $wiki = q1("SELECT id FROM server_instances WHERE server_id = '$S{Wiki}' AND project_id = '$g->{project}'");

# carol comes in through a user link of the Wiki
my $r = cx($a->{key}, POST => "/projects/$g->{project}/auth-links/user",
           json => { server_instances => [$wiki], domain => 'partner.test', link_expires_at => '2099-01-01T00:00:00Z' });
my ($link, $token) = ($r->{json}{invite_link} // '') =~ /auth_link_id=([^&]+)&token=(hubl_[A-Za-z0-9_-]+)/;
ok($link && $token, 'a user link for the Wiki');
$hub->hubctl('create-team', 'partner');
$hub->hubctl('create-user', 'carol@partner.test');
$hub->hubctl('add-member', 'partner', 'carol@partner.test', 'owner');
my $home = $hub->hubctl('create-key', 'partner', '--user', 'carol@partner.test', '--scopes', 'operator.read');
$r = cx($home, POST => '/invite/complete',
        json => { auth_link_id => $link, token => $token, user_email => 'carol@partner.test',
                  descope_user_id => 'D-carol', oauth_servers => [], header_servers => [], path_servers => [] });
is($r->{status}, 200, 'carol completes it') or diag(explain($r->{json}));
my $carol = $hub->hubctl('create-key', 'acme', '--user', 'carol@partner.test', '--scopes', 'operator.read');
my $carol_id = q1("SELECT id FROM users WHERE email = 'carol\@partner.test'");
my $pu = q1("SELECT id FROM project_users WHERE user_id = '$carol_id'");
ok($pu, '  a user of the project, authenticated to the Wiki');

my %ENV26 = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28',
             'io.modelcontextprotocol/clientCapabilities' => {});
sub rpc {
    my ($key, $method, $params) = @_;
    my $r = $hub->request(POST => $g->{path},
        headers => { 'x-api-key' => $key, 'MCP-Protocol-Version' => '2026-07-28', 'Mcp-Method' => $method,
                     $params && $params->{name} ? ('Mcp-Name' => $params->{name}) : () },
        json => { jsonrpc => '2.0', id => 1, method => $method, params => { %{ $params || {} }, _meta => { %ENV26 } } });
    return $r->{json};
}
sub names { join ',', sort map { $_->{name} } @{ rpc($_[0], 'tools/list')->{result}{tools} // [] } }
my $all = 'docs__legacy-001,docs__legacy-002,wiki__legacy-001,wiki__legacy-002';
is(names($carol), $all, "carol's tools/list: both servers'");
is(rpc($carol, 'tools/call', { name => 'wiki__legacy-001' })->{result}{content}[0]{text}, 'called legacy-001',
   '  and she calls the Wiki');

$r = cx($a->{key}, POST => "/projects/$g->{project}/users/$pu", json => { server_instance_ids => [$wiki] });
is($r->{status}, 200, "the operator revokes carol's Wiki") or diag(explain($r->{json}));
is(names($carol), 'docs__legacy-001,docs__legacy-002', "carol's tools/list: the Wiki's are gone");
is(rpc($carol, 'tools/call', { name => 'wiki__legacy-001' })->{error}{code}, -32602,
   '  and calling one is "not found", at once');
is(rpc($carol, 'tools/call', { name => 'docs__legacy-002' })->{result}{content}[0]{text}, 'called legacy-002',
   '  the project-level server still serves her');
is(names($a->{key}), $all, "the owner's credential (no project user) still sees the Wiki");
is(names($g->{key}), $all, "so does the navigator's own key");

ok($hub->log_is_clean, 'error log clean');
done_testing();
