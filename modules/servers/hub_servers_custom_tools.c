/* GoClaw's custom tools: GET|POST /v1/tools/custom, GET|PUT|DELETE
 * /v1/tools/custom/{id}.
 *
 * The document gives paths and status codes only.  A custom tool here is
 * the hub's (hub_servers_tool_handler.c): name, description, parameters
 * (a JSON Schema of the arguments), handler (an HTTP request or a tool
 * of one of the tenant's MCP servers; GoClaw's own `command`, a shell
 * command on the gateway's host, is not offered: a member this table
 * does not name is refused), timeout_seconds, enabled, and scope (the
 * same tools are G4F's /tools).  Decisions:
 * - the list is {"tools": [...]} by name; POST answers 201 with the
 *   tool; PUT answers {"status": "updated"}, DELETE {"status":
 *   "deleted"}, as GoClaw's other registries do.
 * - PUT changes the members it names; a handler it names replaces the
 *   stored one (header values sent back as "********" are kept).
 * - reading needs read access; changes need admin, as in GoClaw (a tool
 *   makes the hub call out with stored credentials).
 * - a malformed or unknown id is 404; a name in use is 409. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_servers_tool_registry.h"
#include "hub_servers_tool_schemas.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

/* clang-format off */
static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "a letter, then letters, digits, _ . -" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 4000, NULL, NULL },
    { "parameters", HUB_T_OBJECT, 0, 0, 0, NULL,
      "JSON Schema of the arguments (an object schema)" },
    { "handler", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "{type: http, url, method, headers} or {type: mcp, server_id, tool}" },
    { "scope", HUB_T_STRING, 0, 1, 64, NULL, "default tenant" },
    { "timeout_seconds", HUB_T_INTEGER, 0, 1, 120, NULL, "default 30" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, "default true" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 64, NULL, NULL },
    { "description", HUB_T_STRING, 0, 0, 4000, NULL, NULL },
    { "parameters", HUB_T_OBJECT, 0, 0, 0, NULL, NULL },
    { "handler", HUB_T_OBJECT, 0, 0, 0, NULL,
      "replaces the handler; \"********\" keeps a header's value" },
    { "scope", HUB_T_STRING, 0, 1, 64, NULL, NULL },
    { "timeout_seconds", HUB_T_INTEGER, 0, 1, 120, NULL, NULL },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

#define CONFLICT "a tool with this name already exists"

static int not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "tool not found");
}

/* name and scope by the table's rules (sql/039) */
static int check_names(hub_result_t *res, const char *name, const char *scope)
{
    const char *c;
    if (name) {
        if (!apr_isalpha(*name)) {
            return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                           "name: begins with a letter");
        }
        for (c = name; *c; c++) {
            if (!apr_isalnum(*c) && !strchr("_.-", *c)) {
                return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                               "name: letters, digits, _ . - only");
            }
        }
    }
    if (scope) {
        if (!apr_islower(*scope)) {
            return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                           "scope: begins with a lowercase letter");
        }
        for (c = scope; *c; c++) {
            if (!apr_islower(*c) && !apr_isdigit(*c) && !strchr("_.:-", *c)) {
                return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                               "scope: lowercase letters, digits, _ . : - "
                               "only");
            }
        }
    }
    return DECLINED;
}

static const char *bool_text(const json_t *v)
{
    return v ? (json_is_true(v) ? "true" : "false") : NULL;
}

static const char *int_text(apr_pool_t *p, const json_t *v)
{
    return v ? apr_psprintf(p, "%" JSON_INTEGER_FORMAT, json_integer_value(v))
             : NULL;
}

int hub_ctool_create(hub_req_t *hr, hub_result_t *res, const char *schema_field,
                     hub_rows_t **row)
{
    json_t *b = hr->body, *schema = json_object_get(b, schema_field);
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *scope = json_string_value(json_object_get(b, "scope"));
    const char *schema_text = "{\"type\": \"object\"}", *args[11];
    hub_ctool_handler_t h;
    hub_db_status_e st;

    if (check_names(res, name, scope) != DECLINED
        || (schema
            && hub_ctool_schema_read(hr, res, schema, schema_field,
                                     &schema_text)
                   != DECLINED)
        || hub_ctool_handler_read(hr, res, json_object_get(b, "handler"), NULL,
                                  &h)
               != DECLINED) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = name;
    args[2] = scope;
    args[3] = json_string_value(json_object_get(b, "description"));
    args[4] = schema_text;
    args[5] = h.handler;
    args[6] = h.secrets;
    args[7] = h.server_id;
    args[8] = int_text(hr->pool, json_object_get(b, "timeout_seconds"));
    args[9] = bool_text(json_object_get(b, "enabled"));
    args[10] = hr->who->name;
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_INSERT), row, 11, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, CONFLICT, hr->request_id);
    }
    if (!(*row)->rows->nelts) {
        return hub_err(res, HTTP_CONFLICT, "CONFLICT", CONFLICT);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01072: custom tool %s (%s) created in tenant %s by %s",
                  hub_rows_get(*row, 0, "id"), name, hr->who->tenant_slug,
                  hr->who->name);
    return DECLINED;
}

