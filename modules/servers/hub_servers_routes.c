/* The route table of mod_hub_servers.  The server registry, probing,
 * heartbeats, feedback and the MCP gateway (issue 4 and later) add their
 * rows here; the foundation registers the empty table so the module is
 * wired into routing from the start. */
#include "hub_servers_private.h"

const hub_route_t hub_servers_routes[] = {
    { 0, 0, NULL, NULL, NULL, 0, 0, NULL }
};

const hub_stmt_t hub_servers_stmts[] = {
    { NULL, NULL }
};
