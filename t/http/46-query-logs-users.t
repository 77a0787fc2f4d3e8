# Caylex's query logs, query traces and project users' analytics, read
# from seeded gateway call records (mcp_calls): every expected number and
# order is computed here from the seeded rows (t/lib/HubCxlSeed.pm).  Two
# tenants: the other's projects, queries and calls are never shown.  At
# the end, a real query: a 2025 SDK client searches and calls through a
# compact navigator, and its query log entry and trace are read back.
use strict;
use warnings;
use Test::More;
use List::Util qw(sum max min first);
use Time::Local qw(timegm);
use HubTest;
use HubMcp;
use HubGateway;
use HubCxlSeed;

HubMcp::require_peers();
my $hub = HubTest->new(conf => join "\n",
    'HubOutboundAllow 127.0.0.0/8', 'HubProbeInterval 3600',
    '<Location /mcp>', '    HubMcpGateway On', '</Location>');
my $acme = $hub->team('acme');
my $globex = $hub->team('globex');
my $C = '/caylex/api/v1';
sub q1 { $hub->psql($hub->db, $_[0]) }
sub get { my ($key, $path) = @_; $hub->get("$C$path", headers => { Authorization => "Bearer $key" }) }
my $s = HubCxlSeed->new($hub);

# ---- the seed --------------------------------------------------------------------
# Q_a: four calls in two groups (the second begins while the first runs;
# the fourth while the third does), one failing; a stray call naming no
# tool and another tenant's record with its id are none of its calls
my $qa = $s->query(nav => 'I11', ago => 3600, text => 'weather in paris', user => 'ann',
                   calls => [ ['si11', 'weather__today', 120, 1, 0.010], ['si21', 'docs__find', 80, 0, 0.050],
                              ['si11', 'weather__week', 40, 1, 1.0], ['si11', 'weather__today', 30, 1, 1.02] ]);
$s->add(nav => 'I11', ago => 3600 - 2, tool => 'nope', ok => 0, error_type => 'protocol', query_id => $qa);
$s->add(nav => 'I31', ago => 3600 - 3, si => 'si33', server => 'S3', tool => 'beta__x', query_id => $qa);
my $qb = $s->query(nav => 'I21', ago => 7200, text => 'docs please', user => 'bob',
                   calls => [ ['si21', 'docs__find', 10, 1, 0.5] ]);
my $qc = $s->query(nav => 'I11', ago => 10 * 86400, text => 'old question', calls => [ ['si11', 'weather__today', 5, 0, 2] ]);
# many more for pages, 0..3 calls each
srand(46);
for my $k (1 .. 23) {
    my @calls = map { [ (qw(si11 si21))[ int rand 2 ], "tool-$_", 5 + int rand 50, rand() < 0.8 ? 1 : 0, 0.2 * $_ ] }
                1 .. int rand 4;
    $s->query(nav => $k % 3 ? 'I11' : 'I21', ago => 20000 + 1000 * $k, text => "query $k", calls => \@calls,
              user => (qw(ann bob dan))[ $k % 3 ]);
}
# another project's and another tenant's queries
my $qp2 = $s->query(nav => 'I12', ago => 500, text => 'in p2', calls => [ ['si12', 'weather__today', 7, 1, 0.1] ]);
my $qg = $s->query(nav => 'I31', ago => 400, text => 'globex asks', user => 'zed',
                   calls => [ ['si33', 'beta__x', 9, 1, 0.1] ]);
# plain calls (no query), other methods and a stream
for my $k (1 .. 30) {
    $s->add(nav => (qw(I11 I21 I12))[ $k % 3 ], ago => 300 * $k, si => 'si11', server => 'S1',
            tool => 'weather__today', ms => $k, ok => $k % 5 ? 1 : 0, user => (qw(ann bob dan))[ $k % 3 ]);
}
# project users active long ago: ann 10 days, cat 40 days (out of the
# month), and bob in another project only then
$s->add(nav => 'I11', ago => 10 * 86400 + 500, si => 'si11', server => 'S1', tool => 'weather__today', user => 'ann');
$s->add(nav => 'I21', ago => 40 * 86400, si => 'si11', server => 'S1', tool => 'weather__today', user => 'cat');
$s->add(nav => 'I12', ago => 20 * 86400, si => 'si12', server => 'S1', tool => 'weather__today', user => 'bob');
$s->add(nav => 'I11', ago => 100, method => 'tools/list', tool => undef);
$s->add(nav => 'I11', ago => 100, method => 'GET', tool => undef, ms => 60000);
$s->flush;

