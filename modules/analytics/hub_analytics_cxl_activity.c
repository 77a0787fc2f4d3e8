/* Caylex's activity breakdowns over a window, one operation for all:
 *
 *   GET /analytics/tools                     ToolActivityResponse
 *   GET /analytics/servers                   ServerActivityResponse
 *   GET /analytics/users                     UsersActivityResponse
 *   GET /analytics/top-servers               TopServersActivityResponse
 *   GET /analytics/top-projects              TopProjectsActivityResponse
 *   GET /analytics/top-navigators            TopNavigatorsActivityResponse
 *   GET /analytics/navigator-tool-connections NavigatorToolConnectionsResponse
 *   GET /analytics/proxy-tools               ProxyToolEfficiencyResponse
 *   GET /analytics/proxy-tools/suggest-tools ProxyToolSuggestionsResponse
 *
 * Each is a row of `activities` below: its statement (one of the
 * templates LIST, TOP or a document of its own, each writing the whole
 * {success, data, error, timestamp} answer as JSON), its default window,
 * sort order and limit.  The window and the filters are read by
 * hub_analytics_window.h (its rules: another tenant's ids match nothing,
 * the answer is empty, never theirs); the counts come from
 * hub_rollup_span (sql/032: exactly [now - window, now)), but users'
 * (the rollups have no user) and top-servers' queries (nor a query id),
 * which are read from the raw records (mcp_calls) of the window.
 *
 * What is counted:
 * - a tool call is a tools/call record that is not a query (a compact
 *   navigator's search_tools); a query is one that is.
 * - tools: the distinct tool names called, by name (sort_order asc
 *   A..Z, the default, or desc), total_count all of them.
 * - servers: tool calls per server (servers.id; name from the servers
 *   table, the id when the server is gone), by count (desc default),
 *   then name.  users: tool calls per user (users.email) the same way;
 *   calls by navigator keys have no user and are not listed.
 * - top-*: two lists, by tool calls and by queries, most first, then by
 *   id, at most `limit` each; <x>_count is the length of the list.  A
 *   server's queries are the distinct queries with a tool call to it in
 *   the window; a project's and a navigator's (navigators.id, over its
 *   instances) the queries made in it.
 * - navigator-tool-connections: one row per navigator instance and tool
 *   name called, usage_count its tool calls, last_used the last,
 *   connection_status "active" (every row had calls in the window), most
 *   used first.  tool_id is the tool's name as the agent called it (the
 *   rollups keep names, and a name is what the navigator exposes).
 * - proxy-tools: the navigator's meta tools.  suggest_tools_count is the
 *   queries (search_tools), invoke_tools_count the tool calls (a compact
 *   navigator's call_tool is recorded as the tool it ran, the same as a
 *   call of the tool by name); get_tool_schemas_count is always 0: this
 *   hub has no get_tool_schemas meta tool (search_tools answers each
 *   tool's inputSchema).
 * - suggest-tools: count is the queries; suggested_tools would be the
 *   tools the searches answered, which the call records do not keep: 0. */
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_analytics_window.h"
#include "hub_json.h"
#include "hub_time.h"
#include "hub_validate.h"

/* every statement's parameters, in this order (activity() fills them) */
#define P \
    "WITH p AS (SELECT %s::uuid AS tenant, " HUB_AN_T0( \
        "%s") " AS t0," \
              "  now() AS t1, " HUB_AN_SQL_P_FILTERS ", %s::text AS dir," \
              "  %s::int AS lim, %s::text AS win, %s::json AS filters," \
              "  now() - make_interval(days => %s::integer) AS m_since," \
              "  now() - make_interval(days => %s::integer) AS h_since)"
#define NARGS 12

/* the rollup rows r of the window, filtered */
#define SPAN \
    " FROM p CROSS JOIN LATERAL hub_rollup_span(p.tenant, p.t0, p.t1, NULL," \
    "                                        p.m_since, p.h_since) r"
#define SPAN_WHERE " WHERE" HUB_AN_SQL_MATCH("r", "p")
/* the raw tools/call records c of the window, filtered */
#define RAW \
    " FROM p JOIN mcp_calls c ON c.tenant_id = p.tenant" \
    "  AND c.at >= p.t0 AND c.at < p.t1 AND c.method = 'tools/call'" \
    " WHERE" HUB_AN_SQL_MATCH("c", "p")

/* the answer around data d, at p.t1 */
#define ENVELOPE(d) \
    " SELECT json_build_object('success', true, 'data', " d "," \
    "   'error', NULL, 'timestamp', iso8601(p.t1))::text AS doc FROM p"

