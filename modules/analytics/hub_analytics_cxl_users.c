/* Caylex's project users, as the gateway's raw call records see them:
 *
 *   GET /projects/{project_id}/users/summary              UserbaseSummaryResponse
 *   GET /projects/{project_id}/users/{user_id}/analytics  UserAnalyticsResponse
 *
 * A project's users are its project_users (sql/027: who came in through
 * one of its auth links); {user_id} is that row's id (Caylex's user
 * token id), and their calls are the mcp_calls records of the project
 * whose user_id is the user behind it.  Someone who calls the project's
 * navigators without being one of its users (an operator's own key) is
 * no user here.  The rollups have no user dimension, so everything is
 * read from raw rows, through sql/027's (tenant_id, user_id, at) index.
 * "Active" is: made a tool call (tools/call, a query included) in the
 * project.
 *
 * summary: total_users, those active in the last 7 days (weekly) and 30
 * days (monthly), inactive = total - monthly; wau_timeline has 12
 * points, one per 7-day period ending now (each at its start, oldest
 * first), each the users active in it: the last is weekly_active_users.
 * window says those 12 weeks: "12w".
 *
 * Another tenant's project (or a user of none of the caller's projects)
 * is 404. */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_analytics_window.h"
#include "hub_validate.h"

#define WAU_WEEKS "12"

/* the calls of project users: c of users u, in p (tenant, project) */
#define USER_CALLS(c) \
    " " c ".tenant_id = p.tenant AND " c ".user_id = u.user_id" \
    " AND " c ".project_id = p.project AND " c ".method = 'tools/call'"

/* a user's top navigators, tools, servers: this many */
#define TOP_N "5"
/* failed tool calls of each type, in a bucket */
#define ERR_TYPE(t) \
    " count(c.id) FILTER (WHERE NOT c.isq AND c.error_type = '" t "')" \
    " AS " t
#define ERR_TYPES \
    ERR_TYPE("auth") \
    "," ERR_TYPE("rate_limit") "," ERR_TYPE("timeout") "," ERR_TYPE( \
        "execution") "," ERR_TYPE("protocol") "," ERR_TYPE("approval")
/* errors per 100 tool calls of x (e, n), 0 without calls */
#define RATE(x) "coalesce(100.0 * " x ".e / nullif(" x ".n, 0), 0)"