my @rows = @{ $s->{rows} };
my %search = map { ($_->{query_id} => $_) } grep { defined $_->{query} } @rows;
# a query's tool calls, as the README defines them
sub calls_of {
    my ($id) = @_;
    my $q = $search{$id};
    return sort { $a->{at} <=> $b->{at} } grep {
        defined $_->{query_id} && $_->{query_id} eq $id && !defined $_->{query} && $_->{method} eq 'tools/call'
            && defined $_->{si} && $_->{tenant} eq $q->{tenant} && $_->{at} >= $q->{at}
    } @rows;
}
sub log_entry {
    my ($q) = @_;
    my @c = calls_of($q->{query_id});
    my (@srv, %seen);
    for (@c) { push @srv, $_->{server} unless $seen{ $_->{server} }++ }
    return { id => $q->{query_id}, query => $q->{query}, num_tool_calls => scalar @c,
             num_errors => scalar(grep { !$_->{ok} } @c),
             servers_invoked => [ map { $s->{srv}{$_} } @srv ],
             server_logo_urls => [ map { $s->{srv_logo}{$_} } @srv ],
             timestamp => HubCxlSeed::iso($q->{at}), navigator_instance_id => $s->{ni}{ $q->{nav} },
             navigator_name => $s->{nav_name}{ $s->{ni_nav}{ $q->{nav} } } };
}
sub expect_log {
    my ($project, $filter) = @_;
    return [ map { log_entry($_) }
             sort { $b->{at} <=> $a->{at} || $b->{query_id} cmp $a->{query_id} }
             grep { $_->{tenant} eq 'acme' && $_->{project} eq $project && $filter->($_) } values %search ];
}

# ---- GET /projects/{project_id}/query-logs -----------------------------------------
my $P1 = $s->{p}{P1};
my $r = get($acme->{key}, "/projects/$P1/query-logs?size=100");
is($r->{status}, 200, 'query logs of P1') or diag explain $r->{json};
my $want = expect_log('P1', sub { 1 });
is($r->{json}{meta}{total}, scalar @$want, '  meta.total: every query of the project (' . @$want . ')');
is_deeply($r->{json}{items}, $want, '  each query with its calls, errors, servers and logos, newest first');
my ($a_entry) = grep { $_->{id} eq $qa } @{ $r->{json}{items} };
is($a_entry->{num_tool_calls}, 4, '  Q_a: four tool calls (the stray one and the other tenant\'s not among them)');
is_deeply($a_entry->{server_logo_urls}, ['https://logos.test/weather.png', undef], '  a server without a logo: null');

# pages of 5, walked with the cursor
my (@ids, $cursor, $pages);
do {
    $r = get($acme->{key}, "/projects/$P1/query-logs?size=5" . ($cursor ? "&cursor=$cursor" : ''));
    push @ids, map { $_->{id} } @{ $r->{json}{items} };
    is($r->{json}{meta}{has_prev} ? 1 : 0, $pages ? 1 : 0, "  page $pages: has_prev") if $pages;
    $pages++;
    $cursor = $r->{json}{meta}{next_cursor};
    is(!!$r->{json}{meta}{has_next}, !!$cursor, "  page $pages: has_next agrees with next_cursor");
} while ($cursor && $pages < 20);
is($pages, int((@$want + 4) / 5), '  pages of 5: as many as the total needs');
is_deeply(\@ids, [ map { $_->{id} } @$want ], '  the pages together: every query once, in order');

# filters
my %F = (
    "navigator_instance_id=$s->{ni}{I21}" => sub { $_[0]{nav} eq 'I21' },
    "server_instance_id=$s->{si}{si21}"   => sub { grep { $_->{si} eq 'si21' } calls_of($_[0]{query_id}) },
    'timestamp__gte=' . HubCxlSeed::iso($search{$qb}{at}) => sub { $_[0]{at} >= $search{$qb}{at} },
    'timestamp__lte=' . HubCxlSeed::iso($search{$qb}{at}) => sub { $_[0]{at} <= $search{$qb}{at} },
    'timestamp__gte=' . HubCxlSeed::iso($s->{now} - 30000) . '&timestamp__lte=' . HubCxlSeed::iso($s->{now} - 3600)
        => sub { $_[0]{at} >= $s->{now} - 30000 && $_[0]{at} <= $s->{now} - 3600 },
);
for my $f (sort keys %F) {
    $r = get($acme->{key}, "/projects/$P1/query-logs?size=100&$f");
    my $w = expect_log('P1', $F{$f});
    is_deeply([ map { $_->{id} } @{ $r->{json}{items} || [] } ], [ map { $_->{id} } @$w ],
              "filter $f: " . @$w . ' queries');
}
$r = get($acme->{key}, "/projects/$P1/query-logs?timestamp__gte=2001-01-01T00:00:00Z&timestamp__lte=2001-01-02T00:00:00Z");
is_deeply([$r->{status}, $r->{json}{items}, $r->{json}{meta}{total}], [200, [], 0], 'an empty window: no items, total 0');
$r = get($acme->{key}, "/projects/$s->{p}{P2}/query-logs");
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [$qp2], "P2's log: its own query only");

