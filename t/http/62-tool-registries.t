# The tool registries (sql/039): GoClaw's /v1/skills (multipart uploads),
# /v1/tools/custom and /v1/tools/builtin, and G4F's /tools with /invoke —
# custom tools being one table for both profiles.  A tool's handler is an
# HTTP request (to a local endpoint here, its header values sealed and
# ${secret:NAME} resolved at call time, under HubOutboundAllow) or a tool
# of one of the tenant's MCP servers (the reference server-everything);
# invoke checks the arguments against the tool's schema.  Built-in tools
# are the gateway's meta tools: disabling one takes it out of compact
# navigators.  Every object is the tenant's own; no secret is ever
# answered.  Every operation's live answers hold to the served OpenAPI
# documents: the documented success status, the declared schema, every
# member declared (t/lib/HubSchema.pm).
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use HubTest;
use HubMcp;
use HubGateway;
use HubSchema qw(validate resolve);

HubMcp::require_peers();
my $JSON = JSON::PP->new->canonical;
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/secret.key";
{ open my $fh, '>', $keyfile or die; print $fh unpack('H*', join '', map { chr int rand 256 } 1 .. 32), "\n";
  close $fh; chmod 0600, $keyfile; }
my $hub = HubTest->new(conf => join "\n",
    "HubSecretKeyFile $keyfile",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2',
    '<Location /mcp>',
    '    HubMcpGateway On',
    '</Location>');
my $db = $hub->db;
my $G = '/g4f/api/v1';
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
my $ro = $hub->hubctl('create-key', 'acme', '--scopes', 'operator.read');
my @SECRETS = ('s3cr3t-token-value', 'static-value-123');
my @answers;    # every answer, to look for the secrets in at the end

sub req {
    my ($k, $m, $p, %o) = @_;
    my $r = $hub->request($m, $p, %o, headers => { Authorization => "Bearer $k", %{ $o{headers} || {} } });
    push @answers, $r->{content} // '';
    return $r;
}
sub q1 { $hub->psql($db, $_[0]) }

