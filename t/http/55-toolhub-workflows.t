# Tool Hub's workflows and executions (toolhub-api.md): CRUD, pagination,
# validation with messages naming the node, runs in mock mode through
# every node type, full mode against the reference MCP server
# (server-everything) and a local HTTP endpoint, the address policy of
# http nodes, error edges as fallbacks, stop/resume in each state, debug
# stepping, node logs, and tenants isolated (another tenant's workflow or
# execution is 404).  Every kind of answer is checked against the served
# OpenAPI document: the documented status, the schema, every member
# declared.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;
use HubGateway;
use HubSchema qw(validate undeclared);
use JSON::PP ();

HubMcp::require_peers();
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
my $hub = HubTest->new(conf => join "\n", "HubJwtKeyFile $jwtfile", 'HubOutboundAllow 127.0.0.0/8',
                       'HubProbeInterval 2', 'HubWorkflowPoll 100', 'HubWorkflowWorkers 2');
my $db = $hub->db;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $now = time;
sub token {
    my ($tenant, $sub) = @_;
    HubTest::jwt($jwtkey, { sub => $sub, email => "$sub\@toolhub.test", role => 'admin',
                            tenant => $tenant, exp => $now + 3600, iat => $now });
}
my $th = token('acme', 'th-a');
my $tb = token('bravo', 'th-b');
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $p, headers => { Authorization => "Bearer $k" }, @o) }
sub q1 { $hub->psql($db, $_[0]) }
sub err_is {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{json}{error}{code}, $code, "  ... $code") or diag(explain($r->{json}));
}
sub node { my ($id, $type, %data) = @_; { id => $id, type => $type, data => \%data, position => { x => 0, y => 0 } } }
sub edge { my ($s, $t, $h) = @_; { id => "$s-$t", source => $s, target => $t, defined $h ? (sourceHandle => $h) : () } }
sub create { my ($k, $name, $nodes, $edges) = @_;
             req($k, POST => '/api/workflows', json => { name => $name, nodes => $nodes, edges => $edges || [] }) }
