/* The MCP methods a navigator instance answers (hub_servers_gateway.c
 * carries them), each an operation returning its result or its error.
 *
 * tools/list: the enabled tools of the enabled servers of the project's
 * active server instances, less those the instance's permissions disable
 * (a tool without a permission row is always_execute, sql/020), in one
 * statement.  A tool is named "prefix__tool" (hub_tool_public_name): the
 * prefix is the server's tool_prefix, else its slug, so names never
 * clash across servers; two servers given the same tool_prefix show the
 * older one's tool.  With the navigator's tool_naming "bare" (sql/028) a
 * tool is shown by its own name, and as prefix__tool only where two
 * servers of the project have a tool of that name (the prefixed name is
 * taken in either naming).  The order is by that prefix and the tool's name,
 * byte by byte (COLLATE "C"), the same on every host and every call; pages of HubMcpPageSize with an
 * opaque cursor, and a cursor this hub did not give is -32602.  Servers
 * the hub cannot call (heartbeat servers) are not listed.
 *
 * Compact mode (the navigator's tool_exposure, sql/026): tools/list shows
 * two meta tools instead, search_tools (the tools whose public name or
 * description hold the query's words, name matches weighing three times
 * a description's, then the quality score) and call_tool (any listed
 * tool by name, recorded as that tool); the tools themselves stay
 * callable by name.
 *
 * tools/call: the name is looked up among the same tools (a disabled or
 * unknown one is -32602 "Tool X not found", the same answer for both), and
 * the call goes to the upstream as the prober reaches it: its transport,
 * its stored credentials (decrypted here, in the request's pool, never
 * logged), HubOutboundAllow, the server's timeout_sec.  The upstream's
 * result passes through as it is, isError included; its JSON-RPC error
 * passes through with its code and message; a failure to reach it is a
 * result with isError (the agent reads why), as it is the tool that
 * failed, not the request.  Approvals and rate limits come first
 * (hub_servers_gateway_guard.c). */
#include <apr_strings.h>
#include "hub_servers_gateway.h"
#include "hub_json.h"
#include "hub_text.h"
#include "mod_hub_auth.h"

/* the tools an instance serves; args: instance, tenant, and the calling
 * user three times (NULL for a navigator key).  A caller who is a user
 * of the project (came in through an auth link, sql/027) sees a server
 * of auth_level user only while they are authenticated to its instance:
 * revoking that (POST /projects/{id}/users/{user_id}) takes its tools
 * away from them at once.  Anyone else sees every server. */
#define GW_PREFIX "coalesce(nullif(s.tool_prefix, ''), s.slug)"
#define GW_TOOLS_FROM \
    "  FROM navigator_instances ni" \
    "  JOIN server_instances si ON si.project_id = ni.project_id" \
    "       AND si.tenant_id = ni.tenant_id AND si.status = 'active'" \
    "  JOIN servers s ON s.id = si.server_id AND s.tenant_id = ni.tenant_id" \
    "       AND s.enabled" \
    "       AND ((s.mode = 'remote' AND s.endpoint IS NOT NULL)" \
    "            OR (s.mode = 'stdio' AND s.command IS NOT NULL))" \
    "  JOIN tools t ON t.server_id = s.id AND t.enabled" \
    "  LEFT JOIN navigator_tool_permissions tp" \
    "       ON tp.navigator_instance_id = ni.id AND tp.tool_id = t.id" \
    " WHERE ni.id = %s::uuid AND ni.tenant_id = %s::uuid" \
    "   AND tp.mode IS DISTINCT FROM 'disabled'" \
    "   AND (s.auth_level <> 'user' OR %s::uuid IS NULL" \
    "        OR NOT EXISTS (SELECT 1 FROM project_users pu" \
    "                        WHERE pu.project_id = ni.project_id" \
    "                          AND pu.tenant_id = ni.tenant_id" \
    "                          AND pu.user_id = %s::uuid)" \
    "        OR EXISTS (SELECT 1 FROM project_users pu" \
    "                     JOIN project_user_servers ps" \
    "                       ON ps.project_user_id = pu.id" \
    "                    WHERE pu.project_id = ni.project_id" \
    "                      AND pu.tenant_id = ni.tenant_id" \
    "                      AND pu.user_id = %s::uuid" \
    "                      AND ps.server_instance_id = si.id))"

/* the tools tools/list shows, one per prefix and name (a server in two
 * instances of the project counts once: its oldest), with more columns */
#define GW_LISTED(cols) \
    "SELECT DISTINCT ON (" GW_PREFIX ", t.name)" \
    "       " GW_PREFIX \
    " AS prefix, t.name, t.definition::text AS definition" cols GW_TOOLS_FROM \
    " ORDER BY " GW_PREFIX ", t.name, s.created_at, s.id"

