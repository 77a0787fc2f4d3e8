# Caylex: platform access tokens, invites, general settings and password
# resets by mail (through a tiny SMTP listener run by this test).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ();
use Digest::SHA qw(sha256_hex);
use HubTest;

# ---- a local SMTP server: enough of the protocol for libcurl -------------
my $maildir = tempdir(CLEANUP => 1);
my ($smtp_pid, $smtp_port) = smtp_server($maildir);

sub smtp_server {
    my ($dir) = @_;
    my $srv = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                    LocalPort => 0, ReuseAddr => 1) or die "smtp: $!";
    my $port = $srv->sockport;
    my $pid = fork // die "fork: $!";
    return ($pid, $port) if $pid;
    my $n = 0;
    while (my $c = $srv->accept) {
        $c->autoflush(1);
        print $c "220 test ESMTP\r\n";
        my ($data, $in_data, $rcpt, $from) = ('', 0, '', '');
        while (my $line = <$c>) {
            if ($in_data) {
                if ($line eq ".\r\n") {
                    $in_data = 0;
                    $n++;
                    open my $fh, '>', "$dir/mail.$n.tmp" or die;
                    print $fh "X-Envelope-From: $from\r\nX-Envelope-To: $rcpt\r\n$data";
                    close $fh;
                    rename "$dir/mail.$n.tmp", "$dir/mail.$n";
                    $data = '';
                    print $c "250 OK queued\r\n";
                }
                else {
                    $data .= $line;
                }
                next;
            }
            if ($line =~ /^(EHLO|HELO)\b/i) { print $c "250 test\r\n" }
            elsif ($line =~ /^MAIL FROM:\s*(\S+)/i) { $from = $1; print $c "250 OK\r\n" }
            elsif ($line =~ /^RCPT TO:\s*(\S+)/i) { $rcpt = $1; print $c "250 OK\r\n" }
            elsif ($line =~ /^DATA\b/i) { $in_data = 1; print $c "354 go ahead\r\n" }
            elsif ($line =~ /^QUIT\b/i) { print $c "221 bye\r\n"; last }
            else { print $c "250 OK\r\n" }
        }
        close $c;
    }
    POSIX::_exit(0);
}

sub mails { my @m = sort { ($a =~ /(\d+)$/)[0] <=> ($b =~ /(\d+)$/)[0] } glob("$maildir/mail.[0-9]*"); @m }
sub slurp { local (@ARGV, $/) = @_; <> }

my $hub = HubTest->new(conf => "HubSmtpServer smtp://127.0.0.1:$smtp_port\n"
                             . "HubMailFrom hub\@test\nHubPublicUrl http://hub.test");
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $C = '/caylex/api/v1';
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub q1 { $hub->psql($hub->db, shift) }
my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
my $uuid = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
my (@secrets, $r);

# ---- platform access tokens ----------------------------------------------
$r = $hub->get("$C/platform-access-tokens");
is($r->{status}, 401, 'tokens need credentials');
ok(defined $r->{json}{detail}, 'caylex envelope');

$r = $hub->post("$C/platform-access-tokens", auth($a->{key}),
                json => { name => 'CI token', description => 'Token for CI/CD pipeline',
                          role => 'admin', expires_at => '2099-12-31T23:59:59Z' });
is($r->{status}, 201, 'create a platform access token');
my $pat = $r->{json};
is_deeply([sort keys %$pat], [sort qw(id name description role expires_at token preview created_at)],
          'CreatePlatformAccessTokenResponse fields');
like($pat->{id}, $uuid, 'id');
is($pat->{role}, 'admin', 'role');
is($pat->{expires_at}, '2099-12-31T23:59:59.000Z', 'expires_at');
like($pat->{created_at}, $iso, 'created_at');
like($pat->{token}, qr/^hub_[A-Za-z0-9_-]{43}$/, 'the raw token, high entropy');
is($pat->{preview}, substr($pat->{token}, 0, 8) . '......', 'preview shows only the prefix');
push @secrets, $pat->{token};
is($hub->get("$C/platform-access-tokens", auth($pat->{token}))->{status}, 200,
   'the token authenticates as a bearer token');
is(q1("SELECT kind FROM api_keys WHERE id = '$pat->{id}'"), 'platform', 'stored as a platform key');

$r = $hub->post("$C/platform-access-tokens", auth($a->{key}),
                json => { name => 'offset', expires_at => '2099-06-01T12:00:00+02:00' });
