# API keys through Patchwork's and GoClaw's endpoints: shown once, stored
# hashed, scoped, revocable, and never reaching another team.
use strict;
use warnings;
use Test::More;
use Digest::SHA;
use HubTest;

my $hub = HubTest->new;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }

# no or bad credentials
for my $cred (undef, 'hub_nosuchkey', 'garbage', 'Bearer') {
    my %h = defined $cred ? (headers => { Authorization => "Bearer $cred" }) : ();
    my $r = $hub->get('/api/v1/teams/', %h);
    is($r->{status}, 401, 'teams without a valid key: 401 (' . ($cred // 'none') . ')');
    ok(defined $r->{json}{detail}, 'patchwork envelope');
    like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/, 'WWW-Authenticate: Bearer');
}
is($hub->get('/v1/api-keys')->{json}{error}, 'authentication required: missing, invalid, expired or revoked credentials',
   'goclaw 401 envelope');

# patchwork: teams
my $r = $hub->get('/api/v1/teams/', auth($a->{key}));
is($r->{status}, 200, 'list teams');
is(scalar @{ $r->{json} }, 1, 'a key sees its own team only');
is($r->{json}[0]{slug}, 'acme', 'its slug');
is($r->{json}[0]{owner_email}, 'owner@acme.test', 'owner_email');
like($r->{json}[0]{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'created_at ISO-8601');
$r = $hub->get('/api/v1/teams/', headers => { 'X-API-Key' => $a->{key} });
is($r->{status}, 200, 'X-API-Key works too');

$r = $hub->request('PATCH', '/api/v1/teams/acme/', auth($a->{key}), json => { name => 'Acme Inc' });
is($r->{status}, 200, 'rename team');
is($r->{json}{name}, 'Acme Inc', 'new name');
is($hub->psql($hub->db, "SELECT name FROM tenants WHERE slug = 'acme'"), 'Acme Inc', 'stored');
$r = $hub->request('PATCH', '/api/v1/teams/acme/', auth($a->{key}), json => {});
is($r->{status}, 422, 'rename without name: 422');
like($r->{json}{detail}, qr/name/, 'names the field');

# patchwork: keys
$r = $hub->post('/api/v1/teams/acme/api-keys/', auth($a->{key}),
                json => { description => 'ci', is_prod => JSON::PP::true });
is($r->{status}, 201, 'create key');
my $new = $r->{json};
like($new->{raw_key}, qr/^hub_[A-Za-z0-9_-]{43}$/, 'raw_key shown once, high entropy');
like($new->{uuid}, qr/^[0-9a-f-]{36}$/, 'uuid');
is($new->{description}, 'ci', 'description');
ok($new->{is_prod}, 'is_prod');
is($hub->get('/api/v1/teams/', auth($new->{raw_key}))->{status}, 200, 'the new key works');

$r = $hub->get('/api/v1/teams/acme/api-keys/', auth($a->{key}));
is($r->{status}, 200, 'list keys');
is(scalar @{ $r->{json} }, 2, 'two active keys');
ok(!grep({ exists $_->{raw_key} || exists $_->{key_hash} } @{ $r->{json} }), 'no secret in listings');
is_deeply([sort keys %{ $r->{json}[0] }], [qw(created_at description is_prod uuid)], 'APIKeyOut fields');

$r = $hub->request('DELETE', "/api/v1/teams/acme/api-keys/$new->{uuid}/", auth($a->{key}));
is($r->{status}, 200, 'revoke');
is_deeply($r->{json}, { uuid => $new->{uuid}, message => 'API key revoked' }, 'MessageOut');
is($hub->get('/api/v1/teams/', auth($new->{raw_key}))->{status}, 401, 'a revoked key is refused at once');
is($hub->request('DELETE', "/api/v1/teams/acme/api-keys/$new->{uuid}/", auth($a->{key}))->{status},
   404, 'revoking twice: 404');
is($hub->request('DELETE', '/api/v1/teams/acme/api-keys/not-a-uuid/', auth($a->{key}))->{status},
   404, 'a malformed id is 404, not 500');
is(scalar @{ $hub->get('/api/v1/teams/acme/api-keys/', auth($a->{key}))->{json} }, 1,
   'revoked keys leave the patchwork listing');

# isolation: bravo's key against acme's objects, and the reverse
my ($ak) = @{ $hub->get('/api/v1/teams/acme/api-keys/', auth($a->{key}))->{json} };
for my $case (
    [GET => '/api/v1/teams/acme/api-keys/'],
    [POST => '/api/v1/teams/acme/api-keys/', { description => 'x' }],
    [PATCH => '/api/v1/teams/acme/', { name => 'pwned' }],
    [DELETE => "/api/v1/teams/acme/api-keys/$ak->{uuid}/"],
    [DELETE => "/api/v1/teams/bravo/api-keys/$ak->{uuid}/"],
) {
    my ($m, $path, $body) = @$case;
    $r = $hub->request($m, $path, auth($b->{key}), $body ? (json => $body) : ());
    is($r->{status}, 404, "bravo: $m $path is 404");
}
is($hub->psql($hub->db, "SELECT name FROM tenants WHERE slug = 'acme'"), 'Acme Inc', 'acme unchanged');
is($hub->psql($hub->db, "SELECT count(*) FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                          WHERE t.slug = 'acme' AND revoked_at IS NULL"), 1, 'acme keys unchanged');
is($hub->get('/api/v1/teams/', auth($ak->{uuid}))->{status}, 401, 'a key id is no key');

# scopes: a read-only key reads but cannot manage keys
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
is($hub->get('/api/v1/teams/acme/api-keys/', auth($ro))->{status}, 200, 'read key lists');
is($hub->post('/api/v1/teams/acme/api-keys/', auth($ro), json => {})->{status}, 403,
   'read key cannot create keys');

# superuser views
my $su = $hub->team('ops', superuser => 1, email => 'root@ops.test');
$hub->hubctl('add-member', 'acme', 'root@ops.test', 'viewer');
$r = $hub->get('/api/v1/admin/users/owner@acme.test/teams/', auth($a->{key}));
is($r->{status}, 403, 'admin views need a superuser');
$r = $hub->get('/api/v1/admin/users/owner@acme.test/teams/', auth($su->{key}));
is($r->{status}, 200, 'superuser lists a user\'s teams');
is_deeply([map { "$_->{slug}:$_->{role}" } @{ $r->{json} }], ['acme:owner'], 'with roles');
$r = $hub->get('/api/v1/admin/users/root%40ops.test/teams/', auth($su->{key}));
is_deeply([sort map { $_->{slug} } @{ $r->{json} }], [qw(acme ops)], 'encoded @ in the path');
is($hub->get('/api/v1/admin/users/nobody@x.test/teams/', auth($su->{key}))->{status}, 404, 'unknown user 404');
$r = $hub->get('/api/v1/admin/users/owner@acme.test/teams/acme/api-keys/', auth($su->{key}));
is($r->{status}, 200, "superuser lists a user's team keys");
is(scalar @{ $r->{json} }, 2, 'acme has two active keys');
is($hub->get('/api/v1/admin/users/owner@acme.test/teams/bravo/api-keys/', auth($su->{key}))->{status},
   404, 'a team the user is not in: 404');

# goclaw
$r = $hub->get('/v1/api-keys', auth($a->{key}));
is($r->{status}, 200, 'goclaw lists keys');
is(scalar @{ $r->{json} }, 3, 'all three acme keys, the revoked one included');
ok((grep { $_->{revoked} } @{ $r->{json} }) == 1, 'one revoked');
is_deeply([sort keys %{ $r->{json}[0] }],
          [sort qw(id name prefix scopes expires_at last_used_at revoked created_by created_at updated_at)],
          'ApiKey fields');
ok(defined((grep { $_->{prefix} eq substr($a->{key}, 0, 8) } @{ $r->{json} })[0]{last_used_at}),
   'last_used_at set for a used key');
$r = $hub->post('/v1/api-keys', auth($a->{key}),
                json => { name => 'deploy', scopes => ['operator.read', 'operator.write'], expires_in => 3600 });
is($r->{status}, 201, 'goclaw create');
is($r->{json}{prefix}, substr($r->{json}{key}, 0, 8), 'prefix = first 8 characters');
is_deeply($r->{json}{scopes}, ['operator.read', 'operator.write'], 'scopes');
ok(defined $r->{json}{expires_at}, 'expires_at from expires_in');
my $gk = $r->{json};
is($hub->get('/v1/api-keys', auth($gk->{key}))->{status}, 403, 'a write key cannot manage keys');
is($hub->get('/api/v1/teams/', auth($gk->{key}))->{status}, 200, 'but authenticates');
for my $bad ({ scopes => ['operator.read'] }, { name => 'x' }, { name => 'x', scopes => ['root'] },
             { name => 'x', scopes => [] }, { name => 'x', scopes => 'operator.read' },
             { name => 'x', scopes => ['operator.read'], expires_in => -1 }) {
    $r = $hub->post('/v1/api-keys', auth($a->{key}), json => $bad);
    is($r->{status}, 400, 'goclaw bad create: ' . $HubTest::JSON->encode($bad));
    ok(defined $r->{json}{error} && !ref $r->{json}{error}, 'goclaw envelope');
}
is($hub->request('DELETE', "/v1/api-keys/$gk->{id}", auth($b->{key}))->{status}, 404,
   'another tenant cannot revoke it');
is($hub->request('DELETE', "/v1/api-keys/$gk->{id}", auth($a->{key}))->{json}{status}, 'revoked',
   'goclaw revoke');
is($hub->get('/api/v1/teams/', auth($gk->{key}))->{status}, 401, 'revoked everywhere');

# one minting and one revocation for API keys and Caylex's platform tokens:
# the same format, and each endpoint revokes only the kind it lists
my $pat = $hub->post('/caylex/api/v1/platform-access-tokens', auth($a->{key}), json => { name => 'pat' })->{json};
like($pat->{token}, qr/^hub_[A-Za-z0-9_-]{43}$/, 'a platform token has the API key format');
is($hub->psql($hub->db, "SELECT prefix || ' ' || key_hash FROM api_keys WHERE id = '$pat->{id}'"),
   substr($pat->{token}, 0, 8) . ' ' . Digest::SHA::sha256_hex($pat->{token}), '  stored by its prefix and SHA-256');
is($hub->psql($hub->db, "SELECT key_hash FROM api_keys WHERE prefix = '" . substr($ro, 0, 8) . "'"),
   Digest::SHA::sha256_hex($ro), "hubctl's key: the same format, stored the same way");
$r = $hub->request('DELETE', "/v1/api-keys/$pat->{id}", auth($a->{key}));
is($r->{status}, 404, 'GoClaw does not revoke a platform token it does not list');
is($r->{json}{error}, 'api key not found', '  in its words');
is($hub->request('DELETE', "/api/v1/teams/acme/api-keys/$pat->{id}/", auth($a->{key}))->{status}, 404,
   'nor does Patchwork');
is($hub->get('/api/v1/teams/', auth($pat->{token}))->{status}, 200, 'the token still works');
is($hub->request('DELETE', "/caylex/api/v1/platform-access-tokens/$pat->{id}", auth($a->{key}))->{status}, 204,
   'Caylex revokes it');
is($hub->get('/api/v1/teams/', auth($pat->{token}))->{status}, 401, '  refused at once');

# an expired key is refused
$hub->psql($hub->db, "UPDATE api_keys SET expires_at = now() - interval '1 s' WHERE prefix = '"
           . substr($ro, 0, 8) . "'");
ok(defined HubTest::eventually(7, sub { $hub->get('/api/v1/teams/', auth($ro))->{status} == 401 }),
   'a key that expires is refused within the cache TTL (5 s)');

# a user's key lives only while the user is an active member of its team
my $m = $hub->team('mike');
is($hub->get('/api/v1/teams/', auth($m->{key}))->{status}, 200, "mike's key works");
$hub->psql($hub->db, "UPDATE memberships SET state = 'pending' WHERE user_id =
                      (SELECT id FROM users WHERE email = 'owner\@mike.test')");
ok(defined HubTest::eventually(7, sub { $hub->get('/api/v1/teams/', auth($m->{key}))->{status} == 401 }),
   'once its user is no longer an active member, the key is refused (within the cache TTL)');

# the database holds no raw key
my $dump = $hub->psql($hub->db, 'SELECT string_agg(k::text, E\'\n\') FROM api_keys k');
for my $k ($a->{key}, $b->{key}, $new->{raw_key}, $gk->{key}, $ro) {
    unlike($dump, qr/\Q$k\E/, 'no raw key in api_keys');
    unlike($dump, qr/\Q@{[substr($k, 8)]}\E/, 'not even its secret part');
}
my $log = $hub->slurp($hub->error_log_path) . $hub->slurp("$hub->{work}/httpd/access.log");
unlike($log, qr/\Q$_\E/, 'no key in the logs') for $a->{key}, $new->{raw_key};

# a server key (hubs_...) speaks for one server's reports, nothing more
$hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'reporter' });
my $sk = $hub->hubctl('create-server-key', 'acme', 'reporter');
like($sk, qr/^hubs_[\w-]{43}$/, 'a server key');
is($hub->get('/api/v1/teams/', auth($sk))->{status}, 401, 'it opens no API-key route');
is($hub->get('/v1/api-keys', auth($sk))->{status}, 401, 'nor a GoClaw one');
unlike($hub->psql($hub->db, "SELECT string_agg(k::text, ',') FROM server_keys k"), qr/\Q$sk\E/,
       'stored hashed');

# the access log names the caller (%u), never the key
like($hub->slurp("$hub->{work}/httpd/access.log"), qr/^127\.0\.0\.1 owner\@acme\.test \[/m,
     'the access log names the caller');

$hub->log_is_clean;
done_testing;
