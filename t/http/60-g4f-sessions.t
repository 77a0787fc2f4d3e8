# G4F's sessions, messages, runs and run events (mod_hub_workflows):
# create, read, change and list sessions of a project with their filters
# and pages; messages in order with time bounds; a run of an agent is a
# pending execution with a one-node graph and a run.created event; cancel
# in each state; events paged by seq.  Another tenant sees none of it.
# Every answer holds to the served OpenAPI document: it validates and
# declares each member it has, at the status the document gives.
# No engine runs here (HubWorkflowWorkers 0; t/http/65 runs them): where
# a run must be running or finished, the test sets its status in the
# database, as a worker would.
use strict;
use warnings;
use Test::More;
use HubSchema qw(validate undeclared);
use HubTest;

my $hub = HubTest->new(conf => 'HubWorkflowWorkers 0');
my $alpha = $hub->team('alpha');
my $beta = $hub->team('beta');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
my $G = '/g4f/api/v1';
sub patch { $hub->request('PATCH', $_[0], @_[1 .. $#_]) }

# An answer against the served document: its status is the one success
# status documented, it validates and declares every member.  Called
# before the test reads the answer (Perl's use of a number as a string
# would make it look like one).
my $doc = $hub->get("$G/openapi.json")->{json};
sub served {
    my ($method, $tmpl, $r) = @_;
    my $op = $doc->{paths}{$tmpl}{$method} || {};
    is_deeply([ grep { /^2/ } keys %{ $op->{responses} || {} } ], [ $r->{status} ],
              "  \U$method\E $tmpl: documented as its $r->{status}");
    my $s = (($op->{responses}{ $r->{status} }{content} || {})->{'application/json'} || {})->{schema};
    ok($s, '  ... with a JSON schema') or return;
    my @e = validate($doc, $s, $r->{json});
    ok(!@e, '  ... the answer validates') or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([ undeclared($doc, $s, $r->{json}, '$') ], [], '  ... every member declared');
}

my $pa = $hub->post("$G/projects", auth($alpha->{key}), json => { name => 'alpha-p' })->{json}{project}{id};
my $pa2 = $hub->post("$G/projects", auth($alpha->{key}), json => { name => 'alpha-q' })->{json}{project}{id};
my $pb = $hub->post("$G/projects", auth($beta->{key}), json => { name => 'beta-p' })->{json}{project}{id};
ok($pa && $pa2 && $pb, 'projects in each tenant');

# ---- sessions ---------------------------------------------------------------

my $r = $hub->post("$G/projects/$pa/sessions", auth($alpha->{key}),
                   json => { title => 'Planning', provider_id => 'openai', model_id => 'gpt-x',
                             config => { temperature => 0.2 }, memory => { facts => [1] },
                             tags => [ 'a', 'b' ] });
is($r->{status}, 200, 'a session is created') or diag($r->{content});
served(post => '/projects/{project_id}/sessions', $r);
my $s = $r->{json}{session};
is_deeply([ @$s{qw(project_id title status provider_id model_id)} ],
          [ $pa, 'Planning', 'active', 'openai', 'gpt-x' ], 'with what was given, active by default');
is_deeply([ $s->{config}, $s->{memory}, $s->{tags} ],
          [ { temperature => 0.2 }, { facts => [1] }, [ 'a', 'b' ] ], 'config, memory and tags as JSON');
ok($s->{id} && $s->{created_at} && $s->{updated_at}, 'an id and times');
my $sid = $s->{id};

$r = $hub->post("$G/projects/$pa/sessions", auth($alpha->{key}), json => { title => 'Bare' });
served(post => '/projects/{project_id}/sessions', $r);
is_deeply([ @{ $r->{json}{session} }{qw(provider_id model_id config memory tags)} ],
          [ undef, undef, {}, {}, [] ], 'absent fields have their defaults');
my $bare = $r->{json}{session}{id};

for my $bad ([ {}, 'no title' ], [ { title => '' }, 'an empty title' ],
             [ { title => 'x', tags => [ 1 ] }, 'a tag that is no string' ],
             [ { title => 'x', tags => [ ('t') x 51 ] }, 'too many tags' ],
             [ { title => 'x', config => [] }, 'config not an object' ],
             [ { title => 'x', memory => undef }, 'memory null' ]) {
    $r = $hub->post("$G/projects/$pa/sessions", auth($alpha->{key}), json => $bad->[0]);
    is($r->{status}, 400, "refused: $bad->[1]");
    ok($r->{json}{error}{code} && $r->{json}{error}{request_id}, '... in G4F\'s envelope');
}
is($hub->post("$G/projects/$pb/sessions", auth($alpha->{key}), json => { title => 'x' })->{status}, 404,
   'a session in another tenant\'s project is refused as not found');
is($hub->post("$G/projects/nope/sessions", auth($alpha->{key}), json => { title => 'x' })->{status}, 404,
   'a malformed project id is not found');

$r = $hub->get("$G/sessions/$sid", auth($alpha->{key}));
served(get => '/sessions/{session_id}', $r);
is($r->{json}{session}{title}, 'Planning', 'GET a session');
is($hub->get("$G/sessions/$sid", auth($beta->{key}))->{status}, 404, 'another tenant cannot read it');

$r = patch("$G/sessions/$sid", auth($alpha->{key}), json => { status => 'archived', model_id => undef, tags => [ 'c' ] });
served(patch => '/sessions/{session_id}', $r);
is_deeply($r->{json}, { ok => JSON::PP::true }, 'PATCH answers ok');
$r = $hub->get("$G/sessions/$sid", auth($alpha->{key}));
is_deeply([ @{ $r->{json}{session} }{qw(title status provider_id model_id tags)} ],
          [ 'Planning', 'archived', 'openai', undef, [ 'c' ] ],
          'only what was given changed; null cleared model_id');
is(patch("$G/sessions/$sid", auth($alpha->{key}), json => {})->{status}, 400, 'PATCH needs a field');
is(patch("$G/sessions/$sid", auth($beta->{key}), json => { title => 'mine' })->{status}, 404,
   'another tenant cannot change it');
is($hub->get("$G/sessions/$sid", auth($alpha->{key}))->{json}{session}{title}, 'Planning', '... and did not');

# listing: most recently active first, filters, pages
for my $i (1 .. 5) {
    $hub->post("$G/projects/$pa/sessions", auth($alpha->{key}), json => { title => "Chat $i", status => 'active' });
}
$hub->post("$G/projects/$pa2/sessions", auth($alpha->{key}), json => { title => 'Elsewhere' });
$hub->post("$G/projects/$pb/sessions", auth($beta->{key}), json => { title => 'Chat beta' });
$r = $hub->get("$G/projects/$pa/sessions", auth($alpha->{key}));
served(get => '/projects/{project_id}/sessions', $r);
is(scalar @{ $r->{json}{items} }, 7, 'the project\'s sessions, not another project\'s');
is($r->{json}{items}[0]{title}, 'Chat 5', 'most recently active first');
is($r->{json}{next_cursor}, undef, 'one page');
$r = $hub->get("$G/projects/$pa/sessions?q=CHAT&limit=2", auth($alpha->{key}));
served(get => '/projects/{project_id}/sessions', $r);
is_deeply([ map { $_->{title} } @{ $r->{json}{items} } ], [ 'Chat 5', 'Chat 4' ], 'q in the title, any case; limit');
my @titles = map { $_->{title} } @{ $r->{json}{items} };
while (defined(my $c = $r->{json}{next_cursor})) {
    $r = $hub->get("$G/projects/$pa/sessions?q=chat&limit=2&cursor=$c", auth($alpha->{key}));
    push @titles, map { $_->{title} } @{ $r->{json}{items} };
}
is_deeply(\@titles, [ map { "Chat $_" } reverse 1 .. 5 ], 'the pages hold each session once');
$r = $hub->get("$G/projects/$pa/sessions?status=archived", auth($alpha->{key}));
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [ $sid ], 'status filter');
is(scalar @{ $hub->get("$G/projects/$pa/sessions?q=%25", auth($alpha->{key}))->{json}{items} }, 0,
   'LIKE wildcards are taken literally');
is($hub->get("$G/projects/$pb/sessions", auth($alpha->{key}))->{status}, 404, 'another tenant\'s project: not found');
is($hub->get("$G/projects/$pa/sessions?limit=0", auth($alpha->{key}))->{status}, 400, 'limit out of range');

# ---- messages ----------------------------------------------------------------

my @mids;
for my $m ([ 'user', 'hello' ], [ 'assistant', 'hi there' ], [ 'user', 'plan my day' ]) {
    $r = $hub->post("$G/sessions/$bare/messages", auth($alpha->{key}),
                    json => { role => $m->[0], content => [ { type => 'text', text => $m->[1] } ],
                              meta => { client => 't' } });
    is($r->{status}, 200, "message '$m->[1]' posted");
    served(post => '/sessions/{session_id}/messages', $r);
    push @mids, $r->{json}{message_id};
}
ok(!grep({ !$_ } @mids), 'each has a message_id');
$r = $hub->get("$G/sessions/$bare/messages", auth($alpha->{key}));
served(get => '/sessions/{session_id}/messages', $r);
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], \@mids, 'messages in the conversation\'s order');
my $m0 = $r->{json}{items}[0];
is_deeply([ @$m0{qw(session_id role content meta)} ],
          [ $bare, 'user', [ { type => 'text', text => 'hello' } ], { client => 't' } ], 'a message\'s fields');
