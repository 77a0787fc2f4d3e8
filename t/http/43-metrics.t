# The Prometheus endpoint (SetHandler hub-metrics) and mod_status'
# section: API requests of every profile and MCP gateway requests through
# a real upstream move the counters by exactly what was sent, summed over
# every child (children are recycled every few connections, and the
# counters outlive them and a graceful restart); the text keeps the
# exposition format's rules (HELP/TYPE, one family together, cumulative
# buckets, +Inf equal to _count); the endpoint answers only where it was
# set; /server-status shows the same figures.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use HubTest;
use HubMcp;
use HubGateway;

HubMcp::require_peers();
my $conf = join "\n",
    'HubOutboundAllow 127.0.0.0/8',
    'HubProbeInterval 2',
    # /metrics and /server-status as conf/'s example mounts them
    "Include \"$HubTest::TOP/conf/hub-metrics.conf\"",
    # every child ends after a few connections: the counters must not
    # (not with valgrind's one process, which would end with its child)
    $ENV{HUB_VALGRIND} ? () : 'MaxConnectionsPerChild 6',
    # which child served what (relative to ServerRoot: beside error.log)
    'CustomLog pids.log "%P %>s %m %U"',
    '<Location /metrics-closed>',
    '    SetHandler hub-metrics',
    '    Require all denied',
    '</Location>';
my $hub = HubTest->new(conf => $conf);
my $a = $hub->team('acme');
my $CX = '/caylex/api/v1';
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }

# ---- the exposition format, read as a scraper reads it ----------------------------
my $NAME = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
my $FLOAT = qr/[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|Inf|NaN)/;

# a sample's key: name{label="value",...}, labels sorted
sub key {
    my ($name, %l) = @_;
    return $name unless %l;
    return "$name\{" . join(',', map { "$_=\"$l{$_}\"" } sort keys %l) . '}';
}

sub labels_of {
    my ($s, $bad) = @_;
    my %l;
    return {} unless defined $s && length $s;
    while ($s =~ s/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)//) {
        push @$bad, "label $1 twice" if exists $l{$1};
        $l{$1} = $2;
        last unless $3;
    }
    push @$bad, "labels left unread: $s" if length $s;
    return \%l;
}

