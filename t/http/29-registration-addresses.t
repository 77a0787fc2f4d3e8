# A server whose endpoint is a literal internal address outside
# HubOutboundAllow is refused when it is registered, by every profile
# that registers servers, on create and on update, in the profile's
# envelope and naming the directive; nothing is stored.  An allowed
# range (loopback here) is accepted.  DNS names are judged when the hub
# connects (21-probing.t, 22-tools-quality.t).
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new(conf => 'HubOutboundAllow 127.0.0.0/8');
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub req { my ($m, $p, @o) = @_; $hub->request($m, $p, auth($a->{key}), @o) }
sub count { $hub->psql($hub->db, 'SELECT count(*) FROM servers') }

my @refused = ('http://169.254.169.254/latest', 'http://10.0.0.5/', 'http://[fd00::1]/',
               'http://0xa9fea9fe/latest', 'https://192.168.1.1:8443/mcp');
my $ok = 'http://127.0.0.1:9/mcp';

sub refused {
    my ($r, $what, $envelope) = @_;
    ok($r->{status} >= 400 && $r->{status} < 500, "$what: 4xx") or diag("$r->{status} $r->{content}");
    like($r->{content} // '', qr/HubOutboundAllow/, "  ... naming HubOutboundAllow");
    ok($envelope->($r->{json} // {}), "  ... in the profile's envelope") or diag($r->{content});
}
my $detail = sub { defined $_[0]{detail} };
my $gc_err = sub { !ref $_[0]{error} && length($_[0]{error} // '') };
my $th_err = sub { ref $_[0]{error} eq 'HASH' && length($_[0]{error}{message} // '') };

# ---- creating -----------------------------------------------------------
my $n = count();
my $i = 0;
for my $url (@refused) {
    $i++;
    refused(req(POST => '/api/v1/servers/', json => { name => "pw$i", endpoint => $url }),
            "patchwork $url", $detail);
    refused(req(POST => '/api/mcp/servers', json => { name => "th$i", url => $url }),
            "toolhub $url", $th_err);
    refused(req(POST => '/v1/mcp/servers', json => { name => "gc$i", transport => 'sse', url => $url }),
            "goclaw $url", $gc_err);
    refused(req(POST => "$CX/servers/noauth", json => { name => "cx$i", endpoint => $url, description => undef,
                                                          auth_level => 'project', transport => 'sse' }),
            "caylex $url", $detail);
}
is(count(), $n, 'nothing was stored');

# ---- the allowed range ----------------------------------------------------
my $r = req(POST => '/api/v1/servers/', json => { name => 'pw-ok', endpoint => $ok });
is($r->{status}, 201, 'patchwork: an allowed loopback address is accepted');
$r = req(POST => '/api/mcp/servers', json => { name => 'th-ok', url => $ok });
is($r->{status}, 201, 'toolhub: accepted');
$r = req(POST => '/v1/mcp/servers', json => { name => 'gc-ok', transport => 'sse', url => $ok });
is($r->{status}, 201, 'goclaw: accepted');
my $gc = $r->{json}{id};
$r = req(POST => "$CX/servers/noauth", json => { name => 'cx-ok', endpoint => $ok, description => undef,
                                                   auth_level => 'project', transport => 'sse' });
is($r->{status}, 200, 'caylex: accepted');
my $cx = $r->{json}{id};
$r = req(POST => '/api/v1/servers/', json => { name => 'by-name', endpoint => 'https://mcp.example.com/mcp' });
is($r->{status}, 201, 'a DNS name is not judged at registration');

# ---- updating and cloning ---------------------------------------------------
$n = count();
for my $url (@refused) {
    refused(req(PUT => "/v1/mcp/servers/$gc", json => { url => $url }), "goclaw update $url", $gc_err);
    refused(req(PATCH => "$CX/servers/$cx", json => { endpoint => $url }), "caylex update $url", $detail);
    refused(req(POST => "$CX/servers/$cx/clone", json => { name => 'copy', endpoint => $url }),
            "caylex clone $url", $detail);
}
is(count(), $n, 'no clone was stored');
is($hub->psql($hub->db, "SELECT string_agg(endpoint, ' ' ORDER BY slug) FROM servers WHERE slug IN ('gc-ok', 'cx-ok')"),
   "$ok $ok", 'no endpoint was changed');
is(req(PUT => "/v1/mcp/servers/$gc", json => { url => 'http://127.0.0.2:9/mcp' })->{status}, 200,
   'goclaw: an update inside the allowed range');
is(req(PATCH => "$CX/servers/$cx", json => { endpoint => 'http://127.0.0.2:9/mcp' })->{status}, 200,
   'caylex: an update inside the allowed range');

$hub->log_is_clean;
done_testing;
