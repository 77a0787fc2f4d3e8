# The served OpenAPI documents describe what the hub really answers: for
# every documented profile, fetch its document, then call a representative
# set of its operations (every GET, with real ids where the test made the
# object and unknown ones elsewhere; every write with an empty body at
# unknown ids; a create, update and delete of each; the errors of each
# kind: 401, 403, validation, malformed JSON, 404, 415) and check each live
# answer against the document: the status is declared for that operation
# (500 only through `default`), and the body validates against the
# declared schema (t/lib/HubSchema.pm).  The validator is shown to fail on
# wrong bodies first.  Also: components and security schemes are there,
# and the Swagger UI page of each profile loads its document.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use HubSchema qw(validate resolve);
use HubTest;

my $JSON = JSON::PP->new->utf8->allow_nonref;

# ---- the validator can fail ---------------------------------------------
{
    my $doc = { components => { schemas => {
        Item => { type => 'object', required => ['id', 'n'],
                  properties => { id => { type => 'string' },
                                  n => { type => 'integer', nullable => JSON::PP::true },
                                  mode => { type => 'string', enum => ['a', 'b'] } } },
        Page => { type => 'object', required => ['items'],
                  properties => { items => { type => 'array', items => { '$ref' => '#/components/schemas/Item' } } } },
        Either => { anyOf => [{ '$ref' => '#/components/schemas/Item' }, { type => 'string' }] } } } };
    my $page = { '$ref' => '#/components/schemas/Page' };
    my @ok = validate($doc, $page, $JSON->decode('{"items":[{"id":"x","n":null,"mode":"a"}]}'));
    is_deeply(\@ok, [], 'validator: a right body validates');
    my %wrong = (
        'an integer where a string is declared' => '{"items":[{"id":1,"n":2}]}',
        'a required member missing'             => '{"items":[{"n":2}]}',
        'null where not nullable'               => '{"items":[{"id":null,"n":2}]}',
        'a value outside the enum'              => '{"items":[{"id":"x","n":2,"mode":"c"}]}',
        'an object where an array is declared'  => '{"items":{"id":"x","n":2}}',
        'an array where an object is declared'  => '[{"id":"x","n":2}]',
        'a string where an integer is declared' => '{"items":[{"id":"x","n":"2"}]}',
    );
    for my $what (sort keys %wrong) {
        my @e = validate($doc, $page, $JSON->decode($wrong{$what}));
        ok(scalar @e, "validator fails on $what") or diag($wrong{$what});
    }
    ok(!validate($doc, { '$ref' => '#/components/schemas/Either' }, 'text'), 'anyOf: one alternative is enough');
    ok(scalar validate($doc, { '$ref' => '#/components/schemas/Either' }, 3), 'anyOf: none matches');
    ok(scalar validate($doc, { '$ref' => '#/components/schemas/Nope' }, {}), 'an unresolved $ref fails');
}

