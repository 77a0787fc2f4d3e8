# GoClaw's agent memory and knowledge graph: /v1/memory/documents,
# /v1/agents/{agentID}/memory/search (PostgreSQL full-text search over
# documents seeded here by SQL: the hub has no writer of memory yet),
# /v1/agents/{agentID}/kg/entities (list, upsert with relations) and
# /v1/agents/{agentID}/kg/traverse (depth, cycles).  Every answer checked
# against the served OpenAPI document; another tenant's agent is 404 in
# GoClaw's envelope, bad input 400.
use strict;
use warnings;
use Test::More;
use HubSchema qw(validate undeclared);
use HubTest;

my $hub = HubTest->new;
my $alpha = $hub->team('alpha');
my $beta = $hub->team('beta');
my $reader = $hub->team('gamma', scopes => 'operator.read');
sub q1 { $hub->psql($hub->db, $_[0]) }
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $p, headers => { Authorization => "Bearer $k" }, @o) }

my $ta = q1("SELECT id FROM tenants WHERE slug = 'alpha'");
my $tb = q1("SELECT id FROM tenants WHERE slug = 'beta'");
my $agent = q1("INSERT INTO agents (tenant_id, name) VALUES ('$ta', 'scribe') RETURNING id");
my $other = q1("INSERT INTO agents (tenant_id, name) VALUES ('$ta', 'other') RETURNING id");
my $bagent = q1("INSERT INTO agents (tenant_id, name) VALUES ('$tb', 'spy') RETURNING id");

# documents: [tenant, agent, path, title, content, minutes ago]
my @docs = (
    [$ta, $agent, 'MEMORY.md', 'Deployment notes', "The deployment runs on Kubernetes.\nDeployment uses helm charts.\nRollbacks by helm.", 5],
    [$ta, $agent, 'memory/2026-01-02.md', undef, "Met Alice about the budget.\nShe mentioned deployment once.", 3],
    [$ta, $agent, 'memory/recipes.md', 'Recipes', 'Pasta with tomatoes and basil.', 1],
    [$ta, $other, 'MEMORY.md', 'Other agent', 'Deployment deployment deployment of the other agent.', 2],
    [$tb, $bagent, 'MEMORY.md', 'Beta secret', 'Deployment of beta, never seen by alpha.', 0],
);
for my $d (@docs) {
    my ($t, $ag, $path, $title, $content, $ago) = @$d;
    $content =~ s/'/''/g;
    q1("INSERT INTO memory_documents (tenant_id, agent_id, path, title, content, updated_at) VALUES "
       . "('$t', '$ag', '$path', " . (defined $title ? "'$title'" : 'NULL') . ", '$content', now() - interval '$ago minutes')");
}

