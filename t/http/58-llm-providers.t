# LLM providers through GoClaw (/v1/providers CRUD, /models, /verify) and
# G4F (/providers, /scan, /{id}/models, /{id}/test): one set of rows, the
# API key sealed at rest and in no answer or log line, api_base refused
# when it points inside without HubOutboundAllow (early for a literal
# address, at connect time for a host without the allowance), and the
# checks made against a local server speaking OpenAI's and Anthropic's
# wire protocols (t/mcp/servers/llm-server.mjs); tenants isolated.  Each
# kind of answer is checked against the served OpenAPI documents.
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
my $KEY = 'sk-TEST-S3CRET-llm-58';
my $llm = HubMcp::node_server('llm-server.mjs', KEY => $KEY, LOG => "$dir/llm.log");
my $LLM = "$llm->{base}/v1";
my $hub = HubTest->new(conf => join "\n", "HubSecretKeyFile $keyfile", 'HubOutboundAllow 127.0.0.0/8');
my $db = $hub->db;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my @answers;
sub req {
    my ($k, $m, $p, @o) = @_;
    my $r = $hub->request($m, $p, headers => { Authorization => "Bearer $k" }, @o);
    push @answers, $r->{content} // '';
    return $r;
}
sub q1 { $hub->psql($db, $_[0]) }
my $TS = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
my $G = '/g4f/api/v1';

# An answer against the served document of its profile: the documented
# success status, it validates, and every member is declared.
my %DOC = (goclaw => $hub->get('/v1/openapi.json')->{json}, g4f => $hub->get("$G/openapi.json")->{json});
sub served {
    my ($r, $p, $method, $tmpl, $what) = @_;
    my $op = (($DOC{$p}{paths} || {})->{$tmpl} || {})->{lc $method};
    ok($op, "  $what: $p $method $tmpl documented") or return;
    my ($ok) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $ok, "  $what: the documented success status");
    my $s = $op->{responses}{$ok}{content}{'application/json'}{schema};
    my @e = validate($DOC{$p}, $s, $r->{json});
    ok(!@e, "  $what: the answer validates") or diag join "\n", @e[0 .. ($#e > 4 ? 4 : $#e)];
    is_deeply([undeclared($DOC{$p}, $s, $r->{json}, '')], [], "  $what: every member declared");
}

# ==== GoClaw CRUD ==========================================================
my $r = req($a->{key}, GET => '/v1/providers');
is_deeply([$r->{status}, $r->{json}], [200, { providers => [] }], 'list: empty at first');
served($r, goclaw => GET => '/v1/providers', 'the empty list');

$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'local-openai', display_name => 'Local OpenAI', provider_type => 'openai_compat',
                   api_base => $LLM, api_key => $KEY });
is($r->{status}, 201, 'create: 201');
served($r, goclaw => POST => '/v1/providers', 'a provider with a key');
my $p1 = $r->{json};
like($p1->{id}, qr/^[0-9a-f-]{36}$/, 'an id');
is_deeply([@$p1{qw(name display_name provider_type api_base api_key status)}, $p1->{enabled} ? 1 : 0],
          ['local-openai', 'Local OpenAI', 'openai_compat', $LLM, '********', 'unknown', 1],
          'the fields, the key masked, enabled by default');
like($p1->{created_at}, $TS, 'created_at');
my $stored = q1("SELECT api_key FROM llm_providers WHERE id = '$p1->{id}'");
like($stored, qr/^v1:/, 'the key is sealed at rest');
unlike($stored, qr/S3CRET/, '... not in the clear');

$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'claude', provider_type => 'anthropic_native', api_base => $llm->{base},
                   api_key => $KEY });
is($r->{status}, 201, 'create an anthropic_native provider');
my $p2 = $r->{json};
$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'wrong-key', provider_type => 'groq', api_base => $LLM, api_key => 'sk-wrong' });
my $p3 = $r->{json};
is($r->{status}, 201, 'create a provider whose key the server refuses');
$r = req($a->{key}, POST => '/v1/providers', json => { name => 'no-base', provider_type => 'deepseek' });
is($r->{status}, 201, 'create without api_base or key');
is($r->{json}{api_base}, undef, '... api_base null (the type\'s default applies)');
is($r->{json}{api_key}, '', '... no key: ""');
served($r, goclaw => POST => '/v1/providers', 'a provider without base or key');
my $p4 = $r->{json};