my %FINAL = map { $_ => 1 } qw(completed failed stopped cancelled paused);
sub wait_status {
    my ($id, @want) = @_;
    my %w = map { $_ => 1 } @want ? @want : keys %FINAL;
    my $e;
    HubTest::eventually(30, sub { $e = req($th, GET => "/api/executions/$id")->{json}; $w{ $e->{status} // '' } });
    return $e;
}
sub run_wf {
    my ($wf, %body) = @_;
    my $r = req($th, POST => "/api/workflows/$wf/run", json => \%body);
    is($r->{status}, 200, "run ($body{mode}): 200") or diag(explain($r->{json}));
    return $r->{json}{execution_id};
}
# The answer of METHOD TEMPLATE held against the served document: its
# status the documented success, its body (decoded afresh: a number Perl
# has compared as a string would look like one) valid and all declared.
my $doc = $hub->get('/openapi.json')->{json};
sub served {
    my ($m, $tmpl, $r) = @_;
    my $op = $doc->{paths}{$tmpl}{lc $m};
    ok($op, "  $m $tmpl documented") or return;
    my ($st) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $st, "  $m $tmpl: the documented status");
    my $s = (($op->{responses}{$st}{content} || {})->{'application/json'} || {})->{schema};
    if ($st == 204) {
        ok(!$s && !length $r->{content}, "  $m $tmpl: no body, as documented");
        return;
    }
    ok($s, "  $m $tmpl: its answer documented") or return;
    my $v = JSON::PP->new->allow_nonref->decode($r->{content});
    my @e = validate($doc, $s, $v);
    ok(!@e, "  $m $tmpl: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($doc, $s, $v, '$')], [], "  $m $tmpl: every member declared");
}
sub logs_by_node { my $e = shift; return { map { ($_->{node_id} => $_) } @{ $e->{node_logs} } } }

# ==== CRUD ==================================================================
my $r = req($th, GET => '/api/workflows');
is_deeply([$r->{status}, $r->{json}], [200, { workflows => [], total => 0, limit => 100, offset => 0 }],
          'list: empty at first');
served(GET => '/api/workflows', $r);
$r = create($th, 'My Workflow', [node('node-1', 'template', template => 'hi {{input}}')]);
is($r->{status}, 201, 'create: 201');
served(POST => '/api/workflows', $r);
my $wf1 = $r->{json}{id};
like($wf1, qr/^[0-9a-f-]{36}$/, '  with an id');
is_deeply([sort keys %{ $r->{json} }], [qw(created_at description edges id name nodes updated_at)],
          '  the documented fields');
is($r->{json}{nodes}[0]{data}{template}, 'hi {{input}}', '  nodes as given');
is_deeply($r->{json}{edges}, [], '  edges as given');
$r = req($th, POST => '/api/workflows', json => { nodes => [] });
ok($r->{status} >= 400 && $r->{status} < 500, "create without a name: $r->{status}");
ok($r->{json}{error}{message}, '  with a message in the envelope');
$r = req($th, GET => "/api/workflows/$wf1");
is($r->{json}{name}, 'My Workflow', 'get');
served(GET => '/api/workflows/{id}', $r);
create($th, "W$_", [node('n', 'template', template => 'x')]) for 2 .. 3;
$r = req($th, GET => '/api/workflows?limit=2&offset=1');
is($r->{json}{total}, 3, 'list: total');
served(GET => '/api/workflows', $r);
is_deeply([map { $_->{name} } @{ $r->{json}{workflows} }], ['W2', 'W3'], '  limit and offset, oldest first');
is_deeply([@{ $r->{json} }{qw(limit offset)}], [2, 1], '  limit and offset answered');
ok(req($th, GET => '/api/workflows?limit=1001')->{status} >= 400, 'limit above 1000 refused');
$r = req($th, PUT => "/api/workflows/$wf1", json => { name => 'Renamed', description => 'd' });
is_deeply([@{ $r->{json} }{qw(name description)}], ['Renamed', 'd'], 'update: name and description');
served(PUT => '/api/workflows/{id}', $r);
is($r->{json}{nodes}[0]{id}, 'node-1', '  nodes kept when not given');
$r = req($th, PUT => "/api/workflows/$wf1", json => { nodes => [node('node-1', 'template', template => 'hello {{input}}')] });
is($r->{json}{nodes}[0]{data}{template}, 'hello {{input}}', '  nodes replaced');
err_is(req($th, GET => '/api/workflows/00000000-0000-0000-0000-000000000000'), 404, 'WORKFLOW_NOT_FOUND', 'unknown id');
err_is(req($th, GET => '/api/workflows/not-a-uuid'), 404, 'WORKFLOW_NOT_FOUND', 'malformed id');

# ==== tenants ================================================================
err_is(req($tb, GET => "/api/workflows/$wf1"), 404, 'WORKFLOW_NOT_FOUND', "another tenant's workflow");
err_is(req($tb, PUT => "/api/workflows/$wf1", json => { name => 'x' }), 404, 'WORKFLOW_NOT_FOUND', '  update');
err_is(req($tb, DELETE => "/api/workflows/$wf1"), 404, 'WORKFLOW_NOT_FOUND', '  delete');
err_is(req($tb, POST => "/api/workflows/$wf1/run", json => {}), 404, 'WORKFLOW_NOT_FOUND', '  run');
err_is(req($tb, POST => "/api/workflows/$wf1/validate"), 404, 'WORKFLOW_NOT_FOUND', '  validate');
is(req($tb, GET => '/api/workflows')->{json}{total}, 0, '  and not listed');
is(req($th, GET => '/api/workflows')->{status}, 200, 'a JWT is a way in');
is(req('nope', GET => '/api/workflows')->{status}, 401, 'a bad token is not');

# ==== validation =============================================================
my $bad = create($th, 'Bad', [node('node-1', 'agent', prompt => 'x'), node('t', 'mcp_tool', tool => 'echo'),
                              node('c', 'condition'), node('l', 'feedback_loop'), node('x', 'teleport'),
                              node('a', 'template', template => 'a'), node('b', 'template', template => 'b'),
                              node('a', 'template', template => 'dup')],
                 [edge('a', 'b'), edge('b', 'a'), edge('a', 'ghost')])->{json}{id};
$r = req($th, POST => "/api/workflows/$bad/validate");
is($r->{status}, 200, 'validate: 200');
served(POST => '/api/workflows/{id}/validate', $r);
is($r->{json}{valid}, JSON::PP::false, '  not valid');
my @msgs = map { $_->{message} } @{ $r->{json}{errors} };
for my $want ("Agent node 'node-1' missing model", "MCP tool node 't' missing server",
              "Condition node 'c' missing condition", "Feedback loop node 'l' needs maxIterations",
              "Node 'x' has unknown type 'teleport'", "Duplicate node id 'a'",
              "Edge 'a-ghost' has target 'ghost', which is not a node", 'Workflow contains a cycle') {
    ok((grep { index($_, $want) >= 0 } @msgs), "  says: $want") or diag(explain(\@msgs));
}
is((grep { $_->{message} =~ /node-1/ } @{ $r->{json}{errors} })[0]{node_id}, 'node-1', '  errors name their node');
err_is(req($th, POST => "/api/workflows/$bad/run", json => { mode => 'mock' }), 400, 'INVALID_WORKFLOW',
       'run of an invalid workflow');
like(req($th, POST => "/api/workflows/$bad/run", json => {})->{json}{error}{message}, qr/node-1/,
     '  naming its problems');
is(q1('SELECT count(*) FROM executions'), 0, '  and no execution made');
$r = req($th, POST => "/api/workflows/$wf1/validate");
is_deeply($r->{json}, { valid => JSON::PP::true, errors => [] }, 'a valid workflow');
served(POST => '/api/workflows/{id}/validate', $r);
ok(req($th, POST => "/api/workflows/$wf1/run", json => { mode => 'fast' })->{status} >= 400, 'an unknown mode: 4xx');

# ==== every node type in mock mode ============================================
my @all = (node('start', 'template', template => 'in={{input}}'),
           node('ag', 'agent', model => 'claude-3-5-sonnet', prompt => 'Summarise {{start.text}}'),
           node('tool', 'mcp_tool', server => 'nowhere', tool => 'echo', arguments => { message => '{{input}}' }),
           node('web', 'http', url => 'http://169.254.169.254/latest', method => 'GET'),
           node('kb', 'rag', query => '{{input}}'),
           node('par', 'parallel'),
           node('m1', 'multi_agent', model => 'gpt-4o', agents => [{ name => 'critic', prompt => 'critique' },
                                                                     { name => 'writer', model => 'gpt-4o-mini' }]),
           node('m2', 'template', template => 'second branch'),
           node('join', 'template', template => '{{m1.response}} + {{m2.text}}'),
           node('loop', 'feedback_loop', maxIterations => 3),
           node('body', 'template', template => 'pass'),
           node('cond', 'condition', condition => "input == 'go'"),
           node('yes', 'template', template => 'went'),
           node('no', 'template', template => 'stayed'));
my @alle = (edge('start', 'ag'), edge('ag', 'tool'), edge('tool', 'web'), edge('web', 'kb'), edge('kb', 'par'),
            edge('par', 'm1'), edge('par', 'm2'), edge('m1', 'join'), edge('m2', 'join'), edge('join', 'loop'),
            edge('loop', 'body'), edge('body', 'loop'), edge('loop', 'cond', 'exit'),
            edge('cond', 'yes', 'true'), edge('cond', 'no', 'false'));
my $every = create($th, 'Every node', \@all, \@alle)->{json}{id};
is(req($th, POST => "/api/workflows/$every/validate")->{json}{valid}, JSON::PP::true, 'every node type: valid');
$r = req($th, POST => "/api/workflows/$every/run", json => { input => 'go', mode => 'mock' });
is($r->{status}, 200, 'run: 200');
served(POST => '/api/workflows/{id}/run', $r);
is($r->{json}{status}, 'pending', '  pending');
is($r->{json}{execution_id}, $r->{json}{id}, '  execution_id and id are the one execution');
is($r->{json}{workflow_id}, $every, '  workflow_id');
my $ex = wait_status($r->{json}{id});
is($ex->{status}, 'completed', 'mock: completed') or diag(explain($ex));
is($ex->{mode}, 'mock', '  mode');
served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$ex->{id}"));
my $L = logs_by_node($ex);
is($L->{start}{output}{text}, 'in=go', '  template renders {{input}}');
like($L->{ag}{output}{response}, qr/^\[mock claude-3-5-sonnet\] Summarise in=go$/, '  agent: deterministic mock answer');
is($L->{tool}{output}{mock}, JSON::PP::true, '  mcp_tool: mock, no call');
is($L->{tool}{output}{arguments}{message}, 'go', '  with its arguments rendered');
is($L->{web}{output}{url}, 'http://169.254.169.254/latest', '  http: mock, no request');
is_deeply($L->{kb}{output}{documents}, [], '  rag: mock, no documents');
is(scalar @{ $L->{m1}{output}{responses} }, 2, '  multi_agent: one answer per agent');
like($L->{m1}{output}{responses}[1]{response}, qr/^\[mock gpt-4o-mini\]/, '  each with its own model');
like($L->{join}{output}{text}, qr/\+ second branch$/, '  parallel branches joined');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$ex->{id}' AND node_id = 'body'"), 3,
   '  feedback_loop: its body ran maxIterations times');
is(q1("SELECT string_agg(iteration::text, ',' ORDER BY iteration) FROM execution_nodes"
      . " WHERE execution_id = '$ex->{id}' AND node_id = 'body'"), '0,1,2', '  one log per iteration');
is($L->{yes}{output}{text}, 'went', '  condition: the true branch ran');
ok(!$L->{no}, '  and the false branch did not');
is_deeply($ex->{output}, { text => 'went' }, '  the output is the last node\'s');
is(scalar(grep { $_->{status} eq 'completed' } @{ $ex->{node_logs} }), scalar @{ $ex->{node_logs} },
   '  every node log completed');
my $log = $L->{ag};
is_deeply([sort keys %$log], [sort qw(node_id status input output error started_at completed_at duration_ms
                                      retry_count iteration)], '  node logs carry the documented fields');
ok(defined $log->{duration_ms} && $log->{retry_count} == 0, '  duration_ms and retry_count');
is_deeply($log->{input}, { text => 'in=go' }, "  a node's input is its source's output");
ok($ex->{started_at} && $ex->{completed_at} && defined $ex->{duration_ms}, '  started_at, completed_at, duration_ms');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$ex->{id}' AND status <> 'completed'"), 0,
   '  no node left running');
$r = req($th, GET => "/api/executions/$ex->{id}/logs?node_id=body");
is_deeply([map { $_->{node_id} } @{ $r->{json} }], [qw(body body body)], 'logs?node_id= filters');
served(GET => '/api/executions/{id}/logs', $r);
served(GET => '/api/executions/{id}/logs', req($th, GET => "/api/executions/$ex->{id}/logs"));
is(scalar @{ req($th, GET => "/api/executions/$ex->{id}/logs")->{json} }, scalar @{ $ex->{node_logs} },
   'logs: every node run');
my @events = split /\n/, q1("SELECT type FROM run_events WHERE run_id = '$ex->{id}' ORDER BY seq");
is($events[0], 'execution.started', 'events: execution.started first');
is($events[-1], 'execution.completed', '  execution.completed last');
is(scalar(grep { $_ eq 'node.started' } @events), scalar(grep { $_ eq 'node.completed' } @events),
   '  node.started and node.completed in pairs');
is(q1("SELECT count(DISTINCT seq) = count(*) FROM run_events WHERE run_id = '$ex->{id}'"), 't', '  seqs distinct');

# the condition's other branch, the same workflow
my $ex2 = wait_status(run_wf($every, input => 'wait', mode => 'mock'));
$L = logs_by_node($ex2);
ok($L->{no} && !$L->{yes}, 'condition: the false branch when the expression is false');

# ==== full mode ===============================================================
my $up = HubMcp::everything();
my $sid = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
my $slug = q1("SELECT slug FROM servers WHERE id = '$sid'");
my $web = HubMcp::canned(sub { HubMcp::http(200, 'application/json', '{"answer": 42, "path": "' . $_[0]{path} . '"}') });
my $full = create($th, 'Full', [
    node('echo', 'mcp_tool', server => $sid, tool => 'echo', arguments => { message => 'hi {{input}}' }),
    node('sum', 'mcp_tool', server => $slug, tool => 'get-sum', arguments => { a => 2, b => 40 }),
    node('fetch', 'http', url => "http://127.0.0.1:$web->{port}/q?x={{input}}"),
    node('ok', 'condition', condition => "fetch.body.answer == 42 && echo.text contains 'hi there'"),
    node('say', 'template', template => '{{echo.text}} / {{sum.text}} / {{fetch.body.path}}'),
    node('nope', 'template', template => 'no')],
    [edge('echo', 'sum'), edge('sum', 'fetch'), edge('fetch', 'ok'), edge('ok', 'say', 'true'), edge('ok', 'nope', 'false')])->{json}{id};
$ex = wait_status(run_wf($full, input => 'there', mode => 'full'));
is($ex->{status}, 'completed', 'full: completed') or diag(explain($ex));
served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$ex->{id}"));
$L = logs_by_node($ex);
is($L->{echo}{output}{content}[0]{text}, 'Echo: hi there', '  mcp_tool: a real tools/call (by server id)');
like($L->{sum}{output}{text}, qr/42/, '  by server slug');
is($L->{fetch}{output}{status}, 200, '  http: a real request');
is($L->{fetch}{output}{body}{path}, '/q?x=there', '  its URL rendered, its JSON answer parsed');
is($L->{say}{output}{text}, 'Echo: hi there / ' . $L->{sum}{output}{text} . ' / /q?x=there',
   '  template over real outputs; condition took the true branch');
ok(!$L->{nope}, '  not the false one');

# failures: the address policy, an unknown server, a tool error, an agent
# without providers; an error edge as the fallback; retries
my $fail = create($th, 'Fails', [
    node('meta', 'http', url => 'http://169.254.169.254/latest/meta-data', retries => 1, retryDelay => 10),
    node('fallback', 'template', template => 'fell back: {{nodes.meta.error}}'),
    node('after', 'template', template => 'not reached')],
    [edge('meta', 'after'), edge('meta', 'fallback', 'error')])->{json}{id};
$ex = wait_status(run_wf($fail, mode => 'full'));
is($ex->{status}, 'completed', 'an error edge: the execution goes on') or diag(explain($ex));
$L = logs_by_node($ex);
is($L->{meta}{status}, 'failed', '  the http node failed');
served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$ex->{id}"));
like($L->{meta}{error}, qr/internal|not allowed/, '  refused by the address policy (HubOutboundAllow)');
is($L->{meta}{retry_count}, 1, '  after its retry');
like($L->{fallback}{output}{text}, qr/^fell back: .*not allowed/, '  the fallback ran with the error');
ok(!$L->{after}, '  the normal edge was not taken');
for my $case (['unknown server', node('t', 'mcp_tool', server => 'nowhere', tool => 'echo'), qr/no MCP server 'nowhere'/],
              ['tool error', node('t', 'mcp_tool', server => $sid, tool => 'no-such-tool'), qr/no-such-tool/],
              ['agent without a provider', node('t', 'agent', model => 'gpt-4o', prompt => 'x'), qr/no provider named/],
              ['rag', node('t', 'rag'), qr/not supported/]) {
    my ($what, $n, $re) = @$case;
    my $w = create($th, $what, [$n])->{json}{id};
    $ex = wait_status(run_wf($w, mode => 'full'));
    is($ex->{status}, 'failed', "$what: the execution failed");
    like($ex->{error}, qr/Node 't' failed: .*$re/, '  saying why') or diag($ex->{error});
    like($ex->{node_logs}[0]{error}, $re, '  and the node log too');
    served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$ex->{id}"));
}
my $other = create($tb, 'Bravo calls acme', [node('t', 'mcp_tool', server => $sid, tool => 'echo')])->{json}{id};
my $bx = req($tb, POST => "/api/workflows/$other/run", json => { mode => 'full' })->{json}{id};
HubTest::eventually(20, sub { q1("SELECT status FROM executions WHERE id = '$bx'") eq 'failed' });
like(q1("SELECT error FROM executions WHERE id = '$bx'"), qr/no MCP server/, "another tenant's server is not reachable");

# ==== stop and resume ==========================================================
# a slow endpoint keeps a node running
my $slow = HubMcp::canned(sub { sleep 3; HubMcp::http(200, 'text/plain', 'slow') });
my $sw = create($th, 'Slow', [node('s1', 'http', url => "http://127.0.0.1:$slow->{port}/1"),
                              node('s2', 'template', template => 'after {{s1.body}}')],
                [edge('s1', 's2')])->{json}{id};
my $sx = run_wf($sw, mode => 'full');
ok(HubTest::eventually(20, sub { q1("SELECT status FROM execution_nodes WHERE execution_id = '$sx'") eq 'running' }),
   'a slow node is running');
$r = req($th, POST => "/api/executions/$sx/stop");
is($r->{status}, 200, 'stop a running execution: 200');
served(POST => '/api/executions/{id}/stop', $r);
is($r->{json}{status}, 'running', '  running until its worker stops it');
is($r->{json}{message}, 'Execution stopped', '  the documented message');
$ex = wait_status($sx, 'stopped');
is($ex->{status}, 'stopped', '  it stops');
served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$sx"));
is(logs_by_node($ex)->{s1}{status}, 'cancelled', '  the node in flight is cancelled');
err_is(req($th, POST => "/api/executions/$sx/stop"), 400, 'INVALID_STATE', 'stop a stopped execution');
$r = req($th, POST => "/api/executions/$sx/resume");
is_deeply([$r->{status}, $r->{json}{message}], [200, 'Execution resumed'], 'resume a stopped one: 200');
served(POST => '/api/executions/{id}/resume', $r);
$ex = wait_status($sx, 'completed', 'failed');
is($ex->{status}, 'completed', '  it runs to the end');
is(logs_by_node($ex)->{s2}{output}{text}, 'after slow', '  from the node it had not finished');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$sx'"), 2, '  one log per node');
err_is(req($th, POST => "/api/executions/$sx/stop"), 400, 'INVALID_STATE', 'stop a completed execution');
# a cancel (what G4F's runs API asks for: requested = 'cancel') ends it
my $cx = run_wf($sw, mode => 'full');
ok(HubTest::eventually(20, sub { q1("SELECT status FROM execution_nodes WHERE execution_id = '$cx'") eq 'running' }),
   'cancel: a slow node is running');
q1("UPDATE executions SET requested = 'cancel' WHERE id = '$cx'");
$ex = wait_status($cx, 'cancelled');
is($ex->{status}, 'cancelled', '  requested = cancel: cancelled');
is(logs_by_node($ex)->{s1}{status}, 'cancelled', '  the node in flight aborted');
ok(!logs_by_node($ex)->{s2}, '  nothing after it ran');
err_is(req($th, POST => "/api/executions/$cx/resume"), 400, 'INVALID_STATE', '  cancelled is final: no resume');
err_is(req($th, POST => "/api/executions/$sx/resume"), 400, 'INVALID_STATE', 'resume a completed execution');
err_is(req($tb, POST => "/api/executions/$sx/stop"), 404, 'EXECUTION_NOT_FOUND', "stop another tenant's execution");
err_is(req($tb, POST => "/api/executions/$sx/resume"), 404, 'EXECUTION_NOT_FOUND', '  resume');
err_is(req($tb, GET => "/api/executions/$sx"), 404, 'EXECUTION_NOT_FOUND', '  get');
err_is(req($tb, GET => "/api/executions/$sx/logs"), 404, 'EXECUTION_NOT_FOUND', '  logs');
is(req($tb, GET => '/api/executions')->{json}{total}, 1, '  and not listed (bravo has its own one)');
err_is(req($th, GET => '/api/executions/not-a-uuid'), 404, 'EXECUTION_NOT_FOUND', 'a malformed id');

# ==== debug stepping ==============================================================
my $dw = create($th, 'Debug', [node('d1', 'template', template => 'one'), node('d2', 'template', template => 'two {{d1.text}}')],
                [edge('d1', 'd2')])->{json}{id};
my $dx = run_wf($dw, mode => 'debug');
$ex = wait_status($dx, 'paused');
is($ex->{status}, 'paused', 'debug: paused before the first node');
served(GET => '/api/executions/{id}', req($th, GET => "/api/executions/$dx"));
is(scalar @{ $ex->{node_logs} }, 0, '  nothing ran');
is(q1("SELECT context->>'debug_waiting' FROM executions WHERE id = '$dx'"), 'd1', '  waiting before d1');
is(req($th, POST => "/api/executions/$dx/resume")->{status}, 200, '  resume');
ok(HubTest::eventually(20, sub { q1("SELECT context->>'debug_waiting' FROM executions WHERE id = '$dx' AND status = 'paused'") eq 'd2' }),
   '  one node ran, paused before d2');
$ex = req($th, GET => "/api/executions/$dx")->{json};
is_deeply([map { $_->{node_id} } @{ $ex->{node_logs} }], ['d1'], '  d1 alone ran');
# a paused execution stops at once, and resumes
$r = req($th, POST => "/api/executions/$dx/stop");
is($r->{json}{status}, 'stopped', 'stop a paused execution: stopped at once');
served(POST => '/api/executions/{id}/stop', $r);
is(req($th, POST => "/api/executions/$dx/resume")->{status}, 200, '  resume it');
ok(HubTest::eventually(20, sub { q1("SELECT status FROM executions WHERE id = '$dx'") =~ /paused|completed/ }),
   '  it goes on (paused again before d2, as debug mode does)');
req($th, POST => "/api/executions/$dx/resume") if q1("SELECT status FROM executions WHERE id = '$dx'") eq 'paused';
$ex = wait_status($dx, 'completed');
is($ex->{status}, 'completed', '  and completes');
is_deeply($ex->{output}, { text => 'two one' }, '  with every node once');
is(q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$dx'"), 2, '  one node log each');

# a pending execution stops at once (no worker: a second host without any)
# ==== executions list ===========================================================
$r = req($th, GET => "/api/executions?workflow_id=$every&limit=1");
is($r->{json}{total}, 2, 'list executions: by workflow_id');
served(GET => '/api/executions', $r);
is(scalar @{ $r->{json}{executions} }, 1, '  limit');
is_deeply([sort keys %{ $r->{json}{executions}[0] }],
          [sort qw(id workflow_id status mode trigger_type created_at started_at completed_at duration_ms)],
          '  the documented fields');
is($r->{json}{executions}[0]{trigger_type}, 'manual', '  trigger_type manual');
$r = req($th, GET => '/api/executions?status=failed');
ok($r->{json}{total} >= 4 && !(grep { $_->{status} ne 'failed' } @{ $r->{json}{executions} }), '  by status');
served(GET => '/api/executions', req($th, GET => '/api/executions'));
is(req($th, GET => '/api/executions?workflow_id=nope')->{json}{total}, 0, '  an unknown workflow_id: none');
$r = req($th, DELETE => "/api/workflows/$wf1");
is($r->{status}, 204, 'delete: 204');
served(DELETE => '/api/workflows/{id}', $r);
err_is(req($th, GET => "/api/workflows/$wf1"), 404, 'WORKFLOW_NOT_FOUND', '  then gone');
err_is(req($th, DELETE => "/api/workflows/$wf1"), 404, 'WORKFLOW_NOT_FOUND', '  deleting again');

ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing();
