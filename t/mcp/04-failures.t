# Servers that fail, each with its documented outcome: down, garbage, HTML,
# a wrong content type, a wrong id, no result, a JSON-RPC error, silence
# (timeout), 401/403 (reachable, not authorised), 5xx, and an internal
# address that is not allowed (refused before any connection).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HubMcp;

HubMcp::require_peers();

my @allow = ('--allow', '127.0.0.0/8');

sub failing {
    my ($name, $answer, $re, %more) = @_;
    my $s = HubMcp::canned($answer);
    my ($r, $exit) = HubMcp::probe($s->{url}, @allow, @{ $more{args} || [] });
    ok(!$r->{ok}, "$name: not ok");
    is($exit, 1, "$name: exit 1");
    like($r->{error} // '', $re, "$name: error says why") or diag($r->{error});
    is($r->{unauthorized} ? 1 : 0, $more{unauthorized} ? 1 : 0,
       "$name: unauthorized is " . ($more{unauthorized} ? 'set' : 'not set'));
    my $reqs = $s->requests;
    $s->stop;
    return ($r, $reqs);
}

my ($r, $reqs);

# Down: nothing listens on the port.
my $port = HubMcp::free_port();
($r, my $exit, my $secs) = HubMcp::probe("http://127.0.0.1:$port/mcp", @allow);
ok(!$r->{ok}, 'down: not ok');
like($r->{error}, qr/server\/discover: .*(connect|refused)/i, 'down: could not connect');
ok(!$r->{unauthorized}, 'down: not "unauthorized"');
is($r->{http_status}, 0, 'down: no HTTP status');
ok($secs < 5, 'down: fails fast');

# Garbage with a 200.
($r) = failing('garbage', sub { HubMcp::http(200, 'application/json', "\x00\x01 not json {") },
               qr/server\/discover: the answer is not valid JSON/);
is($r->{http_status}, 200, 'garbage: status 200 reported');

# An HTML page.
failing('html', sub { HubMcp::http(200, 'text/html', '<html><body>hi</body></html>') },
        qr/unexpected content type 'text\/html'/);

# A plain-text content type.
failing('text/plain', sub { HubMcp::http(200, 'text/plain; charset=utf-8', '{}') },
        qr/unexpected content type 'text\/plain'/);

# JSON for another id.
failing('wrong id', sub {
    my ($q) = @_;
    HubMcp::http_json(200, { jsonrpc => '2.0', id => 999999, result => {} });
}, qr/response to another request id/);

# A response without a result or an error.
failing('no result', sub {
    my ($q) = @_;
    HubMcp::http_json(200, { jsonrpc => '2.0', id => $q->{rpc}{id} });
}, qr/not a JSON-RPC response/);

# A result that is not an object.
failing('result not an object', sub {
    my ($q) = @_;
    HubMcp::http_json(200, { jsonrpc => '2.0', id => $q->{rpc}{id}, result => 'yes' });
}, qr/result is not an object/);

# An SSE stream with no response for the request.
failing('stream without the response', sub {
    HubMcp::http(200, 'text/event-stream',
                 ": keep-alive\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n");
}, qr/no response to the request/);

# JSON-RPC errors: discover unknown (fall back), then initialize refused.
($r, $reqs) = failing('JSON-RPC error', sub {
    my ($q) = @_;
    my $m = $q->{rpc}{method};
    HubMcp::http_json(200, { jsonrpc => '2.0', id => $q->{rpc}{id},
                             error => { code => $m eq 'initialize' ? -32603 : -32601,
                                        message => "no $m here" } });
}, qr/^initialize: JSON-RPC error -32603: no initialize here$/);
is_deeply([ map { $_->{rpc_method} } @$reqs ], [ 'server/discover', 'initialize' ],
          'JSON-RPC error: -32601 for discover falls back to initialize');

# 401 and 403: reachable but not authorised, never "down".
for my $st (401, 403) {
    ($r, $reqs) = failing("HTTP $st", sub { HubMcp::http($st, 'application/json', '{"error":"no"}',
                                                      'WWW-Authenticate: Bearer') },
                          qr/HTTP $st: reachable but not authorised/, unauthorized => 1);
    is($r->{http_status}, $st, "HTTP $st: status reported");
    is(scalar @$reqs, 1, "HTTP $st: no fallback after a refusal of access");
}

# 401 only on initialize (the discover probe said 404: a 2025 server).
($r) = failing('401 after fallback', sub {
    my ($q) = @_;
    ($q->{rpc}{method} // '') eq 'server/discover'
        ? HubMcp::http(404, 'text/plain', 'not found')
        : HubMcp::http(401, undef, '');
}, qr/^initialize: HTTP 401/, unauthorized => 1);

# A 5xx does not fall back: the server is broken, not old.
($r, $reqs) = failing('HTTP 500', sub { HubMcp::http(500, 'text/plain', 'oops') },
                      qr/server\/discover: HTTP 500/);
is(scalar @$reqs, 1, 'HTTP 500: one request only');

# Silence: a socket that accepts and never answers.
my $silent = HubMcp::canned(sub { undef });
($r, $exit, $secs) = HubMcp::probe($silent->{url}, @allow, '--timeout-ms', '1000');
ok(!$r->{ok}, 'silent: not ok');
like($r->{error} // '', qr/timed out/i, 'silent: timed out');
ok($secs < 4, sprintf('silent: gave up after the timeout (%.1f s)', $secs));
ok(!$r->{unauthorized}, 'silent: not unauthorized');
$silent->stop;

# An internal address that is not allowed: refused, no connection made.
my $watch = HubMcp::canned(sub { HubMcp::http(200, 'text/plain', 'should not be asked') });
($r, $exit) = HubMcp::probe($watch->{url});     # no --allow
ok(!$r->{ok}, 'internal address: not ok');
like($r->{error} // '', qr/internal .* not allowed/, 'internal address: refused');
is($exit, 1, 'internal address: exit 1');
select(undef, undef, undef, 0.2);
is(scalar @{ $watch->requests }, 0, 'internal address: no connection was made');
# ... and the same server is reachable once its range is allowed.
($r) = HubMcp::probe($watch->{url}, '--allow', '127.0.0.1/32');
like($r->{error} // '', qr/unexpected content type/, 'allowed by CIDR: it was asked');
ok(scalar @{ $watch->requests } >= 1, 'allowed by CIDR: a connection was made');
$watch->stop;

# A response larger than the limit.
($r) = failing('too large', sub { HubMcp::http(200, 'application/json', '[' . ('1,' x 5000) . '1]') },
               qr/too large/, args => [ '--max-bytes', '1000' ]);

done_testing();
