/* Unit tests of hub_stats: buckets, per-second slots, window summaries. */
#include <stdlib.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_stats.h"
#include "tap.h"

#define FAST_US 1000   /* 1 ms */
#define SLOW_US 500000 /* 500 ms */

/* a fixed "now", a quarter into its second */
static const apr_time_t NOW = APR_TIME_C(1700000000) * APR_USEC_PER_SEC
                              + 250000;

static apr_time_t ago(int seconds, apr_interval_time_t within)
{
    return NOW - (apr_time_t)seconds * APR_USEC_PER_SEC
           - (NOW % APR_USEC_PER_SEC) + within;
}

/* Does a quantile (ms) lie in the bucket holding `us`? */
static int in_bucket_of(double ms, apr_interval_time_t us)
{
    int b = hub_stats_bucket(us);
    double lo = b ? hub_stats_bucket_upper(b - 1) / 1000.0 : 0.0;
    double hi = hub_stats_bucket_upper(b) / 1000.0;
    if (ms < lo || ms > hi) {
        diag("  %.4f ms is outside [%.4f, %.4f] (bucket %d of %ld us)", ms, lo,
             hi, b, (long)us);
        return 0;
    }
    return 1;
}

static void test_buckets(void)
{
    apr_interval_time_t d;
    int prev = 0, monotonic = 1, bounded = 1, contains = 1;

    is_int(hub_stats_bucket(0), 0, "0 us -> bucket 0");
    is_int(hub_stats_bucket(-5), 0, "negative -> bucket 0");
    is_int(hub_stats_bucket(15), 0, "15 us -> bucket 0");
    is_int(hub_stats_bucket(APR_TIME_C(3600) * APR_USEC_PER_SEC),
           HUB_STATS_BUCKETS - 1, "an hour -> the last bucket");
    is_int(hub_stats_bucket(APR_INT64_MAX), HUB_STATS_BUCKETS - 1,
           "the longest duration -> the last bucket");

    /* walk durations up by ~1% steps from 1 us to ~100 s */
    for (d = 1; d < APR_TIME_C(100000000); d += d / 100 + 1) {
        int b = hub_stats_bucket(d);
        if (b < prev) {
            monotonic = 0;
            diag("bucket(%ld) = %d < %d", (long)d, b, prev);
        }
        if (b < 0 || b >= HUB_STATS_BUCKETS) {
            bounded = 0;
        }
        /* the bucket holds d: below its upper bound, at or above the
         * previous one (a relative epsilon for the log2 rounding) */
        if (b < HUB_STATS_BUCKETS - 1
            && (hub_stats_bucket_upper(b) <= (double)d
                || (b
                    && hub_stats_bucket_upper(b - 1) > (double)d * 1.000001))) {
            contains = 0;
            diag("bucket %d does not hold %ld us", b, (long)d);
        }
        prev = b;
    }
    ok(monotonic, "bucket is monotonic in the duration");
    ok(bounded, "bucket is within [0, HUB_STATS_BUCKETS)");
    ok(contains, "each bucket's bounds hold its durations");
    ok(hub_stats_bucket_upper(0) > 16.0 && hub_stats_bucket_upper(0) < 21.0,
       "bucket 0 ends near 16us * 2^(1/3)");
    ok(hub_stats_bucket_upper(HUB_STATS_BUCKETS - 2) > 30e6,
       "the last bounded bucket ends past 30 s");
}

