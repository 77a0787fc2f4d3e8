# The input rules of every profile, seen through the diagnostic echo
# endpoint (HubDiagnostics On): content type, body size (Content-Length and
# chunked), JSON syntax and depth, required fields, types, bounds - each
# answered with a 4xx in the profile's own envelope, never a 500.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use HubTest;

my $UTF8 = JSON::PP->new->utf8->canonical;
my $CT = { 'content-type' => 'application/json' };

# profile => echo path
my %ECHO = (
    patchwork => '/_hub/patchwork/echo',
    toolhub   => '/_hub/toolhub/echo',
    goclaw    => '/_hub/goclaw/echo',
    caylex    => '/caylex/api/v1/_hub/caylex/echo',
    g4f       => '/g4f/api/v1/_hub/g4f/echo',
);
my @PROFILES = qw(patchwork caylex goclaw toolhub g4f);
my %HEALTH = (
    patchwork => '/api/v1/health',
    caylex    => '/caylex/api/v1/health',
    goclaw    => '/health',
    toolhub   => '/health/ready',
    g4f       => '/g4f/api/v1/health',
);

my $server_errors = 0;

sub post_raw {
    my ($hub, $path, $body, %h) = @_;
    my $r = $hub->post($path, body => $body, headers => { %$CT, %h });
    $server_errors++ if $r->{status} >= 500;
    return $r;
}

sub post_json {
    my ($hub, $path, $data) = @_;
    return post_raw($hub, $path, $UTF8->encode($data));
}

# The message of an error in any envelope (for caylex lists: every msg).
sub message_of {
    my ($p, $r) = @_;
    my $j = $r->{json} or return '';
    return $j->{error}{message} // '' if $p eq 'toolhub' || $p eq 'g4f';
    return $j->{error} // '' if $p eq 'goclaw';
    return ref $j->{detail} eq 'ARRAY'
        ? join('; ', map { "$_->{msg}" } @{ $j->{detail} })
        : $j->{detail} // '';
}