# ---- the served documents: each answer below checked against its operation
my %DOC = (goclaw => $hub->get('/v1/openapi.json')->{json} || {}, g4f => $hub->get("$G/openapi.json")->{json} || {});
my %documented;    # "profile METHOD template" => answers checked
# The members of value its schema does not declare, as paths.
sub undeclared {
    my ($d, $schema, $v, $at) = @_;
    $schema = resolve($d, $schema->{'$ref'}) while $schema->{'$ref'};
    return () if $schema->{anyOf} || $schema->{oneOf} || exists $schema->{additionalProperties};
    if (ref $v eq 'ARRAY') {
        return () unless $schema->{items};
        my %u;
        return grep { !$u{$_}++ } map { undeclared($d, $schema->{items}, $_, "$at\[]") } @$v;
    }
    return () unless ref $v eq 'HASH';
    my $props = $schema->{properties} or return ();
    return map { $props->{$_} ? undeclared($d, $props->{$_}, $v->{$_}, "$at.$_") : "$at.$_" } sort keys %$v;
}
# The answer r of operation "METHOD template" of profile p: its status the
# documented success status, its body valid by the declared schema (no
# bare object: more than its type), each of its members declared.
sub as_documented {
    my ($r, $p, $method, $template, $what) = @_;
    my $tag = "$p $method $template" . ($what ? " ($what)" : '');
    my $op = (($DOC{$p}{paths} || {})->{$template} || {})->{lc $method};
    ok($op, "$tag: documented") or return $r;
    my ($ok) = grep { /^2/ } sort keys %{ $op->{responses} };
    is($r->{status}, $ok, "$tag: the documented success status ($ok)") or return $r;
    my $schema = (($op->{responses}{$ok}{content} || {})->{'application/json'} || {})->{schema};
    ok($schema, "$tag: an answer schema") or return $r;
    my $s = $schema;
    $s = resolve($DOC{$p}, $s->{'$ref'}) while $s->{'$ref'};
    ok($s->{properties}, "$tag: an object of declared members");
    my $value = eval { JSON::PP->new->decode($r->{content}) };
    my @e = validate($DOC{$p}, $schema, $value);
    ok(!@e, "$tag: validates") or diag(join("\n", @e[0 .. ($#e > 5 ? 5 : $#e)]), "\n", substr($r->{content}, 0, 500));
    is_deeply([undeclared($DOC{$p}, $schema, $value, '')], [], "$tag: every member declared");
    $documented{"$p $method $template"}++;
    return $r;
}
sub gc_err {
    my ($r, $status, $re, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    like($r->{json}{error} // '', $re, "  in GoClaw's envelope: {\"error\": ...}")
        or diag(explain($r->{json} // $r->{content}));
}
sub g4f_err {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    is($r->{json}{error}{code}, $code, "  $code in G4F's envelope") or diag(explain($r->{json} // $r->{content}));
    ok(length($r->{json}{error}{message} // '') && defined $r->{json}{error}{request_id}, '  with message and request_id');
}

# ==== skills ==================================================================
my $B = 'hub-boundary-42';
sub multipart {
    my ($boundary, @parts) = @_;
    my $body = '';
    for (@parts) {
        my ($name, $file, $content) = @$_;
        $body .= "--$boundary\r\nContent-Disposition: form-data; name=\"$name\""
               . (defined $file ? "; filename=\"$file\"" : '') . "\r\nContent-Type: text/plain\r\n\r\n$content\r\n";
    }
    return $body . "--$boundary--\r\n";
}
sub upload {
    my ($k, $m, $p, @parts) = @_;
    return req($k, $m, $p, headers => { 'content-type' => "multipart/form-data; boundary=$B" },
               body => multipart($B, @parts));
}
sub skill_md {
    my ($name, $desc, $body) = @_;
    return "---\nname: $name\ndescription: \"$desc\"\nlicense: MIT\n---\n\n# $name\n\n" . ($body // 'Do the thing.') . "\n";
}

my $md = skill_md('pdf-forms', 'Fill in PDF forms');
my $r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', $md],
               ['files', 'reference/fields.md', "# Fields\n"], ['files', 'scripts/fill.py', "print('x')\n"]);
is($r->{status}, 201, 'upload a skill: SKILL.md and two files, 201') or diag(explain($r->{json} // $r->{content}));
as_documented($r, goclaw => POST => '/v1/skills');
my $skill = $r->{json};
is($skill->{name}, 'pdf-forms', "  named by SKILL.md's front matter");
is($skill->{description}, 'Fill in PDF forms', '  described by it (quotes taken off)');
is($skill->{version}, 1, '  version 1');
ok($skill->{enabled}, '  enabled');
is_deeply($skill->{files}, [{ path => 'reference/fields.md', size => 9 }, { path => 'scripts/fill.py', size => 11 }],
          '  its files by path, with sizes');
is($skill->{size}, length($md) + 9 + 11, '  size: every byte of the package');
like($skill->{sha256}, qr/^[0-9a-f]{64}$/, '  a digest');
$r = as_documented(req($a->{key}, GET => '/v1/skills'), goclaw => GET => '/v1/skills');
is_deeply([map { $_->{name} } @{ $r->{json}{skills} }], ['pdf-forms'], 'list: {"skills": [...]}');
ok(!exists $r->{json}{skills}[0]{content}, '  without the content');
$r = as_documented(req($a->{key}, GET => "/v1/skills/$skill->{id}"), goclaw => GET => '/v1/skills/{id}');
is($r->{json}{content}, $md, 'get: SKILL.md as uploaded');
is($r->{json}{files}[1]{content}, "print('x')\n", '  and each file with its content');

$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', $md]);
gc_err($r, 409, qr/already exists/, 'the same name again');

# ---- malformed uploads: a 4xx naming the problem ----------------------------
$r = upload($a->{key}, POST => '/v1/skills', ['files', 'a.md', 'x']);
gc_err($r, 400, qr/part file .*required/, 'no part file');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', "# no front matter\n"]);
gc_err($r, 400, qr/front matter/, 'SKILL.md without front matter');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', "---\ndescription: x\n---\n"]);
gc_err($r, 400, qr/no name/, 'front matter without a name');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('Bad Name', 'x')]);
gc_err($r, 400, qr/lowercase/, 'a name that is not lowercase-and-hyphens');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('ok-name', 'x')],
            ['files', '../../etc/passwd', 'x']);
gc_err($r, 400, qr/relative path/, 'a file path that climbs out');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('ok-name', 'x')], ['other', undef, 'x']);
gc_err($r, 400, qr/unknown form field other/, 'a part of another name');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('ok-name', 'x')],
            ['files', 'a.bin', "\0\1\2"]);
gc_err($r, 400, qr/text/, 'a binary file');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'skill.zip', "PK\x03\x04rest"]);
gc_err($r, 415, qr/zip/, 'a zip archive');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('big-one', 'x', 'y' x (300 * 1024))]);
gc_err($r, 413, qr/too large/, 'a file over 256 KiB');
$r = upload($a->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('big-two', 'x')],
            map { ['files', "f$_.md", 'z' x (200 * 1024)] } 1 .. 6);
gc_err($r, 413, qr/too large/, 'a package over 1 MiB');
$r = req($a->{key}, POST => '/v1/skills', headers => { 'content-type' => 'multipart/form-data; boundary=other' },
         body => multipart($B, ['file', 'SKILL.md', skill_md('ok-name', 'x')]));
gc_err($r, 400, qr/malformed multipart/, 'a boundary the body does not use');
$r = req($a->{key}, POST => '/v1/skills', headers => { 'content-type' => "multipart/form-data; boundary=$B" },
         body => "--$B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" . skill_md('cut', 'x'));
gc_err($r, 400, qr/malformed multipart/, 'a body cut before its closing delimiter');
$r = req($a->{key}, POST => '/v1/skills', headers => { 'content-type' => 'multipart/form-data' },
         body => multipart($B, ['file', 'SKILL.md', skill_md('ok-name', 'x')]));
gc_err($r, 400, qr/boundary/, 'multipart without a boundary');
$r = req($a->{key}, POST => '/v1/skills', json => { name => 'x' });
gc_err($r, 415, qr/multipart/, 'a JSON body');
$r = upload($ro, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('ro-skill', 'x')]);
is($r->{status}, 403, 'a read-only key cannot upload');
is(q1('SELECT count(*) FROM skills'), 1, 'none of these stored anything');