/* A list (tools, servers, users): g (k, name, n) the groups; sorted by
 * `sort` in p.dir, then name; items of `item` under `key`. */
#define LIST(g, sort, key, item) \
    P ", g AS (" g ")," \
      " o AS (SELECT g.*, row_number() OVER (ORDER BY" \
      "   CASE WHEN p.dir = 'asc' THEN " sort " END ASC," \
      "   CASE WHEN p.dir = 'desc' THEN " sort " END DESC," \
      "   g.name, g.k) AS rn FROM g, p)," \
      " top AS (SELECT o.* FROM o, p WHERE o.rn <= p.lim)" ENVELOPE( \
          "json_build_object('" key "', coalesce((SELECT json_agg(" item \
          " ORDER BY rn) FROM top), '[]'), 'total_count', (SELECT count(*)" \
          " FROM g), 'window', p.win, 'filters', p.filters, 'sort_order'," \
          " p.dir, 'limit', p.lim, 'timestamp', iso8601(p.t1))")

/* The two lists of top-<x>: g (k, n) by tool calls, q (k, n) by
 * queries; members `count` (the list's length), `items` of {id: k,
 * count: n}. */
#define TOP_MAP(src, count, items, id) \
    "json_build_object('" count "', (SELECT count(*) FROM (SELECT 1 FROM " src \
    " LIMIT (SELECT lim FROM p)) x), '" items "', coalesce((SELECT" \
    " json_agg(json_build_object('" id "', k, 'count', n) ORDER BY n DESC," \
    " k) FROM (SELECT * FROM " src " ORDER BY n DESC, k" \
    " LIMIT (SELECT lim FROM p)) x), '[]'))"
#define TOP(g, q, count, items, id) \
    P ", g AS (" g "), q AS (" q \
      ")" ENVELOPE("json_build_object('tool_calls', " TOP_MAP( \
          "g", count, items, \
          id) ", 'queries_processed', " TOP_MAP("q", count, items, \
                                                id) ", 'window', p.win, 'filters', p.filters, 'limit', p.lim)")

/* rollup groups by key k: tool calls (or queries) */
#define BY(k, calls) \
    "SELECT " k " AS k, sum(r.calls) AS n" SPAN SPAN_WHERE " AND " k \
    " IS NOT NULL AND " calls " GROUP BY 1"
#define CALLS   "NOT r.is_query"
#define QUERIES "r.is_query"