# ---- the hub --------------------------------------------------------------
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{ open my $fh, '>', $keyfile or die; print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
  close $fh; chmod 0600, $keyfile; }
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
# the Swagger UI files as tools/hub installs them (hub_swagger_ui)
my $UI_DIR = ($ENV{HUB_BUILD_DIR} // '') . '/swagger-ui/node_modules/swagger-ui-dist';
my $have_ui = -r "$UI_DIR/swagger-ui-bundle.js";
diag("no Swagger UI in $UI_DIR (tools/hub test installs it): its pages are checked for their 404 only")
    unless $have_ui;
my $hub = HubTest->new(conf => "HubSecretKeyFile $keyfile\nHubStdioAllow true\nHubJwtKeyFile $jwtfile"
                               . ($have_ui ? "\nHubSwaggerUi $UI_DIR" : ''));
my $team = $hub->team('acme');
my $KEY = $team->{key};
my $RO = $hub->hubctl('create-key', 'acme', '--user', $team->{email}, '--scopes', 'operator.read');
my $now = time;
my $TH = HubTest::jwt($jwtkey, { sub => 'th-user', email => 'dev@toolhub.test', role => 'admin',
                                 tenant => 'acme', exp => $now + 900, iat => $now });
my $TH_RO = HubTest::jwt($jwtkey, { sub => 'th-viewer', email => 'view@toolhub.test', role => 'viewer',
                                    tenant => 'acme', exp => $now + 900, iat => $now });

my %MOUNT = (caylex => '/caylex/api/v1', g4f => '/g4f/api/v1', patchwork => '', toolhub => '', goclaw => '');
my %DOC = (caylex => '/docs/openapi.json', patchwork => '/api/openapi.json',
           toolhub => '/openapi.json', g4f => '/openapi.json', goclaw => '/v1/openapi.json');
my %UI = (caylex => '/docs/ui', patchwork => '/api/docs', toolhub => '/docs', g4f => '/docs/ui',
          goclaw => '/v1/docs');
my @PROFILES = qw(patchwork caylex goclaw toolhub g4f);
my %CRED = (patchwork => $KEY, caylex => $KEY, g4f => $KEY, toolhub => $TH, goclaw => $KEY);
my %CRED_RO = (patchwork => $RO, caylex => $RO, g4f => $RO, toolhub => $TH_RO, goclaw => $RO);
my $UNKNOWN = '00000000-0000-4000-8000-000000000000';

my %doc;
for my $p (@PROFILES) {
    my $r = $hub->get($MOUNT{$p} . $DOC{$p});
    is($r->{status}, 200, "$p: the document");
    $doc{$p} = $r->{json} || {};
    my $c = $doc{$p}{components} || {};
    ok(%{ $c->{schemas} || {} }, "$p: components.schemas");
    ok(%{ $c->{securitySchemes} || {} }, "$p: components.securitySchemes");
}
# every $ref resolves, every operation's security names a declared scheme
for my $p (@PROFILES) {
    my (@refs, @schemes);
    my $walk; $walk = sub {
        my ($v) = @_;
        if (ref $v eq 'HASH') { push @refs, $v->{'$ref'} if defined $v->{'$ref'}; $walk->($_) for values %$v }
        elsif (ref $v eq 'ARRAY') { $walk->($_) for @$v }
    };
    $walk->($doc{$p});
    my @unresolved = grep { !eval { resolve($doc{$p}, $_); 1 } } @refs;
    ok(@refs, "$p: the document uses components");
    is_deeply(\@unresolved, [], "$p: every \$ref resolves");
    for my $item (values %{ $doc{$p}{paths} || {} }) {
        push @schemes, map { keys %$_ } @{ $_->{security} || [] } for values %$item;
    }
    is_deeply([grep { !$doc{$p}{components}{securitySchemes}{$_} } @schemes], [],
              "$p: every security requirement names a declared scheme");
}
is_deeply($doc{patchwork}{components}{securitySchemes}{ApiKeyAuth}, { type => 'http', scheme => 'bearer',
          description => 'A team API key: Authorization: Bearer hub_...' }, 'patchwork: its ApiKeyAuth');
is($doc{patchwork}{components}{securitySchemes}{SessionAuth}{name}, 'pw_sessionid', 'patchwork: its SessionAuth cookie');
is($doc{caylex}{components}{securitySchemes}{cookieAuth}{name}, 'DS', 'caylex: its cookieAuth');
is($doc{caylex}{components}{securitySchemes}{bearerAuth}{bearerFormat}, 'JWT', 'caylex: its bearerAuth');
ok($doc{patchwork}{components}{schemas}{ServerOut}, 'patchwork: ServerOut by its name');
ok($doc{caylex}{components}{schemas}{HTTPValidationError}, 'caylex: HTTPValidationError');
ok($doc{caylex}{components}{schemas}{'Page_GetProjectResponse_'}, 'caylex: its page of projects');

my $pw_list = $doc{patchwork}{paths}{'/api/v1/servers/'} || {};
ok($pw_list->{post}{responses}{201} && !$pw_list->{post}{responses}{200}, 'patchwork: create servers is 201, not 200');
is_deeply($pw_list->{get}{responses}{200}{content}{'application/json'}{schema},
          { type => 'array', items => { '$ref' => '#/components/schemas/ServerOut' } },
          'patchwork: servers list is an array of ServerOut');
is_deeply($pw_list->{get}{security}, [{ ApiKeyAuth => [] }, { SessionAuth => [] }, { ApiKeyHeader => [] }],
          'patchwork: servers list takes a key or the session');
my ($mode) = grep { $_->{name} eq 'mode' } @{ $pw_list->{get}{parameters} || [] };
is($mode && $mode->{in}, 'query', 'patchwork: the mode query parameter');
is_deeply($doc{patchwork}{paths}{'/api/v1/health'}{get}{security}, [], 'patchwork: health is public');
my ($size) = grep { $_->{name} eq 'size' } @{ $doc{caylex}{paths}{'/projects'}{get}{parameters} || [] };
is_deeply($size && $size->{schema}, { type => 'integer', minimum => 1, maximum => 100, default => 20 },
          'caylex: size with its bounds and default');

# ---- live answers against the document ------------------------------------
# The operation of a concrete path: the template it came from.
sub op_of {
    my ($p, $method, $template) = @_;
    my $item = ($doc{$p}{paths} || {})->{$template} or return;
    return $item->{lc $method};
}

my (%checked, %shaped);
sub check {
    my ($p, $method, $template, $r, $what) = @_;
    my $tag = "$p $method $template" . ($what ? " ($what)" : '') . " -> $r->{status}";
    my $op = op_of($p, $method, $template);
    return fail("$tag: documented") unless $op;
    $checked{$p}{"$method $template"}++;
    my $resp = $op->{responses}{ $r->{status} }
        || ($r->{status} >= 500 ? $op->{responses}{default} : undef);
    return fail("$tag: status declared") || diag(join ' ', sort keys %{ $op->{responses} })
        unless $resp;
    my $content = $resp->{content};
    my $body = $r->{content} // '';
    if (!$content) {
        return is($body, '', "$tag: no body, as declared");
    }
    my ($ctype) = keys %$content;
    if ($ctype ne 'application/json') {
        (my $want = $ctype) =~ s/\*/.*/;
        return like($r->{headers}{'content-type'} // '', qr{^$want}, "$tag: $ctype as declared");
    }
    like($r->{headers}{'content-type'} // '', qr{^application/json}, "$tag: JSON") or return;
    my $value = eval { $JSON->decode($body) };
    return fail("$tag: JSON body") unless defined $value || $body =~ /^\s*null\s*$/;
    my $schema = $content->{'application/json'}{schema};
    $shaped{$p}++ if $r->{status} < 300 && ($schema->{'$ref'} || keys %$schema > 1);
    my @e = validate($doc{$p}, $schema, $value);
    ok(!@e, "$tag: body validates") or diag(join "\n", @e[0 .. ($#e > 5 ? 5 : $#e)], substr($body, 0, 400));
}

sub call {
    my ($p, $method, $template, %o) = @_;
    my $cred = exists $o{cred} ? delete $o{cred} : $CRED{$p};
    my $path = delete $o{path} // $template;
    my $what = delete $o{what};
    my $r = $hub->request($method, $MOUNT{$p} . $path,
                          ($cred ? (headers => { Authorization => "Bearer $cred", %{ delete $o{headers} || {} } })
                                 : (headers => delete $o{headers} || {})), max_redirect => 0, %o);
    check($p, $method, $template, $r, $what);
    return $r;
}

# the objects the test makes, by each profile's create
my $r = call(patchwork => POST => '/api/v1/servers/', json => { name => 'Live One', description => 'x' });
is($r->{status}, 201, 'patchwork: created a server');
my $pw_server = $r->{json}{slug};
$r = call(caylex => POST => '/projects', json => { name => 'live-project' });
my $cx_project = $r->{json}{id};
ok($cx_project, 'caylex: created a project');
$r = call(toolhub => POST => '/api/mcp/servers', json => { name => 'live-fs', command => 'true' });
my $th_server = $r->{json}{id};
ok($th_server, 'toolhub: created a server');
$r = call(toolhub => POST => '/api/secrets', json => { name => 'LIVE_SECRET', value => 'v-1' });
$r = call(goclaw => POST => '/v1/mcp/servers', json => { name => 'live-gc', transport => 'stdio', command => 'true' });
my $gc_server = $r->{json}{id};
ok($gc_server, 'goclaw: created a server');
$r = call(goclaw => POST => '/v1/api-keys', json => { name => 'live-key', scopes => ['operator.read'] });
my $gc_key = $r->{json}{id};
$r = call(g4f => POST => '/projects', json => { name => 'live-g4f' });
my $g4f_project = $r->{json}{project}{id};
ok($g4f_project, 'g4f: created a project');

# values for path parameters the test knows, else an unknown id
my %PARAM = (
    patchwork => sub { my ($name, $path) = @_;
                       return 'acme' if $name eq 'slug' && $path =~ m{^/api/v1/teams/};
                       return $pw_server if $name eq 'slug';
                       return $team->{email} if $name eq 'email';
                       return $UNKNOWN },
    # one registry: the server Tool Hub made is Caylex's too
    caylex    => sub { my ($name) = @_; $name eq 'project_id' ? $cx_project
                       : $name eq 'server_id' ? $th_server : $UNKNOWN },
    toolhub   => sub { my ($name) = @_; $name eq 'id' ? $th_server : $name eq 'name' ? 'LIVE_SECRET' : $UNKNOWN },
    g4f       => sub { my ($name) = @_; $name eq 'project_id' ? $g4f_project : $UNKNOWN },
    goclaw    => sub { my ($name, $path) = @_; $name ne 'id' ? $UNKNOWN
                       : $path =~ m{^/v1/mcp/servers} ? $gc_server : $UNKNOWN },
);

# Routes that answer without end (event streams) or reach out of the
# machine are left out of the sweep.
my %SKIP_GET = map { ($_ => 1) } ();

for my $p (@PROFILES) {
    for my $template (sort keys %{ $doc{$p}{paths} || {} }) {
        next unless $doc{$p}{paths}{$template}{get};
        next if $SKIP_GET{"$p $template"};
        (my $path = $template) =~ s/\{([^}]+)\}/$PARAM{$p}->($1, $template)/ge;
        call($p, GET => $template, path => $path, what => 'sweep');
    }
}

# every write with an empty body at unknown ids: what the dispatcher and
# the operations refuse it with must be declared too
for my $p (@PROFILES) {
    for my $template (sort keys %{ $doc{$p}{paths} || {} }) {
        for my $m (qw(post put patch delete)) {
            my $op = $doc{$p}{paths}{$template}{$m} or next;
            next if $template =~ m{/auth/log(in|out)/?$};   # the test's own login stays
            (my $path = $template) =~ s/\{([^}]+)\}/$1 eq 'slug' ? 'no-such' : $UNKNOWN/ge;
            my $ct = $op->{requestBody} ? (keys %{ $op->{requestBody}{content} })[0] : undef;
            call($p, uc $m, $template, path => $path, what => 'write sweep',
                 $ct && $ct eq 'application/json' ? (json => {}) : ());
        }
    }
}

# errors of each kind, per profile
my %CREATE = (patchwork => ['/api/v1/servers/', { name => 'x' }, { name => 42 }],
              caylex    => ['/projects', { name => 'x' }, { name => 42 }],
              toolhub   => ['/api/mcp/servers', { name => 'x', command => 'true' }, { name => 42 }],
              g4f       => ['/projects', { name => 'x' }, { name => 42 }],
              goclaw    => ['/v1/mcp/servers', { name => 'x', transport => 'stdio', command => 'true' },
                            { name => 42 }]);
my %GET_ONE = (patchwork => ['/api/v1/servers/{slug}/quality/', "/api/v1/servers/no-such-server/quality/"],
               caylex    => ['/projects/{project_id}', "/projects/$UNKNOWN"],
               toolhub   => ['/api/mcp/servers/{id}/tools', "/api/mcp/servers/$UNKNOWN/tools"],
               g4f       => ['/projects/{project_id}', "/projects/$UNKNOWN"],
               goclaw    => ['/v1/mcp/servers/{id}', "/v1/mcp/servers/$UNKNOWN"]);
for my $p (@PROFILES) {
    my ($path, $good, $bad) = @{ $CREATE{$p} };
    # a write the caller may not do, a delete, an update where there is one
    $r = call($p, GET => $path, cred => undef, what => 'no credentials');
    is($r->{status}, 401, "$p: 401 without credentials");
    $r = call($p, POST => $path, cred => $CRED_RO{$p}, json => $good, what => 'read-only');
    is($r->{status}, 403, "$p: 403 for a read-only caller");
    $r = call($p, POST => $path, json => $bad, what => 'invalid body');
    like($r->{status}, qr/^(400|422)$/, "$p: validation error");
    $r = call($p, POST => $path, body => '{"name":', headers => { 'Content-Type' => 'application/json' },
              what => 'malformed JSON');
    like($r->{status}, qr/^(400|422)$/, "$p: malformed JSON");
    $r = call($p, POST => $path, body => 'name=x', headers => { 'Content-Type' => 'text/plain' },
              what => 'not JSON');
    is($r->{status}, 415, "$p: 415 for a body that is not JSON");
    my ($tmpl, $concrete) = @{ $GET_ONE{$p} };
    $r = call($p, GET => $tmpl, path => $concrete, what => 'unknown id');
    is($r->{status}, 404, "$p: 404 for an unknown id");
}
$r = call(caylex => GET => '/projects', path => '/projects?size=1000', what => 'bad query');
is($r->{status}, 422, 'caylex: 422 for a bad query');
$r = call(g4f => GET => '/projects', path => '/projects?limit=0', what => 'bad query');
is($r->{status}, 400, 'g4f: 400 for a bad query');

# the validator on a live answer: the list with a member's type changed
{
    my $r = $hub->get('/api/v1/servers/', headers => { Authorization => "Bearer $KEY" });
    my $schema = op_of(patchwork => 'get', '/api/v1/servers/')->{responses}{200}{content}{'application/json'}{schema};
    my $list = $JSON->decode($r->{content});
    ok(!validate($doc{patchwork}, $schema, $list), 'the live list validates');
    $list->[0]{name} = 7;
    ok(scalar validate($doc{patchwork}, $schema, $list), '... and fails with a name that is a number');
    ok(scalar validate($doc{patchwork}, $schema, $list->[0]), '... and fails as one object, not an array');
}

# writes beyond creates: an update and deletes, with their declared answers
call(goclaw => PUT => '/v1/mcp/servers/{id}', path => "/v1/mcp/servers/$gc_server",
     json => { display_name => 'Live GC' }, what => 'update');
call(goclaw => DELETE => '/v1/api-keys/{id}', path => "/v1/api-keys/$gc_key", what => 'revoke');
call(goclaw => DELETE => '/v1/mcp/servers/{id}', path => "/v1/mcp/servers/$gc_server", what => 'delete');
call(caylex => PATCH => '/projects/{project_id}', path => "/projects/$cx_project",
     json => { name => 'live-project-2' }, what => 'update');
call(caylex => DELETE => '/projects/{project_id}', path => "/projects/$cx_project", what => 'delete');
call(toolhub => DELETE => '/api/secrets/{name}', path => '/api/secrets/LIVE_SECRET', what => 'delete');
call(toolhub => DELETE => '/api/mcp/servers/{id}', path => "/api/mcp/servers/$th_server", what => 'delete');
call(g4f => PATCH => '/projects/{project_id}', path => "/projects/$g4f_project",
     json => { name => 'live-g4f-2' }, what => 'update');
call(g4f => DELETE => '/projects/{project_id}', path => "/projects/$g4f_project", what => 'delete');
$r = call(patchwork => POST => '/api/v1/teams/{slug}/api-keys/', path => '/api/v1/teams/acme/api-keys/',
          json => { description => 'live' }, what => 'create a key');
call(patchwork => DELETE => '/api/v1/teams/{slug}/api-keys/{key_uuid}/',
     path => "/api/v1/teams/acme/api-keys/$r->{json}{uuid}/", what => 'revoke') if $r->{json}{uuid};
$r = call(caylex => POST => '/platform-access-tokens', json => { name => 'live-pat' }, what => 'create');
call(caylex => DELETE => '/platform-access-tokens/{token_id}', path => "/platform-access-tokens/$r->{json}{id}",
     what => 'revoke') if $r->{json}{id};
$r = call(g4f => POST => '/admin/users', json => { name => 'Ann', email => 'ann@acme.test', roles => ['member'] },
          what => 'create');
call(g4f => DELETE => '/admin/users/{user_id}', path => "/admin/users/$r->{json}{user}{id}", what => 'delete')
    if $r->{json}{user};
call(patchwork => PATCH => '/api/v1/teams/{slug}/', path => '/api/v1/teams/acme/',
     json => { name => 'Team Acme' }, what => 'update');

# ---- the Swagger UI pages ---------------------------------------------------
for my $p (@PROFILES) {
    my $r = $hub->get($MOUNT{$p} . $UI{$p});
    check($p, GET => $UI{$p}, $r, 'Swagger UI');
    if (!$have_ui) {
        is($r->{status}, 404, "$p: no Swagger UI page without HubSwaggerUi");
        next;
    }
    is($r->{status}, 200, "$p: the Swagger UI page");
    like($r->{headers}{'content-type'} // '', qr{^text/html}, "$p: ... HTML");
    my $html = $r->{content} // '';
    my ($doc_url) = $html =~ /data-url="([^"]+)"/;
    is($doc_url, $hub->base . $MOUNT{$p} . $DOC{$p}, "$p: ... loads the profile's document");
    my $d = HTTP::Tiny->new->get($doc_url // 'http://127.0.0.1:1/');
    is($d->{status}, 200, "$p: ... which is there");
    my @assets = $html =~ /(?:src|href)="([^"]+)"/g;
    ok(grep(/swagger-ui-bundle\.js$/, @assets) && grep(/swagger-ui\.css$/, @assets),
       "$p: ... with Swagger UI's script and style");
    for my $url (@assets) {
        my ($file) = $url =~ m{/([^/]+)$};
        my $a = HTTP::Tiny->new->get($url);
        is($a->{status}, 200, "$p: $file is served");
        is(length($a->{content} // ''), -s "$UI_DIR/$file", "$p: ... the installed file");
        my $want = $file =~ /\.js$/ ? 'text/javascript' : $file =~ /\.css$/ ? 'text/css' : 'image/png';
        like($a->{headers}{'content-type'} // '', qr{^\Q$want\E}, "$p: ... as $want");
    }
    $r = $hub->get($MOUNT{$p} . $UI{$p} . '/..%2f..%2fpackage.json');
    isnt($r->{status}, 200, "$p: nothing else under the page");
    $r = $hub->get($MOUNT{$p} . $UI{$p} . '/package.json');
    check($p, GET => "$UI{$p}/{file}", $r, 'not a Swagger UI file');
    is($r->{status}, 404, "$p: only the page's files");
}

note("$_: " . scalar(keys %{ $checked{$_} }) . ' operations checked live, '
     . ($shaped{$_} // 0) . ' successful answers against a schema more than {type: object}') for @PROFILES;

# the write sweep asks for a password reset mail, with no mail server
$hub->log_is_clean(qr/HUB00470|HUB00731|probe|stdio/i);
done_testing;
