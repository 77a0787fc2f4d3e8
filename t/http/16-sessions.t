# Cookie sessions (Patchwork pw_sessionid, Caylex DS): log in, use the
# cookie, changes need the CSRF token, log out ends the session.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $acme = $hub->team('acme');
$hub->set_password('owner@acme.test', 'correct horse battery');
$hub->team('bravo');

# patchwork
my $r = $hub->post('/api/v1/auth/login/', json => { email => 'owner@acme.test',
                                                     password => 'correct horse battery' });
is($r->{status}, 200, 'patchwork login');
my $set = $r->{headers}{'set-cookie'};
like($set, qr/^pw_sessionid=([\w-]{43}); Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/,
     'pw_sessionid: HttpOnly, SameSite=Lax, scoped, expiring (no Secure over plain HTTP)');
my ($sid) = $set =~ /^pw_sessionid=([^;]+)/;
my $csrf = $r->{json}{csrf_token};
like($csrf, qr/^[0-9a-f]{32}$/, 'csrf_token');
is($r->{json}{team}, 'acme', 'the team it acts in');
like($r->{json}{expires_at}, qr/Z$/, 'expires_at');
my %cookie = (Cookie => "pw_sessionid=$sid");

$r = $hub->get('/api/v1/teams/', headers => \%cookie);
is($r->{status}, 200, 'the cookie authenticates a read');
is($r->{json}[0]{slug}, 'acme', 'as the user, in their team');
$r = $hub->request('PATCH', '/api/v1/teams/acme/', headers => \%cookie, json => { name => 'Renamed' });
is($r->{status}, 403, 'a change without the CSRF token is refused');
like($r->{json}{detail}, qr/CSRF/, 'saying why');
$r = $hub->request('PATCH', '/api/v1/teams/acme/', headers => { %cookie, 'X-CSRF-Token' => 'f' x 32 },
                   json => { name => 'Renamed' });
is($r->{status}, 403, 'a wrong CSRF token is refused');
$r = $hub->request('PATCH', '/api/v1/teams/acme/', headers => { %cookie, 'X-CSRF-Token' => $csrf },
                   json => { name => 'Renamed' });
is($r->{status}, 200, 'with the CSRF token the change is made');
is($hub->psql($hub->db, "SELECT name FROM tenants WHERE slug = 'acme'"), 'Renamed', 'stored');
is($hub->request('PATCH', '/api/v1/teams/bravo/', headers => { %cookie, 'X-CSRF-Token' => $csrf },
                 json => { name => 'x' })->{status}, 404, "another team's slug: 404");
is($hub->get('/api/v1/teams/', headers => { Cookie => 'pw_sessionid=forged' })->{status}, 401,
   'a forged cookie: 401');

$r = $hub->post('/api/v1/auth/logout/', headers => \%cookie);
is($r->{status}, 200, 'logout');
like($r->{headers}{'set-cookie'}, qr/^pw_sessionid=; Path=\/; Max-Age=0/, 'clears the cookie');
is($hub->get('/api/v1/teams/', headers => \%cookie)->{status}, 401, 'the session is over');
is($hub->post('/api/v1/auth/logout/')->{status}, 200, 'logout without a session is harmless');

# wrong password, unknown account: the same answer
$r = $hub->post('/api/v1/auth/login/', json => { email => 'owner@acme.test', password => 'nope-nope-nope' });
is($r->{status}, 401, 'wrong password: 401');
my $wrong = $r->{json}{detail};
$r = $hub->post('/api/v1/auth/login/', json => { email => 'ghost@acme.test', password => 'nope-nope-nope' });
is($r->{status}, 401, 'unknown account: 401');
is($r->{json}{detail}, $wrong, 'with the same message');
ok(!$r->{headers}{'set-cookie'}, 'and no cookie');
is($hub->post('/api/v1/auth/login/', json => { email => 'owner@acme.test' })->{status}, 422,
   'no password: 422');

# caylex: DS under its mount
$r = $hub->post('/caylex/api/v1/auth/login', json => { email => 'owner@acme.test',
                                                       password => 'correct horse battery' });
is($r->{status}, 200, 'caylex login');
like($r->{headers}{'set-cookie'}, qr{^DS=[\w-]{43}; Path=/caylex/api/v1; }, 'DS cookie scoped to the mount');
my ($ds) = $r->{headers}{'set-cookie'} =~ /^DS=([^;]+)/;
$r = $hub->post('/caylex/api/v1/auth/logout', headers => { Cookie => "DS=$ds" });
is($r->{status}, 200, 'caylex logout');
is($hub->psql($hub->db, 'SELECT count(*) FROM sessions WHERE revoked_at IS NULL'), 0, 'no live session left');

# no session secret in the database
my $dump = $hub->psql($hub->db, "SELECT string_agg(s::text, E'\\n') FROM sessions s");
unlike($dump, qr/\Q$sid\E|\Q$ds\E/, 'session tokens are stored hashed');

$hub->log_is_clean;
done_testing;
