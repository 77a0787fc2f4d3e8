/* G4F's tools: GET|POST /tools, DELETE /tools/{tool_id},
 * POST /tools/{tool_id}/invoke.
 *
 * The same tools as GoClaw's /v1/tools/custom (one table, sql/039; what
 * a tool and its handler are: hub_servers_tool_handler.c).  Decisions
 * where the document is open:
 * - GET /tools: items of id, name, scope, description, schema,
 *   created_at (and, beside them, handler with masked header values,
 *   timeout_seconds, enabled, created_by, updated_at), the newest first;
 *   `scope` exact, `q` in the name or description (any case), `limit`
 *   1..200 (50), `cursor` the offset the previous page's next_cursor
 *   gave (null on the last page).
 * - POST /tools: name, scope, description, schema and handler are all
 *   required, as the document lists them; 200 {"tool_id"}; a name in
 *   use in the tenant is 409 CONFLICT.
 * - DELETE: {"ok": true}; an unknown, malformed or another tenant's id
 *   is 404 NOT_FOUND.
 * - invoke: args (an object) is checked against the tool's schema: each
 *   problem is in error.details.fields (field "args.x") of a 400
 *   VALIDATION_ERROR.  context.project_id, when given, must be a project
 *   of the tenant (else 404) and is sent to an http handler as
 *   X-Hub-Project-Id.  The answer is {"ok", "result"} (and http_status
 *   for an http handler); ok false is the tool's own failure.  Not
 *   reaching the tool is 502 (retryable when it may pass), 504 after
 *   timeout_seconds, 403 OUTBOUND_REFUSED for an address the operator
 *   does not allow; a disabled tool is 409.
 * - reading needs read access, the rest write access. */
#include <apr_strings.h>
#include "hub_servers_tool_registry.h"
#include "hub_servers_tool_schemas.h"
#include "hub_json.h"
#include "hub_rows.h"

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
static const hub_qfield_t list_q[] = {
    HUB_Q_G4F_PAGE,
    { "scope", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 1, 64, 0, NULL,
      "exactly this scope" },
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "in the name or description, any case" },
    HUB_Q_END
};

static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "a letter, then letters, digits, _ . -" },
    { "scope", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "e.g. tenant, project, session" },
    { "description", HUB_T_STRING, HUB_F_REQUIRED, 0, 4000, NULL, NULL },
    { "schema", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "JSON Schema of args (an object schema)" },
    { "handler", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "{type: http, url, method, headers} or {type: mcp, server_id, tool}" },
    { "timeout_seconds", HUB_T_INTEGER, 0, 1, 120, NULL, "default 30" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, "default true" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t invoke_in[] = {
    { "args", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "the arguments, by the tool's schema" },
    { "context", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "optional project_id" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[8];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = args[2] = hub_qv_str(&hr->q, "scope");
    args[3] = args[4] = args[5] = hub_qv_str(&hr->q, "q");
    args[6] = apr_ltoa(hr->pool, pg.limit);
    args[7] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_PAGE), &rows, 8, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, hub_ctool_json(rows, i, "schema"));
    }
    return hub_ok_page(res, items, total, &pg);
}

static int create(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (hub_ctool_create(hr, res, "schema", &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res,
                  json_pack("{s:s}", "tool_id", hub_rows_get(row, 0, "id")));
}

static int delete (hub_req_t *hr, hub_result_t *res)
{
    int n = hub_ctool_delete(hr, res, hub_param(hr, "tool_id"));
    if (n < 0) {
        return HUB_DONE;
    }
    if (!n) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "tool not found");
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

static int invoke(hub_req_t *hr, hub_result_t *res)
{
    json_t *ctx = json_object_get(hr->body, "context");
    json_t *project = json_object_get(ctx, "project_id"), *out;
    hub_ctool_outcome_t o;

    if (project && !json_is_null(project) && !json_is_string(project)) {
        return hub_err_field(res, "body", "context.project_id", "string_type",
                             "Input should be a valid string");
    }
    if (hub_ctool_invoke(hr, res, hub_param(hr, "tool_id"),
                         json_object_get(hr->body, "args"),
                         json_string_value(project), &o)
        != DECLINED) {
        return HUB_DONE;
    }
    out = json_pack("{s:b,s:O}", "ok", o.ok, "result",
                    o.result ? o.result : json_null());
    if (o.http_status) {
        json_object_set_new(out, "http_status", json_integer(o.http_status));
    }
    return hub_ok(res, out);
}

/* the answers: the list's items (hub_ctool_json, the schema as
 * "schema"; a page, ToolPage); invoke's result is whatever the tool
 * answered (an MCP CallToolResult, an endpoint's JSON or text, null) */
#define TOOL_OUT HUB_DOC("Tool", TS_CUSTOM_TOOL("schema"))
#define TOOL_ID_OUT \
    HUB_DOC("ToolCreated", OBJ("\"tool_id\":" STR, "\"tool_id\""))
#define INVOKE_OUT \
    HUB_DOC("ToolInvocation", \
            OBJ("\"ok\":" BOOL ",\"result\":{\"nullable\":true," \
                "\"description\":\"what the tool answered: any JSON " \
                "value\"},\"http_status\":" INT, \
                "\"ok\",\"result\""))

/* clang-format off */
const hub_route_t hub_servers_g4f_tools_routes[] = {
    { HUB_G4F, HUB_M_GET, "/tools", list, NULL, G4F_IN, 0,
      "Tools: GET /tools",
      .need = HUB_NEED_READ, .query = list_q, .wrap = HUB_WRAP_G4F_PAGE,
      .doc = TOOL_OUT },
    { HUB_G4F, HUB_M_POST, "/tools", create, create_in, G4F_IN, 0,
      "Tools: POST /tools",
      .need = HUB_NEED_WRITE, .doc = TOOL_ID_OUT },
    { HUB_G4F, HUB_M_DELETE, "/tools/{tool_id}", delete, NULL, G4F_IN, 0,
      "Tools: DELETE /tools/{tool_id}",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_POST, "/tools/{tool_id}/invoke", invoke, invoke_in,
      G4F_IN, 0, "Tools: POST /tools/{tool_id}/invoke",
      .need = HUB_NEED_WRITE, .doc = INVOKE_OUT },
    { 0 }
};
/* clang-format on */
