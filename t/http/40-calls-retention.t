# The day partitions of the gateway's call records: made a week ahead and
# kept HubCallsRetention days.
# Shortly after a host starts (and every hour) its analytics watchdog
# drops the day partitions of mcp_calls that ended before the cut-off and
# deletes older rows of the default partition; newer records stay, and
# HubCallsRetention 0 keeps everything.
use strict;
use warnings;
use Test::More;
use HubTest;

my $hub = HubTest->new(conf => 'HubCallsRetention 30');
my $a = $hub->team('acme');
sub q1 { $hub->psql($hub->db, $_[0]) }
my $tenant = q1("SELECT id FROM tenants WHERE slug = 'acme'");

# records of long ago, as an older hub (or a clock) would have left them:
# a day partition of 2020 and rows in the default partition
q1("CREATE TABLE mcp_calls_20200101 PARTITION OF mcp_calls
      FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-01-02 00:00+00')");
sub record {
    my ($at, $tool) = @_;
    q1("INSERT INTO mcp_calls (at, tenant_id, navigator_instance_id, method, tool_name, gateway_ms, ok)
        VALUES ($at, '$tenant', gen_random_uuid(), 'tools/call', '$tool', 1, true)");
}
record("'2020-01-01 12:00+00'", 'in-2020');
record("now() - interval '100 days'", 'day-100');
record("now() - interval '29 days'", 'day-29');
record('now()', 'today');
is(q1("SELECT count(*) FROM mcp_calls"), 4, 'four records, of 2020, 100 and 29 days ago, and today');
sub left { q1("SELECT coalesce(string_agg(tool_name, ',' ORDER BY at), '') FROM mcp_calls") }

# a day ahead without its partition (as on a hub stopped for a week)
my $ahead = q1("SELECT 'mcp_calls_' || to_char((now() AT TIME ZONE 'UTC')::date + 3, 'YYYYMMDD')");
q1("DROP TABLE $ahead");

# the watchdog runs a few seconds after the start
$hub->stop_httpd;
$hub->start;
ok(HubTest::eventually(30, sub { left() eq 'day-29,today' }), 'after a start: what is older than 30 days is gone')
    or diag(left());
is(q1("SELECT to_regclass('mcp_calls_20200101') IS NULL"), 't', '  the 2020 day partition dropped, not emptied');
my $today = q1("SELECT 'mcp_calls_' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')");
is(q1("SELECT to_regclass('$today') IS NOT NULL"), 't', "  today's partition kept");
is(q1("SELECT to_regclass('$ahead') IS NOT NULL"), 't', '  and the missing day ahead made again');
like($hub->slurp($hub->error_log_path), qr/HUB00800: call records older than 30 days pruned: 1 day partition\(s\) dropped, 1 row\(s\) deleted/,
     '  and the host says what it pruned (the row 100 days old was in the default partition)');

# 0 keeps everything
my $keep = HubTest->new(name => 'keep_all', conf => 'HubCallsRetention 0', share => $hub);
record("now() - interval '400 days'", 'day-400');
sleep 8;    # past the watchdog's first ticks
is(left(), 'day-400,day-29,today', 'HubCallsRetention 0: nothing pruned');
$keep->stop_httpd;

ok($hub->log_is_clean, 'error log clean');
done_testing();
