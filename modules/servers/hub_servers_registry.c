/* (being written) */
#include "hub_servers_private.h"

const hub_route_t hub_servers_registry_routes[] = {
    { 0, 0, NULL, NULL, NULL, 0, 0, NULL }
};

const hub_stmt_t hub_servers_registry_stmts[] = {
    { NULL, NULL }
};
