# Patchwork's heartbeats and feedback: a server's own key (given once by
# POST /api/v1/servers/) or a team API key reports for a server; every
# field is stored; heartbeats set a heartbeat server's tools (with
# tool-change events), health and uptime, and a server whose heartbeats
# stop goes stale; junk feedback is stored but filtered and counted
# nowhere; the stats count the rest; nothing crosses tenants and no
# server key is stored or logged.
use strict;
use warnings;
use Test::More;
use POSIX ();
use Digest::SHA qw(sha256_hex);
use HubTest;

my $hub = HubTest->new;
my $a = $hub->team('acme');
my $b = $hub->team('bravo');
sub auth { (headers => { Authorization => "Bearer $_[0]" }) }
sub q1 { $hub->psql($hub->db, $_[0]) }
sub server { my ($key, $slug) = @_;
    (grep { $_->{slug} eq $slug } @{ $hub->get('/api/v1/servers/', auth($key))->{json} })[0] }
sub hb { my ($key, %body) = @_; $hub->post('/api/v1/heartbeat/', auth($key), json => \%body) }
sub fb { my ($key, %body) = @_; $hub->post('/api/v1/feedback/', auth($key), json => \%body) }

# ---- a server and its key, once ----------------------------------------
my $r = $hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'Beacon' });
is($r->{status}, 201, 'a Patchwork server');
is($r->{json}{mode}, 'heartbeat', 'in heartbeat mode');
my $sk = $r->{json}{server_key};
like($sk, qr/^hubs_[\w-]{43}$/, 'its server key, shown once');
is(q1("SELECT count(*) FROM server_keys WHERE key_hash = '" . sha256_hex($sk) . "' AND prefix = '"
      . substr($sk, 0, 8) . "'"), 1, 'stored as its SHA-256 and prefix');
ok(!exists server($a->{key}, 'beacon')->{server_key}, 'and never listed');
my $sid = $r->{json}{id};

# ---- heartbeats, every field -------------------------------------------
my %full = (server_slug => 'beacon', tool_count => 2, tool_names => ['search', 'fetch'],
            scan_results => [{ tool => 'search', type => 'missing_description', severity => 'warning',
                               detail => 'no description' },
                             { tool => 'fetch', type => 'untyped_param', severity => 'info' }],
            last_error_type => 'ConnectTimeout', consecutive_failures => 2,
            sent_at => '2026-11-22T07:00:00Z', middleware_uptime_seconds => 3600,
            heartbeats_sent => 60, heartbeats_failed => 3);
$r = hb($sk, %full);
is($r->{status}, 200, 'a heartbeat with the server key') or diag($r->{content});
is_deeply($r->{json}, { status => 'ok', server_slug => 'beacon' }, 'HeartbeatOut');
is(q1("SELECT concat_ws('|', via, tool_count, tool_names::text, scan_results->1->>'detail',
                         scan_results->0->>'severity', last_error_type, consecutive_failures, sent_at,
                         middleware_uptime_seconds, heartbeats_sent, heartbeats_failed,
                         key_id IS NOT NULL) FROM heartbeats"),
   'server_key|2|{search,fetch}||warning|ConnectTimeout|2|2026-11-22T07:00:00Z|3600|60|3|t',
   'stored with every field (a ScanIssue without detail gets "")');
is(q1("SELECT scan_results->1->>'detail' FROM heartbeats"), '', 'detail defaults to ""');
is(q1("SELECT concat_ws('|', health_status, tool_count, heartbeat_failures, heartbeat_last_error,
                         heartbeats_sent, heartbeats_failed, jsonb_array_length(scan_results))
         FROM servers WHERE slug = 'beacon'"),
   'healthy|2|2|ConnectTimeout|60|3|2', 'the server keeps the latest report');
is(q1("SELECT string_agg(name, ',' ORDER BY name) FROM tools WHERE server_id = '$sid'"), 'fetch,search',
   'its tools are the names reported');
my $s = server($a->{key}, 'beacon');
is($s->{health_status}, 'healthy', 'healthy through ServerOut');
is($s->{uptime_24h}, 1, 'uptime_24h 1 after its first heartbeat');
is(q1("SELECT count(*) FROM tool_changes"), 0, 'the first listing is no change');

# drift: one removed, two added
is(hb($sk, tool_names => ['search', 'summarise', 'translate'], tool_count => 3)->{status}, 200,
   'a heartbeat without server_slug (the key names the server)');