/* clang-format off */
const hub_stmt_t hub_analytics_cxl_users_stmts[] = {
    { "hub_an_cx_users_summary",
      "WITH p AS (SELECT pj.tenant_id AS tenant, pj.id AS project,"
      "                  now() AS t FROM projects pj"
      "            WHERE pj.id = %s::uuid AND pj.tenant_id = %s::uuid),"
      " u AS (SELECT pu.user_id FROM project_users pu, p"
      "        WHERE pu.project_id = p.project AND pu.tenant_id = p.tenant),"
      /* each user's weeks back from now with a call, and whether one of
       * them was in the last 30 days */
      " a AS (SELECT c.user_id,"
      "              floor(extract(epoch FROM p.t - c.at) / 604800)::int"
      "              AS wk,"
      "              bool_or(c.at >= p.t - interval '30 days') AS month"
      "         FROM p, u, mcp_calls c WHERE" USER_CALLS("c")
      "          AND c.at > p.t - interval '" WAU_WEEKS " weeks'"
      "          AND c.at <= p.t"
      "        GROUP BY 1, 2)"
      " SELECT json_build_object("
      "   'success', true, 'data', json_build_object("
      "     'total_users', (SELECT count(*) FROM u),"
      "     'weekly_active_users',"
      "       (SELECT count(DISTINCT user_id) FROM a WHERE wk = 0),"
      "     'monthly_active_users',"
      "       (SELECT count(DISTINCT user_id) FROM a WHERE month),"
      "     'inactive_users', (SELECT count(*) FROM u)"
      "       - (SELECT count(DISTINCT user_id) FROM a WHERE month),"
      "     'wau_timeline', (SELECT json_agg(json_build_object("
      "         'timestamp', iso8601(p.t - (k + 1) * interval '7 days'),"
      "         'value', (SELECT count(DISTINCT user_id) FROM a"
      "                    WHERE wk = k)) ORDER BY k DESC)"
      "        FROM generate_series(0, " WAU_WEEKS " - 1) k),"
      "     'window', '" WAU_WEEKS "w', 'calculated_at', iso8601(p.t)),"
      "   'error', NULL, 'timestamp', iso8601(p.t))::text AS doc"
      "   FROM p" },
    { "hub_an_cx_user_analytics",
      "WITH p AS (SELECT pu.tenant_id AS tenant, pu.project_id AS project,"
      "                  pu.id AS pu, pu.user_id, us.email,"
      "                  " HUB_AN_T0("%s") " AS t0, now() AS t1,"
      "                  %s::interval AS step, %s::text AS win,"
      "                  %s::text AS freq"
      "             FROM project_users pu JOIN users us ON us.id = pu.user_id"
      "            WHERE pu.id = %s::uuid AND pu.project_id = %s::uuid"
      "              AND pu.tenant_id = %s::uuid),"
      " u AS (SELECT user_id FROM p),"
      " c AS (SELECT c.*, hub_step_bucket(c.at, p.step) AS b,"
      "              c.query IS NOT NULL AS isq"
      "         FROM p, u, mcp_calls c WHERE" USER_CALLS("c")
      "          AND c.at >= p.t0 AND c.at < p.t1),"
      " t AS (SELECT b.b, count(c.id) FILTER (WHERE c.isq) AS q,"
      "              count(c.id) FILTER (WHERE NOT c.isq) AS n,"
      "              count(c.id) FILTER (WHERE NOT c.isq AND NOT c.ok) AS e,"
      ERR_TYPES
      "         FROM (SELECT hub_step_buckets(p.t0, p.t1, p.step) AS b"
      "                 FROM p) b LEFT JOIN c ON c.b = b.b GROUP BY b.b),"
      " tot AS (SELECT sum(q) AS q, sum(n) AS n, sum(e) AS e FROM t),"
      " tc AS (SELECT * FROM c WHERE NOT c.isq)"
      " SELECT json_build_object('success', true, 'data', json_build_object("
      "   'user_email', p.email, 'user_token_id', p.pu,"
      "   'total_queries', tot.q, 'total_tool_calls', tot.n,"
      "   'avg_tool_calls_per_query',"
      "     coalesce(tot.n::float8 / nullif(tot.q, 0), 0),"
      "   'top_navigators', coalesce((SELECT json_agg(json_build_object("
      "       'navigator_instance_id', x.k, 'navigator_name', x.name,"
      "       'tool_count', x.n) ORDER BY x.n DESC, x.name, x.k)"
      "     FROM (SELECT tc.navigator_instance_id AS k,"
      "                  coalesce(min(nv.name), '') AS name, count(*) AS n"
      "             FROM tc LEFT JOIN navigator_instances ni"
      "                  ON ni.id = tc.navigator_instance_id"
      "                 AND ni.tenant_id = tc.tenant_id"
      "             LEFT JOIN navigators nv ON nv.id = ni.navigator_id"
      "            GROUP BY 1 ORDER BY 3 DESC, 2, 1 LIMIT " TOP_N ") x), '[]'),"
      "   'top_tools', coalesce((SELECT json_agg(json_build_object("
      "       'tool_name', x.tool_name, 'server_name', x.name,"
      "       'call_count', x.n) ORDER BY x.n DESC, x.tool_name, x.name)"
      "     FROM (SELECT tc.tool_name, coalesce(min(s.name), '') AS name,"
      "                  count(*) AS n"
      "             FROM tc LEFT JOIN servers s ON s.id = tc.server_id"
      "                  AND s.tenant_id = tc.tenant_id"
      "            WHERE tc.tool_name IS NOT NULL"
      "            GROUP BY tc.tool_name, tc.server_id"
      "            ORDER BY 3 DESC, 1, 2 LIMIT " TOP_N ") x), '[]'),"
      "   'top_servers', coalesce((SELECT json_agg(json_build_object("
      "       'server_name', x.name, 'tool_count', x.n)"
      "       ORDER BY x.n DESC, x.name)"
      "     FROM (SELECT coalesce(min(s.name), tc.server_id::text) AS name,"
      "                  count(*) AS n"
      "             FROM tc LEFT JOIN servers s ON s.id = tc.server_id"
      "                  AND s.tenant_id = tc.tenant_id"
      "            WHERE tc.server_id IS NOT NULL GROUP BY tc.server_id"
      "            ORDER BY 2 DESC, 1 LIMIT " TOP_N ") x), '[]'),"
      "   'queries_timeline', (SELECT json_agg(json_build_object("
      "       'timestamp', iso8601(b), 'value', q) ORDER BY b) FROM t),"
      "   'tool_calls_timeline', (SELECT json_agg(json_build_object("
      "       'timestamp', iso8601(b), 'value', n) ORDER BY b) FROM t),"
      "   'error_rate_data', json_build_object("
      "     'average_error_rate', " RATE("tot") ","
      "     'total_errors', tot.e, 'total_tool_calls', tot.n,"
      "     'time_series_data', (SELECT json_agg(json_build_object("
      "         'timestamp', iso8601(b), 'value', " RATE("t") ","
      "         'errors', e, 'tool_calls', n) ORDER BY b) FROM t)),"
      "   'error_types_data', json_build_object("
      "     'view_type', 'timeseries', 'frequency', p.freq,"
      "     'total_errors', tot.e,"
      "     'time_series_data', (SELECT json_agg(json_build_object("
      "         'timestamp', iso8601(b), 'auth', auth,"
      "         'rate_limit', rate_limit, 'timeout', timeout,"
      "         'execution', execution, 'protocol', protocol,"
      "         'approval', approval) ORDER BY b) FROM t)),"
      "   'window', p.win, 'frequency', p.freq,"
      "   'calculated_at', iso8601(p.t1)),"
      "   'error', NULL, 'timestamp', iso8601(p.t1))::text AS doc"
      "   FROM p, tot" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_SUMMARY, ST_ANALYTICS };
#define STMT(i) (&hub_analytics_cxl_users_stmts[i])

/* Run the document statement st with args: its one row's JSON text is
 * the answer, as the database wrote it. */
static int doc(hub_req_t *hr, hub_result_t *res, int st, int nargs,
               const char **args, const char *not_found)
{
    hub_rows_t *row;
    const char *text;
    int rc = hub_select_one(hr, res, STMT(st), nargs, args, &row, not_found);
    if (rc != DECLINED) {
        return rc;
    }
    text = hub_rows_get(row, 0, "doc");
    return hub_ok_text(res, HTTP_OK, "application/json", text, strlen(text));
}

static int users_summary(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2];
    if (!(args[0] = hub_param_uuid(hr, res, "project_id"))) {
        return HUB_DONE;
    }
    args[1] = hr->who->tenant_id;
    return doc(hr, res, ST_SUMMARY, 2, args, "Project not found");
}