ok($m0->{ts}, 'and its time');
$r = $hub->get("$G/sessions/$bare/messages?limit=2", auth($alpha->{key}));
served(get => '/sessions/{session_id}/messages', $r);
is(scalar @{ $r->{json}{items} }, 2, 'limit');
$r = $hub->get("$G/sessions/$bare/messages?limit=2&cursor=$r->{json}{next_cursor}", auth($alpha->{key}));
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [ $mids[2] ], 'the next page');

# time bounds: the messages get times a second apart
q1("UPDATE chat_messages SET ts = ('2026-01-01T00:00:0' || n || 'Z')::timestamptz FROM (SELECT id, row_number() OVER (ORDER BY ts, id) AS n FROM chat_messages WHERE session_id = '$bare') o WHERE chat_messages.id = o.id");
$r = $hub->get("$G/sessions/$bare/messages?after_ts=2026-01-01T00:00:01Z", auth($alpha->{key}));
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [ @mids[1, 2] ], 'after_ts is exclusive');
$r = $hub->get("$G/sessions/$bare/messages?after_ts=2026-01-01T00:00:01Z&before_ts=2026-01-01T00:00:03Z", auth($alpha->{key}));
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [ $mids[1] ], 'before_ts too');
is($hub->get("$G/sessions/$bare/messages?after_ts=yesterday", auth($alpha->{key}))->{status}, 400, 'a bad time');

