# Projects through Caylex and G4F: one table, two documents' shapes,
# pages, filters, role rules, bad input, and isolation between tenants.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new;
my $db = $hub->db;
my $CX = '/caylex/api/v1';
my $G4F = '/g4f/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my $rw = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.write');
my $none = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.pairing');
sub auth { my $k = shift; return (headers => { Authorization => "Bearer $k" }) }
sub cx { my ($k, $m, $p, @o) = @_; $hub->request($m, "$CX$p", auth($k), @o) }
sub g4 { my ($k, $m, $p, @o) = @_; $hub->request($m, "$G4F$p", auth($k), @o) }
sub is_422 {
    my ($r, $loc, $what) = @_;
    is($r->{status}, 422, "$what: 422");
    is_deeply(ref $r->{json}{detail} eq 'ARRAY' ? $r->{json}{detail}[0]{loc} : undef, $loc,
              "$what: names " . join('.', @$loc));
}
sub is_g4f_error {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} : undef;
    ok($e && $e->{code} eq $code && length $e->{message} && length $e->{request_id}
       && JSON::PP::is_bool($e->{retryable}) && ref $e->{details} eq 'HASH',
       "$what: g4f envelope, code $code") or diag explain $r->{json};
}
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

# ==== Caylex ============================================================
my $r = cx($a->{key}, POST => '/projects', json => {
    name => 'Production Environment', description => 'Main production project',
    icon => 'production-icon.png',
    webhook_config => [{ url => 'https://hooks.example/x', secret => 's3cret-value', events => ['deploy'] }] });
is($r->{status}, 200, 'create project');
is_deeply([keys %{ $r->{json} }], ['id'], 'ModifiedProjectResponse');
like($r->{json}{id}, $UUID, 'id');
my $p1 = $r->{json}{id};

$r = cx($a->{key}, GET => "/projects/$p1");
is($r->{status}, 200, 'get project');
my $p = $r->{json};
is_deeply([sort keys %$p], [sort qw(id name description icon created_at updated_at
                                    active_server_instances active_navigators webhook_config)],
          'GetProjectResponse fields');
is_deeply([@$p{qw(id name description icon)}],
          [$p1, 'Production Environment', 'Main production project', 'production-icon.png'], 'values');
like($p->{created_at}, $TS, 'created_at');
is($p->{active_server_instances}, 0, 'active_server_instances');
is_deeply($p->{webhook_config}, [{ url => 'https://hooks.example/x', secret => '********',
                                   events => ['deploy'], enabled => JSON::PP::true, service => 'generic' }],
          'webhook defaults filled in, secret masked');
is($hub->psql($db, "SELECT webhook_config->0->>'secret' FROM projects WHERE id = '$p1'"), 's3cret-value',
   'the secret is stored');

# bad input
is_422(cx($a->{key}, POST => '/projects', json => {}), ['body', 'name'], 'no name');
is_422(cx($a->{key}, POST => '/projects', json => { name => 7 }), ['body', 'name'], 'name: number');
is_422(cx($a->{key}, POST => '/projects', json => { name => '' }), ['body', 'name'], 'empty name');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x' x 201 }), ['body', 'name'], 'name too long');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', description => [] }), ['body', 'description'],
       'description: array');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => {} }), ['body', 'webhook_config'],
       'webhook_config: object');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => [({ url => 'https://a' }) x 6] }),
       ['body', 'webhook_config'], 'six webhooks');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => [{ events => [] }] }),
       ['body', 'webhook_config[0].url'], 'webhook without url');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => [{ url => 'ftp://a' }] }),
       ['body', 'webhook_config[0].url'], 'webhook url scheme');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => [{ url => 'https://a', service => 'teams' }] }),
       ['body', 'webhook_config[0].service'], 'webhook service');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => [{ url => 'https://a', events => [1] }] }),
       ['body', 'webhook_config[0].events'], 'webhook events');
is_422(cx($a->{key}, POST => '/projects', json => { name => 'x', webhook_config => ['https://a'] }),
       ['body', 'webhook_config[0]'], 'webhook: not an object');
$r = $hub->request('POST', "$CX/projects", headers => { Authorization => "Bearer $a->{key}",
                   'content-type' => 'application/json' }, body => '{"name": "x",');