# ---- update: a new package, or settings --------------------------------------
$r = upload($a->{key}, PUT => "/v1/skills/$skill->{id}", ['file', 'SKILL.md', skill_md('pdf-filler', 'Fill PDFs, v2')]);
is_deeply([$r->{status}, $r->{json}], [200, { status => 'updated' }], 'PUT a new package: {"status": "updated"}');
as_documented($r, goclaw => PUT => '/v1/skills/{id}', 'a package');
$r = req($a->{key}, GET => "/v1/skills/$skill->{id}");
is_deeply([@{ $r->{json} }{qw(name version description)}, scalar @{ $r->{json}{files} }],
          ['pdf-filler', 2, 'Fill PDFs, v2', 0], '  renamed, version 2, its files replaced');
$r = req($a->{key}, PUT => "/v1/skills/$skill->{id}", json => { enabled => JSON::PP::false });
is($r->{status}, 200, 'PUT JSON settings');
as_documented($r, goclaw => PUT => '/v1/skills/{id}', 'settings');
is(req($a->{key}, GET => "/v1/skills/$skill->{id}")->{json}{enabled}, JSON::PP::false, '  disabled');
$r = req($a->{key}, PUT => "/v1/skills/$skill->{id}", json => { name => 'other' });
gc_err($r, 400, qr/not a setting/, 'PUT JSON with a member that is no setting');

# ---- another tenant -------------------------------------------------------------
is_deeply(req($b->{key}, GET => '/v1/skills')->{json}{skills}, [], "B's list is empty");
gc_err(req($b->{key}, GET => "/v1/skills/$skill->{id}"), 404, qr/not found/, "B reads A's skill");
gc_err(upload($b->{key}, PUT => "/v1/skills/$skill->{id}", ['file', 'SKILL.md', skill_md('stolen', 'x')]),
       404, qr/not found/, "B replaces A's skill");
gc_err(req($b->{key}, DELETE => "/v1/skills/$skill->{id}"), 404, qr/not found/, "B deletes A's skill");
is(upload($b->{key}, POST => '/v1/skills', ['file', 'SKILL.md', skill_md('pdf-filler', 'B too')])->{status}, 201,
   'B may use the same name');
$r = as_documented(req($a->{key}, DELETE => "/v1/skills/$skill->{id}"), goclaw => DELETE => '/v1/skills/{id}');
is_deeply($r->{json}, { status => 'deleted' }, 'delete');
gc_err(req($a->{key}, GET => "/v1/skills/$skill->{id}"), 404, qr/not found/, '  gone');

