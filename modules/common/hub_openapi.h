/* The OpenAPI document of what this hub serves for one profile, built from
 * the same route and field tables that drive routing and validation.
 * httpd-free. */
#ifndef HUB_OPENAPI_H
#define HUB_OPENAPI_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* tables: hub_route_table_t; flags_ok as for hub_routes_lookup;
 * server_url: where the profile is mounted.  A new reference. */
json_t *hub_openapi_build(apr_pool_t *p, const apr_array_header_t *tables,
                          unsigned profile, unsigned flags_ok,
                          const char *version, const char *server_url);

/* The document's path for a route path: ":id" becomes "{id}". */
const char *hub_openapi_path(apr_pool_t *p, const char *route_path);

#endif
