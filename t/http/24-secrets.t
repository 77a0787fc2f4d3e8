# Tool Hub's secrets (GET|POST /api/secrets, PUT|DELETE /api/secrets/:name):
# every documented field, status and error; values sealed at rest as
# "v1:..." and in no answer, table dump or log; tenants isolated; a value
# sealed under one key or tenant does not open under another; without
# HubSecretKeyFile writes answer NO_SECRET_KEY; and a server credential
# `${secret:NAME}` reaches the upstream as NAME's value.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
sub key_file {
    my ($path) = @_;
    open my $fh, '>', $path or die;
    print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
    close $fh;
    chmod 0600, $path;
    return $path;
}
my $keya = key_file("$dir/a.key");
my $keyb = key_file("$dir/b.key");
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
my $hub = HubTest->new(conf => join "\n", "HubSecretKeyFile $keya", "HubJwtKeyFile $jwtfile",
                       'HubOutboundAllow 127.0.0.0/8', 'HubProbeInterval 3600', 'HubProbeTimeout 3');
my $db = $hub->db;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $now = time;
my $th = HubTest::jwt($jwtkey, { sub => 'th-user', email => 'dev@toolhub.test', role => 'admin',
                                 tenant => 'acme', exp => $now + 900, iat => $now });
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
my @VALUES = ('sk-S3CRET-openai-1', 'S3CRET-updated-2', 'S3CRET-upstream-3', 'S3CRET-bravo-4',
              'S3CRET-rotated-5', 'S3CRET-extra-6', 'S3CRET-nodesc-7', 'S3CRET-newkey-8');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $p, auth($k), @o) }
