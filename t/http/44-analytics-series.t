# Caylex's analytics totals and graphs (hub_analytics_cx_series.c) over
# hub_rollup_span (sql/032).  The test seeds call records with psql --
# two tenants, two projects, navigator and server instances, tools,
# errors of every type, queries followed by their calls, records on UTC
# day and hour edges, a late batch into buckets already rolled up, other
# methods that are not tool calls -- and computes every expected number
# itself from its own list: span sums over unaligned ranges, totals,
# per-bucket averages, error rates and types, calls per query, period
# over period, percentiles; then empty windows, bad windows and
# frequencies (422), another tenant's ids, and a second tenant's token.
use strict;
use warnings;
use Test::More;
use List::Util qw(sum0 min max first);
use POSIX qw(floor ceil strftime);
use HubTest;

# short rollup retention: the minutes of more than a day ago and the hours
# of more than 30 are pruned (below, as the watchdog would), so windows
# must read those from finer grains and the raw records
my $hub = HubTest->new(conf => 'HubRollupRetention 1 30 730');
my $alpha = $hub->team('alpha');
my $beta = $hub->team('beta');
my $gamma = $hub->team('gamma');    # no records at all
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
my $C = '/caylex/api/v1';
my %tenant = map { $_ => q1("SELECT id FROM tenants WHERE slug = '$_'") } qw(alpha beta);
q1('SELECT hub_mcp_calls_ensure(1)');

# ---- the records -----------------------------------------------------------

my $now0 = q1('SELECT extract(epoch FROM now())') + 0;
my $month0 = q1("SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC' - interval '1 mon') AT TIME ZONE 'UTC')") + 0;
# the windows' starts the test asks for (and those before them): no
# record within 10 minutes of one, so a request made seconds after the
# seeding sees the same records in each window
my @edges = map { $now0 - $_ * 3600 } (1, 2, 6, 24, 48, 7 * 24, 14 * 24, 30 * 24, 60 * 24);
push @edges, $month0, 2 * $month0 - $now0;
sub near_edge { my $t = shift; first { abs($t - $_) < 600 } @edges }

my $seed = 7;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; $seed / 2147483648 }
sub pick { $_[int(rnd() * @_)] }
sub uuid { my $h = sprintf '%08x%08x%08x%08x', map { int(rnd() * 4294967296) } 1 .. 4;
           $h =~ s/^(.{8})(.{4})(.{4})(.{4})/$1-$2-$3-$4-/; $h }

my %dims;
for my $t (qw(alpha beta)) {
    $dims{$t} = {
        projects => [ uuid(), uuid() ],
        navs => [ uuid(), uuid() ],
        servers => [ map { { id => uuid(), inst => uuid() } } 1 .. 2 ],
        tools => [ map { { name => "tool$_", id => uuid() } } 1 .. 3 ],
    };
}
my @types = qw(auth rate_limit timeout execution protocol approval);

my @recs;
sub record {
    my (%r) = @_;
    $r{at} = sprintf('%.3f', $r{at}) + 0;    # as stored: milliseconds
    return if $r{at} > $now0 - 5 || near_edge($r{at});
    push @recs, \%r;
    return \%r;
}
# a tool call of tenant t at time at (a hash of its columns)
sub call {
    my ($t, $at, %o) = @_;
    my $d = $dims{$t};
    my $s = $o{server} // pick(@{ $d->{servers} });
    my $tool = pick(@{ $d->{tools} });
    my $e = rnd();
    my $lat = 1 + int(exp(rnd() * 8.5));
    my $ok = $e >= 0.25;
    return record(
        at => $at, tenant => $t, nav => $o{nav} // pick(@{ $d->{navs} }),
        project => $o{project} // pick(@{ $d->{projects} }),
        method => $o{method} // 'tools/call', tool => "srv__$tool->{name}",
        server_id => $s->{id}, inst => $s->{inst}, tool_id => $tool->{id},
        gw => $lat, up => rnd() < 0.15 ? undef : int($lat * 0.7),
        ok => $ok ? 1 : 0, etype => $ok ? undef : $types[int($e * 24) % 6],
        query => undef, qid => $o{qid});
}
# a query (search_tools) and the calls that follow it in its session
sub query {
    my ($t, $at) = @_;
    my $d = $dims{$t};
    my $qid = uuid();
    my ($nav, $project) = (pick(@{ $d->{navs} }), pick(@{ $d->{projects} }));
    my $q = record(at => $at, tenant => $t, nav => $nav, project => $project,
                   method => 'tools/call', tool => 'search_tools', server_id => undef,
                   inst => undef, tool_id => undef, gw => 1 + int(rnd() * 40), up => undef,
                   ok => 1, etype => undef, query => 'find the weather', qid => $qid);
    return unless $q;
    my $n = int(rnd() * 5);
    call($t, $at + 1 + $_ * 7.25, nav => $nav, project => $project, qid => $qid) for 1 .. $n;
}