is($r->{status}, 422, 'malformed JSON: 422');
$r = cx($a->{key}, POST => '/projects', json => { name => 'Production Environment' });
is($r->{status}, 409, 'a name used in the tenant: 409');
ok(defined $r->{json}{detail} && !ref $r->{json}{detail}, 'caylex envelope');
is(cx($b->{key}, POST => '/projects', json => { name => 'Production Environment' })->{status}, 200,
   'the same name in another tenant is fine');
is($hub->psql($db, "SELECT count(*) FROM projects p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = 'acme'"),
   1, 'no bad request left a project behind');

# list and pages
my @names = ('Staging', 'Dev box', 'QA lab', 'Prod mirror');
for my $n (@names) {
    is(cx($a->{key}, POST => '/projects', json => { name => $n, description => "the $n env" })->{status}, 200,
       "create $n");
}
$r = cx($a->{key}, GET => '/projects');
is($r->{status}, 200, 'list');
is($r->{json}{meta}{total}, 5, 'five projects');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], [reverse(@names), 'Production Environment'],
          'newest first');
ok(!defined $r->{json}{items}[0]{active_navigators}, 'no analytics unless asked');
is_deeply([sort keys %{ $r->{json}{meta} }], [sort qw(size total next_cursor has_next has_prev)], 'PageMeta');
$r = cx($a->{key}, GET => '/projects?include_analytics=true');
is($r->{json}{items}[0]{active_navigators}, 0, 'include_analytics=true');
is_422(cx($a->{key}, GET => '/projects?include_analytics=perhaps'), ['query', 'include_analytics'],
       'include_analytics=perhaps');
my (@seen, $cursor);
do {
    $r = cx($a->{key}, GET => '/projects?size=2' . ($cursor ? "&cursor=$cursor" : ''));
    is($r->{status}, 200, 'a page');
    ok(@{ $r->{json}{items} } <= 2, 'of at most 2');
    push @seen, map { $_->{id} } @{ $r->{json}{items} };
    $cursor = $r->{json}{meta}{next_cursor};
    is(!!$r->{json}{meta}{has_next}, !!$cursor, 'has_next agrees with next_cursor');
} while ($cursor);
is(scalar @seen, 5, 'pages cover all five');
my %u = map { ($_ => 1) } @seen;
is(scalar keys %u, 5, 'each once');
is_422(cx($a->{key}, GET => "/projects?size=$_"), ['query', 'size'], "size=$_") for 0, 101, 'ten', '';
is_422(cx($a->{key}, GET => '/projects?cursor=12'), ['query', 'cursor'], 'a cursor not issued');

# search
$r = cx($a->{key}, GET => '/projects/search?search=PROD');
is_deeply([sort map { $_->{name} } @{ $r->{json}{items} }], ['Prod mirror', 'Production Environment'],
          'search in names, any case');
is($r->{json}{meta}{total}, 2, 'total of the search');
$r = cx($a->{key}, GET => '/projects/search?search=the%20qa');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['QA lab'], 'and in descriptions');
is(cx($a->{key}, GET => '/projects/search')->{json}{meta}{total}, 5, 'no search: everything');
is(cx($a->{key}, GET => '/projects/search?search=_')->{json}{meta}{total}, 0, '_ is no wildcard');
is_422(cx($a->{key}, GET => '/projects/search?search=x&size=500'), ['query', 'size'], 'search size=500');

# update
$r = cx($a->{key}, PATCH => "/projects/$p1", json => { name => 'Prod', icon => undef,
     webhook_config => [{ url => 'https://hooks.example/x', secret => '********', events => ['deploy', 'fail'] },
                        { url => 'https://hooks.example/new', secret => '********' }] });
is($r->{status}, 200, 'update');
is_deeply($r->{json}, { id => $p1 }, 'ModifiedProjectResponse');
$p = cx($a->{key}, GET => "/projects/$p1")->{json};
is_deeply([@$p{qw(name description icon)}], ['Prod', 'Main production project', undef],
          'named fields changed, others kept, null cleared');
