# The served Caylex document describes what the analytics routes really
# answer.  Their answers are built by hand (in C or as JSON in SQL), so
# the document's schemas for them are written out (hub_openapi_hints.c);
# this checks each against live answers over seeded gateway call records
# (t/lib/HubCxlSeed.pm): a window with data, empty ones (the last hour,
# which has no records; another tenant's project as the filter: nothing
# matches; both checked to count nothing), and a bad window (422).  Each answer's schema must be the spec's model by name, more
# than {type: object}, every member of a live answer declared, and the
# validator is shown to fail on the live answers with a member's type
# changed or a required member dropped.
# Also the other analytics GETs whose schemas are hints (notifications,
# telemetry, audit; GoClaw's /v1/activity).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use HubSchema qw(validate resolve);
use HubTest;
use HubCxlSeed;

my $JSON = JSON::PP->new->utf8->allow_nonref->canonical;
my $hub = HubTest->new();
my $acme = $hub->team('acme');
my $globex = $hub->team('globex');
my $KEY = $acme->{key};
my $C = '/caylex/api/v1';
my $s = HubCxlSeed->new($hub);

# ---- the seed: queries and calls over the last day but not its last hour,
# and some old ones ----------------------------------------------------------
srand(54);
for my $k (0 .. 19) {
    my $nav = (qw(I11 I21 I12))[ $k % 3 ];
    my @si = $nav eq 'I12' ? qw(si12 si22) : qw(si11 si21);
    my @calls = map { my $si = $si[ $_ % 2 ];
                      [ $si, lc($s->{si_server}{$si}) . '__t' . ($_ % 3), 5 + int rand 90, $_ % 4 ? 1 : 0, 0.1 * $_ ] }
                1 .. 1 + $k % 3;
    $s->query(nav => $nav, ago => 4000 + 1800 * $k, text => "q $k", user => (qw(ann bob dan))[ $k % 3 ],
              calls => \@calls);
}
for my $k (1 .. 12) {
    my $et = (qw(auth timeout execution rate_limit))[ $k % 4 ];
    $s->add(nav => 'I11', ago => 3700 + 900 * $k, si => 'si11', server => 'S1', tool => 'weather__today', ms => 3 * $k,
            ok => $k % 3 ? 1 : 0, user => 'ann', $k % 3 ? () : (error_type => $et, error => "e$k"),
            upstream => 2 * $k);
}
$s->add(nav => 'I11', ago => 12 * 86400, si => 'si11', server => 'S1', tool => 'weather__week', user => 'ann');
$s->add(nav => 'I31', ago => 5000, si => 'si33', server => 'S3', tool => 'beta__x', user => 'zed');
$s->flush;
my $QID = $s->{rows}[0]{query_id};
my $P1 = $s->{p}{P1};
my $OTHER = $s->{p}{Q1};    # globex's project: as acme's filter, nothing

# ---- the document ----------------------------------------------------------
my $r = $hub->get("$C/docs/openapi.json");
is($r->{status}, 200, 'the Caylex document');
my $doc = $r->{json} || {};

