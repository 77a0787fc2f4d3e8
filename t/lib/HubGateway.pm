# What the gateway's tests share: upstream servers registered and probed,
# a project, a navigator connected to it, and the instance's key.
package HubGateway;
use strict;
use warnings;
use Test::More;
use HubTest;

my $CX = '/caylex/api/v1';
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }

# register(HUB, KEY, { name, endpoint } | { name, command, args }) -> id,
# waiting until the prober has listed its tools
sub register {
    my ($hub, $key, $s) = @_;
    my $r = $s->{command}
        ? $hub->post('/api/mcp/servers', auth($key), json => $s)
        : $hub->post('/api/v1/servers/', auth($key), json => $s);
    is($r->{status}, 201, "server $s->{name} registered") or diag(explain($r->{json}));
    my $id = $r->{json}{id};
    ok(HubTest::eventually(40, sub {
        $hub->psql($hub->db, "SELECT health_status FROM servers WHERE id = '$id'") eq 'healthy' }),
       "  and probed healthy")
        or diag($hub->psql($hub->db, "SELECT last_error FROM servers WHERE id = '$id'"));
    return $id;
}

# navigator(HUB, KEY, SERVER_IDS...) -> { project, navigator, instance, key, path }
sub navigator {
    my ($hub, $key, @servers) = @_;
    my $cx = sub { my ($m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($key), @o) };
    my %g;
    $g{project} = $cx->(POST => '/projects', json => { name => 'Agents ' . int rand 1e6 })->{json}{id};
    for my $s (@servers) {
        $cx->(POST => "/servers/$s/connections", json => { project_ids => [$g{project}] });
    }
    $g{navigator} = $cx->(POST => '/navigators', json => { name => 'Support Bot ' . int rand 1e6 })->{json}{id};
    $cx->(POST => "/navigators/$g{navigator}/connections", json => { project_ids => [$g{project}] });
    ($g{instance}) = map { $_->{navigator_instance_id} }
        @{ $cx->(GET => "/navigators/$g{navigator}/connections")->{json}{connections} };
    $g{key} = $cx->(POST => "/navigator-instances/$g{instance}/api-keys", json => { name => 'agent' })->{json}{key};
    ok($g{instance} && $g{key}, 'a navigator instance on the project, with its key');
    $g{path} = "/mcp/$g{instance}";
    return \%g;
}

1;