for my $bad ([ { role => 'robot', content => [ 'x' ] }, 'an unknown role' ],
             [ { role => 'user' }, 'no content' ], [ { role => 'user', content => [] }, 'empty content' ],
             [ { role => 'user', content => [ 1 ] }, 'a part that is a number' ],
             [ { role => 'user', content => 'hi' }, 'content not an array' ]) {
    is($hub->post("$G/sessions/$bare/messages", auth($alpha->{key}), json => $bad->[0])->{status}, 400,
       "message refused: $bad->[1]");
}
is($hub->post("$G/sessions/$bare/messages", auth($beta->{key}), json => { role => 'user', content => [ 'x' ] })->{status},
   404, 'another tenant cannot post into the session');
is($hub->get("$G/sessions/$bare/messages", auth($beta->{key}))->{status}, 404, 'nor read its messages');
is(q1("SELECT count(*) FROM chat_messages WHERE session_id = '$bare'"), 3, 'nothing was written by refused posts');

# ---- runs ----------------------------------------------------------------------

$r = $hub->post("$G/sessions/$sid/runs", auth($alpha->{key}),
                json => { mode => 'mock', agent => { model => 'gpt-4o', prompt => 'Be brief', tools => [ 'weather/get' ] },
                          input => { message => 'hi' } });
is($r->{status}, 200, 'a run is created') or diag($r->{content});
served(post => '/sessions/{session_id}/runs', $r);
my $run = $r->{json}{run_id};
ok($run, 'its run_id');
my $row = q1("SELECT kind || '|' || status || '|' || mode || '|' || session_id || '|' || project_id || '|' || input::text FROM executions WHERE id = '$run'");
is($row, "agent|pending|mock|$sid|$pa|{\"message\": \"hi\"}", 'a pending agent execution of the session, with its input');
my $graph = JSON::PP->new->decode(q1("SELECT graph::text FROM executions WHERE id = '$run'"));
is_deeply($graph, { nodes => [ { id => 'agent', type => 'agent',
                                 data => { model => 'gpt-4o', prompt => 'Be brief', tools => [ 'weather/get' ],
                                           provider => 'openai' } } ], edges => [] },
          'one agent node: the agent\'s, the provider from the session');

$r = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'full', agent => {}, input => {} });
is($r->{status}, 400, 'a run without a model anywhere is refused');
patch("$G/sessions/$bare", auth($alpha->{key}), json => { model_id => 'gpt-y' });
$r = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'live', agent => {}, input => {} });
my $run2 = $r->{json}{run_id};
ok($run2, 'the session\'s model_id fills in');
is(q1("SELECT mode || '|' || (graph #>> '{nodes,0,data,model}') FROM executions WHERE id = '$run2'"), 'full|gpt-y',
   'mode live is full; the model is the session\'s');
