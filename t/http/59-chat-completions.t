# GoClaw's agents (/v1/agents CRUD) and its OpenAI-compatible
# POST /v1/chat/completions against the local LLM-protocol server
# (t/mcp/servers/llm-server.mjs): the agent's provider, model and system
# prompt; plain answers and streams in OpenAI's chunk format ending with
# [DONE], from an OpenAI-compatible and from an anthropic_native
# provider; tool calls passed through; the provider's 429 as 429 with
# Retry-After; unknown agents; every call an llm_calls row with tokens;
# and /v1/agents/{id}/wake as a durable agent execution.  Each kind of
# JSON answer is checked against the served OpenAPI document.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HubSchema qw(validate undeclared);
use HubTest;
use HubMcp;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{
    open my $fh, '>', $keyfile or die;
    print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
    close $fh;
    chmod 0600, $keyfile;
}
my $KEY = 'sk-TEST-S3CRET-chat-59';
my $llm = HubMcp::node_server('llm-server.mjs', KEY => $KEY, LOG => "$dir/llm.log");
my $hub = HubTest->new(conf => join "\n", "HubSecretKeyFile $keyfile", 'HubOutboundAllow 127.0.0.0/8');
my $db = $hub->db;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
sub req {
    my ($k, $m, $p, @o) = @_;
    return $hub->request($m, $p, headers => { Authorization => "Bearer $k" }, @o);
}
sub q1 { $hub->psql($db, $_[0]) }
sub chat { req($a->{key}, POST => '/v1/chat/completions', json => $_[0]) }
# the data of each event of an event stream
sub events {
    my ($text) = @_;
    return [ map { /^data: (.*)$/s ? $1 : () } split /\n\n/, $text ];
}
sub chunks { [ map { $_ eq '[DONE]' ? $_ : $HubTest::JSON->decode($_) } @{ events($_[0]) } ] }

# An answer against GoClaw's served document: the documented success
# status, it validates, and every member is declared.
my $doc = $hub->get('/v1/openapi.json')->{json};
sub served {
    my ($r, $method, $tmpl, $what) = @_;
    my $op = (($doc->{paths} || {})->{$tmpl} || {})->{lc $method};
    ok($op, "  $what: $method $tmpl documented") or return;
    my ($ok) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $ok, "  $what: the documented success status");
    my $s = $op->{responses}{$ok}{content}{'application/json'}{schema};
    my @e = validate($doc, $s, $r->{json});
    ok(!@e, "  $what: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($doc, $s, $r->{json}, '')], [], "  $what: every member declared");
}

# ==== providers and agents ===================================================
my $r = req($a->{key}, POST => '/v1/providers',
            json => { name => 'openai', provider_type => 'openai_compat', api_base => "$llm->{base}/v1",
                      api_key => $KEY });
is($r->{status}, 201, 'an OpenAI-compatible provider');
my $openai = $r->{json}{id};
$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'anthropic', provider_type => 'anthropic_native', api_base => $llm->{base},
                   api_key => $KEY });
is($r->{status}, 201, 'an anthropic_native provider');

$r = req($a->{key}, GET => '/v1/agents', headers => { Authorization => "Bearer $a->{key}",
                                                       'X-GoClaw-User-Id' => 'u-1' });
is_deeply([$r->{status}, $r->{json}], [200, { agents => [] }], 'agents: none at first (X-GoClaw-User-Id taken)');
served($r, GET => '/v1/agents', 'the empty list');
$r = req($a->{key}, POST => '/v1/agents',
         json => { name => 'default', display_name => 'Default', provider => 'openai', model => 'gpt-4o-mini',
                   system_prompt => 'You are terse.', description => 'the default agent' });
is($r->{status}, 201, 'create an agent: 201');
served($r, POST => '/v1/agents', 'an agent');
my $default = $r->{json};
is_deeply([@$default{qw(name display_name agent_type provider provider_id model system_prompt description)}],
          ['default', 'Default', 'open', 'openai', $openai, 'gpt-4o-mini', 'You are terse.', 'the default agent'],
          '... its fields, open by default, the provider by name');
