# Agent nodes in full mode: the workflow engine calls an LLM provider
# through the same client chat completions use (hub_wf_agent_run), against
# the local server that speaks OpenAI's and Anthropic's wire protocol.
# A Tool Hub workflow (template -> agent), a GoClaw wake and a G4F session
# run each end with the provider's answer as the agent node's output; every
# call is an llm_calls row whose trace is the execution, so GoClaw's
# /v1/traces/{id} shows it; a provider's failure fails the node, and a
# stop ends a node whose call is in flight; an agent given the hub's
# MCP tools calls one when the model asks, and the result goes back.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{
    open my $fh, '>', $keyfile or die;
    print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
    close $fh;
    chmod 0600, $keyfile;
}
my ($jwtfile, $jwtkey) = HubTest::jwt_key_file($dir);
my $KEY = 'sk-TEST-S3CRET-agents-65';
my $llm = HubMcp::node_server('llm-server.mjs', KEY => $KEY, LOG => "$dir/llm.log", SLOW_MS => 30000);
my $hub = HubTest->new(conf => join "\n", "HubSecretKeyFile $keyfile", "HubJwtKeyFile $jwtfile",
                       'HubOutboundAllow 127.0.0.0/8', 'HubWorkflowPoll 100');
my $db = $hub->db;
my $a = $hub->team('acme');
my $now = time;
my $th = HubTest::jwt($jwtkey, { sub => 'th-a', email => 'th-a@toolhub.test', role => 'admin',
                                 tenant => 'acme', exp => $now + 3600, iat => $now });
