# Caylex's tenancy endpoints: the caller's tenant, and its members (list,
# search, update, delete, approve), with the role rules, the last-owner
# rule and the isolation between tenants.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub uid { my $e = shift; $hub->psql($db, "SELECT id FROM users WHERE email = '$e'") }
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }

# acme: owner, an admin, a member, a viewer and a pending member
for my $u (['adm@acme.test', 'admin'], ['mem@acme.test', 'member'],
           ['view@acme.test', 'viewer'], ['pend@acme.test', 'member']) {
    $hub->hubctl('create-user', $u->[0], '--name', ucfirst((split /@/, $u->[0])[0]));
    $hub->hubctl('add-member', 'acme', @$u);
}
$hub->psql($db, "UPDATE memberships SET state = 'pending'
                  WHERE user_id = (SELECT id FROM users WHERE email = 'pend\@acme.test')");
my $admkey = $hub->hubctl('create-key', 'acme', '--user', 'adm@acme.test', '--scopes', 'operator.admin');
my $memkey = $hub->hubctl('create-key', 'acme', '--user', 'mem@acme.test', '--scopes', 'operator.write');
my $rokey = $hub->hubctl('create-key', 'acme', '--user', 'view@acme.test', '--scopes', 'operator.read');
my $nokey = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.pairing');
my %id = map { ($_ => uid("$_\@acme.test")) } qw(owner adm mem view pend);
$id{bowner} = uid('owner@bravo.test');

sub is_422 {
    my ($r, $loc, $what) = @_;
    is($r->{status}, 422, "$what: 422");
    is_deeply(ref $r->{json}{detail} eq 'ARRAY' ? $r->{json}{detail}[0]{loc} : undef, $loc,
              "$what: FastAPI detail names " . join('.', @$loc));
}

# ---- GET /tenants
my $tid = $hub->psql($db, "SELECT id FROM tenants WHERE slug = 'acme'");
my $r = req($a->{key}, GET => '/tenants?descope_id=acme');
is($r->{status}, 200, 'tenant by its descope_id (slug)');
is_deeply($r->{json}, { id => $tid, name => 'Team acme', descope_id => 'acme',
                        enabled => JSON::PP::true }, 'GetTenantResponse');
is(req($a->{key}, GET => "/tenants?descope_id=$tid")->{status}, 200, 'by id too');
is(req($rokey, GET => '/tenants?descope_id=acme')->{status}, 200, 'a read key reads it');
is(req($nokey, GET => '/tenants?descope_id=acme')->{status}, 403, 'a key without read scope: 403');
is_422(req($a->{key}, GET => '/tenants'), ['query', 'descope_id'], 'no descope_id');
is(req($a->{key}, GET => '/tenants?descope_id=bravo')->{status}, 404, "another tenant's slug: 404");
is(req($a->{key}, GET => '/tenants?descope_id=nosuch')->{status}, 404, 'unknown: 404');
$r = $hub->get("$CX/tenants?descope_id=acme");
is($r->{status}, 401, 'no credentials: 401');
ok(defined $r->{json}{detail}, 'caylex envelope');

# ---- GET /members
$r = req($a->{key}, GET => '/members');
is($r->{status}, 200, 'list members');
is($r->{json}{meta}{total}, 5, 'five members');
is(scalar @{ $r->{json}{items} }, 5, 'all on one page');
is_deeply([sort keys %{ $r->{json}{items}[0] }],
          [sort qw(id email name role confirmed_at timezone created_at updated_at)],
          'TenantUserResponse fields');
is_deeply([sort keys %{ $r->{json}{meta} }], [sort qw(size total next_cursor has_next has_prev)],
          'PageMeta fields');
my %by = map { ($_->{email} => $_) } @{ $r->{json}{items} };
is($by{'owner@acme.test'}{role}, 'admin', 'an owner shows as admin');
is($by{'mem@acme.test'}{role}, 'user', 'a member shows as user');
is($by{'view@acme.test'}{role}, 'viewer', 'a viewer is a viewer');
is($by{'mem@acme.test'}{id}, $id{mem}, 'the member id is the user id');
is($by{'mem@acme.test'}{name}, 'Mem', 'name');
like($by{'mem@acme.test'}{confirmed_at}, qr/^\d{4}-\d\d-\d\dT[\d:.]+Z$/, 'active: confirmed_at');
ok(!defined $by{'pend@acme.test'}{confirmed_at}, 'pending: confirmed_at null');
ok(!grep({ $_->{email} =~ /bravo/ } @{ $r->{json}{items} }), "no other tenant's member");

$r = req($a->{key}, GET => '/members?confirmed=false');
is_deeply([map { $_->{email} } @{ $r->{json}{items} }], ['pend@acme.test'], 'confirmed=false');
is(req($a->{key}, GET => '/members?confirmed=true')->{json}{meta}{total}, 4, 'confirmed=true');
is_422(req($a->{key}, GET => '/members?confirmed=maybe'), ['query', 'confirmed'], 'confirmed=maybe');
$r = req($a->{key}, GET => '/members?sort=email_asc');
is_deeply([map { $_->{email} } @{ $r->{json}{items} }],
          [sort map { "$_\@acme.test" } qw(adm mem owner pend view)], 'sort=email_asc');
$r = req($a->{key}, GET => '/members?sort=email_desc');
is($r->{json}{items}[0]{email}, 'view@acme.test', 'sort=email_desc');
is_422(req($a->{key}, GET => '/members?sort=name'), ['query', 'sort'], 'unknown sort');

# pages
$r = req($a->{key}, GET => '/members?size=2&sort=email_asc');
is(scalar @{ $r->{json}{items} }, 2, 'size=2');
ok($r->{json}{meta}{has_next} && !$r->{json}{meta}{has_prev}, 'first page: has_next');
is($r->{json}{meta}{size}, 2, 'meta.size');
my @seen = map { $_->{email} } @{ $r->{json}{items} };
my $cursor = $r->{json}{meta}{next_cursor};
while ($cursor) {
    $r = req($a->{key}, GET => "/members?size=2&sort=email_asc&cursor=$cursor");
    is($r->{status}, 200, 'next page');
    ok($r->{json}{meta}{has_prev}, 'has_prev');
    push @seen, map { $_->{email} } @{ $r->{json}{items} };
    $cursor = $r->{json}{meta}{next_cursor};
}
is(scalar @seen, 5, 'the pages cover every member once');
ok(!$r->{json}{meta}{has_next}, 'last page: no next');
is_422(req($a->{key}, GET => "/members?size=$_"), ['query', 'size'], "size=$_") for 0, 101, -1, 'x', '99999999999999999999';
is_422(req($a->{key}, GET => '/members?cursor=bogus!'), ['query', 'cursor'], 'a forged cursor');

# roles: members are for admins
for my $k ([$memkey, 'write'], [$rokey, 'read']) {
    $r = req($k->[0], GET => '/members');
    is($r->{status}, 403, "a $k->[1] key cannot list members");
    is($r->{json}{detail}, 'Only admin users can view tenant members', 'documented message');
    is(req($k->[0], GET => '/members/search?email=a')->{status}, 403, "nor search ($k->[1])");
    is(req($k->[0], PATCH => "/members/$id{view}", json => { name => 'x' })->{status}, 403,
       "nor update ($k->[1])");
    is(req($k->[0], DELETE => "/members/$id{view}")->{status}, 403, "nor delete ($k->[1])");
    is(req($k->[0], POST => "/members/$id{pend}/approve", json => { role => 'member' })->{status},
       403, "nor approve ($k->[1])");
}
is(req($admkey, GET => '/members')->{status}, 200, 'an admin key lists');

# ---- GET /members/search
$r = req($a->{key}, GET => '/members/search?email=MEM');
is_deeply([map { $_->{email} } @{ $r->{json}{items} }], ['mem@acme.test'], 'email, any case');
$r = req($a->{key}, GET => '/members/search?name=ew');
is_deeply([map { $_->{email} } @{ $r->{json}{items} }], ['view@acme.test'], 'by name');
is(req($a->{key}, GET => '/members/search?email=acme&name=pend')->{json}{meta}{total}, 1, 'both');
is(req($a->{key}, GET => '/members/search?email=bravo')->{json}{meta}{total}, 0,
   "another tenant's member is not found");
is(req($a->{key}, GET => '/members/search?email=%25')->{json}{meta}{total}, 0, '% is no wildcard');
$r = req($a->{key}, GET => '/members/search');
is($r->{status}, 400, 'neither email nor name: 400');
is($r->{json}{detail}, "At least one of 'email' or 'name' query parameter is required", 'message');
is(req($a->{key}, GET => '/members/search?email=')->{status}, 400, 'empty email: 400');
is_422(req($a->{key}, GET => '/members/search?email=a&size=0'), ['query', 'size'], 'search size=0');

# ---- PATCH /members/{id}
$r = req($a->{key}, PATCH => "/members/$id{mem}",
         json => { name => 'Mem Q', timezone => 'Europe/Paris', role => 'viewer' });
is($r->{status}, 200, 'update member');
is_deeply([@{ $r->{json} }{qw(id name timezone role)}], [$id{mem}, 'Mem Q', 'Europe/Paris', 'viewer'],
          'TenantUserResponse with the changes');
is($hub->psql($db, "SELECT role FROM memberships WHERE user_id = '$id{mem}'"), 'viewer', 'stored');
$r = req($a->{key}, PATCH => "/members/$id{mem}", json => { role => 'user' });
is($r->{json}{role}, 'user', 'role user');
is($r->{json}{name}, 'Mem Q', 'fields not named are kept');
is($hub->psql($db, "SELECT role FROM memberships WHERE user_id = '$id{mem}'"), 'member', 'user = member');
$r = req($a->{key}, PATCH => "/members/$id{mem}", json => { name => undef, timezone => undef, role => undef });
is_deeply([@{ $r->{json} }{qw(name timezone role)}], ['Mem', undef, 'user'],
          'null clears name (back to the user\'s own) and timezone; null role keeps it');
is_422(req($a->{key}, PATCH => "/members/$id{mem}", json => { role => 'owner' }), ['body', 'role'], 'role owner');
is_422(req($a->{key}, PATCH => "/members/$id{mem}", json => { name => 5 }), ['body', 'name'], 'name: number');
is_422(req($a->{key}, PATCH => "/members/$id{mem}", json => { timezone => '' }), ['body', 'timezone'], 'empty timezone');
is_422(req($a->{key}, PATCH => "/members/$id{mem}", json => [1]), ['body'], 'body: not an object');
is($hub->request('PATCH', "$CX/members/$id{mem}", auth($a->{key}), body => '{"name":',
                 headers => { Authorization => "Bearer $a->{key}", 'content-type' => 'application/json' })->{status},
   422, 'malformed JSON: 422');
$r = req($a->{key}, PATCH => '/members/not-a-uuid', json => { name => 'x' });
is($r->{status}, 404, 'malformed id: 404');
is($r->{json}{detail}, 'Tenant member with id not-a-uuid not found', 'documented message');
is(req($a->{key}, PATCH => '/members/00000000-0000-4000-8000-000000000000', json => { name => 'x' })->{status},
   404, 'unknown id: 404');

# a member's name is the tenant's view: the same user in bravo is not renamed
$hub->hubctl('add-member', 'bravo', 'mem@acme.test', 'member');
req($a->{key}, PATCH => "/members/$id{mem}", json => { name => 'Acme Name' });
$r = req($b->{key}, GET => '/members/search?email=mem');
is($r->{json}{items}[0]{name}, 'Mem', "bravo's view of the user is unchanged");

# the last owner
$r = req($admkey, PATCH => "/members/$id{owner}", json => { role => 'user' });
is($r->{status}, 400, 'demoting the last owner: 400');
like($r->{json}{detail}, qr/last owner/, 'says why');
is($hub->psql($db, "SELECT role FROM memberships WHERE user_id = '$id{owner}'"), 'owner', 'still owner');
$r = req($admkey, PATCH => "/members/$id{owner}", json => { role => 'admin', timezone => 'UTC' });
is($r->{status}, 200, '"admin" on an owner is fine');
is($hub->psql($db, "SELECT role FROM memberships WHERE user_id = '$id{owner}'"), 'owner', 'and keeps the owner');
$r = req($admkey, DELETE => "/members/$id{owner}");
is($r->{status}, 400, 'removing the last owner: 400');
like($r->{json}{detail}, qr/last owner/, 'says why');
$hub->hubctl('add-member', 'acme', 'adm@acme.test', 'owner');
is(req($admkey, PATCH => "/members/$id{owner}", json => { role => 'viewer' })->{status}, 200,
   'with a second owner, the first can be demoted');
is(req($a->{key}, PATCH => "/members/$id{adm}", json => { role => 'user' })->{status}, 400,
   'and now the second is the last');
$hub->hubctl('add-member', 'acme', 'owner@acme.test', 'owner');

# ---- DELETE /members/{id}
$r = req($a->{key}, DELETE => "/members/$id{owner}");
is($r->{status}, 400, 'deleting oneself: 400');
is($r->{json}{detail}, 'Users cannot delete themselves', 'documented message');
is(req($memkey, GET => '/projects')->{status}, 200, "mem's key works before");
$r = req($a->{key}, DELETE => "/members/$id{mem}");
is($r->{status}, 200, 'delete a member');
is_deeply($r->{json}, { id => $id{mem}, message => 'Successfully deleted tenant member mem@acme.test' },
          'DeleteTenantUserResponse');
is($hub->psql($db, "SELECT count(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id
                     WHERE t.slug = 'acme' AND m.user_id = '$id{mem}'"), 0, 'membership gone');
is($hub->psql($db, "SELECT count(*) FROM users WHERE id = '$id{mem}'"), 1, 'the user stays');
is($hub->psql($db, "SELECT count(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id
                     WHERE t.slug = 'bravo' AND m.user_id = '$id{mem}'"), 1, 'with their other tenant');
is(req($memkey, GET => '/projects')->{status}, 401, "the removed member's key is revoked");
is(req($a->{key}, DELETE => "/members/$id{mem}")->{status}, 404, 'again: 404');
is(req($a->{key}, DELETE => '/members/xyz')->{status}, 404, 'malformed id: 404');

# ---- POST /members/{id}/approve
is_422(req($a->{key}, POST => "/members/$id{pend}/approve", json => {}), ['body', 'role'], 'approve without role');
is_422(req($a->{key}, POST => "/members/$id{pend}/approve", json => { role => 'viewer' }), ['body', 'role'],
       'approve as viewer (not allowed)');
is_422(req($a->{key}, POST => "/members/$id{pend}/approve", json => { role => 1 }), ['body', 'role'], 'role: number');
$r = req($a->{key}, POST => "/members/$id{pend}/approve", json => { role => 'member' });
is($r->{status}, 200, 'approve');
is($r->{json}{role}, 'user', 'as member (user)');
like($r->{json}{confirmed_at} // '', qr/^\d{4}-/, 'confirmed_at set');
is($hub->psql($db, "SELECT state FROM memberships WHERE user_id = '$id{pend}'"), 'active', 'active');
$r = req($a->{key}, POST => "/members/$id{pend}/approve", json => { role => 'admin' });
is($r->{status}, 400, 'approving twice: 400');
is($r->{json}{detail}, 'Member is already approved', 'documented message');
is($hub->psql($db, "SELECT role FROM memberships WHERE user_id = '$id{pend}'"), 'member', 'role unchanged');
is(req($a->{key}, POST => '/members/nope/approve', json => { role => 'member' })->{status}, 404, 'malformed: 404');
is(req($a->{key}, POST => "/members/$id{bowner}/approve", json => { role => 'member' })->{status}, 404,
   "another tenant's member: 404");

# ---- isolation: each tenant with the other's ids
$hub->hubctl('create-user', 'p2@bravo.test');
$hub->hubctl('add-member', 'bravo', 'p2@bravo.test', 'member');
$hub->psql($db, "UPDATE memberships SET state = 'pending'
                  WHERE user_id = (SELECT id FROM users WHERE email = 'p2\@bravo.test')");
$id{bpend} = uid('p2@bravo.test');
$hub->psql($db, "UPDATE memberships SET state = 'pending' WHERE user_id = '$id{view}'");
my $snap = sub { $hub->psql($db, "SELECT string_agg(tenant_id::text || user_id::text || role || state
                                   || coalesce(display_name, '') || coalesce(timezone, ''), ','
                                   ORDER BY tenant_id, user_id) FROM memberships") };
my $before = $snap->();
for my $case ([$a->{key}, $b->{key}, $id{view}, 'bravo against acme'],
              [$b->{key}, $a->{key}, $id{bpend}, 'acme against bravo']) {
    my ($own, $other, $target, $tag) = @$case;
    for my $t ($target, $target eq $id{view} ? $id{owner} : $id{bowner}) {
        is(req($other, PATCH => "/members/$t", json => { role => 'viewer', name => 'pwned' })->{status},
           404, "$tag: PATCH is 404");
        is(req($other, DELETE => "/members/$t")->{status}, 404, "$tag: DELETE is 404");
        is(req($other, POST => "/members/$t/approve", json => { role => 'admin' })->{status}, 404,
           "$tag: approve is 404");
    }
    my @emails = map { $_->{email} } @{ req($other, GET => '/members')->{json}{items} };
    ok(!grep({ $_ eq ($target eq $id{view} ? 'view@acme.test' : 'p2@bravo.test') } @emails),
       "$tag: the list does not show it");
}
is($snap->(), $before, 'no membership changed');
is(req($b->{key}, GET => '/tenants?descope_id=' . $tid)->{status}, 404, "bravo cannot read acme's tenant");

# every route needs credentials
for my $c ([GET => '/members'], [GET => '/members/search?email=a'], [PATCH => "/members/$id{view}"],
           [DELETE => "/members/$id{view}"], [POST => "/members/$id{view}/approve"]) {
    is($hub->request($c->[0], "$CX$c->[1]", json => {})->{status}, 401, "$c->[0] $c->[1] without key: 401");
}

$hub->log_is_clean;
done_testing;
