/* mod_hub_analytics: every tool call and query recorded and analysed.
 * This file holds the module record and its hooks only. */
#define HUB_MODULE_RECORD
#include "hub_analytics_private.h"
#include "hub_audit.h"

/* Registers this module's statements and routes, in the parent. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    hub_db_register(s, hub_analytics_stmts);
    hub_db_register(s, hub_analytics_partitions_stmts);
    hub_db_register(s, hub_analytics_events_stmts);
    hub_db_register(s, hub_analytics_notifications_stmts);
    hub_db_register(s, hub_analytics_audit_stmts);
    hub_db_register(s, hub_analytics_gc_llm_stmts);
    hub_db_register(s, hub_analytics_telemetry_stmts);
    hub_db_register(s, hub_analytics_alerts_stmts);
    hub_db_register(s, hub_audit_stmts);
    hub_db_register(s, hub_analytics_cx_series_stmts);
    /* Caylex's query logs, users and breakdowns (hub_analytics_cxl_*.c) */
    hub_db_register(s, hub_analytics_cxl_queries_stmts);
    hub_dispatch_register(HUB_ANALYTICS_OWNER,
                          hub_analytics_cxl_queries_routes);
    hub_db_register(s, hub_analytics_cxl_users_stmts);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_cxl_users_routes);
    hub_db_register(s, hub_analytics_cxl_activity_stmts);
    hub_dispatch_register(HUB_ANALYTICS_OWNER,
                          hub_analytics_cxl_activity_routes);
    hub_db_register(s, hub_analytics_fold_stmts);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER,
                          hub_analytics_notifications_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_audit_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_gc_llm_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_telemetry_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_alerts_routes);
    hub_dispatch_register(HUB_ANALYTICS_OWNER, hub_analytics_cx_series_routes);
    if (hub_analytics_events_init(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (hub_analytics_fold_init(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return hub_analytics_partitions_init(pconf, s);
}

static int handler(request_rec *r)
{
    return hub_dispatch(r, HUB_ANALYTICS_OWNER);
}

static void register_hooks(apr_pool_t *p HUB_UNUSED)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    static const char *const after_auth[] = { "mod_hub_auth.c", NULL };
    ap_hook_post_config(post_config, after_auth, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(hub_db_child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
    hub_analytics_metrics_hooks();
    hub_analytics_prometheus_hooks();
    hub_analytics_status_hooks();
}

/* clang-format off */
AP_DECLARE_MODULE(hub_analytics) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    hub_analytics_srv_create,
    hub_analytics_srv_merge,
    hub_analytics_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
/* clang-format on */