is($hub->psql($db, "SELECT string_agg(coalesce(h->>'secret', 'NULL'), ',') FROM projects,
                    jsonb_array_elements(webhook_config) h WHERE id = '$p1'"), 's3cret-value,NULL',
   '"********" keeps the stored secret of the same url, and invents none');
is_deeply($p->{webhook_config}[0]{events}, ['deploy', 'fail'], 'the rest of the webhook changed');
is(cx($a->{key}, PATCH => "/projects/$p1", json => { name => undef })->{status}, 200, 'null name');
is(cx($a->{key}, GET => "/projects/$p1")->{json}{name}, 'Prod', 'keeps the name');
is_422(cx($a->{key}, PATCH => "/projects/$p1", json => { name => '' }), ['body', 'name'], 'empty name');
is_422(cx($a->{key}, PATCH => "/projects/$p1", json => { icon => 3 }), ['body', 'icon'], 'icon: number');
is(cx($a->{key}, PATCH => "/projects/$p1", json => { name => 'Staging' })->{status}, 409, 'rename onto a used name: 409');
$r = cx($a->{key}, PATCH => '/projects/nope', json => { name => 'y' });
is($r->{status}, 404, 'malformed id: 404');
is($r->{json}{detail}, 'Project not found', 'documented message');
is(cx($a->{key}, PATCH => '/projects/00000000-0000-4000-8000-000000000000', json => { name => 'y' })->{status},
   404, 'unknown id: 404');
is(cx($a->{key}, GET => '/projects/nope')->{status}, 404, 'GET malformed id: 404');
is(cx($a->{key}, GET => '/projects/00000000-0000-4000-8000-000000000000')->{json}{detail}, 'Project not found',
   'GET unknown: documented 404');

# roles
is(cx($ro, GET => '/projects')->{status}, 200, 'a read key lists');
is(cx($ro, GET => "/projects/$p1")->{status}, 200, 'and reads');
is(cx($ro, GET => '/projects/search?search=a')->{status}, 200, 'and searches');
is(cx($ro, POST => '/projects', json => { name => 'ro' })->{status}, 403, 'but cannot create');
is(cx($ro, PATCH => "/projects/$p1", json => { name => 'ro' })->{status}, 403, 'update');
is(cx($ro, DELETE => "/projects/$p1")->{status}, 403, 'or delete');
is(cx($none, GET => '/projects')->{status}, 403, 'a key without read scope cannot list');
is(cx($rw, POST => '/projects', json => { name => 'by writer' })->{status}, 200, 'a write key creates');
is($hub->get("$CX/projects")->{status}, 401, 'no credentials: 401');

# delete
my $gone = cx($a->{key}, GET => '/projects/search?search=by%20writer')->{json}{items}[0]{id};
$r = cx($rw, DELETE => "/projects/$gone");
is($r->{status}, 200, 'delete');
is_deeply($r->{json}, { id => $gone }, 'ModifiedProjectResponse');
is(cx($a->{key}, GET => "/projects/$gone")->{status}, 404, 'gone');
is(cx($a->{key}, DELETE => "/projects/$gone")->{status}, 404, 'deleting twice: 404');
is(cx($a->{key}, DELETE => '/projects/zzz')->{status}, 404, 'malformed id: 404');

# ==== G4F ===============================================================
$r = g4($a->{key}, POST => '/projects', json => { name => 'agent-app', description => 'An app',
        status => 'paused', environment => 'staging', repo => { url => 'https://git.example/app.git', branch => 'main' } });
is($r->{status}, 200, 'g4f create');
my $g = $r->{json}{project};
is_deeply([sort keys %$g], [sort qw(id name description status environment last_commit repo stats created_at updated_at)],
          'project fields');
is_deeply([@$g{qw(name description status environment last_commit)}], ['agent-app', 'An app', 'paused', 'staging', undef],
          'values');
is_deeply($g->{repo}, { url => 'https://git.example/app.git', branch => 'main' }, 'repo');
is_deeply($g->{stats}, {}, 'stats');
$r = g4($a->{key}, POST => '/projects', json => { name => 'plain' });
is_deeply([@{ $r->{json}{project} }{qw(status environment repo)}], ['active', undef, undef], 'defaults');
my $gplain = $r->{json}{project}{id};

is_g4f_error(g4($a->{key}, POST => '/projects', json => {}), 400, 'VALIDATION_ERROR', 'no name');
is_g4f_error(g4($a->{key}, POST => '/projects', json => { name => 'x', status => 'gone' }), 400, 'VALIDATION_ERROR', 'bad status');
is_g4f_error(g4($a->{key}, POST => '/projects', json => { name => 'x', status => undef }), 400, 'VALIDATION_ERROR', 'null status');
is_g4f_error(g4($a->{key}, POST => '/projects', json => { name => 'x', repo => 'https://git' }), 400, 'VALIDATION_ERROR', 'repo: string');
is_g4f_error(g4($a->{key}, POST => '/projects', json => { name => 'x', environment => 'e' x 65 }), 400, 'VALIDATION_ERROR', 'long environment');
is_g4f_error($hub->request('POST', "$G4F/projects", headers => { Authorization => "Bearer $a->{key}",
             'content-type' => 'application/json' }, body => '{'), 400, 'INVALID_JSON', 'malformed JSON');
is_g4f_error(g4($a->{key}, POST => '/projects', json => { name => 'plain' }), 409, 'CONFLICT', 'a used name');

# the same table as Caylex's
$r = cx($a->{key}, GET => "/projects/$g->{id}");
is($r->{json}{name}, 'agent-app', 'a G4F project is a Caylex project');
$r = g4($a->{key}, GET => "/projects/$p1");
is($r->{json}{project}{name}, 'Prod', 'and the other way round');
is($r->{json}{project}{status}, 'active', 'with a status');

# list, filters and pages
$r = g4($a->{key}, GET => '/projects');
is($r->{status}, 200, 'g4f list');
is_deeply([sort keys %{ $r->{json} }], ['items', 'next_cursor'], '{items, next_cursor}');
is(scalar @{ $r->{json}{items} }, 7, 'all seven');
ok(!defined $r->{json}{next_cursor}, 'one page: next_cursor null');
is_deeply([map { $_->{name} } @{ g4($a->{key}, GET => '/projects?status=paused')->{json}{items} }], ['agent-app'], 'status filter');
is_deeply([map { $_->{name} } @{ g4($a->{key}, GET => '/projects?environment=staging')->{json}{items} }], ['agent-app'],
          'environment filter');
is_deeply([map { $_->{name} } @{ g4($a->{key}, GET => '/projects?q=AGENT')->{json}{items} }], ['agent-app'], 'q');
is(scalar @{ g4($a->{key}, GET => '/projects?q=agent&status=active')->{json}{items} }, 0, 'filters combine');
(@seen, $cursor) = ();
my $pages = 0;
do {
    $r = g4($a->{key}, GET => '/projects?limit=3' . (defined $cursor ? "&cursor=$cursor" : ''));
    is($r->{status}, 200, 'a g4f page');
    push @seen, map { $_->{id} } @{ $r->{json}{items} };
    $cursor = $r->{json}{next_cursor};
    ok(!defined $cursor || $cursor =~ /^\d+$/, 'next_cursor is an offset');
    $pages++;
} while (defined $cursor && $pages < 10);
is($pages, 3, 'seven in pages of three: three pages');
is(scalar(keys %{ { map { ($_ => 1) } @seen } }), 7, 'each project once');
for my $q ('limit=0', 'limit=201', 'limit=x', 'cursor=-1', 'cursor=abc', 'status=deleted') {
    is_g4f_error(g4($a->{key}, GET => "/projects?$q"), 400, 'VALIDATION_ERROR', "list $q");
}
is(scalar @{ g4($a->{key}, GET => '/projects?cursor=100')->{json}{items} }, 0, 'past the end: no items');

# get, update, delete
$r = g4($a->{key}, GET => "/projects/$g->{id}");
is_deeply($r->{json}{project}, $g, 'get: {project}');
is_g4f_error(g4($a->{key}, GET => '/projects/not-a-uuid'), 404, 'NOT_FOUND', 'malformed id');
is_g4f_error(g4($a->{key}, GET => '/projects/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND', 'unknown id');
$r = g4($a->{key}, PATCH => "/projects/$g->{id}", json => { status => 'archived', environment => undef,
                                                             repo => { url => 'https://git.example/b.git' } });
is($r->{status}, 200, 'g4f update');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{ok: true}');
$r = g4($a->{key}, GET => "/projects/$g->{id}");
is_deeply([@{ $r->{json}{project} }{qw(name status environment)}], ['agent-app', 'archived', undef], 'changed');
is_deeply($r->{json}{project}{repo}, { url => 'https://git.example/b.git' }, 'repo replaced');
is_g4f_error(g4($a->{key}, PATCH => "/projects/$g->{id}", json => {}), 400, 'VALIDATION_ERROR', 'update with nothing');
is_g4f_error(g4($a->{key}, PATCH => "/projects/$g->{id}", json => { name => undef }), 400, 'VALIDATION_ERROR', 'null name');
is_g4f_error(g4($a->{key}, PATCH => "/projects/$g->{id}", json => { status => 'x' }), 400, 'VALIDATION_ERROR', 'bad status');
is_g4f_error(g4($a->{key}, PATCH => "/projects/$g->{id}", json => { name => 'plain' }), 409, 'CONFLICT', 'rename onto a used name');
is_g4f_error(g4($a->{key}, PATCH => '/projects/1', json => { name => 'z' }), 404, 'NOT_FOUND', 'update malformed id');
is_g4f_error(g4($ro, PATCH => "/projects/$g->{id}", json => { name => 'z' }), 403, 'FORBIDDEN', 'read key updates');
is_g4f_error(g4($ro, POST => '/projects', json => { name => 'z' }), 403, 'FORBIDDEN', 'read key creates');
is_g4f_error(g4($ro, DELETE => "/projects/$g->{id}"), 403, 'FORBIDDEN', 'read key deletes');
is_g4f_error(g4($none, GET => '/projects'), 403, 'FORBIDDEN', 'no read scope');
is(g4($ro, GET => '/projects')->{status}, 200, 'read key lists');
is_g4f_error($hub->get("$G4F/projects"), 401, 'UNAUTHORIZED', 'no credentials');
$r = g4($a->{key}, DELETE => "/projects/$gplain");
is_deeply($r->{json}, { ok => JSON::PP::true }, 'g4f delete: {ok: true}');
is_g4f_error(g4($a->{key}, DELETE => "/projects/$gplain"), 404, 'NOT_FOUND', 'deleting twice');

# ==== isolation: each tenant with the other's ids, through both profiles
my $bp = cx($b->{key}, GET => '/projects')->{json}{items}[0]{id};
my $snap = sub { $hub->psql($db, "SELECT string_agg(id::text || tenant_id::text || name || coalesce(description, '')
                                   || status || coalesce(environment, '') || coalesce(icon, '')
                                   || coalesce(repo::text, '') || coalesce(webhook_config::text, '')
                                   || updated_at::text, ',' ORDER BY id) FROM projects") };
my $before = $snap->();
for my $case ([$b->{key}, $p1, 'bravo on acme'], [$b->{key}, $g->{id}, 'bravo on acme (g4f-made)'],
              [$a->{key}, $bp, 'acme on bravo']) {
    my ($k, $id, $tag) = @$case;
    is(cx($k, GET => "/projects/$id")->{status}, 404, "$tag: caylex GET 404");
    is(cx($k, PATCH => "/projects/$id", json => { name => 'pwned', description => 'x' })->{status}, 404,
       "$tag: caylex PATCH 404");
    is(cx($k, DELETE => "/projects/$id")->{status}, 404, "$tag: caylex DELETE 404");
    is(g4($k, GET => "/projects/$id")->{status}, 404, "$tag: g4f GET 404");
    is(g4($k, PATCH => "/projects/$id", json => { status => 'archived' })->{status}, 404, "$tag: g4f PATCH 404");
    is(g4($k, DELETE => "/projects/$id")->{status}, 404, "$tag: g4f DELETE 404");
    ok(!grep({ $_->{id} eq $id } @{ cx($k, GET => '/projects?size=100')->{json}{items} }), "$tag: caylex list hides it");
    ok(!grep({ $_->{id} eq $id } @{ cx($k, GET => '/projects/search?search=p')->{json}{items} }), "$tag: search hides it");
    ok(!grep({ $_->{id} eq $id } @{ g4($k, GET => '/projects?limit=200')->{json}{items} }), "$tag: g4f list hides it");
}
is($snap->(), $before, 'no project changed');
is(cx($b->{key}, GET => '/projects')->{json}{meta}{total}, 1, 'bravo counts only its own');

$hub->log_is_clean;
done_testing;