static int gc_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    json_t *list;
    hub_db_status_e st;
    int i;
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_LIST), &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    list = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(list, hub_ctool_json(rows, i, "parameters"));
    }
    return hub_ok(res, json_pack("{s:o}", "tools", list));
}

static int gc_create(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (hub_ctool_create(hr, res, "parameters", &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, hub_ctool_json(row, 0, "parameters"));
}

static int gc_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param(hr, "id"), hr->who->tenant_id };
    hub_rows_t *row;
    if (!hub_is_uuid(args[0])) {
        return not_found(res);
    }
    if (hub_select_one(hr, res, TSTMT(ST_TOOL_GET), 2, args, &row,
                       "tool not found")
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, hub_ctool_json(row, 0, "parameters"));
}

static int gc_update(hub_req_t *hr, hub_result_t *res)
{
    json_t *b = hr->body, *handler = json_object_get(b, "handler");
    json_t *schema = json_object_get(b, "parameters");
    const char *id = hub_param(hr, "id"), *args[15], *schema_text = NULL;
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *scope = json_string_value(json_object_get(b, "scope"));
    hub_ctool_handler_t h = { NULL, NULL, NULL };
    hub_rows_t *row;
    hub_db_status_e st;

    if (!hub_is_uuid(id)) {
        return not_found(res);
    }
    if (!json_object_size(b)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "give at least one of name, description, parameters, "
                       "handler, scope, timeout_seconds, enabled");
    }
    args[0] = id;
    args[1] = hr->who->tenant_id;
    if (handler) {
        /* the stored header values, for those sent back masked */
        if (hub_select_one(hr, res, TSTMT(ST_TOOL_SECRETS), 2, args, &row,
                           "tool not found")
            != DECLINED) {
            return HUB_DONE;
        }
    }
    if (check_names(res, name, scope) != DECLINED
        || (schema
            && hub_ctool_schema_read(hr, res, schema, "parameters",
                                     &schema_text)
                   != DECLINED)
        || (handler
            && hub_ctool_handler_read(hr, res, handler,
                                      hub_rows_get(row, 0, "secrets"), &h)
                   != DECLINED)) {
        return HUB_DONE;
    }
    args[0] = name;
    args[1] = scope;
    args[2] = json_string_value(json_object_get(b, "description"));
    args[3] = schema_text;
    args[4] = handler ? "true" : "false";
    args[5] = h.handler;
    args[6] = args[4];
    args[7] = h.secrets;
    args[8] = args[4];
    args[9] = h.server_id;
    args[10] = int_text(hr->pool, json_object_get(b, "timeout_seconds"));
    args[11] = bool_text(json_object_get(b, "enabled"));
    args[12] = id;
    args[13] = hr->who->tenant_id;
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_UPDATE), &row, 14, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, CONFLICT, hr->request_id);
    }
    if (!row->rows->nelts) {
        return not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01073: custom tool %s updated in tenant %s by %s", id,
                  hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "status", "updated"));
}

int hub_ctool_delete(hub_req_t *hr, hub_result_t *res, const char *id)
{
    const char *args[2] = { id, hr->who->tenant_id };
    int n = 0;
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return 0;
    }
    st = hub_db_exec(hr->r, TSTMT(ST_TOOL_DELETE), &n, 2, args);
    if (st != HUB_DB_OK) {
        hub_err_db(res, st, NULL, hr->request_id);
        return -1;
    }
    if (n) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB01074: custom tool %s deleted in tenant %s by %s", id,
                      hr->who->tenant_slug, hr->who->name);
    }
    return n > 0;
}

static int gc_delete(hub_req_t *hr, hub_result_t *res)
{
    int n = hub_ctool_delete(hr, res, hub_param(hr, "id"));
    if (n < 0) {
        return HUB_DONE;
    }
    if (!n) {
        return not_found(res);
    }
    return hub_ok(res, json_pack("{s:s}", "status", "deleted"));
}

/* the answers (hub_ctool_json, the schema as "parameters") */
#define TOOL_OUT HUB_DOC("CustomTool", TS_CUSTOM_TOOL("parameters"))
/* the list: {"tools": [CustomTool]} (the component of the create's) */
#define TOOLS_OUT \
    HUB_DOC_ONE("CustomToolList", \
                OBJ("\"tools\":" ARRAY_OF(REF("CustomTool")), "\"tools\""))

/* clang-format off */
const hub_route_t hub_servers_custom_tools_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/tools/custom", gc_list, NULL, 0, 0,
      "List custom tools",
      .need = HUB_NEED_READ, .doc = TOOLS_OUT },
    { HUB_GOCLAW, HUB_M_POST, "/v1/tools/custom", gc_create, create_in, 0, 0,
      "Create custom tool",
      .need = HUB_NEED_ADMIN, .status = 201, .doc = TOOL_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/tools/custom/{id}", gc_get, NULL, 0, 0,
      "Get custom tool",
      .need = HUB_NEED_READ, .doc = TOOL_OUT },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/tools/custom/{id}", gc_update, update_in, 0,
      0, "Update custom tool",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("RegistryUpdated", TS_STATUS("updated")) },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/tools/custom/{id}", gc_delete, NULL, 0,
      0, "Delete custom tool",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("RegistryDeleted", TS_STATUS("deleted")) },
    { 0 }
};
/* clang-format on */
