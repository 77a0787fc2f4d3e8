# G4F: tenant settings (deep merge) with their audit trail, and the
# tenant's users for its admins.
use strict;
use warnings;
use Test::More;
use POSIX ();
use HubTest;

my $hub = HubTest->new;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $G = '/g4f/api/v1';
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub q1 { $hub->psql($hub->db, shift) }
sub put { my ($k, $body) = @_; $hub->request('PUT', "$G/settings", auth($k), json => $body) }
sub g4f_error {
    my ($r, $status, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    ok(ref $r->{json}{error} eq 'HASH' && defined $r->{json}{error}{code}
       && defined $r->{json}{error}{request_id}, "$what: g4f envelope");
}
my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
my $acme_id = q1("SELECT id FROM tenants WHERE slug = 'acme'");
my $owner_id = q1("SELECT id FROM users WHERE email = 'owner\@acme.test'");
my @secrets = ($a->{key}, $b->{key});
my $r;

# ---- settings --------------------------------------------------------------
g4f_error($hub->get("$G/settings"), 401, 'settings without credentials');
$r = $hub->get("$G/settings", auth($a->{key}));
is($r->{status}, 200, 'get settings');
is_deeply($r->{json}, { settings => {} }, 'none yet: an empty object');

$r = put($a->{key}, { ui => { theme => 'dark', lang => 'en' }, limits => { rpm => 10 }, tags => ['a'] });
is($r->{status}, 200, 'put settings');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{ok: true}');
$r = put($a->{key}, { ui => { theme => 'light' }, limits => undef, tags => ['a', 'b'], flag => JSON::PP::false });
is($r->{status}, 200, 'put a partial object');
is_deeply($hub->get("$G/settings", auth($a->{key}))->{json}{settings},
          { ui => { theme => 'light', lang => 'en' }, tags => ['a', 'b'], flag => JSON::PP::false },
          'deep-merged: objects merge, values and arrays replace, null removes');
put($a->{key}, { ui => { theme => 'light' } });
put($a->{key}, {});
is(q1("SELECT count(*) FROM settings_audit"), 8, 'a put that changes nothing records nothing');
$r = put($a->{key}, { ui => 'compact' });
is_deeply($hub->get("$G/settings", auth($a->{key}))->{json}{settings}{ui}, 'compact', 'an object replaced by a value');

for my $bad (['[1]', 'an array'], ['"x"', 'a string'], ['{"a":', 'malformed JSON'], ['{"a":1,"a":2}', 'duplicate keys']) {
    $r = $hub->request('PUT', "$G/settings", headers => { Authorization => "Bearer $a->{key}",
                                                           'Content-Type' => 'application/json' },
                       body => $bad->[0]);
    g4f_error($r, 400, "settings body: $bad->[1]");
}
$r = $hub->request('PUT', "$G/settings", headers => { Authorization => "Bearer $a->{key}",
                                                      'Content-Type' => 'text/plain' }, body => '{}');
is($r->{status}, 415, 'not JSON: 415');

# concurrent writers lose nothing
my @kids;
for my $i (1 .. 6) {
    my $pid = fork // die;
    if (!$pid) {
        my $res = HTTP::Tiny->new->request('PUT', $hub->base . "$G/settings",
            { headers => { Authorization => "Bearer $a->{key}", 'Content-Type' => 'application/json' },
              content => qq({"race":{"k$i":$i}}) });
        POSIX::_exit($res->{status} == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
my $failed = 0;
for (@kids) { waitpid($_, 0); $failed++ if $? }
is($failed, 0, 'six concurrent puts succeed');
is_deeply($hub->get("$G/settings", auth($a->{key}))->{json}{settings}{race},
          { map { ("k$_" => $_) } 1 .. 6 }, 'and none is lost');
is(q1("SELECT count(*) FROM settings_audit WHERE path LIKE 'race.%'"), 6, 'each audited once');

# read-only and other tenants
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
push @secrets, $ro;
is($hub->get("$G/settings", auth($ro))->{status}, 200, 'a read key reads settings');
g4f_error(put($ro, { x => 1 }), 403, 'a read key cannot change them');
my $rw = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.write');
push @secrets, $rw;
g4f_error(put($rw, { x => 1 }), 403, 'settings are for admins');
is_deeply($hub->get("$G/settings", auth($b->{key}))->{json}, { settings => {} }, "bravo does not see acme's settings");
put($b->{key}, { ui => { theme => 'bravo' } });
is($hub->get("$G/settings", auth($a->{key}))->{json}{settings}{ui}, 'compact', "bravo's put leaves acme's alone");

# ---- audit -----------------------------------------------------------------
$r = $hub->get("$G/settings/audit", auth($a->{key}));
is($r->{status}, 200, 'audit');
my @items = @{ $r->{json}{items} };
is(scalar @items, 15, 'every change of acme, one per path');
is($r->{json}{next_cursor}, undef, 'one page: no next_cursor');
is_deeply([sort keys %{ $items[0] }], [sort qw(id ts actor_user_id actor change)], 'item fields');
is_deeply([sort keys %{ $items[0]{change} }], [qw(from path to)], 'change fields');
like($items[0]{ts}, $iso, 'ts');
is($items[0]{actor_user_id}, $owner_id, 'actor_user_id is the caller');
my %change = map { ("$_->{change}{path}" . '#' . $HubTest::JSON->encode($_->{change}{to}) => $_->{change}{from}) } @items;
is_deeply($change{'ui.theme#"dark"'}, undef, 'ui.theme: from nothing to dark');
is_deeply($change{'ui.theme#"light"'}, 'dark', 'ui.theme: dark to light');
is_deeply($change{'limits#null'}, { rpm => 10 }, 'limits removed: from its value to null');
is_deeply($change{'tags#["a","b"]'}, ['a'], 'an array replaced whole');
is_deeply($change{'ui#"compact"'}, { theme => 'light', lang => 'en' }, 'an object replaced by a value');
ok(exists $change{'limits.rpm#10'}, 'a new object records its leaves');

my (@seen, $cursor, $pages);
do {
    $r = $hub->get("$G/settings/audit?limit=4" . (defined $cursor ? "&cursor=$cursor" : ''), auth($a->{key}));
    push @seen, @{ $r->{json}{items} };
    $cursor = $r->{json}{next_cursor};
    $pages++;
} while (defined $cursor && $pages < 10);
is($pages, 4, 'limit=4: four pages');
is_deeply([map { $_->{id} } @seen], [map { $_->{id} } @items], 'the same items, in order, by cursor');
for my $q ('limit=0', 'limit=1000', 'limit=x', 'cursor=abc', 'cursor=-1') {
    g4f_error($hub->get("$G/settings/audit?$q", auth($a->{key})), 400, "audit $q");
}
is(scalar @{ $hub->get("$G/settings/audit", auth($b->{key}))->{json}{items} }, 1, "bravo sees its own change only");
is(scalar @{ $hub->get("$G/settings/audit?cursor=" . ($cursor // 999999), auth($b->{key}))->{json}{items} }, 1,
   "a cursor never reaches another tenant's rows");
g4f_error($hub->get("$G/settings/audit"), 401, 'audit without credentials');

# ---- admin users -----------------------------------------------------------
$r = $hub->get("$G/admin/users", auth($a->{key}));
is($r->{status}, 200, 'list users');
is_deeply([map { $_->{email} } @{ $r->{json}{items} }], ['owner@acme.test'], 'the members of acme');
is_deeply($r->{json}{items}[0]{roles}, ['owner'], 'roles: the membership role');
is_deeply([sort keys %{ $r->{json}{items}[0] }], [sort qw(id name email roles created_at disabled)], 'user fields');
for my $m (['GET', "$G/admin/users"], ['POST', "$G/admin/users", { name => 'x', email => 'x@y.test', roles => ['member'] }],
           ['PATCH', "$G/admin/users/$owner_id", { name => 'x' }], ['DELETE', "$G/admin/users/$owner_id"]) {
    my ($meth, $path, $body) = @$m;
    g4f_error($hub->request($meth, $path, $body ? (json => $body) : ()), 401, "$meth without credentials");
    g4f_error($hub->request($meth, $path, auth($rw), $body ? (json => $body) : ()), 403, "$meth by a non-admin");
}

my $pw = 'a strong password 1';
push @secrets, $pw;
$r = $hub->post("$G/admin/users", auth($a->{key}),
                json => { name => 'Dana', email => 'dana@acme.test', roles => ['editor'], password => $pw });
is($r->{status}, 200, 'create a user');
my $dana = $r->{json}{user};
is_deeply([@$dana{qw(name email)}], ['Dana', 'dana@acme.test'], 'name and email');
is_deeply($dana->{roles}, ['member'], "Tool Hub's editor is a member");
like($dana->{created_at}, $iso, 'created_at');
like(q1("SELECT password_hash FROM users WHERE id = '$dana->{id}'"), qr/^\$argon2id\$/, 'the password hashed');
is(q1("SELECT role FROM memberships WHERE tenant_id = '$acme_id' AND user_id = '$dana->{id}'"), 'member',
   'a member of acme');

# reusing an account by e-mail: bravo's owner joins acme as a viewer
$r = $hub->post("$G/admin/users", auth($a->{key}),
                json => { name => 'ignored', email => 'OWNER@bravo.test', roles => ['viewer'] });
is($r->{status}, 200, 'an existing account is reused');
my $bo = $r->{json}{user};
is($bo->{email}, 'owner@bravo.test', 'the existing account');
is($bo->{name}, 'owner', 'its name is not overwritten');
is_deeply($bo->{roles}, ['viewer'], 'with the role given');
g4f_error($hub->post("$G/admin/users", auth($a->{key}),
                     json => { name => 'x', email => 'owner@bravo.test', roles => ['viewer'] }), 409, 'already a member');
$hub->hubctl('create-user', 'zed@elsewhere.test');
g4f_error($hub->post("$G/admin/users", auth($a->{key}),
                     json => { name => 'x', email => 'zed@elsewhere.test', roles => ['member'], password => 'x' x 12 }),
          409, "an existing account's password is not set by another tenant");
is(q1("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'zed\@elsewhere.test'"), 0,
   'and it is not added');

for my $bad ([{ email => 'e@acme.test', roles => ['member'] }, 'no name'],
             [{ name => 'E', roles => ['member'] }, 'no email'],
             [{ name => 'E', email => 'e@acme.test' }, 'no roles'],
             [{ name => 'E', email => 'not-an-address', roles => ['member'] }, 'a bad email'],
             [{ name => 'E', email => 'e@acme.test', roles => ['god'] }, 'an unknown role'],
             [{ name => 'E', email => 'e@acme.test', roles => [] }, 'no role'],
             [{ name => 'E', email => 'e@acme.test', roles => ['admin', 'viewer'] }, 'two roles'],
             [{ name => 'E', email => 'e@acme.test', roles => ['superuser'] }, 'superuser'],
             [{ name => 'E', email => 'e@acme.test', roles => 'member' }, 'roles not an array'],
             [{ name => 'E', email => 'e@acme.test', roles => ['member'], password => 'short' }, 'a weak password']) {
    g4f_error($hub->post("$G/admin/users", auth($a->{key}), json => $bad->[0]), 400, "create: $bad->[1]");
}
is(q1("SELECT count(*) FROM users WHERE email = 'e\@acme.test'"), 0, 'no user made by a refused create');

# list: q, pagination, superuser
$hub->hubctl('create-user', 'root@acme.test', '--superuser');
$hub->hubctl('add-member', 'acme', 'root@acme.test', 'admin');
$r = $hub->get("$G/admin/users?q=root", auth($a->{key}));
is_deeply([map { $_->{email} } @{ $r->{json}{items} }], ['root@acme.test'], 'q searches');
is_deeply($r->{json}{items}[0]{roles}, ['admin', 'superuser'], 'a superuser says so');
is(scalar @{ $hub->get("$G/admin/users?q=%25", auth($a->{key}))->{json}{items} }, 0, 'q is text, not a pattern');
my (@all, $c, $n);
do {
    $r = $hub->get("$G/admin/users?limit=2" . (defined $c ? "&cursor=$c" : ''), auth($a->{key}));
    push @all, map { $_->{email} } @{ $r->{json}{items} };
    $c = $r->{json}{next_cursor};
    $n++;
} while (defined $c && $n < 10);
is_deeply([sort @all], [sort qw(owner@acme.test dana@acme.test owner@bravo.test root@acme.test)],
          'pages of two cover every member once');
g4f_error($hub->get("$G/admin/users?limit=0", auth($a->{key})), 400, 'limit=0');
g4f_error($hub->get("$G/admin/users?cursor=x", auth($a->{key})), 400, 'cursor=x');

# patch
g4f_error($hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => {}), 400, 'patch nothing');
g4f_error($hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => { roles => ['x'] }), 400,
          'patch an unknown role');
g4f_error($hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => { password => 'short' }), 400,
          'patch a weak password');
g4f_error($hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => { disabled => 'yes' }), 400,
          'patch disabled: not a boolean');
my $pw2 = 'another strong password';
push @secrets, $pw2;
my $old_hash = q1("SELECT password_hash FROM users WHERE id = '$dana->{id}'");
$r = $hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}),
                   json => { name => 'Dana S', roles => ['admin'], password => $pw2 });