sub q1 { $hub->psql($db, $_[0]) }
sub no_value {
    my ($r, $what) = @_;
    my @found = grep { index($r->{content} // '', $_) >= 0 } @VALUES;
    ok(!@found, "$what: no secret value in the answer") or diag "@found";
}
sub err_is {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{json}{error}{code}, $code, "  ... $code");
    ok(length($r->{json}{error}{message} // ''), '  ... with a message in the envelope');
}

# ==== create ===============================================================
my $r = req($th, GET => '/api/secrets');
is_deeply([$r->{status}, $r->{json}], [200, []], 'list: empty at first');
$r = req($th, POST => '/api/secrets', json => { name => 'OPENAI_API_KEY', value => $VALUES[0],
                                                 description => 'OpenAI API key for workflows' });
is($r->{status}, 201, 'create (JWT): 201');
is_deeply([sort keys %{ $r->{json} }], [qw(created_at description name updated_at)], 'fields: value excluded');
is_deeply([@{ $r->{json} }{qw(name description)}], ['OPENAI_API_KEY', 'OpenAI API key for workflows'], 'values');
like($r->{json}{$_}, $TS, $_) for qw(created_at updated_at);
my $created = $r->{json};
no_value($r, 'create');
$r = req($a->{key}, POST => '/api/secrets', json => { name => 'no.desc-1', value => $VALUES[6] });
is($r->{status}, 201, 'create (API key), no description');
ok(exists $r->{json}{description} && !defined $r->{json}{description}, 'description null');
err_is(req($th, POST => '/api/secrets', json => { name => 'OPENAI_API_KEY', value => 'other' }),
       400, 'SECRET_ALREADY_EXISTS', 'the same name again');
for my $bad ([{}, 'empty body'], [{ value => 'x' }, 'no name'], [{ name => 'X' }, 'no value'],
             [{ name => '1ABC', value => 'x' }, 'name starting with a digit'],
             [{ name => 'A B', value => 'x' }, 'name with a space'],
             [{ name => '../X', value => 'x' }, 'name with a slash'],
             [{ name => '', value => 'x' }, 'empty name'],
             [{ name => 'A' x 129, value => 'x' }, 'name of 129'],
             [{ name => 5, value => 'x' }, 'name a number'],
             [{ name => 'X', value => 5 }, 'value a number'],
             [{ name => 'X', value => '' }, 'empty value'],
             [{ name => 'X', value => 'v' x 16385 }, 'value over 16384'],
             [{ name => 'X', value => 'x', description => [] }, 'description not a string']) {
    err_is(req($th, POST => '/api/secrets', json => $bad->[0]), 400, 'VALIDATION_ERROR', "create: $bad->[1]");
}
err_is(req($th, POST => '/api/secrets', body => '{"name":"\u00e9t\u00e9","value":"x"}',
              headers => { Authorization => "Bearer $th", 'content-type' => 'application/json' }),
       400, 'VALIDATION_ERROR', 'create: name not ASCII');
is(req($th, POST => '/api/secrets', body => '{not json', headers => { Authorization => "Bearer $th",
   'content-type' => 'application/json' })->{status}, 400, 'create: malformed JSON: 400');
is(req($th, POST => '/api/secrets', json => { name => 'A' x 128, value => 'x' })->{status}, 201, 'name of 128: fine');
is(req($th, DELETE => '/api/secrets/' . ('A' x 128))->{status}, 204, '  (and gone again)');

# ==== list =================================================================
$r = req($th, GET => '/api/secrets');
is($r->{status}, 200, 'list');
is_deeply([map { $_->{name} } @{ $r->{json} }], ['OPENAI_API_KEY', 'no.desc-1'], 'every secret, by name');
is_deeply($r->{json}[0], $created, 'as created');
is_deeply([sort keys %{ $r->{json}[1] }], [qw(created_at description name updated_at)], 'values excluded');
no_value($r, 'list');

# ==== update ===============================================================
my $ct0 = q1("SELECT value FROM secrets WHERE name = 'OPENAI_API_KEY'");
sleep 1;
$r = req($th, PUT => '/api/secrets/OPENAI_API_KEY', json => { value => $VALUES[1], description => 'rotated' });
is($r->{status}, 200, 'update: 200');
is_deeply([sort keys %{ $r->{json} }], [qw(created_at description name updated_at)], 'fields: value excluded');
is_deeply([@{ $r->{json} }{qw(name description created_at)}], ['OPENAI_API_KEY', 'rotated', $created->{created_at}],
          'description changed, created_at kept');
ok($r->{json}{updated_at} gt $created->{updated_at}, 'updated_at moved');
no_value($r, 'update');
isnt(q1("SELECT value FROM secrets WHERE name = 'OPENAI_API_KEY'"), $ct0, 'a new ciphertext');
$r = req($a->{key}, PUT => '/api/secrets/OPENAI_API_KEY', json => { value => $VALUES[1] });
is_deeply([$r->{status}, $r->{json}{description}], [200, 'rotated'], 'update without description keeps it');
$r = req($a->{key}, PUT => '/api/secrets/OPENAI_API_KEY', json => { value => $VALUES[1], description => undef });
is($r->{json}{description}, 'rotated', 'and with description null too');
err_is(req($th, PUT => '/api/secrets/OPENAI_API_KEY', json => { description => 'no value' }),
       400, 'VALIDATION_ERROR', 'update without value');
err_is(req($th, PUT => '/api/secrets/OPENAI_API_KEY', json => { value => '' }), 400, 'VALIDATION_ERROR',
       'update with an empty value');
err_is(req($th, PUT => '/api/secrets/NOPE', json => { value => 'x' }), 404, 'SECRET_NOT_FOUND', 'update unknown');
err_is(req($th, PUT => '/api/secrets/1bad%20name', json => { value => 'x' }), 404, 'SECRET_NOT_FOUND',
       'update a name no secret can have');
is(q1("SELECT count(*) FROM secrets WHERE name = 'NOPE'"), 0, 'an update creates nothing');

# ==== delete ===============================================================
is(req($th, POST => '/api/secrets', json => { name => 'TEMP', value => 'temporary' })->{status}, 201, 'another');
$r = req($th, DELETE => '/api/secrets/TEMP');
is($r->{status}, 204, 'delete: 204');
ok(!length($r->{content} // ''), '  ... no body');
err_is(req($th, DELETE => '/api/secrets/TEMP'), 404, 'SECRET_NOT_FOUND', 'delete again');
err_is(req($th, DELETE => '/api/secrets/-x'), 404, 'SECRET_NOT_FOUND', 'delete a name no secret can have');
is(req($th, GET => '/api/secrets/TEMP')->{status}, 405, 'GET of one secret: 405 (not in the document)');

# ==== who may ==============================================================
is($hub->get('/api/secrets')->{status}, 401, 'no credentials: 401');
is(req($ro, GET => '/api/secrets')->{status}, 200, 'a read-only key lists');
err_is(req($ro, POST => '/api/secrets', json => { name => 'RO', value => 'x' }), 403, 'HTTP_403', 'read-only create');
is(req($ro, PUT => '/api/secrets/OPENAI_API_KEY', json => { value => 'x' })->{status}, 403, 'read-only update: 403');
is(req($ro, DELETE => '/api/secrets/OPENAI_API_KEY')->{status}, 403, 'read-only delete: 403');

# ==== tenants are isolated =================================================
my $snap = sub { q1("SELECT md5(string_agg(row(s.*)::text, ',' ORDER BY s.id)) FROM secrets s") };
my $before = $snap->();
is_deeply(req($b->{key}, GET => '/api/secrets')->{json}, [], 'bravo: list empty');
for my $n ('OPENAI_API_KEY', 'no.desc-1') {
    err_is(req($b->{key}, PUT => "/api/secrets/$n", json => { value => 'pwned' }), 404, 'SECRET_NOT_FOUND',
           "bravo: update acme's $n");
    err_is(req($b->{key}, DELETE => "/api/secrets/$n"), 404, 'SECRET_NOT_FOUND', "bravo: delete acme's $n");
}
is($snap->(), $before, "acme's secrets unchanged");
is(req($b->{key}, POST => '/api/secrets', json => { name => 'OPENAI_API_KEY', value => $VALUES[3] })->{status},
   201, 'the same name in another tenant is fine');
is_deeply([map { $_->{name} } @{ req($th, GET => '/api/secrets')->{json} }], ['OPENAI_API_KEY', 'no.desc-1'],
          "acme still sees only its own");

# ==== ${secret:NAME} as an upstream credential ============================
# a canned upstream that wants credentials and records what it got
my $up = HubMcp::canned(sub { HubMcp::http(401, 'application/json', '{"error":"unauthorized"}') });
sub headers_seen {
    my ($srv, $name) = @_;
    return [ map { $_->{headers}{lc $name} // () } @{ HubMcp::requests($srv) } ];
}
sub header_server {
    my ($key, $name, $url, @headers) = @_;
    $_->{header_value_prefix} //= '' for @headers;
    my $r = $hub->request(POST => '/caylex/api/v1/servers/header', auth($key),
        json => { name => $name, endpoint => $url, description => 'd', auth_level => 'project',
                  transport => 'streamable_http', headers => \@headers });
    is($r->{status}, 200, "registered $name") or diag $r->{content};
    my $id = $r->{json}{id};
    # the prober's first look (new servers are due at once) is over
    # before the test counts what the upstream saw
    ok(HubTest::eventually(15, sub { q1("SELECT last_check_at IS NOT NULL FROM servers WHERE id = '$id'") eq 't' }),
       "  ... and the prober had its first look");
    return $id;
}
sub health { my ($key, $id) = @_; req($key, GET => "/api/mcp/servers/$id/health")->{json} }

is(req($th, POST => '/api/secrets', json => { name => 'UPSTREAM_TOKEN', value => $VALUES[2] })->{status}, 201,
   'a secret for the upstream');
is(req($th, POST => '/api/secrets', json => { name => 'EXTRA', value => $VALUES[5] })->{status}, 201, 'and another');
my $sid = header_server($a->{key}, 'guarded', $up->{url},
    { header_name => 'Authorization', header_value_prefix => 'Bearer ', header_value => '${secret:UPSTREAM_TOKEN}' },
    { header_name => 'X-Extra', header_value => 'pre-${secret:EXTRA}-post' });
my $h = health($th, $sid);
is($h->{status}, 'unauthorized', 'live health: the upstream was asked (401: unauthorized)') or diag explain $h;
is_deeply([sort keys %{{ map { $_ => 1 } @{ headers_seen($up, 'authorization') } }}], ["Bearer $VALUES[2]"],
          "the upstream got the secret's value, with the header's prefix");
is_deeply([sort keys %{{ map { $_ => 1 } @{ headers_seen($up, 'x-extra') } }}], ["pre-$VALUES[5]-post"],
          'a reference inside a value is replaced in place');
like(q1("SELECT string_agg(secrets::text, ',') FROM servers WHERE id = '$sid'"), qr/"v1:/,
     "the server stores the reference sealed, like any credential");

# resolved when the server is probed, not when it is registered
is(req($th, PUT => '/api/secrets/UPSTREAM_TOKEN', json => { value => $VALUES[4] })->{status}, 200, 'rotate it');
health($th, $sid);
is(headers_seen($up, 'authorization')->[-1], "Bearer $VALUES[4]", 'the next check sends the new value');
my $n = scalar @{ HubMcp::requests($up) };
my $last = q1("SELECT last_check_at FROM servers WHERE id = '$sid'");
$hub->psql($db, "UPDATE servers SET probe_requested_at = now() WHERE id = '$sid'");
ok(HubTest::eventually(15, sub { q1("SELECT last_check_at FROM servers WHERE id = '$sid'") ne $last }),
   'the prober probes it again');
is(q1("SELECT health_status FROM servers WHERE id = '$sid'"), 'unauthorized', '  ... reaching the upstream');
my @reqs = @{ HubMcp::requests($up) };
is_deeply([sort keys %{{ map { ($_->{headers}{authorization} // 'none') => 1 } @reqs[$n .. $#reqs] }}],
          ["Bearer $VALUES[4]"],
          '  ... with the current value');

# a reference to no secret: not contacted, the name said, no value
my $quiet = HubMcp::canned(sub { HubMcp::http(200, 'text/plain', 'should never be asked') });
my $missing = header_server($a->{key}, 'dangling', $quiet->{url},
    { header_name => 'Authorization', header_value => '${secret:NOPE}' });
$h = health($th, $missing);
is($h->{status}, 'down', 'a reference to no secret: down');
like($h->{message}, qr/secret 'NOPE', which does not exist/, '  ... saying which');
is(scalar @{ HubMcp::requests($quiet) }, 0, '  ... and the upstream is not asked');

# tenants: bravo's server gets bravo's value of the same name, never acme's
is(req($b->{key}, POST => '/api/secrets', json => { name => 'UPSTREAM_TOKEN', value => $VALUES[3] })->{status}, 201,
   "bravo's own UPSTREAM_TOKEN");
my $bup = HubMcp::canned(sub { HubMcp::http(401, 'application/json', '{}') });
my $bsid = header_server($b->{key}, 'bravo-guarded', $bup->{url},
    { header_name => 'Authorization', header_value => '${secret:UPSTREAM_TOKEN}' });
is(health($b->{key}, $bsid)->{status}, 'unauthorized', "bravo's server checked");
is_deeply([sort keys %{{ map { $_ => 1 } @{ headers_seen($bup, 'authorization') } }}], [$VALUES[3]],
          "with bravo's value");
my $asked = scalar @{ HubMcp::requests($bup) };
is(req($b->{key}, GET => "/api/mcp/servers/$sid/health")->{status}, 404, "bravo cannot check acme's server");
# acme's sealed value copied into bravo's row does not open (the tenant is the AAD)
$hub->psql($db, "UPDATE secrets b SET value = a.value FROM secrets a, tenants ta, tenants tb
                  WHERE a.tenant_id = ta.id AND ta.slug = 'acme' AND b.tenant_id = tb.id AND tb.slug = 'bravo'
                    AND a.name = 'UPSTREAM_TOKEN' AND b.name = 'UPSTREAM_TOKEN'");
$h = health($b->{key}, $bsid);
is($h->{status}, 'down', "acme's ciphertext in bravo's row: not used");
like($h->{message}, qr/secret 'UPSTREAM_TOKEN', which does not decrypt/, '  ... it does not decrypt');
is(scalar @{ HubMcp::requests($bup) }, $asked, '  ... and the upstream is not asked');

# ==== at rest ==============================================================
like(q1("SELECT string_agg(value, ' ') FROM secrets"), qr/^(v1:[A-Za-z0-9+\/=]+ ?)+$/, 'stored as v1:<base64>');
my $dump = join "\n", map { q1($_) } "SELECT string_agg(s::text, ',') FROM secrets s",
                                   "SELECT string_agg(s::text, ',') FROM servers s",
                                   "SELECT string_agg(p::text, ',') FROM probe_results p";
my @leaked = grep { index($dump, $_) >= 0 } @VALUES;
ok(!@leaked, 'no value in a dump of the secrets, servers and probe tables') or diag "@leaked";

# ==== another key ==========================================================
$hub->stop_httpd;
$hub->{conf} =~ s/^HubSecretKeyFile .*$/HubSecretKeyFile $keyb/m or die;
$hub->start;
is(req($th, GET => '/api/secrets')->{status}, 200, 'under another key: the list works');
my $sid2 = header_server($a->{key}, 'guarded-b', $up->{url},
    { header_name => 'Authorization', header_value => '${secret:EXTRA}' });
$h = health($th, $sid2);
is($h->{status}, 'down', 'a secret sealed under the old key: not used');
like($h->{message}, qr/secret 'EXTRA', which does not decrypt with this HubSecretKeyFile/, '  ... saying why');
is(req($th, PUT => '/api/secrets/EXTRA', json => { value => $VALUES[7] })->{status}, 200, 'set again under the new key');
is(health($th, $sid2)->{status}, 'unauthorized', 'then used');
is(headers_seen($up, 'authorization')->[-1], $VALUES[7], '  ... with its value');

my $log = $hub->slurp($hub->error_log_path);
@leaked = grep { index($log, $_) >= 0 } @VALUES;
ok(!@leaked, 'no value in the error log') or diag "@leaked";
like($log, qr/HUB00500: secret OPENAI_API_KEY created in tenant acme/, 'changes are logged by name');
$hub->log_is_clean;

# ==== without HubSecretKeyFile ============================================
my $bare = HubTest->new(name => 'secrets_nokey');
my $t = $bare->team('solo');
$r = $bare->request(POST => '/api/secrets', auth($t->{key}), json => { name => 'X', value => 'S3CRET-nokey' });
is($r->{status}, 500, 'no key: create 500');
is($r->{json}{error}{code}, 'NO_SECRET_KEY', '  ... NO_SECRET_KEY, as the server registry answers');
is($bare->request(PUT => '/api/secrets/X', auth($t->{key}), json => { value => 'S3CRET-nokey' })->{json}{error}{code},
   'NO_SECRET_KEY', 'no key: update NO_SECRET_KEY');
is_deeply($bare->request(GET => '/api/secrets', auth($t->{key}))->{json}, [], 'no key: the list works');
is($bare->request(DELETE => '/api/secrets/X', auth($t->{key}))->{status}, 404, 'no key: delete works (404)');
is($bare->psql($bare->db, 'SELECT count(*) FROM secrets'), 0, 'nothing stored');
unlike($bare->slurp($bare->error_log_path), qr/S3CRET-nokey/, 'the value is not logged');
$bare->log_is_clean(qr/HUB00501/);
done_testing;
