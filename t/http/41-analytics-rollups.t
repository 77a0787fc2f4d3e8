# The rollups of the gateway's call records (sql/030, sql/033): every
# batch inserted into mcp_calls is readable at once in the per-minute,
# per-hour and per-day rollups (views over the folded rows and the pending
# ones), and the hub's watchdog folds the pending ones into the stores.
# The test writes batches of records that share buckets (and one that
# comes late, into buckets already rolled up), then recomputes every
# rollup row itself from the raw rows it reads back and compares them
# all, through the views (whatever has been folded by then) and, once
# everything is folded, in the stores alone (one row per bucket and
# combination); and the latency histogram's percentiles against the
# exact ones.
use strict;
use warnings;
use Test::More;
use List::Util qw(sum min max);
use POSIX qw(floor ceil);
use HubTest;

my $hub = HubTest->new();
$hub->team('acme');
$hub->team('globex');
sub q1 { $hub->psql($hub->db, $_[0]) }
my %tenant = map { $_ => q1("SELECT id FROM tenants WHERE slug = '$_'") } qw(acme globex);

# a fixed set of dimensions: 2 tenants x 2 navigator instances x 3 servers
# x 4 tools, in 2 projects, and queries (search_tools with a query text)
q1("CREATE TABLE seed_dims AS
    SELECT t.id AS tenant_id, ('00000000-0000-0000-0000-00000000000' || p)::uuid AS project_id,
           md5(t.id::text || n)::uuid AS navigator_instance_id,
           md5(t.id::text || n || s)::uuid AS server_instance_id,
           md5('server' || s)::uuid AS server_id, 'tool-' || s || '-' || k AS tool_name
      FROM tenants t, generate_series(1, 2) n, generate_series(1, 3) s,
           generate_series(1, 4) k, LATERAL (SELECT n AS p) pp
     WHERE t.slug IN ('acme', 'globex')");
is(q1("SELECT count(*) FROM seed_dims"), 48, 'seed dimensions: 48 combinations');

# One batch: n records spread over the last `hours` hours, deterministic
# (setseed), with errors of every type, calls that never reached an
# upstream (upstream_ms NULL), queries, and other methods that must not
# be rolled up.
sub batch {
    my ($n, $seed, $hours) = @_;
    q1("SELECT setseed($seed);
        INSERT INTO mcp_calls (at, tenant_id, navigator_instance_id, project_id, method,
                               tool_name, server_id, server_instance_id, gateway_ms,
                               upstream_ms, ok, error_type, query)
        SELECT now() - random() * interval '$hours hours', d.tenant_id,
               d.navigator_instance_id, d.project_id,
               CASE WHEN r.m < 0.05 THEN 'tools/list' WHEN r.m < 0.08 THEN 'GET' ELSE 'tools/call' END,
               CASE WHEN r.q < 0.1 THEN 'search_tools' ELSE d.tool_name END,
               CASE WHEN r.q < 0.1 THEN NULL ELSE d.server_id END,
               CASE WHEN r.q < 0.1 THEN NULL ELSE d.server_instance_id END,
               r.lat, CASE WHEN r.e < 0.1 THEN NULL ELSE r.lat * 0.8 END,
               r.e >= 0.2,
               CASE WHEN r.e >= 0.2 THEN NULL
                    ELSE (ARRAY['auth','rate_limit','timeout','execution','protocol','approval'])
                         [1 + floor(r.e * 30)::int] END,
               CASE WHEN r.q < 0.1 THEN 'find the weather' END
          FROM generate_series(1, $n) i,
               LATERAL (SELECT random() AS m, random() AS q, random() AS e,
                               (exp(random() * 9))::real AS lat, floor(random() * 48)::int AS k, i AS j
                         OFFSET 0) r,
               LATERAL (SELECT * FROM seed_dims ORDER BY tenant_id, navigator_instance_id,
                               server_instance_id, tool_name OFFSET r.k LIMIT 1) d");
}
batch(3000, 0.1, 30);
batch(2000, 0.2, 30);    # the same buckets again: the upsert adds
batch(500, 0.3, 3);
# late: records of two days ago arrive now, into buckets already made
batch(300, 0.4, 72);
is(q1("SELECT count(*) FROM mcp_calls"), 5800, 'four batches recorded');
cmp_ok(q1("SELECT count(*) FROM mcp_calls WHERE method <> 'tools/call'"), '>', 100,
       '  with other methods among them');

# the raw rows, read back as the test's own input
sub read_raw {
    return map { [split /\|/, $_, -1] } split /\n/, q1(
    "SELECT extract(epoch FROM at)::numeric(20,6), tenant_id, coalesce(project_id::text, ''),
            navigator_instance_id, coalesce(server_instance_id::text, ''),
            coalesce(server_id::text, ''), tool_name, (query IS NOT NULL)::int, ok::int,
            coalesce(error_type, ''), gateway_ms, coalesce(upstream_ms::text, '')
       FROM mcp_calls WHERE method = 'tools/call'");
}
my @raw = read_raw();
my %grain = ('1m' => 60, '1h' => 3600, '1d' => 86400);
my @types = qw(auth rate_limit timeout execution protocol approval);

# Each rollup row of grain $g read from relation $rel (a view: several rows
# of one bucket and combination are added up, as readers do), compared
# with the rows the test computes from the raw ones.
sub compare {
    my ($g, $rel, $label) = @_;
    my %want;
    for my $r (@raw) {
        my ($at, @dims) = @$r[0 .. 7];
        my $bucket = floor($at / $grain{$g}) * $grain{$g};
        my $key = join '|', $bucket, @dims;
        my $w = $want{$key} ||= { calls => 0, errors => 0, lat => [], run => [],
                                  map { ("err_$_" => 0) } @types };
        $w->{calls}++;
        $w->{errors}++ unless $r->[8];
        $w->{"err_$r->[9]"}++ if $r->[9] ne '';
        push @{$w->{lat}}, $r->[10];
        push @{$w->{run}}, $r->[11] if $r->[11] ne '';
    }
    my %got = map { my @f = split /\|/, $_, -1; (join('|', @f[0 .. 7]) => [@f[8 .. $#f]]) }
        split /\n/, q1("SELECT extract(epoch FROM bucket)::bigint, tenant_id, coalesce(project_id::text, ''),
                               navigator_instance_id, coalesce(server_instance_id::text, ''),
                               coalesce(server_id::text, ''), tool_name, is_query::int,
                               sum(calls), sum(errors), sum(err_auth), sum(err_rate_limit),
                               sum(err_timeout), sum(err_execution), sum(err_protocol),
                               sum(err_approval), sum(lat_sum), min(lat_min), max(lat_max),
                               sum(run_calls), sum(run_sum),
                               coalesce(min(run_min)::text, ''), coalesce(max(run_max)::text, ''),
                               sum(hist_total)
                          FROM (SELECT r.*, (SELECT sum(x) FROM unnest(r.lat_hist) x) AS hist_total
                                  FROM $rel r) r
                         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
    is(scalar(keys %got), scalar(keys %want), "$g, $label: every bucket and combination (" . scalar(keys %want) . ')');
    my @bad;
    for my $k (sort keys %want) {
        my $w = $want{$k};
        my $r = $got{$k} or do { push @bad, "$k missing"; next };
        my @expect = ($w->{calls}, $w->{errors}, map { $w->{"err_$_"} } @types);
        for my $i (0 .. $#expect) {
            push @bad, "$k field $i: $r->[$i] != $expect[$i]" if $r->[$i] != $expect[$i];
        }
        my $ls = sum(@{$w->{lat}});
        push @bad, "$k lat_sum $r->[8] != $ls" if abs($r->[8] - $ls) > 1e-3 * $ls + 1e-3;
        push @bad, "$k lat_min" if abs($r->[9] - min(@{$w->{lat}})) > 1e-3 * $r->[9] + 1e-4;
        push @bad, "$k lat_max" if abs($r->[10] - max(@{$w->{lat}})) > 1e-3 * $r->[10] + 1e-4;
        push @bad, "$k run_calls" if $r->[11] != @{$w->{run}};
        my $rs = sum(0, @{$w->{run}});
        push @bad, "$k run_sum $r->[12] != $rs" if abs($r->[12] - $rs) > 1e-3 * $rs + 1e-3;
        push @bad, "$k run_min" if @{$w->{run}} && abs($r->[13] - min(@{$w->{run}})) > 1e-3 * $r->[13] + 1e-4;
        push @bad, "$k hist total $r->[15]" if $r->[15] != $w->{calls};
    }
    is(scalar(@bad), 0, "$g, $label: counts, errors by type, latency and runtime sums, minima, maxima and histogram totals match the raw rows")
        or diag(join "\n", @bad[0 .. min(9, $#bad)]);
}

for my $g (sort keys %grain) {
    compare($g, "mcp_rollup_$g", 'through the view, as soon as written');
}

# the watchdog folds the pending calls (every 2 s): then the stores alone
# hold every call, one row per bucket and combination
ok(HubTest::eventually(60, sub { q1("SELECT count(*) FROM mcp_rollup_pending") == 0 }),
   'the watchdog folds every pending batch into the stores');
for my $g (sort keys %grain) {
    compare($g, "mcp_rollup_${g}_store", 'folded');
    is(q1("SELECT count(*) - count(DISTINCT (bucket, tenant_id, project_id, navigator_instance_id,
                  server_instance_id, server_id, tool_name, is_query)) FROM mcp_rollup_${g}_store"), 0,
       "$g: one stored row per bucket and combination");
}
# a batch after the fold, into folded buckets: the views add it at once
batch(400, 0.5, 30);
@raw = read_raw();
for my $g (sort keys %grain) {
    compare($g, "mcp_rollup_$g", 'folded and pending');
}

# two sessions folding (as two hosts would, besides the watchdog) while
# batches are written: no call is counted twice or lost, in the views
# meanwhile and in the stores once all is folded
my @folders = map {
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        q1("SELECT hub_mcp_rollups_fold(1, 7, 90, 730)") for 1 .. 30;
        POSIX::_exit(0);
    }
    $pid
} 1 .. 2;
batch(300, 0.6, 30);
batch(300, 0.7, 3);
batch(300, 0.8, 30);
waitpid($_, 0) for @folders;
@raw = read_raw();
for my $g (sort keys %grain) {
    compare($g, "mcp_rollup_$g", 'folds racing writes');
}
ok(HubTest::eventually(60, sub { q1("SELECT count(*) FROM mcp_rollup_pending") == 0 }),
   'then all folded');
for my $g (sort keys %grain) {
    compare($g, "mcp_rollup_${g}_store", 'folded after the race');
}

# other tenants' rows never land in a tenant's rollup row: each rollup row
# names one tenant, and its combinations are only that tenant's
is(q1("SELECT count(*) FROM mcp_rollup_1d r WHERE NOT EXISTS (
         SELECT 1 FROM seed_dims d WHERE d.tenant_id = r.tenant_id
            AND d.navigator_instance_id = r.navigator_instance_id)"), 0,
   "each rollup row's navigator instance is its own tenant's");

# percentiles from the histogram: within one bucket (a factor 2^(1/4)) of
# the exact value over the same rows
for my $q (0.5, 0.95, 0.99) {
    my @lat = sort { $a <=> $b } map { $_->[10] } grep { $_->[1] eq $tenant{acme} } @raw;
    my $exact = $lat[max(0, ceil($q * @lat) - 1)];
    my $est = q1("SELECT hub_hist_quantile(hub_hist_sum(lat_hist), $q) FROM mcp_rollup_1h
                   WHERE tenant_id = '$tenant{acme}'");
    ok($est >= $exact * 0.999 && $est <= $exact * 2 ** 0.25 * 1.001,
       "p" . ($q * 100) . " from the hourly histograms: $est ms for the exact $exact ms");
}
is(q1("SELECT hub_hist_quantile(array_fill(0, ARRAY[65]), 0.5) IS NULL"), 't', 'an empty histogram has no percentile');
is(q1("SELECT hub_latency_bucket(0.5) || ',' || hub_latency_bucket(1) || ',' || hub_latency_bucket(1.18)
              || ',' || hub_latency_bucket(1.19) || ',' || hub_latency_bucket(1e9)"),
   '1,2,2,3,65', 'bucket edges: under 1 ms, [1, 2^(1/4)), [2^(1/4), ...), and the open last bucket');

# a tenant deleted: its rollups go with it
q1("DELETE FROM tenants WHERE slug = 'globex'");
is(q1("SELECT (SELECT count(*) FROM mcp_rollup_1m WHERE tenant_id = '$tenant{globex}')
            + (SELECT count(*) FROM mcp_rollup_1d WHERE tenant_id = '$tenant{globex}')"), 0,
   "a deleted tenant's rollups are deleted with it");

# retention: the watchdog's run shortly after a start prunes each grain
# by its own HubRollupRetention days (1 2 400 here)
my $old = q1("SELECT count(*) FROM mcp_rollup_1m WHERE bucket < now() - interval '1 day'");
cmp_ok($old, '>', 0, "per-minute rows older than a day before the prune: $old");
my $days = q1("SELECT count(*) FROM mcp_rollup_1d");
$hub->stop_httpd;
my $pruner = HubTest->new(name => 'pruner', conf => 'HubRollupRetention 1 2 400', share => $hub);
ok(HubTest::eventually(30, sub {
    q1("SELECT count(*) FROM mcp_rollup_1m WHERE bucket < now() - interval '1 day'") == 0 }),
   'after a start: per-minute rollups older than 1 day deleted');
is(q1("SELECT count(*) FROM mcp_rollup_1h WHERE bucket < now() - interval '2 days'"), 0,
   '  per-hour ones older than 2 days deleted');
cmp_ok(q1("SELECT count(*) FROM mcp_rollup_1h WHERE bucket < now() - interval '1 day'"), '>', 0,
   '  per-hour ones of a day ago kept');
is(q1("SELECT count(*) FROM mcp_rollup_1d"), $days, '  and every per-day one (400 days)');
like($pruner->slurp($pruner->error_log_path), qr/HUB00804: rollups pruned \(1, 2 and 400 days kept\): \d+ row\(s\) deleted/,
     '  and the host says what it pruned');

$pruner->stop_httpd;
ok($hub->log_is_clean, 'error log clean');
done_testing();