$r = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'step', agent => { model => 'm' }, input => {} });
my $run3 = $r->{json}{run_id};
is(q1("SELECT mode || '|' || (graph #>> '{nodes,0,data,model}') FROM executions WHERE id = '$run3'"), 'debug|m',
   'mode step is debug; the agent\'s model wins');
for my $bad ([ { agent => {}, input => {} }, 'no mode' ], [ { mode => 'turbo', agent => { model => 'm' }, input => {} }, 'an unknown mode' ],
             [ { mode => 'mock', input => {} }, 'no agent' ], [ { mode => 'mock', agent => { model => 'm' } }, 'no input' ],
             [ { mode => 'mock', agent => 'm', input => {} }, 'agent not an object' ]) {
    is($hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => $bad->[0])->{status}, 400, "run refused: $bad->[1]");
}
is($hub->post("$G/sessions/$bare/runs", auth($beta->{key}), json => { mode => 'mock', agent => { model => 'm' }, input => {} })->{status},
   404, 'another tenant cannot run in the session');

$r = $hub->get("$G/runs/$run2", auth($alpha->{key}));
is($r->{status}, 200, 'GET a run');
served(get => '/runs/{run_id}', $r);
is_deeply([ @{ $r->{json}{run} }{qw(id session_id status progress started_at ended_at result usage)} ],
          [ $run2, $bare, 'pending', 0, undef, undef, undef, {} ], 'a pending run');
is($hub->get("$G/runs/$run2", auth($beta->{key}))->{status}, 404, 'another tenant cannot read it');
is($hub->get("$G/runs/nope", auth($alpha->{key}))->{status}, 404, 'a malformed run id is not found');

# as a worker would: running, then completed
q1("UPDATE executions SET status = 'completed', progress = 1, started_at = now() - interval '2 seconds', completed_at = now(), output = '{\"text\": \"done\"}', usage = '{\"input_tokens\": 3}' WHERE id = '$run3'");
$r = $hub->get("$G/runs/$run3", auth($alpha->{key}));
served(get => '/runs/{run_id}', $r);
is_deeply([ @{ $r->{json}{run} }{qw(status progress result usage)} ], [ 'completed', 1, { text => 'done' }, { input_tokens => 3 } ],
          'a finished run: its result and usage');
ok($r->{json}{run}{started_at} && $r->{json}{run}{ended_at}, 'and its times');

# ---- cancel in each state ----------------------------------------------------

$r = $hub->post("$G/runs/$run2/cancel", auth($alpha->{key}));
served(post => '/runs/{run_id}/cancel', $r);
is_deeply($r->{json}, { ok => JSON::PP::true }, 'a pending run is cancelled');
is(q1("SELECT status || '|' || requested || '|' || (completed_at IS NOT NULL) FROM executions WHERE id = '$run2'"),
   'cancelled|cancel|true', '... at once');
$r = $hub->post("$G/runs/$run2/cancel", auth($alpha->{key}));
is($r->{status}, 409, 'cancelling it again is a conflict');
like($r->{json}{error}{message}, qr/already cancelled/, '... that says why');
is($hub->post("$G/runs/$run3/cancel", auth($alpha->{key}))->{status}, 409, 'so is cancelling a completed run');
is(q1("SELECT status FROM executions WHERE id = '$run3'"), 'completed', '... which stays completed');

q1("UPDATE executions SET status = 'running', started_at = now() WHERE id = '$run'");
is($hub->post("$G/runs/$run/cancel", auth($alpha->{key}))->{status}, 200, 'a running run: cancel is accepted');
is(q1("SELECT status || '|' || requested FROM executions WHERE id = '$run'"), 'running|cancel',
   '... as a request its worker carries out');
my $paused = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'debug', agent => { model => 'm' }, input => {} })->{json}{run_id};
q1("UPDATE executions SET status = 'paused' WHERE id = '$paused'");
is($hub->post("$G/runs/$paused/cancel", auth($alpha->{key}))->{status}, 200, 'a paused run is cancelled');
is(q1("SELECT status FROM executions WHERE id = '$paused'"), 'cancelled', '... at once: no worker holds it');
my $failed = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'mock', agent => { model => 'm' }, input => {} })->{json}{run_id};
q1("UPDATE executions SET status = 'failed' WHERE id = '$failed'");
like($hub->post("$G/runs/$failed/cancel", auth($alpha->{key}))->{json}{error}{message}, qr/already failed/,
     'a failed run cannot be cancelled');