is($r->{status}, 200, 'patch name, roles, password');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{ok: true}');
is(q1("SELECT display_name FROM users WHERE id = '$dana->{id}'"), 'Dana S', 'name changed');
is(q1("SELECT role FROM memberships WHERE tenant_id = '$acme_id' AND user_id = '$dana->{id}'"), 'admin', 'role changed');
isnt(q1("SELECT password_hash FROM users WHERE id = '$dana->{id}'"), $old_hash, 'password changed');
$r = $hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => { disabled => JSON::PP::true });
is($r->{status}, 200, 'disable');
is(q1("SELECT state FROM memberships WHERE tenant_id = '$acme_id' AND user_id = '$dana->{id}'"), 'disabled', 'suspended here');
ok((grep { $_->{id} eq $dana->{id} && $_->{disabled} } @{ $hub->get("$G/admin/users?q=dana", auth($a->{key}))->{json}{items} }),
   'listed as disabled');
$hub->request('PATCH', "$G/admin/users/$dana->{id}", auth($a->{key}), json => { disabled => JSON::PP::false });
is(q1("SELECT state FROM memberships WHERE tenant_id = '$acme_id' AND user_id = '$dana->{id}'"), 'active', 'restored');

# an account shared with another tenant: only its role here changes
g4f_error($hub->request('PATCH', "$G/admin/users/$bo->{id}", auth($a->{key}), json => { password => $pw2 }), 403,
          "another tenant's owner's password");