# ==== custom tools ===============================================================
# a local HTTP tool: answers what it was sent (but never its headers)
my $api = HubMcp::canned(sub {
    my ($q) = @_;
    my $body = eval { decode_json($q->{body}) };
    return HubMcp::http_json(404, { error => 'no such city' }) if $body && ($body->{city} // '') eq 'Nowhere';
    return HubMcp::http(200, 'text/plain', 'plain words') if $q->{path} =~ /text/;
    return HubMcp::http_json(200, { method => $q->{method}, path => $q->{path}, got => $body });
});
my $api_url = "http://127.0.0.1:$api->{port}/weather";
is(req($a->{key}, POST => '/api/secrets', json => { name => 'TOOL_TOKEN', value => $SECRETS[0] })->{status}, 201,
   'a Tool Hub secret for the tool to name');
my $weather_schema = { type => 'object', properties => { city => { type => 'string', minLength => 1 },
                                                         days => { type => 'integer', minimum => 1, maximum => 7 } },
                       required => ['city'], additionalProperties => JSON::PP::false };
$r = req($a->{key}, POST => '/v1/tools/custom', json => {
    name => 'weather', description => 'The weather of a city', parameters => $weather_schema,
    handler => { type => 'http', url => $api_url, method => 'post',
                 headers => { Authorization => 'Bearer ${secret:TOOL_TOKEN}', 'X-Static' => $SECRETS[1] } } });
is($r->{status}, 201, 'create a custom tool with an http handler: 201') or diag(explain($r->{json}));
as_documented($r, goclaw => POST => '/v1/tools/custom', 'an http handler');
my $weather = $r->{json};
is_deeply($weather->{handler}, { type => 'http', url => $api_url, method => 'POST',
                                 headers => { Authorization => '********', 'X-Static' => '********' } },
          '  its handler answered with the header values masked');
is_deeply($weather->{parameters}, $weather_schema, '  its parameters schema');
is_deeply([@$weather{qw(scope timeout_seconds enabled)}], ['tenant', 30, JSON::PP::true], '  defaults');
unlike(q1("SELECT secrets::text FROM custom_tools WHERE id = '$weather->{id}'"), qr/static-value|secret:/,
       '  the header values are sealed at rest');
like(q1("SELECT secrets->>'X-Static' FROM custom_tools WHERE id = '$weather->{id}'"), qr/^v1:/, '  (v1:...)');
$r = as_documented(req($a->{key}, GET => '/v1/tools/custom'), goclaw => GET => '/v1/tools/custom');
is_deeply([map { $_->{name} } @{ $r->{json}{tools} }], ['weather'], 'list: {"tools": [...]}');
$r = as_documented(req($a->{key}, GET => "/v1/tools/custom/$weather->{id}"), goclaw => GET => '/v1/tools/custom/{id}');
is($r->{json}{name}, 'weather', 'get');
gc_err(req($a->{key}, POST => '/v1/tools/custom', json => { name => 'weather', handler => { type => 'http', url => $api_url } }),
       409, qr/already exists/, 'the same name again');

# ---- handlers that are refused ----------------------------------------------------
my %bad = (
    'a shell command'                 => [{ type => 'shell', command => 'rm -rf /' }, qr/"http" or "mcp"/],
    'a command beside an http handler' => [{ type => 'http', url => $api_url, command => 'id' }, qr/handler\.command/],
    'a private address'               => [{ type => 'http', url => 'http://10.0.0.1/x' }, qr/may not connect/],
    'the metadata address'            => [{ type => 'http', url => 'http://169.254.169.254/latest/meta-data' },
                                          qr/may not connect/],
    'a file: URL'                     => [{ type => 'http', url => 'file:///etc/passwd' }, qr/handler\.url/],
    'a secret in the URL'             => [{ type => 'http', url => "$api_url?k=\${secret:TOOL_TOKEN}" }, qr/not in the URL/],
    'a Host header'                   => [{ type => 'http', url => $api_url, headers => { Host => 'x' } }, qr/header name/],
    'an unknown method'               => [{ type => 'http', url => $api_url, method => 'TRACE' }, qr/handler\.method/],
    'an mcp handler without a server' => [{ type => 'mcp', tool => 'echo' }, qr/server_id/],
);
for my $what (sort keys %bad) {
    gc_err(req($a->{key}, POST => '/v1/tools/custom', json => { name => 'bad', handler => $bad{$what}[0] }),
           400, $bad{$what}[1], "create: $what");
}
gc_err(req($a->{key}, POST => '/v1/tools/custom', json => { name => 'bad', parameters => { type => 'string' },
                                                           handler => { type => 'http', url => $api_url } }),
       400, qr/describe an object/, 'create: parameters that are not an object schema');
gc_err(req($a->{key}, POST => '/v1/tools/custom', json => { name => 'bad', parameters => { type => 'object',
           properties => { x => { type => 'strin' } } }, handler => { type => 'http', url => $api_url } }),
       400, qr/properties\.x\.type/, 'create: a schema with an unknown type');
gc_err(req($a->{key}, POST => '/v1/tools/custom', json => { name => '1abc', handler => { type => 'http', url => $api_url } }),
       400, qr/name/, 'create: a name that does not begin with a letter');
is(req($ro, POST => '/v1/tools/custom', json => { name => 'ro', handler => { type => 'http', url => $api_url } })->{status},
   403, 'create with a read-only key: 403');
is(q1('SELECT count(*) FROM custom_tools'), 1, 'none of them stored');

# ---- update ------------------------------------------------------------------------
$r = req($a->{key}, PUT => "/v1/tools/custom/$weather->{id}", json => { description => 'Weather, by city',
    handler => { type => 'http', url => $api_url, headers => { Authorization => '********', 'X-Static' => '********',
                                                               'X-Extra' => 'extra' } } });
is_deeply([$r->{status}, $r->{json}], [200, { status => 'updated' }], 'PUT: {"status": "updated"}');
as_documented($r, goclaw => PUT => '/v1/tools/custom/{id}');
$r = req($a->{key}, GET => "/v1/tools/custom/$weather->{id}");
is($r->{json}{description}, 'Weather, by city', '  the description changed');
is_deeply([sort keys %{ $r->{json}{handler}{headers} }], ['Authorization', 'X-Extra', 'X-Static'],
          '  a header added, the masked ones kept');
gc_err(req($a->{key}, PUT => "/v1/tools/custom/$weather->{id}",
           json => { handler => { type => 'http', url => $api_url, headers => { 'X-New' => '********' } } }),
       400, qr/no stored value|there is none/, 'PUT: "********" for a header never stored');

# ==== G4F's /tools: the same table ===================================================
$r = as_documented(req($a->{key}, GET => "$G/tools"), g4f => GET => '/tools', 'the last page');
is_deeply([map { $_->{name} } @{ $r->{json}{items} }], ['weather'], "G4F's /tools lists GoClaw's custom tool");
is_deeply($r->{json}{items}[0]{schema}, $weather_schema, '  its parameters as schema');
ok(exists $r->{json}{items}[0]{created_at} && exists $r->{json}{items}[0]{scope}, '  with scope and created_at');
is($r->{json}{next_cursor}, undef, '  next_cursor null: the last page');

my $up = HubMcp::everything();
my $srv = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
my $bsrv = q1("INSERT INTO servers (tenant_id, slug, name, mode, endpoint) SELECT id, 'b-srv', 'B srv', 'remote',"
             . " '$up->{url}' FROM tenants WHERE slug = 'bravo' RETURNING id");
$r = req($a->{key}, POST => "$G/tools", json => {
    name => 'echo', scope => 'project', description => 'Echo a message',
    schema => { type => 'object', properties => { message => { type => 'string' } }, required => ['message'] },
    handler => { type => 'mcp', server_id => $srv, tool => 'echo' } });
is($r->{status}, 200, 'G4F: create a tool with an mcp handler') or diag(explain($r->{json}));
as_documented($r, g4f => POST => '/tools');
my $echo = $r->{json}{tool_id};
ok($echo, '  {"tool_id"}');
$r = as_documented(req($a->{key}, GET => "/v1/tools/custom/$echo"), goclaw => GET => '/v1/tools/custom/{id}',
                   'an mcp handler');
is_deeply($r->{json}{handler}, { type => 'mcp', server_id => $srv, tool => 'echo' }, "  GoClaw's view of its handler");
g4f_err(req($a->{key}, POST => "$G/tools", json => { name => 'x', scope => 'tenant', description => '',
                                                    schema => { type => 'object' } }),
        400, 'VALIDATION_ERROR', 'G4F: create without a handler');
g4f_err(req($a->{key}, POST => "$G/tools", json => { name => 'x', scope => 'tenant', description => '',
    schema => { type => 'object' }, handler => { type => 'mcp', server_id => $bsrv, tool => 'echo' } }),
        400, 'VALIDATION_ERROR', "G4F: an mcp handler on another tenant's server");
g4f_err(req($a->{key}, POST => "$G/tools", json => { name => 'weather', scope => 'tenant', description => '',
    schema => { type => 'object' }, handler => { type => 'http', url => $api_url } }),
        409, 'CONFLICT', 'G4F: a name in use');

# ---- list: filters and pages ----------------------------------------------------------
$r = as_documented(req($a->{key}, GET => "$G/tools?limit=1"), g4f => GET => '/tools', 'a page with a next');
is_deeply([(map { $_->{name} } @{ $r->{json}{items} }), $r->{json}{next_cursor}], ['echo', 1],
          'limit=1: the newest, next_cursor 1');
$r = req($a->{key}, GET => "$G/tools?limit=1&cursor=1");
is_deeply([(map { $_->{name} } @{ $r->{json}{items} }), $r->{json}{next_cursor}], ['weather', undef],
          'cursor=1: the next, and the end');
is_deeply([map { $_->{name} } @{ req($a->{key}, GET => "$G/tools?scope=project")->{json}{items} }], ['echo'],
          'scope=project');
is_deeply([map { $_->{name} } @{ req($a->{key}, GET => "$G/tools?q=CITY")->{json}{items} }], ['weather'],
          'q= in the description, any case');
g4f_err(req($a->{key}, GET => "$G/tools?limit=0"), 400, 'VALIDATION_ERROR', 'limit=0');

# ---- invoke: through the MCP server ------------------------------------------------------
$r = req($a->{key}, POST => "$G/tools/$echo/invoke", json => { args => { message => 'hi hub' } });
is($r->{status}, 200, 'invoke the mcp tool') or diag(explain($r->{json}));
as_documented($r, g4f => POST => '/tools/{tool_id}/invoke', 'an mcp tool');
ok($r->{json}{ok}, '  ok');
is($r->{json}{result}{content}[0]{text}, 'Echo: hi hub', "  the MCP server's CallToolResult");
$r = req($a->{key}, POST => "$G/tools/$echo/invoke", json => { args => {} });
g4f_err($r, 400, 'VALIDATION_ERROR', 'invoke without a required argument');
is_deeply($r->{json}{error}{details}{fields}, [{ field => 'args.message', type => 'missing', msg => 'Field required' }],
          '  details name it');

# ---- invoke: through the http handler ------------------------------------------------------
my $proj = req($a->{key}, POST => "$G/projects", json => { name => 'tools-proj' })->{json}{project}{id};
$r = req($a->{key}, POST => "$G/tools/$weather->{id}/invoke",
         json => { args => { city => 'Paris', days => 3 }, context => { project_id => $proj } });
is($r->{status}, 200, 'invoke the http tool') or diag(explain($r->{json}));
as_documented($r, g4f => POST => '/tools/{tool_id}/invoke', 'an http tool');
is_deeply($r->{json}, { ok => JSON::PP::true, http_status => 200,
                        result => { method => 'POST', path => '/weather', got => { city => 'Paris', days => 3 } } },
          '  ok, with the JSON the endpoint answered to the arguments it was sent');
my ($sent) = grep { ($_->{path} // '') eq '/weather' } @{ $api->requests };
is($sent->{headers}{authorization}, "Bearer $SECRETS[0]", '  ${secret:TOOL_TOKEN} was put in the header sent');
is($sent->{headers}{'x-static'}, $SECRETS[1], '  the sealed header value was sent as stored');
is($sent->{headers}{'x-hub-project-id'}, $proj, '  context.project_id as X-Hub-Project-Id');
like($sent->{headers}{'content-type'} // '', qr{application/json}, '  the arguments as JSON');
$r = req($a->{key}, POST => "$G/tools/$weather->{id}/invoke", json => { args => { city => 'Nowhere' } });
is_deeply([$r->{status}, $r->{json}{ok}, $r->{json}{http_status}, $r->{json}{result}],
          [200, JSON::PP::false, 404, { error => 'no such city' }], "the tool's own failure: ok false, its answer");
as_documented($r, g4f => POST => '/tools/{tool_id}/invoke', "the tool's failure");

my %args_bad = ('a wrong type' => [{ city => 5 }, 'args.city', 'type_error'],
                'an extra argument' => [{ city => 'Rome', wind => 1 }, 'args.wind', 'extra_forbidden'],
                'an integer out of range' => [{ city => 'Rome', days => 9 }, 'args.days', 'less_than_equal'],
                'a string too short' => [{ city => '' }, 'args.city', 'string_too_short']);
for my $what (sort keys %args_bad) {
    my ($args, $field, $type) = @{ $args_bad{$what} };
    $r = req($a->{key}, POST => "$G/tools/$weather->{id}/invoke", json => { args => $args });
    g4f_err($r, 400, 'VALIDATION_ERROR', "invoke with $what");
    is_deeply([map { [$_->{field}, $_->{type}] } @{ $r->{json}{error}{details}{fields} }], [[$field, $type]],
              "  $field: $type");
}
g4f_err(req($a->{key}, POST => "$G/tools/$weather->{id}/invoke", json => { args => 'Paris' }),
        400, 'VALIDATION_ERROR', 'args that are no object');
g4f_err(req($a->{key}, POST => "$G/tools/$weather->{id}/invoke", json => { args => { city => 'x' },
                                                                          context => { project_id => '00000000-0000-4000-8000-000000000000' } }),
        404, 'NOT_FOUND', 'a context.project_id that is no project of the tenant');
is(scalar(grep { ($_->{path} // '') eq '/weather' } @{ $api->requests }), 2, 'refused calls never reached the endpoint');

# a text answer; an endpoint that is down; an address refused when called
my $text = as_documented(req($a->{key}, POST => '/v1/tools/custom', json => { name => 'texty',
    handler => { type => 'http', url => "http://127.0.0.1:$api->{port}/text", method => 'GET' } }),
    goclaw => POST => '/v1/tools/custom', 'no headers')->{json};
$r = req($a->{key}, POST => "$G/tools/$text->{id}/invoke", json => { args => { q => 'a b' } });
is_deeply([$r->{json}{ok}, $r->{json}{result}], [JSON::PP::true, 'plain words'], 'a text answer is the result as text');
as_documented($r, g4f => POST => '/tools/{tool_id}/invoke', 'a text answer');
my ($got) = grep { ($_->{path} // '') =~ m{^/text} } @{ $api->requests };
is($got->{path}, '/text?q=a+b', '  GET sends the arguments as the query');
my $port = HubMcp::free_port();
my $down = req($a->{key}, POST => '/v1/tools/custom', json => { name => 'down',
    handler => { type => 'http', url => "http://127.0.0.1:$port/x" } })->{json};
$r = req($a->{key}, POST => "$G/tools/$down->{id}/invoke", json => { args => {} });
g4f_err($r, 502, 'UPSTREAM_UNREACHABLE', 'an endpoint that is down');
ok($r->{json}{error}{retryable}, '  retryable');
# as if its DNS name now pointed inside: the address is checked again at the call
q1("UPDATE custom_tools SET handler = jsonb_set(handler, '{url}', '\"http://10.1.2.3/x\"') WHERE id = '$down->{id}'");
g4f_err(req($a->{key}, POST => "$G/tools/$down->{id}/invoke", json => { args => {} }),
        403, 'OUTBOUND_REFUSED', 'an address the operator does not allow, at call time');
req($a->{key}, PUT => "/v1/tools/custom/$down->{id}", json => { enabled => JSON::PP::false });
g4f_err(req($a->{key}, POST => "$G/tools/$down->{id}/invoke", json => { args => {} }), 409, 'TOOL_DISABLED',
        'a disabled tool');

# ---- another tenant ------------------------------------------------------------------------
is_deeply(req($b->{key}, GET => "$G/tools")->{json}{items}, [], "B's G4F list is empty");
is_deeply(req($b->{key}, GET => '/v1/tools/custom')->{json}{tools}, [], "B's GoClaw list too");
g4f_err(req($b->{key}, POST => "$G/tools/$weather->{id}/invoke", json => { args => { city => 'Paris' } }),
        404, 'NOT_FOUND', "B invokes A's tool");
g4f_err(req($b->{key}, DELETE => "$G/tools/$echo"), 404, 'NOT_FOUND', "B deletes A's tool (G4F)");
gc_err(req($b->{key}, GET => "/v1/tools/custom/$weather->{id}"), 404, qr/not found/, "B reads A's tool (GoClaw)");
gc_err(req($b->{key}, PUT => "/v1/tools/custom/$weather->{id}", json => { description => 'x' }), 404, qr/not found/,
       "B updates A's tool");
g4f_err(req($b->{key}, POST => "$G/tools/$echo/invoke", json => { args => { message => 'x' }, context => { project_id => $proj } }),
        404, 'NOT_FOUND', "B invokes A's tool in A's project");
is(scalar(grep { ($_->{path} // '') eq '/weather' } @{ $api->requests }), 2, "  and A's endpoint was not called");

# ---- delete ----------------------------------------------------------------------------------
$r = as_documented(req($a->{key}, DELETE => "$G/tools/$echo"), g4f => DELETE => '/tools/{tool_id}');
is_deeply($r->{json}, { ok => JSON::PP::true }, 'G4F delete: {"ok": true}');
g4f_err(req($a->{key}, DELETE => "$G/tools/$echo"), 404, 'NOT_FOUND', '  again');
$r = as_documented(req($a->{key}, DELETE => "/v1/tools/custom/$text->{id}"), goclaw => DELETE => '/v1/tools/custom/{id}');
is_deeply($r->{json}, { status => 'deleted' }, 'GoClaw delete: {"status": "deleted"}');

# ==== built-in tools: the gateway's meta tools =================================================
$r = as_documented(req($a->{key}, GET => '/v1/tools/builtin'), goclaw => GET => '/v1/tools/builtin', 'never set');
is_deeply([map { $_->{name} } @{ $r->{json}{tools} }], ['search_tools', 'call_tool'],
          "built-in: the gateway's two meta tools, and no server's tool");
ok($r->{json}{tools}[0]{enabled} && $r->{json}{tools}[0]{input_schema}{properties}{query}, '  enabled, with their schema');
gc_err(req($a->{key}, GET => '/v1/tools/builtin/echo'), 404, qr/not found/, "an MCP server's tool is not built-in");
is(req($ro, PUT => '/v1/tools/builtin/search_tools', json => { enabled => JSON::PP::false })->{status}, 403,
   'a read-only key cannot change one');
$r = req($a->{key}, PUT => '/v1/tools/builtin/search_tools', json => { enabled => JSON::PP::false, settings => { note => 'off' } });
is_deeply([$r->{status}, $r->{json}{enabled}, $r->{json}{settings}], [200, JSON::PP::false, { note => 'off' }],
          'PUT: search_tools disabled, settings kept');
as_documented($r, goclaw => PUT => '/v1/tools/builtin/{name}');
$r = as_documented(req($a->{key}, GET => '/v1/tools/builtin/search_tools'), goclaw => GET => '/v1/tools/builtin/{name}');
is($r->{json}{enabled}, JSON::PP::false, '  read back');
as_documented(req($a->{key}, GET => '/v1/tools/builtin'), goclaw => GET => '/v1/tools/builtin', 'one set');
is(req($b->{key}, GET => '/v1/tools/builtin/search_tools')->{json}{enabled}, JSON::PP::true, "  not in B's tenant");

# a compact navigator of A's no longer offers it
my $g = HubGateway::navigator($hub, $a->{key}, $srv);
is($hub->request(PATCH => "/caylex/api/v1/navigators/$g->{navigator}", headers => { Authorization => "Bearer $a->{key}" },
                 json => { tool_exposure => 'compact' })->{json}{tool_exposure}, 'compact', 'a compact navigator');
my %META = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28', 'io.modelcontextprotocol/clientCapabilities' => {});
sub rpc {
    my ($method, $params) = @_;
    return $hub->request(POST => $g->{path},
        headers => { 'x-api-key' => $g->{key}, 'MCP-Protocol-Version' => '2026-07-28', 'Mcp-Method' => $method,
                     $params && $params->{name} ? ('Mcp-Name' => $params->{name}) : () },
        json => { jsonrpc => '2.0', id => 1, method => $method, params => { %{ $params || {} }, _meta => \%META } });
}
is_deeply([map { $_->{name} } @{ rpc('tools/list')->{json}{result}{tools} }], ['call_tool'],
          '  tools/list: only call_tool');
$r = rpc('tools/call', { name => 'search_tools', arguments => { query => 'echo' } });
is($r->{json}{error}{code}, -32602, '  search_tools cannot be called: -32602');
$r = rpc('tools/call', { name => 'call_tool', arguments => { name => 'everything__echo', arguments => { message => 'm' } } });
is($r->{json}{result}{content}[0]{text}, 'Echo: m', '  call_tool still works');
req($a->{key}, PUT => '/v1/tools/builtin/search_tools', json => { enabled => JSON::PP::true });
is_deeply([map { $_->{name} } @{ rpc('tools/list')->{json}{result}{tools} }], ['search_tools', 'call_tool'],
          '  enabled again: both');

# ==== every operation of the registries was checked against its document ====
my @OPS = split /\n/, <<'END';
goclaw GET /v1/skills
goclaw POST /v1/skills
goclaw GET /v1/skills/{id}
goclaw PUT /v1/skills/{id}
goclaw DELETE /v1/skills/{id}
goclaw GET /v1/tools/custom
goclaw POST /v1/tools/custom
goclaw GET /v1/tools/custom/{id}
goclaw PUT /v1/tools/custom/{id}
goclaw DELETE /v1/tools/custom/{id}
goclaw GET /v1/tools/builtin
goclaw GET /v1/tools/builtin/{name}
goclaw PUT /v1/tools/builtin/{name}
g4f GET /tools
g4f POST /tools
g4f DELETE /tools/{tool_id}
g4f POST /tools/{tool_id}/invoke
END
is_deeply([grep { !$documented{$_} } @OPS], [], scalar(@OPS) . ' operations answered as their documents say');
{
    # and a check that can fail: an undeclared member is found
    my $s = { type => 'object', properties => { a => { type => 'array', items => { type => 'object',
              properties => { b => { type => 'string' } } } } } };
    is_deeply([undeclared({}, $s, { a => [{ b => 'x', c => 1 }], d => 2 }, '')], ['.a[].c', '.d'],
              'undeclared members are found');
}

# ==== no secret in any answer ===================================================================
my @leaks = grep { my $c = $_; grep { index($c, $_) >= 0 } @SECRETS } @answers;
is(scalar @leaks, 0, 'no answer carried a header value or a secret (' . scalar(@answers) . ' answers)')
    or diag(join "\n", @leaks);
my $log = $hub->slurp($hub->error_log_path);
ok(!(grep { index($log, $_) >= 0 } @SECRETS), 'nor did the log');
ok($hub->log_is_clean, 'no errors logged');

done_testing();