# route template => [the spec's model, the paths to call: with data, empty, 422]
my %ROUTES = (
    '/analytics/average-tool-call-latency'            => 'AverageToolCallLatencyResponse',
    '/analytics/average-tool-call-latency-graph'      => 'AverageToolCallLatencyGraphResponse',
    '/analytics/average-tool-call-runtime'            => 'AverageToolCallRuntimeResponse',
    '/analytics/average-tool-call-runtime-graph'      => 'AverageToolCallRuntimeGraphResponse',
    '/analytics/average-tool-calls-per-query'         => 'ToolCallsPerQueryResponse',
    '/analytics/average-tool-calls-per-query-graph'   => 'ToolCallsPerQueryGraphResponse',
    '/analytics/tool-calls-processed'                 => 'ToolCallsProcessedResponse',
    '/analytics/tool-calls-processed-graph'           => 'ToolCallsGraphResponse',
    '/analytics/queries-processed'                    => 'QueriesProcessedResponse',
    '/analytics/queries-processed-graph'              => 'ToolCallsGraphResponse',
    '/analytics/error-rate-graph'                     => 'ErrorRateGraphResponse',
    '/analytics/error-types-graph'                    => 'ErrorTypesGraphResponse',
    '/analytics/heroes/global/stats'                  => 'GlobalStatsResponse',
    '/analytics/tools'                                => 'ToolActivityResponse',
    '/analytics/servers'                              => 'ServerActivityResponse',
    '/analytics/users'                                => 'UsersActivityResponse',
    '/analytics/top-servers'                          => 'TopServersActivityResponse',
    '/analytics/top-projects'                         => 'TopProjectsActivityResponse',
    '/analytics/top-navigators'                       => 'TopNavigatorsActivityResponse',
    '/analytics/navigator-tool-connections'           => 'NavigatorToolConnectionsResponse',
    '/analytics/proxy-tools'                          => 'ProxyToolEfficiencyResponse',
    '/analytics/proxy-tools/suggest-tools'            => 'ProxyToolSuggestionsResponse',
    '/projects/{project_id}/query-logs'               => 'Page_QueryLogResponse_',
    '/queries/query-logs/{query_id}'                  => 'GetQueryResponse',
    '/queries/query-logs/{query_id}/trace'            => 'GetQueryTrace',
    '/projects/{project_id}/users/summary'            => 'UserbaseSummaryResponse',
    '/projects/{project_id}/users/{user_id}/analytics' => 'UserAnalyticsResponse',
);

my (%schema_of, @answers);
for my $t (sort keys %ROUTES) {
    my $op = ($doc->{paths}{$t} || {})->{get};
    ok($op, "$t: documented") or next;
    my $sch = $op->{responses}{200}{content}{'application/json'}{schema} || {};
    $schema_of{$t} = $sch;
    my $want = $ROUTES{$t};
    is($sch->{'$ref'}, "#/components/schemas/$want", "$t: its answer is $want");
    my $model = $doc->{components}{schemas}{$want} || {};
    ok(keys %{ $model->{properties} || {} } > 1, "$t: $want has its members (not {type: object})");
}

sub fill {
    my ($t) = @_;
    (my $p = $t) =~ s/\{project_id\}/$P1/;
    $p =~ s/\{query_id\}/$QID/;
    $p =~ s/\{user_id\}/$s->{pu}{ann}/;
    return $p;
}

sub check {
    my ($t, $path, $what, $want_status) = @_;
    my $r = $hub->get("$C$path", headers => { Authorization => "Bearer $KEY" });
    return check_doc($doc, get => $t, $r, $what, $want_status);
}

