# The identity cache and httpd's own AAA: resolved credentials are shared
# by the children for HubAuthCacheTTL seconds (a revocation made behind the
# hub's back shows within that time, one made through the hub at once),
# and any Location can be protected with AuthType Hub + Require hub-*.
use strict;
use warnings;
use Test::More;
use HubTest;

my $conf = <<'CONF';
Alias /protected "/etc/hostname"
<Location /protected>
    AuthType Hub
    # a caller who is known but not allowed gets 403, not a new 401
    AuthzSendForbiddenOnFailure On
    <RequireAny>
        Require hub-role admin
        Require hub-scope operator.approvals
    </RequireAny>
</Location>
Alias /acme-only "/etc/hostname"
<Location /acme-only>
    AuthType Hub
    AuthzSendForbiddenOnFailure On
    Require hub-team acme
</Location>
CONF
my $hub = HubTest->new(conf => "LoadModule alias_module \${HUB_SYSTEM_MODULES_DIR}/mod_alias.so\n$conf");
my $acme = $hub->team('acme');
my $bravo = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $appr = $hub->hubctl('create-key', 'bravo', '--scopes', 'operator.approvals');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }

# authz providers on a plain file
my $r = $hub->get('/protected');
is($r->{status}, 401, 'AuthType Hub: no credentials, 401');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/, 'with WWW-Authenticate: Bearer');
is($hub->get('/protected', auth('hub_bogus'))->{status}, 401, 'a bad key: 401');
is($hub->get('/protected', auth($acme->{key}))->{status}, 200, 'hub-role admin: an admin key passes');
is($hub->get('/protected', auth($ro))->{status}, 403, 'a read-only key: 403');
is($hub->get('/protected', auth($appr))->{status}, 200, 'hub-scope operator.approvals passes');
is($hub->get('/acme-only', auth($acme->{key}))->{status}, 200, 'hub-team acme: acme passes');
is($hub->get('/acme-only', auth($bravo->{key}))->{status}, 403, 'hub-team acme: bravo is refused');
like($hub->slurp("$hub->{work}/httpd/access.log"), qr/ 200 /, 'served');

# the cache: a key revoked behind the hub's back still works for a moment,
# then is refused within the TTL, on every child
my $k = $hub->hubctl('create-key', 'acme', '--name', 'cached');
is($hub->get('/api/v1/teams/', auth($k))->{status}, 200, 'the key works (and is now cached)');
$hub->psql($hub->db, "UPDATE api_keys SET revoked_at = now() WHERE name = 'cached'");
is($hub->get('/api/v1/teams/', auth($k))->{status}, 200,
   'revoked in the database: the cached identity still answers at once');
my $took = HubTest::eventually(8, sub {
    !grep { $hub->get('/api/v1/teams/', auth($k))->{status} != 401 } 1 .. 8;
});
ok(defined $took, 'and is refused everywhere within the 5 s TTL')
    and diag(sprintf 'refused after %.1f s', $took);

# revoked through the hub: at once
my $k2 = $hub->post('/v1/api-keys', auth($acme->{key}), json => { name => 'k2', scopes => ['operator.read'] })->{json};
is($hub->get('/api/v1/teams/', auth($k2->{key}))->{status}, 200, 'k2 works');
$hub->request('DELETE', "/v1/api-keys/$k2->{id}", auth($acme->{key}));
is_deeply([map { $hub->get('/api/v1/teams/', auth($k2->{key}))->{status} } 1 .. 8], [(401) x 8],
          'revoked through the hub: refused at once on every child');
$hub->log_is_clean(qr/AH01631: user (key:hubctl key|owner\@bravo\.test): authorization failure/);
undef $hub;

# HubAuthCacheTTL 0: no cache, revocations count at once
my $nocache = HubTest->new(name => 'nocache', conf => 'HubAuthCacheTTL 0');
$nocache->team('acme');
my $k3 = $nocache->hubctl('create-key', 'acme', '--name', 'k3');
is($nocache->get('/api/v1/teams/', auth($k3))->{status}, 200, 'works');
$nocache->psql($nocache->db, "UPDATE api_keys SET revoked_at = now() WHERE name = 'k3'");
is($nocache->get('/api/v1/teams/', auth($k3))->{status}, 401, 'without a cache: refused at once');
$nocache->log_is_clean;
done_testing;
