#include <stdarg.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_metrics.h"
#include "hub_profile.h"

/* bumped by hand whenever hub_metrics_t changes shape */
#define MAGIC 0x68756d31u /* "hum1" */

static const char *const profiles[HUB_MX_PROFILES] = {
    "patchwork", "caylex", "goclaw", "toolhub", "g4f", "mcp"
};
static const char *const classes[HUB_MX_CLASSES] = { "1xx", "2xx", "3xx", "4xx",
                                                     "5xx" };
static const char *const methods[HUB_MX_METHODS] = { "initialize", "tools/list",
                                                     "tools/call", "other" };
static const char *const outcomes[HUB_MX_OUTCOMES] = {
    "ok",        "auth",     "rate_limit", "timeout",
    "execution", "protocol", "approval",   "other"
};
/* upper bounds (inclusive, as Prometheus' le), in microseconds, and as
 * their labels write them */
static const apr_uint64_t bounds_us[HUB_MX_BOUNDS] = {
    5000,   10000,   25000,   50000,   100000,  250000,
    500000, 1000000, 2500000, 5000000, 10000000
};
static const char *const bounds[HUB_MX_BOUNDS] = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5",   "1",    "2.5",   "5",    "10"
};

void hub_metrics_init(hub_metrics_t *m, apr_time_t now)
{
    memset(m, 0, sizeof(*m));
    m->magic = MAGIC;
    m->size = (apr_uint32_t)sizeof(*m);
    m->since = (apr_uint64_t)now;
}

int hub_metrics_valid(const hub_metrics_t *m)
{
    return m && m->magic == MAGIC && m->size == sizeof(*m);
}

#define NAME_OF(table, n, i) ((i) >= 0 && (i) < (n) ? (table)[i] : "?")

const char *hub_metrics_profile_name(int i)
{
    return NAME_OF(profiles, HUB_MX_PROFILES, i);
}

const char *hub_metrics_class_name(int i)
{
    return NAME_OF(classes, HUB_MX_CLASSES, i);
}

const char *hub_metrics_method_name(int i)
{
    return NAME_OF(methods, HUB_MX_METHODS, i);
}

const char *hub_metrics_outcome_name(int i)
{
    return NAME_OF(outcomes, HUB_MX_OUTCOMES, i);
}

const char *hub_metrics_bound(int i)
{
    return i >= 0 && i < HUB_MX_BOUNDS ? bounds[i] : "+Inf";
}

int hub_metrics_profile_of(unsigned profile_bit)
{
    switch (profile_bit) {
    case HUB_PATCHWORK: return HUB_MX_PATCHWORK;
    case HUB_CAYLEX: return HUB_MX_CAYLEX;
    case HUB_GOCLAW: return HUB_MX_GOCLAW;
    case HUB_TOOLHUB: return HUB_MX_TOOLHUB;
    case HUB_G4F: return HUB_MX_G4F;
    default: return -1;
    }
}

/* s's index in table[from .. n - 2]; the last entry is "other" */
static int index_of(const char *const *table, int from, int n, const char *s)
{
    int i;
    for (i = from; s && i < n - 1; i++) {
        if (!strcmp(table[i], s)) {
            return i;
        }
    }
    return n - 1;
}

int hub_metrics_method_of(const char *method)
{
    return index_of(methods, 0, HUB_MX_METHODS, method);
}

int hub_metrics_outcome_of(const char *error_type)
{
    /* "ok" is no error type: an error named so is other */
    return error_type ? index_of(outcomes, 1, HUB_MX_OUTCOMES, error_type) : 0;
}

static void observe(hub_mx_hist_t *h, apr_interval_time_t took)
{
    apr_uint64_t us = took > 0 ? (apr_uint64_t)took : 0;
    int i = 0;
    while (i < HUB_MX_BOUNDS && us > bounds_us[i]) {
        i++;
    }
    apr_atomic_inc64(&h->bucket[i]);
    apr_atomic_add64(&h->sum_us, us);
}