/* clang-format off */
const hub_stmt_t hub_servers_gateway_tools_stmts[] = {
    /* shared: how many servers list a tool of that name (bare naming) */
    { "hub_gw_tools_page",
      "SELECT prefix, name, definition,"
      "       count(*) OVER (PARTITION BY name) AS shared"
      "  FROM (" GW_LISTED("") ") x"
      " ORDER BY prefix COLLATE \"C\", name COLLATE \"C\""
      " LIMIT %s::int OFFSET %s::int" },
    /* the tools of a prefix and a name, of a name (prefix NULL), or
     * (both NULL) every tool, first the one tools/list shows */
    { "hub_gw_tool_find",
      "SELECT t.id AS tool_id, t.name, " GW_PREFIX " AS prefix,"
      "       s.id AS server_id, si.id AS server_instance_id, s.mode,"
      "       s.endpoint, s.transport, s.auth_config, s.secrets, s.command,"
      "       s.args, s.timeout_sec,"
      "       coalesce(tp.mode, 'always_execute') AS permission,"
      "       tp.rate_limit_per_minute"
      GW_TOOLS_FROM
      "   AND (%s::text IS NULL OR " GW_PREFIX " = %s::text)"
      "   AND (%s::text IS NULL OR t.name = %s::text)"
      " ORDER BY " GW_PREFIX ", t.name, s.created_at, s.id" },
    /* compact mode's search_tools: each word of the query found in the
     * tool's public name (3) or its description (1), then its quality */
    { "hub_gw_tools_search",
      "SELECT prefix, name, definition, hits, shared FROM ("
      " SELECT x.*, count(*) OVER (PARTITION BY name) AS shared FROM ("
      GW_LISTED(", coalesce(t.quality_score, 50) AS quality,"
                " (SELECT coalesce(sum(CASE WHEN strpos(lower(" GW_PREFIX
                "          || '__' || t.name), w) > 0 THEN 3 ELSE 0 END"
                "        + CASE WHEN strpos(lower(coalesce(t.description, '')),"
                "          w) > 0 THEN 1 ELSE 0 END), 0)"
                "   FROM unnest(string_to_array(lower(%s::text), ' ')) w"
                "  WHERE w <> '') AS hits") ") x) y"
      " WHERE hits > 0"
      " ORDER BY hits DESC, quality DESC, prefix COLLATE \"C\","
      "          name COLLATE \"C\""
      " LIMIT %s::int" },
    /* what a list-changed stream compares: every listed tool's name and
     * definition, in tools/list's order (compact mode lists two fixed
     * tools); no row when the instance is gone.  args: those of
     * GW_TOOLS_FROM, then instance and tenant again */
    { "hub_gw_tools_fingerprint",
      "SELECT CASE n.tool_exposure WHEN 'compact' THEN 'compact' ELSE ("
      "  SELECT md5(n.tool_naming || coalesce(string_agg(prefix || '__' || name || ' '"
      "                                 || coalesce(definition, ''), E'\\n'"
      "           ORDER BY prefix COLLATE \"C\", name COLLATE \"C\"), ''))"
      "    FROM (" GW_LISTED("") ") x)"
      "       END AS fingerprint"
      "  FROM navigator_instances i JOIN navigators n ON n.id = i.navigator_id"
      " WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_PAGE, ST_FIND, ST_SEARCH, ST_FINGERPRINT };
#define STMT(i) (&hub_servers_gateway_tools_stmts[i])

const char *hub_gw_caller_user(const hub_gw_t *g)
{
    return g->who && !g->who->navigator_instance_id ? g->who->user_id : NULL;
}

hub_db_status_e hub_gw_tools_fingerprint(
    apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, const char *instance,
    const char *tenant, const char *user, const char **fp)
{
    const char *args[7] = {
        instance, tenant, user, user, user, instance, tenant
    };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select_on(p, s, dbd, STMT(ST_FINGERPRINT),
                                          &rows, 7, args);
    *fp = st == HUB_DB_OK && rows->rows->nelts
              ? hub_rows_get(rows, 0, "fingerprint")
              : NULL;
    return st;
}

json_t *hub_gw_server_info(void)
{
    return json_pack("{s:s,s:s}", "name", "mod_hub", "version", HUB_VERSION);
}

json_t *hub_gw_server_description(hub_gw_t *g)
{
    return json_pack(
        "{s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}", "capabilities", "tools",
        "listChanged", hub_gw_streams_on(g), "serverInfo", "name", "mod_hub",
        "title", g->navigator_name ? g->navigator_name : "mod_hub", "version",
        HUB_VERSION, "instructions",
        apr_psprintf(g->pool,
                     "The tools of the MCP servers of this "
                     "project, through the navigator '%s'. "
                     "%s",
                     g->navigator_name ? g->navigator_name : "",
                     g->compact ? "Find them with search_tools and "
                                  "run them with call_tool."
                                : "Each is named server__tool."));
}

/* 2026-07-28: what initialize told in the 2025 era (serverInfo goes in
 * _meta, added to every modern result by the gateway) */
static int op_discover(hub_gw_t *g, json_t *params HUB_UNUSED,
                       hub_gw_answer_t *a)
{
    a->result = hub_gw_server_description(g);
    json_object_del(a->result, "serverInfo");
    json_object_set_new(a->result, "supportedVersions",
                        json_pack("[s]", HUB_MCP_VERSION_MODERN));
    return 0;
}

static int op_ping(hub_gw_t *g HUB_UNUSED, json_t *params HUB_UNUSED,
                   hub_gw_answer_t *a)
{
    a->result = json_object();
    return 0;
}

/* ---- tools/list ---------------------------------------------------------- */

/* The name agents see for a tool of prefix: bare when the navigator
 * says so and no other server has a tool of that name (shared 1). */
static const char *public_name(hub_gw_t *g, const char *prefix,
                               const char *name, const char *shared)
{
    int alone = shared && !strcmp(shared, "1");
    return hub_tool_public_name(g->pool, g->bare && alone ? NULL : prefix,
                                name);
}

static json_t *public_tool(hub_gw_t *g, const hub_rows_t *rows, int i)
{
    const char *text = hub_rows_get(rows, i, "definition");
    json_t *def = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(def)) {
        json_decref(def);
        def = json_object();
    }
    json_object_set_new(def, "name",
                        json_string(
                            public_name(g, hub_rows_get(rows, i, "prefix"),
                                        hub_rows_get(rows, i, "name"),
                                        hub_rows_get(rows, i, "shared"))));
    if (!json_is_object(json_object_get(def, "inputSchema"))) {
        json_object_set_new(def, "inputSchema",
                            json_pack("{s:s}", "type", "object"));
    }
    return def;
}

/* ---- compact mode: two meta tools ----------------------------------------- */

#define SEARCH_TOOLS "search_tools"
#define CALL_TOOL    "call_tool"

json_t *hub_gw_meta_tools(void)
{
    return json_pack(
        "[{s:s,s:s,s:{s:s,s:{s:{s:s,s:s},s:{s:s,s:i,s:i,s:s}},s:[s]}},"
        " {s:s,s:s,s:{s:s,s:{s:{s:s,s:s},s:{s:s,s:s}},s:[s]}}]",
        "name", SEARCH_TOOLS, "description",
        "Find the tools of this project's MCP servers that fit a task: "
        "words in, the best matching tools out (name, description, "
        "inputSchema). Then run one with call_tool.",
        "inputSchema", "type", "object", "properties", "query", "type",
        "string", "description", "words describing the task or the tool",
        "limit", "type", "integer", "minimum", 1, "maximum", 50, "description",
        "at most this many tools (10)", "required", "query", "name", CALL_TOOL,
        "description",
        "Run a tool found with search_tools, by its name, with arguments "
        "that follow its inputSchema.",
        "inputSchema", "type", "object", "properties", "name", "type", "string",
        "description", "the tool's name, as search_tools gave it", "arguments",
        "type", "object", "description", "the tool's arguments", "required",
        "name");
}

static int op_search_tools(hub_gw_t *g, json_t *args, hub_gw_answer_t *a)
{
    const char *query = json_string_value(json_object_get(args, "query"));
    json_t *limit = json_object_get(args, "limit"), *found;
    const char *argv[7];
    hub_rows_t *rows;
    int i;

    if (!query || (limit && !json_is_integer(limit))
        || (limit
            && (json_integer_value(limit) < 1
                || json_integer_value(limit) > 50))) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           "Invalid params: search_tools needs a query "
                           "(string) and at most a limit from 1 to 50");
    }
    hub_gw_query_begin(g, query);
    argv[0] = query;
    argv[1] = g->instance_id;
    argv[2] = g->tenant_id;
    argv[3] = argv[4] = argv[5] = hub_gw_caller_user(g);
    argv[6] = apr_itoa(g->pool, limit ? (int)json_integer_value(limit) : 10);
    if (hub_db_select(g->r, STMT(ST_SEARCH), &rows, 7, argv) != HUB_DB_OK) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the tools cannot be read now");
    }
    found = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_t *def = public_tool(g, rows, i), *t = json_object();
        json_object_set(t, "name", json_object_get(def, "name"));
        json_object_set(t, "description",
                        json_object_get(def, "description")
                            ? json_object_get(def, "description")
                            : json_null());
        json_object_set(t, "inputSchema", json_object_get(def, "inputSchema"));
        json_array_append_new(found, t);
        json_decref(def);
    }
    a->result = json_pack("{s:[{s:s,s:s}],s:{s:o}}", "content", "type", "text",
                          "text", hub_json_text(g->pool, found),
                          "structuredContent", "tools", found);
    return 0;
}

