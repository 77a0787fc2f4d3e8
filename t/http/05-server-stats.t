# g4f GET /server/stats: real figures from this httpd's own request timings
# (shared by all children) and from the host.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use HubTest;

my $hub = HubTest->new;

# start on a fresh second, make a known number of requests, then let that
# second complete: the window counts whole seconds before now
sleep(1 - (time - int time) + 0.05);
my $n = 120;
$hub->get('/health/live') for 1 .. $n;
sleep(1 - (time - int time) + 0.1);

my $r = $hub->get('/g4f/api/v1/server/stats?window_s=5');
is($r->{status}, 200, 'server stats');
my $s = $r->{json};
cmp_ok($s->{requests}{count}, '>=', $n, "counted at least the $n requests made");
cmp_ok($s->{requests}{count}, '<=', $n + 10, 'and not many more');
cmp_ok(abs($s->{requests}{rps} - $s->{requests}{count} / 5), '<', 0.01,
       'rps is the count over the window');
cmp_ok($s->{requests}{p95_ms}, '>', 0, 'p95 is measured');
cmp_ok($s->{requests}{p95_ms}, '<', 5000, 'p95 is plausible');
cmp_ok($s->{requests}{p50_ms}, '<=', $s->{requests}{p95_ms}, 'p50 <= p95');

# host figures
open my $fh, '<', '/proc/meminfo' or die;
my ($total_kb) = map { /^MemTotal:\s+(\d+)/ ? $1 : () } <$fh>;
is($s->{ram}{total_bytes}, $total_kb * 1024, 'ram.total_bytes from the host');
cmp_ok($s->{ram}{used_bytes}, '>', 0, 'ram.used_bytes');
cmp_ok($s->{ram}{used_bytes}, '<', $s->{ram}{total_bytes}, 'used < total');
ok($s->{cpu}{pct} >= 0 && $s->{cpu}{pct} <= 100, 'cpu.pct is a percentage');
ok(exists $s->{gpu}{$_} && !defined $s->{gpu}{$_}, "gpu.$_ is null (no GPU readable)")
    for qw(pct vram_used_bytes vram_total_bytes);
ok(defined $s->{network}{$_} && $s->{network}{$_} >= 0, "network.$_") for qw(rx_bps tx_bps);
is($s->{window_s}, 5, "window echoed");
is($hub->get("/g4f/api/v1/capabilities")->{json}{limits}{stats_window_max_s}, 3600,
   "capabilities give the longest window");

# default window, and the window's bounds
is($hub->get('/g4f/api/v1/server/stats')->{json}{window_s}, 60, 'default window 60 s');
for my $bad ('0', '3601', 'abc', '-5', '1e3') {
    $r = $hub->get("/g4f/api/v1/server/stats?window_s=$bad");
    is($r->{status}, 400, "window_s=$bad refused");
    is($r->{json}{error}{code}, 'VALIDATION_ERROR', 'in the g4f envelope');
    like($r->{json}{error}{message}, qr/window_s/, 'naming the parameter');
}
is($hub->get('/g4f/api/v1/server/stats?window_s=3600')->{status}, 200, 'window_s=3600 is allowed');

$hub->log_is_clean;
done_testing;