sub batch_sql {
    my @rows = @_;
    my $v = sub { defined $_[0] ? "'$_[0]'" : 'NULL' };
    return 'INSERT INTO mcp_calls (at, tenant_id, navigator_instance_id, project_id, method,'
         . ' tool_name, server_id, server_instance_id, tool_id, gateway_ms, upstream_ms, ok,'
         . ' error_type, query, query_id) VALUES '
         . join(',', map {
               sprintf("(to_timestamp(%.3f), '%s', '%s', '%s', '%s', %s, %s, %s, %s, %d, %s, %s, %s, %s, %s)",
                       $_->{at}, $tenant{ $_->{tenant} }, $_->{nav}, $_->{project}, $_->{method},
                       $v->($_->{tool}), $v->($_->{server_id}), $v->($_->{inst}), $v->($_->{tool_id}),
                       $_->{gw}, defined $_->{up} ? $_->{up} : 'NULL', $_->{ok} ? 'true' : 'false',
                       $v->($_->{etype}), $v->($_->{query}), $v->($_->{qid}))
           } @rows);
}

# alpha: calls spread over 65 days, denser in the last day; queries;
# other methods; records on a UTC day's and an hour's edges
for my $i (1 .. 500) {
    my $age = $i <= 200 ? rnd() * 86400 : rnd() * 65 * 86400;
    call('alpha', $now0 - 10 - $age);
}
call('alpha', $now0 - 10 - rnd() * 3 * 86400, method => 'tools/list') for 1 .. 40;
query('alpha', $now0 - 30 - rnd() * 20 * 86400) for 1 .. 80;
query('alpha', $now0 - 60 - rnd() * 3 * 3600) for 1 .. 20;
my $midnight = floor($now0 / 86400) * 86400 - 2 * 86400;
call('alpha', $midnight - 0.5) for 1 .. 3;
call('alpha', $midnight) for 1 .. 2;
call('alpha', $midnight + 3600 - 0.001);
call('alpha', $midnight + 3600);
# the last minute (the span's sub-minute piece at now)
call('alpha', $now0 - 6 - rnd() * 20) for 1 .. 4;
# beta: its own records, the same times
call('beta', $now0 - 10 - rnd() * 40 * 86400) for 1 .. 150;
query('beta', $now0 - 30 - rnd() * 10 * 86400) for 1 .. 15;

my @first = grep { $_->{at} > $now0 - 86400 * 3 || rnd() < 0.8 } @recs;
my %in_first = map { ($_ => 1) } @first;
my @late = grep { !$in_first{$_} } @recs;
my $n_late = @late;
# batches of 150 (a psql argument is at most 128 KB)
while (my @chunk = splice(@first, 0, 150)) { q1(batch_sql(@chunk)) }
# late: older records arrive after their buckets were rolled up
while (my @chunk = splice(@late, 0, 150)) { q1(batch_sql(@chunk)) }
# retention prunes the folded rollups (sql/033): wait for the watchdog to
# fold the batches (every 2 s; it does not write buckets past retention)
ok(HubTest::eventually(60, sub { q1('SELECT count(*) FROM mcp_rollup_pending') == 0 }),
   'the watchdog folded every batch');