static int op_tools_list(hub_gw_t *g, json_t *params, hub_gw_answer_t *a)
{
    json_t *cursor = json_object_get(params, "cursor"), *tools;
    int size = hub_servers_page_size(g->dir), i, n;
    const char *args[7];
    hub_rows_t *rows;
    long offset = 0;

    if (cursor && !json_is_null(cursor)
        && (!json_is_string(cursor)
            || hub_mcp_cursor_offset(json_string_value(cursor), &offset)
            || g->compact)) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           "Invalid params: the cursor is not one this "
                           "server gave");
    }
    if (g->compact) {
        /* less the built-in tools the tenant disabled */
        json_t *defs = hub_gw_meta_tools(), *on = json_array(), *d;
        size_t k;
        json_array_foreach(defs, k, d) {
            if (hub_gw_builtin_enabled(g, json_string_value(
                                              json_object_get(d, "name")))) {
                json_array_append(on, d);
            }
        }
        json_decref(defs);
        a->result = json_pack("{s:o}", "tools", on);
        return 0;
    }
    args[0] = g->instance_id;
    args[1] = g->tenant_id;
    args[2] = args[3] = args[4] = hub_gw_caller_user(g);
    args[5] = apr_itoa(g->pool, size + 1);
    args[6] = apr_ltoa(g->pool, offset);
    if (hub_db_select(g->r, STMT(ST_PAGE), &rows, 7, args) != HUB_DB_OK) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the tools cannot be read now");
    }
    n = rows->rows->nelts;
    tools = json_array();
    for (i = 0; i < n && i < size; i++) {
        json_array_append_new(tools, public_tool(g, rows, i));
    }
    a->result = json_pack("{s:o}", "tools", tools);
    if (n > size) {
        json_object_set_new(a->result, "nextCursor",
                            json_string(
                                hub_mcp_cursor(g->pool, offset + size)));
    }
    return 0;
}