# parse(TEXT) -> ({ key => value }, [what breaks the rules])
sub parse {
    my ($text) = @_;
    my (%v, %type, %help, %seen, @bad, $current, %hist);
    push @bad, 'does not end with a newline' unless $text =~ /\n\z/;
    for my $line (split /\n/, $text) {
        if ($line =~ /^# (HELP|TYPE) ($NAME) (.*)$/) {
            my ($kw, $name, $rest) = ($1, $2, $3);
            if ($kw eq 'TYPE') {
                push @bad, "TYPE $name twice" if $type{$name};
                push @bad, "TYPE $name after its samples" if $seen{$name};
                push @bad, "TYPE $name: $rest" unless $rest =~ /^(counter|gauge|histogram|summary|untyped)$/;
                $type{$name} = $rest;
            }
            else {
                push @bad, "HELP $name twice" if $help{$name}++;
            }
            next;
        }
        next if $line =~ /^#/ || $line eq '';
        my ($name, $ls, $value) = $line =~ /^($NAME)(?:\{(.*)\})? ($FLOAT)(?: -?\d+)?$/
            or do { push @bad, "not a sample: $line"; next };
        my $l = labels_of($ls, \@bad);
        my $family = $name;
        if ($name =~ /^(.*)_(bucket|sum|count)$/ && ($type{$1} // '') eq 'histogram') {
            $family = $1;
            my %rest = %$l;
            my $le = delete $rest{le};
            my $series = key($family, %rest);
            if ($2 eq 'bucket') {
                defined $le ? push @{ $hist{$series}{le} }, [$le, $value]
                            : push @bad, "a bucket without le: $line";
            }
            else { $hist{$series}{$2} = $value }
        }
        push @bad, "$name has no TYPE" unless $type{$family};
        push @bad, "samples of $family apart" if $seen{$family} && $current ne $family;
        push @bad, "a counter below 0: $line" if ($type{$family} // '') eq 'counter' && $value < 0;
        $seen{$family} = 1;
        $current = $family;
        my $k = key($name, %$l);
        push @bad, "$k twice" if exists $v{$k};
        $v{$k} = $value;
    }
    for my $series (sort keys %hist) {
        my $h = $hist{$series};
        my @le = @{ $h->{le} || [] };
        my @num = map { $_->[0] eq '+Inf' ? 9**9**9 : $_->[0] } @le;
        push @bad, "$series: le not ascending" if grep { $num[$_] <= $num[$_ - 1] } 1 .. $#num;
        push @bad, "$series: buckets not cumulative" if grep { $le[$_][1] < $le[$_ - 1][1] } 1 .. $#le;
        push @bad, "$series: no +Inf bucket" unless @le && $le[-1][0] eq '+Inf';
        push @bad, "$series: +Inf is not _count"
            unless @le && defined $h->{count} && $le[-1][1] == $h->{count};
        push @bad, "$series: no _sum" unless defined $h->{sum};
    }
    return (\%v, \@bad, \%type);
}

sub scrape {
    my $r = $hub->get('/metrics');
    my ($v, $bad, $type) = parse($r->{content} // '');
    return { r => $r, v => $v, bad => $bad, type => $type };
}

# what moved between two scrapes, for the keys named
sub moved {
    my ($before, $after, $k) = @_;
    return ($after->{v}{$k} // 0) - ($before->{v}{$k} // 0);
}
sub http_k { key('hub_http_requests_total', profile => $_[0], status => $_[1]) }
sub mcp_k { key('hub_mcp_requests_total', method => $_[0], outcome => $_[1]) }
sub sum_of { my ($s, $re) = @_; my $t = 0; $t += $s->{v}{$_} for grep { /$re/ } keys %{ $s->{v} }; $t }
sub http_total { sum_of($_[0], qr/^hub_http_requests_total\{/) }
sub mcp_total { sum_of($_[0], qr/^hub_mcp_requests_total\{/) }

# A scrape once the counters reached what was sent: a request is counted
# when it is logged, just after its answer left, perhaps in another child.
sub settled {
    my ($want) = @_;
    my $s;
    HubTest::eventually(10, sub { $s = scrape(); $want->($s) });
    sleep 0.3;    # and nothing more comes
    return scrape();
}

# (the checks themselves find what breaks the rules)
my (undef, $broken) = parse(qq{# TYPE x histogram\nx_bucket{le="2"} 2\nx_bucket{le="1"} 1\n}
                            . qq{y 1\nx_count 3\n# TYPE x gauge\n});
is_deeply([sort @$broken],
          [sort 'x: le not ascending', 'x: buckets not cumulative', 'y has no TYPE', 'samples of x apart',
                'TYPE x twice', 'TYPE x after its samples', 'x: no +Inf bucket', 'x: +Inf is not _count',
                'x: no _sum'],
          'the format checks catch broken text') or diag(explain($broken));

# ---- the endpoint --------------------------------------------------------------------
my $s0 = scrape();
is($s0->{r}{status}, 200, 'GET /metrics: 200');
is($s0->{r}{headers}{'content-type'}, 'text/plain; version=0.0.4; charset=utf-8',
   '  the exposition format 0.0.4');
is_deeply($s0->{bad}, [], '  the text keeps the format rules') or diag(explain($s0->{bad}));
is($s0->{type}{hub_http_requests_total}, 'counter', '  request counters');
is($s0->{type}{hub_mcp_gateway_duration_seconds}, 'histogram', '  latency histograms');
is($s0->{type}{hub_mcp_calls_pending}, 'gauge', "  the recorder's gauge");
is(scalar(grep { /^hub_http_requests_total\{/ } keys %{ $s0->{v} }), 6 * 5,
   '  every profile x status class, from the start: bounded, fixed series');
is(scalar(keys %{ $s0->{v} }), 263, '  263 series in all, as the README says');
is(scalar(grep { /^hub_mcp_requests_total\{/ } keys %{ $s0->{v} }), 4 * 8,
   '  every method x outcome');
ok($s0->{v}{hub_httpd_processes} >= 1, "  httpd's processes ($s0->{v}{hub_httpd_processes})");
ok(abs($s0->{v}{hub_metrics_since_seconds} - time) < 120, '  counted since the start');
my $r = $hub->request(POST => '/metrics', body => 'x');
is($r->{status}, 405, 'POST /metrics: 405');
like($r->{headers}{allow} // '', qr/GET/, '  Allow: GET');
is($hub->get('/metrics-closed')->{status}, 403, "Require decides who reads it (Require all denied: 403)");
is($hub->get('/api/metrics')->{status}, 404, 'where it was not set there is no such endpoint');
is($hub->get("$CX/metrics")->{status}, 404, '  (not under a profile either)');

# ---- API requests of every profile -------------------------------------------------
my $b = scrape();
my @sent = (
    ([GET => '/api/v1/health', 'patchwork', '2xx']) x 3,
    ([GET => '/api/v1/teams/', 'patchwork', '4xx']) x 2,    # no credentials: 401
    ([GET => "$CX/health", 'caylex', '2xx']) x 2,
    [GET => "$CX/projects", 'caylex', '2xx', $a->{key}],
    [GET => '/g4f/api/v1/health', 'g4f', '2xx'],
    [PATCH => '/g4f/api/v1/health', 'g4f', '4xx'],        # 405: still the hub's
    [GET => '/health/live', 'toolhub', '2xx'],
    [GET => '/health', 'goclaw', '2xx'],
);
my %want;
for my $x (@sent) {
    my ($m, $p, $profile, $class, $key) = @$x;
    my $res = $hub->request($m, $p, $key ? auth($key) : ());
    is(substr($res->{status}, 0, 1) . 'xx', $class, "$m $p: $class");
    $want{$profile}{$class}++;
}
$hub->get('/hello.txt');          # httpd's own: not counted
$hub->get('/no/such/file');
my $n = @sent;
my $s1 = settled(sub { http_total($_[0]) - http_total($b) >= $n });
is(http_total($s1) - http_total($b), $n, "$n hub requests counted, no more (static files and /metrics are not)");
for my $profile (qw(patchwork caylex goclaw toolhub g4f mcp)) {
    for my $class (qw(1xx 2xx 3xx 4xx 5xx)) {
        my $got = moved($b, $s1, http_k($profile, $class));
        my $exp = $want{$profile}{$class} // 0;
        is($got, $exp, "  $profile $class +$exp") if $exp || $got;
    }
    my $c = key('hub_http_request_duration_seconds_count', profile => $profile);
    is(moved($b, $s1, $c), ($want{$profile}{'2xx'} // 0) + ($want{$profile}{'4xx'} // 0),
       "  $profile: the duration histogram counts them too");
}
is_deeply($s1->{bad}, [], '  the text still keeps the rules') or diag(explain($s1->{bad}));

# ---- MCP gateway requests through a real upstream ---------------------------------
my $up = HubMcp::everything();
my $srv = HubGateway::register($hub, $a->{key}, { name => 'Everything', endpoint => $up->{url} });
my $g = HubGateway::navigator($hub, $a->{key}, $srv);
my %tool = map { split /\|/ } split /\n/,
    $hub->psql($hub->db, "SELECT name || '|' || id FROM tools WHERE server_id = '$srv'");
is($hub->request(PUT => "$CX/navigator-instances/$g->{instance}/tool-permissions", auth($a->{key}),
                 json => { permissions => [
                     { tool_id => $tool{'get-tiny-image'}, mode => 'require_approval' },
                     { tool_id => $tool{'echo'}, mode => 'always_execute', rate_limit_per_minute => 2 }] })
       ->{status}, 200, 'get-tiny-image needs approval, echo takes 2 calls a minute');
# the rate limit counts calls per minute: keep the three echoes in one
sleep 0.5 while (localtime)[0] > 45;

sub mcp {
    my ($body, %h) = @_;
    my $k = exists $h{key} ? delete $h{key} : $g->{key};
    return $hub->request(POST => $g->{path}, json => $body,
                         headers => { ($k ? ('x-api-key' => $k) : ()), %h });
}
sub call {
    my ($sid, $name, $args) = @_;
    return mcp({ jsonrpc => '2.0', id => 7, method => 'tools/call',
                 params => { name => $name, arguments => $args } }, 'Mcp-Session-Id' => $sid);
}
my $rows0 = $hub->psql($hub->db, 'SELECT count(*) FROM mcp_calls');
$b = settled(sub { 1 });
$r = mcp({ jsonrpc => '2.0', id => 1, method => 'initialize',
           params => { protocolVersion => '2025-11-25', capabilities => {},
                       clientInfo => { name => 'metrics-test', version => '1' } } });
my $sid = $r->{headers}{'mcp-session-id'};
ok($sid, 'initialize: a session');
is(mcp({ jsonrpc => '2.0', method => 'notifications/initialized' }, 'Mcp-Session-Id' => $sid)->{status}, 202,
   'a notification: 202 (no call record)');
$r = mcp({ jsonrpc => '2.0', id => 2, method => 'tools/list' }, 'Mcp-Session-Id' => $sid);
ok(@{ $r->{json}{result}{tools} || [] } > 5, 'tools/list');
my @echo = map { call($sid, 'everything__echo', { message => "m$_" })->{json}{result} } 1 .. 3;
is($echo[0]{content}[0]{text}, 'Echo: m1', 'echo reaches the upstream');
is($echo[1]{content}[0]{text}, 'Echo: m2', '  twice');
like($echo[2]{content}[0]{text} // '', qr/rate limit/i, '  the third is past the rate limit');
$r = call($sid, 'everything__get-sum', { a => 'two' })->{json}{result};
ok($r->{isError}, "bad arguments: the upstream's isError (an execution error)");
$r = call($sid, 'everything__get-tiny-image', {})->{json}{result};
ok($r->{_meta}{'mod_hub/approval'}, 'get-tiny-image: waits for approval');
$r = call($sid, 'nowhere__echo', { message => 'x' })->{json};
is($r->{error}{code}, -32602, 'an unknown tool: a protocol error');
is_deeply(mcp({ jsonrpc => '2.0', id => 9, method => 'ping' }, 'Mcp-Session-Id' => $sid)->{json}{result}, {},
          'ping');
is(mcp({ jsonrpc => '2.0', id => 10, method => 'tools/list' }, key => undef)->{status}, 401,
   'no credential: 401 (an HTTP request of the gateway, no call record)');

my %mcp_want = (
    'initialize ok' => 1, 'tools/list ok' => 1, 'tools/call ok' => 2, 'tools/call rate_limit' => 1,
    'tools/call execution' => 1, 'tools/call approval' => 1, 'tools/call protocol' => 1, 'other ok' => 1,
);
my $records = 0;
$records += $_ for values %mcp_want;
my $s2 = settled(sub { mcp_total($_[0]) - mcp_total($b) >= $records
                       && moved($b, $_[0], 'hub_mcp_calls_written_total') >= $records });
is(mcp_total($s2) - mcp_total($b), $records, "$records gateway requests counted");
for my $m ('initialize', 'tools/list', 'tools/call', 'other') {
    for my $o (qw(ok auth rate_limit timeout execution protocol approval other)) {
        my $exp = $mcp_want{"$m $o"} // 0;
        my $got = moved($b, $s2, mcp_k($m, $o));
        is($got, $exp, "  $m $o +$exp") if $exp || $got;
    }
}
is(moved($b, $s2, key('hub_mcp_gateway_duration_seconds_count', method => 'tools/call')), 6,
   '  the gateway latency of the 6 tool calls');
is(moved($b, $s2, key('hub_mcp_upstream_duration_seconds_count', method => 'tools/call')), 3,
   '  upstream latency only for the 3 that reached the upstream');
is(moved($b, $s2, key('hub_mcp_upstream_duration_seconds_count', method => 'initialize')), 0,
   '  (the hub answers initialize itself)');
my $gw_sum = moved($b, $s2, key('hub_mcp_gateway_duration_seconds_sum', method => 'tools/call'));
my $up_sum = moved($b, $s2, key('hub_mcp_upstream_duration_seconds_sum', method => 'tools/call'));
ok($up_sum > 0 && $gw_sum >= $up_sum, "  seconds: upstream $up_sum within the gateway's $gw_sum");
is(moved($b, $s2, http_k('mcp', '2xx')), $records + 1, 'HTTP: every gateway answer and the 202, as profile mcp');
is(moved($b, $s2, http_k('mcp', '4xx')), 1, '  and the 401');
is(moved($b, $s2, 'hub_mcp_calls_written_total'), $records, 'the recorder wrote each record');
is($s2->{v}{hub_mcp_calls_pending}, 0, '  holds none now');
is(moved($b, $s2, 'hub_mcp_calls_dropped_total'), 0, '  and lost none');
is($hub->psql($hub->db, 'SELECT count(*) FROM mcp_calls') - $rows0, $records, '  as mcp_calls has them');
is_deeply($s2->{bad}, [], 'the text keeps the rules') or diag(explain($s2->{bad}));

# ---- summed over children, past their ends ------------------------------------------
my %pids = map { (split ' ')[0] => 1 } split /\n/,
    $hub->slurp($hub->error_log_path =~ s/error\.log$/pids.log/r);
ok(keys %pids >= ($ENV{HUB_VALGRIND} ? 1 : 3), 'the requests were served by ' . keys(%pids) . ' child processes (MaxConnectionsPerChild 6)');

# ---- mod_status ------------------------------------------------------------------
$r = $hub->get('/server-status');
is($r->{status}, 200, '/server-status');
like($r->{content}, qr{<h2>mod_hub</h2>}, '  has the hub section');
like($r->{content}, qr{<td>g4f</td><td>0</td><td>\d+</td><td>0</td><td>\d+</td><td>0</td>},
     '  with a row per profile');
like($r->{content}, qr{<td>tools/call</td>}, '  and per MCP method');
$r = $hub->get('/server-status?auto');
my %auto = map { /^([^:]+): (.*)$/ ? ($1 => $2) : () } split /\n/, $r->{content};
my $now = scrape();
is($auto{HubHttpRequests_caylex_2xx}, $now->{v}{http_k('caylex', '2xx')}, '?auto: HubHttpRequests_caylex_2xx as /metrics says');
is($auto{HubMcpRequests_tools_call_rate_limit}, $now->{v}{mcp_k('tools/call', 'rate_limit')},
   '  HubMcpRequests_tools_call_rate_limit');
is($auto{HubMcpRequests}, mcp_total($now), '  HubMcpRequests: the total');
is($auto{HubMcpCallsWritten}, $now->{v}{hub_mcp_calls_written_total}, '  HubMcpCallsWritten');

# ---- a graceful restart keeps them -------------------------------------------------
SKIP: {
    skip 'httpd -X (valgrind) does not restart', 5 if $ENV{HUB_VALGRIND};
    kill 'USR1', $hub->{pid};
    sleep 1;
    my $s3;
    ok(HubTest::eventually(15, sub { $s3 = scrape(); ($s3->{r}{status} // 0) == 200 }), 'after a graceful restart');
    is($s3->{v}{hub_metrics_since_seconds}, $now->{v}{hub_metrics_since_seconds}, '  the same counting');
    is(http_total($s3), http_total($now), '  the same request counts');
    is(mcp_total($s3), mcp_total($now), '  and MCP counts');
    like($hub->slurp($hub->error_log_path), qr/SIGUSR1 received/, '  (httpd did restart)');
}

$up->stop;
# (the denied Location's refusal is logged by mod_authz_core)
ok($hub->log_is_clean(qr/AH01630: client denied.*metrics-closed/), 'error log clean');
done_testing();
