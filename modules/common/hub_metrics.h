/* The hub's cumulative counters, for a Prometheus scrape (/metrics) and
 * mod_status: HTTP requests of the hub's routes by profile and status
 * class, MCP gateway requests by method and outcome, their latency
 * histograms, and the call recorder's buffer.  One block of shared memory
 * that every thread of every child adds to with apr_atomic_* (lock-free
 * on the platforms httpd runs on: gcc's __atomic builtins, which work
 * across processes), made by the parent before it forks so the figures
 * cover the whole server and outlive any one child.
 * httpd-free: the block is handed in by the module that owns the shm
 * (mod_hub_analytics, hub_analytics_metrics.c).
 *
 * Every label is a small fixed enum, never text a client or a tenant
 * chooses (no tool, server, tenant, key or path): the block's size is
 * fixed when httpd starts, a scrape costs the same after a year as after
 * a minute, Prometheus' series stay few, and nobody can mint series by
 * naming tools.  Figures per tool, server or tenant are the analytics
 * endpoints' business, from mcp_calls. */
#ifndef HUB_METRICS_H
#define HUB_METRICS_H

#include <apr.h>
#include <apr_pools.h>
#include <apr_time.h>

/* the "profile" label: the five API profiles, and the MCP gateway's
 * endpoint (HubMcpGateway), which answers HTTP outside the route tables */
enum {
    HUB_MX_PATCHWORK,
    HUB_MX_CAYLEX,
    HUB_MX_GOCLAW,
    HUB_MX_TOOLHUB,
    HUB_MX_G4F,
    HUB_MX_MCP,
    HUB_MX_PROFILES
};
/* the "status" label: 1xx .. 5xx */
#define HUB_MX_CLASSES 5
/* the "method" label: initialize, tools/list, tools/call, other */
#define HUB_MX_METHODS 4
/* the "outcome" label: ok, then the gateway's error types (auth,
 * rate_limit, timeout, execution, protocol, approval), then other */
#define HUB_MX_OUTCOMES 8
/* histogram bounds: Prometheus' default buckets, 5 ms .. 10 s; the
 * last bucket holds what is above 10 s (+Inf) */
#define HUB_MX_BOUNDS 11

typedef struct hub_mx_hist {
    volatile apr_uint64_t bucket[HUB_MX_BOUNDS + 1]; /* not cumulative */
    volatile apr_uint64_t sum_us;
} hub_mx_hist_t;

typedef struct hub_metrics {
    /* what made the block: a block kept over a graceful restart is used
     * again only by a module of the same layout */
    apr_uint32_t magic;
    apr_uint32_t size;
    apr_uint64_t since; /* apr_time_t the counting began */
    volatile apr_uint64_t http[HUB_MX_PROFILES][HUB_MX_CLASSES];
    hub_mx_hist_t http_time[HUB_MX_PROFILES];
    volatile apr_uint64_t mcp[HUB_MX_METHODS][HUB_MX_OUTCOMES];
    hub_mx_hist_t mcp_gateway[HUB_MX_METHODS];
    hub_mx_hist_t mcp_upstream[HUB_MX_METHODS];
    /* the call recorder (mcp_calls): records buffered in the children
     * (a gauge kept by deltas, two's complement), written, dropped */
    volatile apr_uint64_t rec_pending, rec_written, rec_dropped;
} hub_metrics_t;

/* A block made ready: zeroed, stamped with this layout and `now`. */
void hub_metrics_init(hub_metrics_t *m, apr_time_t now);
/* Whether a block (kept from before a restart) has this layout. */
int hub_metrics_valid(const hub_metrics_t *m);

/* Label names, by index. */
const char *hub_metrics_profile_name(int i);
const char *hub_metrics_class_name(int i);
const char *hub_metrics_method_name(int i);
const char *hub_metrics_outcome_name(int i);
/* The index of one HUB_<profile> bit, -1 for anything else. */
int hub_metrics_profile_of(unsigned profile_bit);
/* The index of a method ("other" for any not named); of an error type
 * (NULL: ok; "other" for one not known). */
int hub_metrics_method_of(const char *method);
int hub_metrics_outcome_of(const char *error_type);

/* One HTTP request of profile index i answered with status. */
void hub_metrics_http(hub_metrics_t *m, int profile, int status,
                      apr_interval_time_t took);
/* One gateway request (a call record): upstream < 0 when no upstream
 * was called. */
void hub_metrics_call(hub_metrics_t *m, const char *method,
                      const char *error_type, apr_interval_time_t gateway,
                      apr_interval_time_t upstream);
/* The recorder's buffer moved by `buffered` records (negative: taken
 * out), `written` were written, `dropped` were lost. */
void hub_metrics_recorder(hub_metrics_t *m, apr_int64_t buffered,
                          apr_uint64_t written, apr_uint64_t dropped);

/* A reading of the block: plain numbers, histograms cumulative, so that
 * +Inf equals _count even while writers race. */
typedef struct hub_mx_hist_read {
    apr_uint64_t le[HUB_MX_BOUNDS + 1]; /* cumulative; [HUB_MX_BOUNDS]: +Inf */
    apr_uint64_t count;
    double sum_s;
} hub_mx_hist_read_t;

typedef struct hub_metrics_read {
    apr_time_t since;
    apr_uint64_t http[HUB_MX_PROFILES][HUB_MX_CLASSES];
    hub_mx_hist_read_t http_time[HUB_MX_PROFILES];
    apr_uint64_t mcp[HUB_MX_METHODS][HUB_MX_OUTCOMES];
    hub_mx_hist_read_t mcp_gateway[HUB_MX_METHODS];
    hub_mx_hist_read_t mcp_upstream[HUB_MX_METHODS];
    apr_int64_t rec_pending;
    apr_uint64_t rec_written, rec_dropped;
} hub_metrics_read_t;

void hub_metrics_read(hub_metrics_t *m, hub_metrics_read_t *out);
/* A bound in seconds, as its le label writes it ("0.005", "10"). */
const char *hub_metrics_bound(int i);

/* The reading in the Prometheus text exposition format 0.0.4. */
char *hub_metrics_text(apr_pool_t *p, const hub_metrics_read_t *x);
/* One gauge of the same format (HELP, TYPE and its sample). */
char *hub_metrics_gauge(apr_pool_t *p, const char *name, const char *help,
                        double value);

#endif
