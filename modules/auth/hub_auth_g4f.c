/* (being written) */
#include "hub_auth_private.h"

const hub_route_t hub_auth_g4f_routes[] = {
    { 0, 0, NULL, NULL, NULL, 0, 0, NULL }
};

const hub_stmt_t hub_auth_g4f_stmts[] = {
    { NULL, NULL }
};