# another tenant's project, and bad parameters
is(get($acme->{key}, "/projects/$s->{p}{Q1}/query-logs")->{status}, 404, "another tenant's project: 404");
$r = get($globex->{key}, "/projects/$s->{p}{Q1}/query-logs");
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [$qg], "  globex sees its own query there");
HubTest::is_422(get($acme->{key}, "/projects/$P1/query-logs?size=0"), ['query', 'size'], 'size 0');
HubTest::is_422(get($acme->{key}, "/projects/$P1/query-logs?size=101"), ['query', 'size'], 'size 101');
HubTest::is_422(get($acme->{key}, "/projects/$P1/query-logs?navigator_instance_id=nope"),
                ['query', 'navigator_instance_id'], 'a navigator instance id that is no UUID');
HubTest::is_422(get($acme->{key}, "/projects/$P1/query-logs?timestamp__gte=yesterday"),
                ['query', 'timestamp__gte'], 'a timestamp that is none');
HubTest::is_422(get($acme->{key}, "/projects/not-a-uuid/query-logs"), ['path', 'project_id'], 'a project id that is no UUID');

# ---- GET /queries/query-logs/{query_id} and /trace -----------------------------------
sub query_doc {
    my ($id) = @_;
    my $q = $search{$id};
    my @c = calls_of($id);
    return { id => $id, token => undef, query => $q->{query}, navigator_instance_id => $s->{ni}{ $q->{nav} },
             project_id => $s->{p}{ $q->{project} }, created_at => HubCxlSeed::iso($q->{at}),
             updated_at => HubCxlSeed::iso(@c ? $c[-1]{at} : $q->{at}) };
}
for my $id ($qa, $qb, $qc) {
    $r = get($acme->{key}, "/queries/query-logs/$id");
    is($r->{status}, 200, "query $search{$id}{query}");
    is_deeply($r->{json}, query_doc($id), '  as seeded: created at the search, updated at its last call');
}
is(get($acme->{key}, "/queries/query-logs/$qg")->{status}, 404, "another tenant's query: 404");
is(get($globex->{key}, "/queries/query-logs/$qa")->{status}, 404, '  both ways');
is(get($acme->{key}, '/queries/query-logs/' . HubCxlSeed::uuid())->{status}, 404, 'an unknown query: 404');
HubTest::is_422(get($acme->{key}, '/queries/query-logs/x1'), ['path', 'query_id'], 'a query id that is no UUID');