static void test_summary(hub_stats_t *st)
{
    hub_stats_summary_t s;
    int i;

    /* 95 fast and 5 slow requests spread over seconds t-3..t-1 */
    for (i = 0; i < 95; i++) {
        hub_stats_record(st, ago(1 + i % 3, i * 1000), FAST_US);
    }
    for (i = 0; i < 5; i++) {
        hub_stats_record(st, ago(1 + i % 3, 999000), SLOW_US);
    }
    /* one in the current second: not yet a whole second, not counted */
    hub_stats_record(st, NOW, SLOW_US);

    hub_stats_summarize(st, NOW, 3, &s);
    is_int((long long)s.count, 100, "3 s window: 100 requests");
    ok(s.rps > 33.33 && s.rps < 33.34, "3 s window: rps = 100/3 (%f)", s.rps);
    ok(in_bucket_of(s.p50_ms, FAST_US), "p50 in the fast bucket (%f ms)",
       s.p50_ms);
    ok(in_bucket_of(s.p95_ms, FAST_US),
       "95 fast + 5 slow: p95 in the fast "
       "bucket (%f ms)",
       s.p95_ms);
    ok(in_bucket_of(s.p99_ms, SLOW_US), "p99 in the slow bucket (%f ms)",
       s.p99_ms);

    hub_stats_summarize(st, NOW, 60, &s);
    is_int((long long)s.count, 100, "60 s window: still 100 requests");
    ok(s.rps > 1.666 && s.rps < 1.667, "60 s window: rps = 100/60 (%f)", s.rps);

    hub_stats_summarize(st, NOW, 1, &s);
    is_int((long long)s.count, 34, "1 s window: only t-1 (34 requests)");
    ok(s.rps > 33.99 && s.rps < 34.01, "1 s window: rps 34 (%f)", s.rps);

    hub_stats_summarize(st, NOW, 0, &s);
    is_int((long long)s.count, 34, "window 0 counts as 1 s");

    /* one more slow request: 94% fast, so p95 moves to the slow bucket */
    hub_stats_record(st, ago(2, 0), SLOW_US);
    hub_stats_summarize(st, NOW, 3, &s);
    is_int((long long)s.count, 101, "3 s window after one more");
    ok(in_bucket_of(s.p95_ms, SLOW_US),
       "95 fast + 6 slow: p95 in the slow "
       "bucket (%f ms)",
       s.p95_ms);

    hub_stats_summarize(st, NOW + APR_TIME_C(10) * APR_USEC_PER_SEC, 3, &s);
    ok(s.count == 0 && s.rps == 0.0 && s.p95_ms == 0.0,
       "10 s later the 3 s window is empty and all zero");
}

static void test_slot_reuse(hub_stats_t *st)
{
    hub_stats_summary_t s;
    apr_time_t old = ago(2, 0)
                     - (apr_time_t)HUB_STATS_SECONDS * APR_USEC_PER_SEC;
    int i;

    /* an hour ago, the same slot as t-2 */
    for (i = 0; i < 7; i++) {
        hub_stats_record(st, old, SLOW_US);
    }
    hub_stats_summarize(st, NOW, 5, &s);
    is_int((long long)s.count, 0, "a slot from an old second is not counted");
    hub_stats_summarize(st, old + APR_USEC_PER_SEC, 1, &s);
    is_int((long long)s.count, 7, "  ... but is counted at its own time");

    hub_stats_record(st, ago(2, 0), FAST_US);
    hub_stats_record(st, ago(2, 1), FAST_US);
    hub_stats_summarize(st, NOW, 5, &s);
    is_int((long long)s.count, 2, "reused slot was reset: count 2, not 9");
    ok(in_bucket_of(s.p99_ms, FAST_US),
       "reused slot's histogram was reset too (p99 %f ms)", s.p99_ms);

    hub_stats_summarize(st, NOW, 100000, &s);
    ok(s.count == 2 && s.rps > 0.000555 && s.rps < 0.000556,
       "a window beyond the ring is clamped to %d s (rps %g)",
       HUB_STATS_SECONDS - 1, s.rps);
}

/* the longest window a client may ask for reaches back a full hour */
static void test_full_window(hub_stats_t *st)
{
    hub_stats_summary_t s, t;
    hub_stats_record(st, ago(HUB_STATS_WINDOW_MAX, 0), FAST_US);
    hub_stats_summarize(st, NOW, HUB_STATS_WINDOW_MAX, &s);
    ok(s.count >= 1, "a request %d s ago is inside the %d s window",
       HUB_STATS_WINDOW_MAX, HUB_STATS_WINDOW_MAX);
    hub_stats_summarize(st, NOW, HUB_STATS_WINDOW_MAX - 1, &s);
    hub_stats_summarize(st, NOW, HUB_STATS_WINDOW_MAX, &t);
    is_int((long long)(t.count - s.count), 1, "and only in a window that long");
}

int main(void)
{
    apr_pool_t *p;
    hub_stats_t *st;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_buckets();
    /* ~1 MB: too big for the stack, and the shm it models is zeroed */
    st = calloc(1, sizeof(*st));
    if (!st) {
        diag("calloc(%lu) failed", (unsigned long)sizeof(*st));
        return 1;
    }
    test_summary(st);
    free(st);
    st = calloc(1, sizeof(*st));
    if (!st) {
        return 1;
    }
    test_slot_reuse(st);
    test_full_window(st);
    free(st);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