is($r->{status}, 201, 'an offset expiry');
is($r->{json}{expires_at}, '2099-06-01T10:00:00.000Z', 'normalized to UTC');
is($r->{json}{description}, undef, 'no description: null');
is($r->{json}{role}, 'admin', 'role defaults to admin');
my $pat2 = $r->{json};
push @secrets, $pat2->{token};

$r = $hub->post("$C/platform-access-tokens", auth($a->{key}), json => { name => 'x', role => 'member' });
is($r->{status}, 400, 'a member role: 400');
is($r->{json}{detail}, 'Only admin role is allowed for platform access tokens', 'the documented detail');
for my $bad ([{}, 'name'], [{ name => '' }, 'name'], [{ name => 5 }, 'name'],
             [{ name => 'x', expires_at => 'tomorrow' }, 'expires_at'],
             [{ name => 'x', expires_at => '2099-02-31T00:00:00Z' }, 'expires_at'],
             [{ name => 'x', expires_at => '2001-01-01T00:00:00Z' }, 'expires_at'],
             [{ name => 'x', role => 7 }, 'role']) {
    my ($body, $field) = @$bad;
    $r = $hub->post("$C/platform-access-tokens", auth($a->{key}), json => $body);
    is($r->{status}, 422, 'bad token request: ' . $HubTest::JSON->encode($body));
    is_deeply($r->{json}{detail}[0]{loc}, ['body', $field], "FastAPI loc names $field");
}
$r = $hub->request('POST', "$C/platform-access-tokens", auth($a->{key}), body => '{"name":',
                   headers => { Authorization => "Bearer $a->{key}", 'Content-Type' => 'application/json' });
is($r->{status}, 422, 'malformed JSON: 422');

$r = $hub->get("$C/platform-access-tokens", auth($a->{key}));
is($r->{status}, 200, 'list tokens');
is(scalar @{ $r->{json} }, 2, 'both tokens');
is_deeply([sort keys %{ $r->{json}[0] }], [sort qw(id name description preview role expires_at created_at)],
          'GetPlatformAccessTokenResponse fields: no secret');
ok(!grep({ $r->{content} =~ /\Q$_\E/ } @secrets), 'no raw token in the listing');
is(scalar @{ $hub->get("$C/platform-access-tokens", auth($b->{key}))->{json} }, 0,
   "bravo sees none of acme's tokens");

my $ro = $hub->hubctl('create-key', 'acme', '--user', 'owner@acme.test', '--scopes', 'operator.read');
push @secrets, $ro;
is($hub->get("$C/platform-access-tokens", auth($ro))->{status}, 403, 'a non-admin cannot list');
is($hub->post("$C/platform-access-tokens", auth($ro), json => { name => 'x' })->{status}, 403,
   'nor create');
is($hub->request('DELETE', "$C/platform-access-tokens/$pat2->{id}", auth($ro))->{status}, 403,
   'nor delete');

# isolation: bravo against acme's token
is($hub->request('DELETE', "$C/platform-access-tokens/$pat2->{id}", auth($b->{key}))->{status}, 404,
   "bravo deleting acme's token: 404");
is(q1("SELECT revoked_at IS NULL FROM api_keys WHERE id = '$pat2->{id}'"), 't', 'and it is untouched');
is($hub->get("$C/platform-access-tokens", auth($pat2->{token}))->{status}, 200, 'still works');

