/* The block of the hub's counters (hub_metrics.h): owned here, counted
 * into by every child.
 *
 * mod_hub_analytics owns it because counting is analytics' business and
 * the block's readers (/metrics, mod_status) are here; mod_hub_auth's
 * block (hub_auth_stats.c) is a per-second window for g4f's
 * /server/stats, not cumulative counters, and stays as it is.  The
 * others report through the optional functions of mod_hub_analytics.h:
 * mod_hub_servers' recorder gives each gateway request and its buffer's
 * moves.  The HTTP requests of hub routes are counted here, in
 * log_transaction, from the route mod_hub_auth matched.
 *
 * The block is anonymous shared memory made by the parent in post_config,
 * so every child, and every child started later (MaxConnectionsPerChild,
 * a crash), adds to the same numbers.  It is kept in the process pool,
 * which outlives restarts: a graceful restart (or any other) finds it
 * there and counts on, as Prometheus' counters should, unless a rebuilt
 * module has another layout (then a new block, from zero). */
#include <apr_shm.h>
#include <http_core.h>
#include <http_protocol.h>
#include "hub_analytics_private.h"
#include "mod_hub_analytics.h"
#include "mod_hub_auth.h"

#define BLOCK_KEY "hub_analytics_metrics_shm"
/* mod_hub_servers' HUB_GW_HANDLER: the gateway's requests, which answer
 * outside the route tables */
#define GATEWAY_HANDLER "hub-mcp"

static hub_metrics_t *block; /* NULL in the dry run, or with no shm */
static APR_OPTIONAL_FN_TYPE(hub_auth_match) *match_fn;

hub_metrics_t *hub_analytics_metrics(void)
{
    return block;
}

/* The block this process made at an earlier (re)start, when it fits. */
static hub_metrics_t *kept_block(apr_pool_t *pproc)
{
    apr_shm_t *shm = NULL;
    hub_metrics_t *m;
    apr_pool_userdata_get((void **)&shm, BLOCK_KEY, pproc);
    if (!shm || apr_shm_size_get(shm) < sizeof(hub_metrics_t)) {
        return NULL;
    }
    m = apr_shm_baseaddr_get(shm);
    return hub_metrics_valid(m) ? m : NULL;
}

static int post_config(apr_pool_t *pconf HUB_UNUSED,
                       apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    apr_pool_t *pproc = s->process->pool;
    apr_shm_t *shm;
    apr_status_t rv;

    block = NULL;
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK; /* the dry run: nothing will serve requests */
    }
    if ((block = kept_block(pproc))) {
        return OK;
    }
    rv = apr_shm_create(&shm, sizeof(hub_metrics_t), NULL, pproc);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "HUB00840: cannot create shared memory for the hub's "
                     "counters; /metrics and the server-status section "
                     "will have none");
        return OK;
    }
    block = apr_shm_baseaddr_get(shm);
    hub_metrics_init(block, apr_time_now());
    apr_pool_userdata_set(shm, BLOCK_KEY, NULL, pproc);
    return OK;
}

/* The profile a finished request counts under: the hub route's (or,
 * for a 405, the path's), the gateway's; -1 when it is not the hub's. */
static int profile_of(request_rec *r)
{
    const hub_match_t *m = match_fn ? match_fn(r) : NULL;
    if (m) {
        return hub_metrics_profile_of(
            m->route ? m->route->profile : m->profile);
    }
    if (r->handler && !strcmp(r->handler, GATEWAY_HANDLER)) {
        return HUB_MX_MCP;
    }
    return -1;
}

static int log_transaction(request_rec *r)
{
    const request_rec *last = r;
    int profile;

    if (!block || (profile = profile_of(r)) < 0) {
        return DECLINED;
    }
    /* the status sent is the last internal redirect's (%>s) */
    while (last->next) {
        last = last->next;
    }
    hub_metrics_http(block, profile, last->status,
                     apr_time_now() - r->request_time);
    return DECLINED;
}

/* The optional functions of mod_hub_analytics.h */
static void hub_analytics_count_call(const char *method, const char *error_type,
                                     apr_interval_time_t gateway,
                                     apr_interval_time_t upstream)
{
    hub_metrics_call(block, method, error_type, gateway, upstream);
}

static void hub_analytics_count_recorder(
    apr_int64_t buffered, apr_uint64_t written, apr_uint64_t dropped)
{
    hub_metrics_recorder(block, buffered, written, dropped);
}

static void retrieve(void)
{
    match_fn = APR_RETRIEVE_OPTIONAL_FN(hub_auth_match);
}

void hub_analytics_metrics_hooks(void)
{
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(retrieve, NULL, NULL, APR_HOOK_MIDDLE);
    APR_REGISTER_OPTIONAL_FN(hub_analytics_count_call);
    APR_REGISTER_OPTIONAL_FN(hub_analytics_count_recorder);
}