for my $bad ([{ provider_type => 'openai_compat' }, 'no name'],
             [{ name => 'x' }, 'no provider_type'],
             [{ name => 'x', provider_type => 'cohere' }, 'an unknown provider_type'],
             [{ name => 'has space', provider_type => 'xai' }, 'a name that is no slug'],
             [{ name => 'x', provider_type => 'xai', api_base => 'ftp://example.com' }, 'an ftp api_base'],
             [{ name => 'x', provider_type => 'xai', api_key => 5 }, 'a key that is no string']) {
    $r = req($a->{key}, POST => '/v1/providers', json => $bad->[0]);
    is($r->{status}, 400, "create with $bad->[1]: 400");
    ok(!ref $r->{json}{error} && length $r->{json}{error}, '... in GoClaw\'s envelope') or diag explain $r->{json};
}
$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'inside', provider_type => 'openai_compat', api_base => 'http://10.1.2.3/v1' });
is($r->{status}, 400, 'api_base at a private address not allowed: 400');
like($r->{json}{error}, qr/10\.1\.2\.3.*HubOutboundAllow/, '... saying why');
$r = req($a->{key}, POST => '/v1/providers', json => { name => 'local-openai', provider_type => 'xai' });
is($r->{status}, 409, 'a name in use: 409');

$r = req($a->{key}, GET => "/v1/providers/$p1->{id}");
is_deeply([$r->{status}, $r->{json}{name}, $r->{json}{api_key}], [200, 'local-openai', '********'], 'get');
served($r, goclaw => GET => '/v1/providers/{id}', 'a provider');
is(req($a->{key}, GET => '/v1/providers/not-a-uuid')->{status}, 404, 'a malformed id: 404');
is(req($a->{key}, GET => '/v1/providers/00000000-0000-4000-8000-000000000000')->{status}, 404,
   'an unknown id: 404');
$r = req($a->{key}, GET => '/v1/providers');
is_deeply([map { $_->{name} } @{ $r->{json}{providers} }], [qw(local-openai claude wrong-key no-base)],
          'list: in creation order');
served($r, goclaw => GET => '/v1/providers', 'the list');

$r = req($a->{key}, PUT => "/v1/providers/$p1->{id}", json => { display_name => 'Renamed', api_key => '********' });
is_deeply([$r->{status}, $r->{json}], [200, { status => 'updated' }], 'update: {"status": "updated"}');
served($r, goclaw => PUT => '/v1/providers/{id}', 'the update');
is(q1("SELECT api_key FROM llm_providers WHERE id = '$p1->{id}'"), $stored, '"********" keeps the key');
is(req($a->{key}, GET => "/v1/providers/$p1->{id}")->{json}{display_name}, 'Renamed', 'the change is kept');
$r = req($a->{key}, PUT => "/v1/providers/$p4->{id}", json => { api_base => 'http://192.168.7.7/v1' });
is($r->{status}, 400, 'update to a private api_base: 400');
is(req($a->{key}, PUT => '/v1/providers/00000000-0000-4000-8000-000000000000',
       json => { display_name => 'x' })->{status}, 404, 'update of an unknown id: 404');

is(req($ro, POST => '/v1/providers', json => { name => 'ro', provider_type => 'xai' })->{status}, 403,
   'a read-only key cannot create');
is(req($ro, GET => '/v1/providers')->{status}, 200, '... but lists');

# ==== checks against the local server ======================================
my $calls0 = q1('SELECT count(*) FROM llm_calls');
$r = req($a->{key}, POST => "/v1/providers/$p1->{id}/verify", json => { model => 'gpt-4o-mini' });
is_deeply([$r->{status}, $r->{json}], [200, { valid => JSON::PP::true }], 'verify: valid');
served($r, goclaw => POST => '/v1/providers/{id}/verify', 'a valid verify');
is(q1('SELECT count(*) FROM llm_calls') - $calls0, 1, '... a minimal call, recorded');
is(q1("SELECT status || ' ' || model || ' ' || (input_tokens > 0) FROM llm_calls"
      . " WHERE provider_id = '$p1->{id}'"), 'ok gpt-4o-mini true', '... with its model and tokens');