/* clang-format off */
const hub_stmt_t hub_analytics_cxl_activity_stmts[] = {
    { "hub_an_cx_tools",
      LIST("SELECT r.tool_name AS k, r.tool_name AS name, sum(r.calls) AS n"
           SPAN SPAN_WHERE " AND " CALLS " AND r.tool_name IS NOT NULL"
           " GROUP BY 1",
           "g.name", "tools", "name") },
    { "hub_an_cx_servers",
      LIST("SELECT x.k, coalesce(s.name, x.k::text) AS name, x.n"
           "  FROM (" BY("r.server_id", CALLS) ") x CROSS JOIN p"
           "  LEFT JOIN servers s ON s.id = x.k AND s.tenant_id = p.tenant",
           "g.n", "servers",
           "json_build_object('server_name', name, 'tool_count', n)") },
    /* the users table has no tenant: a user is found through the
     * calls of the caller's tenant only */
    { "hub_an_cx_users",
      LIST("SELECT x.k, u.email AS name, x.n"
           "  FROM (SELECT c.user_id AS k, count(*) AS n" RAW
           "          AND c.query IS NULL AND c.user_id IS NOT NULL"
           "        GROUP BY 1) x JOIN users u ON u.id = x.k",
           "g.n", "users",
           "json_build_object('user_email', name, 'tool_count', n)") },
    { "hub_an_cx_top_servers",
      TOP(BY("r.server_id", CALLS),
          "SELECT c.server_id AS k, count(DISTINCT c.query_id) AS n" RAW
          " AND c.query IS NULL AND c.query_id IS NOT NULL"
          " AND c.server_id IS NOT NULL GROUP BY 1",
          "server_count", "servers", "server_id") },
    { "hub_an_cx_top_projects",
      TOP(BY("r.project_id", CALLS), BY("r.project_id", QUERIES),
          "project_count", "projects", "project_id") },
    { "hub_an_cx_top_navigators",
      TOP("SELECT ni.navigator_id AS k, sum(r.calls) FILTER (WHERE " CALLS
          ") AS n" SPAN " JOIN navigator_instances ni"
          " ON ni.id = r.navigator_instance_id AND ni.tenant_id = p.tenant"
          SPAN_WHERE " GROUP BY 1 HAVING sum(r.calls) FILTER (WHERE " CALLS
          ") > 0",
          "SELECT ni.navigator_id AS k, sum(r.calls) FILTER (WHERE " QUERIES
          ") AS n" SPAN " JOIN navigator_instances ni"
          " ON ni.id = r.navigator_instance_id AND ni.tenant_id = p.tenant"
          SPAN_WHERE " GROUP BY 1 HAVING sum(r.calls) FILTER (WHERE " QUERIES
          ") > 0",
          "navigator_count", "navigators", "navigator_id") },
    { "hub_an_cx_nav_tools",
      P ", g AS (SELECT r.navigator_instance_id AS nav, r.tool_name AS tool,"
      "   sum(r.calls) AS n, max(r.last_at) AS last" SPAN SPAN_WHERE
      "   AND " CALLS " AND r.tool_name IS NOT NULL GROUP BY 1, 2)"
      ENVELOPE("coalesce((SELECT json_agg(json_build_object("
               "'navigator_instance_id', g.nav, 'tool_id', g.tool,"
               " 'connection_status', 'active', 'last_used', iso8601(g.last),"
               " 'usage_count', g.n, 'window', p.win, 'filters', p.filters,"
               " 'timestamp', iso8601(p.t1)) ORDER BY g.n DESC, g.nav,"
               " g.tool) FROM g), '[]')") },
    { "hub_an_cx_proxy_tools",
      P ", g AS (SELECT coalesce(sum(r.calls) FILTER (WHERE " QUERIES "), 0)"
      "   AS q, coalesce(sum(r.calls) FILTER (WHERE " CALLS "), 0) AS n"
      SPAN SPAN_WHERE ")"
      ENVELOPE("(SELECT json_build_object('suggest_tools_count', g.q,"
               " 'get_tool_schemas_count', 0, 'invoke_tools_count', g.n,"
               " 'window', p.win, 'filters', p.filters,"
               " 'timestamp', iso8601(p.t1)) FROM g)") },
    { "hub_an_cx_suggest_tools",
      P ", g AS (SELECT coalesce(sum(r.calls), 0) AS q" SPAN SPAN_WHERE
      "   AND " QUERIES ")"
      ENVELOPE("(SELECT json_build_object('count', g.q,"
               " 'suggested_tools', 0, 'window', p.win,"
               " 'filters', p.filters, 'timestamp', iso8601(p.t1)) FROM g)") },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_TOOLS,
    ST_SERVERS,
    ST_USERS,
    ST_TOP_SERVERS,
    ST_TOP_PROJECTS,
    ST_TOP_NAVIGATORS,
    ST_NAV_TOOLS,
    ST_PROXY,
    ST_SUGGEST
};

/* One endpoint of the family: a route's words. */
typedef struct activity {
    int stmt;
    const char *def_window;
    const char *def_sort; /* NULL: no sort_order */
} activity_t;

/* clang-format off */
static const activity_t a_tools = { ST_TOOLS, "1w", "asc" };
static const activity_t a_servers = { ST_SERVERS, "1w", "desc" };
static const activity_t a_users = { ST_USERS, "1w", "desc" };
static const activity_t a_top_servers = { ST_TOP_SERVERS, "1w", NULL };
static const activity_t a_top_projects = { ST_TOP_PROJECTS, "1w", NULL };
static const activity_t a_top_navigators = { ST_TOP_NAVIGATORS, "1w", NULL };
static const activity_t a_nav_tools = { ST_NAV_TOOLS, "24h", NULL };
static const activity_t a_proxy = { ST_PROXY, "1w", NULL };
static const activity_t a_suggest = { ST_SUGGEST, "1w", NULL };

static const char *const sort_orders[] = { "asc", "desc", NULL };

