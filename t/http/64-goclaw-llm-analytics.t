# GoClaw's LLM analytics: /v1/traces, /v1/traces/{traceID},
# /v1/costs/summary, /v1/usage/timeseries and /v1/usage/summary over
# llm_calls rows seeded here (with an agent, a provider, and an execution
# whose node runs become spans), the right answers computed here from the
# seeded values.  Another tenant's calls are never counted or shown.
use strict;
use warnings;
use Test::More;
use HubSchema qw(validate undeclared);
use HubTest;
use Time::Local qw(timegm);

my $hub = HubTest->new;
my $alpha = $hub->team('alpha');
my $beta = $hub->team('beta');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }

my $ta = q1("SELECT id FROM tenants WHERE slug = 'alpha'");
my $tb = q1("SELECT id FROM tenants WHERE slug = 'beta'");
my $prov = q1("INSERT INTO llm_providers (tenant_id, name, provider_type) VALUES ('$ta', 'local-openai', 'openai_compat') RETURNING id");
my $agent = q1("INSERT INTO agents (tenant_id, name, provider_id, model) VALUES ('$ta', 'helper', '$prov', 'gpt-x') RETURNING id");
my $graph = '{"nodes":[{"id":"a1","type":"agent","data":{"model":"gpt-x"}},{"id":"t1","type":"mcp_tool","data":{"tool":"echo"}},{"id":"c1","type":"condition","data":{}}],"edges":[]}';
my $exec = q1("INSERT INTO executions (tenant_id, agent_id, graph, status, started_at, completed_at) VALUES ('$ta', '$agent', '$graph', 'completed', now() - interval '10 minutes', now() - interval '9 minutes') RETURNING id");
q1("INSERT INTO execution_nodes (tenant_id, execution_id, node_id, status, started_at, completed_at, duration_ms) VALUES "
   . "('$ta', '$exec', 'a1', 'completed', now() - interval '10 minutes', now() - interval '599 seconds', 1000), "
   . "('$ta', '$exec', 't1', 'completed', now() - interval '598 seconds', now() - interval '597 seconds', 800), "
   . "('$ta', '$exec', 'c1', 'completed', now() - interval '596 seconds', now() - interval '596 seconds', 1)");

# calls: [tenant, trace, agent?, execution?, status, in, out, cost, minutes ago, ms, model]
my $chat1 = q1('SELECT gen_random_uuid()');
my $chat2 = q1('SELECT gen_random_uuid()');
my $old = q1('SELECT gen_random_uuid()');
my $other = q1('SELECT gen_random_uuid()');
my @calls = (
    [$ta, $exec,  $agent, $exec, 'ok',    100, 20, '0.001', 10, 900, 'gpt-x'],
    [$ta, $exec,  $agent, $exec, 'ok',    150, 30, '0.002', 9.5, 700, 'gpt-x'],
    [$ta, $chat1, $agent, undef, 'ok',     40, 10, '0.0005', 30, 300, 'gpt-x'],
    [$ta, $chat2, undef,  undef, 'error',  10,  0, '0',     200, 50, 'gpt-y'],
    [$ta, $old,   $agent, undef, 'ok',     70, 70, '0.003', 60 * 30, 400, 'gpt-x'],  # 30 hours ago
    [$tb, $other, undef,  undef, 'ok',    999, 999, '9.9',   5, 100, 'gpt-x'],
);
for my $c (@calls) {
    my ($t, $tr, $ag, $ex, $st, $in, $out, $cost, $ago, $ms, $model) = @$c;
    my $pv = $t eq $ta ? "'$prov'" : 'NULL';
    q1("INSERT INTO llm_calls (tenant_id, trace_id, agent_id, execution_id, provider_id, provider_type, model, status, error, input_tokens, output_tokens, cost, started_at, duration_ms) VALUES "
       . "('$t', '$tr', " . ($ag ? "'$ag'" : 'NULL') . ', ' . ($ex ? "'$ex'" : 'NULL')
       . ", $pv, 'openai_compat', '$model', '$st', " . ($st eq 'error' ? "'upstream said 500'" : 'NULL')
       . ", $in, $out, $cost, now() - interval '$ago minutes', $ms)");
}

