# G4F's project workflows (GET|POST /projects/{project_id}/workflows,
# GET|PUT /workflows/{workflow_id}, POST /workflows/{workflow_id}/runs):
# the envelope and pagination of G4F, the project checked to be the
# tenant's, `graph` kept as given, and runs that are real executions of
# the engine (not marked completed at once): they go pending -> completed
# with node logs, and an invalid graph is 400.  Every kind of answer is
# checked against the served OpenAPI document (status, schema, every
# member declared), and a G4F workflow as Tool Hub's /api/workflows
# answers it.
use strict;
use warnings;
use Test::More;
use HubTest;
use HubSchema qw(validate undeclared);
use JSON::PP ();

my $hub = HubTest->new(conf => 'HubWorkflowPoll 100');
my $db = $hub->db;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $G = '/g4f/api/v1';
sub g { my ($k, $m, $p, @o) = @_; $hub->request($m, "$G$p", headers => { Authorization => "Bearer $k" }, @o) }
sub q1 { $hub->psql($db, $_[0]) }
sub err_is {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{json}{error}{code}, $code, "  ... $code") or diag(explain($r->{json}));
    ok(exists $r->{json}{error}{request_id}, "  ... in G4F's envelope");
}

# The answer of METHOD TEMPLATE held against the served document of
# G4F (or Tool Hub): the documented status, a valid body (decoded afresh),
# every member declared.
my %doc = (g4f => $hub->get("$G/openapi.json")->{json}, toolhub => $hub->get('/openapi.json')->{json});
sub served {
    my ($m, $tmpl, $r, $which) = @_;
    my $doc = $doc{ $which // 'g4f' };
    my $op = $doc->{paths}{$tmpl}{lc $m};
    ok($op, "  $m $tmpl documented") or return;
    my ($st) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $st, "  $m $tmpl: the documented status");
    my $s = (($op->{responses}{$st}{content} || {})->{'application/json'} || {})->{schema};
    ok($s, "  $m $tmpl: its answer documented") or return;
    my $v = JSON::PP->new->allow_nonref->decode($r->{content});
    my @e = validate($doc, $s, $v);
    ok(!@e, "  $m $tmpl: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($doc, $s, $v, '$')], [], "  $m $tmpl: every member declared");
}

my $project = g($a->{key}, POST => '/projects', json => { name => 'Agents' })->{json}{project}{id};
ok($project, 'a G4F project');
my $graph = { nodes => [ { id => 'greet', type => 'template', data => { template => 'hello {{input.who}}' } },
                         { id => 'check', type => 'condition', data => { condition => "greet.text contains 'world'" } },
                         { id => 'yes', type => 'template', data => { template => '{{greet.text}}!' } } ],
              edges => [ { id => 'e1', source => 'greet', target => 'check' },
                         { id => 'e2', source => 'check', target => 'yes', sourceHandle => 'true' } ] };

my $r = g($a->{key}, GET => "/projects/$project/workflows");
is_deeply([$r->{status}, $r->{json}], [200, { items => [], next_cursor => undef }], 'list: an empty page');
served(GET => '/projects/{project_id}/workflows', $r);
$r = g($a->{key}, POST => "/projects/$project/workflows", json => { name => 'Greeter', graph => $graph, tags => ['demo'] });
is($r->{status}, 200, 'create: 200');
served(POST => '/projects/{project_id}/workflows', $r);
my $w = $r->{json}{workflow};
like($w->{id}, qr/^[0-9a-f-]{36}$/, '  {"workflow": ...} with an id');
is($r->{json}{workflow_id}, $w->{id}, "  and the document's workflow_id");
is($w->{project_id}, $project, '  in the project');
is_deeply($w->{graph}, $graph, '  graph as given');
is_deeply($w->{tags}, ['demo'], '  tags');
g($a->{key}, POST => "/projects/$project/workflows", json => { name => "More $_" }) for 1 .. 2;
$r = g($a->{key}, GET => "/projects/$project/workflows?limit=2");
is(scalar @{ $r->{json}{items} }, 2, 'list: limit');
served(GET => '/projects/{project_id}/workflows', $r);
is($r->{json}{next_cursor}, 2, '  next_cursor');
$r = g($a->{key}, GET => "/projects/$project/workflows?limit=2&cursor=2");
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['Greeter'], '  the last page, newest first');
is($r->{json}{next_cursor}, undef, '  and no cursor after it');
$r = g($a->{key}, GET => "/workflows/$w->{id}");
is($r->{json}{workflow}{name}, 'Greeter', 'get');
served(GET => '/workflows/{workflow_id}', $r);
$r = g($a->{key}, PUT => "/workflows/$w->{id}", json => { name => 'Greeter 2' });
served(PUT => '/workflows/{workflow_id}', $r);
is($r->{json}{ok}, JSON::PP::true, "put: the document's ok");
is_deeply([$r->{json}{workflow}{name}, $r->{json}{workflow}{graph}], ['Greeter 2', $graph], 'put: name, graph kept');