# The envelope of the profile, exactly as DESIGN.md's table gives it.
sub envelope_ok {
    my ($p, $r, $what) = @_;
    my $j = $r->{json};
    like($r->{headers}{'content-type'} // '', qr{^application/json},
         "$p $what: JSON error body");
    return fail("$p $what: body is JSON: $r->{content}") unless ref $j eq 'HASH';
    if ($p eq 'patchwork' || ($p eq 'caylex' && !ref $j->{detail})) {
        is_deeply([keys %$j], ['detail'], "$p $what: {detail}");
        ok(defined $j->{detail} && !ref $j->{detail} && length $j->{detail},
           "$p $what: detail is a message");
    }
    elsif ($p eq 'caylex') {
        is_deeply([keys %$j], ['detail'], "$p $what: {detail: [...]}");
        ok(@{ $j->{detail} } >= 1, "$p $what: at least one item");
        for my $it (@{ $j->{detail} }) {
            is_deeply([sort keys %$it], [qw(loc msg type)],
                      "$p $what: item has loc, msg, type");
            is(ref $it->{loc}, 'ARRAY', "$p $what: loc is a list");
            is($it->{loc}[0], 'body', "$p $what: loc starts at body");
        }
    }
    elsif ($p eq 'goclaw') {
        is_deeply([keys %$j], ['error'], "$p $what: {error}");
        ok(!ref $j->{error} && length $j->{error}, "$p $what: error is a message");
    }
    elsif ($p eq 'toolhub') {
        is_deeply([keys %$j], ['error'], "$p $what: {error: {...}}");
        is_deeply([sort keys %{ $j->{error} || {} }], [qw(code message)],
                  "$p $what: error has code and message");
        like($j->{error}{code} // '', qr/^[A-Z][A-Z_]+$/, "$p $what: code");
    }
    else {
        is_deeply([keys %$j], ['error'], "$p $what: {error: {...}}");
        is_deeply([sort keys %{ $j->{error} || {} }],
                  [qw(code details message request_id retryable)],
                  "$p $what: code, message, request_id, retryable, details");
        like($j->{error}{code} // '', qr/^[A-Z][A-Z_]+$/, "$p $what: code");
        is($j->{error}{request_id}, $r->{headers}{'x-request-id'},
           "$p $what: request_id is the X-Request-Id header");
        ok(JSON::PP::is_bool($j->{error}{retryable}) && !$j->{error}{retryable},
           "$p $what: a 4xx is not retryable");
        is(ref $j->{error}{details}, 'HASH', "$p $what: details object");
    }
}

sub malformed_status { $_[0] eq 'caylex' ? 422 : 400 }
sub invalid_status { $_[0] =~ /^(caylex|patchwork)$/ ? 422 : 400 }

# A JSON syntax (or depth) error: 400, caylex 422 as a json_invalid item.
sub malformed_ok {
    my ($p, $r, $what, $msg_re) = @_;
    is($r->{status}, malformed_status($p), "$p $what: status");
    envelope_ok($p, $r, $what);
    like(message_of($p, $r), $msg_re, "$p $what: message");
    if ($p eq 'caylex') {
        is($r->{json}{detail}[0]{type}, 'json_invalid', "$p $what: json_invalid");
    }
    if ($p eq 'toolhub' || $p eq 'g4f') {
        isnt($r->{json}{error}{code}, 'VALIDATION_ERROR',
             "$p $what: a syntax error is not a field error");
    }
}

# A validation error naming `field` (undef: the body itself).
sub invalid_ok {
    my ($p, $r, $what, $field, $type) = @_;
    is($r->{status}, invalid_status($p), "$p $what: status");
    envelope_ok($p, $r, $what);
    my $j = $r->{json} || {};
    if ($p eq 'caylex') {
        my @items = grep { ref $_->{loc} eq 'ARRAY' } @{ ref $j->{detail} eq 'ARRAY' ? $j->{detail} : [] };
        my ($it) = grep { defined $field ? ($_->{loc}[1] // '') eq $field
                                         : @{ $_->{loc} } == 1 } @items;
        ok($it, "$p $what: an item at loc " . join(',', 'body', $field // ()))
            or diag($r->{content});
        is($it->{type}, $type, "$p $what: type $type") if $it && $type;
        return;
    }
    if (defined $field) {
        like(message_of($p, $r), qr/\b\Q$field\E\b/, "$p $what: names $field");
    }
    else {
        like(message_of($p, $r), qr/object/i, "$p $what: says an object is expected");
    }
    if ($p eq 'toolhub' || $p eq 'g4f') {
        is($j->{error}{code}, 'VALIDATION_ERROR', "$p $what: VALIDATION_ERROR");
    }
    if ($p eq 'g4f' && defined $field) {
        ok(grep({ ($_->{field} // '') eq $field } @{ $j->{error}{details}{fields} || [] }),
           "$p $what: details.fields names $field");
    }
}

sub status_ok {
    my ($p, $r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$p $what: $status");
    envelope_ok($p, $r, $what);
    is($r->{json}{error}{code}, $code, "$p $what: code $code")
        if $p eq 'toolhub' || $p eq 'g4f';
}

# A request written by hand: no Content-Type at all (HTTP::Tiny adds one).
sub raw_post {
    my ($hub, $path, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hub->port,
                                  Timeout => 10) or die "connect: $!";
    print $s "POST $path HTTP/1.0\r\nHost: 127.0.0.1\r\n"
           . "Content-Length: " . length($body) . "\r\n\r\n$body";
    my $resp = do { local $/; <$s> } // '';
    close $s;
    my ($head, $content) = split /\r\n\r\n/, $resp, 2;
    my %h = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r\n/, $head // '';
    my ($status) = ($head // '') =~ m{^HTTP/\d\.\d (\d+)};
    my $r = { status => $status // 0, headers => \%h, content => $content };
    $r->{json} = eval { $HubTest::JSON->decode($content) };
    $server_errors++ if $r->{status} >= 500;
    return $r;
}

# nested objects: {"name":"x","meta":{"a":{"a":...}}} with `depth` levels
sub nested_body {
    my ($depth) = @_;
    my $inner = '{}';
    $inner = qq({"a":$inner}) for 1 .. $depth - 2;
    return qq({"name":"x","meta":$inner});
}

# --- the default limits -------------------------------------------------
my $hub = HubTest->new(conf => "HubDiagnostics On");

for my $p (@PROFILES) {
    my $path = $ECHO{$p};
    my $valid = { name => 'widget', count => 7, enabled => JSON::PP::true,
                  tags => ['a', 1], meta => { k => [1, { x => undef }] },
                  mode => 'loud' };
    my $r = post_json($hub, $path, $valid);
    is($r->{status}, 200, "$p valid body: 200");
    is_deeply($r->{json}, { received => $valid }, "$p valid body echoed");

    $r = post_json($hub, $path, { name => 'n', meta => undef, count => 0, mode => 'plain' });
    is($r->{status}, 200, "$p meta null, count 0, mode plain accepted");
    $r = post_json($hub, $path, { name => 'x' x 64, count => 1000000 });
    is($r->{status}, 200, "$p 64 characters and count 1000000 accepted");
    # lengths count characters, not bytes
    $r = post_json($hub, $path, { name => "\x{e9}" x 64 });
    is($r->{status}, 200, "$p 64 two-byte characters accepted");
    is(eval { $UTF8->decode($r->{content})->{received}{name} }, "\x{e9}" x 64,
       "$p UTF-8 name echoed intact");
    $r = post_raw($hub, $path, '{"name":"x"}',
                  'content-type' => 'application/json; charset=utf-8');
    is($r->{status}, 200, "$p application/json with a charset accepted");

    # syntax errors name the position
    $r = post_raw($hub, $path, qq({\n "name": "x",\n "count": ,\n "mode": "plain"\n}));
    malformed_ok($p, $r, 'malformed JSON', qr/line 3\b.*column 11\b/);
    $r = post_raw($hub, $path, '{"name": "x"');
    malformed_ok($p, $r, 'truncated JSON', qr/line 1\b.*column \d+/);
    $r = post_raw($hub, $path, '');
    malformed_ok($p, $r, 'empty body', qr/body is empty/);
    $r = post_raw($hub, $path, '{"name":"a","name":"b"}');
    malformed_ok($p, $r, 'duplicate keys', qr/duplicate.*name|name.*duplicate/i);
    $r = post_raw($hub, $path, qq({"name":"a\xffb"}));
    malformed_ok($p, $r, 'body not UTF-8', qr/0xff|UTF-?8/i);
    $r = post_raw($hub, $path, qq({"name":"a\xc3"}));
    malformed_ok($p, $r, 'truncated UTF-8 sequence', qr/column \d+|UTF-?8|decode/i);

    # content type
    $r = post_raw($hub, $path, '{"name":"x"}', 'content-type' => 'text/plain');
    status_ok($p, $r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'text/plain');
    $r = post_raw($hub, $path, 'name=x',
                  'content-type' => 'application/x-www-form-urlencoded');
    status_ok($p, $r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'form body');
    $r = raw_post($hub, $path, '{"name":"x"}');
    status_ok($p, $r, 415, 'UNSUPPORTED_MEDIA_TYPE', 'no Content-Type');
    like(message_of($p, $r), qr{application/json}, "$p 415 says what to send");

    # depth: 32 levels pass, 33 do not
    $r = post_raw($hub, $path, nested_body(32));
    is($r->{status}, 200, "$p 32 levels accepted");
    $r = post_raw($hub, $path, nested_body(33));
    malformed_ok($p, $r, 'depth 33', qr/\b32\b/);
    $r = post_raw($hub, $path, '[' x 5000 . ']' x 5000);
    malformed_ok($p, $r, 'depth 5000', qr/\b32\b/);

    # the fields
    $r = post_json($hub, $path, { count => 1 });
    invalid_ok($p, $r, 'missing name', 'name', 'missing');
    like(message_of($p, $r), qr/required/i, "$p missing name: says required");
    if ($p eq 'caylex') {
        is_deeply($r->{json}, { detail => [ { loc => ['body', 'name'],
                  msg => $r->{json}{detail}[0]{msg}, type => 'missing' } ] },
                  'caylex missing name: exactly one FastAPI item');
    }
    invalid_ok($p, post_json($hub, $path, { name => 'x', count => '5' }),
               'count as string', 'count', 'integer_type');
    invalid_ok($p, post_json($hub, $path, { name => 'x', count => 1.5 }),
               'count as fraction', 'count', 'integer_type');
    invalid_ok($p, post_json($hub, $path, { name => 5 }),
               'name as number', 'name', 'string_type');
    invalid_ok($p, post_json($hub, $path, { name => undef }),
               'name null', 'name', 'string_type');
    invalid_ok($p, post_json($hub, $path, { name => 'x', enabled => 'true' }),
               'enabled as string', 'enabled', 'boolean_type');
    invalid_ok($p, post_json($hub, $path, { name => 'x', tags => { a => 1 } }),
               'tags as object', 'tags', 'array_type');
    invalid_ok($p, post_json($hub, $path, { name => 'x', meta => [] }),
               'meta as array', 'meta', 'object_type');
    invalid_ok($p, post_json($hub, $path, { name => 'x', count => 1000001 }),
               'count over range', 'count', 'integer_out_of_range');
    invalid_ok($p, post_json($hub, $path, { name => 'x', count => -1 }),
               'count under range', 'count', 'integer_out_of_range');
    invalid_ok($p, post_json($hub, $path, { name => 'x' x 65 }),
               'name too long', 'name', 'string_too_long');
    invalid_ok($p, post_json($hub, $path, { name => "\x{e9}" x 65 }),
               'name of 65 two-byte characters', 'name', 'string_too_long');
    invalid_ok($p, post_json($hub, $path, { name => '' }),
               'name empty', 'name', 'string_too_short');
    invalid_ok($p, post_json($hub, $path, { name => 'x', mode => 'quiet' }),
               'mode not in enum', 'mode', 'enum');
    invalid_ok($p, post_raw($hub, $path, '[1]'), 'body [1]', undef);
    invalid_ok($p, post_raw($hub, $path, '"x"'), 'body "x"', undef);
    invalid_ok($p, post_raw($hub, $path, 'null'), 'body null', undef);

    # several problems at once are all reported
    $r = post_json($hub, $path, { count => 'a', enabled => 'yes', tags => {} });
    if ($p eq 'caylex') {
        is_deeply([sort map { $_->{loc}[1] } @{ $r->{json}{detail} }],
                  [qw(count enabled name tags)], 'caylex reports every field');
    }
    else {
        like(message_of($p, $r), qr/\b$_\b/, "$p several problems: names $_")
            for qw(name count enabled tags);
    }

    # the default HubMaxBodySize: 1 MiB passes, one byte more does not
    my $pre = '{"name":"x","meta":{"pad":"';
    my $post = '"}}';
    my $pad = 'p' x (1048576 - length($pre) - length($post));
    my $exact = $pre . $pad . $post;
    $r = HTTP::Tiny->new(timeout => 20)->request('POST', $hub->base . $path,
        { headers => $CT, content => $exact });
    is($r->{status}, 200, "$p body of exactly 1 MiB accepted");
    ok(index($r->{content}, $pad) > 0, "$p 1 MiB body echoed whole");
    $r = post_raw($hub, $path, "$exact ");
    status_ok($p, $r, 413, 'PAYLOAD_TOO_LARGE', '1 MiB + 1 byte');
    like(message_of($p, $r), qr/1048576/, "$p 413 names the limit");
    my @chunks = unpack('(a65536)*', "$exact ");
    $r = post_raw($hub, $path, sub { shift @chunks });
    status_ok($p, $r, 413, 'PAYLOAD_TOO_LARGE', 'chunked 1 MiB + 1 byte');
}

# a 405 on the echo path still comes in the profile's envelope
for my $p (@PROFILES) {
    my $r = $hub->get($ECHO{$p});
    is($r->{status}, 405, "$p GET on echo: 405");
    is($r->{headers}{allow}, 'POST', "$p Allow: POST");
    envelope_ok($p, $r, 'GET on echo');
}

is($hub->get($HEALTH{$_})->{status}, 200, "$_ health still answers")
    for @PROFILES;
$hub->log_is_clean;

# --- smaller limits: server level, and a Location of its own -----------
my $small = HubTest->new(name => 'input_errors_small', conf => <<'CONF');
HubDiagnostics On
HubMaxBodySize 300
HubMaxJsonDepth 4
<Location /g4f/api/v1>
    HubMaxBodySize 150
    HubMaxJsonDepth 6
</Location>
CONF

for my $p (@PROFILES) {
    my $path = $ECHO{$p};
    my $limit = $p eq 'g4f' ? 150 : 300;
    my $depth = $p eq 'g4f' ? 6 : 4;
    my $pre = '{"name":"x","mode":"plain","meta":{"pad":"';
    my $post = '"}}';
    my $fit = $pre . ('z' x ($limit - length($pre) - length($post))) . $post;
    is(length $fit, $limit, "$p test body is $limit bytes");

    my $r = post_raw($small, $path, $fit);
    is($r->{status}, 200, "$p body of exactly HubMaxBodySize ($limit) accepted");
    $r = post_raw($small, $path, "$fit ");
    status_ok($p, $r, 413, 'PAYLOAD_TOO_LARGE', "Content-Length $limit + 1");
    like(message_of($p, $r), qr/\b$limit\b/, "$p 413 names the limit $limit");

    my @chunks = unpack('(a40)*', $fit);
    $r = post_raw($small, $path, sub { shift @chunks });
    is($r->{status}, 200, "$p chunked body of $limit bytes accepted");
    is($r->{json}{received}{mode}, 'plain', "$p chunked body echoed");
    @chunks = unpack('(a40)*', "$fit ");
    $r = post_raw($small, $path, sub { shift @chunks });
    status_ok($p, $r, 413, 'PAYLOAD_TOO_LARGE', "chunked $limit + 1");
    @chunks = ('{"name":"', ('y' x 50) x 20, '"}');
    $r = post_raw($small, $path, sub { shift @chunks });
    status_ok($p, $r, 413, 'PAYLOAD_TOO_LARGE', 'chunked 1000 bytes');

    # the custom depth
    $r = post_raw($small, $path, nested_body($depth));
    is($r->{status}, 200, "$p $depth levels accepted (HubMaxJsonDepth $depth)");
    $r = post_raw($small, $path, nested_body($depth + 1));
    malformed_ok($p, $r, 'depth ' . ($depth + 1), qr/\b$depth\b/);
    # brackets inside strings are not nesting
    $r = post_json($small, $path, { name => '[[[[[[[[{{{{{{{{' });
    is($r->{status}, 200, "$p brackets in a string do not count as depth");

    # the limits take part before the fields: an invalid body over the
    # limit is 413, and a deep one is a syntax error, not a field error
    $r = post_raw($small, $path, '{"count":"' . ('9' x $limit) . '"}');
    is($r->{status}, 413, "$p size is checked before the fields");
}

is($small->get($HEALTH{$_})->{status}, 200, "$_ health answers (small limits)")
    for @PROFILES;
is($small->get('/g4f/api/v1/capabilities')->{json}{limits}{max_body_bytes}, 150,
   'g4f capabilities reports its Location limit');
$small->log_is_clean;

# --- HubDiagnostics Off (the default): no echo route at all ------------
my $off = HubTest->new(name => 'input_errors_off');
for my $p (@PROFILES) {
    my $r = post_json($off, $ECHO{$p}, { name => 'x' });
    is($r->{status}, 404, "$p echo with diagnostics off: 404");
    # no route: the profile's own 404, as for any path of its space that
    # is none of its routes (t/http/51)
    like($r->{headers}{'content-type'} // '', qr{^application/json}, "$p its JSON 404");
    my $j = $r->{json} || {};
    is(ref $j->{error} eq 'HASH' ? $j->{error}{message} : $j->{error} // $j->{detail},
       'Not Found', "$p no route there: Not Found");
    is($off->get($ECHO{$p})->{status}, 404, "$p GET echo: 404, not 405");
    next if $p eq 'goclaw';    # no OpenAPI document of its own
    my %doc = (caylex => '/caylex/api/v1/docs/openapi.json',
               g4f => '/g4f/api/v1/openapi.json',
               patchwork => '/api/openapi.json', toolhub => '/openapi.json');
    my $paths = $off->get($doc{$p})->{json}{paths};
    is(ref $paths, 'HASH', "$p OpenAPI document served");
    ok(!grep({ m{/_hub/} } keys %{ $paths || {} }), "$p echo not documented when off");
}
is($off->get('/health')->{status}, 200, 'health answers (diagnostics off)');
$off->log_is_clean;

is($server_errors, 0, 'no request answered 5xx');
done_testing;
