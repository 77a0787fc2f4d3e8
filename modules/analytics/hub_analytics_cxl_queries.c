/* Caylex's query logs, from the gateway's raw call records (mcp_calls):
 *
 *   GET /projects/{project_id}/query-logs        Page[QueryLogResponse]
 *   GET /queries/query-logs/{query_id}           GetQueryResponse
 *   GET /queries/query-logs/{query_id}/trace     GetQueryTrace
 *
 * A query is the record of a compact navigator's search_tools call: its
 * `query` text is set and its query_id is new (hub_gw_query_begin).  Its
 * tool calls are the tools/call records of the same tenant that carry
 * that query_id, reached a tool (server_instance_id set: a name the
 * navigator does not serve is no tool call, it stays in mcp_calls as the
 * agent's error) and are not a query themselves.  The rollups keep no
 * query id, so everything here reads raw rows, through sql/034's indexes.
 *
 * Decisions:
 * - query log: one entry per query of the project, newest first (then
 *   by id), Caylex's size/cursor pages.  num_tool_calls and num_errors
 *   count its tool calls and the failed ones; servers_invoked are the
 *   distinct servers (servers.id) they went to, in the order first
 *   called, and server_logo_urls the same servers' logos, position by
 *   position (null when a server has none or is gone).  navigator_name is
 *   the navigator's (the instance's) name, "" when it is gone.  Filters:
 *   navigator_instance_id (the query's instance), server_instance_id (a
 *   query with at least one tool call to it), timestamp__gte / __lte (the
 *   query's time, both inclusive).  Another tenant's project is 404.
 * - a query: token is null (the hub shows no credential again),
 *   created_at is the search's time and updated_at the start of its last
 *   tool call (its created_at when it has none).
 * - trace: the query; its tool calls in the order they began, in groups
 *   of calls that ran at the same time (a call that begins before every
 *   earlier call of the group has ended joins it: an agent's parallel
 *   calls), each group at its first call's time; latency is the hub's
 *   whole time for the call (gateway_ms), error_message the error the
 *   record kept; tool.server is the server with its name ("" when gone).
 *   tool_schemas is always empty: this hub's compact navigator has no
 *   get_tool_schemas meta tool (search_tools answers each tool's
 *   inputSchema).  suggest_tools holds the search itself: its id (the
 *   query's) and time.
 * - an id that is no query of the caller's tenant is 404, the same
 *   answer as an unknown one. */
#include <apr_strings.h>
#include "hub_analytics_private.h"

/* the tool calls t of query q (the record c of a search) of tenant p */
#define QUERY_CALLS(t, q, tenant) \
    " " t ".query_id = " q ".query_id AND " t ".tenant_id = " tenant " AND " t \
    ".at >= " q ".at AND " t ".query IS NULL" \
    " AND " t ".method = 'tools/call' AND " t \
    ".server_instance_id IS NOT NULL"

/* the search record c of query $1 in tenant $2 */
#define QUERY_ONE \
    "SELECT c.query_id, c.query, c.at, c.navigator_instance_id," \
    "       c.project_id, c.tenant_id FROM mcp_calls c" \
    " WHERE c.query_id = %s::uuid AND c.tenant_id = %s::uuid" \
    "   AND c.query IS NOT NULL AND c.method = 'tools/call'" \
    " ORDER BY c.at LIMIT 1"

/* the project's queries c (search records) through the filters of p; read
 * twice, for the total (sql/034's index alone) and for the page */
#define LOG_QUERIES \
    " FROM mcp_calls c, p" \
    " WHERE c.tenant_id = p.tenant AND c.project_id = p.project" \
    "   AND c.query IS NOT NULL AND c.method = 'tools/call'" \
    "   AND (p.nav IS NULL OR c.navigator_instance_id = p.nav)" \
    "   AND (p.t0 IS NULL OR c.at >= p.t0) AND (p.t1 IS NULL OR c.at <= p.t1)" \
    "   AND (p.si IS NULL OR EXISTS (SELECT 1 FROM mcp_calls t" \
    "         WHERE" QUERY_CALLS( \
        "t", "c", "p.tenant") "           AND t.server_instance_id = p.si))"