like($default->{id}, qr/^[0-9a-f-]{36}$/, '... an id');
$r = req($a->{key}, POST => '/v1/agents',
         json => { name => 'claude', agent_type => 'predefined', provider => 'anthropic',
                   model => 'claude-3-5-haiku-20241022', system_prompt => 'Answer kindly.' });
is($r->{status}, 201, 'an agent on the anthropic_native provider');
my $claude = $r->{json};
$r = req($a->{key}, POST => '/v1/agents', json => { name => 'limited', provider => 'openai', model => 'rate-limited' });
my $limited = $r->{json};
req($a->{key}, POST => '/v1/agents', json => { name => 'broken', provider => 'openai', model => 'broken' });
req($a->{key}, POST => '/v1/agents', json => { name => 'orphan', model => 'gpt-4o' });
for my $bad ([{ provider => 'openai' }, 'no name'], [{ name => 'x y' }, 'a name that is no slug'],
             [{ name => 'x', agent_type => 'closed' }, 'an unknown agent_type'],
             [{ name => 'x', provider => 'ghost' }, 'an unknown provider']) {
    $r = req($a->{key}, POST => '/v1/agents', json => $bad->[0]);
    is($r->{status}, 400, "create with $bad->[1]: 400");
    ok(!ref $r->{json}{error} && length $r->{json}{error}, '... in GoClaw\'s envelope');
}
is(req($a->{key}, POST => '/v1/agents', json => { name => 'default' })->{status}, 409, 'a name in use: 409');
is(req($ro, POST => '/v1/agents', json => { name => 'ro' })->{status}, 403, 'a read-only key cannot create');

$r = req($a->{key}, GET => '/v1/agents');
is_deeply([map { $_->{name} } @{ $r->{json}{agents} }], [qw(default claude limited broken orphan)], 'list');
served($r, GET => '/v1/agents', 'the list');
$r = req($a->{key}, GET => "/v1/agents/$default->{id}");
is($r->{json}{name}, 'default', 'get by id');
served($r, GET => '/v1/agents/{id}', 'an agent');
is(req($a->{key}, GET => '/v1/agents/claude')->{json}{id}, $claude->{id}, 'get by name');
is(req($a->{key}, GET => '/v1/agents/ghost')->{status}, 404, 'an unknown agent: 404');
$r = req($a->{key}, PUT => '/v1/agents/orphan', json => { description => 'no provider', model => 'gpt-4o' });
is_deeply([$r->{status}, $r->{json}], [200, { status => 'updated' }], 'update: {"status": "updated"}');
served($r, PUT => '/v1/agents/{id}', 'the update');
$r = req($a->{key}, GET => '/v1/agents/orphan');
is_deeply([@{ $r->{json} }{qw(description provider provider_id)}], ['no provider', undef, undef],
          '... kept; no provider: null');
served($r, GET => '/v1/agents/{id}', 'an agent without a provider');
is(req($a->{key}, PUT => '/v1/agents/orphan', json => { provider => 'ghost' })->{status}, 400,
   'update to an unknown provider: 400');
is(req($b->{key}, GET => '/v1/agents/default')->{status}, 404, 'another tenant: 404');
is_deeply(req($b->{key}, GET => '/v1/agents')->{json}, { agents => [] }, '... and lists none');

# ==== a plain completion ======================================================
my $calls0 = q1('SELECT count(*) FROM llm_calls');
$r = chat({ messages => [{ role => 'user', content => 'hello there' }] });
is($r->{status}, 200, 'chat, no model: the default agent');
my $c = $r->{json};
is_deeply([@$c{qw(object model)}], ['chat.completion', 'goclaw:default'], 'a chat.completion, the caller\'s model');
like($c->{id}, qr/^chatcmpl-/, 'an id');
like($c->{created}, qr/^\d{10}$/, 'created');
served($r, POST => '/v1/chat/completions', 'a chat.completion');
is_deeply($c->{choices}, [{ index => 0, finish_reason => 'stop',
                            message => { role => 'assistant',
                                         content => '[system: You are terse.] echo: hello there' } }],
          'the answer: the agent\'s system prompt went first');
