# Caylex's activity breakdowns over a window (/analytics/tools, servers,
# users, top-servers, top-projects, top-navigators,
# navigator-tool-connections, proxy-tools, proxy-tools/suggest-tools),
# read from seeded gateway call records (t/lib/HubCxlSeed.pm) through the
# rollups: every count and order computed here from the seeded rows, for
# several windows, filters, sort orders and limits.  Two tenants: the
# other's ids as filters match nothing.
use strict;
use warnings;
use Test::More;
use List::Util qw(max min);
use HubTest;
use HubCxlSeed;

my $hub = HubTest->new();
my $acme = $hub->team('acme');
my $globex = $hub->team('globex');
my $C = '/caylex/api/v1';
sub get { my ($key, $path) = @_; $hub->get("$C$path", headers => { Authorization => "Bearer $key" }) }
my $s = HubCxlSeed->new($hub);

# ---- the seed: calls from 2 hours to 40 days ago, never near a window's edge --------
srand(45);
my @navs = qw(I11 I12 I21);
my %si_of = (I11 => [qw(si11 si21)], I21 => [qw(si11 si21)], I12 => [qw(si12 si22)]);
my @agos = map { my $d = $_; map { $d * 86400 + 7200 + 1800 * $_ } 0 .. 9 } (0, 1, 3, 6, 10, 20, 29, 40);
for my $ago (@agos) {
    my $nav = $navs[ int rand 3 ];
    my $user = (qw(ann bob dan), undef)[ int rand 4 ];
    my @calls = map { my $si = $si_of{$nav}[ int rand 2 ];
                      [ $si, lc($s->{si_server}{$si}) . '__t' . int(rand 4), 5 + int rand 90, rand() < 0.85 ? 1 : 0, 0.1 * $_ ] }
                1 .. int rand 4;
    if (rand() < 0.4) {
        $s->query(nav => $nav, ago => $ago, text => "q $ago", user => $user, calls => \@calls);
    }
    else {
        $s->add(nav => $nav, ago => $ago - $_->[4], si => $_->[0], server => $s->{si_server}{ $_->[0] },
                tool => $_->[1], ms => $_->[2], ok => $_->[3], user => $user) for @calls;
    }
}
# another tenant's, other methods, and a call that named no tool
$s->add(nav => 'I31', ago => 9000 + 60 * $_, si => 'si33', server => 'S3', tool => 'beta__x', user => 'zed') for 1 .. 5;
$s->query(nav => 'I31', ago => 9999, text => 'globex', calls => [ ['si33', 'beta__x', 5, 1, 1] ]);
$s->add(nav => 'I11', ago => 8000, method => 'tools/list', tool => undef);
$s->add(nav => 'I11', ago => 8100, tool => 'nope', ok => 0, error_type => 'protocol', user => 'ann');
$s->flush;

my @rows = grep { $_->{method} eq 'tools/call' } @{ $s->{rows} };
my %W = ('24h' => 86400, '7d' => 7 * 86400, '1w' => 7 * 86400, '30d' => 30 * 86400, '1h' => 3600);

# the records of acme in a window, through the filters (names as the query's)
sub in_window {
    my ($win, %f) = @_;
    return grep {
        $_->{tenant} eq 'acme' && $_->{at} >= $s->{now} - $W{$win}
            && (!$f{project_id} || ($_->{project} && $s->{p}{ $_->{project} } eq $f{project_id}))
            && (!$f{navigator_instance_id} || $s->{ni}{ $_->{nav} } eq $f{navigator_instance_id})
            && (!$f{server_instance_id} || ($_->{si} && $s->{si}{ $_->{si} } eq $f{server_instance_id}))
    } @rows;
}
sub is_call { !defined $_[0]{query} }
sub count_by {
    my ($key, @r) = @_;
    my %n;
    for (@r) { my $k = $key->($_); $n{$k}++ if defined $k }
    return \%n;
}
sub qs { my %f = @_; join '&', map { "$_=$f{$_}" } sort keys %f }
sub envelope_ok {
    my ($r, $what) = @_;
    is($r->{status}, 200, "$what: 200") or diag explain $r->{json};
    ok($r->{json}{success} && exists $r->{json}{timestamp}, "  success, timestamp");
    return $r->{json}{data};
}

