# Two httpd hosts on one database probe each server once per interval,
# not once per host: the prober claims due servers with FOR UPDATE SKIP
# LOCKED and a lease.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubMcp;

# an MCP server that answers every probe (initialize, tools/list) and
# counts them by path: one path per registered server.  Its tools/list is
# slow (0.4 s), so claims of both hosts' ticks overlap while probes are
# under way: without the claim's lock and lease, servers get probed twice
my $peer = HubMcp::canned(sub {
    my ($req) = @_;
    return HubMcp::http(405, 'text/plain', '') if $req->{method} ne 'POST';
    my $rpc = $req->{rpc} || {};
    my $m = $rpc->{method} // '';
    return HubMcp::http(202, 'text/plain', '') unless defined $rpc->{id};
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $rpc->{id}, error => {
        code => -32601, message => 'no discover here' } }) if $m eq 'server/discover';
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $rpc->{id}, result => {
        protocolVersion => '2025-11-25', capabilities => { tools => {} },
        serverInfo => { name => 'counter', version => '1' } } }) if $m eq 'initialize';
    select(undef, undef, undef, 0.4) if $m eq 'tools/list';
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $rpc->{id}, result => {
        tools => [{ name => 'ping', description => 'answers pong to anything',
                    inputSchema => { type => 'object', properties => {} } }] } })
        if $m eq 'tools/list';
    return HubMcp::http_json(200, { jsonrpc => '2.0', id => $rpc->{id}, result => {} });
});

my $conf = "HubOutboundAllow 127.0.0.0/8\nHubProbeInterval 3600\nHubProbeTimeout 30";
my $one = HubTest->new(name => 'host_one', conf => $conf);
my $two = HubTest->new(name => 'host_two', conf => $conf, share => $one);
my $acme = $one->team("acme");
isnt($one->port, $two->port, 'two httpd hosts');

my $n = 12;
for my $i (1 .. $n) {
    my $r = $one->post('/api/v1/servers/', headers => { Authorization => "Bearer $acme->{key}" },
                       json => { name => "srv$i", endpoint => "$peer->{url}/s$i" });
    is($r->{status}, 201, "registered srv$i") unless $r->{status} == 201;
}
ok(HubTest::eventually(60, sub {
    $one->psql($one->db, "SELECT count(*) FROM servers WHERE health_status = 'healthy'") == $n }),
   "all $n servers probed and healthy");
sleep 3;   # both hosts' watchdogs tick a few more times
is($one->psql($one->db, "SELECT count(*) FROM probe_results"), $n,
   'exactly one probe per server in the interval, with two hosts ticking');
is($one->psql($one->db, "SELECT max(c) FROM (SELECT count(*) AS c FROM probe_results GROUP BY server_id) x"), 1,
   'no server probed twice');
my %per_path;
$per_path{ $_->{path} }++ for grep { ($_->{rpc_method} // '') eq 'tools/list' } @{ HubMcp::requests($peer) };
is(scalar(keys %per_path), $n, 'the peer saw every server');
my ($most) = sort { $b <=> $a } values %per_path;
is($most, 1, 'and listed each one only once');

$two->log_is_clean;
$one->log_is_clean;
done_testing;