void hub_metrics_http(hub_metrics_t *m, int profile, int status,
                      apr_interval_time_t took)
{
    int c = status / 100 - 1;
    if (!m || profile < 0 || profile >= HUB_MX_PROFILES) {
        return;
    }
    c = c < 0 ? 0 : c >= HUB_MX_CLASSES ? HUB_MX_CLASSES - 1 : c;
    apr_atomic_inc64(&m->http[profile][c]);
    observe(&m->http_time[profile], took);
}

void hub_metrics_call(hub_metrics_t *m, const char *method,
                      const char *error_type, apr_interval_time_t gateway,
                      apr_interval_time_t upstream)
{
    int i = hub_metrics_method_of(method);
    if (!m) {
        return;
    }
    apr_atomic_inc64(&m->mcp[i][hub_metrics_outcome_of(error_type)]);
    observe(&m->mcp_gateway[i], gateway);
    if (upstream >= 0) {
        observe(&m->mcp_upstream[i], upstream);
    }
}

void hub_metrics_recorder(hub_metrics_t *m, apr_int64_t buffered,
                          apr_uint64_t written, apr_uint64_t dropped)
{
    if (!m) {
        return;
    }
    if (buffered) {
        /* unsigned wrap-around adds a negative delta too */
        apr_atomic_add64(&m->rec_pending, (apr_uint64_t)buffered);
    }
    if (written) {
        apr_atomic_add64(&m->rec_written, written);
    }
    if (dropped) {
        apr_atomic_add64(&m->rec_dropped, dropped);
    }
}

static void read_hist(hub_mx_hist_t *h, hub_mx_hist_read_t *out)
{
    apr_uint64_t seen = 0;
    int i;
    for (i = 0; i <= HUB_MX_BOUNDS; i++) {
        seen += apr_atomic_read64(&h->bucket[i]);
        out->le[i] = seen;
    }
    out->count = seen;
    out->sum_s = (double)apr_atomic_read64(&h->sum_us) / 1e6;
}

void hub_metrics_read(hub_metrics_t *m, hub_metrics_read_t *out)
{
    int i, j;
    memset(out, 0, sizeof(*out));
    out->since = (apr_time_t)m->since;
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        for (j = 0; j < HUB_MX_CLASSES; j++) {
            out->http[i][j] = apr_atomic_read64(&m->http[i][j]);
        }
        read_hist(&m->http_time[i], &out->http_time[i]);
    }
    for (i = 0; i < HUB_MX_METHODS; i++) {
        for (j = 0; j < HUB_MX_OUTCOMES; j++) {
            out->mcp[i][j] = apr_atomic_read64(&m->mcp[i][j]);
        }
        read_hist(&m->mcp_gateway[i], &out->mcp_gateway[i]);
        read_hist(&m->mcp_upstream[i], &out->mcp_upstream[i]);
    }
    out->rec_pending = (apr_int64_t)apr_atomic_read64(&m->rec_pending);
    out->rec_written = apr_atomic_read64(&m->rec_written);
    out->rec_dropped = apr_atomic_read64(&m->rec_dropped);
}

/* ---- the text exposition format 0.0.4 ----------------------------------- */

typedef struct out {
    apr_pool_t *p;
    apr_array_header_t *parts;
} out_t;

static void put(out_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(o->parts, const char *) = apr_pvsprintf(o->p, fmt, ap);
    va_end(ap);
}