$r = $hub->request('DELETE', "$C/platform-access-tokens/$pat2->{id}", auth($a->{key}));
is($r->{status}, 204, 'delete: 204');
is($r->{content} // '', '', 'no body');
is($hub->get("$C/platform-access-tokens", auth($pat2->{token}))->{status}, 401, 'refused at once');
is($hub->request('DELETE', "$C/platform-access-tokens/$pat2->{id}", auth($a->{key}))->{status}, 404,
   'deleting twice: 404');
$r = $hub->request('DELETE', "$C/platform-access-tokens/not-a-uuid", auth($a->{key}));
is($r->{status}, 404, 'a malformed id: 404');
is($r->{json}{detail}, 'Platform access token not found', 'documented detail');
my $api_key_id = q1("SELECT id FROM api_keys WHERE prefix = '" . substr($ro, 0, 8) . "'");
is($hub->request('DELETE', "$C/platform-access-tokens/$api_key_id", auth($a->{key}))->{status}, 404,
   'an ordinary API key is no platform token');
is(scalar @{ $hub->get("$C/platform-access-tokens", auth($a->{key}))->{json} }, 1, 'one left');

# ---- invites -------------------------------------------------------------
my $proj = q1("INSERT INTO projects (tenant_id, name) SELECT id, 'Example Project' FROM tenants WHERE slug = 'acme' RETURNING id");
my $bproj = q1("INSERT INTO projects (tenant_id, name) SELECT id, 'Bravo Project' FROM tenants WHERE slug = 'bravo' RETURNING id");
# a link's token, as POST .../auth-links/user makes it (t/http/35 tests
# those endpoints): the /invite endpoints need it beside the id
my %tok;
sub link_row {
    my ($slug, $project, $type, $valid, $expires) = @_;
    my $token = 'hubl_' . join '', map { ('a'..'z', 'A'..'Z', 0..9)[rand 62] } 1 .. 43;
    my $hash = sha256_hex($token);
    my $id = q1("INSERT INTO auth_links (tenant_id, project_id, link_type, valid_for, expires_at, token_hash)
                 SELECT id, '$project', '$type', $valid, now() + interval '$expires', '$hash'
                   FROM tenants WHERE slug = '$slug' RETURNING id");
    $tok{$id} = $token;
    push @secrets, $token;
    return $id;
}
sub tq { "auth_link_id=$_[0]&token=" . ($tok{$_[0]} // '') }
my $ulink = link_row('acme', $proj, 'user', "'{partner.test,acme.test}'", '7 days');
my $plink = link_row('acme', $proj, 'project', "'{guest\@x.test}'", '7 days');
my $old = link_row('acme', $proj, 'user', 'NULL', '-1 minute');
my $blink = link_row('bravo', $bproj, 'user', "'{partner.test}'", '7 days');

$r = $hub->get("$C/invite/metadata?@{[tq($ulink)]}");
is($r->{status}, 200, 'invite metadata without credentials');
is_deeply([sort keys %{ $r->{json} }], [sort qw(tenant_name project_name expires_at auth_link_type valid_for)],
          'InviteMetadataResponse fields');
is($r->{json}{tenant_name}, 'Team acme', 'tenant_name');
is($r->{json}{project_name}, 'Example Project', 'project_name');
is($r->{json}{auth_link_type}, 'user', 'auth_link_type');
is_deeply($r->{json}{valid_for}, ['partner.test', 'acme.test'], 'valid_for');
like($r->{json}{expires_at}, $iso, 'expires_at');
is($hub->get("$C/invite/metadata?@{[tq($plink)]}")->{json}{auth_link_type}, 'project', 'a project link');
$r = $hub->get("$C/invite/metadata");
is($r->{status}, 422, 'no auth_link_id: 422');
is_deeply($r->{json}{detail}[0]{loc}, ['query', 'auth_link_id'], 'loc names the query parameter');
is($hub->get("$C/invite/metadata?auth_link_id=nope")->{status}, 422, 'a malformed id: 422');
for my $id ($old, '00000000-0000-4000-8000-000000000000') {
    $r = $hub->get("$C/invite/metadata?@{[tq($id)]}");
    is($r->{status}, 401, 'an expired or unknown invite: 401');
    is($r->{json}{detail}, 'Invite is invalid', 'documented detail');
}

# a partner in bravo, invited to acme
$hub->hubctl('create-user', 'carol@partner.test', '--name', 'Carol');
$hub->hubctl('add-member', 'bravo', 'carol@partner.test', 'member');
my $carol = $hub->hubctl('create-key', 'bravo', '--user', 'carol@partner.test', '--scopes', 'operator.read');
push @secrets, $carol;

is($hub->get("$C/invite/config?@{[tq($ulink)]}")->{status}, 401, 'config needs credentials');
$r = $hub->get("$C/invite/config?@{[tq($ulink)]}", auth($carol));
is($r->{status}, 200, 'config for an invitee');
is_deeply($r->{json}, { tenant_name => 'Team acme', auth_scope => 'user', oauth_servers => [],
                        header_servers => [], path_servers => [] }, 'InviteConfigResponse');
is($hub->get("$C/invite/config?@{[tq($ulink)]}", auth($b->{key}))->{status}, 403,
   'not for an address outside valid_for');
is($hub->get("$C/invite/config?@{[tq($plink)]}", auth($carol))->{status}, 403,
   'a project link is for its addresses only');
is($hub->get("$C/invite/config?@{[tq($old)]}", auth($carol))->{status}, 401, 'expired: 401');
is($hub->get("$C/invite/config?auth_link_id=x", auth($carol))->{status}, 422, 'malformed: 422');

my %done = (auth_link_id => $ulink, token => $tok{$ulink}, user_email => 'carol@partner.test', descope_user_id => 'D123',
            oauth_servers => [], header_servers => [], path_servers => []);
for my $missing (qw(auth_link_id user_email descope_user_id oauth_servers)) {
    my %body = %done;
    delete $body{$missing};
    $r = $hub->post("$C/invite/complete", auth($carol), json => \%body);
    is($r->{status}, 422, "complete without $missing: 422");
}
is($hub->post("$C/invite/complete", json => \%done)->{status}, 401, 'complete needs credentials');
is($hub->post("$C/invite/complete", auth($carol), json => { %done, auth_link_id => 'zzz' })->{status},
   422, 'a malformed auth_link_id: 422');
is($hub->post("$C/invite/complete", auth($carol), json => { %done, auth_link_id => $old, token => $tok{$old} })->{status},
   401, 'an expired invite: 401');
is($hub->post("$C/invite/complete", auth($carol), json => { %done, user_email => 'eve@partner.test' })->{status},
   403, "someone else's address: 403");
is($hub->post("$C/invite/complete", auth($b->{key}), json => { %done, user_email => 'owner@bravo.test' })->{status},
   403, 'an address outside valid_for: 403');
$r = $hub->post("$C/invite/complete", auth($carol), json => { %done,
    header_servers => [{ name => 'h', server_id => $proj, server_instance_id => $proj, headers => [] }] });
is($r->{status}, 400, 'a server that is not part of the invite: 400');
is(q1("SELECT count(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       JOIN users u ON u.id = m.user_id WHERE t.slug = 'acme' AND u.email <> 'owner\@acme.test'"), 0,
   'no membership made by any refused completion');

$r = $hub->post("$C/invite/complete", auth($carol), json => \%done);
is($r->{status}, 200, 'complete an invite');
is_deeply($r->{json}, { is_new_user => JSON::PP::true, user_token => undef }, 'InviteCompleteResponse');
is(q1("SELECT role || ':' || state FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       JOIN users u ON u.id = m.user_id WHERE t.slug = 'acme' AND u.email = 'carol\@partner.test'"),
   'member:active', 'carol is an active member of acme');
is(q1("SELECT count(*) FROM auth_link_users WHERE auth_link_id = '$ulink'"), 1, 'the completion is recorded');
$r = $hub->post("$C/invite/complete", auth($carol), json => \%done);
is_deeply($r->{json}{is_new_user}, JSON::PP::false, 'completing again: not new');
is(q1("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'carol\@partner.test'"),
   2, 'still two memberships');

# isolation: acme cannot use bravo's invite with an address bravo did not invite
is($hub->post("$C/invite/complete", auth($a->{key}),
              json => { %done, auth_link_id => $blink, token => $tok{$blink}, user_email => 'owner@acme.test' })->{status},
   403, "acme's owner cannot join bravo through bravo's invite");
is(q1("SELECT count(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'bravo'"), 2,
   "bravo's members unchanged");

# ---- general settings ----------------------------------------------------
$r = $hub->get("$C/settings/general", auth($a->{key}));
is($r->{status}, 200, 'general settings');
is_deeply($r->{json}, { name => 'owner', role => 'admin', email => 'owner@acme.test', timezone => 'UTC',
                        tenant_name => 'Team acme', tenant_id => q1("SELECT id FROM tenants WHERE slug = 'acme'"),
                        avatar_url => undef }, 'GeneralSettingsResponse');
$r = $hub->get("$C/settings/general", auth($carol));
is($r->{json}{name}, 'Carol', 'a display name');
is($r->{json}{role}, 'user', 'a member is a user');
is($r->{json}{tenant_name}, 'Team bravo', 'the tenant the key acts in');
is($hub->get("$C/settings/general")->{status}, 401, 'needs credentials');
my $nouser = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.admin');
push @secrets, $nouser;
$r = $hub->get("$C/settings/general", auth($nouser));
is($r->{status}, 404, 'a key of no user: 404');
is($r->{json}{detail}, 'User not found', 'documented detail');

for my $case ([{}, 'At least one field (name or timezone) must be provided'],
              [{ name => '' }, 'Name value cannot be empty'],
              [{ name => '   ' }, 'Name value cannot be empty'],
              [{ timezone => '' }, 'Timezone value cannot be empty']) {
    $r = $hub->post("$C/settings/general", auth($a->{key}), json => $case->[0]);
    is($r->{status}, 400, 'update: ' . $case->[1]);
    is($r->{json}{detail}, $case->[1], 'documented detail');
}
$r = $hub->post("$C/settings/general", auth($a->{key}), json => { timezone => 'Mars/Olympus_Mons' });
is($r->{status}, 400, 'an unknown time zone: 400');
$r = $hub->post("$C/settings/general", auth($a->{key}), json => { name => 'x' x 101 });
is($r->{status}, 422, 'a name over 100 characters: 422');
is($hub->post("$C/settings/general", auth($a->{key}), json => { timezone => 5 })->{status}, 422,
   'a timezone of the wrong type: 422');
is(q1("SELECT coalesce(display_name, '') || '/' || timezone FROM users WHERE email = 'owner\@acme.test'"),
   '/UTC', 'nothing changed by refused updates');
$r = $hub->post("$C/settings/general", auth($a->{key}), json => { name => 'John Doe', timezone => 'America/New_York' });
is($r->{status}, 200, 'update both');
is($r->{json}{name}, 'John Doe', 'name');
is($r->{json}{timezone}, 'America/New_York', 'timezone');
$r = $hub->post("$C/settings/general", auth($a->{key}), json => { timezone => 'Europe/London' });
is_deeply([@{ $r->{json} }{qw(name timezone)}], ['John Doe', 'Europe/London'], 'update one keeps the other');
is($hub->get("$C/settings/general", auth($b->{key}))->{json}{timezone}, 'UTC', "bravo's owner untouched");

# ---- password reset by mail ------------------------------------------------
is($hub->post("$C/settings/password-reset")->{status}, 401, 'a reset link needs credentials');
is($hub->post("$C/settings/password-reset", auth($nouser))->{status}, 404, 'a key of no user: 404');
$r = $hub->post("$C/settings/password-reset", auth($a->{key}));
is($r->{status}, 200, 'send a reset link');
is_deeply($r->{json}, { message => 'Password reset link sent successfully', email => 'owner@acme.test' },
          'PasswordResetResponse');
my @m = mails();
is(scalar @m, 1, 'one mail arrived');
my $mail = slurp($m[0]);
like($mail, qr/^X-Envelope-To: <owner\@acme\.test>/m, 'to the user');
like($mail, qr/^X-Envelope-From: <hub\@test>/m, 'from HubMailFrom');
like($mail, qr/^Subject: Reset your password\r?$/m, 'a subject');
my ($link) = $mail =~ m{(http://hub\.test/\S+)};
like($link, qr{^http://hub\.test/caylex/api/v1/settings/password-reset/confirm\?token=[A-Za-z0-9_-]{43}$},
     'a link under HubPublicUrl and the Caylex mount');
my ($token) = $link =~ /token=(\S+)$/;
push @secrets, $token;
(my $path = $link) =~ s{^http://hub\.test}{};
$r = $hub->get($path);
is($r->{status}, 200, 'the link works');
ok($r->{json}{valid}, 'the token is valid');
is(q1("SELECT count(*) FROM password_resets WHERE token_hash = '" . sha256_hex($token) . "'"), 1,
   'its SHA-256 is stored');
is(q1("SELECT count(*) FROM password_resets WHERE token_hash LIKE '%$token%'"), 0, 'not the token');
is(q1("SELECT expires_at - created_at <= interval '1 hour' FROM password_resets WHERE token_hash = '"
      . sha256_hex($token) . "'"), 't', 'short-lived');

$r = $hub->post("$C/settings/password-reset/confirm", json => { token => $token, new_password => 'short' });
is($r->{status}, 422, 'a weak password: 422');
is_deeply($r->{json}{detail}[0]{loc}, ['body', 'new_password'], 'names new_password');
is($hub->post("$C/settings/password-reset/confirm", json => { token => $token })->{status}, 422,
   'no new_password: 422');
$r = $hub->post("$C/settings/password-reset/confirm", json => { token => 'x' x 43, new_password => 'a long new password' });
is($r->{status}, 400, 'an unknown token: 400');
is($r->{json}{detail}, 'Invalid or expired password reset token', 'one answer for every bad token');
is($hub->get("$C/settings/password-reset/confirm?token=" . ('x' x 43))->{status}, 400, 'unknown token link: 400');
is($hub->get("$C/settings/password-reset/confirm")->{status}, 422, 'no token: 422');

# a session made with the old password
$hub->set_password('owner@acme.test', 'the old password!');
my $login = $hub->post("$C/auth/login", json => { email => 'owner@acme.test', password => 'the old password!' });
my ($ds) = ($login->{headers}{'set-cookie'} // '') =~ /^DS=([^;]+)/;
ok($ds, 'a session made with the old password');
is($hub->get("$C/settings/general", headers => { Cookie => "DS=$ds" })->{status}, 200, 'which works');

my $password = 'correct horse battery staple';
push @secrets, $password;
$r = $hub->post("$C/settings/password-reset/confirm", json => { token => $token, new_password => $password });
is($r->{status}, 200, 'set a new password');
ok(defined HubTest::eventually(7, sub {
    $hub->get("$C/settings/general", headers => { Cookie => "DS=$ds" })->{status} == 401 }),
   'the sessions made with the old password are over (within the cache TTL)');
like(q1("SELECT password_hash FROM users WHERE email = 'owner\@acme.test'"), qr/^\$argon2id\$/, 'stored as Argon2id');
$r = $hub->post("$C/settings/password-reset/confirm", json => { token => $token, new_password => 'another password!' });
is($r->{status}, 400, 'a token works once');
is($hub->get($path)->{status}, 400, 'and its link is dead');

# a newer link spends the older; an expired one is refused
$hub->post("$C/settings/password-reset", auth($a->{key}));
$hub->post("$C/settings/password-reset", auth($a->{key}));
@m = mails();
is(scalar @m, 3, 'two more mails');
my ($t1) = slurp($m[1]) =~ /token=([A-Za-z0-9_-]+)/;
my ($t2) = slurp($m[2]) =~ /token=([A-Za-z0-9_-]+)/;
push @secrets, $t1, $t2;
is($hub->post("$C/settings/password-reset/confirm", json => { token => $t1, new_password => 'another password!' })->{status},
   400, 'an older link is spent by a newer one');
q1("UPDATE password_resets SET expires_at = now() - interval '1 s' WHERE token_hash = '" . sha256_hex($t2) . "'");
is($hub->post("$C/settings/password-reset/confirm", json => { token => $t2, new_password => 'another password!' })->{status},
   400, 'an expired link: 400');
like(q1("SELECT password_hash FROM users WHERE email = 'owner\@acme.test'"), qr/^\$argon2id\$/, 'password unchanged');

# bravo's reset mails bravo's owner, never acme's
$hub->post("$C/settings/password-reset", auth($b->{key}));
@m = mails();
like(slurp($m[-1]), qr/^X-Envelope-To: <owner\@bravo\.test>/m, "bravo's link goes to bravo's owner");

# ---- what the database holds ---------------------------------------------
my $dump = q1("SELECT string_agg(t::text, E'\\n') FROM (
                 SELECT k::text AS t FROM api_keys k UNION ALL SELECT r::text FROM password_resets r
                 UNION ALL SELECT u::text FROM users u UNION ALL SELECT l::text FROM auth_link_users l) x");
ok(length $dump > 100, 'a dump of the tables');
for my $s (@secrets) {
    unlike($dump, qr/\Q$s\E/, 'no raw token or password in the database (' . substr($s, 0, 6) . '...)');
}
my $log = slurp($hub->error_log_path);
ok(!grep({ index($log, $_) >= 0 } @secrets), 'nor in the error log');

# ---- the SMTP server away: the documented 500, and no usable token left ----
kill 'TERM', $smtp_pid;
waitpid($smtp_pid, 0);
my $before = q1("SELECT count(*) FROM password_resets");
$r = $hub->post("$C/settings/password-reset", auth($a->{key}));
is($r->{status}, 500, 'mail failure: 500');
is($r->{json}{detail}, 'Failed to send password reset link. Please try again later.', 'documented detail');
is(q1("SELECT count(*) FROM password_resets"), $before, 'the unsent token is dropped');

$hub->log_is_clean(qr/HUB00732:/);
done_testing;