# ---- runs: real executions ------------------------------------------------------
$r = g($a->{key}, POST => "/workflows/$w->{id}/runs", json => { inputs => { who => 'world' }, mode => 'mock' });
is($r->{status}, 200, 'run: 200');
served(POST => '/workflows/{workflow_id}/runs', $r);
my $run = $r->{json}{run_id};
is($r->{json}{status}, 'pending', '  pending: not completed at once');
is($r->{json}{workflow_id}, $w->{id}, '  workflow_id');
ok(HubTest::eventually(30, sub { q1("SELECT status FROM executions WHERE id = '$run'") eq 'completed' }),
   '  the engine runs it to completion');
is(q1("SELECT output->>'text' FROM executions WHERE id = '$run'"), 'hello world!', '  its output');
is(q1("SELECT project_id FROM executions WHERE id = '$run'"), $project, '  in the project');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$run'"), 3, '  a node log per node');
$r = g($a->{key}, POST => "/workflows/$w->{id}/runs", json => { inputs => { who => 'moon' } });
my $run2 = $r->{json}{run_id};
ok(HubTest::eventually(30, sub { q1("SELECT status FROM executions WHERE id = '$run2'") eq 'completed' }),
   'a full-mode run');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$run2' AND node_id = 'yes'"), 0,
   '  whose condition was false: its branch did not run');
$r = g($a->{key}, PUT => "/workflows/$w->{id}", json => { graph => { nodes => [ { id => 'a', type => 'agent', data => {} } ] } });
is($r->{status}, 200, 'put: a graph that will not validate');
served(PUT => '/workflows/{workflow_id}', $r);
ok(!exists $r->{json}{workflow}{graph}{edges}, '  its graph as given: no edges');
$r = $hub->request(GET => "/api/workflows/$w->{id}", headers => { Authorization => "Bearer $a->{key}" });
is_deeply([$r->{json}{nodes}[0]{id}, $r->{json}{edges}], ['a', undef], "Tool Hub's /api/workflows/:id: no edges, null");
served(GET => '/api/workflows/{id}', $r, 'toolhub');
$r = g($a->{key}, POST => "/workflows/$w->{id}/runs", json => {});
err_is($r, 400, 'INVALID_WORKFLOW', 'run of it');
like($r->{json}{error}{message}, qr/Agent node 'a' missing model/, '  naming the problem');

# ---- tenants and unknowns --------------------------------------------------------------
err_is(g($b->{key}, GET => "/projects/$project/workflows"), 404, 'NOT_FOUND', "another tenant's project");
err_is(g($b->{key}, POST => "/projects/$project/workflows", json => { name => 'x' }), 404, 'NOT_FOUND', '  create in it');
err_is(g($b->{key}, GET => "/workflows/$w->{id}"), 404, 'NOT_FOUND', "another tenant's workflow");
err_is(g($b->{key}, PUT => "/workflows/$w->{id}", json => { name => 'x' }), 404, 'NOT_FOUND', '  put');
err_is(g($b->{key}, POST => "/workflows/$w->{id}/runs", json => {}), 404, 'NOT_FOUND', '  run');
err_is(g($a->{key}, GET => '/workflows/nope'), 404, 'NOT_FOUND', 'a malformed id');
err_is(g($a->{key}, GET => '/projects/00000000-0000-0000-0000-000000000000/workflows'), 404, 'NOT_FOUND',
       'an unknown project');
is(q1("SELECT name FROM workflows WHERE id = '$w->{id}'"), 'Greeter 2', 'nothing changed by bravo');
ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing();
