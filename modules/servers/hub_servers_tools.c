/* The tools the prober stores, their change history and the servers'
 * health, through each profile:
 *
 *   patchwork  GET   /api/v1/servers/{slug}/tool-changes/   ToolChangeOut[]
 *   toolhub    GET   /api/mcp/servers/:id/tools             [{name, ...}]
 *   toolhub    GET   /api/mcp/servers/:id/health            a live tools/list
 *   toolhub    GET   /health/mcp/:server_id                 the last probe
 *   goclaw     GET   /v1/mcp/servers/{id}/tools             {"tools": [...]}
 *   caylex     GET   /servers/{server_id}/tools             {"tools": [...]}
 *   caylex     PATCH /servers/{server_id}/tools/{tool_id}   added_context
 *
 * Decisions where the documents are open:
 * - every list shows the tools of the server's last good probe, by name;
 *   a server never probed (or without an endpoint) has none.  Another
 *   tenant's server, an unknown one and a malformed id are all 404.
 * - tool-changes are the newest first, 100 at most (?limit= 1..1000).
 * - the live health check lists the server's tools with the prober's
 *   client, credentials and address policy (HubOutboundAllow), within
 *   HubProbeTimeout, in the request: status `healthy`, `unauthorized`
 *   (401/403: reachable, not authorised) or `down` with the reason in
 *   `message`; `unknown` for a server the hub cannot reach by itself
 *   (stdio, heartbeat).  It reads; the stored health is the prober's.
 * - /health/mcp/:server_id answers the last probe's outcome without a
 *   call: the stored health_status, last_error as message, and (added)
 *   latency_ms, checked_at and uptime_24h.  Unlike the document's other
 *   health checks it needs credentials (a JWT or an API key): a server
 *   id is a tenant's.
 * - Caylex's PATCH sets added_context (null clears it) and, as the hub's
 *   extension, `enabled` (a disabled tool stays listed; the gateway does
 *   not offer it).  It needs write access. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_servers_store.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_mcp.h"
#include "hub_rows.h"

const hub_stmt_t hub_servers_tools_stmts[] = {
    /* the server (one row with NULL tool columns when it has none) */
    { "hub_srv_tools_list",
      "SELECT s.id AS server_id, t.id, t.name, t.title, t.description,"
      "       t.input_schema, t.added_context, t.enabled"
      "  FROM servers s LEFT JOIN tools t"
      "    ON t.server_id = s.id AND t.tenant_id = s.tenant_id"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      " ORDER BY t.name" },
    /* a NULL tool id (malformed) finds the server but no tool */
    { "hub_srv_tool_patch",
      "WITH s AS (SELECT id, tenant_id FROM servers"
      "            WHERE id = %s::uuid AND tenant_id = %s::uuid),"
      " u AS (UPDATE tools t SET"
      "   added_context = CASE WHEN %s::boolean THEN %s::text"
      "                   ELSE t.added_context END,"
      "   enabled = coalesce(%s::boolean, t.enabled)"
      "  FROM s WHERE t.server_id = s.id AND t.tenant_id = s.tenant_id"
      "   AND t.id = %s::uuid"
      "  RETURNING t.id, t.added_context, t.enabled)"
      " SELECT (SELECT count(*) FROM s) AS servers, u.*"
      "   FROM (SELECT 1) one LEFT JOIN u ON true" },
    { "hub_srv_tool_changes",
      "SELECT s.id AS server_id, iso8601(c.at) AS timestamp, c.added,"
      "       c.removed, c.tool_count_before, c.tool_count_after"
      "  FROM servers s LEFT JOIN LATERAL ("
      "   SELECT * FROM tool_changes c"
      "    WHERE c.server_id = s.id AND c.tenant_id = s.tenant_id"
      "    ORDER BY c.at DESC, c.id LIMIT %s::int) c ON true"
      " WHERE s.tenant_id = %s::uuid AND s.slug = %s"
      " ORDER BY c.at DESC, c.id" },
    /* only for the live check: secrets are decrypted, never answered */
    { "hub_srv_tools_target",
      "SELECT s.id, s.mode, s.endpoint, s.transport, s.auth_config,"
      "       s.secrets, s.command, s.args FROM servers s"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid" },
    { "hub_srv_health_last",
      "SELECT s.id, s.mode, s.health_status, s.last_error,"
      "       iso8601(s.last_check_at) AS last_check_at, s.uptime_24h,"
      "       round(p.latency_ms)::bigint AS latency_ms"
      "  FROM servers s LEFT JOIN LATERAL ("
      "   SELECT latency_ms FROM probe_results p"
      "    WHERE p.server_id = s.id AND p.tenant_id = s.tenant_id"
      "    ORDER BY p.at DESC LIMIT 1) p ON true"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid" },
    { NULL, NULL }
};

#define ST_LIST    (&hub_servers_tools_stmts[0])
#define ST_PATCH   (&hub_servers_tools_stmts[1])
#define ST_CHANGES (&hub_servers_tools_stmts[2])
#define ST_TARGET  (&hub_servers_tools_stmts[3])
#define ST_LAST    (&hub_servers_tools_stmts[4])

/* ---- shared ------------------------------------------------------------ */

/* The server is the first parameter of every route here (:id, {id},
 * {server_id}); each profile's words for an unknown one are its
 * registry's (hub_servers_store.h). */
static const char *server_id(const hub_req_t *hr)
{
    return hr->match->nparams ? hr->match->values[0] : NULL;
}

static int server_not_found(hub_req_t *hr, hub_result_t *res, const char *id)
{
    return hub_servers_not_found(res, hub_servers_profile(hr->profile), id);
}

/* Runs STMT, keyed by (server id, tenant): DECLINED with the rows, or
 * HUB_DONE with the error (unknown server, database failure).  Every
 * such statement finds the server row, so no rows means no such server
 * in this tenant. */
static int server_select(hub_req_t *hr, hub_result_t *res,
                         const hub_stmt_t *stmt, hub_rows_t **rows)
{
    const char *id = server_id(hr);
    const char *args[2] = { id, hr->who->tenant_id };
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return server_not_found(hr, res, id);
    }
    st = hub_db_select(hr->r, stmt, rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!(*rows)->rows->nelts) {
        return server_not_found(hr, res, id);
    }
    return DECLINED;
}

