/* Unit tests of hub_sysinfo: /proc parsers on fixed texts, live readers. */
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_sysinfo.h"
#include "tap.h"

/* clang-format off */
static const char proc_stat[] =
    "cpu  100 20 30 400 50 6 7 8 90 10\n"
    "cpu0 50 10 15 200 25 3 3 4 45 5\n"
    "cpu1 50 10 15 200 25 3 4 4 45 5\n"
    "intr 12345 0 0\n"
    "ctxt 999\n";

/* an old kernel: only user nice system idle */
static const char proc_stat_short[] = "cpu  10 0 5 85\n";

static const char meminfo[] =
    "MemTotal:        8000000 kB\n"
    "MemFree:         1000000 kB\n"
    "MemAvailable:    6000000 kB\n"
    "Buffers:          200000 kB\n"
    "Cached:          3000000 kB\n";
/* clang-format on */

static const char net_dev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo: 9999999    1000    0    0    0     0          0         0  9999999    1000    0    0    0     0       0          0\n"
    "  eth0: 1000       10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0\n"
    "wlan0:300 3 0 0 0 0 0 0 400 4 0 0 0 0 0 0\n"
    "docker0:   50        1    0    0    0     0          0         0       60       1    0    0    0     0       0          0\n";

static void test_parse_cpu(void)
{
    apr_uint64_t busy = 0, total = 0;

    is_int(hub_sys_parse_cpu(proc_stat, &busy, &total), 0, "cpu line parses");
    /* user..steal = 100+20+30+400+50+6+7+8; guest is inside user/nice */
    is_int((long long)total, 621, "total: user..steal, guest not twice");
    /* busy leaves out idle (400) and iowait (50) */
    is_int((long long)busy, 171, "busy: total - idle - iowait");

    is_int(hub_sys_parse_cpu(proc_stat_short, &busy, &total), 0,
           "four-field cpu line parses");
    ok(total == 100 && busy == 15,
       "four fields: total 100, busy 15 "
       "(got %llu, %llu)",
       (unsigned long long)total, (unsigned long long)busy);

    ok(hub_sys_parse_cpu("intr 1 2 3\n", &busy, &total) != 0,
       "no cpu line: error");
    ok(hub_sys_parse_cpu("cpu0 1 2 3 4\n", &busy, &total) != 0,
       "a per-cpu line is not the total");
    ok(hub_sys_parse_cpu("cpu  1 2\n", &busy, &total) != 0,
       "too few fields: error");
}

static void test_parse_memory(void)
{
    apr_uint64_t used = 0, total = 0;

    is_int(hub_sys_parse_memory(meminfo, &used, &total), 0, "meminfo parses");
    is_int((long long)total, 8000000LL * 1024, "total in bytes");
    is_int((long long)used, 2000000LL * 1024,
           "used = total - available, in bytes");
    ok(hub_sys_parse_memory("MemTotal: 100 kB\nMemFree: 50 kB\n", &used, &total)
           != 0,
       "no MemAvailable: error");
    ok(hub_sys_parse_memory("", &used, &total) != 0, "empty text: error");
}

static void test_parse_network(void)
{
    apr_uint64_t rx = 1, tx = 1;

    is_int(hub_sys_parse_network(net_dev, &rx, &tx), 0, "net/dev parses");
    is_int((long long)rx, 1000 + 300 + 50,
           "rx summed over eth0, wlan0, docker0; lo left out");
    is_int((long long)tx, 2000 + 400 + 60,
           "tx summed over eth0, wlan0, docker0; lo left out");

    rx = tx = 7;
    hub_sys_parse_network("Inter-|\n face |\n    lo: 5 0 0 0 0 0 0 0 6 0\n",
                          &rx, &tx);
    ok(rx == 0 && tx == 0, "only loopback: zero, not stale values");
}

static void test_live(void)
{
    apr_uint64_t a = 0, b = 0;

    is_int(hub_sys_cpu(&a, &b), 0, "hub_sys_cpu reads /proc/stat");
    ok(b > 0 && a <= b, "cpu: total > 0, busy <= total (%llu/%llu)",
       (unsigned long long)a, (unsigned long long)b);
    is_int(hub_sys_memory(&a, &b), 0, "hub_sys_memory reads /proc/meminfo");
    ok(b > 0 && a <= b, "memory: total > 0, used <= total (%llu/%llu)",
       (unsigned long long)a, (unsigned long long)b);
    is_int(hub_sys_network(&a, &b), 0, "hub_sys_network reads /proc/net/dev");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_parse_cpu();
    test_parse_memory();
    test_parse_network();
    test_live();

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
