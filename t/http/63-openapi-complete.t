# Every operation the hub documents says what it answers: no 2xx answer of
# any served document is a bare {"type":"object"} (nor an array or a page
# of them), but for the ones that are free-form on purpose; and the
# answers declared on the route rows (hub_doc_t: hand-built answers, the
# spec's models) hold for live answers: each operation below is called
# for real, its status must be the documented success status, its body
# must validate against the document and declare every member it has.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ();
use JSON::PP;
use HubMcp;
use HubSchema qw(validate resolve undeclared);
use HubTest;

my $JSON = JSON::PP->new->utf8->allow_nonref->canonical;
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{ open my $fh, '>', $keyfile or die; print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
  close $fh; chmod 0600, $keyfile; }
my $REG = '6f1c2a40-3b7e-4d35-9a51-0c9e8f3b2a11';
my $regfile = "$dir/registry.json";
{ open my $fh, '>', $regfile or die;
  print $fh $JSON->encode([{ id => $REG, name => 'GitHub', description => 'Repositories',
      endpoint => 'https://gh.example.com/mcp/', transport => 'streamable_http',
      logo_url => 'https://gh.example.com/logo.svg', auth_methods => ['oauth'],
      auth_config => { oauth_config => { scopes => ['repo'] } },
      tools => [{ name => 'list_repos', description => 'List repositories' }, { name => 'get_issue' }] }]);
  close $fh; chmod 0644, $regfile; }
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
# a mail server that takes every mail (a reset link's): t/http/13 reads them
my $smtp = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
    or die "smtp: $!";
my $smtp_pid = fork // die "fork: $!";
if (!$smtp_pid) {
    while (my $c = $smtp->accept) {
        $c->autoflush(1);
        print $c "220 test ESMTP\r\n";
        my $data = 0;
        while (my $line = <$c>) {
            if ($data) { if ($line eq ".\r\n") { $data = 0; print $c "250 OK\r\n" } next }
            if ($line =~ /^DATA\b/i) { $data = 1; print $c "354 go ahead\r\n" }
            elsif ($line =~ /^QUIT\b/i) { print $c "221 bye\r\n"; last }
            else { print $c "250 OK\r\n" }
        }
        close $c;
    }
    POSIX::_exit(0);
}
END { local $?; if ($smtp_pid) { kill 'TERM', $smtp_pid; waitpid $smtp_pid, 0 } }
my $hub = HubTest->new(conf => "HubSecretKeyFile $keyfile\nHubRegistryFile $regfile\nHubJwtKeyFile $jwtfile\n"
                             . "HubSmtpServer smtp://127.0.0.1:" . $smtp->sockport . "\nHubMailFrom hub\@test\n"
                             . "HubOutboundAllow 127.0.0.0/8");
my $db = $hub->db;
my $acme = $hub->team('acme');
my $KEY = $acme->{key};
sub q1 { $hub->psql($db, shift) }

my %MOUNT = (caylex => '/caylex/api/v1', g4f => '/g4f/api/v1', patchwork => '', toolhub => '', goclaw => '');
my %DOC = (caylex => '/docs/openapi.json', patchwork => '/api/openapi.json',
           toolhub => '/openapi.json', g4f => '/openapi.json', goclaw => '/v1/openapi.json');
my %doc = map { ($_ => $hub->get($MOUNT{$_} . $DOC{$_})->{json} || {}) } keys %MOUNT;