/* ---- tools/call ---------------------------------------------------------- */

/* How many servers of rows have a tool named as row i's (bare naming:
 * a name two share is shown prefixed). */
static const char *shared_of(const hub_rows_t *rows, int i)
{
    const char *name = hub_rows_get(rows, i, "name"), *first = NULL;
    int j;
    for (j = 0; j < rows->rows->nelts; j++) {
        const char *p = hub_rows_get(rows, j, "prefix");
        if (strcmp(hub_rows_get(rows, j, "name"), name)) {
            continue;
        }
        if (first && strcmp(first, p)) {
            return "2";
        }
        first = p;
    }
    return "1";
}

/* The row of the tool an agent names, or -1 (-2: not now).  The
 * prefixed name splits at its "__"; a bare one is looked up by itself;
 * one the naming changed (cut, hashed, characters replaced) is found
 * among them all. */
static int find_tool(hub_gw_t *g, const char *name, hub_rows_t **rows)
{
    const char *sep = strstr(name, "__"), *args[9];
    int i, step;

    args[0] = g->instance_id;
    args[1] = g->tenant_id;
    args[2] = args[3] = args[4] = hub_gw_caller_user(g);
    for (step = 0; step < 3; step++) {
        if (step == 0 && !sep) {
            continue;
        }
        if (step == 1 && !g->bare) {
            continue;
        }
        args[5] = args[6] = step == 0 ? apr_pstrmemdup(g->pool, name,
                                                       (apr_size_t)(sep - name))
                                      : NULL;
        args[7] = args[8] = step == 0 ? sep + 2 : step == 1 ? name : NULL;
        if (hub_db_select(g->r, STMT(ST_FIND), rows, 9, args) != HUB_DB_OK) {
            return -2;
        }
        for (i = 0; i < (*rows)->rows->nelts; i++) {
            const char *prefix = hub_rows_get(*rows, i, "prefix");
            const char *tool = hub_rows_get(*rows, i, "name");
            if (!strcmp(hub_tool_public_name(g->pool, prefix, tool), name)
                || (g->bare
                    && !strcmp(public_name(g, prefix, tool,
                                           shared_of(*rows, i)),
                               name))) {
                return i;
            }
        }
    }
    return -1;
}

