/* Request timings of this httpd, per second, in a block of shared memory
 * every child writes to: rps and p95 over any window up to an hour.
 * httpd-free: the block is handed in by the module that owns the shm. */
#ifndef HUB_STATS_H
#define HUB_STATS_H

#include <apr.h>
#include <apr_time.h>

/* the longest window, in whole seconds */
#define HUB_STATS_WINDOW_MAX 3600
/* one slot more than the longest window: the current second is still
 * being written while a full window of past seconds is read */
#define HUB_STATS_SECONDS (HUB_STATS_WINDOW_MAX + 1)
/* latency buckets: bucket i holds durations below 16us * 2^((i+1)/3);
 * the last one is open-ended (about 42 s and above) */
#define HUB_STATS_BUCKETS 64

typedef struct hub_stats_slot {
    volatile apr_uint32_t second; /* epoch second this slot holds */
    volatile apr_uint32_t count;
    volatile apr_uint32_t hist[HUB_STATS_BUCKETS];
} hub_stats_slot_t;

typedef struct hub_stats {
    hub_stats_slot_t slots[HUB_STATS_SECONDS];
    /* the previous host sample, for cpu and network rates */
    volatile apr_uint64_t cpu_busy, cpu_total, net_rx, net_tx;
    volatile apr_uint64_t sampled_at; /* apr_time_t, 0: never */
} hub_stats_t;

typedef struct hub_stats_summary {
    apr_uint64_t count;
    double rps;
    double p50_ms, p95_ms, p99_ms;
} hub_stats_summary_t;

/* Which bucket a duration falls into. */
int hub_stats_bucket(apr_interval_time_t duration);
/* The upper bound of a bucket, in microseconds. */
double hub_stats_bucket_upper(int bucket);

/* Record one request that ended at `end` and took `duration`.  Lock-free;
 * a slot reused for a new second is reset by whoever gets there first. */
void hub_stats_record(hub_stats_t *st, apr_time_t end,
                      apr_interval_time_t duration);

/* Totals over the `window_s` whole seconds before `now`. */
void hub_stats_summarize(const hub_stats_t *st, apr_time_t now, int window_s,
                         hub_stats_summary_t *out);

#endif