# the trace: groups of calls that ran together, computed here
sub trace_of {
    my ($id) = @_;
    my (@groups, $busy);
    for my $c (calls_of($id)) {
        push @groups, [] if !defined $busy || $c->{at} >= $busy;
        push @{ $groups[-1] }, $c;
        $busy = max($busy // 0, $c->{at} + $c->{ms} / 1000);
    }
    return { query => query_doc($id),
             tool_call_groups => [ map { my $g = $_; {
                 created_at => HubCxlSeed::iso($g->[0]{at}),
                 tool_calls => [ map { { server_instance_id => $s->{si}{ $_->{si} },
                                         tool => { server => { id => $s->{srv}{ $_->{server} },
                                                               name => $s->{srv_name}{ $_->{server} } },
                                                   name => $_->{tool} },
                                         latency => $_->{ms}, success => $_->{ok} ? JSON::PP::true : JSON::PP::false,
                                         error_message => $_->{error}, created_at => HubCxlSeed::iso($_->{at}) } } @$g ] } }
                 @groups ],
             tool_schemas => [],
             suggest_tools => [ { id => $id, created_at => HubCxlSeed::iso($search{$id}{at}) } ] };
}
for my $id ($qa, $qb, $qc, (grep { $search{$_}{query} =~ /^query / } sort keys %search)[0 .. 4]) {
    $r = get($acme->{key}, "/queries/query-logs/$id/trace");
    is($r->{status}, 200, "trace of $search{$id}{query}");
    is_deeply($r->{json}, trace_of($id), '  its calls in order, grouped by overlap');
}
$r = get($acme->{key}, "/queries/query-logs/$qa/trace");
is_deeply([ map { scalar @{ $_->{tool_calls} } } @{ $r->{json}{tool_call_groups} } ], [2, 2],
          'Q_a: two groups of two calls');
is(get($acme->{key}, "/queries/query-logs/$qg/trace")->{status}, 404, "another tenant's trace: 404");
HubTest::is_422(get($acme->{key}, '/queries/query-logs/x1/trace'), ['path', 'query_id'], 'trace: not a UUID');

# ---- GET /projects/{project_id}/users/summary --------------------------------------
sub active {
    my ($project, $from, $to) = @_;    # seconds ago: (from, to]
    my %u = map { ($_ => 1) } grep { $s->{pu}{$_} && $_ ne 'zed' } keys %{ $s->{pu} };
    my %a;
    for (@rows) {
        next unless $_->{method} eq 'tools/call' && $_->{user} && $u{ $_->{user} } && $_->{project} eq $project;
        my $ago = $s->{now} - $_->{at};
        $a{ $_->{user} } = 1 if $ago < $from && $ago >= $to;
    }
    return scalar keys %a;
}
$r = get($acme->{key}, "/projects/$P1/users/summary");
is($r->{status}, 200, 'users summary of P1') or diag explain $r->{json};
my $sum = $r->{json}{data};
ok($r->{json}{success} && $r->{json}{timestamp}, '  success, timestamp');
is($sum->{total_users}, 3, '  total_users: its three project users');
is($sum->{weekly_active_users}, active('P1', 7 * 86400, 0), '  weekly active (' . active('P1', 7 * 86400, 0) . ')');
is($sum->{monthly_active_users}, active('P1', 30 * 86400, 0), '  monthly active');
is($sum->{inactive_users}, 3 - active('P1', 30 * 86400, 0), '  inactive: the rest');
is_deeply([ map { $_->{value} } @{ $sum->{wau_timeline} } ],
          [ map { active('P1', 7 * 86400 * ($_ + 1), 7 * 86400 * $_) } reverse 0 .. 11 ],
          '  wau_timeline: 12 weeks, oldest first, each its active users');
is($sum->{wau_timeline}[-1]{value}, $sum->{weekly_active_users}, '  the last is this week');
is($sum->{window}, '12w', '  window 12w');
$r = get($acme->{key}, "/projects/$s->{p}{P2}/users/summary");
is_deeply([ @{ $r->{json}{data} }{qw(total_users weekly_active_users)} ], [0, 0], 'P2: no project users');
is(get($acme->{key}, "/projects/$s->{p}{Q1}/users/summary")->{status}, 404, "another tenant's project: 404");
is($hub->get("$C/projects/$s->{p}{Q1}/users/summary", headers => { Authorization => "Bearer $globex->{key}" })
       ->{json}{data}{total_users}, 1, '  globex sees its one user');
HubTest::is_422(get($acme->{key}, '/projects/x1/users/summary'), ['path', 'project_id'], 'summary: not a UUID');

# ---- GET /projects/{project_id}/users/{user_id}/analytics -------------------------
sub bucket_of { my ($t, $step) = @_; $step == 604800 ? 345600 + 604800 * int(($t - 345600) / 604800)
                                                       : $step * int($t / $step) }
# the buckets run from the window's start to the hub's now (the answer's
# calculated_at), a few seconds after the seed's: a bucket edge between
# the two must not fail the test; no call is seeded near a window's edge
sub epoch_of {
    my ($iso) = @_;
    my ($y, $m, $d, $H, $M, $S, $ms) = $iso =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z$/ or return;
    return timegm($S, $M, $H, $d, $m - 1, $y) + $ms / 1000;
}
sub user_analytics {
    my ($user, $win, $step, $now) = @_;
    my $t0 = $now - $win;
    my @c = grep { $_->{method} eq 'tools/call' && ($_->{user} // '') eq $user && $_->{project} eq 'P1'
                   && $_->{at} >= $t0 } @rows;
    my @tc = grep { !defined $_->{query} } @c;
    my (%nav, %tool, %srv, %q, %n, %e, %x);
    for (@tc) {
        my $name = $s->{nav_name}{ $s->{ni_nav}{ $_->{nav} } };
        $nav{"$name|$s->{ni}{ $_->{nav} }"}++;
        $tool{"$_->{tool}|" . ($_->{server} ? $s->{srv_name}{ $_->{server} } : '')}++;
        $srv{ $s->{srv_name}{ $_->{server} } }++ if $_->{server};
        $n{ bucket_of($_->{at}, $step) }++;
        $e{ bucket_of($_->{at}, $step) }++ unless $_->{ok};
        $x{ bucket_of($_->{at}, $step) }++ if ($_->{error_type} // '') eq 'execution';
    }
    $q{ bucket_of($_->{at}, $step) }++ for grep { defined $_->{query} } @c;
    my @b;
    for (my $b = bucket_of($t0, $step); $b < $now; $b += $step) { push @b, $b }
    my $nq = grep { defined $_->{query} } @c;
    my $ne = grep { !$_->{ok} } @tc;
    # top lists ordered by count, then name: ties broken as the hub does
    my @navs = sort { $nav{$b} <=> $nav{$a} || $a cmp $b } keys %nav;
    my @tools = sort { $tool{$b} <=> $tool{$a} || $a cmp $b } keys %tool;
    my @srvs = sort { $srv{$b} <=> $srv{$a} || $a cmp $b } keys %srv;
    return {
        total_queries => $nq, total_tool_calls => scalar @tc, avg => $nq ? @tc / $nq : 0,
        top_navigators => [ map { my ($nm, $id) = split /\|/; { navigator_instance_id => $id, navigator_name => $nm,
                                                                  tool_count => $nav{$_} } } @navs[0 .. min(4, $#navs)] ],
        top_tools => [ map { my ($t, $sv) = split /\|/, $_, -1; { tool_name => $t, server_name => $sv, call_count => $tool{$_} } }
                       @tools[0 .. min(4, $#tools)] ],
        top_servers => [ map { { server_name => $_, tool_count => $srv{$_} } } @srvs[0 .. min(4, $#srvs)] ],
        queries_timeline => [ map { { timestamp => HubCxlSeed::iso($_), value => $q{$_} // 0 } } @b ],
        tool_calls_timeline => [ map { { timestamp => HubCxlSeed::iso($_), value => $n{$_} // 0 } } @b ],
        errors => $ne, errors_per_bucket => [ map { $e{$_} // 0 } @b ],
        execution_per_bucket => [ map { $x{$_} // 0 } @b ],
    };
}
for my $case (['ann', '', 7 * 86400, 86400, '1w', '1d'], ['bob', '?window=30d&frequency=1w', 30 * 86400, 604800, '30d', '1w'],
              ['ann', '?window=2d&frequency=6h', 2 * 86400, 21600, '2d', '6h']) {
    my ($user, $q, $win, $step, $wtext, $ftext) = @$case;
    $r = get($acme->{key}, "/projects/$P1/users/$s->{pu}{$user}/analytics$q");
    is($r->{status}, 200, "analytics of $user$q") or diag explain $r->{json};
    my $d = $r->{json}{data};
    my $w = user_analytics($user, $win, $step, epoch_of($d->{calculated_at}));
    is_deeply([ @$d{qw(user_email user_token_id window frequency)} ], [ $s->{email}{$user}, $s->{pu}{$user}, $wtext, $ftext ],
              '  who, window, frequency');
    is_deeply([ @$d{qw(total_queries total_tool_calls)} ], [ @$w{qw(total_queries total_tool_calls)} ],
              "  $w->{total_queries} queries, $w->{total_tool_calls} tool calls");
    ok(abs($d->{avg_tool_calls_per_query} - $w->{avg}) < 1e-9, '  tool calls per query');
    is_deeply($d->{$_}, $w->{$_}, "  $_") for qw(top_navigators top_tools top_servers queries_timeline tool_calls_timeline);
    my $er = $d->{error_rate_data};
    is_deeply([ @$er{qw(total_errors total_tool_calls)} ], [ $w->{errors}, $w->{total_tool_calls} ], '  errors');
    ok(abs($er->{average_error_rate} - ($w->{total_tool_calls} ? 100 * $w->{errors} / $w->{total_tool_calls} : 0)) < 1e-9,
       '  average_error_rate, a percentage');
    is_deeply([ map { $_->{errors} } @{ $er->{time_series_data} } ], $w->{errors_per_bucket}, '  errors per bucket');
    is_deeply([ map { $_->{execution} } @{ $d->{error_types_data}{time_series_data} } ], $w->{execution_per_bucket},
              '  execution errors per bucket, by type');
}
is(get($acme->{key}, "/projects/$s->{p}{P2}/users/$s->{pu}{ann}/analytics")->{status}, 404,
   'a user of another project: 404');
is(get($acme->{key}, "/projects/$s->{p}{Q1}/users/$s->{pu}{zed}/analytics")->{status}, 404,
   "another tenant's user: 404");
is(get($acme->{key}, "/projects/$P1/users/$s->{user}{ann}/analytics")->{status}, 404,
   'a users.id is not a project user id: 404');
HubTest::is_422(get($acme->{key}, "/projects/$P1/users/$s->{pu}{ann}/analytics?window=3x"), ['query', 'window'], 'a bad window');
HubTest::is_422(get($acme->{key}, "/projects/$P1/users/$s->{pu}{ann}/analytics?frequency=1y"), ['query', 'frequency'],
                'a bad frequency');
HubTest::is_422(get($acme->{key}, "/projects/$P1/users/x1/analytics"), ['path', 'user_id'], 'a user id that is no UUID');

# ---- a real query: a 2025 SDK client's search and calls through a compact navigator ----
{
    my $up = HubMcp::node_server('sessionful.mjs', TOOLS => 2, JSON => 1);
    my $wiki = HubGateway::register($hub, $acme->{key}, { name => 'Wiki', endpoint => $up->{url} });
    my $g = HubGateway::navigator($hub, $acme->{key}, $wiki);
    $r = $hub->request(PATCH => "$C/navigators/$g->{navigator}", headers => { Authorization => "Bearer $acme->{key}" },
                       json => { tool_exposure => 'compact' });
    is($r->{json}{tool_exposure}, 'compact', 'real: a compact navigator');
    my $c = HubMcp::sdk_client({ url => $hub->base . $g->{path}, headers => { 'x-api-key' => $g->{key} },
        steps => [ { op => 'call', name => 'search_tools', arguments => { query => 'legacy tools' } },
                   { op => 'call', name => 'call_tool', arguments => { name => 'wiki__legacy-001' } },
                   { op => 'call', name => 'wiki__legacy-002' },
                   { op => 'call', name => 'call_tool', arguments => { name => 'wiki__nope' } } ] });
    is($c->{steps}[1]{content}[0]{text}, 'called legacy-001', 'real: call_tool ran the tool found');
    ok(HubTest::eventually(15, sub { q1("SELECT count(*) FROM mcp_calls WHERE navigator_instance_id = '$g->{instance}'
                                           AND method = 'tools/call'") == 4 }), 'real: the four calls recorded');
    my $si = q1("SELECT id FROM server_instances WHERE server_id = '$wiki' AND project_id = '$g->{project}'");
    my $nav_name = q1("SELECT name FROM navigators WHERE id = '$g->{navigator}'");
    $r = get($acme->{key}, "/projects/$g->{project}/query-logs");
    my $e = $r->{json}{items}[0] || {};
    is_deeply([ $r->{json}{meta}{total}, @$e{qw(query num_tool_calls num_errors navigator_instance_id navigator_name)},
                $e->{servers_invoked} ],
              [ 1, 'legacy tools', 2, 0, $g->{instance}, $nav_name, [$wiki] ],
              'real: one query, its two tool calls (the unknown name is none), on the Wiki');
    $r = get($acme->{key}, "/queries/query-logs/$e->{id}/trace");
    is($r->{status}, 200, 'real: its trace');
    my @calls = map { @{ $_->{tool_calls} } } @{ $r->{json}{tool_call_groups} || [] };
    is_deeply([ map { [ $_->{tool}{name}, $_->{tool}{server}{name}, $_->{tool}{server}{id}, $_->{server_instance_id},
                        $_->{success} ? 1 : 0 ] } @calls ],
              [ [ 'wiki__legacy-001', 'Wiki', $wiki, $si, 1 ], [ 'wiki__legacy-002', 'Wiki', $wiki, $si, 1 ] ],
              '  the tool calls in order, on the Wiki instance, successful');
    ok(!grep({ !defined $_->{latency} || $_->{latency} < 0 } @calls), '  each with its latency');
    is_deeply([ map { $_->{id} } @{ $r->{json}{suggest_tools} } ], [ $e->{id} ], '  the search as suggest_tools');
}

ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing();