static void family(out_t *o, const char *name, const char *type,
                   const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's samples; labels: `name="value"` pairs, no braces. */
static void hist(out_t *o, const char *name, const char *labels,
                 const hub_mx_hist_read_t *h)
{
    int i;
    for (i = 0; i <= HUB_MX_BOUNDS; i++) {
        put(o, "%s_bucket{%s,le=\"%s\"} %" APR_UINT64_T_FMT "\n", name, labels,
            hub_metrics_bound(i), h->le[i]);
    }
    put(o, "%s_sum{%s} %.6f\n", name, labels, h->sum_s);
    put(o, "%s_count{%s} %" APR_UINT64_T_FMT "\n", name, labels, h->count);
}

static void http_part(out_t *o, const hub_metrics_read_t *x)
{
    int i, j;
    family(o, "hub_http_requests_total", "counter",
           "HTTP requests answered by the hub's API routes and the MCP "
           "gateway's endpoint, by profile and status class.");
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        for (j = 0; j < HUB_MX_CLASSES; j++) {
            put(o,
                "hub_http_requests_total{profile=\"%s\",status=\"%s\"} "
                "%" APR_UINT64_T_FMT "\n",
                profiles[i], classes[j], x->http[i][j]);
        }
    }
    family(o, "hub_http_request_duration_seconds", "histogram",
           "Time from the request's arrival to its log, by profile.");
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        hist(o, "hub_http_request_duration_seconds",
             apr_psprintf(o->p, "profile=\"%s\"", profiles[i]),
             &x->http_time[i]);
    }
}

static void mcp_part(out_t *o, const hub_metrics_read_t *x)
{
    int i, j;
    family(o, "hub_mcp_requests_total", "counter",
           "MCP gateway requests (each one call record of mcp_calls), by "
           "method and outcome: ok or the error type.");
    for (i = 0; i < HUB_MX_METHODS; i++) {
        for (j = 0; j < HUB_MX_OUTCOMES; j++) {
            put(o,
                "hub_mcp_requests_total{method=\"%s\",outcome=\"%s\"} "
                "%" APR_UINT64_T_FMT "\n",
                methods[i], outcomes[j], x->mcp[i][j]);
        }
    }
    family(o, "hub_mcp_gateway_duration_seconds", "histogram",
           "Time an MCP gateway request spent in the hub, upstream "
           "included, by method.");
    for (i = 0; i < HUB_MX_METHODS; i++) {
        hist(o, "hub_mcp_gateway_duration_seconds",
             apr_psprintf(o->p, "method=\"%s\"", methods[i]),
             &x->mcp_gateway[i]);
    }
    family(o, "hub_mcp_upstream_duration_seconds", "histogram",
           "Time the upstream MCP server took, for the gateway requests "
           "that called one, by method.");
    for (i = 0; i < HUB_MX_METHODS; i++) {
        hist(o, "hub_mcp_upstream_duration_seconds",
             apr_psprintf(o->p, "method=\"%s\"", methods[i]),
             &x->mcp_upstream[i]);
    }
}

static void recorder_part(out_t *o, const hub_metrics_read_t *x)
{
    family(o, "hub_mcp_calls_pending", "gauge",
           "Call records buffered in the httpd children, not yet written to "
           "mcp_calls.");
    put(o, "hub_mcp_calls_pending %" APR_INT64_T_FMT "\n",
        x->rec_pending < 0 ? 0 : x->rec_pending);
    family(o, "hub_mcp_calls_written_total", "counter",
           "Call records written to mcp_calls.");
    put(o, "hub_mcp_calls_written_total %" APR_UINT64_T_FMT "\n",
        x->rec_written);
    family(o, "hub_mcp_calls_dropped_total", "counter",
           "Call records lost: the buffer was full while the database was "
           "away, or the database refused them.");
    put(o, "hub_mcp_calls_dropped_total %" APR_UINT64_T_FMT "\n",
        x->rec_dropped);
}

char *hub_metrics_text(apr_pool_t *p, const hub_metrics_read_t *x)
{
    out_t o = { p, apr_array_make(p, 512, sizeof(const char *)) };
    http_part(&o, x);
    mcp_part(&o, x);
    recorder_part(&o, x);
    family(&o, "hub_metrics_since_seconds", "gauge",
           "When these counters began (Unix time): httpd's start; its "
           "restarts keep them.");
    put(&o, "hub_metrics_since_seconds %" APR_TIME_T_FMT "\n",
        apr_time_sec(x->since));
    return apr_array_pstrcat(p, o.parts, 0);
}

char *hub_metrics_gauge(apr_pool_t *p, const char *name, const char *help,
                        double value)
{
    return apr_psprintf(p, "# HELP %s %s\n# TYPE %s gauge\n%s %.15g\n", name,
                        help, name, name, value);
}