is_deeply($c->{usage}, { prompt_tokens => 5, completion_tokens => 7, total_tokens => 12 }, 'the provider\'s usage');
my ($sent) = grep { $_->{path} eq '/v1/chat/completions' } @{ $llm->requests("$dir/llm.log") };
is($sent->{body}{model}, 'gpt-4o-mini', 'the agent\'s model was asked for');
is(q1('SELECT count(*) FROM llm_calls') - $calls0, 1, 'one llm_calls row');
is(q1("SELECT concat_ws(' ', status, model, input_tokens, output_tokens, streamed, http_status,"
      . " agent_id = '$default->{id}', provider_id = '$openai', cost > 0, trace_id IS NOT NULL)"
      . " FROM llm_calls ORDER BY started_at DESC LIMIT 1"),
   'ok gpt-4o-mini 5 7 f 200 t t t t', '... with tokens, cost, agent, provider and trace');

for my $m ('goclaw:default', "agent:$default->{id}", 'default') {
    $r = chat({ model => $m, messages => [{ role => 'user', content => 'x' }] });
    is_deeply([$r->{status}, $r->{json}{model}], [200, $m], "model $m finds the agent");
}

# ==== a stream ==================================================================
$r = chat({ model => 'goclaw:default', stream => JSON::PP::true,
            stream_options => { include_usage => JSON::PP::true },
            messages => [{ role => 'user', content => 'stream this please' }] });
is($r->{status}, 200, 'stream: 200');
like($r->{headers}{'content-type'}, qr{^text/event-stream}, '... an event stream');
my $ch = chunks($r->{content});
is($ch->[-1], '[DONE]', '... ending with data: [DONE]');
my @obj = grep { ref } @$ch;
ok(!(grep { $_->{object} ne 'chat.completion.chunk' || $_->{model} ne 'goclaw:default' } @obj),
   '... every chunk a chat.completion.chunk of the caller\'s model');