# Each answer checked against the served document: it validates, and
# declares every member it has.
my $doc = $hub->get('/v1/openapi.json')->{json};
sub served {
    my ($tmpl, $r) = @_;
    my $s = $doc->{paths}{$tmpl}{get}{responses}{200}{content}{'application/json'}{schema};
    ok($s, "  $tmpl documented") or return;
    my @e = validate($doc, $s, $r->{json});
    ok(!@e, "  $tmpl: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($doc, $s, $r->{json}, '')], [], "  $tmpl: every member declared");
}

# ---- traces -----------------------------------------------------------
my $r = $hub->get('/v1/traces', auth($alpha->{key}));
is($r->{status}, 200, 'GET /v1/traces');
served('/v1/traces', $r);
is_deeply([ @{ $r->{json} }{qw(total limit offset)} ], [4, 50, 0], '  total, limit, offset');
is_deeply([ map { $_->{id} } @{ $r->{json}{traces} } ], [$exec, $chat1, $chat2, $old], '  newest first');
my %t = map { ($_->{id} => $_) } @{ $r->{json}{traces} };
is_deeply([ @{ $t{$exec} }{qw(total_input_tokens total_output_tokens llm_call_count tool_call_count span_count status name agent_id run_id)} ],
          [250, 50, 2, 1, 5, 'completed', 'helper', $agent, $exec], '  the execution: sums, one tool call, 2 calls + 3 nodes');
cmp_ok(abs($t{$exec}{total_cost} - 0.003), '<', 1e-9, '  its cost');
is($t{$chat2}{status}, 'error', '  a failed call makes an error trace');
is($t{$chat2}{error}, 'upstream said 500', '  with its error');
is($t{$chat2}{name}, 'chat', '  no agent: named chat');
ok(!exists $t{$chat2}{agent_id}, '  and no agent_id member (omitempty)');
ok(!grep({ $_->{id} eq $other } @{ $r->{json}{traces} }), "  beta's trace is not listed");

$r = $hub->get("/v1/traces?agent_id=$agent&limit=1&offset=1", auth($alpha->{key}));
is_deeply([ $r->{json}{total}, map { $_->{id} } @{ $r->{json}{traces} } ], [3, $chat1], '  agent filter, limit and offset');
$r = $hub->get('/v1/traces?status=error', auth($alpha->{key}));
is_deeply([ map { $_->{id} } @{ $r->{json}{traces} } ], [$chat2], '  status filter');
is($hub->get('/v1/traces?status=bogus', auth($alpha->{key}))->{status}, 400, '  a bad status: 400');
is($hub->get('/v1/traces?agent_id=nope', auth($alpha->{key}))->{status}, 400, '  a bad agent_id: 400');
is($hub->get('/v1/traces?limit=500', auth($alpha->{key}))->{status}, 400, '  limit past 200: 400');
is($hub->get('/v1/traces', auth($beta->{key}))->{json}{total}, 1, '  beta: its own one');

$r = $hub->get("/v1/traces/$exec", auth($alpha->{key}));
is($r->{status}, 200, 'GET /v1/traces/{traceID}');
served('/v1/traces/{traceID}', $r);
is($r->{json}{trace}{id}, $exec, '  the trace');
is_deeply([ map { $_->{span_type} } @{ $r->{json}{spans} } ], [qw(agent llm_call tool_call event llm_call)], '  its spans in time order');
my ($tool) = grep { $_->{span_type} eq 'tool_call' } @{ $r->{json}{spans} };
is_deeply([ @$tool{qw(node_id tool_name status duration_ms)} ], ['t1', 'echo', 'completed', 800], '  the tool call span');
my ($llm) = grep { $_->{span_type} eq 'llm_call' } @{ $r->{json}{spans} };
is_deeply([ @$llm{qw(model provider input_tokens output_tokens status)} ], ['gpt-x', 'local-openai', 100, 20, 'completed'], '  an llm span');
is($hub->get("/v1/traces/$other", auth($alpha->{key}))->{status}, 404, "  beta's trace: 404");
is($hub->get("/v1/traces/$other", auth($alpha->{key}))->{json}{error} =~ /not found/ ? 1 : 0, 1, "  in GoClaw's envelope");
is($hub->get('/v1/traces/not-a-uuid', auth($alpha->{key}))->{status}, 400, '  a bad id: 400');

# ---- costs --------------------------------------------------------------
$r = $hub->get('/v1/costs/summary', auth($alpha->{key}));
is($r->{status}, 200, 'GET /v1/costs/summary');
served('/v1/costs/summary', $r);
my @rows = @{ $r->{json}{rows} };
is(scalar @rows, 2, '  a row per agent, provider and model');
is_deeply([ @{ $rows[0] }{qw(agent_id agent_name provider model call_count trace_count total_input_tokens total_output_tokens)} ],
          [$agent, 'helper', 'local-openai', 'gpt-x', 4, 3, 360, 130], '  the agent: costliest first');
cmp_ok(abs($rows[0]{total_cost} - 0.0065), '<', 1e-9, '  its cost');
is_deeply([ @{ $rows[1] }{qw(agent_id model call_count)} ], [undef, 'gpt-y', 1], '  the agentless call');
$r = $hub->get('/v1/costs/summary?from=' . q1("SELECT iso8601(now() - interval '1 day')"), auth($alpha->{key}));
is($r->{json}{rows}[0]{call_count}, 3, '  from: the call of 30 hours ago is out');
is($hub->get('/v1/costs/summary?from=yesterday', auth($alpha->{key}))->{status}, 400, '  a bad from: 400');
is_deeply([ map { $_->{total_input_tokens} } @{ $hub->get('/v1/costs/summary', auth($beta->{key}))->{json}{rows} } ], [999], "  beta: its own");

# ---- usage --------------------------------------------------------------
$r = $hub->get('/v1/usage/timeseries?period=1h', auth($alpha->{key}));
is($r->{status}, 200, 'GET /v1/usage/timeseries?period=1h');
served('/v1/usage/timeseries', $r);
is($r->{json}{interval}, '5 minutes', '  5-minute buckets');
my @p = @{ $r->{json}{points} };
ok(@p == 12 || @p == 13, '  every bucket of the hour (' . scalar(@p) . ')');
# a bucket's requests are the traces with a call that started in it,
# counted here from the seeded calls' times (a trace whose calls straddle
# a bucket's edge counts in both)
my @seeded = map { [ split /\|/ ] } split /\n/,
    q1("SELECT trace_id, extract(epoch FROM started_at)::float8 FROM llm_calls WHERE tenant_id = '$ta'");
sub epoch_of { my ($y, $mo, $d, $h, $mi, $s) = $_[0] =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/; timegm($s, $mi, $h, $d, $mo - 1, $y) }
sub traces_in {
    my ($t0, $step) = @_;
    my %t = map { ($_->[0] => 1) } grep { $_->[1] >= $t0 && $_->[1] < $t0 + $step } @seeded;
    return scalar keys %t;
}
my @want = map { traces_in(epoch_of($_->{bucket_time}), 300) } @p;
is_deeply([ map { $_->{request_count} } @p ], \@want, '  each bucket: the traces with a call in it');
my %sum;
for my $pt (@p) { $sum{$_} += $pt->{$_} for qw(llm_call_count input_tokens output_tokens error_count) }
is_deeply([ @sum{qw(llm_call_count input_tokens output_tokens error_count)} ], [3, 290, 60, 0],
          '  the last hour: the execution and one chat');
$r = $hub->get('/v1/usage/timeseries', auth($alpha->{key}));
is_deeply([ $r->{json}{period}, $r->{json}{interval} ], ['24h', '1 hour'], '  default 24h in hours');
%sum = ();
for my $pt (@{ $r->{json}{points} }) { $sum{$_} += $pt->{$_} for qw(error_count input_tokens) }
is_deeply([ @sum{qw(error_count input_tokens)} ], [1, 300], '  the last 24 hours');
is_deeply([ map { $_->{request_count} } @{ $r->{json}{points} } ],
          [ map { traces_in(epoch_of($_->{bucket_time}), 3600) } @{ $r->{json}{points} } ], '  each hour: its traces');
my @times = map { $_->{bucket_time} } @{ $r->{json}{points} };
is_deeply(\@times, [ sort @times ], '  in time order');
like($times[0], qr/T\d\d:00:00(?:\.000)?Z$/, '  on the hour, UTC');
$r = $hub->get("/v1/usage/timeseries?period=30d&model=gpt-x", auth($alpha->{key}));
%sum = ();
for my $pt (@{ $r->{json}{points} }) { $sum{$_} += $pt->{$_} for qw(llm_call_count) }
is($sum{llm_call_count}, 4, '  30d, model filter');
is($hub->get('/v1/usage/timeseries?period=2h', auth($alpha->{key}))->{status}, 400, '  a bad period: 400');

$r = $hub->get('/v1/usage/summary', auth($alpha->{key}));
is($r->{status}, 200, 'GET /v1/usage/summary');
served('/v1/usage/summary', $r);
is_deeply([ @{ $r->{json}{current} }{qw(requests llm_calls input_tokens output_tokens errors tool_calls)} ],
          [3, 4, 300, 60, 1, 1], '  current: the last 24 hours');
is_deeply([ @{ $r->{json}{previous} }{qw(requests llm_calls input_tokens)} ], [1, 1, 70], '  previous: the 24 hours before');
$r = $hub->get("/v1/usage/summary?period=7d&agent_id=$agent", auth($alpha->{key}));
is_deeply([ @{ $r->{json}{current} }{qw(requests llm_calls)} ], [3, 4], '  7d, agent filter');
is($hub->get('/v1/usage/summary?period=today', auth($alpha->{key}))->{status}, 200, '  today');
is($hub->get('/v1/usage/summary', auth($beta->{key}))->{json}{current}{input_tokens}, 999, '  beta: its own');

ok($hub->log_is_clean, 'error log clean');
done_testing();
