/* The one header shared between the hub modules (STYLE.md, habit 6).
 * mod_hub_auth owns the routing registry and the <Location> configuration;
 * the other modules reach them through these optional functions, so no
 * module links against another. */
#ifndef MOD_HUB_AUTH_H
#define MOD_HUB_AUTH_H

#include <httpd.h>
#include <apr_optional.h>
#include "hub_conf.h"
#include "hub_principal.h"
#include "hub_route.h"

/* Add a module's route table (NULL-path ended, static storage) to the
 * registry; call from post_config.  owner names the module's handler. */
APR_DECLARE_OPTIONAL_FN(void, hub_auth_add_routes,
                        (const char *owner, const hub_route_t *routes));

/* The route this request matched at translate time, or NULL. */
APR_DECLARE_OPTIONAL_FN(const hub_match_t *, hub_auth_match,
                        (request_rec *r));

/* The hub configuration of the request's <Location>. */
APR_DECLARE_OPTIONAL_FN(const hub_loc_conf_t *, hub_auth_loc_conf,
                        (request_rec *r));

/* Who is calling: resolved once per request from its credentials (API
 * key, gateway token, ...); NULL when it presented none that are valid. */
APR_DECLARE_OPTIONAL_FN(const hub_principal_t *, hub_auth_principal,
                        (request_rec *r));

/* Who calls a navigator instance's MCP endpoint (the gateway in
 * mod_hub_servers): a navigator key of that instance (Bearer or
 * X-API-Key; navigator_instance_id set), else whoever hub_auth_principal
 * finds; NULL when nobody.  The caller checks the tenant and the rights. */
APR_DECLARE_OPTIONAL_FN(const hub_principal_t *, hub_auth_mcp_principal,
                        (request_rec *r, const char *navigator_instance_id));

/* Every registered table (hub_route_table_t), for the served documents. */
APR_DECLARE_OPTIONAL_FN(const apr_array_header_t *, hub_auth_route_tables,
                        (void));

/* the hub's version, as /health and the MCP gateway tell it */
#define HUB_VERSION "0.1.0"

#define HUB_HANDLER "hub"
/* the owner name of mod_hub_auth's own routes; it also answers 405s */
#define HUB_REGISTRY_OWNER "hub_auth"

#endif