is(q1("SELECT status FROM llm_providers WHERE id = '$p1->{id}'"), 'ok', '... the provider\'s status ok');
my ($seen) = grep { $_->{path} eq '/v1/chat/completions' } @{ $llm->requests("$dir/llm.log") };
is($seen->{headers}{authorization}, "Bearer $KEY", 'the key reached the provider, and only there');

$r = req($a->{key}, POST => "/v1/providers/$p3->{id}/verify", body => '');
is($r->{status}, 200, 'verify a refused key (no body): 200');
ok(!$r->{json}{valid}, '... not valid');
like($r->{json}{error}, qr/401.*Incorrect API key/, '... with the provider\'s words');
served($r, goclaw => POST => '/v1/providers/{id}/verify', 'an invalid verify');
unlike($r->{content}, qr/sk-wrong/, '... but not the key the provider quoted');
like($r->{json}{error}, qr/provided: \*{8}/, '... which is masked');
is(q1("SELECT count(*) FROM llm_calls WHERE error LIKE '%sk-wrong%'"), 0, '... in llm_calls too');
$r = req($a->{key}, GET => "/v1/providers/$p3->{id}");
is_deeply([$r->{json}{status}, $r->{json}{last_error} =~ /401/ ? 1 : 0], ['error', 1],
          'a provider whose check failed: status error, last_error why');
like($r->{json}{last_checked_at}, $TS, '... last_checked_at');
served($r, goclaw => GET => '/v1/providers/{id}', 'a provider whose check failed');

$r = req($a->{key}, GET => "/v1/providers/$p1->{id}/models");
is($r->{status}, 200, 'models');
ok((grep { $_->{id} eq 'gpt-4o-mini' } @{ $r->{json}{models} }), '... the provider\'s listing');
served($r, goclaw => GET => '/v1/providers/{id}/models', 'an OpenAI listing');
$r = req($a->{key}, GET => "/v1/providers/$p2->{id}/models");
is_deeply([map { $_->{id} } @{ $r->{json}{models} }], ['claude-3-5-haiku-20241022', 'claude-sonnet-4-20250514'],
          'models of an anthropic_native provider (its /v1/models)');
served($r, goclaw => GET => '/v1/providers/{id}/models', 'an Anthropic listing');
$r = req($a->{key}, POST => "/v1/providers/$p2->{id}/verify");
is_deeply($r->{json}, { valid => JSON::PP::true }, 'verify anthropic_native: its first model answers');
my ($msg) = grep { $_->{path} eq '/v1/messages' } @{ $llm->requests("$dir/llm.log") };
is_deeply([$msg->{headers}{'x-api-key'}, $msg->{headers}{'anthropic-version'}, $msg->{body}{model}],
          [$KEY, '2023-06-01', 'claude-3-5-haiku-20241022'], '... x-api-key, anthropic-version, the model');

# ==== G4F =================================================================
$r = req($a->{key}, GET => "$G/providers");
is($r->{status}, 200, 'G4F list');
served($r, g4f => GET => '/providers', 'the G4F list');
my %g = map { $_->{id} => $_ } @{ $r->{json}{items} };
is_deeply([sort keys %g], [qw(claude local-openai no-base wrong-key)], 'the same providers, by name');
is_deeply([@{ $g{'local-openai'} }{qw(label type status base_url)}], ['Renamed', 'openai_compat', 'ok', $LLM],
          'label, type, status of the last check, base_url');
is_deeply($g{'local-openai'}{supports}, [qw(chat stream tools models)], 'supports');
like($g{'local-openai'}{last_checked_at}, $TS, 'last_checked_at');
is($g{'no-base'}{base_url}, 'https://api.deepseek.com/v1', 'no api_base: the type\'s default');
is($g{'wrong-key'}{status}, 'error', 'a failed check: error');
is($r->{json}{next_cursor}, undef, 'one page');
$r = req($a->{key}, GET => "$G/providers?limit=3");
is_deeply([scalar @{ $r->{json}{items} }, $r->{json}{next_cursor}], [3, 3], 'limit=3: next_cursor 3');
served($r, g4f => GET => '/providers', 'a G4F page with a next cursor');
$r = req($a->{key}, GET => "$G/providers?limit=3&cursor=3");
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], ['no-base'], '... and the rest');