/* A result that says the tool failed, and why: the agent reads it. */
static json_t *tool_error(const char *text)
{
    return json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text",
                     text, "isError", 1);
}

static int call_upstream(hub_gw_t *g, const hub_rows_t *rows, int i,
                         json_t *args, hub_gw_answer_t *a)
{
    const char *tool = hub_rows_get(rows, i, "name");
    long timeout_s = atol(hub_rows_get(rows, i, "timeout_sec"));
    hub_mcp_target_t target;
    hub_mcp_probe_t info;
    json_t *result;
    const char *why;
    apr_time_t t0;
    int rc;

    why = hub_servers_row_target(g->pool, g->r->server, g->tenant_id, rows, i,
                                 1000L * (timeout_s > 0 ? timeout_s : 60),
                                 &target);
    if (why) {
        g->rec.error_type = "execution";
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, g->r,
                      "HUB00580: gateway: server %s not called: %s",
                      hub_rows_get(rows, i, "server_id"), why);
        a->result = tool_error(why);
        return 0;
    }
    t0 = apr_time_now();
    rc = hub_gw_upstream_call(g->pool, &target, tool, args, &result, &info);
    g->rec.upstream_ms = (double)(apr_time_now() - t0) / 1000.0;
    if (rc) {
        g->rec.error_type = info.unauthorized ? "auth"
                            : info.timed_out  ? "timeout"
                                              : "execution";
        if (info.rpc_code) {
            /* the upstream's own error, as it said it */
            return hub_gw_fail(a, (int)info.rpc_code,
                               info.rpc_message ? info.rpc_message : "");
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, g->r,
                      "HUB00581: gateway: tool %s of server %s failed: %s",
                      tool, hub_rows_get(rows, i, "server_id"),
                      info.error ? info.error : "no answer");
        a->result = tool_error(
            apr_pstrcat(g->pool, "the tool's server could not be used: ",
                        info.error ? info.error : "no answer", NULL));
        return 0;
    }
    a->result = result;
    return 0;
}

static int op_tools_call(hub_gw_t *g, json_t *params, hub_gw_answer_t *a)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    json_t *args = json_object_get(params, "arguments");
    hub_rows_t *rows;
    int i;

    /* compact mode: the meta tools, call_tool being any tool by name */
    if (g->compact && name
        && (!strcmp(name, SEARCH_TOOLS) || !strcmp(name, CALL_TOOL))
        && !hub_gw_builtin_enabled(g, name)) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           apr_psprintf(g->pool, "Tool %s not found", name));
    }
    if (g->compact && name && !strcmp(name, SEARCH_TOOLS)) {
        return op_search_tools(g, json_is_object(args) ? args : NULL, a);
    }
    g->rec.query_id = g->session_query; /* a call of the session's query */
    if (g->compact && name && !strcmp(name, CALL_TOOL)
        && json_is_object(args)) {
        name = json_string_value(json_object_get(args, "name"));
        args = json_object_get(args, "arguments");
        g->rec.tool_name = name;
    }

    if (!name) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           "Invalid params: tools/call needs a name");
    }
    if (args && !json_is_object(args) && !json_is_null(args)) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           "Invalid params: arguments must be an object");
    }
    if ((i = find_tool(g, name, &rows)) == -2) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the tools cannot be read now");
    }
    if (i < 0) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           apr_psprintf(g->pool, "Tool %s not found", name));
    }
    args = json_is_object(args) ? args : NULL;
    g->rec.server_id = hub_rows_get(rows, i, "server_id");
    g->rec.server_instance_id = hub_rows_get(rows, i, "server_instance_id");
    g->rec.tool_id = hub_rows_get(rows, i, "tool_id");
    if (hub_gw_guard(g, rows, i, name, args, hub_gw_owner(g), a) != DECLINED) {
        return 0; /* waiting for approval, over its rate: answered */
    }
    return call_upstream(g, rows, i, args, a);
}

/* clang-format off */
const hub_gw_method_t hub_gw_methods[] = {
    { "ping",       op_ping,       HUB_MCP_ERA_SESSION },
    { "server/discover", op_discover, HUB_MCP_ERA_MODERN },
    { "tools/list", op_tools_list, HUB_MCP_ERA_SESSION | HUB_MCP_ERA_MODERN },
    { "tools/call", op_tools_call, HUB_MCP_ERA_SESSION | HUB_MCP_ERA_MODERN },
    { NULL, NULL, 0 }
};
/* clang-format on */
