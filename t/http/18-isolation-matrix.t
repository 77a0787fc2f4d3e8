# The isolation matrix of the identity endpoints, in one place: tenant B,
# fully authorised in its own tenant, calls every endpoint that takes an
# object id with tenant A's ids.  Every answer is 404 (never 403, never
# the object), and tenant A's rows are exactly as before.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $a = $hub->team('alpha');
my $b = $hub->team('beta');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
my ($C, $G) = ('/caylex/api/v1', '/g4f/api/v1');

# tenant A's objects, made through the API
my $cx_project = $hub->post("$C/projects", auth($a->{key}), json => { name => 'alpha-cx' })->{json}{id};
my $g4f_project = $hub->post("$G/projects", auth($a->{key}), json => { name => 'alpha-g4f' })->{json}{project}{id};
my $pat = $hub->post("$C/platform-access-tokens", auth($a->{key}), json => { name => 'alpha-pat' })->{json}{id};
my $gc_key = $hub->post('/v1/api-keys', auth($a->{key}), json => { name => 'alpha-gc', scopes => ['operator.read'] })->{json}{id};
my $pw_key = $hub->post('/api/v1/teams/alpha/api-keys/', auth($a->{key}), json => { description => 'alpha-pw' })->{json}{uuid};
my $user = $hub->post("$G/admin/users", auth($a->{key}),
                      json => { name => 'Ann', email => 'ann@alpha.test', roles => ['member'] })->{json}{user}{id};
ok($_, 'made an object of A') for $cx_project, $g4f_project, $pat, $gc_key, $pw_key, $user;

my $snapshot = sub {
    join "\n", map { $hub->psql($hub->db, $_) }
        "SELECT string_agg(row(t.*)::text, ',' ORDER BY t.id) FROM projects t",
        "SELECT string_agg(row(k.id, k.name, k.revoked_at, k.scopes)::text, ',' ORDER BY k.id) FROM api_keys k",
        "SELECT string_agg(row(m.*)::text, ',' ORDER BY m.user_id) FROM memberships m",
        "SELECT string_agg(row(t.*)::text, ',' ORDER BY t.id) FROM tenants t";
};
my $before = $snapshot->();

my @matrix = (
    [GET    => "$C/projects/$cx_project"],
    [PATCH  => "$C/projects/$cx_project", { name => 'stolen' }],
    [DELETE => "$C/projects/$cx_project"],
    [GET    => "$G/projects/$g4f_project"],
    [PATCH  => "$G/projects/$g4f_project", { name => 'stolen' }],
    [DELETE => "$G/projects/$g4f_project"],
    [DELETE => "$C/platform-access-tokens/$pat"],
    [DELETE => "/v1/api-keys/$gc_key"],
    [DELETE => "/api/v1/teams/beta/api-keys/$pw_key/"],
    [DELETE => "/api/v1/teams/alpha/api-keys/$pw_key/"],
    [GET    => '/api/v1/teams/alpha/api-keys/'],
    [PATCH  => '/api/v1/teams/alpha/', { name => 'stolen' }],
    [PATCH  => "$C/members/$user", { role => 'admin' }],
    [DELETE => "$C/members/$user"],
    [POST   => "$C/members/$user/approve", { role => 'member' }],
    [PATCH  => "$G/admin/users/$user", { name => 'stolen' }],
    [DELETE => "$G/admin/users/$user"],
);
for my $case (@matrix) {
    my ($m, $path, $body) = @$case;
    my $r = $hub->request($m, $path, auth($b->{key}), $body ? (json => $body) : ());
    is($r->{status}, 404, "B: $m $path -> 404");
    unlike($r->{content}, qr/alpha|ann\@/, '  and nothing of A in the answer');
}

# listings of B never show A's objects
for my $path ("$C/projects", "$G/projects", "$C/platform-access-tokens", '/v1/api-keys',
              '/api/v1/teams/', "$C/members", "$G/admin/users") {
    my $r = $hub->get($path, auth($b->{key}));
    is($r->{status}, 200, "B lists $path");
    unlike($r->{content}, qr/alpha|ann\@alpha/, '  without anything of A');
}

is($snapshot->(), $before, "A's projects, keys, memberships and tenant are unchanged");
$hub->log_is_clean;
done_testing;