# ---- no bare answer ---------------------------------------------------------
# free-form on purpose: G4F's settings are the caller's own JSON
my %FREE = map { ($_ => 1) } ('g4f GET /settings');
# A schema that says nothing of what it holds: a bare object, an array
# of them, a page of them, or a wrapper of one of them.
sub bare {
    my ($d, $s) = @_;
    $s = resolve($d, $s->{'$ref'}) while $s->{'$ref'};
    my $type = $s->{type} // '';
    return bare($d, $s->{items} || {}) if $type eq 'array';
    return 0 if $s->{anyOf} || $s->{oneOf} || $s->{allOf} || $s->{additionalProperties};
    my $p = $s->{properties} or return $type eq 'object' || !$type;
    return bare($d, $p->{items}) if $p->{items} && ($p->{meta} || $p->{next_cursor});
    return bare($d, (values %$p)[0]) if keys %$p == 1;
    return 0;
}
my (@bare, $ops);
for my $p (sort keys %doc) {
    for my $path (sort keys %{ $doc{$p}{paths} || {} }) {
        for my $m (sort keys %{ $doc{$p}{paths}{$path} }) {
            my $op = $doc{$p}{paths}{$path}{$m};
            $ops++;
            for my $st (grep { /^2/ } sort keys %{ $op->{responses} }) {
                my $s = (($op->{responses}{$st}{content} || {})->{'application/json'} || {})->{schema} or next;
                my $name = "$p " . uc($m) . " $path";
                push @bare, "$name ($st)" if bare($doc{$p}, $s) && !$FREE{$name};
            }
        }
    }
}
# ... nor has a member that is one, but for what is free-form on purpose:
# the caller's settings, an OpenAPI document's parts
sub loose {
    my ($d, $s, $at, $depth) = @_;
    return () if $depth > 12 || ref $s ne 'HASH';
    return loose($d, resolve($d, $s->{'$ref'}), $at, $depth + 1) if $s->{'$ref'};
    my @out;
    push @out, $at if ($s->{type} // '') eq 'object' && !$s->{properties} && !exists $s->{additionalProperties};
    push @out, loose($d, $s->{items}, "$at\[]", $depth + 1) if $s->{items};
    push @out, loose($d, $s->{properties}{$_}, "$at.$_", $depth + 1) for sort keys %{ $s->{properties} || {} };
    push @out, loose($d, $_, $at, $depth + 1) for @{ $s->{anyOf} || [] }, @{ $s->{oneOf} || [] };
    return @out;
}
my @loose;
for my $p (sort keys %doc) {
    for my $path (sort keys %{ $doc{$p}{paths} || {} }) {
        for my $m (sort keys %{ $doc{$p}{paths}{$path} }) {
            my $op = $doc{$p}{paths}{$path}{$m};
            my $name = "$p " . uc($m) . " $path";
            for my $st (grep { /^2/ } sort keys %{ $op->{responses} }) {
                my $s = (($op->{responses}{$st}{content} || {})->{'application/json'} || {})->{schema} or next;
                push @loose, map { "$name $_" }
                             grep { !($path =~ /openapi\.json$/ && /^\$\.(info|paths|components)$/) }
                             grep { !($FREE{$name} && $_ eq '$.settings') } loose($doc{$p}, $s, '$', 0);
            }
        }
    }
}
is_deeply(\@loose, [], 'no member of an answer is a bare {"type":"object"}') or diag join "\n", @loose;
is_deeply([loose({}, { type => 'object', properties => { a => { type => 'array', items => { type => 'object' } },
                                                   b => { type => 'object', additionalProperties => { type => 'integer' } } } },
                 '$', 0)], ['$.a[]'], 'a bare member is found, a map of integers is not bare');
ok($ops > 200, "$ops operations documented");
is_deeply(\@bare, [], 'no operation answers a bare {"type":"object"}') or diag join "\n", @bare;
# the check sees one
ok(bare({}, { type => 'object' }) && bare({}, { type => 'array', items => { type => 'object' } })
   && bare({}, { type => 'object', properties => { items => { type => 'array', items => {} },
                                                   next_cursor => {} } })
   && !bare({}, { type => 'object', properties => { id => { type => 'string' } } }),
   'a bare answer, a list or a page of them, is found');

# a shape's NOT NULL columns (HUB_J_NOTNULL) are not nullable, the others are
{
    my $so = $doc{patchwork}{components}{schemas}{ServerOut}{properties} || {};
    ok($so->{id} && !$so->{id}{nullable} && !$so->{created_at}{nullable}, 'ServerOut: id and created_at never null');
    ok($so->{description}{nullable}, 'ServerOut: description may be null');
}

# ---- live answers -----------------------------------------------------------
my %seen;    # "profile METHOD template" => its live 2xx status
sub call {
    my ($p, $method, $template, %o) = @_;
    my $cred = exists $o{cred} ? delete $o{cred} : $KEY;
    my $path = delete $o{path} // $template;
    my %h = (%{ delete $o{headers} || {} }, $cred ? (Authorization => "Bearer $cred") : ());
    my $r = $hub->request($method, $MOUNT{$p} . $path, headers => \%h, %o);
    my $tag = "$p $method $template";
    my $op = (($doc{$p}{paths} || {})->{$template} || {})->{lc $method};
    ok($op, "$tag: documented") or return $r;
    my ($ok) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $ok, "$tag: the documented success status") or diag(substr($r->{content} // '', 0, 300));
    return $r unless $r->{status} =~ /^2/;
    $seen{$tag} = $r->{status};
    my $schema = (($op->{responses}{ $r->{status} }{content} || {})->{'application/json'} || {})->{schema};
    return $r unless $schema;
    my $value = eval { $JSON->decode($r->{content}) };
    my @e = validate($doc{$p}, $schema, $value);
    ok(!@e, "$tag: validates") or diag(join("\n", @e[0 .. ($#e > 5 ? 5 : $#e)]), "\n", substr($r->{content}, 0, 500));
    is_deeply([undeclared($doc{$p}, $schema, $value, '')], [], "$tag: every member declared");
    ok(!bare($doc{$p}, $schema), "$tag: more than {type: object}");
    return $r;
}
my $LATER = '2099-06-30T12:00:00Z';

# ---- Patchwork --------------------------------------------------------------
$hub->set_password($acme->{email}, 'correct horse battery');
my $r = call(patchwork => POST => '/api/v1/auth/login/', cred => undef,
             json => { email => $acme->{email}, password => 'correct horse battery' });
my ($cookie) = ($r->{headers}{'set-cookie'} // '') =~ /^(pw_sessionid=[^;]+)/;
call(patchwork => POST => '/api/v1/auth/logout/', cred => undef, headers => { Cookie => $cookie // '' });
$r = $hub->post('/api/v1/servers/', headers => { Authorization => "Bearer $KEY" }, json => { name => 'Weather' });
my ($srv, $slug, $skey) = @{ $r->{json} }{qw(id slug server_key)};
ok($skey, 'a heartbeat server');
call(patchwork => POST => '/api/v1/heartbeat/', cred => $skey,
     json => { tool_count => 2, tool_names => ['forecast', 'alerts'] });
call(patchwork => POST => '/api/v1/feedback/', cred => $skey,
     json => { what_i_needed => 'hourly rain', what_i_tried => 'forecast with hours' });
call(patchwork => POST => '/api/v1/servers/{slug}/probe/', path => "/api/v1/servers/$slug/probe/");
call(patchwork => GET => '/api/', cred => undef);
call(patchwork => GET => '/api/v1/servers/{slug}/quality/', path => "/api/v1/servers/$slug/quality/");
call(patchwork => GET => '/api/v1/servers/{slug}/stats', path => "/api/v1/servers/$slug/stats");

# ---- Tool Hub -----------------------------------------------------------------
my $now = time;
my $TH = HubTest::jwt($jwtkey, { sub => 'th-user', email => 'dev@toolhub.test', role => 'admin', tenant => 'acme',
                                 exp => $now + 900, iat => $now });
call(toolhub => POST => '/api/secrets', cred => $TH, json => { name => 'A_SECRET', value => 'v1' });
call(toolhub => GET => '/api/secrets', cred => $TH);
call(toolhub => PUT => '/api/secrets/{name}', path => '/api/secrets/A_SECRET', cred => $TH,
     json => { value => 'v2', description => 'the second' });
call(toolhub => GET => '/health/mcp/{server_id}', path => "/health/mcp/$srv", cred => $TH);

# ---- G4F ----------------------------------------------------------------------
$r = call(g4f => POST => '/auth/login', cred => undef, json => { method => 'api_key', api_key => $KEY });
my ($access, $refresh) = @{ $r->{json} }{qw(access_token refresh_token)};
$r = call(g4f => POST => '/auth/refresh', cred => undef, json => { refresh_token => $refresh });
call(g4f => POST => '/auth/logout', cred => $r->{json}{access_token}, json => {});
call(g4f => PUT => '/settings', json => { theme => 'dark' });
call(g4f => GET => '/capabilities', cred => undef);
call(g4f => GET => '/server/stats', cred => undef);
call(g4f => GET => '/settings/audit');
$r = $hub->post('/g4f/api/v1/admin/users', headers => { Authorization => "Bearer $KEY" },
                json => { name => 'Ann', email => 'ann@acme.test', roles => ['member'] });
call(g4f => PATCH => '/admin/users/{user_id}', path => "/admin/users/$r->{json}{user}{id}", json => { name => 'Ann B' });

# ---- Caylex: the tenant, sessions, settings, members ---------------------------
call(caylex => POST => '/auth/login', cred => undef, json => { email => $acme->{email}, password => 'correct horse battery' });
call(caylex => POST => '/auth/logout', cred => undef);
call(caylex => GET => '/tenants', path => '/tenants?descope_id=acme');
call(caylex => GET => '/settings/general');
call(caylex => POST => '/settings/general', json => { timezone => 'Europe/Berlin' });
call(caylex => POST => '/settings/password-reset');
# a reset token as the mailed link carries one (stored as its SHA-256)
my $reset = 'reset-token-of-the-test-' . ('x' x 20);
q1("INSERT INTO password_resets (token_hash, user_id, expires_at) SELECT '" . sha256_hex($reset)
   . "', id, now() + interval '1 hour' FROM users WHERE email = '$acme->{email}'");
call(caylex => GET => '/settings/password-reset/confirm', cred => undef,
     path => "/settings/password-reset/confirm?token=$reset");
call(caylex => POST => '/settings/password-reset/confirm', cred => undef,
     json => { token => $reset, new_password => 'a new long password' });
call(caylex => GET => '/platform-access-tokens') if call(caylex => POST => '/platform-access-tokens', json => { name => 'pat' });
$hub->hubctl('create-user', 'pend@acme.test');
$hub->hubctl('add-member', 'acme', 'pend@acme.test', 'member');
q1("UPDATE memberships SET state = 'pending' WHERE user_id = (SELECT id FROM users WHERE email = 'pend\@acme.test')");
my $pend = q1("SELECT id FROM users WHERE email = 'pend\@acme.test'");
call(caylex => GET => '/members');
call(caylex => GET => '/members/search', path => '/members/search?email=pend');
call(caylex => POST => '/members/{member_id}/approve', path => "/members/$pend/approve", json => { role => 'member' });
call(caylex => PATCH => '/members/{member_id}', path => "/members/$pend", json => { role => 'admin' });
call(caylex => DELETE => '/members/{member_id}', path => "/members/$pend");

# ---- Caylex: servers, instances, registry --------------------------------------
my %body = (description => 'x', auth_level => 'user', transport => 'streamable_http');
my %S;
$S{noauth} = call(caylex => POST => '/servers/noauth', json => { %body, name => 'Wiki', endpoint => 'https://wiki.example/mcp' })->{json}{id};
$S{header} = call(caylex => POST => '/servers/header', json => { %body, name => 'Jira', endpoint => 'https://jira.example/mcp',
    headers => [{ header_name => 'X-Api-Key', header_value_prefix => 'Key' }] })->{json}{id};
$S{oauth} = call(caylex => POST => '/servers/oauth', json => { %body, name => 'GitHub', endpoint => 'https://gh.example/mcp',
    metadata => { found => JSON::PP::true, auth_endpoint => 'https://o.example/a', token_endpoint => 'https://o.example/t',
                  registration_endpoint => undef }, manual_client_config => undef })->{json}{id};
call(caylex => POST => '/servers/query', json => { %body, name => 'Query', endpoint => 'https://q.example/mcp',
    auth_level => 'project', params => [{ query_param_name => 'api_key', value => 's3cret-q' }] });
call(caylex => POST => '/servers/path', json => { %body, name => 'Path', endpoint => 'https://p.example/mcp',
    paths => [{ path_param_name => 'token', value => 's3cret-p' }] });
call(caylex => PATCH => '/servers/{server_id}', path => "/servers/$S{noauth}", json => { description => 'the wiki' });
call(caylex => POST => '/servers/{server_id}/clone', path => "/servers/$S{noauth}/clone", json => { name => 'Wiki 2' });
my $p1 = $hub->post('/caylex/api/v1/projects', headers => { Authorization => "Bearer $KEY" }, json => { name => 'Support' })->{json}{id};
call(caylex => POST => '/servers/{server_id}/connections', path => "/servers/$_/connections", json => { project_ids => [$p1] })
    for $S{noauth}, $S{oauth}, $S{header}, $srv;
my %I = map { split /\|/ } split /\n/, q1("SELECT s.id, i.id FROM server_instances i JOIN servers s ON s.id = i.server_id
                                           WHERE i.project_id = '$p1'");
call(caylex => GET => '/server-instances');
call(caylex => GET => '/server-instances/search', path => '/server-instances/search?search=wiki');
call(caylex => GET => '/server-instances/{server_instance_id}', path => "/server-instances/$I{$S{noauth}}");
call(caylex => POST => '/server-instances/{server_instance_id}', path => "/server-instances/$I{$S{header}}",
     json => { status => 'pause' });
my $tool = q1("SELECT id FROM tools WHERE server_id = '$srv' AND name = 'forecast'");
call(caylex => PATCH => '/servers/{server_id}/tools/{tool_id}', path => "/servers/$srv/tools/$tool",
     json => { added_context => 'in metric units' });
{
    # a server that names its authorization server, which has metadata
    my $as = HubMcp::canned(sub {
        my ($q) = @_;
        my $O = "http://$q->{headers}{host}";
        return HubMcp::http_json(200, { resource => "$O/mcp", authorization_servers => ["$O/"],
                                        scopes_supported => ['mcp:read'] })
            if $q->{path} eq '/.well-known/oauth-protected-resource/mcp';
        return HubMcp::http_json(200, { issuer => $O, authorization_endpoint => "$O/authorize",
                                        token_endpoint => "$O/token", registration_endpoint => "$O/register" })
            if $q->{path} eq '/.well-known/oauth-authorization-server';
        return HubMcp::http(404, 'text/plain', 'no');
    });
    $r = call(caylex => GET => '/servers/discover-oauth-metadata',
              path => "/servers/discover-oauth-metadata?url=http%3A%2F%2F127.0.0.1%3A$as->{port}%2Fmcp");
    is($r->{json}{found}, JSON::PP::true, 'OAuth metadata found');
    $as->stop;
}
call(caylex => GET => '/server-registry');
call(caylex => GET => '/server-registry/search', path => '/server-registry/search?search=repo');
call(caylex => GET => '/server-registry/{server_registry_id}', path => "/server-registry/$REG");
call(caylex => GET => '/server-registry/{server_registry_id}/tools', path => "/server-registry/$REG/tools");
{
    my $bd = 'BOUNDARYxyz123';
    my $png = "\x89PNG\r\n\x1a\n" . join('', map { chr($_ % 256) } 0 .. 300);
    call(caylex => POST => '/servers/upload-logo', headers => { 'Content-Type' => "multipart/form-data; boundary=$bd" },
         body => "--$bd\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"l.png\"\r\n"
               . "Content-Type: image/png\r\n\r\n$png\r\n--$bd--\r\n");
}

# ---- Caylex: navigators, their instances, keys, approvals ----------------------
my $nav = $hub->post('/caylex/api/v1/navigators', headers => { Authorization => "Bearer $KEY" },
                     json => { name => 'Support Bot' })->{json}{id};
call(caylex => GET => '/navigators');
call(caylex => GET => '/navigators/search', path => '/navigators/search?search=support');
call(caylex => GET => '/navigators/{navigator_id}', path => "/navigators/$nav");
call(caylex => PATCH => '/navigators/{navigator_id}', path => "/navigators/$nav", json => { description => 'tickets' });
call(caylex => POST => '/navigators/{navigator_id}/connections', path => "/navigators/$nav/connections",
     json => { project_ids => [$p1] });
my $ni = q1("SELECT id FROM navigator_instances WHERE navigator_id = '$nav'");
call(caylex => GET => '/navigator-instances', path => '/navigator-instances?include_analytics=true');
call(caylex => GET => '/navigator-instances/{navigator_instance_id}',
     path => "/navigator-instances/$ni?include_config_metadata=true");
call(caylex => PUT => '/navigator-instances/{navigator_instance_id}/tool-permissions',
     path => "/navigator-instances/$ni/tool-permissions", json => { permissions => [{ tool_id => $tool, mode => 'always_execute' }] });
$r = call(caylex => POST => '/navigator-instances/{navigator_instance_id}/api-keys',
          path => "/navigator-instances/$ni/api-keys", json => { name => 'bot key' });
my $nk = $r->{json}{id};
call(caylex => GET => '/navigator-instances/{navigator_instance_id}/api-keys', path => "/navigator-instances/$ni/api-keys");
call(caylex => GET => '/navigator-instances/{navigator_instance_id}/api-keys/search',
     path => "/navigator-instances/$ni/api-keys/search?q=bot");
call(caylex => PATCH => '/navigator-instances/{navigator_instance_id}/api-keys/{api_key_id}',
     path => "/navigator-instances/$ni/api-keys/$nk", json => { description => 'for the bot' });
call(caylex => DELETE => '/navigator-instances/{navigator_instance_id}/api-keys/{api_key_id}',
     path => "/navigator-instances/$ni/api-keys/$nk");
my @appr = map { q1("INSERT INTO tool_call_approvals (tenant_id, navigator_instance_id, tool_id, tool_name, arguments,
                     arguments_hash, requested_by) SELECT tenant_id, '$ni', '$tool', 'weather__forecast',
                     '{\"city\":\"Oslo\"}', '" . sha256_hex($_) . "', 'bot' FROM navigators WHERE id = '$nav' RETURNING id") } 1, 2;
call(caylex => GET => '/navigator-instances/{navigator_instance_id}/approvals', path => "/navigator-instances/$ni/approvals");
call(caylex => POST => '/navigator-instances/{navigator_instance_id}/approvals/{approval_id}/approve',
     path => "/navigator-instances/$ni/approvals/$appr[0]/approve");
call(caylex => POST => '/navigator-instances/{navigator_instance_id}/approvals/{approval_id}/deny',
     path => "/navigator-instances/$ni/approvals/$appr[1]/deny");

# ---- Caylex: auth links, invites, project users --------------------------------
my $L = '/projects/{project_id}/auth-links';
$r = call(caylex => POST => "$L/user", path => "/projects/$p1/auth-links/user",
          json => { server_instances => [$I{$S{oauth}}, $I{$S{noauth}}], domain => 'acme.test', link_expires_at => $LATER });
my ($ul, $ut) = ($r->{json}{invite_link} // '') =~ /auth_link_id=([^&]+)&token=(\S+)$/;
$r = call(caylex => POST => '/projects/{project_id}/auth-link/project', path => "/projects/$p1/auth-link/project",
          json => { server_instance_emails => [{ server_instance_id => $I{$S{header}}, email => $acme->{email} }],
                    link_expires_at => $LATER });
my ($pl, $pt) = ($r->{json}{invite_link} // '') =~ /auth_link_id=([^&]+)&token=(\S+)$/;
call(caylex => POST => '/projects/{project_id}/authenticate-servers', path => "/projects/$p1/authenticate-servers",
     json => { server_instances => [$I{$S{noauth}}], link_expires_at => $LATER });
call(caylex => GET => $L, path => "/projects/$p1/auth-links");
call(caylex => GET => "$L/{auth_link_id}", path => "/projects/$p1/auth-links/$ul");
call(caylex => PATCH => "$L/user/{auth_link_id}", path => "/projects/$p1/auth-links/user/$ul",
     json => { link_expires_at => '2099-07-01T00:00:00Z' });
call(caylex => PATCH => "$L/project/{auth_link_id}", path => "/projects/$p1/auth-links/project/$pl",
     json => { link_expires_at => '2099-07-01T00:00:00Z' });
call(caylex => GET => '/invite/metadata', cred => undef, path => "/invite/metadata?auth_link_id=$pl&token=$pt");
call(caylex => GET => '/invite/config', path => "/invite/config?auth_link_id=$pl&token=$pt");
call(caylex => GET => '/invite/config', path => "/invite/config?auth_link_id=$ul&token=$ut");
call(caylex => POST => '/invite/complete', json => { auth_link_id => $ul, token => $ut, user_email => $acme->{email},
     descope_user_id => 'D-owner',
     oauth_servers => [{ name => 'GitHub', server_id => $S{oauth}, server_instance_id => $I{$S{oauth}} }],
     header_servers => [], path_servers => [] });
call(caylex => GET => "$L/{auth_link_id}/users", path => "/projects/$p1/auth-links/$ul/users");
call(caylex => GET => "$L/{auth_link_id}/users/search", path => "/projects/$p1/auth-links/$ul/users/search?search=owner");
my $U = '/projects/{project_id}/users';
$r = call(caylex => GET => $U, path => "/projects/$p1/users");
my $pu = ($r->{json}{items} || [])->[0]{user_token_id} // 'none';
call(caylex => GET => "$U/{user_id}", path => "/projects/$p1/users/$pu");
call(caylex => POST => "$U/{user_id}", path => "/projects/$p1/users/$pu", json => { server_instance_ids => [$I{$S{oauth}}] });
call(caylex => DELETE => "$U/{user_id}", path => "/projects/$p1/users/$pu");
call(caylex => DELETE => '/navigators/{navigator_id}', path => "/navigators/$nav");
q1("INSERT INTO notifications (tenant_id, project_id, event_type, severity, title, body)
     SELECT tenant_id, id, 'call.failed', 'error', 'A call failed', 'weather__forecast' FROM projects WHERE id = '$p1'");
call(caylex => GET => '/notifications');
call(g4f => POST => '/telemetry/alerts', json => { name => 'slow', stream_id => "$p1.latency_p95",
     condition => { op => '>', threshold => 500 }, actions => [{ type => 'notify' }] });

# every operation whose answer was (or held) a bare object before hub_doc_t
my @MUST = split /\n/, <<'END';
caylex POST /auth/login
caylex POST /auth/logout
caylex POST /invite/complete
caylex GET /invite/config
caylex GET /invite/metadata
caylex GET /members
caylex GET /members/search
caylex DELETE /members/{member_id}
caylex PATCH /members/{member_id}
caylex POST /members/{member_id}/approve
caylex GET /navigator-instances
caylex GET /navigator-instances/{navigator_instance_id}
caylex GET /navigator-instances/{navigator_instance_id}/api-keys
caylex POST /navigator-instances/{navigator_instance_id}/api-keys
caylex GET /navigator-instances/{navigator_instance_id}/api-keys/search
caylex DELETE /navigator-instances/{navigator_instance_id}/api-keys/{api_key_id}
caylex PATCH /navigator-instances/{navigator_instance_id}/api-keys/{api_key_id}
caylex GET /navigator-instances/{navigator_instance_id}/approvals
caylex POST /navigator-instances/{navigator_instance_id}/approvals/{approval_id}/approve
caylex POST /navigator-instances/{navigator_instance_id}/approvals/{approval_id}/deny
caylex PUT /navigator-instances/{navigator_instance_id}/tool-permissions
caylex GET /navigators
caylex GET /navigators/search
caylex DELETE /navigators/{navigator_id}
caylex GET /navigators/{navigator_id}
caylex GET /notifications
caylex PATCH /navigators/{navigator_id}
caylex POST /navigators/{navigator_id}/connections
caylex GET /platform-access-tokens
caylex POST /projects/{project_id}/auth-link/project
caylex GET /projects/{project_id}/auth-links
caylex PATCH /projects/{project_id}/auth-links/project/{auth_link_id}
caylex POST /projects/{project_id}/auth-links/user
caylex PATCH /projects/{project_id}/auth-links/user/{auth_link_id}
caylex GET /projects/{project_id}/auth-links/{auth_link_id}
caylex GET /projects/{project_id}/auth-links/{auth_link_id}/users
caylex GET /projects/{project_id}/auth-links/{auth_link_id}/users/search
caylex POST /projects/{project_id}/authenticate-servers
caylex GET /projects/{project_id}/users
caylex DELETE /projects/{project_id}/users/{user_id}
caylex GET /projects/{project_id}/users/{user_id}
caylex POST /projects/{project_id}/users/{user_id}
caylex GET /server-instances
caylex GET /server-instances/search
caylex GET /server-instances/{server_instance_id}
caylex POST /server-instances/{server_instance_id}
caylex GET /server-registry
caylex GET /server-registry/search
caylex GET /server-registry/{server_registry_id}
caylex GET /server-registry/{server_registry_id}/tools
caylex GET /servers/discover-oauth-metadata
caylex POST /servers/header
caylex POST /servers/noauth
caylex POST /servers/oauth
caylex POST /servers/path
caylex POST /servers/query
caylex POST /servers/upload-logo
caylex PATCH /servers/{server_id}
caylex POST /servers/{server_id}/clone
caylex POST /servers/{server_id}/connections
caylex PATCH /servers/{server_id}/tools/{tool_id}
caylex POST /settings/general
caylex POST /settings/password-reset
caylex GET /settings/password-reset/confirm
caylex POST /settings/password-reset/confirm
caylex GET /tenants
g4f PATCH /admin/users/{user_id}
g4f GET /capabilities
g4f GET /server/stats
g4f POST /auth/login
g4f POST /auth/logout
g4f POST /auth/refresh
g4f PUT /settings
g4f GET /settings/audit
g4f POST /telemetry/alerts
patchwork GET /api/
patchwork GET /api/v1/servers/{slug}/quality/
patchwork GET /api/v1/servers/{slug}/stats
patchwork POST /api/v1/auth/login/
patchwork POST /api/v1/auth/logout/
patchwork POST /api/v1/feedback/
patchwork POST /api/v1/heartbeat/
patchwork POST /api/v1/servers/{slug}/probe/
toolhub PUT /api/secrets/{name}
toolhub GET /health/mcp/{server_id}
END
is_deeply([grep { !$seen{$_} } @MUST], [], scalar(@MUST) . ' formerly bare answers checked live');

$hub->log_is_clean(qr/HUB00460|probe/i);
done_testing;
