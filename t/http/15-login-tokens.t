# G4F's logins: password and API-key logins give short access tokens and
# rotating refresh tokens; a reused refresh token ends its login; logout
# ends it too; failed logins are throttled without telling which accounts
# exist.  Tokens minted by Tool Hub with the shared key are honoured, and
# every kind of forged or stale token is refused.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use MIME::Base64 qw(encode_base64url);
use Time::HiRes qw(time);
use HubTest;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my ($keyfile, $key) = HubTest::jwt_key_file($dir);
my $hub = HubTest->new(conf => "HubJwtKeyFile $keyfile");
my $acme = $hub->team('acme');
$hub->set_password('owner@acme.test', 'correct horse battery');
my $G = '/g4f/api/v1';
sub bearer { (headers => { Authorization => "Bearer $_[0]" }) }

# password login
my $r = $hub->post("$G/auth/login", json => { method => 'password', email => 'owner@acme.test',
                                              password => 'correct horse battery' });
is($r->{status}, 200, 'password login');
my $t = $r->{json};
like($t->{access_token}, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'access_token is a JWT');
like($t->{refresh_token}, qr/^hubr_[\w-]{43}$/, 'refresh_token');
is($t->{expires_in}, 900, 'expires_in');

$r = $hub->get("$G/me", bearer($t->{access_token}));
is($r->{status}, 200, '/me with the access token');
is($r->{json}{user}{email}, 'owner@acme.test', 'me: email');
is_deeply($r->{json}{user}{roles}, ['owner'], 'me: roles');
ok(defined $r->{json}{user}{$_}, "me: $_") for qw(id name created_at);

# refresh rotates; the old refresh token is then a reuse and ends the login
$r = $hub->post("$G/auth/refresh", json => { refresh_token => $t->{refresh_token} });
is($r->{status}, 200, 'refresh');
my $t2 = $r->{json};
isnt($t2->{refresh_token}, $t->{refresh_token}, 'a new refresh token');
is($hub->get("$G/me", bearer($t2->{access_token}))->{status}, 200, 'the new access token works');
$r = $hub->post("$G/auth/refresh", json => { refresh_token => $t->{refresh_token} });
is($r->{status}, 401, 'a reused refresh token is refused');
is($r->{json}{error}{code}, 'INVALID_CREDENTIALS', 'g4f envelope');
is($hub->post("$G/auth/refresh", json => { refresh_token => $t2->{refresh_token} })->{status}, 401,
   'and its whole login is over: the newer refresh token too');
ok(defined HubTest::eventually(7, sub { $hub->get("$G/me", bearer($t2->{access_token}))->{status} == 401 }),
   'and its access tokens, within the cache TTL');
like($hub->slurp($hub->error_log_path), qr/HUB00113/, 'the reuse is logged');

# logout
$r = $hub->post("$G/auth/login", json => { method => 'password', email => 'OWNER@acme.test',
                                           password => 'correct horse battery' });
is($r->{status}, 200, 'login again (email case does not matter)');
my $t3 = $r->{json};
$r = $hub->post("$G/auth/logout", bearer($t3->{access_token}), json => {});
is($r->{status}, 200, 'logout');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{"ok": true}');
is($hub->get("$G/me", bearer($t3->{access_token}))->{status}, 401, 'the access token is dead after logout');
is($hub->post("$G/auth/refresh", json => { refresh_token => $t3->{refresh_token} })->{status}, 401,
   'and the refresh token');
is($hub->post("$G/auth/logout", json => {})->{status}, 401, 'logout needs a token');

# API-key login
$r = $hub->post("$G/auth/login", json => { method => 'api_key', api_key => $acme->{key} });
is($r->{status}, 200, 'api_key login');
is($hub->get("$G/me", bearer($r->{json}{access_token}))->{json}{user}{email}, 'owner@acme.test',
   'as the key\'s user');
my $nouser = $hub->hubctl('create-key', 'acme');
is($hub->post("$G/auth/login", json => { method => 'api_key', api_key => $nouser })->{status}, 401,
   'a key bound to no user cannot log in');

# bad input
for my $bad ({}, { method => 'magic' }, { method => 'password' }, { method => 'password', email => 'x@y' },
             { method => 'api_key' }, { method => 'password', email => 5, password => 'x' }) {
    $r = $hub->post("$G/auth/login", json => $bad);
    is($r->{status}, 400, 'bad login body: ' . $HubTest::JSON->encode($bad));
    is($r->{json}{error}{code}, 'VALIDATION_ERROR', 'VALIDATION_ERROR');
}
is($hub->post("$G/auth/refresh", json => { refresh_token => 'nope' })->{status}, 401, 'garbage refresh token');

# Tool Hub's tokens: provisioned on first sight, role mapped
my $now = time;
my $th = HubTest::jwt($key, { sub => 'user-123', email => 'dev@toolhub.test', role => 'editor',
                              exp => int($now) + 600, iat => int($now) });