/* the query fields, one of each as the spec words them */
#define F_WINDOW(def) HUB_Q_AN_WINDOW(def)
#define F_PROJECT \
    { "project_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL, \
      "Filter by project ID" }
#define F_NAV \
    { "navigator_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, \
      NULL, "Filter by navigator instance ID" }
#define F_SI \
    { "server_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL, \
      "Filter by server instance ID" }
#define F_SORT \
    { "sort_order", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, sort_orders, \
      "Sort order: 'asc' or 'desc'" }
#define F_LIMIT(max, def) \
    { "limit", HUB_Q_INT, 0, 1, max, def, NULL, \
      "Maximum number of items to return" }

static const hub_qfield_t q_tools[] = {
    F_WINDOW("1w"), F_PROJECT, F_NAV, F_SI, F_SORT, F_LIMIT(1000, 100),
    HUB_Q_END
};
static const hub_qfield_t q_servers[] = {
    F_WINDOW("1w"), F_PROJECT, F_NAV, F_SORT, F_LIMIT(1000, 100), HUB_Q_END
};
static const hub_qfield_t q_top[] = {
    F_WINDOW("1w"), F_PROJECT, F_NAV, F_LIMIT(100, 5), HUB_Q_END
};
static const hub_qfield_t q_top_projects[] = {
    F_WINDOW("1w"), F_LIMIT(100, 5), HUB_Q_END
};
static const hub_qfield_t q_top_navigators[] = {
    F_WINDOW("1w"), F_PROJECT, F_LIMIT(100, 5), HUB_Q_END
};
static const hub_qfield_t q_nav_tools[] = {
    F_WINDOW("24h"), F_PROJECT, F_NAV, F_SI, HUB_Q_END
};
static const hub_qfield_t q_proxy[] = {
    F_WINDOW("1w"), F_PROJECT, F_NAV, HUB_Q_END
};
/* clang-format on */

static int activity(hub_req_t *hr, hub_result_t *res)
{
    const activity_t *a = hr->route->words;
    apr_array_header_t *problems = apr_array_make(hr->pool, 1,
                                                  sizeof(hub_invalid_t));
    hub_an_window_t w;
    hub_an_filters_t f;
    const char *args[NARGS], *sort, *text;
    char *filters;
    hub_rows_t *row;
    const int *keep = hub_analytics_rollup_keep(hr->r->server);
    int rc;

    if (hub_an_window_read(hr->pool, &hr->q, a->def_window, 0, &w, problems)) {
        return hub_err_invalid(res, "query", problems);
    }
    hub_an_filters_read(&hr->q, &f);
    filters = json_dumps(hub_json_own(hr->pool, hub_an_filters_json(&f)),
                         JSON_COMPACT);
    sort = a->def_sort ? hub_qv_str(&hr->q, "sort_order") : NULL;
    args[0] = hr->who->tenant_id;
    args[1] = w.window.interval;
    hub_an_filters_args(&f, args + 2);
    args[6] = sort ? sort : a->def_sort;
    args[7] = apr_ltoa(hr->pool, hub_qv_long(&hr->q, "limit"));
    args[8] = w.window.text;
    args[9] = filters ? apr_pstrdup(hr->pool, filters) : "{}";
    /* the rollups are read only where retention pruned nothing */
    args[10] = apr_itoa(hr->pool, keep[0]);
    args[11] = apr_itoa(hr->pool, keep[1]);
    free(filters);
    rc = hub_select_one(hr, res, &hub_analytics_cxl_activity_stmts[a->stmt],
                        NARGS, args, &row, "no answer");
    if (rc != DECLINED) {
        return rc;
    }
    text = hub_rows_get(row, 0, "doc");
    return hub_ok_text(res, HTTP_OK, "application/json", text, strlen(text));
}

#define ROUTE(path, summary, q, a) \
    { \
        HUB_CAYLEX, HUB_M_GET, path, activity, NULL, 0, 0, summary, \
            .need = HUB_NEED_READ, .query = q, .words = a \
    }

/* clang-format off */
const hub_route_t hub_analytics_cxl_activity_routes[] = {
    ROUTE("/analytics/tools", "Get Tools Invoked", q_tools, &a_tools),
    ROUTE("/analytics/servers", "Get Servers Used", q_servers, &a_servers),
    ROUTE("/analytics/users", "Get Users Activity", q_servers, &a_users),
    ROUTE("/analytics/top-servers", "Get Top Servers By Usage", q_top,
          &a_top_servers),
    ROUTE("/analytics/top-projects", "Get Top Projects By Usage",
          q_top_projects, &a_top_projects),
    ROUTE("/analytics/top-navigators", "Get Top Navigators By Usage",
          q_top_navigators, &a_top_navigators),
    ROUTE("/analytics/navigator-tool-connections",
          "Get Navigator-Tool Connection Matrix", q_nav_tools, &a_nav_tools),
    ROUTE("/analytics/proxy-tools", "Get Proxy Tool Counts", q_proxy,
          &a_proxy),
    ROUTE("/analytics/proxy-tools/suggest-tools", "Get Proxy Tool Suggestions",
          q_proxy, &a_suggest),
    { 0 }
};
/* clang-format on */