$r = req($a->{key}, GET => "$G/providers/local-openai/models");
is($r->{status}, 200, 'G4F models');
served($r, g4f => GET => '/providers/{provider_id}/models', 'the G4F models');
my ($mini) = grep { $_->{id} eq 'gpt-4o-mini' } @{ $r->{json}{items} };
is_deeply($mini, { id => 'gpt-4o-mini', label => 'gpt-4o-mini', context_tokens => undef,
                   capabilities => [qw(chat stream tools)],
                   pricing => { input => 0.15, output => 0.6, currency => 'USD', unit => '1M tokens' } },
          'a model: id, label, capabilities, pricing');
$r = req($a->{key}, GET => "$G/providers/local-openai/models?q=GPT-4O");
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [qw(gpt-4o-mini gpt-4o)], 'q: any case');
$r = req($a->{key}, GET => "$G/providers/local-openai/models?limit=2");
is_deeply([scalar @{ $r->{json}{items} }, $r->{json}{next_cursor}], [2, 2], 'limit: a page');
served($r, g4f => GET => '/providers/{provider_id}/models', 'a page of G4F models');
$r = req($a->{key}, GET => "$G/providers/local-openai/models?capability=vision");
is_deeply($r->{json}{items}, [], 'a capability none has: none');
is(req($a->{key}, GET => "$G/providers/nope/models")->{status}, 404, 'an unknown provider: 404');

$r = req($a->{key}, POST => "$G/providers/claude/test", json => { model => 'claude-sonnet-4-20250514' });
is($r->{status}, 200, 'G4F test');
served($r, g4f => POST => '/providers/{provider_id}/test', 'a G4F test that passed');
ok($r->{json}{ok}, '... ok');
like($r->{json}{latency_ms}, qr/^\d+$/, '... latency_ms');
is_deeply([@{ $r->{json}{details} }{qw(model http_status status)}], ['claude-sonnet-4-20250514', 200, 'ok'],
          '... details');
$r = req($a->{key}, POST => "$G/providers/$p1->{id}/test", body => '');
ok($r->{json}{ok}, 'test by id, without a body: the first model listed') or diag explain $r;
$r = req($a->{key}, POST => "$G/providers/wrong-key/test", json => { model => 'gpt-4o' });
ok(!$r->{json}{ok}, 'test of a refused key: not ok');
like($r->{json}{details}{error}, qr/401/, '... why');
is($r->{json}{details}{http_status}, 401, '... the provider\'s status');
served($r, g4f => POST => '/providers/{provider_id}/test', 'a G4F test that failed');
$r = req($a->{key}, POST => "$G/providers/wrong-key/test", body => '');
is_deeply([$r->{status}, $r->{json}{ok} ? 1 : 0, $r->{json}{details}{model}], [200, 0, undef],
          'test with no model to call (the listing fails): not ok, no model');
like($r->{json}{details}{error}, qr/no model to call/, '... why');
served($r, g4f => POST => '/providers/{provider_id}/test', 'a G4F test with no model');

$r = req($a->{key}, POST => "$G/providers/scan", json => {});
is($r->{status}, 200, 'scan');
served($r, g4f => POST => '/providers/scan', 'the scan');
is_deeply([sort @{ $r->{json}{discovered} }], [qw(claude local-openai)], '... discovered what answered');
is(scalar @{ $r->{json}{warnings} }, 2, '... a warning per provider that did not');
ok(!$r->{json}{ok}, '... so not ok');
ok((grep { /^wrong-key: .*401/ } @{ $r->{json}{warnings} }), '... naming it and why');
$r = req($a->{key}, POST => "$G/providers/scan", json => { include => ['claude', 'ghost'] });
is_deeply([$r->{json}{discovered}, $r->{json}{warnings}], [['claude'], ['ghost: no such provider']],
          'scan include: only those; an unknown one warned of');