my $P1 = $s->{p}{P1};
my $r;
my @filter_sets = ({}, { project_id => $P1 }, { navigator_instance_id => $s->{ni}{I21} },
                   { server_instance_id => $s->{si}{si21} });

# ---- tools ------------------------------------------------------------------------
for my $win (qw(24h 7d 30d 1h)) {
    for my $f (@filter_sets) {
        for my $sort (qw(asc desc)) {
            my $names = count_by(sub { $_[0]{tool} }, grep { is_call($_) } in_window($win, %$f));
            my @all = sort keys %$names;
            @all = reverse @all if $sort eq 'desc';
            my $q = qs(window => $win, sort_order => $sort, limit => 3, %$f);
            my $d = envelope_ok(get($acme->{key}, "/analytics/tools?$q"), "tools $q");
            is_deeply($d->{tools}, [ @all[0 .. min(2, $#all)] ], "  the first 3 of " . @all . ", $sort");
            is($d->{total_count}, scalar @all, '  total_count: all of them');
            is_deeply([ @$d{qw(window sort_order limit)} ], [$win, $sort, 3], '  window, sort_order, limit echoed');
            is_deeply($d->{filters}, $f, '  filters echoed');
        }
    }
}
my $d = envelope_ok(get($acme->{key}, '/analytics/tools'), 'tools, defaults');
is_deeply([ @$d{qw(window sort_order limit)} ], ['1w', 'asc', 100], '  1w, asc, 100');
is_deeply($d->{tools}, [ sort keys %{ count_by(sub { $_[0]{tool} }, grep { is_call($_) } in_window('1w')) } ],
          '  every tool of the week');
ok(!grep({ $_ eq 'search_tools' || $_ eq 'beta__x' } @{ $d->{tools} }), '  no query, no other tenant\'s tool');

# ---- servers and users: counts, by count then name -----------------------------------
sub ranked {
    my ($n, $name, $sort, $limit) = @_;
    my @k = sort { ($sort eq 'asc' ? $n->{$a} <=> $n->{$b} : $n->{$b} <=> $n->{$a}) || $name->($a) cmp $name->($b) }
            keys %$n;
    return (scalar @k, [ @k[0 .. min($limit - 1, $#k)] ]);
}
for my $win (qw(24h 7d 30d)) {
    for my $f ({}, { project_id => $P1 }, { navigator_instance_id => $s->{ni}{I11} }) {
        for my $sort (qw(desc asc)) {
            my $q = qs(window => $win, sort_order => $sort, limit => 2, %$f);
            my @calls = grep { is_call($_) } in_window($win, %$f);
            my $n = count_by(sub { $_[0]{server} }, @calls);
            my ($total, $top) = ranked($n, sub { $s->{srv_name}{ $_[0] } }, $sort, 2);
            $d = envelope_ok(get($acme->{key}, "/analytics/servers?$q"), "servers $q");
            is_deeply($d->{servers}, [ map { { server_name => $s->{srv_name}{$_}, tool_count => $n->{$_} } } @$top ],
                      "  tool calls per server, $sort");
            is($d->{total_count}, $total, '  total_count');
            $n = count_by(sub { $_[0]{user} }, @calls);
            ($total, $top) = ranked($n, sub { $s->{email}{ $_[0] } }, $sort, 2);
            $d = envelope_ok(get($acme->{key}, "/analytics/users?$q"), "users $q");
            is_deeply($d->{users}, [ map { { user_email => $s->{email}{$_}, tool_count => $n->{$_} } } @$top ],
                      "  tool calls per user, $sort");
            is($d->{total_count}, $total, '  total_count');
        }
    }
}

# ---- top-servers, top-projects, top-navigators ---------------------------------------
sub top_map {
    my ($n, $limit, $count, $items, $id) = @_;
    my @k = sort { $n->{$b} <=> $n->{$a} || $a cmp $b } keys %$n;
    @k = @k[0 .. min($limit - 1, $#k)];
    return { $count => scalar @k, $items => [ map { { $id => $_, count => $n->{$_} } } @k ] };
}
my %TOP = (
    'top-servers' => [ 'server_count', 'servers', 'server_id',
        sub { $_[0]{server} && $s->{srv}{ $_[0]{server} } },
        sub { my %q; for (grep { is_call($_) && $_->{server} && $_->{query_id} } @_) {
                  $q{ $s->{srv}{ $_->{server} } }{ $_->{query_id} } = 1 }
              return { map { ($_ => scalar keys %{ $q{$_} }) } keys %q } } ],
    'top-projects' => [ 'project_count', 'projects', 'project_id', sub { $s->{p}{ $_[0]{project} } } ],
    'top-navigators' => [ 'navigator_count', 'navigators', 'navigator_id',
        sub { $s->{nav}{ $s->{ni_nav}{ $_[0]{nav} } } } ],
);
for my $ep (sort keys %TOP) {
    my ($count, $items, $id, $key, $queries) = @{ $TOP{$ep} };
    my @fs = $ep eq 'top-projects' ? ({}) : $ep eq 'top-navigators' ? ({}, { project_id => $P1 })
           : ({}, { project_id => $P1 }, { navigator_instance_id => $s->{ni}{I11} });
    for my $win (qw(24h 7d 30d)) {
        for my $f (@fs) {
            for my $limit (1, 5) {
                my @r = in_window($win, %$f);
                my $q = qs(window => $win, limit => $limit, %$f);
                $d = envelope_ok(get($acme->{key}, "/analytics/$ep?$q"), "$ep $q");
                is_deeply($d->{tool_calls}, top_map(count_by($key, grep { is_call($_) } @r), $limit, $count, $items, $id),
                          '  by tool calls');
                my $qn = $queries ? $queries->(@r) : count_by($key, grep { !is_call($_) } @r);
                is_deeply($d->{queries_processed}, top_map($qn, $limit, $count, $items, $id), '  by queries');
                is_deeply([ $d->{window}, $d->{limit}, $d->{filters} ], [ $win, $limit, $f ], '  window, limit, filters');
            }
        }
    }
}

# ---- navigator-tool-connections, proxy tools ----------------------------------------
for my $win (qw(24h 7d 30d)) {
    for my $f (@filter_sets) {
        my $q = qs(window => $win, %$f);
        my (%n, %last);
        for (grep { is_call($_) && defined $_->{tool} } in_window($win, %$f)) {
            my $k = "$s->{ni}{ $_->{nav} }|$_->{tool}";
            $n{$k}++;
            $last{$k} = max($last{$k} // 0, $_->{at});
        }
        my @k = sort { $n{$b} <=> $n{$a} || $a cmp $b } keys %n;
        my $r = get($acme->{key}, "/analytics/navigator-tool-connections?$q");
        is($r->{status}, 200, "navigator-tool-connections $q");
        is_deeply([ map { [ @$_{qw(navigator_instance_id tool_id usage_count last_used connection_status)} ] }
                    @{ $r->{json}{data} || [] } ],
                  [ map { [ split(/\|/, $_), $n{$_}, HubCxlSeed::iso($last{$_}), 'active' ] } @k ],
                  '  each instance and tool: its calls and last use, most used first');
        next if $f->{server_instance_id};
        my @w = in_window($win, %$f);
        $d = envelope_ok(get($acme->{key}, "/analytics/proxy-tools?$q"), "proxy-tools $q");
        is_deeply([ @$d{qw(suggest_tools_count get_tool_schemas_count invoke_tools_count)} ],
                  [ scalar(grep { !is_call($_) } @w), 0, scalar(grep { is_call($_) } @w) ],
                  '  searches, no schema fetches, tool calls');
        $d = envelope_ok(get($acme->{key}, "/analytics/proxy-tools/suggest-tools?$q"), "suggest-tools $q");
        is($d->{count}, scalar(grep { !is_call($_) } @w), '  count: the searches');
    }
}
$r = get($acme->{key}, '/analytics/navigator-tool-connections');
is($r->{json}{data}[0]{window}, '24h', 'navigator-tool-connections: 24h by default');

# the seed is not trivial: the answers above had something in them
$d = envelope_ok(get($acme->{key}, '/analytics/tools?window=30d'), 'tools, 30d');
cmp_ok($d->{total_count}, '>=', 8, '  many tools');
$d = envelope_ok(get($acme->{key}, '/analytics/top-servers?window=30d'), 'top-servers, 30d');
is($d->{tool_calls}{server_count}, 2, '  both servers called');
cmp_ok($d->{queries_processed}{servers}[0]{count}, '>', 1, '  and queries processed by them');
$d = envelope_ok(get($acme->{key}, '/analytics/users?window=30d'), 'users, 30d');
is($d->{total_count}, 3, '  three users called');

# ---- empty windows, another tenant's ids, bad parameters -------------------------------
$d = envelope_ok(get($acme->{key}, '/analytics/servers?window=1h'), 'the last hour (no calls)');
is_deeply([ $d->{servers}, $d->{total_count} ], [ [], 0 ], '  nothing');
$d = envelope_ok(get($acme->{key}, '/analytics/top-servers?window=1h'), 'top-servers, the last hour');
is_deeply($d->{tool_calls}, { server_count => 0, servers => [] }, '  an empty map');
$d = envelope_ok(get($acme->{key}, '/analytics/proxy-tools?window=1h'), 'proxy-tools, the last hour');
is_deeply([ @$d{qw(suggest_tools_count invoke_tools_count)} ], [0, 0], '  zeros');
for my $ep (qw(tools servers users top-servers top-navigators navigator-tool-connections proxy-tools)) {
    my $r = get($acme->{key}, "/analytics/$ep?window=30d&project_id=$s->{p}{Q1}");
    is($r->{status}, 200, "$ep with another tenant's project: 200");
    unlike($r->{content}, qr/beta__x|Beta Tools|\Q$s->{srv}{S3}\E|zed\@/, '  and none of its data');
}
for my $ep (qw(tools servers users top-servers navigator-tool-connections proxy-tools proxy-tools/suggest-tools)) {
    my $r = get($acme->{key}, "/analytics/$ep?window=30d&navigator_instance_id=$s->{ni}{I31}");
    is($r->{status}, 200, "$ep with another tenant's navigator instance: 200");
    unlike($r->{content}, qr/beta__x|Beta Tools|\Q$s->{srv}{S3}\E|zed\@|"(?:count|suggest_tools_count|invoke_tools_count)":[1-9]/,
           '  and none of its data');
}
for my $ep (qw(tools navigator-tool-connections)) {
    my $r = get($acme->{key}, "/analytics/$ep?window=30d&server_instance_id=$s->{si}{si33}");
    unlike($r->{content}, qr/beta__x/, "$ep with another tenant's server instance: none of its data");
}
$d = envelope_ok(get($globex->{key}, '/analytics/servers?window=30d'), "globex's own servers");
is_deeply($d->{servers}, [ { server_name => 'Beta Tools', tool_count => 6 } ], '  only its own');
HubTest::is_422(get($acme->{key}, '/analytics/tools?window=forever'), ['query', 'window'], 'a window that is none');
HubTest::is_422(get($acme->{key}, '/analytics/servers?sort_order=up'), ['query', 'sort_order'], 'sort_order up');
HubTest::is_422(get($acme->{key}, '/analytics/servers?limit=0'), ['query', 'limit'], 'limit 0');
HubTest::is_422(get($acme->{key}, '/analytics/servers?limit=1001'), ['query', 'limit'], 'limit 1001');
HubTest::is_422(get($acme->{key}, '/analytics/top-servers?limit=101'), ['query', 'limit'], 'top-servers limit 101');
HubTest::is_422(get($acme->{key}, '/analytics/proxy-tools?project_id=nope'), ['query', 'project_id'],
                'a project id that is no UUID');

ok($hub->log_is_clean, 'no unexpected errors in the log');
done_testing();