my $doc = $hub->get('/v1/openapi.json')->{json};
# Each answer checked against the served document: it validates, and
# declares every member it has.
sub served {
    my ($method, $tmpl, $r) = @_;
    my $s = $doc->{paths}{$tmpl}{$method}{responses}{200}{content}{'application/json'}{schema};
    ok($s, "  $method $tmpl documented") or return;
    my @e = validate($doc, $s, $r->{json});
    ok(!@e, "  $method $tmpl: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($doc, $s, $r->{json}, '')], [], "  $method $tmpl: every member declared");
}

# ---- documents --------------------------------------------------------
my $r = req($alpha->{key}, GET => '/v1/memory/documents');
is($r->{status}, 200, 'GET /v1/memory/documents');
served(get => '/v1/memory/documents', $r);
is_deeply([ map { "$_->{agent}:$_->{path}" } @{ $r->{json} } ],
          ['scribe:memory/recipes.md', 'other:MEMORY.md', 'scribe:memory/2026-01-02.md', 'scribe:MEMORY.md'],
          "  the tenant's documents, newest first; none of beta's");
my ($m) = grep { $_->{path} eq 'MEMORY.md' && $_->{agent} eq 'scribe' } @{ $r->{json} };
is($m->{agent_id}, $agent, '  agent_id');
is($m->{hash}, q1("SELECT md5(content) FROM memory_documents WHERE agent_id = '$agent' AND path = 'MEMORY.md'"), '  hash: md5 of the text');
ok(!exists $m->{content}, '  no content in the list');
$r = req($beta->{key}, GET => '/v1/memory/documents');
is_deeply([ map { $_->{title} } @{ $r->{json} } ], ['Beta secret'], "  beta sees its own only");

# ---- search -----------------------------------------------------------
my $S = '/v1/agents/{agentID}/memory/search';
$r = req($alpha->{key}, POST => "/v1/agents/scribe/memory/search", json => { query => 'deployment' });
is($r->{status}, 200, 'search by the agent\'s name');
served(post => $S, $r);
is_deeply([ map { $_->{path} } @{ $r->{json}{results} } ], ['MEMORY.md', 'memory/2026-01-02.md'],
          '  the best first (title and text), only this agent\'s, only matches');
is($r->{json}{count}, 2, '  count');
my ($top, $second) = @{ $r->{json}{results} };
cmp_ok($top->{score}, '>', $second->{score}, '  scores fall');
like($top->{snippet}, qr/<b>[Dd]eployment<\/b>/, '  the snippet marks the match');
is_deeply([ @$top{qw(start_line end_line source title)} ], [1, 3, 'memory', 'Deployment notes'], '  lines, source, title');
$r = req($alpha->{key}, POST => "/v1/agents/$agent/memory/search", json => { query => 'deployments', limit => 1 });
is_deeply([ map { $_->{path} } @{ $r->{json}{results} } ], ['MEMORY.md'], '  by id; stems match (deployments); limit');
$r = req($alpha->{key}, POST => "/v1/agents/scribe/memory/search", json => { query => 'tomato basil', max_results => 5 });
is_deeply([ map { $_->{path} } @{ $r->{json}{results} } ], ['memory/recipes.md'], "  all the words; GoClaw's max_results");
$r = req($alpha->{key}, POST => "/v1/agents/scribe/memory/search", json => { query => 'kubernetes budget' });
is_deeply($r->{json}, { results => [], count => 0 }, '  no document has both: none');
$r = req($alpha->{key}, POST => "/v1/agents/scribe/memory/search", json => { query => 'the and of' });
is($r->{status}, 200, '  only stop words: 200');
is($r->{json}{count}, 0, '  and nothing');
$r = req($reader->{key}, POST => "/v1/agents/scribe/memory/search", json => { query => 'deployment' });
is($r->{status}, 404, "  another tenant's agent (by name): 404");
$r = req($beta->{key}, POST => "/v1/agents/$agent/memory/search", json => { query => 'deployment' });
is($r->{status}, 404, "  another tenant's agent (by id): 404");
like($r->{json}{error}, qr/agent not found/, "  in GoClaw's envelope");
is_deeply([ keys %{ $r->{json} } ], ['error'], '  {"error": ...} alone');
for my $bad ({}, { query => '' }, { query => 'x', limit => 0 }, { query => 'x', limit => 101 },
             { query => 'x', limit => 'ten' }, { query => 5 }) {
    $r = req($alpha->{key}, POST => "/v1/agents/scribe/memory/search", json => $bad);
    is($r->{status}, 400, '  bad input 400: ' . join(',', map { "$_=" . ($bad->{$_} // '') } sort keys %$bad));
    ok(defined $r->{json}{error}, '    with an error');
}

# ---- the hub's writer: PUT /v1/agents/{agentID}/memory/documents -------------
my $W = '/v1/agents/{agentID}/memory/documents';
$r = req($alpha->{key}, PUT => '/v1/agents/scribe/memory/documents',
         json => { path => 'memory/zebra.md', title => 'Zoo', content => "Zebras graze.\nStripes." });
is($r->{status}, 200, 'write a document');
served(put => $W, $r);
ok($r->{json}{created}, '  created');
is($r->{json}{path}, 'memory/zebra.md', '  its path');
my $zid = $r->{json}{id};
$r = req($alpha->{key}, POST => '/v1/agents/scribe/memory/search', json => { query => 'zebra' });
is_deeply([ map { "$_->{path}:$_->{title}:$_->{end_line}" } @{ $r->{json}{results} } ], ['memory/zebra.md:Zoo:2'], '  searchable at once');
$r = req($alpha->{key}, PUT => "/v1/agents/$agent/memory/documents", json => { path => 'memory/zebra.md', content => 'Giraffes now.' });
ok(!$r->{json}{created}, 'the same path again: replaced');
is($r->{json}{id}, $zid, '  the same document');
is($r->{json}{hash}, q1("SELECT md5('Giraffes now.')"), '  the new hash');
$r = req($alpha->{key}, POST => '/v1/agents/scribe/memory/search', json => { query => 'zebra' });
is($r->{json}{count}, 0, '  the old text is gone from search');
$r = req($alpha->{key}, POST => '/v1/agents/scribe/memory/search', json => { query => 'giraffe' });
is_deeply([ map { "$_->{path}:$_->{title}" } @{ $r->{json}{results} } ], ['memory/zebra.md:Zoo'], '  the new one found; title kept');
$r = req($beta->{key}, PUT => '/v1/agents/scribe/memory/documents', json => { path => 'x.md', content => 'x' });
is($r->{status}, 404, "  into another tenant's agent: 404");
$r = req($reader->{key}, PUT => '/v1/agents/scribe/memory/documents', json => { path => 'x.md', content => 'x' });
is($r->{status}, 403, '  a read-only key: 403');
for my $bad ({ content => 'x' }, { path => 'x.md' }, { path => '', content => 'x' }, { path => 'x' x 501, content => 'x' },
             { path => 'x.md', content => 5 }, { path => 'x.md', content => 'x', title => 'y' x 501 }) {
    $r = req($alpha->{key}, PUT => '/v1/agents/scribe/memory/documents', json => $bad);
    is($r->{status}, 400, '  bad write 400');
    ok(defined $r->{json}{error}, '    with an error');
}
is(q1("SELECT count(*) FROM memory_documents WHERE path = 'x.md' OR path LIKE 'xx%'"), 0, '  none written');

# ---- KG: upsert -----------------------------------------------------------
my $E = '/v1/agents/{agentID}/kg/entities';
sub upsert { req($alpha->{key}, POST => '/v1/agents/scribe/kg/entities', json => $_[0]) }
$r = upsert({ name => 'Alice', entity_type => 'person', description => 'an engineer', properties => { team => 'infra' } });
is($r->{status}, 200, 'upsert an entity');
served(post => $E, $r);
is($r->{json}{status}, 'ok', '  status ok');
ok($r->{json}{created}, '  created');
my $alice = $r->{json}{entity}{id};
is_deeply([ @{ $r->{json}{entity} }{qw(name entity_type description agent_id confidence)} ],
          ['Alice', 'person', 'an engineer', $agent, 1], '  its fields; confidence 1 by default');
$r = upsert({ name => 'Alice', entity_type => 'person', properties => { team => 'platform', level => 3 }, confidence => 0.5 });
is($r->{status}, 200, 'the same name and type again');
ok(!$r->{json}{created}, '  not created');
is($r->{json}{entity}{id}, $alice, '  the same entity');
is_deeply([ @{ $r->{json}{entity} }{qw(description properties confidence)} ],
          ['an engineer', { team => 'platform', level => 3 }, 0.5], '  updated: properties and confidence; description kept');
is(q1("SELECT count(*) FROM kg_entities WHERE agent_id = '$agent' AND name = 'Alice'"), 1, '  one row');
$r = upsert({ name => 'Alice', entity_type => 'person', confidence => 0, description => 'a lead' });
is_deeply([ @{ $r->{json}{entity} }{qw(description confidence)} ], ['a lead', 0.5], "  description updated; confidence 0 (GoClaw's unsaid) keeps it");
$r = upsert({ name => 'Alice', entity_type => 'project' });
ok($r->{json}{created}, 'the same name of another type: another entity');
my $aproj = $r->{json}{entity}{id};

for my $n (qw(Bob Carol Dave Eve)) {
    $r = upsert({ name => $n, entity_type => 'person' });
    is($r->{status}, 200, "entity $n");
}
# a cycle Alice -> Bob -> Carol -> Alice, and Carol -> Dave -> Eve
$r = upsert({ name => 'Alice', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Bob' } ] });
is($r->{json}{relations_added}, 1, 'a relation in the upsert body');
served(post => $E, $r);
my $bob = q1("SELECT id FROM kg_entities WHERE name = 'Bob'");
$r = upsert({ name => 'Bob', entity_type => 'person', relations => [ { relation_type => 'manages', target => 'Carol', target_type => 'person' } ] });
is($r->{json}{relations_added}, 1, '  with target_type');
my $carol = q1("SELECT id FROM kg_entities WHERE name = 'Carol'");
$r = upsert({ name => 'Carol', entity_type => 'person',
              relations => [ { relation_type => 'knows', target => $alice }, { relation_type => 'knows', target => 'Dave' } ] });
is($r->{json}{relations_added}, 2, '  by id, two at once');
$r = upsert({ name => 'Carol', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Dave' } ] });
is($r->{json}{relations_added}, 0, '  a relation already there is kept once');
upsert({ name => 'Dave', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Eve' } ] });
is(q1("SELECT count(*) FROM kg_relations WHERE agent_id = '$agent'"), 5, '  five relations');

$r = upsert({ name => 'Frank', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Nobody' } ] });
is($r->{status}, 400, 'a target that is no entity: 400');
like($r->{json}{error}, qr/Nobody is no entity/, '  says which');
is(q1("SELECT count(*) FROM kg_entities WHERE name = 'Frank'"), 0, '  and nothing changed');
$r = upsert({ name => 'Frank', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Alice' } ] });
is($r->{status}, 400, 'a target name of two types: 400');
like($r->{json}{error}, qr/target_type/, '  asks for target_type');
for my $bad ({ entity_type => 'person' }, { name => 'X' }, { name => '', entity_type => 'person' },
             { name => 'X', entity_type => 'person', confidence => 1.5 },
             { name => 'X', entity_type => 'person', properties => [1] },
             { name => 'X', entity_type => 'person', relations => {} },
             { name => 'X', entity_type => 'person', relations => [ 'Bob' ] },
             { name => 'X', entity_type => 'person', relations => [ { target => 'Bob' } ] },
             { name => 'X', entity_type => 'person', relations => [ { relation_type => '', target => 'Bob' } ] },
             { name => 'X', entity_type => 'person', relations => [ { relation_type => 'knows', target => 'Bob', target_type => 3 } ] },
             { name => 'X' x 501, entity_type => 'person' }) {
    $r = upsert($bad);
    is($r->{status}, 400, '  bad upsert 400');
    ok(defined $r->{json}{error}, '    with an error');
}
is(q1("SELECT count(*) FROM kg_entities WHERE name = 'X'"), 0, '  none made');
$r = req($beta->{key}, POST => '/v1/agents/scribe/kg/entities', json => { name => 'Z', entity_type => 'person' });
is($r->{status}, 404, "upsert into another tenant's agent: 404");
$r = req($beta->{key}, POST => "/v1/agents/$agent/kg/entities", json => { name => 'Z', entity_type => 'person' });
is($r->{status}, 404, '  by id too');
is(q1("SELECT count(*) FROM kg_entities WHERE name = 'Z'"), 0, '  nothing made');

# ---- KG: list ---------------------------------------------------------------
$r = req($alpha->{key}, GET => '/v1/agents/scribe/kg/entities');
is($r->{status}, 200, 'list entities');
served(get => $E, $r);
is_deeply([ map { "$_->{name}/$_->{entity_type}" } @{ $r->{json} } ],
          [qw(Alice/person Alice/project Bob/person Carol/person Dave/person Eve/person)], '  by name');
$r = req($alpha->{key}, GET => '/v1/agents/scribe/kg/entities?type=project');
is_deeply([ map { $_->{id} } @{ $r->{json} } ], [$aproj], '  type');
$r = req($alpha->{key}, GET => '/v1/agents/scribe/kg/entities?q=AR');
is_deeply([ map { $_->{name} } @{ $r->{json} } ], ['Carol'], '  q: a part of the name');
$r = req($alpha->{key}, GET => '/v1/agents/scribe/kg/entities?limit=2&offset=1');
is_deeply([ map { "$_->{name}/$_->{entity_type}" } @{ $r->{json} } ], [qw(Alice/project Bob/person)], '  limit, offset');
$r = req($alpha->{key}, GET => "/v1/agents/$other/kg/entities");
is_deeply($r->{json}, [], "  another agent's graph is its own");
$r = req($alpha->{key}, GET => '/v1/agents/scribe/kg/entities?limit=0');
is($r->{status}, 400, '  limit 0: 400');
$r = req($beta->{key}, GET => "/v1/agents/$agent/kg/entities");
is($r->{status}, 404, "  another tenant's agent: 404");
$r = req($alpha->{key}, GET => '/v1/agents/nobody/kg/entities');
is($r->{status}, 404, '  no such agent: 404');

# ---- KG: traverse -------------------------------------------------------------
my $T = '/v1/agents/{agentID}/kg/traverse';
sub traverse { req($alpha->{key}, POST => '/v1/agents/scribe/kg/traverse', json => $_[0]) }
sub reached { [ map { "$_->{entity}{name}:$_->{depth}" } @{ $_[0]{json}{results} } ] }
$r = traverse({ entity_id => $alice });
is($r->{status}, 200, 'traverse from an id');
served(post => $T, $r);
is($r->{json}{entity}{id}, $alice, '  the start');
is($r->{json}{max_depth}, 2, '  depth 2 by default');
is_deeply(reached($r), ['Bob:1', 'Carol:2'], '  reached within 2');
my ($c) = grep { $_->{entity}{name} eq 'Carol' } @{ $r->{json}{results} };
is_deeply($c->{path}, [$alice, $bob, $carol], '  the path, ids from the start');
is($c->{via}, 'manages', '  via the last relation');
is_deeply([ sort map { "$_->{source_entity_id}>$_->{relation_type}>$_->{target_entity_id}" } @{ $r->{json}{relations} } ],
          [ sort "$alice>knows>$bob", "$bob>manages>$carol", "$carol>knows>$alice" ], '  the relations among them (the cycle back too)');
$r = traverse({ entity_id => 'Alice', entity_type => 'person', max_depth => 5 });
is_deeply(reached($r), ['Bob:1', 'Carol:2', 'Dave:3', 'Eve:4'], '  by name and type, depth 5: the cycle ends, each once');
is($r->{json}{count}, 4, '  count');
served(post => $T, $r);
$r = traverse({ entity_id => 'Carol', max_depth => 1 });
is_deeply(reached($r), ['Alice:1', 'Dave:1'], '  depth 1');
$r = traverse({ entity_id => 'Eve' });
is_deeply([ reached($r), $r->{json}{relations} ], [ [], [] ], '  a leaf reaches nothing');
# a dense graph: 25 entities, every one related to every other (600
# relations); depth 5 still answers each once, at depth 1
my $dense = q1("INSERT INTO agents (tenant_id, name) VALUES ('$ta', 'dense') RETURNING id");
q1("INSERT INTO kg_entities (tenant_id, agent_id, name, entity_type) SELECT '$ta', '$dense', 'n' || lpad(i::text, 2, '0'), 'node' FROM generate_series(1, 25) i");
q1("INSERT INTO kg_relations (tenant_id, agent_id, source_entity_id, relation_type, target_entity_id) "
   . "SELECT '$ta', '$dense', a.id, 'links', b.id FROM kg_entities a JOIN kg_entities b ON a.agent_id = b.agent_id AND a.id <> b.id WHERE a.agent_id = '$dense'");
$r = req($alpha->{key}, POST => '/v1/agents/dense/kg/traverse', json => { entity_id => 'n01', max_depth => 5 });
is($r->{status}, 200, 'a dense graph, depth 5');
is_deeply(reached($r), [ map { sprintf('n%02d:1', $_) } 2 .. 25 ], '  each of the others once, at depth 1');
is(scalar @{ $r->{json}{relations} }, 600, '  and all 600 relations among them');
$r = traverse({ entity_id => 'Alice' });
is($r->{status}, 400, '  a name of two types: 400');
$r = traverse({ entity_id => 'Nobody' });
is($r->{status}, 404, '  an unknown start: 404');
like($r->{json}{error}, qr/entity not found/, "  in GoClaw's envelope");
for my $bad ({}, { entity_id => '' }, { entity_id => 'Eve', max_depth => 0 }, { entity_id => 'Eve', max_depth => 6 },
             { entity_id => 'Eve', max_depth => 'deep' }, { entity_id => 5 }) {
    $r = traverse($bad);
    is($r->{status}, 400, '  bad traverse 400');
}
$r = req($beta->{key}, POST => "/v1/agents/$agent/kg/traverse", json => { entity_id => $alice });
is($r->{status}, 404, "  another tenant's agent: 404");
# beta's own agent cannot start from alpha's entity either
$r = req($beta->{key}, POST => '/v1/agents/spy/kg/traverse', json => { entity_id => $alice });
is($r->{status}, 404, "  another tenant's entity from one's own agent: 404");
$r = req($reader->{key}, GET => '/v1/agents/scribe/kg/entities');
is($r->{status}, 404, '  a reader of another tenant: 404');

# ---- access --------------------------------------------------------------------
my $ga = q1("INSERT INTO agents (tenant_id, name) SELECT id, 'mine' FROM tenants WHERE slug = 'gamma' RETURNING id");
$r = req($reader->{key}, POST => '/v1/agents/mine/kg/traverse', json => { entity_id => 'x' });
is($r->{status}, 404, 'a read-only key may traverse (an unknown start: 404)');
$r = req($reader->{key}, GET => '/v1/agents/mine/kg/entities');
is($r->{status}, 200, '  and list');
$r = req($reader->{key}, POST => '/v1/agents/mine/kg/entities', json => { name => 'Y', entity_type => 'person' });
is($r->{status}, 403, '  but not upsert');
$r = $hub->get('/v1/memory/documents');
is($r->{status}, 401, 'no credentials: 401');

ok($hub->log_is_clean, 'error log clean');
done_testing;