is(req($a->{key}, POST => "$G/providers/scan", json => { include => 'claude' })->{status}, 400,
   'include not an array: 400');
is(req($ro, POST => "$G/providers/scan")->{status}, 403, 'a read-only key cannot scan');

# ==== the address policy at connect time ====================================
# a second host on the same database, without HubOutboundAllow: a
# provider at a loopback name it resolves (localhost) is refused when the
# call connects, before anything is sent
my $strict = HubTest->new(name => 'llm_providers_strict', share => $hub, conf => "HubSecretKeyFile $keyfile");
$r = req($a->{key}, POST => '/v1/providers',
         json => { name => 'by-name', provider_type => 'ollama', api_base => "http://localhost:$llm->{port}/v1" });
is($r->{status}, 201, 'a provider named by host name: stored (names are judged at connect time)');
my $by_name = $r->{json}{id};
my $before = scalar @{ $llm->requests("$dir/llm.log") };
$r = $strict->request(POST => "/v1/providers/$by_name/verify", json => { model => 'gpt-4o-mini' },
                      headers => { Authorization => "Bearer $a->{key}" });
is($r->{status}, 200, 'verify it on a host without HubOutboundAllow: 200');
ok(!$r->{json}{valid}, '... not valid');
like($r->{json}{error}, qr/internal.*not allowed/, '... the address is refused');
is(scalar @{ $llm->requests("$dir/llm.log") }, $before, '... and the provider saw nothing');
$r = $strict->request(POST => '/v1/providers',
                      json => { name => 'loop', provider_type => 'ollama', api_base => 'http://127.0.0.1:9/v1' },
                      headers => { Authorization => "Bearer $a->{key}" });
is($r->{status}, 400, 'a literal loopback api_base there: 400');

# ==== tenants ==============================================================
$r = req($b->{key}, GET => '/v1/providers');
is_deeply($r->{json}, { providers => [] }, 'another tenant sees none of them');
is(req($b->{key}, GET => "/v1/providers/$p1->{id}")->{status}, 404, '... get: 404');
is(req($b->{key}, PUT => "/v1/providers/$p1->{id}", json => { display_name => 'x' })->{status}, 404,
   '... update: 404');
is(req($b->{key}, DELETE => "/v1/providers/$p1->{id}")->{status}, 404, '... delete: 404');
is(req($b->{key}, POST => "/v1/providers/$p1->{id}/verify")->{status}, 404, '... verify: 404');
is(req($b->{key}, GET => "$G/providers/local-openai/models")->{status}, 404, '... G4F models: 404');
is_deeply(req($b->{key}, GET => "$G/providers")->{json}{items}, [], '... G4F list: empty');
$r = req($b->{key}, POST => '/v1/providers', json => { name => 'local-openai', provider_type => 'xai' });
is($r->{status}, 201, 'the same name in another tenant');
is(q1("UPDATE llm_providers SET api_key = (SELECT api_key FROM llm_providers WHERE id = '$p1->{id}')"
      . " WHERE id = '$r->{json}{id}' RETURNING 1"), 1, '(a sealed key copied into the other tenant\'s row)');
$r = req($b->{key}, POST => "/v1/providers/$r->{json}{id}/verify", json => { model => 'x' });
is($r->{status}, 500, '... does not open there');
unlike($r->{content}, qr/S3CRET/, '... and is not answered');

# ==== delete ================================================================
$r = req($a->{key}, DELETE => "/v1/providers/$p4->{id}");
is_deeply([$r->{status}, $r->{json}], [200, { status => 'deleted' }], 'delete: {"status": "deleted"}');
served($r, goclaw => DELETE => '/v1/providers/{id}', 'the delete');
is(req($a->{key}, GET => "/v1/providers/$p4->{id}")->{status}, 404, '... gone');
is(req($a->{key}, DELETE => "/v1/providers/$p4->{id}")->{status}, 404, '... twice: 404');

# ==== the key is nowhere =====================================================
ok(!(grep { index($_, $KEY) >= 0 } @answers), 'the key is in no answer');
unlike($hub->slurp($hub->error_log_path), qr/S3CRET|sk-wrong/, '... and in no log line');
$hub->log_is_clean;
done_testing;
