/* mod_hub_workflows: workflows, durable executions, runs, agents and chat completions.
 * This file holds the module record and its hooks only. */
#define HUB_MODULE_RECORD
#include "hub_workflows_private.h"
#include "hub_park.h"
#include "hub_wf_engine.h"
#include "hub_wf_memory.h"

/* Registers this module's statements and routes, in the parent. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    hub_db_register(s, hub_wf_store_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER, hub_workflows_toolhub_routes);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER, hub_workflows_g4f_flows_routes);
    hub_db_register(s, hub_workflows_g4f_sessions_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_g4f_sessions_routes);
    hub_db_register(s, hub_workflows_g4f_runs_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER, hub_workflows_g4f_runs_routes);
    hub_db_register(s, hub_workflows_stream_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER, hub_workflows_stream_routes);
    hub_wf_llm_register(s);
    hub_db_register(s, hub_wf_memory_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_goclaw_memory_routes);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER, hub_workflows_goclaw_kg_routes);
    return hub_wf_workers_init(pconf, s);
}

/* Each configuration pass reads the HubWorkflow* directives afresh. */
static int pre_config(apr_pool_t *pconf HUB_UNUSED, apr_pool_t *plog HUB_UNUSED,
                      apr_pool_t *ptemp HUB_UNUSED)
{
    hub_wf_config_reset();
    return OK;
}

static int handler(request_rec *r)
{
    return hub_dispatch(r, HUB_WORKFLOWS_OWNER);
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    static const char *const after_auth[] = { "mod_hub_auth.c", NULL };
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, after_auth, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(hub_db_child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(hub_park_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
    hub_wf_stream_register_hooks(p);
}

/* clang-format off */
AP_DECLARE_MODULE(hub_workflows) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    NULL,
    NULL,
    hub_wf_cmds, /* hub_wf_config.c: every directive of this module */
    register_hooks,
    AP_MODULE_FLAG_NONE
};
/* clang-format on */
