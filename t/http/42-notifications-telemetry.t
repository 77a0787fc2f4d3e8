# Notifications, the audit trail and telemetry (mod_hub_analytics):
# failed gateway calls seeded into mcp_calls become coalesced
# notifications through the analytics watchdog (once, with two hosts on
# one database); Caylex's per-user watermarks and G4F's per-user acks;
# the audit trail through G4F's /audit and GoClaw's /v1/activity;
# telemetry streams and series with robust z-score anomalies computed
# here independently; an alert that fires once and writes one
# notification.  Another tenant's data is never shown.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new(conf => 'HubEventsInterval 1');
my $alpha = $hub->team('alpha');
my $beta = $hub->team('beta');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
my ($C, $G) = ('/caylex/api/v1', '/g4f/api/v1');

# a second user of alpha, and a platform access token
$hub->hubctl('create-user', 'ann@alpha.test');
$hub->hubctl('add-member', 'alpha', 'ann@alpha.test', 'member');
my $ann = $hub->hubctl('create-key', 'alpha', '--user', 'ann@alpha.test', '--scopes', 'operator.admin');
my $pat = $hub->post("$C/platform-access-tokens", auth($alpha->{key}), json => { name => 'robot' })->{json}{token};
ok($pat, 'a platform access token');

my $ta = q1("SELECT id FROM tenants WHERE slug = 'alpha'");
my $tb = q1("SELECT id FROM tenants WHERE slug = 'beta'");
my $pa = $hub->post("$G/projects", auth($alpha->{key}), json => { name => 'alpha-p' })->{json}{project}{id};
my $pb = $hub->post("$G/projects", auth($beta->{key}), json => { name => 'beta-p' })->{json}{project}{id};
ok($pa && $pb, 'a project in each tenant');
my $srv = q1("INSERT INTO servers (tenant_id, slug, name, mode) VALUES ('$ta', 'weather', 'Weather', 'heartbeat') RETURNING id");
my $si = q1("INSERT INTO server_instances (tenant_id, server_id, project_id) VALUES ('$ta', '$srv', '$pa') RETURNING id");

# ---- failed calls become notifications ------------------------------------

