/* (being written) */
#include "hub_servers_private.h"

const hub_route_t hub_servers_secrets_routes[] = {
    { 0, 0, NULL, NULL, NULL, 0, 0, NULL }
};

const hub_stmt_t hub_servers_secrets_stmts[] = {
    { NULL, NULL }
};