g4f_error($hub->request('PATCH', "$G/admin/users/$bo->{id}", auth($a->{key}), json => { name => 'pwned' }), 403,
          "another tenant's owner's name");
is(q1("SELECT coalesce(display_name, '') || coalesce(password_hash, '') FROM users WHERE email = 'owner\@bravo.test'"), '',
   'their account untouched');
is($hub->request('PATCH', "$G/admin/users/$bo->{id}", auth($a->{key}), json => { roles => ['member'] })->{status}, 200,
   'but their role in acme changes');

# the last owner stays
g4f_error($hub->request('PATCH', "$G/admin/users/$owner_id", auth($a->{key}), json => { roles => ['admin'] }), 409,
          'demote the last owner');
g4f_error($hub->request('PATCH', "$G/admin/users/$owner_id", auth($a->{key}), json => { disabled => JSON::PP::true }), 409,
          'disable the last owner');
g4f_error($hub->request('DELETE', "$G/admin/users/$owner_id", auth($a->{key})), 409, 'remove the last owner');
is(q1("SELECT role || state FROM memberships WHERE tenant_id = '$acme_id' AND user_id = '$owner_id'"), 'owneractive',
   'still the owner');

# isolation: bravo against acme's users, by id
my $dana_row = q1("SELECT u::text || m::text FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = '$dana->{id}'");
for my $case (['PATCH', { name => 'pwned' }], ['PATCH', { roles => ['viewer'] }], ['PATCH', { disabled => JSON::PP::true }],
              ['DELETE']) {
    my ($meth, $body) = @$case;
    for my $id ($dana->{id}, $owner_id) {
        g4f_error($hub->request($meth, "$G/admin/users/$id", auth($b->{key}), $body ? (json => $body) : ()), 404,
                  "bravo: $meth an acme user");
    }
}
is(q1("SELECT u::text || m::text FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = '$dana->{id}'"),
   $dana_row, "acme's user unchanged");