/* ---- Tool Hub, GoClaw, Caylex: the tools ------------------------------- */

/* One listing for every profile: the server's tools (a server without
 * any has one row that is not a tool), shaped and wrapped by the row. */
static int tools_list(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    if (server_select(hr, res, ST_LIST, &rows) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_rows(res, hub_rows_having(hr->pool, rows, "id"), NULL);
}

static const hub_shape_t th_tool[] = {
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "input_schema", NULL, HUB_J_JSON },
    { "server_id", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

/* GoClaw's own server answers its mcpbridge.ToolInfo: name, and the
 * description when there is one. */
/* clang-format off */
static const hub_shape_t gc_tool[] = {
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_OMITEMPTY },
    { NULL, NULL, 0 }
};
/* clang-format on */

static const hub_shape_t cx_tool[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "added_context", NULL, HUB_J_STRING },
    { "input_schema", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static const hub_field_t cx_patch_in[] = {
    { "added_context", HUB_T_STRING, HUB_F_NULLABLE, 0, 10000, NULL,
      "free-form context appended to the tool's description; null clears" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL,
      "hub extension: false keeps the gateway from offering the tool" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static int cx_tool_patch(hub_req_t *hr, hub_result_t *res)
{
    const char *server = server_id(hr);
    const char *tool = hub_param(hr, "tool_id");
    json_t *ctx = json_object_get(hr->body, "added_context");
    json_t *en = json_object_get(hr->body, "enabled");
    const char *args[6];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!hub_is_uuid(server)) {
        return server_not_found(hr, res, server);
    }
    args[0] = server;
    args[1] = hr->who->tenant_id;
    args[2] = ctx ? "true" : "false";
    args[3] = json_string_value(ctx);
    args[4] = en ? (json_is_true(en) ? "true" : "false") : NULL;
    args[5] = hub_is_uuid(tool) ? tool : NULL;
    st = hub_db_select(hr->r, ST_PATCH, &rows, 6, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1
        || strcmp(hub_rows_get(rows, 0, "servers"), "1")) {
        return server_not_found(hr, res, server);
    }
    if (!hub_rows_get(rows, 0, "id")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Tool not found");
    }
    return hub_ok(res, json_pack("{s:s,s:o}", "id", hub_rows_get(rows, 0, "id"),
                                 "added_context",
                                 hub_json_str_or_null(
                                     hub_rows_get(rows, 0, "added_context"))));
}

/* ---- Patchwork: tool changes ------------------------------------------- */

static const hub_shape_t pw_change[] = {
    { "timestamp", NULL, HUB_J_STRING },
    { "added", NULL, HUB_J_STRINGS },
    { "removed", NULL, HUB_J_STRINGS },
    { "tool_count_before", NULL, HUB_J_INT },
    { "tool_count_after", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

static const hub_qfield_t pw_changes_q[] = {
    { "limit", HUB_Q_INT, 0, 1, 1000, 100, NULL,
      "the newest this many changes" },
    HUB_Q_END
};

static int pw_tool_changes(hub_req_t *hr, hub_result_t *res)
{
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;

    args[0] = apr_ltoa(hr->pool, hub_qv_long(&hr->q, "limit"));
    args[1] = hr->who->tenant_id;
    args[2] = hub_param(hr, "slug");
    st = hub_db_select(hr->r, ST_CHANGES, &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return server_not_found(hr, res, NULL);
    }
    return hub_ok_rows(res, hub_rows_having(hr->pool, rows, "timestamp"), NULL);
}

/* ---- Tool Hub: health ---------------------------------------------------- */

/* A live tools/list of the server, as the prober would make it. */
static json_t *live_check(hub_req_t *hr, const hub_rows_t *row)
{
    const hub_servers_srv_t *c = hub_servers_srv(hr->r->server);
    hub_mcp_target_t target;
    hub_mcp_probe_t res;
    const char *id = hub_rows_get(row, 0, "id"), *why;
    const char *status, *msg;
    const char *mode = hub_rows_get(row, 0, "mode");

    if (strcmp(mode, "stdio")
        && (strcmp(mode, "remote") || !hub_rows_get(row, 0, "endpoint"))) {
        return json_pack("{s:s,s:s,s:s,s:n}", "server_id", id, "status",
                         "unknown", "message",
                         "this server reports through "
                         "heartbeats: the hub has nothing to call",
                         "latency_ms");
    }
    memset(&res, 0, sizeof(res));
    /* as the prober would reach it: a stdio server's command must still
     * be on HubStdioAllow */
    why = hub_servers_row_target(hr->pool, hr->r->server, hr->who->tenant_id,
                                 row, 0, 1000L * hub_servers_probe_timeout(c),
                                 &target);
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, hr->r,
                      "HUB00400: live "
                      "health check of server %s not made: %s",
                      id, why);
        return json_pack("{s:s,s:s,s:s,s:n}", "server_id", id, "status", "down",
                         "message", why, "latency_ms");
    }
    hub_mcp_probe(hr->pool, &target, &res);
    status = res.ok ? "healthy" : res.unauthorized ? "unauthorized" : "down";
    msg = res.ok ? NULL : res.error ? res.error : "the check failed";
    return json_pack("{s:s,s:s,s:o,s:I}", "server_id", id, "status", status,
                     "message", hub_json_str_or_null(msg), "latency_ms",
                     (json_int_t)(res.latency_ms + 0.5));
}

static int th_health_live(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (server_select(hr, res, ST_TARGET, &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, live_check(hr, row));
}

/* What the stored health says, in words. */
static const char *last_message(const hub_rows_t *row)
{
    const char *h = hub_rows_get(row, 0, "health_status");
    const char *err = hub_rows_get(row, 0, "last_error");
    if (!strcmp(h, "healthy")) {
        return NULL;
    }
    if (err) {
        return err;
    }
    if (!strcmp(h, "unknown")) {
        return strcmp(hub_rows_get(row, 0, "mode"), "remote")
                   ? "not probed: this server has no endpoint (stdio or "
                     "heartbeat)"
                   : "not probed yet";
    }
    if (!strcmp(h, "stale")) {
        return "its heartbeats stopped";
    }
    return NULL;
}

static int th_health_last(hub_req_t *hr, hub_result_t *res)
{
    const char *id = server_id(hr);
    const char *lat, *up;
    hub_rows_t *row;
    if (server_select(hr, res, ST_LAST, &row) != DECLINED) {
        return HUB_DONE;
    }
    lat = hub_rows_get(row, 0, "latency_ms");
    up = hub_rows_get(row, 0, "uptime_24h");
    /* clang-format off */
    return hub_ok(res, json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:o}", "server_id", id,
        "status", hub_rows_get(row, 0, "health_status"),
        "message", hub_json_str_or_null(last_message(row)),
        "latency_ms", lat ? json_integer(apr_atoi64(lat)) : json_null(),
        "checked_at", hub_json_str_or_null(hub_rows_get(row, 0,
                                                        "last_check_at")),
        "uptime_24h", up ? json_real(atof(up)) : json_null()));
    /* clang-format on */
}

/* th_health_last: the last check's outcome */
#define HEALTH_LAST_OUT \
    HUB_DOC("ServerHealth", \
            OBJ("\"server_id\":" STR ",\"status\":" STR ",\"message\":" NSTR \
                ",\"latency_ms\":" NINT ",\"checked_at\":" NSTR \
                ",\"uptime_24h\":" NNUM, \
                "\"server_id\",\"status\",\"message\",\"latency_ms\"," \
                "\"checked_at\",\"uptime_24h\""))
/* cx_tool_patch */
#define TOOL_PATCHED_OUT \
    HUB_DOC("PatchServerToolResponse", \
            OBJ("\"id\":" STR ",\"added_context\":" NSTR, \
                "\"id\",\"added_context\""))

/* ---- routes ------------------------------------------------------------ */

/* clang-format off */
const hub_route_t hub_servers_tools_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/servers/{slug}/tool-changes/",
      pw_tool_changes, NULL, 0, 0, "Get Tool Changes",
      .need = HUB_NEED_READ, .query = pw_changes_q, .shape = pw_change },
    { HUB_TOOLHUB, HUB_M_GET, "/api/mcp/servers/:id/tools", tools_list,
      NULL, 0, 0, "List Server Tools",
      .need = HUB_NEED_READ, .shape = th_tool },
    { HUB_TOOLHUB, HUB_M_GET, "/api/mcp/servers/:id/health", th_health_live,
      NULL, 0, 0, "Check Server Health",
      .need = HUB_NEED_READ },
    { HUB_TOOLHUB, HUB_M_GET, "/health/mcp/:server_id", th_health_last, NULL,
      0, 0, "MCP Health Check",
      .need = HUB_NEED_READ, .doc = HEALTH_LAST_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/mcp/servers/{id}/tools", tools_list, NULL,
      0, 0, "List server tools",
      .need = HUB_NEED_READ, .shape = gc_tool, .wrap = HUB_WRAP_KEY,
      .key = "tools" },
    { HUB_CAYLEX, HUB_M_GET, "/servers/{server_id}/tools", tools_list, NULL,
      0, 0, "Get Server Tools",
      .need = HUB_NEED_READ, .shape = cx_tool, .wrap = HUB_WRAP_KEY,
      .key = "tools",
      .doc = HUB_DOC("GetServerToolResponse", NULL) },
    { HUB_CAYLEX, HUB_M_PATCH, "/servers/{server_id}/tools/{tool_id}",
      cx_tool_patch, cx_patch_in, 0, 0, "Patch Server Tool",
      .need = HUB_NEED_WRITE, .doc = TOOL_PATCHED_OUT },
    { 0 }
};
/* clang-format on */
