# The MCP gateway tells agents when their tool list changes:
# notifications/tools/list_changed on the 2025-era session stream (GET)
# and on a 2026-07-28 subscriptions/listen stream, when an operator's
# permission (or a probe, a heartbeat) changes what tools/list answers,
# and never when nothing listed changed.  The streams resume with
# Last-Event-ID, end with their session, with HubMcpStreamTimeout, and
# when the host stops, and are bounded by HubMcpStreams.  The official
# clients of both eras receive the notification.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
# one child process, so that the per-child stream bound is the host's
my $hub = HubTest->new(conf => join "\n",
    'StartServers 1', 'ServerLimit 1', 'MaxRequestWorkers 25',
    'MinSpareThreads 5', 'MaxSpareThreads 25',
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 3600',
    '<Location /mcp>', '    HubMcpGateway On', '</Location>',
    '<Location /short>', '    HubMcpGateway On', '    HubMcpStreams 2',
    '    HubMcpStreamTimeout 3', '</Location>',
    '<Location /quiet>', '    HubMcpGateway On', '    HubMcpStreams 0', '</Location>');
my $a = $hub->team('acme');
my $CX = '/caylex/api/v1';
sub q1 { $hub->psql($hub->db, $_[0]) }
sub cx { my ($m, $p, @o) = @_; $hub->request($m, "$CX$p", headers => { Authorization => "Bearer $a->{key}" }, @o) }

my $up = HubMcp::node_server('sessionful.mjs', TOOLS => 3, JSON => 1);
my $srv = HubGateway::register($hub, $a->{key}, { name => 'Up', endpoint => $up->{url} });
my $g = HubGateway::navigator($hub, $a->{key}, $srv);
my $I = $g->{instance};
my %tool = map { split /\|/ } split /\n/, q1("SELECT name || '|' || id FROM tools WHERE server_id = '$srv'");
sub permit {
    my ($name, $mode, %o) = @_;
    my $r = cx(PUT => "/navigator-instances/$I/tool-permissions",
               json => { permissions => [{ tool_id => $tool{$name}, mode => $mode, %o }] });
    is($r->{status}, 200, "  (the operator sets $name: $mode)") or diag(explain($r->{json}));
}

# ---- 2025 era: the session's stream -----------------------------------------------
sub post {
    my ($body, %h) = @_;
    my $path = delete $h{path} || $g->{path};
    return $hub->request(POST => $path, json => $body,
                         headers => { 'x-api-key' => $g->{key}, %h });
}
sub initialize {
    my ($path) = @_;
    my $r = post({ jsonrpc => '2.0', id => 1, method => 'initialize',
                   params => { protocolVersion => '2025-11-25', capabilities => {},
                               clientInfo => { name => 'raw', version => '0' } } },
                 $path ? (path => $path) : ());
    return ($r, $r->{headers}{'mcp-session-id'});
}
sub tools_now {
    my ($sid) = @_;
    my $r = post({ jsonrpc => '2.0', id => 2, method => 'tools/list' }, 'Mcp-Session-Id' => $sid);
    return join ',', sort map { $_->{name} } @{ $r->{json}{result}{tools} || [] };
}
sub stream {
    my ($sid, %h) = @_;
    my $path = delete $h{path} || $g->{path};
    return HubGateway::Stream->open($hub, GET => $path,
        { 'x-api-key' => $g->{key}, Accept => 'text/event-stream',
          'Mcp-Session-Id' => $sid, %h });
}
sub is_changed {
    my ($ev, $what) = @_;
    is($ev && $ev->{json} && $ev->{json}{method}, 'notifications/tools/list_changed', $what);
}

my ($r, $sid) = initialize();
is_deeply($r->{json}{result}{capabilities}{tools}, { listChanged => JSON::PP::true },
          'initialize: the tools capability says listChanged');
my $full = tools_now($sid);
is($full, 'up__legacy-001,up__legacy-002,up__legacy-003', 'three tools listed');

my $st = stream($sid, Accept => 'application/json');
is($st->{status}, 406, 'GET without Accept: text/event-stream: 406');
$st = stream('mcps_nope');
is($st->{status}, 404, 'GET with an unknown session: 404');
$st = HubGateway::Stream->open($hub, GET => $g->{path},
    { Authorization => "Bearer $a->{key}", Accept => 'text/event-stream', 'Mcp-Session-Id' => $sid });
is($st->{status}, 404, "GET with another caller's credential on the session: 404");
$st = HubGateway::Stream->open($hub, GET => $g->{path}, { Accept => 'text/event-stream', 'Mcp-Session-Id' => $sid });
is($st->{status}, 401, 'GET without a credential: 401');