is(scalar(keys %{ { map { $_->{id} => 1 } @obj } }), 1, '... all of one id');
is_deeply($obj[0]{choices}[0]{delta}, { role => 'assistant', content => '' }, '... the role first');
my $text = join '', map { $_->{choices}[0]{delta}{content} // '' } grep { @{ $_->{choices} } } @obj;
is($text, '[system: You are terse.] echo: stream this please', '... the text in pieces');
ok(@obj > 4, '... more than one piece');
my ($fin) = grep { @{ $_->{choices} } && $_->{choices}[0]{finish_reason} } @obj;
is($fin->{choices}[0]{finish_reason}, 'stop', '... a finish_reason');
is_deeply($obj[-1]{usage}, { prompt_tokens => 6, completion_tokens => 8, total_tokens => 14 },
          '... and the usage chunk, asked for');
is_deeply($obj[-1]{choices}, [], '... which has no choices');
is(q1('SELECT concat_ws(\' \', streamed, input_tokens, output_tokens) FROM llm_calls'
      . ' ORDER BY started_at DESC LIMIT 1'), 't 6 8', 'the streamed call recorded with its tokens');
$r = chat({ stream => JSON::PP::true, messages => [{ role => 'user', content => 'no usage' }] });
ok(!(grep { ref && $_->{usage} } @{ chunks($r->{content}) }), 'no usage chunk unless asked');

# ==== tools ====================================================================
my $tools = [{ type => 'function', function => { name => 'lookup', description => 'find things',
                                                  parameters => { type => 'object' } } }];
$r = chat({ messages => [{ role => 'user', content => 'please use tool' }], tools => $tools });
is($r->{status}, 200, 'tools offered, a tool called');
my $choice = $r->{json}{choices}[0];
is($choice->{finish_reason}, 'tool_calls', '... finish_reason tool_calls');
is($choice->{message}{content}, undef, '... no content');
is($choice->{message}{tool_calls}[0]{function}{name}, 'lookup', '... the tool');
is_deeply($HubTest::JSON->decode($choice->{message}{tool_calls}[0]{function}{arguments}),
          { text => 'please use tool' }, '... its arguments, a JSON text');
like($choice->{message}{tool_calls}[0]{id}, qr/^call_/, '... the provider\'s call id');
served($r, POST => '/v1/chat/completions', 'a chat.completion of tool calls');
my ($with_tools) = grep { $_->{body}{tools} } @{ $llm->requests("$dir/llm.log") };
is_deeply($with_tools->{body}{tools}, $tools, 'the tools reached the provider as they were');
$r = chat({ stream => JSON::PP::true, messages => [{ role => 'user', content => 'please use tool' }],
            tools => $tools });
my @tc = grep { ref && @{ $_->{choices} } && $_->{choices}[0]{delta}{tool_calls} } @{ chunks($r->{content}) };
is(scalar @tc, 1, 'streamed: one chunk with the tool calls');
is_deeply([@{ $tc[0]{choices}[0]{delta}{tool_calls}[0] }{qw(index type)},
           $tc[0]{choices}[0]{delta}{tool_calls}[0]{function}],
          [0, 'function', { name => 'lookup', arguments => '{"text":"please use tool"}' }],
          '... indexed, whole');
$r = chat({ messages => [{ role => 'user', content => 'please use tool' },
                         { role => 'assistant', content => undef, tool_calls => $choice->{message}{tool_calls} },
                         { role => 'tool', tool_call_id => $choice->{message}{tool_calls}[0]{id},
                           content => 'found 3' }], tools => $tools });
is($r->{json}{choices}[0]{message}{content}, '[system: You are terse.] echo: tool said found 3',
   'the tool\'s result sent back is answered');

# ==== anthropic_native ==========================================================
$r = chat({ model => 'goclaw:claude', messages => [{ role => 'user', content => 'hi claude' }] });
is($r->{status}, 200, 'an agent on anthropic_native');
is($r->{json}{choices}[0]{message}{content}, '[system: Answer kindly.] echo: hi claude',
   '... its answer, the system prompt as Anthropic\'s system');
is_deeply($r->{json}{usage}, { prompt_tokens => 4, completion_tokens => 6, total_tokens => 10 }, '... its usage');
served($r, POST => '/v1/chat/completions', 'an anthropic_native chat.completion');
my ($am) = grep { $_->{path} eq '/v1/messages' } @{ $llm->requests("$dir/llm.log") };
is_deeply([$am->{body}{system}, $am->{body}{model}, $am->{headers}{'x-api-key'}],
          ['Answer kindly.', 'claude-3-5-haiku-20241022', $KEY], '... sent in Anthropic\'s shape');
$r = chat({ model => 'agent:claude', stream => JSON::PP::true,
            messages => [{ role => 'user', content => 'stream from claude' }] });
$ch = chunks($r->{content});
is($ch->[-1], '[DONE]', 'anthropic_native streamed: OpenAI\'s chunks and [DONE]');
is(join('', map { $_->{choices}[0]{delta}{content} // '' } grep { ref && @{ $_->{choices} } } @$ch),
   '[system: Answer kindly.] echo: stream from claude', '... the text of its content_block_deltas');
$r = chat({ model => 'agent:claude', messages => [{ role => 'user', content => 'call lookup now' }],
            tools => $tools });
is_deeply([$r->{json}{choices}[0]{finish_reason}, $r->{json}{choices}[0]{message}{tool_calls}[0]{function}{name}],
          ['tool_calls', 'lookup'], 'anthropic_native tool_use as OpenAI tool calls');
served($r, POST => '/v1/chat/completions', 'anthropic_native tool calls');

# ==== failures ==================================================================
$r = chat({ model => 'goclaw:limited', messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 429, 'the provider\'s 429: 429');
is($r->{headers}{'retry-after'}, '7', '... with its Retry-After');
like($r->{json}{error}, qr/rate limit/i, '... in GoClaw\'s envelope');
$r = chat({ model => 'goclaw:limited', stream => JSON::PP::true, messages => [{ role => 'user', content => 'x' }] });
is_deeply([$r->{status}, $r->{headers}{'retry-after'}], [429, '7'], '... streamed too (nothing was sent yet)');
is(q1("SELECT concat_ws(' ', status, http_status, agent_id = '$limited->{id}') FROM llm_calls"
      . ' ORDER BY started_at DESC LIMIT 1'), 'error 429 t', '... recorded as an error');
$r = chat({ model => 'goclaw:broken', messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 502, 'the provider\'s 500: 502');
like($r->{json}{error}, qr/500/, '... saying so');
$r = chat({ model => 'goclaw:ghost', messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 404, 'an unknown agent: 404');
like($r->{json}{error}, qr/agent not found: ghost/, '... naming it');
$r = chat({ model => 'goclaw:orphan', messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 400, 'an agent without a provider: 400');
for my $bad ([{}, 'no messages'], [{ messages => [] }, 'no message'],
             [{ messages => [{ role => 'wizard', content => 'x' }] }, 'an unknown role'],
             [{ messages => [{ role => 'user', content => 5 }] }, 'content a number'],
             [{ messages => 'hello' }, 'messages not an array']) {
    is(chat($bad->[0])->{status}, 400, "$bad->[1]: 400");
}
is(req($ro, POST => '/v1/chat/completions', json => { messages => [{ role => 'user', content => 'x' }] })->{status},
   403, 'a read-only key cannot chat');
$r = req($b->{key}, POST => '/v1/chat/completions',
         json => { model => 'goclaw:default', messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 404, 'another tenant\'s agent: 404');
is(q1("SELECT count(*) FROM llm_calls l JOIN tenants t ON t.id = l.tenant_id WHERE t.slug = 'bravo'"), 0,
   '... and no call made for it');
$r = req($a->{key}, PUT => "/v1/providers/$openai", json => { enabled => JSON::PP::false });
$r = chat({ messages => [{ role => 'user', content => 'x' }] });
is($r->{status}, 400, 'a disabled provider: 400');
like($r->{json}{error}, qr/disabled/, '... saying so');

# ==== wake ========================================================================
$r = req($a->{key}, POST => "/v1/agents/$default->{id}/wake", json => { message => 'wake up', user_id => 'ext-7' });
is($r->{status}, 200, 'wake: 200');
is_deeply([@{ $r->{json} }{qw(status agent_id)}], ['triggered', $default->{id}], '... triggered');
my $ex = $r->{json}{execution_id};
like($ex, qr/^[0-9a-f-]{36}$/, '... an execution');
served($r, POST => '/v1/agents/{id}/wake', 'the wake');
is(q1("SELECT concat_ws(' ', kind, mode, trigger_type, trigger_id, agent_id = '$default->{id}',"
      . " input->>'message', graph->'nodes'->0->>'type', graph->'nodes'->0->'data'->>'model',"
      . " graph->'nodes'->0->'data'->>'prompt') FROM executions WHERE id = '$ex'"),
   'agent full wake ext-7 t wake up agent gpt-4o-mini You are terse.',
   '... a durable agent execution the engine runs: one agent node from the agent');
is(req($a->{key}, POST => '/v1/agents/claude/wake', body => '')->{status}, 200, 'wake by name, no body');
is(req($a->{key}, POST => '/v1/agents/ghost/wake')->{status}, 404, 'wake an unknown agent: 404');
is(req($a->{key}, POST => '/v1/agents/default/wake', json => { message => 5 })->{status}, 400,
   'a message that is no string: 400');
is(req($b->{key}, POST => "/v1/agents/$default->{id}/wake")->{status}, 404, 'another tenant\'s agent: 404');
is(req($ro, POST => "/v1/agents/$default->{id}/wake")->{status}, 403, 'a read-only key cannot wake');

# ==== delete ======================================================================
$r = req($a->{key}, DELETE => '/v1/agents/claude');
is_deeply([$r->{status}, $r->{json}], [200, { status => 'deleted' }], 'delete an agent');
served($r, DELETE => '/v1/agents/{id}', 'the delete');
is(req($a->{key}, GET => '/v1/agents/claude')->{status}, 404, '... gone');
ok(q1("SELECT count(*) FROM llm_calls WHERE agent_id IS NULL AND provider_type = 'anthropic_native'") > 0,
   '... its calls kept as history');
unlike($hub->slurp($hub->error_log_path), qr/S3CRET/, 'the key in no log line');
$hub->log_is_clean;
done_testing;