is(q1("SELECT added::text || ' ' || removed::text || ' ' || tool_count_before || '>' || tool_count_after
         FROM tool_changes WHERE server_id = '$sid'"), '{summarise,translate} {fetch} 2>3',
   'a tool-change event, as the prober writes them');
is(q1("SELECT tool_count FROM servers WHERE id = '$sid'"), 3, 'tool_count follows');
is(q1("SELECT scan_results::text FROM servers WHERE id = '$sid'"), q1("SELECT scan_results::text FROM heartbeats WHERE sent_at IS NOT NULL"),
   'a heartbeat without scan_results keeps the last scan');
# names not reported ([] beside a positive count): tools stay
is(hb($sk, tool_names => [], tool_count => 7)->{status}, 200, 'a count without names');
is(q1("SELECT tool_count || ' ' || (SELECT count(*) FROM tools WHERE server_id = '$sid') FROM servers
        WHERE id = '$sid'"), '7 3', 'the count is taken, the tools stay');
is(q1("SELECT count(*) FROM tool_changes"), 1, 'and no change is written');
is(q1("SELECT count(*) FROM heartbeats WHERE server_id = '$sid'"), 3, 'every heartbeat recorded');

# while a server stays healthy and on time, its heartbeats work uptime
# out again once a minute, not on every beat (that reads the day's
# heartbeats under the row lock): within the minute the stored value
# stands, after it the next heartbeat puts it right
q1("UPDATE servers SET uptime_24h = 0.5, heartbeat_uptime_at = now() WHERE id = '$sid'");
hb($sk);
is(server($a->{key}, 'beacon')->{uptime_24h}, 0.5, 'a heartbeat within the minute keeps the stored uptime');
q1("UPDATE servers SET heartbeat_uptime_at = now() - interval '61 seconds' WHERE id = '$sid'");
hb($sk);
is(server($a->{key}, 'beacon')->{uptime_24h}, 1, 'the first heartbeat after it works uptime out again');

# ---- stale after the window, healthy again -----------------------------
# heartbeats a second apart make the window three seconds
for (1 .. 3) { hb($sk); select undef, undef, undef, 1.05 }
hb($sk);
cmp_ok(q1("SELECT heartbeat_every_s FROM servers WHERE id = '$sid'"), '<', 2, 'the interval it keeps is learnt');
ok(HubTest::eventually(15, sub { server($a->{key}, 'beacon')->{health_status} eq 'stale' }),
   'silent for three intervals: stale (the prober marks it)');
cmp_ok(server($a->{key}, 'beacon')->{uptime_24h}, '<', 1, 'and its uptime drops');
hb($sk);
is(server($a->{key}, 'beacon')->{health_status}, 'healthy', 'the next heartbeat: healthy again');

# uptime from the heartbeat history: a beat a minute from 2 h to 1 h ago,
# then silence, then one now: 3600 s + one 180 s window of 7200 s
q1("DELETE FROM heartbeats WHERE server_id = '$sid'");
q1("INSERT INTO heartbeats (tenant_id, server_id, via, at)
    SELECT tenant_id, id, 'server_key', now() - interval '2 hours' + make_interval(mins => g)
      FROM servers, generate_series(0, 60) g WHERE id = '$sid'");
q1("UPDATE servers SET last_heartbeat_at = now() - interval '1 hour', heartbeat_every_s = 60 WHERE id = '$sid'");
ok(HubTest::eventually(5, sub { server($a->{key}, 'beacon')->{health_status} eq 'stale' }),
   'an hour without heartbeats: stale');
hb($sk);
$s = server($a->{key}, 'beacon');
ok(abs($s->{uptime_24h} - 3780 / 7200) < 0.01, 'uptime_24h from the heartbeat history')
    or diag($s->{uptime_24h});
is(q1("SELECT round(heartbeat_every_s) FROM servers WHERE id = '$sid'"), 60,
   'one long gap does not change the interval (median of ten)');
q1("UPDATE heartbeats SET at = at - interval '2 days' WHERE server_id = '$sid'");
q1("UPDATE servers SET last_heartbeat_at = last_heartbeat_at - interval '2 days' WHERE id = '$sid'");
hb($sk);
cmp_ok(server($a->{key}, 'beacon')->{uptime_24h}, '<', 0.001, 'silent for the whole day, then back: uptime 0');

# ---- who may report for which server -----------------------------------
$hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'other' });
my $before = q1("SELECT count(*) FROM heartbeats");
$r = hb($sk, server_slug => 'other');
is($r->{status}, 403, "a server key naming another server: 403");
is($r->{json}{detail}, 'a server key reports only for its own server', 'in the envelope');
is(hb($sk, server_slug => 'no-such')->{status}, 403, 'the same for a slug that does not exist');
is(q1("SELECT count(*) FROM heartbeats"), $before, 'nothing recorded');
is($hub->get('/api/v1/servers/beacon/stats', auth($sk))->{status}, 401, 'a server key opens no other route');
is($hub->get('/api/v1/servers/', auth($sk))->{status}, 401, 'not even the list');

# hubctl's keys work the same
my $sk2 = $hub->hubctl('create-server-key', 'acme', 'other');
is(hb($sk2, tool_names => ['x'])->{json}{server_slug}, 'other', "hubctl's server key reports for its server");

# an API key names the server
$r = hb($a->{key}, server_slug => 'beacon', tool_names => ['search']);
is($r->{status}, 200, 'an API key with server_slug');
is(q1("SELECT via FROM heartbeats ORDER BY at DESC LIMIT 1"), 'api_key', 'recorded as such');
$r = hb($a->{key}, tool_count => 1);
is($r->{status}, 422, 'an API key without server_slug: 422');
like($r->{json}{detail}, qr/server_slug/, 'naming the field');
is(hb($a->{key}, server_slug => 'nope')->{status}, 404, 'an unknown slug: 404');
my $ro = $hub->hubctl('create-key', 'acme', '--user', $a->{email}, '--scopes', 'operator.read');
is(hb($ro, server_slug => 'beacon')->{status}, 403, 'a read-only key may not report');

# input checked
for my $bad ([scan_results => [{ tool => 'x', type => 't' }], qr/scan_results\.0\.severity/],
             [scan_results => ['x'], qr/scan_results\.0/],
             [tool_names => ['ok', 3], qr/tool_names\.1/],
             [tool_count => 'many', qr/tool_count/],
             [consecutive_failures => -1, qr/consecutive_failures/]) {
    $r = hb($sk, $bad->[0] => $bad->[1]);
    is($r->{status}, 422, "bad $bad->[0]: 422");
    like($r->{json}{detail} // '', $bad->[2], 'naming where');
}
is($hub->post('/api/v1/heartbeat/', json => {})->{status}, 401, 'no credentials: 401');

# a server the prober owns: the heartbeat is recorded, health and tools stay
$hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'far', endpoint => 'http://localhost:9/mcp' });
$r = hb($a->{key}, server_slug => 'far', tool_names => ['a', 'b']);
is($r->{status}, 200, 'a remote server may send heartbeats');
is(q1("SELECT count(*) FROM tools t JOIN servers s ON s.id = t.server_id WHERE s.slug = 'far'"), 0,
   'its tools stay the prober\'s');
isnt(q1("SELECT health_status FROM servers WHERE slug = 'far'"), 'healthy', 'and its health too');
# its heartbeats count for its uptime beside its (failing) probes
ok(HubTest::eventually(15, sub {
       q1("SELECT last_check_at IS NOT NULL AND uptime_24h > 0 FROM servers WHERE slug = 'far'") eq 't' }),
   "a probed server's heartbeats count for its uptime_24h, though its probes fail");

# ---- another tenant ------------------------------------------------------
my $acme = sub { q1("SELECT (SELECT count(*) FROM heartbeats h JOIN tenants t ON t.id = h.tenant_id
                             WHERE t.slug = 'acme')
                     || '/' || (SELECT count(*) FROM feedback f JOIN tenants t ON t.id = f.tenant_id
                                 WHERE t.slug = 'acme')
                     -- health is the clock's and the prober's to move (a
                     -- heartbeat server silent for three intervals goes
                     -- stale, which a loaded machine reaches mid-test);
                     -- what a heartbeat writes is its count and its time
                     || '/' || (SELECT string_agg(s.slug || ':' || s.tool_count
                                                  || ':' || coalesce(s.last_heartbeat_at::text, ''), ','
                                                  ORDER BY s.slug)
                                  FROM servers s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'acme')") };
my $was = $acme->();
is(hb($b->{key}, server_slug => 'beacon', tool_names => [])->{status}, 404, "another team's server: 404");
is(fb($b->{key}, server_slug => 'beacon', what_i_needed => 'x', what_i_tried => 'y')->{status}, 404,
   "feedback for another team's server: 404");
is($hub->get('/api/v1/servers/beacon/stats', auth($b->{key}))->{status}, 404, "its stats: 404");
$r = $hub->post('/api/v1/servers/', auth($b->{key}), json => { name => 'beacon' });
my $bk = $r->{json}{server_key};
is(hb($bk, server_slug => 'beacon', tool_names => ['b1'])->{json}{server_slug}, 'beacon',
   "bravo's own beacon, with its own key");
is(fb($bk, what_i_needed => 'x', what_i_tried => 'y')->{status}, 201, 'and its feedback');
is($acme->(), $was, "acme's heartbeats, feedback and servers: nothing changed by bravo");
is(q1("SELECT count(*) FROM heartbeats h JOIN servers s ON s.id = h.server_id WHERE s.tenant_id <> h.tenant_id")
   + q1("SELECT count(*) FROM feedback f JOIN servers s ON s.id = f.server_id WHERE s.tenant_id <> f.tenant_id"),
   0, "every heartbeat and feedback in its server's tenant");

# ---- feedback ------------------------------------------------------------
my %fb = (server_slug => 'beacon', what_i_needed => 'A tool to export search results as CSV',
          what_i_tried => 'search, then formatting by hand', gap_type => 'missing_tool',
          suggestion => 'add export_csv', user_goal => 'a spreadsheet of results',
          resolution => 'gave the user a table instead', tools_available => ['search', 'fetch'],
          agent_model => 'claude-x', session_id => 'sess-1', client_type => 'desktop');
$r = fb($sk, %fb);
is($r->{status}, 201, 'feedback with the server key') or diag($r->{content});
like($r->{json}{id}, qr/^[0-9a-f-]{36}$/, 'FeedbackOut: id');
is_deeply([ @{ $r->{json} }{qw(status filtered filter_reason)} ], ['received', JSON::PP::false, ''],
          'received, not filtered');
ok(length $r->{json}{message} && length $r->{json}{guidance}, 'with a message and guidance');
my $fid = $r->{json}{id};
is(q1("SELECT concat_ws('|', what_i_needed, what_i_tried, gap_type, suggestion, user_goal, resolution,
                         tools_available::text, agent_model, session_id, client_type, via, filtered)
         FROM feedback WHERE id = '$fid'"),
   join('|', @fb{qw(what_i_needed what_i_tried gap_type suggestion user_goal resolution)},
        '{search,fetch}', @fb{qw(agent_model session_id client_type)}, 'server_key', 'f'),
   'stored with every field');

$r = fb($a->{key}, server_slug => 'beacon', what_i_needed => 'dates in ISO 8601',
        what_i_tried => 'fetch', gap_type => 'wrong_format', session_id => 'sess-2');
is($r->{status}, 201, 'feedback with an API key');
$r = fb($a->{key}, what_i_needed => 'x', what_i_tried => 'y');
is($r->{status}, 422, 'an API key without server_slug: 422');
$r = fb($sk, what_i_needed => 'more rows', what_i_tried => 'search');
is($r->{status}, 201, 'defaults: the key names the server');
is(q1("SELECT gap_type || '|' || suggestion || '|' || tools_available::text FROM feedback
        WHERE what_i_needed = 'more rows'"), 'other||{}', 'gap_type other, "" and [] by default');
$r = fb($sk, what_i_needed => 'x', what_i_tried => 'y', gap_type => 'bug');
is($r->{status}, 422, 'an unknown gap_type: 422');
is(fb($sk, what_i_needed => 'x')->{status}, 422, 'what_i_tried missing: 422');
is(fb($sk, what_i_needed => 'x', what_i_tried => 'y', tools_available => [1])->{status}, 422,
   'tools_available of non-strings: 422');
is(fb($sk, server_slug => 'other', what_i_needed => 'x', what_i_tried => 'y')->{status}, 403,
   'a server key for another server: 403');
is(fb($ro, server_slug => 'beacon', what_i_needed => 'x', what_i_tried => 'y')->{status}, 403,
   'a read-only API key: 403');

# junk: stored, filtered with its reason, counted nowhere
my %junk;
$r = fb($sk, what_i_needed => "  \n\t ", what_i_tried => 'anything');
$junk{empty} = $r;
$r = fb($sk, what_i_needed => 'x' x 10001, what_i_tried => 'y');
$junk{oversized} = $r;
$r = fb($sk, what_i_needed => 'a tool to export search results as   csv ',
        what_i_tried => 'Search, then formatting by hand', session_id => 'sess-1');
$junk{duplicate} = $r;
for my $why (sort keys %junk) {
    is($junk{$why}{status}, 201, "$why: still 201");
    is_deeply([ @{ $junk{$why}{json} }{qw(status filtered filter_reason)} ],
              ['filtered', JSON::PP::true, $why], "$why: filtered with its reason");
    is(q1("SELECT filter_reason FROM feedback WHERE id = '$junk{$why}{json}{id}'"), $why, "$why: stored");
}
is(q1("SELECT length(what_i_needed) FROM feedback WHERE id = '$junk{oversized}{json}{id}'"), 10000,
   'oversized: stored cut to 10000 characters');
$r = fb($sk, %fb, session_id => 'sess-3');
is($r->{json}{filtered}, JSON::PP::false, 'the same words from another session count');
$r = fb($sk, what_i_needed => 'z' x 10, what_i_tried => 'y', agent_model => 'm' x 201);
is($r->{json}{filter_reason}, 'oversized', 'a short field over 200: oversized');

# ---- stats ---------------------------------------------------------------
$r = $hub->get('/api/v1/servers/beacon/stats', auth($a->{key}));
is($r->{status}, 200, 'stats');
my $st = $r->{json};
is_deeply([ sort keys %$st ], [qw(by_gap_type mode recent server_id server_name total_feedback unreviewed)],
          'ServerStatsOut');
is_deeply([ @$st{qw(server_id server_name mode total_feedback unreviewed)} ],
          [$sid, 'Beacon', 'heartbeat', 4, 4], 'totals count the unfiltered only');
is_deeply($st->{by_gap_type}, { missing_tool => 2, incomplete_results => 0, missing_parameter => 0,
                                wrong_format => 1, other => 1 }, 'counts by gap type');
is(scalar @{ $st->{recent} }, 4, 'recent: the unfiltered');
is($st->{recent}[0]{session_id}, 'sess-3', 'newest first');
is_deeply([ sort keys %{ $st->{recent}[0] } ],
          [sort qw(id what_i_needed what_i_tried gap_type suggestion user_goal resolution tools_available
                   agent_model session_id client_type reviewed created_at)], 'each with every field');
is(q1("SELECT count(*) FROM feedback WHERE filtered"), 4, 'the filtered ones are stored');
is($hub->get('/api/v1/servers/beacon/stats', auth($ro))->{status}, 200, 'read access reads them');
is($hub->get('/api/v1/servers/nope/stats', auth($a->{key}))->{status}, 404, 'an unknown slug: 404');
is($hub->get('/api/v1/servers/beacon/stats')->{status}, 401, 'no credentials: 401');
$st = $hub->get('/api/v1/servers/beacon/stats', auth($b->{key}))->{json};
is_deeply([ @$st{qw(total_feedback)} ], [1], "bravo's beacon has its own feedback, none of acme's");

# ---- no server key anywhere but its one answer ----------------------------
my $dump = join "\n", map { q1("SELECT string_agg(row(t.*)::text, E'\\n') FROM $_ t") }
    qw(server_keys servers heartbeats feedback tool_changes tools);
my $logs = $hub->slurp($hub->error_log_path) . $hub->slurp("$hub->{work}/httpd/access.log");
for my $k ($sk, $sk2, $bk) {
    unlike($dump, qr/\Q$k\E/, 'no server key in any table');
    unlike($logs, qr/\Q$k\E/, 'nor in the logs');
}

# heartbeats of one server arriving together: the drift is one event.
# The server's row lock (taken first in hub_heartbeat_record, sql/017) is
# what makes this hold;
# without it, it holds only while the statements stay faster than the
# requests' spread, so this checks the behaviour, not the lock itself
$r = $hub->post('/api/v1/servers/', auth($a->{key}), json => { name => 'racer' });
is($r->{status}, 201, 'a server for concurrent heartbeats');
my $rk = $r->{json}{server_key};
is(hb($rk, tool_names => ['a'], tool_count => 1)->{status}, 200, 'its first heartbeat: tool a');
my @kids;
for my $n (1 .. 8) {
    my $pid = fork // die;
    if (!$pid) {
        my $res = hb($rk, tool_names => ['a', 'b'], tool_count => 2);
        POSIX::_exit($res->{status} == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
my $bad = 0;
for (@kids) { waitpid($_, 0); $bad++ if $? }
is($bad, 0, '8 heartbeats at once, all accepted');
is(q1("SELECT count(*) FROM tool_changes c JOIN servers s ON s.id = c.server_id WHERE s.slug = 'racer'"), 1,
   'exactly one tool-change event for the one drift');
is(q1("SELECT added::text FROM tool_changes c JOIN servers s ON s.id = c.server_id WHERE s.slug = 'racer'"),
   '{b}', 'adding b');

$hub->log_is_clean;
done_testing;