sub req { my ($k, $m, $p, @o) = @_; $hub->request($m, $p, headers => { Authorization => "Bearer $k" }, @o) }
sub q1 { $hub->psql($db, $_[0]) }
sub node { my ($id, $type, %data) = @_; { id => $id, type => $type, data => \%data, position => { x => 0, y => 0 } } }
sub finished {
    my ($id) = @_;
    my $e;
    HubTest::eventually(60, sub {
        $e = req($th, GET => "/api/executions/$id")->{json};
        ($e->{status} // '') =~ /^(completed|failed|stopped|cancelled)$/;
    });
    return $e;
}

my $r = req($a->{key}, POST => '/v1/providers',
            json => { name => 'local', provider_type => 'openai_compat', api_base => "$llm->{base}/v1", api_key => $KEY });
is($r->{status}, 201, 'a provider');
$r = req($a->{key}, POST => '/v1/agents',
         json => { name => 'writer', provider => 'local', model => 'gpt-test', system_prompt => 'You write one line.' });
is($r->{status}, 201, 'an agent');
my $agent = $r->{json}{id};

# ---- a Tool Hub workflow: template -> agent, in full mode ------------------
$r = req($th, POST => '/api/workflows', json => {
    name => 'Greeter',
    nodes => [ node('t', 'template', template => 'Greet {{input}}'),
               node('a', 'agent', agent_id => $agent, model => 'gpt-test', prompt => 'Reply to: {{nodes.t.output}}') ],
    edges => [ { id => 't-a', source => 't', target => 'a' } ] });
is($r->{status}, 201, 'a workflow with an agent node');
my $wf = $r->{json}{id};
$r = req($th, POST => "/api/workflows/$wf/run", json => { input => 'Ada', mode => 'full' });
is($r->{status}, 200, 'run in full mode');
my $ex = $r->{json}{execution_id};
my $e = finished($ex);
is($e->{status}, 'completed', 'the execution completes') or diag(explain($e));
my ($log) = grep { $_->{node_id} eq 'a' } @{ $e->{node_logs} || [] };
ok($log && length($log->{output}{response} // ''), "  the agent node's output is the provider's answer")
    or diag(explain($log));
is($log->{output}{agent_id}, $agent, '  ... with the agent');
ok(!$log->{output}{mock}, '  ... not a mock');
cmp_ok($log->{output}{usage}{input_tokens}, '>', 0, '  ... and its token counts');
my ($sent) = grep { $_->{path} eq '/v1/chat/completions' } @{ $llm->requests("$dir/llm.log") };
ok($sent, 'the provider was called');
is($sent->{body}{messages}[0]{role}, 'system', "  the agent's system prompt first");
is($sent->{body}{messages}[0]{content}, 'You write one line.', '  ... as stored');
like($sent->{body}{messages}[-1]{content}, qr/Greet Ada/, "  the user's message from the template node's output");
is(q1("SELECT count(*) FROM llm_calls WHERE trace_id = '$ex' AND execution_id = '$ex' AND node_id = 'a' AND agent_id = '$agent'"),
   1, 'one llm_calls row, traced to the execution and its node');
$r = req($a->{key}, GET => "/v1/traces/$ex");
is($r->{status}, 200, "GoClaw's trace of the execution");
is_deeply([ sort map { $_->{span_type} } @{ $r->{json}{spans} } ], [qw(agent event llm_call)],
          '  its spans: the llm call, the agent node and the template');
is($r->{json}{trace}{status}, 'completed', '  completed');

# ---- an agent with the hub's MCP tools ------------------------------------
my $up = HubMcp::everything();
my $sid = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
$r = req($th, POST => '/api/workflows', json => {
    name => 'Tooled', nodes => [ node('a', 'agent', agent_id => $agent, prompt => 'please call echo', tools => ["$sid/echo"]) ],
    edges => [] });
my $tooled = req($th, POST => "/api/workflows/$r->{json}{id}/run", json => { mode => 'full' })->{json}{execution_id};
$e = finished($tooled);
is($e->{status}, 'completed', 'an agent with tools completes') or diag(explain($e));
my $out = $e->{node_logs}[0]{output} || {};
is_deeply([ map { $_->{tool} } @{ $out->{tool_calls_made} || [] } ], ['echo'], '  it made the call the model asked for')
    or diag(explain($out));
ok(defined $out->{tool_calls_made}[0]{is_error}, '  ... with the tool\'s verdict');
like($out->{response} // '', qr/tool said/, "  the model's last answer read the tool's result");
my @chat = grep { $_->{path} eq '/v1/chat/completions' } @{ $llm->requests("$dir/llm.log") };
my ($offered) = grep { grep { ($_->{function}{name} // '') eq 'echo' } @{ $_->{body}{tools} || [] } } @chat;
ok($offered, 'the provider was offered the MCP tool');
my ($fn) = grep { $_->{function}{name} eq 'echo' } @{ $offered->{body}{tools} || [] };
ok($fn->{function}{parameters}{properties}{message}, "  with the MCP tool's own input schema");
my ($back) = grep { grep { ($_->{role} // '') eq 'tool' } @{ $_->{body}{messages} || [] } } @chat;
ok($back, "  and then sent the tool's result as a tool message");
is(q1("SELECT count(*) FROM llm_calls WHERE execution_id = '$tooled'"), 2, '  two llm calls: the ask and the answer');

# ---- a provider's failure fails the node ----------------------------------
$r = req($th, POST => '/api/workflows', json => {
    name => 'Broken', nodes => [ node('a', 'agent', provider => 'local', model => 'broken', prompt => 'hi') ], edges => [] });
$e = finished(req($th, POST => "/api/workflows/$r->{json}{id}/run", json => { mode => 'full' })->{json}{execution_id});
is($e->{status}, 'failed', "a provider's 500 fails the execution");
like($e->{node_logs}[0]{error} // '', qr/provider/, '  the node says why');
unlike($e->{node_logs}[0]{error} // '', qr/\Q$KEY\E/, '  ... without the key');
$r = req($th, POST => '/api/workflows', json => {
    name => 'Nobody', nodes => [ node('a', 'agent', agent_id => 'nobody', prompt => 'hi') ], edges => [] });
$e = finished(req($th, POST => "/api/workflows/$r->{json}{id}/run", json => { mode => 'full' })->{json}{execution_id});
is($e->{status}, 'failed', 'an unknown agent fails the execution');
like($e->{node_logs}[0]{error} // '', qr/agent not found/, '  agent not found');

# ---- a stop ends a node whose call is in flight ---------------------------
$r = req($th, POST => '/api/workflows', json => {
    name => 'Slow', nodes => [ node('a', 'agent', provider => 'local', model => 'slow', prompt => 'take your time', timeout => 60) ], edges => [] });
my $slow = req($th, POST => "/api/workflows/$r->{json}{id}/run", json => { mode => 'full' })->{json}{execution_id};
HubTest::eventually(30, sub { q1("SELECT count(*) FROM execution_nodes WHERE execution_id = '$slow' AND status = 'running'") == 1 });
is(req($th, POST => "/api/executions/$slow/stop")->{status}, 200, 'stop while the call runs');
$e = finished($slow);
is($e->{status}, 'stopped', '  the execution stops');
is(q1("SELECT status FROM llm_calls WHERE execution_id = '$slow'"), 'cancelled', '  the call in flight was aborted, not waited for');

# ---- GoClaw's wake and a G4F session run run their agent for real ---------
$r = req($a->{key}, POST => "/v1/agents/$agent/wake", json => { message => 'wake up', user_id => 'ext-1' });
is($r->{status}, 200, 'wake');
my ($wake) = q1("SELECT id FROM executions WHERE trigger_type = 'wake'");
$e = finished($wake);
is($e->{status}, 'completed', '  the woken agent runs') or diag(explain($e));
ok(length($e->{node_logs}[0]{output}{response} // ''), '  and answers');

my $G = '/g4f/api/v1';
my $proj = req($a->{key}, POST => "$G/projects", json => { name => 'p65' })->{json}{project}{id};
my $sess = req($a->{key}, POST => "$G/projects/$proj/sessions", json => { title => 'chat', provider_id => 'local', model_id => 'gpt-test' })->{json}{session}{id};
ok($sess, 'a G4F session');
$r = req($a->{key}, POST => "$G/sessions/$sess/runs", json => { mode => 'full', agent => { prompt => 'Be brief.' }, input => { text => 'hello' } });
is($r->{status}, 200, 'a session run');
my $run = $r->{json}{run_id};
HubTest::eventually(60, sub { (req($a->{key}, GET => "$G/runs/$run")->{json}{run}{status} // '') =~ /completed|failed/ });
$r = req($a->{key}, GET => "$G/runs/$run");
is($r->{json}{run}{status}, 'completed', '  the run completes') or diag(explain($r->{json}));
my @types = map { $_->{type} } @{ req($a->{key}, GET => "$G/runs/$run/events")->{json}{items} || [] };
ok((grep { $_ eq 'node.completed' } @types) && (grep { $_ eq 'execution.completed' } @types),
   "  its events say so (@types)");

ok(!grep({ /\Q$KEY\E/ } map { $_ // '' } q1('SELECT string_agg(coalesce(error, \'\'), \' \') FROM llm_calls')),
   'no key in any llm_calls error');
$hub->log_is_clean(qr/HUB010[0-4][0-9]/);
done_testing();