# A live answer against the operation's declared answer of its status.
sub check_doc {
    my ($doc, $method, $t, $r, $what, $want_status) = @_;
    my $tag = "$method $t ($what) -> $r->{status}";
    is($r->{status}, $want_status, "$tag: status") or diag(substr($r->{content} // '', 0, 300));
    my $op = ($doc->{paths}{$t} || {})->{$method} or return fail("$tag: documented");
    my $resp = $op->{responses}{ $r->{status} };
    ok($resp, "$tag: declared") or return;
    my $schema = $resp->{content}{'application/json'}{schema};
    my $value = eval { $JSON->decode($r->{content}) };
    ok(defined $value, "$tag: JSON") or return;
    my @e = validate($doc, $schema, $value);
    ok(!@e, "$tag: validates") or diag(join "\n", @e[0 .. ($#e > 5 ? 5 : $#e)], substr($r->{content}, 0, 600));
    my @extra = undeclared($doc, $schema, $value, '');
    is_deeply(\@extra, [], "$tag: every member is declared") if $r->{status} < 300;
    diag("$t $what: " . $JSON->encode($value)) if $ENV{DUMP};
    push @answers, [$t, $what, $schema, $value, $doc] if $r->{status} == 200;
    # top-projects takes no project filter
    if ($what =~ /^empty/ && !($t =~ /top-projects/ && $what =~ /project/)) {
        my $sum = 0;
        my $walk; $walk = sub {
            my ($v, $k) = @_;
            if (ref $v eq 'HASH') { $walk->($v->{$_}, $_) for keys %$v }
            elsif (ref $v eq 'ARRAY') { $walk->($_, $k) for @$v }
            elsif (defined $v && !ref $v && $v =~ /^-?[\d.]+$/ && ($k // '') !~ /^(limit|size|previous_\w+|percentage_change)$/) { $sum += $v }
        };
        $walk->($value->{data} // $value->{items});
        is($sum, 0, "$tag: nothing counted");
    }
    return $value;
}

for my $t (sort keys %ROUTES) {
    my $base = fill($t);
    my $sep = $base =~ /\?/ ? '&' : '?';
    if ($t =~ m{^/analytics/}) {
        check($t, "$base${sep}window=1w", 'a window with data', 200);
        check($t, "$base${sep}window=1w&project_id=$OTHER", 'empty: another tenant\'s project', 200);
        check($t, $t =~ /global/ ? "$base${sep}comparison_period=rolling_hour" : "$base${sep}window=1h",
              'empty: the last hour', 200);
        check($t, $t =~ /global/ ? "$base${sep}comparison_period=bogus" : "$base${sep}window=bogus",
              'a bad window', 422);
    }
    elsif ($t =~ /query-logs$/) {
        check($t, $base, 'with data', 200);
        check($t, "$base?navigator_instance_id=$s->{ni}{I31}", 'empty: another tenant\'s instance', 200);
        check($t, "$base?size=1000", 'a bad size', 422);
    }
    else {
        check($t, $base, 'with data', 200);
    }
}

# ---- G4F's notifications, audit and telemetry; GoClaw's activity -----------
my $G = '/g4f/api/v1';
my $AUTH = { Authorization => "Bearer $KEY" };
my %odoc = (g4f => $hub->get("$G/openapi.json")->{json} || {}, goclaw => $hub->get('/v1/openapi.json')->{json} || {});
# what they answer is the hub's shapes: named schemas, not {type: object}
for (['g4f', '/notifications'], ['g4f', '/audit'], ['g4f', '/projects/{project_id}/telemetry/streams']) {
    my ($p, $t) = @$_;
    my $sch = $odoc{$p}{paths}{$t}{get}{responses}{200}{content}{'application/json'}{schema} || {};
    $sch = resolve($odoc{$p}, $sch->{'$ref'}) if $sch->{'$ref'};
    my $items = ($sch->{properties} || {})->{items} || {};
    ok(($items->{items} || {})->{'$ref'}, "$p $t: its items are a named schema");
}
$hub->psql($hub->db, "INSERT INTO notifications (tenant_id, project_id, event_type, severity, title, body)"
                   . " VALUES ('$s->{t}{acme}', '$P1', 'call.failed', 'error', 'A call failed', 'weather__today')");
$r = $hub->post("$G/projects", headers => $AUTH, json => { name => 'audited' });
like($r->{status}, qr/^20[01]$/, 'g4f: a project (audited)') or diag($r->{content});
$r = $hub->post('/v1/api-keys', headers => $AUTH, json => { name => 'audited-key', scopes => ['operator.read'] });
like($r->{status}, qr/^20[01]$/, 'goclaw: a key (audited)');
my $g4f = sub { my ($m, $t, $path, $what, $want, %o) = @_;
                my $r = $hub->request(uc $m, "$G$path", headers => $AUTH, %o);
                check_doc($odoc{g4f}, $m, $t, $r, $what, $want) };
my $v = $g4f->(get => '/notifications', '/notifications', 'with one', 200);
ok(@{ $v->{items} || [] } >= 1, 'g4f: the notification is listed');
$g4f->(post => '/notifications/ack', '/notifications/ack', 'ack it', 200,
       json => { ids => [ map { $_->{id} } @{ $v->{items} || [] } ] });
$g4f->(get => '/notifications', '/notifications?limit=0', 'a bad limit', 400);
$v = $g4f->(get => '/audit', '/audit', 'with events', 200);
ok(@{ $v->{items} || [] } >= 1, 'g4f: audit events listed');
$g4f->(get => '/audit', '/audit?type=no.such', 'empty: no such type', 200);
$v = $g4f->(get => '/projects/{project_id}/telemetry/streams', "/projects/$P1/telemetry/streams", 'streams', 200);
my ($stream) = map { $_->{id} } @{ $v->{items} || [] };
ok($stream, 'g4f: a telemetry stream');
my $to = HubCxlSeed::iso($s->{now} + 60);
my $from = HubCxlSeed::iso($s->{now} - 86400);
$v = $g4f->(post => '/telemetry/query', '/telemetry/query', 'a day of calls', 200,
            json => { stream_id => $stream, time_range => { from => $from, to => $to }, band => '1h' });
ok(grep({ $_->{value} } @{ $v->{series} || [] }), 'g4f: the series has the seeded calls');
$g4f->(post => '/telemetry/query', '/telemetry/query', 'an empty hour', 200,
       json => { stream_id => $stream, time_range => { from => HubCxlSeed::iso($s->{now} - 3500), to => $to },
                 band => '1m' });
$g4f->(post => '/telemetry/query', '/telemetry/query', 'no time range', 400, json => { stream_id => $stream });
$r = $hub->get('/v1/activity', headers => $AUTH);
$v = check_doc($odoc{goclaw}, get => '/v1/activity', $r, 'with events', 200);
ok(@{ $v->{logs} || [] } >= 1, 'goclaw: activity listed');

# the validation can fail: each live answer, spoiled, fails its schema
{
    my $n = 0;
    for my $a (@answers) {
        my ($t, $what, $schema, $value, $d) = @$a;
        my $spoiled = spoil($d, $schema, $value) or next;
        $n++;
        ok(scalar validate($d, $schema, $spoiled), "$t ($what): fails when spoiled");
    }
    ok($n >= 20, "spoiled $n live answers");
    my ($t, $what, $schema, $value, $d) = @{ $answers[0] };
    my $copy = $JSON->decode($JSON->encode($value));
    $copy->{zz_undeclared} = 1;
    is_deeply([ undeclared($d, $schema, $copy, '') ], ['.zz_undeclared'], "$t: an undeclared member is found");
}

# The members of value that its schema does not declare (where the
# schema lists properties and says nothing of others), as paths.
sub undeclared {
    my ($doc, $schema, $v, $at) = @_;
    $schema = resolve($doc, $schema->{'$ref'}) while $schema->{'$ref'};
    return () if $schema->{anyOf};
    if (ref $v eq 'ARRAY') {
        return () unless $schema->{items};
        my %seen;
        return grep { !$seen{$_}++ } map { undeclared($doc, $schema->{items}, $_, "$at\[]") } @$v;
    }
    return () unless ref $v eq 'HASH';
    my $props = $schema->{properties} or return ();
    return () if exists $schema->{additionalProperties};
    return map { $props->{$_} ? undeclared($doc, $props->{$_}, $v->{$_}, "$at.$_") : "$at.$_" } sort keys %$v;
}

# The value with its first required member (depth-first) dropped or its
# type changed: a copy, undef when the schema says nothing to spoil.
sub spoil {
    my ($doc, $schema, $value) = @_;
    my $copy = $JSON->decode($JSON->encode($value));
    return walk_spoil($doc, $schema, $copy, 0) ? $copy : undef;
}

sub walk_spoil {
    my ($doc, $schema, $v, $depth) = @_;
    $schema = resolve($doc, $schema->{'$ref'}) while $schema->{'$ref'};
    return 0 if $schema->{anyOf} || ref $v ne 'HASH';
    my @req = @{ $schema->{required} || [] };
    my $props = $schema->{properties} || {};
    # deeper first: data's own members
    for my $k (@req) {
        next unless ref $v->{$k} eq 'HASH';
        return 1 if walk_spoil($doc, $props->{$k} || {}, $v->{$k}, $depth + 1);
    }
    for my $k (@req) {
        next unless exists $v->{$k};
        if ($depth % 2) { delete $v->{$k} } else { $v->{$k} = ref $v->{$k} ? 'x' : [ $v->{$k} ] }
        return 1;
    }
    return 0;
}

$hub->log_is_clean();
done_testing;
