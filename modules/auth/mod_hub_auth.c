/* mod_hub_auth: identity and tenancy of the hub.  It also owns the hub's
 * <Location> configuration (HubApi) and the route registry every hub
 * module registers with, and serves the health, root and docs endpoints
 * of the five profiles.  This file holds the module record only. */
#define HUB_MODULE_RECORD
#include "hub_auth_private.h"
#include "mod_hub_auth.h"

static void register_hooks(apr_pool_t *p)
{
    hub_auth_router_hooks();
    hub_auth_httpd_hooks(p);
    hub_auth_stats_hooks();
}

/* clang-format off */
AP_DECLARE_MODULE(hub_auth) = {
    STANDARD20_MODULE_STUFF,
    hub_conf_create,
    hub_conf_merge,
    hub_auth_srv_create,
    hub_auth_srv_merge,
    hub_auth_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
/* clang-format on */
