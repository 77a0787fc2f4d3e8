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

#define WAU_WEEKS "12"

/* the calls of project users: c of users u, in p (tenant, project) */
#define USER_CALLS(c) \
    " " c ".tenant_id = p.tenant AND " c ".user_id = u.user_id" \
    " AND " c ".project_id = p.project AND " c ".method = 'tools/call'"

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
    { NULL, NULL }
};
/* clang-format on */

enum { ST_SUMMARY };
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
const hub_route_t hub_analytics_cxl_users_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}/users/summary",
      users_summary, NULL, 0, 0, "Get userbase aggregate statistics",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