$r = $hub->get("$G/me", bearer($th));
is($r->{status}, 200, 'a Tool Hub token is honoured');
is($r->{json}{user}{email}, 'dev@toolhub.test', 'with its email');
is_deeply($r->{json}{user}{roles}, ['member'], 'editor maps to member');
like($r->{json}{user}{tenant}, qr/^u-[0-9a-f]{16}$/, 'in a tenant of its own');
is($hub->psql($hub->db, "SELECT count(*) FROM users WHERE external_id = 'user-123'"), 1, 'provisioned once');
$hub->get("$G/me", bearer($th));
is($hub->psql($hub->db, "SELECT count(*) FROM users WHERE external_id = 'user-123'"), 1, 'and only once');
my $viewer = HubTest::jwt($key, { sub => 'user-123', email => 'dev@toolhub.test', role => 'viewer',
                                  exp => int($now) + 600 });
is_deeply($hub->get("$G/me", bearer($viewer))->{json}{user}{roles}, ['viewer'], 'a later token\'s role wins');
my $named = HubTest::jwt($key, { sub => 'user-456', email => 'ops@toolhub.test', role => 'admin',
                                 tenant => 'acme', exp => int($now) + 600 });
$r = $hub->get("$G/me", bearer($named));
is($r->{json}{user}{tenant}, 'acme', 'a token naming a tenant acts there');
is_deeply($r->{json}{user}{roles}, ['admin'], 'as admin');
my $hijack = HubTest::jwt($key, { sub => 'evil', email => 'owner@acme.test', role => 'admin',
                                  exp => int($now) + 600 });
is($hub->get("$G/me", bearer($hijack))->{status}, 401, "an external token cannot take over a local account's email");

# forged and stale tokens
my %claims = (sub => 'user-123', email => 'dev@toolhub.test', role => 'editor', exp => int($now) + 600);
my @bad = (
    [ 'expired', HubTest::jwt($key, { %claims, exp => int($now) - 5 }) ],
    [ 'no exp', HubTest::jwt($key, { sub => 'user-123' }) ],
    [ 'issued in the future', HubTest::jwt($key, { %claims, iat => int($now) + 3600 }) ],
    [ 'wrong key', HubTest::jwt('x' x 48, \%claims) ],
    [ 'HS512 header', HubTest::jwt($key, \%claims, alg => 'HS512') ],
    [ 'alg none', join('.', encode_base64url('{"alg":"none","typ":"JWT"}'),
                       encode_base64url($HubTest::JSON->encode(\%claims)), '') ],
    [ 'RS256 header', HubTest::jwt($key, \%claims, alg => 'RS256') ],
    [ 'tampered payload', do { my @p = split /\./, HubTest::jwt($key, \%claims);
                               $p[1] = encode_base64url($HubTest::JSON->encode({ %claims, role => 'admin' }));
                               join '.', @p } ],
    [ 'hub token without sid', HubTest::jwt($key, { iss => 'mod_hub', sub => 'x', exp => int($now) + 60 }) ],
);
for my $case (@bad) {
    is($hub->get("$G/me", bearer($case->[1]))->{status}, 401, "refused: $case->[0]");
}

# throttling: per account, same answer for unknown accounts, 429 + Retry-After
for my $i (1 .. 5) {
    $r = $hub->post("$G/auth/login", json => { method => 'password', email => 'owner@acme.test',
                                               password => "wrong$i" });
    is($r->{status}, 401, "wrong password $i: 401");
}
$r = $hub->post("$G/auth/login", json => { method => 'password', email => 'owner@acme.test',
                                           password => 'correct horse battery' });
is($r->{status}, 429, 'the account is blocked after 5 failures, even with the right password');
like($r->{headers}{'retry-after'}, qr/^\d+$/, 'Retry-After');
cmp_ok($r->{headers}{'retry-after'}, '>', 800, 'about 15 minutes');
my @unknown = map {
    $hub->post("$G/auth/login", json => { method => 'password', email => 'nobody@acme.test',
                                          password => "wrong$_" })
} 1 .. 6;
is_deeply([map { $_->{status} } @unknown], [401, 401, 401, 401, 401, 429],
          'an unknown account is counted and answered the same way');
is($unknown[0]{json}{error}{message}, 'invalid credentials', 'with the same message');

# the database holds no token or password
my $dump = join "\n", map { $hub->psql($hub->db, "SELECT string_agg(t::text, E'\\n') FROM $_ t") }
    qw(users refresh_tokens sessions api_keys);
unlike($dump, qr/correct horse battery/, 'no password in the tables');
unlike($dump, qr/\Q$_\E/, 'no refresh token in the tables') for $t->{refresh_token}, $t2->{refresh_token};
like($hub->psql($hub->db, "SELECT password_hash FROM users WHERE email = 'owner\@acme.test'"),
     qr/^\$argon2id\$/, 'the password is an Argon2id hash');
my $logs = $hub->slurp($hub->error_log_path) . $hub->slurp("$hub->{work}/httpd/access.log");
unlike($logs, qr/correct horse battery|\Q$t->{refresh_token}\E|\Q$t->{access_token}\E/, 'nor in the logs');

$hub->log_is_clean;
done_testing;