$st = stream($sid);
is($st->{status}, 200, 'GET with the session: 200');
like($st->{headers}{'content-type'} // '', qr{^text/event-stream}, '  an event stream');
like($st->{headers}{'cache-control'} // '', qr/no-cache/, '  never cached');
my $prime = $st->next_event(5);
ok($prime && length($prime->{id} // '') && $prime->{data} eq '', '  first a priming event: an id, no message');
is($prime && $prime->{retry}, 1000, '  and when to come back (retry)');

permit('legacy-002', 'always_execute', rate_limit_per_minute => 5);
ok(!$st->next_event(5), 'a rate limit lists nothing new: no event');
permit('legacy-003', 'disabled');
my $ev = $st->next_event(10);
is_changed($ev, 'a tool disabled: notifications/tools/list_changed');
ok($ev && $ev->{id} && $ev->{id} ne $prime->{id}, '  with a new event id');
is(tools_now($sid), 'up__legacy-001,up__legacy-002', '  and tools/list no longer lists it');
ok(!$st->next_event(4), '  told once');
$st->close;

# back after a change it missed: told at once; back with the latest id: not
$st = stream($sid, 'Last-Event-ID' => $prime->{id});
is_changed($st->next_event(5), 'reconnecting with a Last-Event-ID older than the change: told at once');
$st->close;
$st = stream($sid, 'Last-Event-ID' => $ev->{id});
$ev = $st->next_event(5);
ok($ev && !length($ev->{data}), 'with the latest id: the priming event only');
ok(!$st->next_event(3), '  and nothing else');

# a change on the server side (the prober found a tool gone): the same
q1("UPDATE tools SET enabled = false WHERE id = '$tool{'legacy-001'}'");
is_changed($st->next_event(10), 'a tool the prober disabled: told too');
is(tools_now($sid), 'up__legacy-002', '  one tool left');

# the session ends: so does its stream
is($hub->request(DELETE => $g->{path}, headers => { 'x-api-key' => $g->{key}, 'Mcp-Session-Id' => $sid })->{status},
   200, 'DELETE ends the session');
ok($st->ended_within(20), '  and its open stream ends');
is(stream($sid)->{status}, 404, '  a new GET on it: 404');

# HubMcpStreamTimeout: the hub closes the stream, the client comes back
(undef, my $sid2) = initialize("/short/$I");
my $t0 = time;
$st = stream($sid2, path => "/short/$I");
is($st->{status}, 200, 'a stream on a Location with HubMcpStreamTimeout 3');
ok($st->ended_within(15), '  is closed by the hub');
cmp_ok(time - $t0, '>=', 2.5, '  not before its time');

# HubMcpStreams: a bounded number per child
my @open = map { stream($sid2, path => "/short/$I") } 1 .. 2;
ok((grep { $_->{status} == 200 && $_->next_event(5) } @open) == 2, 'HubMcpStreams 2: two streams open');
my $busy = stream($sid2, path => "/short/$I");
$ev = $busy->next_event(5);
is($busy->{status}, 200, '  a third gets an event stream');
is($ev && $ev->{retry}, 30000, '  that asks it to come back in 30 s');
ok($busy->ended_within(5), '  and ends at once');
$_->close for @open;

# HubMcpStreams 0: no stream, no promise of one
(my $rq, my $sid3) = initialize("/quiet/$I");
is_deeply($rq->{json}{result}{capabilities}{tools}, { listChanged => JSON::PP::false },
          'HubMcpStreams 0: listChanged false');
is(stream($sid3, path => "/quiet/$I")->{status}, 405, '  and GET is 405');

# ---- 2026-07-28: subscriptions/listen ----------------------------------------------------
my %ENV26 = ('io.modelcontextprotocol/protocolVersion' => '2026-07-28',
             'io.modelcontextprotocol/clientCapabilities' => {});
sub listen_stream {
    my ($filter, $id) = @_;
    my $body = JSON::PP->new->canonical->encode({ jsonrpc => '2.0', id => $id // 'listen:1',
        method => 'subscriptions/listen',
        params => { _meta => { %ENV26 }, defined $filter ? (notifications => $filter) : () } });
    return HubGateway::Stream->open($hub, POST => $g->{path},
        { 'x-api-key' => $g->{key}, Accept => 'application/json, text/event-stream',
          'MCP-Protocol-Version' => '2026-07-28', 'Mcp-Method' => 'subscriptions/listen' }, $body);
}
$r = $hub->request(POST => $g->{path},
    headers => { 'x-api-key' => $g->{key}, 'MCP-Protocol-Version' => '2026-07-28',
                 'Mcp-Method' => 'subscriptions/listen' },
    json => { jsonrpc => '2.0', id => 3, method => 'subscriptions/listen',
              params => { _meta => { %ENV26 }, notifications => { toolsListChanged => 'yes' } } });
is($r->{status}, 200, 'listen with a filter that is not one: answered in-band (200)');
is($r->{json}{error}{code}, -32602, '  -32602');

$st = listen_stream({ toolsListChanged => JSON::PP::true, promptsListChanged => JSON::PP::true }, 'listen:7');
is($st->{status}, 200, 'subscriptions/listen: 200');
like($st->{headers}{'content-type'} // '', qr{^text/event-stream}, '  an event stream');
my $ack = $st->next_event(5);
is($ack && $ack->{json}{method}, 'notifications/subscriptions/acknowledged', '  first the acknowledgement');
is_deeply($ack && $ack->{json}{params}{notifications}, { toolsListChanged => JSON::PP::true },
          '  honouring toolsListChanged only (no prompts here)');
is($ack && $ack->{json}{params}{_meta}{'io.modelcontextprotocol/subscriptionId'}, 'listen:7',
   '  stamped with the subscription id');
q1("UPDATE tools SET enabled = true WHERE id = '$tool{'legacy-001'}'");
$ev = $st->next_event(10);
is_changed($ev, 'a tool back: notifications/tools/list_changed on the subscription');
is($ev && $ev->{json}{params}{_meta}{'io.modelcontextprotocol/subscriptionId'}, 'listen:7',
   '  stamped with the subscription id');

my $none = listen_stream({ promptsListChanged => JSON::PP::true }, 9);
my @evs = grep { defined } map { $none->next_event(5) } 1 .. 2;
is($evs[0] && $evs[0]{json}{method}, 'notifications/subscriptions/acknowledged', 'listen for nothing the hub has: acknowledged');
is_deeply($evs[0] && $evs[0]{json}{params}{notifications}, {}, '  with an empty filter');
is($evs[1] && $evs[1]{json}{id}, 9, '  then the result, ending it');
is($evs[1] && $evs[1]{json}{result}{resultType}, 'complete', '  resultType complete');
ok($none->ended_within(5), '  and the stream closes');

# ---- the official clients --------------------------------------------------------------
my $dir = HubMcp::work_dir();
for my $c ([sdk => '2025 (SDK 1.x, the session stream)'], [sdk2 => '2026 (SDK v2, subscriptions/listen)']) {
    my ($client, $what) = @$c;
    my $ready = "$dir/ready-$client";
    unlink $ready;
    my $fh = HubMcp::sdk_client_start({ client => $client, url => $hub->base . $g->{path},
        headers => { 'x-api-key' => $g->{key} },
        steps => [ { op => 'wait_changed', ready => $ready, timeout_ms => 25000 }, { op => 'list' } ] });
    my $deadline = time + 30;
    sleep 0.1 until -e $ready || time > $deadline;
    ok(-e $ready, "$what: listening");
    my $mode = $client eq 'sdk' ? 'disabled' : 'always_execute';
    permit('legacy-002', $mode);
    my $out = HubMcp::sdk_client_finish($fh);
    ok($out->{steps}[0]{changed}, "  the client is told the list changed") or diag(explain($out));
    my @names = sort map { $_->{name} } @{ $out->{steps}[1]{tools} || [] };
    is(scalar(grep { $_ eq 'up__legacy-002' } @names), $client eq 'sdk' ? 0 : 1,
       "  and lists the tools again: legacy-002 " . ($client eq 'sdk' ? 'gone' : 'back'));
}

# ---- a stopping host ends its streams ------------------------------------------------------
(undef, my $sid4) = initialize();
my $get = stream($sid4);
$get->next_event(5);
$t0 = time;
ok($hub->stop_graceful, 'a graceful stop with a GET stream and a listen open');
ok(time - $t0 < 20, '  is not held up by them (HubMcpStreamTimeout is 300 s)');
ok($get->ended_within(1), '  the GET stream ended');
@evs = grep { defined } map { $st->next_event(1) } 1 .. 6;
my ($end) = grep { exists $_->{json}{result} } @evs;
is($end && $end->{json}{id}, 'listen:7', '  the listen got its result');
is($end && $end->{json}{result}{resultType}, 'complete', '  resultType complete');
ok($end && $end->{json}{result}{_meta}{'io.modelcontextprotocol/serverInfo'}{name} eq 'mod_hub',
   '  with serverInfo in _meta');

# the streams are recorded when they end
$hub->start;
my $rec = q1("SELECT count(*) FILTER (WHERE method = 'GET') || ' ' || "
           . "count(*) FILTER (WHERE method = 'subscriptions/listen') FROM mcp_calls "
           . "WHERE navigator_instance_id = '$I'");
my ($gets, $listens) = split / /, $rec;
cmp_ok($gets, '>=', 5, 'the GET streams are recorded as calls');
cmp_ok($listens, '>=', 3, 'so are the subscriptions');

ok($hub->log_is_clean, 'error log clean');
done_testing();
