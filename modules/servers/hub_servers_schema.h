/* The JSON Schema a custom tool declares for its arguments, and the
 * check of a call's arguments against it (hub_servers_schema.c).
 * httpd-free. */
#ifndef HUB_SERVERS_SCHEMA_H
#define HUB_SERVERS_SCHEMA_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* NULL when schema is one the hub accepts for a tool's arguments (an
 * object schema whose keywords are well-formed), else why not. */
const char *hub_schema_problem(apr_pool_t *p, const json_t *schema);

/* Check value against schema; appends a hub_invalid_t (hub_validate.h)
 * per problem, its field the path below root ("args.a.b", "args[2]"),
 * and returns how many. */
int hub_schema_check(apr_pool_t *p, const json_t *schema, const json_t *value,
                     const char *root, apr_array_header_t *problems);

#endif