my $other = $hub->post("$G/sessions/$bare/runs", auth($alpha->{key}), json => { mode => 'mock', agent => { model => 'm' }, input => {} })->{json}{run_id};
is($hub->post("$G/runs/$other/cancel", auth($beta->{key}))->{status}, 404, 'another tenant cannot cancel a run');
is(q1("SELECT status FROM executions WHERE id = '$other'"), 'pending', '... it is still pending');

# ---- events ------------------------------------------------------------------

$r = $hub->get("$G/runs/$run2/events", auth($alpha->{key}));
served(get => '/runs/{run_id}/events', $r);
is_deeply([ map { $_->{type} } @{ $r->{json}{items} } ], [ 'run.created', 'run.cancelled' ],
          'a run\'s events: created, cancelled');
my $e0 = $r->{json}{items}[0];
is_deeply([ @$e0{qw(run_id session_id type)} ], [ $run2, $bare, 'run.created' ], 'an event\'s fields');
is_deeply($e0->{data}, { run_id => $run2, status => 'pending', mode => 'full' }, 'run.created says what was created');
ok($e0->{seq} > 0 && $e0->{ts}, 'a seq and a time');
is($r->{json}{next_cursor}, undef, 'one page');
is_deeply([ map { $_->{type} } @{ $hub->get("$G/runs/$run/events", auth($alpha->{key}))->{json}{items} } ],
          [ 'run.created', 'run.cancel_requested' ], 'a running run\'s cancel is an event too');

my $tenant = q1("SELECT id FROM tenants WHERE slug = 'alpha'");
q1("SELECT hub_run_event_append('$tenant', '$other', 'node.output', jsonb_build_object('i', i)) FROM generate_series(1, 7) i");
my (@seen, $cursor);
$r = $hub->get("$G/runs/$other/events?limit=3", auth($alpha->{key}));
served(get => '/runs/{run_id}/events', $r);
while (1) {
    push @seen, @{ $r->{json}{items} };
    last unless defined($cursor = $r->{json}{next_cursor});
    $r = $hub->get("$G/runs/$other/events?limit=3&cursor=$cursor", auth($alpha->{key}));
}
is(scalar @seen, 8, 'pages of 3 hold every event once');
is_deeply([ map { $_->{data}{i} } @seen[1 .. 7] ], [ 1 .. 7 ], 'in order');
my @seqs = map { $_->{seq} } @seen;
is_deeply(\@seqs, [ sort { $a <=> $b } @seqs ], 'seqs grow');
is(scalar @{ $hub->get("$G/runs/$other/events?cursor=$seqs[-1]", auth($alpha->{key}))->{json}{items} }, 0,
   'nothing after the last');
is($hub->get("$G/runs/$other/events", auth($beta->{key}))->{status}, 404, 'another tenant cannot read the events');
is($hub->get("$G/runs/$other/events?limit=500", auth($alpha->{key}))->{status}, 400, 'limit out of range');

# any execution of the tenant is a run: one outside a session (a G4F
# workflow's) has no session_id, nor have its events
my $wrun = q1("INSERT INTO executions (tenant_id, graph) VALUES ('$tenant', '{\"nodes\":[],\"edges\":[]}') RETURNING id");
q1("SELECT hub_run_event_append('$tenant', '$wrun', 'run.created', '{}')");
$r = $hub->get("$G/runs/$wrun", auth($alpha->{key}));
served(get => '/runs/{run_id}', $r);
is_deeply([ @{ $r->{json}{run} }{qw(id session_id status)} ], [ $wrun, undef, 'pending' ], 'a run outside a session');
$r = $hub->get("$G/runs/$wrun/events", auth($alpha->{key}));
served(get => '/runs/{run_id}/events', $r);
is_deeply([ map { [ $_->{type}, $_->{session_id} ] } @{ $r->{json}{items} } ], [ [ 'run.created', undef ] ],
          '... and its events');

# a session's runs share one order of events
my @all = split /\n/, q1("SELECT seq FROM run_events WHERE session_id = '$bare' ORDER BY seq");
is_deeply(\@all, [ 1 .. scalar @all ], 'a session\'s seqs count 1, 2, 3... across its runs');

ok($hub->log_is_clean, 'no errors in the log');
done_testing;