# every call of one minute, three minutes ago (read once: the batches
# below must not straddle a minute boundary)
my $minute = "'" . q1("SELECT iso8601(date_trunc('minute', now() - interval '3 minutes'))") . "'::timestamptz";
sub call {
    my (%c) = @_;
    my $t = $c{tenant} || $ta;
    my $p = exists $c{project} ? $c{project} : $pa;
    my $at = $c{at} || "$minute + interval '" . ($c{sec} // 10) . " seconds'";
    my %v = (tenant_id => "'$t'", navigator_instance_id => 'gen_random_uuid()',
             project_id => $p ? "'$p'" : 'NULL', method => "'" . ($c{method} || 'tools/call') . "'",
             tool_name => "'" . ($c{tool} || 'echo') . "'", server_id => "'$srv'",
             server_instance_id => "'$si'", gateway_ms => $c{ms} // 5, ok => $c{ok} ? 'true' : 'false',
             error_type => $c{type} ? "'$c{type}'" : 'NULL',
             error => $c{error} ? "'$c{error}'" : 'NULL',
             upstream_ms => $c{upstream} // 'NULL', at => $at);
    my @k = sort keys %v;
    return '(' . join(', ', map { $v{$_} } @k) . ')', join(', ', @k);
}
sub calls {
    my @rows = map { [ call(%$_) ] } @_;
    q1("INSERT INTO mcp_calls ($rows[0][1]) VALUES " . join(', ', map { $_->[0] } @rows));
}
calls(
    (map { { type => 'execution', error => 'boom', sec => $_ } } 1 .. 3),
    { type => 'timeout', error => 'too slow', sec => 20 },
    (map { { type => 'approval', tool => 'rm', error => 'awaiting approval', sec => $_ } } 1 .. 2),
    { type => 'auth', tool => 'secret', error => 'upstream said 401', upstream => 4 },
    { type => 'auth', tool => 'secret', error => 'no key' },         # the gateway's own: not notified
    { ok => 1 }, { ok => 1 },
    { type => 'execution', method => 'GET', error => 'stream' },     # a stream, no call
    { tenant => $tb, project => $pb, type => 'execution', error => 'beta boom' },
);

# the three kinds, once each; the counts as seeded
my $kinds = sub { q1("SELECT coalesce(string_agg(event_type || '=' || (data->>'count'), ',' ORDER BY event_type), '')
                        FROM notifications WHERE tenant_id = '$ta'") };
ok(HubTest::eventually(30, sub { $kinds->() eq 'credentials.resolve_failed=1,tool_call.error=4,tool_call.rejected=2' }),
   'failed calls notified: one per kind, tool and minute, with the count') or diag($kinds->());
is(q1("SELECT count(*) FROM notifications WHERE tenant_id = '$tb'"), 1, "  beta's own failure is beta's");

# a second host on the same database, and more failures of the same
# minute: they add to the same notification, counted once
my $two = HubTest->new(name => 'events_two', conf => 'HubEventsInterval 1', share => $hub);
calls(map { { type => 'execution', error => 'boom again', sec => 30 + $_ } } 1 .. 2);
ok(HubTest::eventually(30, sub { $kinds->() eq 'credentials.resolve_failed=1,tool_call.error=6,tool_call.rejected=2' }),
   'two hosts: later failures of that minute coalesced, counted once') or diag($kinds->());
sleep 3;
is($kinds->(), 'credentials.resolve_failed=1,tool_call.error=6,tool_call.rejected=2', '  and not again');
$two->stop_httpd;

# ---- Caylex's inbox ----------------------------------------------------------

my $r = $hub->get("$C/notifications", auth($alpha->{key}));
is($r->{status}, 200, 'caylex: GET /notifications');
is($r->{json}{meta}{total}, 3, '  three');
my %by = map { ($_->{event_type} => $_) } @{ $r->{json}{items} };
my $err = $by{'tool_call.error'};
is_deeply([ map { $err->{$_} } qw(severity title project_id target_type target_id is_read) ],
          ['error', 'Tool call failed', $pa, 'server', $srv, JSON::PP::false], '  the error notification');
like($err->{body}, qr/^echo: boom again$/, '  its body the latest error');
is($err->{data}{count}, 6, '  data.count');
is($by{'tool_call.rejected'}{severity}, 'warning', '  rejected calls: a warning');
ok(!grep({ $_->{body} =~ /beta/ } @{ $r->{json}{items} }), "  nothing of beta's");

sub cx_total { my ($q, $key) = @_; $hub->get("$C/notifications$q", auth($key || $alpha->{key}))->{json}{meta}{total} }
is(cx_total('?event_type=tool_call.error'), 1, 'event_type filter');
is(cx_total('?severity=warning'), 1, 'severity filter');
is(cx_total('?search=AWAITING'), 1, 'search: the body, any case');
is(cx_total('?search=' . $srv), 3, 'search: in data');
is(cx_total('?search=%25'), 0, "search: '%' is no wildcard");
is(cx_total("?project_id=$pa"), 3, 'project_id filter');
is(cx_total("?project_id=$pb"), 0, "  beta's project: nothing");
HubTest::is_422($hub->get("$C/notifications?project_id=nope", auth($alpha->{key})), ['query', 'project_id'], 'a malformed project_id');
HubTest::is_422($hub->get("$C/notifications?size=0", auth($alpha->{key})), ['query', 'size'], 'size 0');

my $p1 = $hub->get("$C/notifications?size=2", auth($alpha->{key}))->{json};
is(scalar @{ $p1->{items} }, 2, 'pages: two');
ok($p1->{meta}{has_next} && $p1->{meta}{next_cursor}, '  and a next page');
my $p2 = $hub->get("$C/notifications?size=2&cursor=$p1->{meta}{next_cursor}", auth($alpha->{key}))->{json};
is(scalar @{ $p2->{items} }, 1, '  the rest');
ok(!$p2->{meta}{has_next} && $p2->{meta}{has_prev}, '  the last page');
my %seen = map { ($_->{id} => 1) } @{ $p1->{items} }, @{ $p2->{items} };
is(scalar keys %seen, 3, '  every notification once');

sub unread { $hub->get("$C/notifications/unread-count$_[1]", auth($_[0]))->{json}{count} }
is(unread($alpha->{key}, ''), 3, 'unread: 3');
is($hub->post("$C/notifications/read-all", auth($alpha->{key}))->{json}{status}, 'ok', 'read-all');
is(unread($alpha->{key}, ''), 0, '  the owner has read them');
is(unread($ann, ''), 3, '  ann has not');
ok(!grep({ !$_->{is_read} } @{ $hub->get("$C/notifications", auth($alpha->{key}))->{json}{items} }),
   '  is_read for the owner');
ok(!grep({ $_->{is_read} } @{ $hub->get("$C/notifications", auth($ann))->{json}{items} }), '  not for ann');

# a new failure after the watermark
calls({ type => 'execution', tool => 'later', error => 'late', at => 'now()' });
ok(HubTest::eventually(30, sub { unread($alpha->{key}, '') == 1 }), 'a new notification: unread 1');
is(unread($alpha->{key}, "?project_id=$pb"), 0, "  none in beta's project");
is(unread($ann, ''), 4, '  ann: 4');

is($hub->post("$C/notifications/clear-all", auth($ann))->{json}{status}, 'ok', 'clear-all (ann)');
is(cx_total('', $ann), 0, "  ann's inbox is empty");
is(unread($ann, ''), 0, '  nothing unread');
is(cx_total(''), 4, "  the owner's is not");

my $marks = q1('SELECT count(*) FROM notification_watermarks');
is($hub->post("$C/notifications/read-all", auth($pat))->{json}{status}, 'ok', 'a platform token: read-all answers ok');
is($hub->post("$C/notifications/clear-all", auth($pat))->{status}, 200, '  and clear-all');
is(q1('SELECT count(*) FROM notification_watermarks'), $marks, '  and changes nothing');
is(unread($pat, ''), 4, '  it sees every notification unread');

is(cx_total('', $beta->{key}), 1, 'beta: its one notification');
unlike($hub->get("$C/notifications", auth($beta->{key}))->{content}, qr/boom again|awaiting/, "  nothing of alpha's");

# event types
my $et = $hub->get("$C/webhooks/event-types", auth($alpha->{key}));
is_deeply([ map { $_->{scope} } @{ $et->{json}{scopes} } ], [qw(project tenant system)], 'event types: every scope');
is_deeply($et->{json}{scopes}[0]{event_types},
          [qw(query.created tool_call.completed tool_call.error tool_call.rejected credentials.resolve_failed proxy_tool.error)],
          '  the project events');
is_deeply([ map { $_->{scope} } @{ $hub->get("$C/webhooks/event-types?scope=system&scope=project", auth($alpha->{key}))->{json}{scopes} } ],
          [qw(system project)], '  scopes asked for, in order');
HubTest::is_detail($hub->get("$C/webhooks/event-types?scope=project&scope=galaxy", auth($alpha->{key})), 400,
                   "Unknown scope 'galaxy'; known scopes: project, tenant, system", 'an unknown scope');

# ---- G4F's notifications -----------------------------------------------------

$r = $hub->get("$G/notifications", auth($alpha->{key}));
is($r->{status}, 200, 'g4f: GET /notifications');
is(scalar @{ $r->{json}{items} }, 4, '  four');
is_deeply([ sort keys %{ $r->{json}{items}[0] } ], [qw(acked body id level title ts)], '  their fields');
is($r->{json}{next_cursor}, undef, '  one page');
my $g1 = $hub->get("$G/notifications?limit=3", auth($alpha->{key}))->{json};
is($g1->{next_cursor}, 3, '  limit 3: next_cursor 3');
is(scalar @{ $hub->get("$G/notifications?limit=3&cursor=3", auth($alpha->{key}))->{json}{items} }, 1, '  and the last one');
my $first = $r->{json}{items}[0]{id};
my $beta_id = q1("SELECT id FROM notifications WHERE tenant_id = '$tb'");
$r = $hub->post("$G/notifications/ack", auth($alpha->{key}), json => { ids => [$first, $beta_id] });
is_deeply($r->{json}, { ok => JSON::PP::true }, 'ack: ok');
my %acked = map { ($_->{id} => $_->{acked}) } @{ $hub->get("$G/notifications", auth($alpha->{key}))->{json}{items} };
ok($acked{$first} && !grep({ $acked{$_} } grep { $_ ne $first } keys %acked), '  that one acked');
ok(!grep({ $_->{acked} } @{ $hub->get("$G/notifications", auth($ann))->{json}{items} }), '  for the owner, not for ann');
is(q1("SELECT count(*) FROM notification_acks WHERE notification_id = '$beta_id'"), 0, "  beta's id ignored");
is($hub->post("$G/notifications/ack", auth($alpha->{key}), json => { ids => [$first] })->{status}, 200, '  twice is once');
for my $bad ({ ids => ['nope'] }, { ids => [] }, {}, { ids => 'x' }) {
    my $res = $hub->post("$G/notifications/ack", auth($alpha->{key}), json => $bad);
    is($res->{status}, 400, 'ack refuses ' . $HubTest::JSON->encode($bad));
    ok($res->{json}{error}{code}, "  in G4F's envelope");
}
is($hub->get("$G/notifications?limit=0", auth($alpha->{key}))->{status}, 400, 'limit 0: 400');

# ---- telemetry ---------------------------------------------------------------

$r = $hub->get("$G/projects/$pa/telemetry/streams", auth($alpha->{key}));
is($r->{status}, 200, 'streams');
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ],
          [ (map { "$pa.$_" } qw(calls error_rate latency_p95)), (map { "$pa.$si.$_" } qw(calls error_rate latency_p95)) ],
          "  the project's three, and its instance's three");
is_deeply($r->{json}{items}[0]{bands}, [qw(1m 5m 15m 1h 1d)], '  bands');
is($r->{json}{items}[0]{status}, q(active), q(  calls in the last hour: active));
like($r->{json}{items}[3]{label}, qr/Weather/, '  an instance stream names its server');
is($hub->get("$G/projects/$pa/telemetry/streams?limit=4", auth($alpha->{key}))->{json}{next_cursor}, 4, '  pages');
is($hub->get("$G/projects/$pb/telemetry/streams", auth($alpha->{key}))->{status}, 404, "beta's project: 404");
is($hub->get("$G/projects/nope/telemetry/streams", auth($alpha->{key}))->{status}, 404, 'a malformed id: 404');

# a series two hours ago: 30 minutes of 4, 5, 6 calls, a spike of 40 in
# minute 17, two failures (with no error type: not notified) in minute 5,
# latencies 10..50 in minute 0, and a stream (GET) that is no call
my $T0 = q1("SELECT iso8601(date_trunc('hour', now() - interval '2 hours'))");
my @count = map { $_ == 17 ? 40 : 4 + $_ % 3 } 0 .. 29;
my @rows;
for my $m (0 .. 29) {
    for my $k (1 .. $count[$m]) {
        push @rows, { ok => !($m == 5 && $k <= 2), ms => $m == 0 ? 10 * $k : 1,
                      at => "'$T0'::timestamptz + interval '$m minutes $k seconds'" };
    }
}
push @rows, { ok => 1, method => 'GET', at => "'$T0'::timestamptz + interval '3 minutes'" };
calls(@rows);
my $T1 = q1("SELECT iso8601('$T0'::timestamptz + interval '30 minutes')");

sub tq { $hub->post("$G/telemetry/query", auth($_[1] || $alpha->{key}), json => $_[0]) }
$r = tq({ stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, band => '1m' });
is($r->{status}, 200, 'query: calls per minute');
is_deeply([ map { $_->{value} } @{ $r->{json}{series} } ], \@count, '  the seeded counts');
is($r->{json}{series}[0]{ts}, $T0, '  from the first minute');

# the robust z-score, computed here
sub median { my @s = sort { $a <=> $b } @_; @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2 }
my $med = median(@count);
my $mad = median(map { abs($_ - $med) } @count);
my @want = grep { abs(0.6745 * ($count[$_] - $med) / $mad) > 3.5 } 0 .. 29;
is_deeply(\@want, [17], '  (the spike is the one outlier by our own count)');
is_deeply([ map { $_->{ts} } @{ $r->{json}{anomalies} } ], [ $r->{json}{series}[17]{ts} ], '  the anomaly found');
is($r->{json}{anomalies}[0]{value}, 40, '  its value');
ok(abs($r->{json}{anomalies}[0]{score} - 0.6745 * (40 - $med) / $mad) < 1e-6, '  its score');
is_deeply([ @{ $r->{json}{method} }{qw(name median mad threshold)} ], ['robust_z', $med, $mad, 3.5], '  the method');
is(scalar @{ tq({ stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, band => '1m', threshold => 100 })->{json}{anomalies} },
   0, '  none above a threshold of 100');

$r = tq({ stream_id => "$pa.error_rate", time_range => { from => $T0, to => $T1 }, band => '1m' });
is_deeply([ map { $_->{value} } @{ $r->{json}{series} } ], [ map { $_ == 5 ? 2 / $count[5] : 0 } 0 .. 29 ], 'error rate per minute');
# minute 0: 4 calls of 10, 20, 30, 40 ms; p95 interpolated as
# percentile_cont does: 30 + 0.85 * 10
my $T01 = q1("SELECT iso8601('$T0'::timestamptz + interval '1 minute')");
$r = tq({ stream_id => "$pa.latency_p95", time_range => { from => $T0, to => $T01 }, band => '1m' });
is_deeply($r->{json}{series}, [{ ts => $T0, value => 38.5 }], 'p95 latency of 10..40 ms: 38.5');

$r = tq({ stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, limit => 10 });
is($r->{json}{band}, '5m', 'no band: the narrowest within limit');
my @five = map { my $i = $_; my $s = 0; $s += $count[$_] for 5 * $i .. 5 * $i + 4; $s } 0 .. 5;
is_deeply([ map { $_->{value} } @{ $r->{json}{series} } ], \@five, '  five-minute sums');
is(tq({ stream_id => "$pa.$si.calls", time_range => { from => $T0, to => $T1 }, band => '1h' })->{json}{series}[0]{value},
   eval { my $s = 0; $s += $_ for @count; $s }, "the instance's stream");

my %bad = (
    'too many points' => { stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, band => '1m', limit => 10 },
    'from after to' => { stream_id => "$pa.calls", time_range => { from => $T1, to => $T0 } },
    'a bad from' => { stream_id => "$pa.calls", time_range => { from => 'yesterday', to => $T1 } },
    'no time_range' => { stream_id => "$pa.calls" },
    'a bad stream id' => { stream_id => "$pa.watts", time_range => { from => $T0, to => $T1 } },
    'an empty part' => { stream_id => "$pa..calls", time_range => { from => $T0, to => $T1 } },
    'a bad band' => { stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, band => '7m' },
    'a bad threshold' => { stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 }, threshold => -1 },
);
for my $what (sort keys %bad) {
    my $res = tq($bad{$what});
    is($res->{status}, 400, "query: $what is 400");
    ok($res->{json}{error}{message}, '  with a message') or diag $res->{content};
}
is(tq({ stream_id => "$pa.calls", time_range => { from => $T0, to => $T1 } }, $beta->{key})->{status}, 404,
   "beta asking for alpha's stream: 404");
is(tq({ stream_id => "$pb.$si.calls", time_range => { from => $T0, to => $T1 } })->{status}, 404,
   "an instance of another project: 404");

# ---- alerts ------------------------------------------------------------------

sub alert { $hub->post("$G/telemetry/alerts", auth($_[1] || $alpha->{key}), json => $_[0]) }
my %ok_alert = (name => 'busy', stream_id => "$pa.calls",
                condition => { op => '>', threshold => 3, window_s => 60 }, actions => [{ type => 'notify' }]);
for my $case (['a bad op', { condition => { op => '~', threshold => 3 } }],
              ['no threshold', { condition => { op => '>' } }],
              ['a short window', { condition => { op => '>', threshold => 3, window_s => 5 } }],
              ['a webhook action', { actions => [{ type => 'webhook' }] }],
              ['no actions', { actions => [] }],
              ['no name', { name => undef }]) {
    my %body = (%ok_alert, %{ $case->[1] });
    delete $body{name} unless defined $body{name};
    is(alert(\%body)->{status}, 400, "alert: $case->[0] is 400");
}
is(alert({ %ok_alert, stream_id => "$pb.calls" })->{status}, 404, "an alert on beta's stream: 404");
$r = alert(\%ok_alert);
is($r->{status}, 200, 'an alert');
my $alert = $r->{json}{alert_id};
like($alert, qr/^[0-9a-f-]{36}$/, '  its alert_id');

sub alert_notes { q1("SELECT count(*) FROM notifications WHERE event_type = 'telemetry.alert' AND target_id = '$alert'") }
sleep 3;
is(alert_notes(), 0, 'no calls in the last minute: not firing');
calls(map { { ok => 1, at => 'now()' } } 1 .. 5);
ok(HubTest::eventually(30, sub { alert_notes() == 1 }), '5 calls in the last minute: firing, one notification');
sleep 3;
is(alert_notes(), 1, '  still firing: no second one');
is(q1("SELECT state || ',' || fire_count FROM telemetry_alerts WHERE id = '$alert'"), 'firing,1', '  state firing, fired once');
my $note = q1("SELECT severity || '|' || title || '|' || project_id FROM notifications WHERE target_id = '$alert'");
is($note, "warning|Alert firing: busy|$pa", '  the notification');
ok(grep({ $_->{title} eq 'Alert firing: busy' } @{ $hub->get("$G/notifications", auth($alpha->{key}))->{json}{items} }),
   '  listed by G4F');
unlike($hub->get("$G/notifications", auth($beta->{key}))->{content}, qr/busy/, '  not for beta');

# the calls age out of the window: ok again; new calls: a second firing
q1("UPDATE mcp_calls SET at = at - interval '5 minutes' WHERE tenant_id = '$ta' AND at > now() - interval '2 minutes'");
ok(HubTest::eventually(30, sub { q1("SELECT state FROM telemetry_alerts WHERE id = '$alert'") eq 'ok' }), 'ok again');
calls(map { { ok => 1, at => 'now()' } } 1 .. 5);
ok(HubTest::eventually(30, sub { alert_notes() == 2 }), 'firing again: a second notification');

# ---- the audit trail -----------------------------------------------------------

is($hub->request('PUT', "$G/settings", auth($alpha->{key}), json => { theme => { mode => 'dark' } })->{status}, 200,
   'a settings change');
$hub->request('PUT', "$G/settings", auth($beta->{key}), json => { theme => 'beta' });
my $owner = q1("SELECT id FROM users WHERE email = 'owner\@alpha.test'");
$r = $hub->get("$G/audit", auth($alpha->{key}));
is($r->{status}, 200, 'g4f: GET /audit');
is_deeply([ map { $_->{type} } @{ $r->{json}{items} } ],
          ['settings.changed', 'telemetry.alert_created', 'project.created', 'api_key.created'],
          '  the settings change, the alert, the project and the platform token, newest first');
my ($set, $made, $proj, $tok) = @{ $r->{json}{items} };
is_deeply([ @$proj{qw(actor_user_id project_id)} ], [ $owner, $pa ], '  the project');
is_deeply([ @$set{qw(actor_user_id project_id)}, $set->{data} ],
          [ $owner, undef, { path => 'theme.mode', from => undef, to => 'dark' } ], '  the change');
is_deeply([ @$made{qw(actor_user_id project_id)}, $made->{data}{stream_id} ], [ $owner, $pa, "$pa.calls" ], '  the alert');
is_deeply([ sort keys %$set ], [qw(actor_user_id data id project_id ts type)], '  the fields');
is(scalar @{ $hub->get("$G/audit?type=settings.changed", auth($alpha->{key}))->{json}{items} }, 1, '  type filter');
is(scalar @{ $hub->get("$G/audit?project_id=$pa", auth($alpha->{key}))->{json}{items} }, 2, '  project filter');
is(scalar @{ $hub->get("$G/audit?project_id=$pb", auth($alpha->{key}))->{json}{items} }, 0, "  beta's project: none");
is($hub->get("$G/audit?limit=1", auth($alpha->{key}))->{json}{next_cursor}, 1, '  pages');
is($hub->get("$G/audit?project_id=nope", auth($alpha->{key}))->{status}, 400, '  a malformed project_id: 400');
$r = $hub->get("$G/audit", auth($beta->{key}));
is_deeply([ map { $_->{data}{to} // $_->{project_id} } @{ $r->{json}{items} } ], ['beta', $pb], "beta's trail is its own");

$r = $hub->get('/v1/activity', auth($alpha->{key}));
is($r->{status}, 200, 'goclaw: GET /v1/activity');
is_deeply([ @{ $r->{json} }{qw(total limit offset)} ], [4, 50, 0], '  total, limit, offset');
is_deeply([ sort keys %{ $r->{json}{logs}[0] } ],
          [qw(action actor_id actor_type created_at details entity_id entity_type id ip_address)], '  a log entry');
is_deeply([ @{ $r->{json}{logs}[1] }{qw(action actor_type actor_id entity_type entity_id)} ],
          ['telemetry.alert_created', 'user', $owner, 'telemetry_alert', $alert], '  the alert');
$r = $hub->get('/v1/activity?action=settings.changed&offset=0&limit=1', auth($alpha->{key}));
is_deeply([ $r->{json}{total}, scalar @{ $r->{json}{logs} } ], [1, 1], '  action filter');
is(scalar @{ $hub->get('/v1/activity?offset=3', auth($alpha->{key}))->{json}{logs} }, 1, '  offset');
my $pat_id = q1("SELECT id FROM api_keys WHERE kind = 'platform'");
is_deeply([ @{ $hub->get('/v1/activity?offset=3', auth($alpha->{key}))->{json}{logs}[0] }{qw(action entity_type entity_id)} ],
          ['api_key.created', 'platform', $pat_id], '  the platform token made');
is($hub->request('DELETE', "$C/platform-access-tokens/$pat_id", auth($alpha->{key}))->{status}, 204, 'the token revoked');
is($hub->get('/v1/activity?action=api_key.revoked', auth($alpha->{key}))->{json}{logs}[0]{entity_id}, $pat_id, '  audited');
is($hub->get('/v1/activity?limit=0', auth($alpha->{key}))->{status}, 400, '  limit 0: 400');
is($hub->get('/v1/activity', auth($beta->{key}))->{json}{total}, 2, '  beta: its own two');

ok($hub->log_is_clean, 'error log clean');
done_testing();
