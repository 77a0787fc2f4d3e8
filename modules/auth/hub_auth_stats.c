/* This httpd's own request timings, for g4f's GET /server/stats.
 *
 * Every request any child finishes is counted in one anonymous shared
 * memory block made by the parent before it forks, so the figures cover
 * the whole server, not one child.  Host CPU and network rates are deltas
 * between two readings of /proc; the previous reading is kept in the same
 * block. */
#include <apr_shm.h>
#include <http_core.h>
#include <http_protocol.h>
#include "hub_auth_private.h"
#include "hub_openapi_schema.h"
#include "hub_sysinfo.h"

static hub_stats_t *stats; /* in shared memory, NULL in the dry run */

static int post_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv;

    stats = NULL;
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK; /* the dry run: nothing will serve requests */
    }
    rv = apr_shm_create(&shm, sizeof(hub_stats_t), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "HUB00101: cannot create "
                     "shared memory for request statistics; /server/stats "
                     "will report none");
        return OK;
    }
    stats = apr_shm_baseaddr_get(shm);
    memset(stats, 0, sizeof(*stats));
    return OK;
}

static int log_transaction(request_rec *r)
{
    if (stats) {
        apr_time_t now = apr_time_now();
        hub_stats_record(stats, now, now - r->request_time);
    }
    return DECLINED;
}

typedef struct host_rates {
    double cpu_pct, rx_bps, tx_bps;
} host_rates_t;

/* CPU and network rates since the last reading any child took; when there
 * is none recent enough to mean anything, two readings 100 ms apart. */
static void host_rates(host_rates_t *out)
{
    apr_uint64_t busy, total, rx, tx;
    apr_time_t now = apr_time_now(), prev_at = (apr_time_t)stats->sampled_at;
    double secs;

    if (hub_sys_cpu(&busy, &total) || hub_sys_network(&rx, &tx)) {
        memset(out, 0, sizeof(*out));
        return;
    }
    if (!prev_at || now - prev_at < apr_time_from_msec(50)
        || now - prev_at > apr_time_from_sec(3600)) {
        stats->cpu_busy = busy;
        stats->cpu_total = total;
        stats->net_rx = rx;
        stats->net_tx = tx;
        prev_at = now;
        apr_sleep(apr_time_from_msec(100));
        now = apr_time_now();
        hub_sys_cpu(&busy, &total);
        hub_sys_network(&rx, &tx);
    }
    secs = (double)(now - prev_at) / APR_USEC_PER_SEC;
    out->cpu_pct = total > stats->cpu_total
                       ? 100.0 * (double)(busy - stats->cpu_busy)
                             / (double)(total - stats->cpu_total)
                       : 0.0;
    out->rx_bps = rx >= stats->net_rx ? (double)(rx - stats->net_rx) / secs
                                      : 0.0;
    out->tx_bps = tx >= stats->net_tx ? (double)(tx - stats->net_tx) / secs
                                      : 0.0;
    stats->cpu_busy = busy;
    stats->cpu_total = total;
    stats->net_rx = rx;
    stats->net_tx = tx;
    stats->sampled_at = (apr_uint64_t)now;
}

static const hub_qfield_t stats_query[] = {
    { "window_s", HUB_Q_INT, 0, 1, HUB_STATS_WINDOW_MAX, 60, NULL,
      "seconds the request figures cover" },
    HUB_Q_END
};

static int server_stats(hub_req_t *hr, hub_result_t *res)
{
    hub_stats_summary_t sum = { 0 };
    host_rates_t rates = { 0 };
    apr_uint64_t used = 0, total = 0;
    long window = hub_qv_long(&hr->q, "window_s");

    if (stats) {
        hub_stats_summarize(stats, apr_time_now(), (int)window, &sum);
        host_rates(&rates);
    }
    hub_sys_memory(&used, &total);
    return hub_ok(
        res,
        json_pack(
            "{s:i,s:{s:f},s:{s:I,s:I},s:{s:n,s:n,s:n},s:{s:f,s:f},"
            "s:{s:f,s:f,s:f,s:f,s:I}}",
            "window_s", (int)window, "cpu", "pct", rates.cpu_pct, "ram",
            "used_bytes", (json_int_t)used, "total_bytes", (json_int_t)total,
            /* this host has no GPU the hub can read: null, not a made-up 0 */
            "gpu", "pct", "vram_used_bytes", "vram_total_bytes", "network",
            "rx_bps", rates.rx_bps, "tx_bps", rates.tx_bps, "requests", "rps",
            sum.rps, "p50_ms", sum.p50_ms, "p95_ms", sum.p95_ms, "p99_ms",
            sum.p99_ms, "count", (json_int_t)sum.count));
}

/* server_stats: the window's host and request figures (no GPU: nulls) */
#define STATS_OUT \
    HUB_DOC_ONE( \
        "ServerStats", \
        OBJ("\"window_s\":" INT \
            ",\"cpu\":" OBJ("\"pct\":" NUM, "\"pct\"") ",\"ram\":" OBJ("\"used_bytes\":" INT ",\"total_bytes\":" INT, "\"used_bytes\",\"total_bytes\"") ",\"gpu\":" OBJ( \
                "\"pct\":" NNUM ",\"vram_used_bytes\":" NINT \
                ",\"vram_total_bytes\":" NINT, \
                "\"pct\",\"vram_used_bytes\",\"vram_total_bytes\"") ",\"network\":" OBJ("\"rx_bps\":" NUM \
                                                                                        ",\"tx_bps\":" NUM, \
                                                                                        "\"rx_bps\",\"tx_bps\"") ",\"requests\":" OBJ("\"rps\":" NUM \
                                                                                                                                      ",\"p50_ms\":" NUM \
                                                                                                                                      ",\"p95_ms\":" NUM \
                                                                                                                                      ",\"p99_ms\":" NUM \
                                                                                                                                      ",\"count\":" INT, \
                                                                                                                                      "\"rps\",\"p50_ms\",\"p95_ms\",\"p99_ms\"," \
                                                                                                                                      "\"count\""), \
            "\"window_s\",\"cpu\",\"ram\",\"gpu\",\"network\",\"requests\""))

/* clang-format off */
const hub_route_t hub_auth_stats_routes[] = {
    { HUB_G4F, HUB_M_GET, "/server/stats", server_stats, NULL,
      HUB_IN_PUBLIC, 0, "Core (Public): GET /server/stats",
      .need = HUB_NEED_PUBLIC, .query = stats_query, .doc = STATS_OUT },
    { 0 }
};
/* clang-format on */

void hub_auth_stats_hooks(void)
{
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
}
