/* The tool registries of GoClaw and G4F inside mod_hub_servers: one data
 * model (sql/039), its statements (hub_servers_tool_store.c), and what
 * the profiles' route files share: reading a tool's handler and schema,
 * answering a tool, calling one (hub_servers_tool_handler.c). */
#ifndef HUB_SERVERS_TOOL_REGISTRY_H
#define HUB_SERVERS_TOOL_REGISTRY_H

#include "hub_servers_private.h"

enum {
    ST_TOOL_INSERT = 0,
    ST_TOOL_GET,
    ST_TOOL_SECRETS,
    ST_TOOL_CALL,
    ST_TOOL_TARGET,
    ST_TOOL_UPDATE,
    ST_TOOL_DELETE,
    ST_TOOL_LIST,
    ST_TOOL_PAGE,
    ST_TOOL_SERVER,
    ST_TOOL_PROJECT,
    ST_SKILL_INSERT,
    ST_SKILL_LIST,
    ST_SKILL_GET,
    ST_SKILL_REPLACE,
    ST_SKILL_SETTINGS,
    ST_SKILL_DELETE,
    ST_BUILTIN_LIST,
    ST_BUILTIN_SET,
    ST_BUILTIN_OFF,
    ST_COUNT
};
#define TSTMT(i) (&hub_servers_tool_store_stmts[i])

/* A handler as it is stored: the JSON of custom_tools.handler (no secret
 * in it), the sealed header values, and an mcp handler's server. */
typedef struct hub_ctool_handler {
    const char *handler;   /* JSON text */
    const char *secrets;   /* JSON text {"name": "v1:..."} */
    const char *server_id; /* NULL unless mcp */
} hub_ctool_handler_t;

/* Read the body's handler (a JSON object) into out, sealing header
 * values; old_secrets (the stored ones, JSON text, may be NULL) give a
 * value sent back as "********".  DECLINED, or HUB_DONE with a 400 (or
 * the database's failure) in res. */
int hub_ctool_handler_read(hub_req_t *hr, hub_result_t *res,
                           const json_t *handler, const char *old_secrets,
                           hub_ctool_handler_t *out);
/* The schema of a tool's arguments, checked (hub_servers_schema.h):
 * DECLINED with *text its JSON, or HUB_DONE with a 400 naming field. */
int hub_ctool_schema_read(hub_req_t *hr, hub_result_t *res,
                          const json_t *schema, const char *field,
                          const char **text);
/* Row i (TOOL_COLS) as answered: the handler with its header values
 * masked ("********"); the schema under schema_name ("parameters" for
 * GoClaw, "schema" for G4F).  A new reference. */
json_t *hub_ctool_json(const hub_rows_t *rows, int i, const char *schema_name);

/* hub_servers_custom_tools.c, shared with G4F's /tools: store the
 * body's tool (the schema under schema_field, GoClaw's "parameters" or
 * G4F's "schema"): DECLINED with the new row (TOOL_COLS), else HUB_DONE
 * with the error in res. */
int hub_ctool_create(hub_req_t *hr, hub_result_t *res, const char *schema_field,
                     hub_rows_t **row);
/* Delete tool id of the tenant: 1 deleted, 0 no such tool, -1 the
 * database's failure in res. */
int hub_ctool_delete(hub_req_t *hr, hub_result_t *res, const char *id);

/* What a call of a tool gave. */
typedef struct hub_ctool_outcome {
    int ok;           /* the tool succeeded (2xx; no isError) */
    json_t *result;   /* what it answered (reference owned here) */
    long http_status; /* an http handler's answer's status, else 0 */
} hub_ctool_outcome_t;

/* Call tool `id` of the caller's tenant with args (an object): the
 * arguments are checked against its schema first.  DECLINED with out
 * filled, or HUB_DONE with the error in res (unknown tool 404, disabled
 * 409, arguments that do not fit 4xx, an address refused 403, the
 * upstream unreachable 502, too slow 504).  project_id (may be NULL) is
 * the caller's context, checked to be the tenant's. */
int hub_ctool_invoke(hub_req_t *hr, hub_result_t *res, const char *id,
                     const json_t *args, const char *project_id,
                     hub_ctool_outcome_t *out);

#endif