/* GetQueryResponse of q, as JSON */
#define QUERY_JSON(q, last) \
    "json_build_object('id', " q ".query_id, 'token', NULL, 'query', " q \
    ".query, 'navigator_instance_id', " q ".navigator_instance_id," \
    " 'project_id', " q ".project_id, 'created_at', iso8601(" q ".at)," \
    " 'updated_at', iso8601(coalesce(" last ", " q ".at)))"

/* clang-format off */
const hub_stmt_t hub_analytics_cxl_queries_stmts[] = {
    { "hub_an_cx_query_logs",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS project,"
      "                  %s::uuid AS nav, %s::uuid AS si,"
      "                  %s::timestamptz AS t0, %s::timestamptz AS t1),"
      " pr AS (SELECT pj.id FROM projects pj, p"
      "         WHERE pj.id = p.project AND pj.tenant_id = p.tenant),"
      " page AS (SELECT c.query_id, c.query, c.at, c.navigator_instance_id"
      LOG_QUERIES " ORDER BY c.at DESC, c.query_id DESC"
      "          LIMIT %s::bigint OFFSET %s::bigint)"
      " SELECT (SELECT count(*)" LOG_QUERIES ") AS total, x.*"
      "   FROM pr LEFT JOIN LATERAL ("
      "    SELECT q.query_id AS id, q.query, k.n AS num_tool_calls,"
      "           k.servers::text AS servers_invoked, k.logos::text AS logos,"
      "           iso8601(q.at) AS timestamp, k.e AS num_errors,"
      "           q.navigator_instance_id, coalesce(nv.name, '')"
      "           AS navigator_name"
      "      FROM page q CROSS JOIN p"
      "      LEFT JOIN navigator_instances ni"
      "             ON ni.id = q.navigator_instance_id"
      "            AND ni.tenant_id = p.tenant"
      "      LEFT JOIN navigators nv ON nv.id = ni.navigator_id"
      "            AND nv.tenant_id = p.tenant"
      /* its calls read once, by server */
      "      CROSS JOIN LATERAL ("
      "        SELECT coalesce(sum(f.n), 0) AS n, coalesce(sum(f.e), 0) AS e,"
      "               coalesce(json_agg(f.server_id ORDER BY f.first)"
      "                 FILTER (WHERE f.server_id IS NOT NULL), '[]')"
      "               AS servers,"
      "               coalesce(json_agg(s.logo_url ORDER BY f.first)"
      "                 FILTER (WHERE f.server_id IS NOT NULL), '[]') AS logos"
      "          FROM (SELECT t.server_id, min(t.at) AS first, count(*) AS n,"
      "                       count(*) FILTER (WHERE NOT t.ok) AS e"
      "                  FROM mcp_calls t"
      "                 WHERE" QUERY_CALLS("t", "q", "p.tenant")
      "                 GROUP BY t.server_id) f"
      "          LEFT JOIN servers s ON s.id = f.server_id"
      "               AND s.tenant_id = p.tenant) k"
      "     ORDER BY q.at DESC, q.query_id DESC) x ON true" },
    { "hub_an_cx_query",
      "WITH q AS (" QUERY_ONE ")"
      " SELECT " QUERY_JSON("q", "(SELECT max(t.at) FROM mcp_calls t"
      "                            WHERE" QUERY_CALLS("t", "q", "q.tenant_id")
      ")") "::text AS doc FROM q" },
    { "hub_an_cx_query_trace",
      "WITH q AS (" QUERY_ONE "),"
      /* its calls, each with the end of the latest-ending call before
       * it: one that begins after that starts a group */
      " t AS (SELECT t.*, max(t.at + t.gateway_ms * interval '1 ms')"
      "                OVER (ORDER BY t.at, t.id ROWS BETWEEN UNBOUNDED"
      "                      PRECEDING AND 1 PRECEDING) AS busy_until"
      "         FROM q, mcp_calls t WHERE" QUERY_CALLS("t", "q", "q.tenant_id")
      "),"
      " g AS (SELECT t.*, count(*) FILTER (WHERE busy_until IS NULL"
      "                                     OR t.at >= busy_until)"
      "                OVER (ORDER BY t.at, t.id) AS grp FROM t),"
      " calls AS (SELECT g.grp, min(g.at) AS first,"
      "                  json_agg(json_build_object("
      "                    'server_instance_id', g.server_instance_id,"
      "                    'tool', json_build_object('server',"
      "                        json_build_object('id', g.server_id,"
      "                                          'name', coalesce(s.name, '')),"
      "                        'name', g.tool_name),"
      "                    'latency', g.gateway_ms, 'success', g.ok,"
      "                    'error_message', g.error,"
      "                    'created_at', iso8601(g.at))"
      "                    ORDER BY g.at, g.id) AS tool_calls"
      "             FROM g LEFT JOIN servers s ON s.id = g.server_id"
      "                  AND s.tenant_id = g.tenant_id"
      "            GROUP BY g.grp)"
      " SELECT json_build_object("
      "   'query', " QUERY_JSON("q", "(SELECT max(at) FROM t)") ","
      "   'tool_call_groups', coalesce((SELECT json_agg(json_build_object("
      "        'tool_calls', tool_calls, 'created_at', iso8601(first))"
      "        ORDER BY grp) FROM calls), '[]'),"
      "   'tool_schemas', '[]'::json,"
      "   'suggest_tools', json_build_array(json_build_object("
      "        'id', q.query_id, 'created_at', iso8601(q.at))))::text AS doc"
      "   FROM q" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_LOGS, ST_QUERY, ST_TRACE };
#define STMT(i) (&hub_analytics_cxl_queries_stmts[i])

#define QUERY_NOT_FOUND "Query not found"

/* clang-format off */
static const hub_shape_t log_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "query", NULL, HUB_J_STRING },
    { "num_tool_calls", NULL, HUB_J_INT },
    { "servers_invoked", NULL, HUB_J_JSON },
    { "server_logo_urls", "logos", HUB_J_JSON },
    { "timestamp", NULL, HUB_J_STRING },
    { "num_errors", NULL, HUB_J_INT },
    { "navigator_instance_id", NULL, HUB_J_STRING },
    { "navigator_name", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t logs_query[] = {
    { "navigator_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Filter by navigator instance ID" },
    { "server_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Filter by server instance ID" },
    { "timestamp__gte", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Start timestamp (inclusive)" },
    { "timestamp__lte", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "End timestamp (inclusive)" },
    HUB_Q_CX_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int query_logs(hub_req_t *hr, hub_result_t *res)
{
    const char *args[8];
    hub_page_t pg;

    if (!(args[1] = hub_param_uuid(hr, res, "project_id"))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "size", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[2] = hub_qv_str(&hr->q, "navigator_instance_id");
    args[3] = hub_qv_str(&hr->q, "server_instance_id");
    args[4] = hub_qv_str(&hr->q, "timestamp__gte");
    args[5] = hub_qv_str(&hr->q, "timestamp__lte");
    args[6] = apr_ltoa(hr->pool, pg.limit);
    args[7] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_LOGS), 8, args, log_out, &pg,
                           "Project not found");
}

/* The one document statement st makes of the query in the path, as the
 * database wrote it (JSON text: nothing to decode and encode again). */
static int query_doc(hub_req_t *hr, hub_result_t *res, int st)
{
    const char *args[2];
    hub_rows_t *row;
    const char *doc;
    int rc;

    if (!(args[0] = hub_param_uuid(hr, res, "query_id"))) {
        return HUB_DONE;
    }
    args[1] = hr->who->tenant_id;
    rc = hub_select_one(hr, res, STMT(st), 2, args, &row, QUERY_NOT_FOUND);
    if (rc != DECLINED) {
        return rc;
    }
    doc = hub_rows_get(row, 0, "doc");
    return hub_ok_text(res, HTTP_OK, "application/json", doc, strlen(doc));
}

static int query_get(hub_req_t *hr, hub_result_t *res)
{
    return query_doc(hr, res, ST_QUERY);
}

static int query_trace(hub_req_t *hr, hub_result_t *res)
{
    return query_doc(hr, res, ST_TRACE);
}

/* clang-format off */
const hub_route_t hub_analytics_cxl_queries_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}/query-logs", query_logs,
      NULL, 0, 0, "Get Project Query Logs",
      .need = HUB_NEED_READ, .query = logs_query,
      .wrap = HUB_WRAP_CX_PAGE },
    { HUB_CAYLEX, HUB_M_GET, "/queries/query-logs/{query_id}", query_get,
      NULL, 0, 0, "Get Query Log Details",
      .need = HUB_NEED_READ },
    { HUB_CAYLEX, HUB_M_GET, "/queries/query-logs/{query_id}/trace",
      query_trace, NULL, 0, 0, "Get Query Execution Trace",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
