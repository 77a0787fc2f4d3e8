/* mod_hub_servers: MCP servers: registry, probing, tools, health, quality, secrets and the gateway.
 * This file holds the module record and its hooks only. */
#define HUB_MODULE_RECORD
#include "hub_servers_private.h"
#include "hub_servers_gateway.h"

/* Registers this module's statements and routes, in the parent; as root,
 * so it can read HubSecretKeyFile. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    int rc = hub_servers_config_load(pconf, s);
    if (rc != OK) {
        return rc;
    }
    hub_servers_register(s);
    rc = hub_servers_recorder_init(pconf, s);
    return rc != OK ? rc : hub_servers_prober_init(pconf, s);
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    hub_db_child_init(pchild, s);
    hub_servers_recorder_child_init(pchild, s);
    hub_gw_upstreams_child_init(pchild);
    hub_gw_streams_child_init(pchild);
}

static int handler(request_rec *r)
{
    return hub_dispatch(r, HUB_SERVERS_OWNER);
}

static void register_hooks(apr_pool_t *p HUB_UNUSED)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    static const char *const after_auth[] = { "mod_hub_auth.c", NULL };
    ap_hook_post_config(post_config, after_auth, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
    hub_servers_gateway_hooks();
    hub_servers_config_hooks();
    hub_servers_targets_hooks();
}

AP_DECLARE_MODULE(hub_servers) = {
    STANDARD20_MODULE_STUFF, hub_servers_dir_create, hub_servers_dir_merge,
    hub_servers_srv_create,  hub_servers_srv_merge,  hub_servers_cmds,
    register_hooks,          AP_MODULE_FLAG_NONE
};
