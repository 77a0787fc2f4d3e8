#include <math.h>
#include <string.h>
#include <apr_atomic.h>
#include "hub_stats.h"

#define BASE_US 16.0

int hub_stats_bucket(apr_interval_time_t duration)
{
    double us = (double)duration;
    int b;
    if (us < BASE_US) {
        return 0;
    }
    b = (int)floor(3.0 * log2(us / BASE_US));
    return b >= HUB_STATS_BUCKETS ? HUB_STATS_BUCKETS - 1 : b;
}

double hub_stats_bucket_upper(int bucket)
{
    return BASE_US * pow(2.0, (bucket + 1) / 3.0);
}

void hub_stats_record(hub_stats_t *st, apr_time_t end,
                      apr_interval_time_t duration)
{
    apr_uint32_t sec = (apr_uint32_t)apr_time_sec(end);
    hub_stats_slot_t *slot = &st->slots[sec % HUB_STATS_SECONDS];
    apr_uint32_t old = apr_atomic_read32(&slot->second);

    if (old != sec) {
        /* the first writer of a new second claims and clears the slot;
         * a request counted by a racing writer meanwhile may be lost,
         * which a statistic can afford */
        if (apr_atomic_cas32(&slot->second, sec, old) == old) {
            int i;
            apr_atomic_set32(&slot->count, 0);
            for (i = 0; i < HUB_STATS_BUCKETS; i++) {
                apr_atomic_set32(&slot->hist[i], 0);
            }
        }
    }
    apr_atomic_inc32(&slot->count);
    apr_atomic_inc32(&slot->hist[hub_stats_bucket(duration)]);
}

/* The q-quantile from a histogram, interpolated inside its bucket on a
 * log scale; in milliseconds. */
static double quantile_ms(const apr_uint64_t *hist, apr_uint64_t total,
                          double q)
{
    apr_uint64_t rank, seen = 0;
    int i;
    if (!total) {
        return 0.0;
    }
    rank = (apr_uint64_t)ceil(q * (double)total);
    if (rank < 1) {
        rank = 1;
    }
    for (i = 0; i < HUB_STATS_BUCKETS; i++) {
        if (hist[i] && seen + hist[i] >= rank) {
            double lo = i ? hub_stats_bucket_upper(i - 1) : 0.0;
            double hi = hub_stats_bucket_upper(i);
            double frac = (double)(rank - seen) / (double)hist[i];
            return (lo + (hi - lo) * frac) / 1000.0;
        }
        seen += hist[i];
    }
    return hub_stats_bucket_upper(HUB_STATS_BUCKETS - 1) / 1000.0;
}

void hub_stats_summarize(const hub_stats_t *st, apr_time_t now, int window_s,
                         hub_stats_summary_t *out)
{
    apr_uint64_t hist[HUB_STATS_BUCKETS], htotal = 0;
    apr_uint32_t sec = (apr_uint32_t)apr_time_sec(now);
    int w, i;

    if (window_s < 1) {
        window_s = 1;
    }
    if (window_s > HUB_STATS_SECONDS - 1) {
        window_s = HUB_STATS_SECONDS - 1;
    }
    memset(out, 0, sizeof(*out));
    memset(hist, 0, sizeof(hist));
    for (w = 1; w <= window_s; w++) {
        apr_uint32_t want = sec - (apr_uint32_t)w;
        const hub_stats_slot_t *slot = &st->slots[want % HUB_STATS_SECONDS];
        if (slot->second != want) {
            continue;
        }
        out->count += slot->count;
        for (i = 0; i < HUB_STATS_BUCKETS; i++) {
            hist[i] += slot->hist[i];
        }
    }
    /* racing writers can leave count and histogram a step apart: the
     * quantiles use the histogram's own total */
    for (i = 0; i < HUB_STATS_BUCKETS; i++) {
        htotal += hist[i];
    }
    out->rps = (double)out->count / (double)window_s;
    out->p50_ms = quantile_ms(hist, htotal, 0.50);
    out->p95_ms = quantile_ms(hist, htotal, 0.95);
    out->p99_ms = quantile_ms(hist, htotal, 0.99);
}