/* clang-format off */
static const hub_qfield_t analytics_query[] = {
    HUB_Q_AN_WINDOW("1w"),
    { "frequency", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 20, 0, NULL,
      "Data point frequency (default: 1d)" },
    HUB_Q_END
};
/* clang-format on */

/* Caylex's default frequency is 1d, not the one hub_an_window_read
 * chooses for a window; where 1d is longer than the window (1h), the
 * chosen one stays. */
static int read_window(hub_req_t *hr, hub_result_t *res, hub_an_window_t *w)
{
    apr_array_header_t *problems = apr_array_make(hr->pool, 1,
                                                  sizeof(hub_invalid_t));
    hub_an_span_t day;

    if (hub_an_window_read(hr->pool, &hr->q, "1w", 1, w, problems)) {
        hub_err_invalid(res, "query", problems);
        return 0;
    }
    if (w->step_chosen && hub_an_span_parse(hr->pool, "1d", &day)
        && day.seconds <= w->window.seconds
        && w->window.seconds / day.seconds < HUB_AN_MAX_POINTS) {
        w->step = day;
    }
    return 1;
}

static int user_analytics(hub_req_t *hr, hub_result_t *res)
{
    const char *args[7];
    hub_an_window_t w;

    if (!(args[6] = hub_param_uuid(hr, res, "project_id"))
        || !(args[4] = hub_param_uuid(hr, res, "user_id"))
        || !read_window(hr, res, &w)) {
        return HUB_DONE;
    }
    args[0] = w.window.interval;
    args[1] = w.step.interval;
    args[2] = w.window.text;
    args[3] = w.step.text;
    args[5] = args[6];
    args[6] = hr->who->tenant_id;
    return doc(hr, res, ST_ANALYTICS, 7, args, "User not found");
}

/* clang-format off */
const hub_route_t hub_analytics_cxl_users_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}/users/summary",
      users_summary, NULL, 0, 0, "Get userbase aggregate statistics",
      .need = HUB_NEED_READ },
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}/users/{user_id}/analytics",
      user_analytics, NULL, 0, 0, "Get comprehensive user analytics",
      .need = HUB_NEED_READ, .query = analytics_query },
    { 0 }
};
/* clang-format on */
