/* GoClaw's built-in tools: GET /v1/tools/builtin, GET|PUT
 * /v1/tools/builtin/{name}.
 *
 * The built-in tools are the hub's own: the MCP gateway's two meta tools
 * of compact mode (hub_servers_gateway_methods.c), search_tools and
 * call_tool.  The tools of the tenant's MCP servers are not built-in
 * (GoClaw's /v1/mcp/servers/{id}/tools lists them), nor are its custom
 * tools.  Decisions:
 * - a tool is {name, description, input_schema, category ("gateway"),
 *   enabled, settings, updated_at}; the list is {"tools": [...]} by
 *   name.  An unknown name is 404.
 * - PUT sets enabled and settings (an object the hub keeps for the
 *   tenant; none of these two tools reads one yet) and answers the tool.
 *   enabled false takes the tool out of every compact navigator of the
 *   tenant: tools/list does not offer it, and a call of it is -32602
 *   "Tool X not found" (the servers' tools stay callable by name).
 * - reading needs read access; PUT needs admin, as GoClaw's changes. */
#include <apr_strings.h>
#include "hub_servers_tool_registry.h"
#include "hub_servers_tool_schemas.h"
#include "hub_servers_gateway.h"
#include "hub_json.h"
#include "hub_rows.h"

/* clang-format off */
static const hub_field_t update_in[] = {
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL,
      "false: compact navigators do not offer it" },
    { "settings", HUB_T_OBJECT, 0, 0, 0, NULL, "kept for the tenant" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* The definition of the built-in tool name (MCP's name, description,
 * inputSchema), or NULL: a new reference. */
static json_t *definition(const char *name)
{
    json_t *defs = hub_gw_meta_tools(), *d, *out = NULL;
    size_t i;
    json_array_foreach(defs, i, d) {
        if (name
            && !strcmp(json_string_value(json_object_get(d, "name")), name)) {
            out = json_incref(d);
        }
    }
    json_decref(defs);
    return out;
}

/* The tool as answered, its settings from row i (or the defaults). */
static json_t *tool_json(json_t *def, const hub_rows_t *rows, int i)
{
    const char *en = i >= 0 ? hub_rows_get(rows, i, "enabled") : NULL;
    const char *set = i >= 0 ? hub_rows_get(rows, i, "settings") : NULL;
    const char *at = i >= 0 ? hub_rows_get(rows, i, "updated_at") : NULL;
    json_t *settings = set ? json_loads(set, 0, NULL) : NULL;
    return json_pack("{s:O,s:O,s:O,s:s,s:b,s:o,s:o}", "name",
                     json_object_get(def, "name"), "description",
                     json_object_get(def, "description"), "input_schema",
                     json_object_get(def, "inputSchema"), "category", "gateway",
                     "enabled", !en || !strcmp(en, "t"), "settings",
                     settings ? settings : json_object(), "updated_at",
                     hub_json_str_or_null(at));
}

static int row_of(const hub_rows_t *rows, const char *name)
{
    int i;
    for (i = 0; i < rows->rows->nelts; i++) {
        if (!strcmp(hub_rows_get(rows, i, "name"), name)) {
            return i;
        }
    }
    return -1;
}

static int read_settings(hub_req_t *hr, hub_result_t *res, hub_rows_t **rows)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_db_status_e st = hub_db_select(hr->r, TSTMT(ST_BUILTIN_LIST), rows, 1,
                                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return DECLINED;
}

static int gc_list(hub_req_t *hr, hub_result_t *res)
{
    json_t *defs, *d, *list;
    hub_rows_t *rows;
    size_t i;
    if (read_settings(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    defs = hub_gw_meta_tools();
    list = json_array();
    json_array_foreach(defs, i, d) {
        json_array_append_new(
            list, tool_json(d, rows,
                            row_of(rows, json_string_value(
                                             json_object_get(d, "name")))));
    }
    json_decref(defs);
    return hub_ok(res, json_pack("{s:o}", "tools", list));
}

static int not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "built-in tool not found");
}

static int gc_get(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_param(hr, "name");
    json_t *def = hub_json_own(hr->pool, definition(name));
    hub_rows_t *rows;
    if (!def) {
        return not_found(res);
    }
    if (read_settings(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, tool_json(def, rows, row_of(rows, name)));
}

static int gc_update(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_param(hr, "name"), *args[6];
    json_t *def = hub_json_own(hr->pool, definition(name));
    json_t *en = json_object_get(hr->body, "enabled");
    json_t *set = json_object_get(hr->body, "settings");
    hub_rows_t *row;
    hub_db_status_e st;
    if (!def) {
        return not_found(res);
    }
    args[0] = hr->who->tenant_id;
    args[1] = name;
    args[2] = args[4] = en ? (json_is_true(en) ? "true" : "false") : NULL;
    args[3] = args[5] = set ? hub_json_text(hr->pool, set) : NULL;
    st = hub_db_select(hr->r, TSTMT(ST_BUILTIN_SET), &row, 6, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01075: built-in tool %s set %s in tenant %s by %s", name,
                  strcmp(hub_rows_get(row, 0, "enabled"), "t") ? "disabled"
                                                               : "enabled",
                  hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, tool_json(def, row, 0));
}

int hub_gw_builtin_enabled(hub_gw_t *g, const char *name)
{
    const char *args[2] = { g->tenant_id, name };
    hub_rows_t *rows;
    if (hub_db_select(g->r, TSTMT(ST_BUILTIN_OFF), &rows, 2, args)
        != HUB_DB_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, g->r,
                      "HUB01076: the settings of built-in tool %s cannot be "
                      "read: it is offered",
                      name);
        return 1;
    }
    return rows->rows->nelts == 0;
}

/* the answers (tool_json): settings are the caller's own object,
 * updated_at null until the tenant has set the tool */
#define BUILTIN_OUT \
    HUB_DOC( \
        "BuiltinTool", \
        OBJ("\"name\":" STR ",\"description\":" STR \
            ",\"input_schema\":" TS_JSON_SCHEMA ",\"category\":" ENUM( \
                "\"gateway\"") ",\"enabled\":" BOOL \
                               ",\"settings\":{\"type\":\"object\"," \
                               "\"additionalProperties\":true},\"updated_at\":" NSTR, \
            "\"name\",\"description\",\"input_schema\",\"category\"," \
            "\"enabled\",\"settings\",\"updated_at\""))
/* the list: {"tools": [BuiltinTool]} (the component of the get's) */
#define BUILTINS_OUT \
    HUB_DOC_ONE("BuiltinToolList", \
                OBJ("\"tools\":" ARRAY_OF(REF("BuiltinTool")), "\"tools\""))

/* clang-format off */
const hub_route_t hub_servers_builtin_tools_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/tools/builtin", gc_list, NULL, 0, 0,
      "List built-in tools",
      .need = HUB_NEED_READ, .doc = BUILTINS_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/tools/builtin/{name}", gc_get, NULL, 0, 0,
      "Get built-in tool",
      .need = HUB_NEED_READ, .doc = BUILTIN_OUT },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/tools/builtin/{name}", gc_update,
      update_in, 0, 0, "Update tool settings",
      .need = HUB_NEED_ADMIN, .doc = BUILTIN_OUT },
    { 0 }
};
/* clang-format on */