q1('SELECT hub_mcp_rollups_prune(1, 30, 730)');
is(q1("SELECT (SELECT count(*) FROM mcp_rollup_1m WHERE bucket < now() - interval '1 day')
            + (SELECT count(*) FROM mcp_rollup_1h WHERE bucket < now() - interval '30 days')"), 0,
   'minutes older than a day and hours older than 30 days pruned');
is(q1('SELECT count(*) FROM mcp_calls'), scalar @recs, scalar(@recs) . ' records seeded, '
   . "$n_late of them late");

# ---- expectations from the list ---------------------------------------------

# the tool calls (not queries, not other methods) of tenant t in [t0, t1)
# matching filters f (project, nav, inst, tool)
sub calls_of {
    my ($t, $t0, $t1, %f) = @_;
    return grep {
        $_->{tenant} eq $t && $_->{method} eq 'tools/call' && $_->{at} >= $t0 && $_->{at} < $t1
            && (!$f{project} || $_->{project} eq $f{project})
            && (!$f{nav} || $_->{nav} eq $f{nav})
            && (!$f{inst} || ($_->{inst} // '') eq $f{inst})
            && (!$f{tool} || ($_->{tool} // '') eq $f{tool})
            && (!$f{tool_id} || ($_->{tool_id} // '') eq $f{tool_id})
    } @recs;
}
sub tool_calls { grep { !defined $_->{query} } calls_of(@_) }
sub queries { grep { defined $_->{query} } calls_of(@_) }
sub avg_s { my ($s, $n) = @_; $n ? $s / $n / 1000 : 0 }
sub close_to { my ($got, $want) = @_; defined $got && abs($got - $want) <= 1e-9 + 1e-6 * abs($want) }
sub iso { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($_[0])) }
# the histogram's value at q: the upper edge of the bucket of the
# ceil(q n)-th smallest (sql/030)
sub hist_q {
    my ($q, @v) = @_;
    return 0 unless @v;
    @v = sort { $a <=> $b } @v;
    my $x = $v[max(1, ceil($q * @v)) - 1];
    my $k = $x < 1 ? 1 : min(65, 2 + floor(4 * log($x) / log(2)));
    return ($k == 1 ? 1 : 2 ** (($k - 1) / 4)) / 1000;
}
sub exact_q {
    my ($q, @v) = @_;
    return 0 unless @v;
    @v = sort { $a <=> $b } @v;
    return $v[max(1, ceil($q * @v)) - 1] / 1000;
}

# ---- hub_rollup_span: exact over unaligned ranges ---------------------------

{
    my @bad;
    my @ranges = (
        [ $now0 - 86400 * 3 - 17.25, $now0 - 3.5 ],
        [ $midnight - 0.75, $midnight + 3600 ],
        [ $midnight - 0.25, $midnight + 3600 - 0.0005 ],
        [ $now0 - 86400 * 40 - 1234.5, $now0 - 86400 * 2 + 59.9 ],
        [ $now0 - 300.3, $now0 ],
    );
    for my $rg (@ranges) {
        my ($t0, $t1) = @$rg;
        my @c = calls_of('alpha', $t0, $t1);
        for my $step ('NULL', "'1 day'", "'15 minutes'", "'1 mon'", "'7 days'", "'90 minutes'") {
            my $got = q1(sprintf("SELECT coalesce(sum(calls), 0), coalesce(sum(errors), 0),"
                . " coalesce(sum(lat_sum), 0), coalesce(sum(run_calls), 0),"
                . " coalesce(sum(err_timeout), 0), count(*) FILTER (WHERE is_query)"
                . " FROM hub_rollup_span('%s', to_timestamp(%.4f), to_timestamp(%.4f), %s::interval,"
                . " now() - interval '1 day', now() - interval '30 days')",
                $tenant{alpha}, $t0, $t1, $step));
            my @g = split /\|/, $got;
            my @w = (scalar @c, scalar(grep { !$_->{ok} } @c), sum0(map { $_->{gw} } @c),
                     scalar(grep { defined $_->{up} } @c),
                     scalar(grep { ($_->{etype} // '') eq 'timeout' } @c));
            push @bad, sprintf('[%.3f, %.3f) step %s: %s, want %s', $t0, $t1, $step,
                               join(' ', @g[0 .. 4]), join(' ', @w))
                unless $g[0] == $w[0] && $g[1] == $w[1] && $g[2] == $w[2] && $g[3] == $w[3]
                    && $g[4] == $w[4];
        }
    }
    is_deeply(\@bad, [], 'hub_rollup_span: calls, errors, latency and runtime sums exact over '
              . scalar(@ranges) . ' unaligned ranges at 6 steps');
    # with a step, every row lies inside one bucket: per-bucket sums match
    my ($t0, $t1) = ($now0 - 86400 * 20 - 77.7, $now0 - 5);
    for my $st ([ '1 day', 86400, 0 ], [ '7 days', 604800, 4 * 86400 ], [ '6 hours', 21600, 0 ]) {
        my ($iv, $len, $origin) = @$st;
        my %want;
        $want{ floor(($_->{at} - $origin) / $len) * $len + $origin }++ for calls_of('alpha', $t0, $t1);
        my %got = map { split /\|/ } split /\n/, q1(sprintf(
            "SELECT extract(epoch FROM hub_step_bucket(bucket, '%s'))::bigint, sum(calls)"
            . " FROM hub_rollup_span('%s', to_timestamp(%.4f), to_timestamp(%.4f), '%s',"
            . " now() - interval '1 day', now() - interval '30 days') GROUP BY 1",
            $iv, $tenant{alpha}, $t0, $t1, $iv));
        is_deeply(\%got, \%want, "hub_rollup_span step $iv: every bucket's calls");
    }
    my $months = q1("SELECT string_agg(to_char(b AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ' ')"
        . " FROM hub_step_buckets('2026-11-15 10:00+00', '2027-03-01 00:00+00', '3 mons') b");
    is($months, '2026-10-01 00:00 2027-01-01 00:00', 'hub_step_buckets: 3-month buckets from calendar quarters');
    is(q1("SELECT to_char(hub_step_bucket('2026-12-09 10:00+00', '7 days') AT TIME ZONE 'UTC', 'Dy YYYY-MM-DD HH24:MI')"),
       'Mon 2026-12-07 00:00', 'hub_step_bucket: weeks from Monday 00:00 UTC');
}

# ---- totals ------------------------------------------------------------------

my $A = $alpha->{key};
sub get_ok {
    my ($path, $key) = @_;
    my $r = $hub->get("$C$path", auth($key // $A));
    is($r->{status}, 200, "GET $path: 200") or diag($r->{content});
    my $j = $r->{json} || {};
    ok($j->{success} && defined $j->{timestamp} && ref $j->{data} eq 'HASH', "  envelope {success, data, timestamp}");
    return $j->{data} || {};
}

my $t1 = $now0;
my $da = $dims{alpha};
for my $case ([ '24h', 86400, {} ],
              [ '7d', 7 * 86400, { project => $da->{projects}[0] } ],
              [ '1mon', $now0 - $month0, { nav => $da->{navs}[1], inst => $da->{servers}[0]{inst} } ],
              [ '2h', 7200, {} ]) {
    my ($w, $len, $f) = @$case;
    my $qs = join('', map { "&$_" } ($f->{project} ? "project_id=$f->{project}" : ()),
                  ($f->{nav} ? "navigator_instance_id=$f->{nav}" : ()),
                  ($f->{inst} ? "server_instance_id=$f->{inst}" : ()));
    my @c = tool_calls('alpha', $t1 - $len, $t1 + 1e9, %$f);
    my $d = get_ok("/analytics/average-tool-call-latency?window=$w$qs");
    is($d->{total_calls}, scalar @c, "latency $w$qs: total_calls " . scalar @c);
    ok(close_to($d->{average_latency}, avg_s(sum0(map { $_->{gw} } @c), scalar @c)),
       "  average_latency in seconds") or diag explain $d;
    is($d->{window}, $w, '  window echoed');
    is_deeply([ sort keys %{ $d->{filters} } ], [ sort grep { $qs =~ /$_=/ } qw(project_id navigator_instance_id server_instance_id) ],
              '  filters echoed');
    my @v = map { $_->{gw} } @c;
    my $exact = $len <= 6 * 3600;
    is($d->{percentiles}, $exact ? 'exact' : 'histogram', "  percentiles $d->{percentiles}");
    for my $q ([ 'p50_latency', 0.5 ], [ 'p95_latency', 0.95 ], [ 'p99_latency', 0.99 ]) {
        my $want = $exact ? exact_q($q->[1], @v) : hist_q($q->[1], @v);
        ok(close_to($d->{ $q->[0] }, $want), "  $q->[0] $want") or diag("got $d->{$q->[0]}");
    }
    $d = get_ok("/analytics/average-tool-call-runtime?window=$w$qs");
    my @u = grep { defined $_->{up} } @c;
    is($d->{total_executions}, scalar @u, "runtime $w: total_executions");
    ok(close_to($d->{average_runtime}, avg_s(sum0(map { $_->{up} } @u), scalar @u)), '  average_runtime');
}

# processed totals with the previous window
for my $case ([ '7d', 7 * 86400 ], [ '1mon', $now0 - $month0 ], [ '24h', 86400 ]) {
    my ($w, $len) = @$case;
    my $tool = 'srv__tool2';
    my $cur = tool_calls('alpha', $t1 - $len, $t1 + 1e9, tool => $tool);
    my $prev = tool_calls('alpha', $t1 - 2 * $len, $t1 - $len, tool => $tool);
    my $d = get_ok("/analytics/tool-calls-processed?window=$w&tool_name=$tool");
    is($d->{total_tool_calls}, $cur, "tool-calls-processed $w tool_name: $cur");
    is($d->{previous_total_tool_calls}, $prev, "  previous window: $prev");
    ok($prev ? close_to($d->{percentage_change}, 100 * ($cur - $prev) / $prev) : 1, '  percentage_change');
    my $qn = queries('alpha', $t1 - $len, $t1 + 1e9);
    my $qp = queries('alpha', $t1 - 2 * $len, $t1 - $len);
    $d = get_ok("/analytics/queries-processed?window=$w");
    is($d->{total_queries}, $qn, "queries-processed $w: $qn");
    is($d->{previous_total_queries}, $qp, "  previous: $qp");
}

# calls per query
sub cpq {
    my ($t0, $t1, %f) = @_;
    my @m = grep { defined $_->{qid} } calls_of('alpha', $t0, $t1, %f);
    my %q = map { ($_->{qid} => 1) } @m;
    my $calls = grep { !defined $_->{query} } @m;
    return ($calls, scalar keys %q);
}
for my $case ([ '24h', 86400, '' ], [ '7d', 7 * 86400, "&tool_id=$da->{tools}[0]{id}" ],
              [ '7d', 7 * 86400, "&server_instance_id=$da->{servers}[1]{inst}" ]) {
    my ($w, $len, $qs) = @$case;
    my %f = $qs =~ /tool_id=(.*)/ ? (tool_id => $1) : $qs =~ /server_instance_id=(.*)/ ? (inst => $1) : ();
    my ($calls, $nq) = cpq($t1 - $len, $t1 + 1e9, %f);
    my $d = get_ok("/analytics/average-tool-calls-per-query?window=$w$qs");
    is($d->{total_tool_calls}, $calls, "calls per query $w$qs: $calls calls");
    is($d->{total_queries}, $nq, "  $nq queries");
    ok(close_to($d->{average_tool_calls_per_query}, $nq ? $calls / $nq : 0), '  their ratio');
    is($d->{view}, 'timeseries', '  view echoed (default)');
    is($d->{frequency}, '1h', '  frequency echoed (default 1h)');
}
cmp_ok((cpq($t1 - 86400, $t1 + 1e9))[0], '>', 0, '  (the seeded queries have calls)');

# ---- graphs ------------------------------------------------------------------

# the expected buckets: start => [records]
sub buckets {
    my ($len, $origin, @c) = @_;
    my %b;
    push @{ $b{ iso(floor(($_->{at} - $origin) / $len) * $len + $origin) } }, $_ for @c;
    return \%b;
}
# points by timestamp; every point not expected is zero
sub check_points {
    my ($what, $points, $want, $value, $n_want) = @_;
    my (@bad, %seen);
    for my $p (@$points) {
        $seen{ $p->{timestamp} }++;
        my $w = $want->{ $p->{timestamp} } || [];
        my @diff = $value->($p, $w);
        push @bad, "$p->{timestamp}: @diff" if @diff;
    }
    my @missing = grep { !$seen{$_} } keys %$want;
    is_deeply([ @bad, map { "missing $_" } @missing ], [], "$what: every bucket right");
    ok(@$points == $n_want || @$points == $n_want + 1, "  $n_want or " . ($n_want + 1) . ' points (got ' . scalar(@$points) . ')');
    my @ts = map { $_->{timestamp} } @$points;
    is_deeply(\@ts, [ sort @ts ], '  oldest first');
}

{
    my @c = tool_calls('alpha', $t1 - 7 * 86400, $t1 + 1e9);
    my $d = get_ok('/analytics/average-tool-call-latency-graph?window=7d&frequency=1d&view=bar');
    is($d->{view}, 'bar', 'latency graph: view echoed');
    is($d->{frequency}, '1d', '  frequency');
    check_points('latency graph 7d/1d', $d->{data_points}, buckets(86400, 0, @c), sub {
        my ($p, $w) = @_;
        my @v = map { $_->{gw} } @$w;
        return () if $p->{total_calls} == @v && close_to($p->{average_latency}, avg_s(sum0(@v), scalar @v))
            && close_to($p->{p95_latency}, hist_q(0.95, @v));
        return ("$p->{total_calls} calls, $p->{average_latency} s, p95 $p->{p95_latency}; want " . scalar(@v));
    }, 7);

    @c = grep { defined $_->{up} } tool_calls('alpha', $t1 - 30 * 86400, $t1 + 1e9);
    $d = get_ok('/analytics/average-tool-call-runtime-graph?window=30d&frequency=1w');
    check_points('runtime graph 30d/1w (weeks from Monday)', $d->{data_points}, buckets(604800, 4 * 86400, @c), sub {
        my ($p, $w) = @_;
        my @v = map { $_->{up} } @$w;
        return () if $p->{total_executions} == @v && close_to($p->{average_runtime}, avg_s(sum0(@v), scalar @v));
        return ("$p->{total_executions} / $p->{average_runtime}");
    }, 5);

    @c = tool_calls('alpha', $t1 - 86400, $t1 + 1e9);
    $d = get_ok('/analytics/tool-calls-processed-graph?window=24h');
    is($d->{frequency}, '1h', 'tool-calls graph 24h without a frequency: 1h');
    check_points('tool-calls graph 24h/1h', $d->{data_points}, buckets(3600, 0, @c), sub {
        my ($p, $w) = @_; $p->{count} == @$w ? () : ("$p->{count} != " . scalar @$w) }, 24);

    my @q = queries('alpha', $t1 - 7 * 86400, $t1 + 1e9);
    $d = get_ok('/analytics/queries-processed-graph?window=7d&frequency=6h');
    check_points('queries graph 7d/6h', $d->{data_points}, buckets(21600, 0, @q), sub {
        my ($p, $w) = @_; $p->{count} == @$w ? () : ("$p->{count} != " . scalar @$w) }, 28);

    my @m = grep { defined $_->{qid} } calls_of('alpha', $t1 - 7 * 86400, $t1 + 1e9);
    $d = get_ok('/analytics/average-tool-calls-per-query-graph?window=7d&frequency=1d');
    check_points('calls per query graph 7d/1d', $d->{data_points}, buckets(86400, 0, @m), sub {
        my ($p, $w) = @_;
        my $calls = grep { !defined $_->{query} } @$w;
        my %qq = map { ($_->{qid} => 1) } @$w;
        my $nq = keys %qq;
        return () if $p->{total_tool_calls} == $calls && $p->{total_queries} == $nq
            && close_to($p->{average_tool_calls_per_query}, $nq ? $calls / $nq : 0);
        return ("$p->{total_tool_calls}/$p->{total_queries}, want $calls/$nq");
    }, 7);

    @c = tool_calls('alpha', $t1 - 30 * 86400, $t1 + 1e9);
    $d = get_ok('/analytics/error-rate-graph?window=30d&frequency=1d');
    my $errs = grep { !$_->{ok} } @c;
    is($d->{total_tool_calls}, scalar @c, 'error-rate graph: total_tool_calls');
    is($d->{total_errors}, $errs, "  total_errors $errs");
    ok(close_to($d->{average_error_rate}, @c ? $errs / @c : 0), '  average_error_rate (a fraction)');
    is($d->{view_type}, 'timeseries', '  view_type');
    check_points('error-rate graph 30d/1d', $d->{time_series_data}, buckets(86400, 0, @c), sub {
        my ($p, $w) = @_;
        my $e = grep { !$_->{ok} } @$w;
        close_to($p->{value}, @$w ? $e / @$w : 0) ? () : ("$p->{value}") }, 30);

    $d = get_ok('/analytics/error-types-graph?window=30d&frequency=1d');
    my %by;
    $by{ $_->{etype} }++ for grep { $_->{etype} } @c;
    my %name = (auth => 'authentication', rate_limit => 'rate_limit', timeout => 'timeout',
                execution => 'execution', protocol => 'protocol', approval => 'approval');
    my %got = map { ($_->{error_type} => $_->{total_count}) } @{ $d->{time_series_data} };
    is_deeply(\%got, { map { ("caylex_$name{$_}_errors_total" => $by{$_}) } keys %by },
              'error-types graph: every type that occurred, with its count');
    is($d->{total_errors}, sum0(values %by), '  total_errors');
    my @counts = map { $_->{total_count} } @{ $d->{time_series_data} };
    is_deeply(\@counts, [ sort { $b <=> $a } @counts ], '  most first');
    my $timeouts = first { $_->{error_type} eq 'caylex_timeout_errors_total' } @{ $d->{time_series_data} };
    my $tb = buckets(86400, 0, grep { ($_->{etype} // '') eq 'timeout' } @c);
    check_points('  timeouts per day', $timeouts->{time_series_data}, $tb, sub {
        my ($p, $w) = @_; $p->{value} == @$w ? () : ("$p->{value} != " . scalar @$w) }, 30);
    is($timeouts->{error_name}, 'Timeout Errors', '  error_name');
}

# heroes: rolling week against the week before
{
    my $d = get_ok('/analytics/heroes/global/stats?comparison_period=rolling_week');
    is($d->{total_tool_calls}, scalar(tool_calls('alpha', $t1 - 7 * 86400, $t1 + 1e9)), 'global stats: tool calls this week');
    is($d->{previous_total_tool_calls}, scalar(tool_calls('alpha', $t1 - 14 * 86400, $t1 - 7 * 86400)), '  and the week before');
    is($d->{total_queries}, scalar(queries('alpha', $t1 - 7 * 86400, $t1 + 1e9)), '  queries');
    is($d->{previous_total_queries}, scalar(queries('alpha', $t1 - 14 * 86400, $t1 - 7 * 86400)), '  previous queries');
    is($d->{comparison_period}, 'rolling_week', '  comparison_period');
    $d = get_ok('/analytics/heroes/global/stats');
    is($d->{comparison_period}, 'rolling_month', '  default rolling_month');
    is($d->{total_tool_calls}, scalar(tool_calls('alpha', $month0, $t1 + 1e9)), '  a calendar month of tool calls');
}

# ---- tenants, empty windows, bad input -----------------------------------------

{
    my $bp = $dims{beta}{projects}[0];
    my $d = get_ok("/analytics/tool-calls-processed?window=1mon&project_id=$bp");
    is($d->{total_tool_calls}, 0, "alpha with beta's project: nothing (not beta's data)");
    $d = get_ok("/analytics/average-tool-call-latency-graph?window=7d&frequency=1d&project_id=$bp");
    ok(!grep({ $_->{total_calls} } @{ $d->{data_points} }), '  graph: all zeros');
    my @bc = tool_calls('beta', $month0, $t1 + 1e9);
    $d = get_ok('/analytics/tool-calls-processed?window=1mon', $beta->{key});
    is($d->{total_tool_calls}, scalar @bc, "beta's token: beta's own tool calls");
    $d = get_ok("/analytics/tool-calls-processed?window=1mon&project_id=$bp", $beta->{key});
    is($d->{total_tool_calls}, scalar(tool_calls('beta', $month0, $t1 + 1e9, project => $bp)), '  and its project');

    $d = get_ok('/analytics/average-tool-call-latency?window=24h', $gamma->{key});
    is_deeply([ @$d{qw(total_calls average_latency p95_latency)} ], [ 0, 0, 0 ], 'an empty window: zeros');
    $d = get_ok('/analytics/error-types-graph?window=24h&frequency=1h', $gamma->{key});
    is_deeply($d->{time_series_data}, [], '  no error types');
    is($d->{total_errors}, 0, '  no errors');
    $d = get_ok('/analytics/average-tool-calls-per-query-graph?window=24h&frequency=1h', $gamma->{key});
    ok(@{ $d->{data_points} } >= 24 && !grep({ $_->{total_queries} || $_->{average_tool_calls_per_query} } @{ $d->{data_points} }),
       '  calls per query graph: zero points');
    $d = get_ok('/analytics/queries-processed?window=7d', $gamma->{key});
    is_deeply([ @$d{qw(total_queries previous_total_queries percentage_change)} ], [ 0, 0, 0 ], '  processed: 0, 0, 0% change');

    for my $bad ([ '/analytics/average-tool-call-latency?window=2x', 'window' ],
                 [ '/analytics/average-tool-call-latency?window=0h', 'window' ],
                 [ '/analytics/error-rate-graph?window=24h&frequency=1s', 'frequency' ],
                 [ '/analytics/error-rate-graph?window=24h&frequency=2d', 'frequency' ],
                 [ '/analytics/error-rate-graph?window=90d&frequency=1m', 'frequency' ],
                 [ '/analytics/average-tool-calls-per-query?frequency=often', 'frequency' ],
                 [ '/analytics/error-rate-graph?view=galaxy', 'view' ],
                 [ '/analytics/tool-calls-processed?project_id=nope', 'project_id' ],
                 [ '/analytics/heroes/global/stats?comparison_period=yearly', 'comparison_period' ]) {
        HubTest::is_422($hub->get("$C$bad->[0]", auth($A)), [ 'query', $bad->[1] ], $bad->[0]);
    }
    is($hub->get("$C/analytics/tool-calls-processed")->{status}, 401, 'no credentials: 401');
}

ok($hub->log_is_clean, 'error log clean');
done_testing();