ok(!grep({ $_->{email} =~ /acme/ } @{ $hub->get("$G/admin/users", auth($b->{key}))->{json}{items} }),
   "bravo's list has no acme user");
for my $id ('not-a-uuid', '00000000-0000-4000-8000-000000000000') {
    g4f_error($hub->request('PATCH', "$G/admin/users/$id", auth($a->{key}), json => { name => 'x' }), 404, "patch $id");
    g4f_error($hub->request('DELETE', "$G/admin/users/$id", auth($a->{key})), 404, "delete $id");
}

# delete: out of acme, the account and its other tenants stay, its keys here die
my $dkey = $hub->hubctl('create-key', 'acme', '--user', 'dana@acme.test', '--scopes', 'operator.read');
push @secrets, $dkey;
is($hub->get("$G/settings", auth($dkey))->{status}, 200, "dana's key works");
$r = $hub->request('DELETE', "$G/admin/users/$dana->{id}", auth($a->{key}));
is($r->{status}, 200, 'delete a user from the tenant');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{ok: true}');
is(q1("SELECT count(*) FROM memberships WHERE user_id = '$dana->{id}'"), 0, 'no longer a member');
is(q1("SELECT count(*) FROM users WHERE id = '$dana->{id}'"), 1, 'the account stays');
is($hub->get("$G/settings", auth($dkey))->{status}, 401, 'their key in acme is revoked');
g4f_error($hub->request('DELETE', "$G/admin/users/$dana->{id}", auth($a->{key})), 404, 'delete twice');
$r = $hub->request('DELETE', "$G/admin/users/$bo->{id}", auth($a->{key}));
is($r->{status}, 200, "remove bravo's owner from acme");
is(q1("SELECT count(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.user_id = '$bo->{id}' AND t.slug = 'bravo' AND m.role = 'owner'"), 1, 'still owner of bravo');
is($hub->get("$G/settings", auth($b->{key}))->{status}, 200, "and bravo's key still works");

# the database holds no raw key or password
my $dump = q1("SELECT string_agg(t, E'\\n') FROM (SELECT u::text AS t FROM users u
               UNION ALL SELECT k::text FROM api_keys k UNION ALL SELECT s::text FROM settings_audit s) x");
for my $s (@secrets) {
    unlike($dump, qr/\Q$s\E/, 'no raw key or password in the database (' . substr($s, 0, 6) . '...)');
}

$hub->log_is_clean;
done_testing;
