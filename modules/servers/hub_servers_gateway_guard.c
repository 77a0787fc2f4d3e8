/* What stands between an agent's tools/call and the upstream (sql/024),
 * for tools the instance's permissions mark:
 *
 * - require_approval: the call is not made.  The agent gets a result
 *   that says an operator must approve it, and the request waits in
 *   tool_call_approvals (hub_servers_approvals.c lists, approves and
 *   denies).  The same call again (same caller, tool and arguments, by
 *   the SHA-256 of the arguments' canonical text) while it waits is the
 *   same request; once approved it goes through, once; once denied the
 *   agent is told so, once, and a later call asks again.
 * - rate_limit_per_minute: calls are counted per instance, tool and
 *   minute in the database (every host counts the same calls); past the
 *   limit the agent gets a result saying when to try again, and the call
 *   is not made. */
#include <apr_strings.h>
#include "hub_servers_gateway.h"
#include "hub_crypto.h"

/* clang-format off */
const hub_stmt_t hub_servers_gateway_guard_stmts[] = {
    /* an approval of this very call, used up at once */
    { "hub_gw_approval_use",
      "UPDATE tool_call_approvals SET status = 'used', used_at = now()"
      " WHERE id = (SELECT id FROM tool_call_approvals"
      "   WHERE navigator_instance_id = %s::uuid AND tenant_id = %s::uuid"
      "     AND tool_id = %s::uuid AND arguments_hash = %s"
      "     AND requested_by = %s AND status = 'approved'"
      "     AND expires_at > now()"
      "   ORDER BY decided_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
      " RETURNING id" },
    /* a denial not yet told (told now), else the request waiting, else a
     * new one */
    { "hub_gw_approval_ask",
      "WITH a AS (SELECT %s::uuid AS ni, %s::uuid AS tid, %s::uuid AS tool,"
      "                  %s::text AS hash, %s::text AS who, %s::text AS name,"
      "                  %s::jsonb AS args),"
      " denied AS ("
      "  UPDATE tool_call_approvals t SET used_at = now() FROM a"
      "   WHERE t.id = (SELECT x.id FROM tool_call_approvals x, a"
      "     WHERE x.navigator_instance_id = a.ni AND x.tenant_id = a.tid"
      "       AND x.tool_id = a.tool AND x.arguments_hash = a.hash"
      "       AND x.requested_by = a.who AND x.status = 'denied'"
      "       AND x.used_at IS NULL ORDER BY x.decided_at LIMIT 1)"
      "  RETURNING t.id, 'denied'::text AS status),"
      " waiting AS ("
      "  SELECT x.id, 'pending'::text AS status FROM tool_call_approvals x, a"
      "   WHERE x.navigator_instance_id = a.ni AND x.tenant_id = a.tid"
      "     AND x.tool_id = a.tool AND x.arguments_hash = a.hash"
      "     AND x.requested_by = a.who AND x.status = 'pending'"
      "     AND x.expires_at > now() ORDER BY x.created_at LIMIT 1),"
      " made AS ("
      "  INSERT INTO tool_call_approvals (tenant_id, navigator_instance_id,"
      "         tool_id, tool_name, arguments, arguments_hash, requested_by)"
      "  SELECT a.tid, a.ni, a.tool, a.name, a.args, a.hash, a.who FROM a"
      "   WHERE NOT EXISTS (SELECT 1 FROM denied)"
      "     AND NOT EXISTS (SELECT 1 FROM waiting)"
      "  RETURNING id, 'pending'::text AS status)"
      " SELECT id, status FROM denied UNION ALL SELECT id, status FROM waiting"
      " UNION ALL SELECT id, status FROM made" },
    /* one call more this minute; how many, and the seconds left of it */
    { "hub_gw_rate_count",
      "INSERT INTO navigator_rate_windows AS w (navigator_instance_id,"
      "       tool_id, tenant_id, minute, calls)"
      " VALUES (%s::uuid, %s::uuid, %s::uuid, date_trunc('minute', now()), 1)"
      " ON CONFLICT (navigator_instance_id, tool_id, minute)"
      " DO UPDATE SET calls = w.calls + 1"
      " RETURNING calls, ceil(extract(epoch FROM date_trunc('minute', now())"
      "          + interval '1 minute' - now()))::int AS retry_s" },
    { "hub_gw_rate_forget",
      "DELETE FROM navigator_rate_windows"
      " WHERE minute < now() - interval '10 minutes'" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_USE, ST_ASK, ST_COUNT, ST_FORGET };
#define STMT(i) (&hub_servers_gateway_guard_stmts[i])

static json_t *text_result(const char *text, int is_error)
{
    return json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text",
                     text, "isError", is_error);
}

static int approval(hub_gw_t *g, const hub_rows_t *rows, int i,
                    const char *name, json_t *args, const char *owner,
                    hub_gw_answer_t *a)
{
    char *canon = json_dumps(args ? args : json_object(),
                             JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    const char *argv[7], *id, *status;
    hub_rows_t *r;
    int n;

    if (!canon) {
        return hub_gw_fail(a, HUB_RPC_INVALID_PARAMS,
                           "Invalid params: the arguments cannot be encoded");
    }
    argv[0] = g->instance_id;
    argv[1] = g->tenant_id;
    argv[2] = hub_rows_get(rows, i, "tool_id");
    argv[3] = hub_sha256_hex(g->pool, canon, strlen(canon));
    argv[4] = owner;
    argv[5] = name;
    argv[6] = apr_pstrdup(g->pool, canon);
    free(canon);
    if (hub_db_select(g->r, STMT(ST_USE), &r, 5, argv) != HUB_DB_OK) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the approvals cannot be read now");
    }
    if (r->rows->nelts) {
        return DECLINED; /* approved: the call goes through */
    }
    if (hub_db_select(g->r, STMT(ST_ASK), &r, 7, argv) != HUB_DB_OK
        || !(n = r->rows->nelts)) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the approval cannot be asked for now");
    }
    id = hub_rows_get(r, 0, "id");
    status = hub_rows_get(r, 0, "status");
    g->rec.error_type = "approval";
    if (!strcmp(status, "denied")) {
        g->rec.error = "denied by an operator";
        a->result = text_result(
            apr_psprintf(g->pool,
                         "An operator denied this call (approval request "
                         "%s): it was not made.  Calling again asks again.",
                         id),
            1);
        return 0;
    }
    g->rec.error = "waiting for an operator's approval";
    a->result = text_result(
        apr_psprintf(g->pool,
                     "This tool needs an operator's approval before it runs. "
                     "Approval request %s is pending; the call was not made. "
                     "Call again with the same arguments once it is "
                     "approved.",
                     id),
        0);
    json_object_set_new(a->result, "_meta",
                        json_pack("{s:{s:s,s:s}}", "mod_hub/approval", "id", id,
                                  "status", "pending"));
    return 0;
}

static int rate_limit(hub_gw_t *g, const hub_rows_t *rows, int i,
                      hub_gw_answer_t *a)
{
    const char *limit = hub_rows_get(rows, i, "rate_limit_per_minute");
    const char *argv[3];
    hub_rows_t *r;

    if (!limit) {
        return DECLINED;
    }
    argv[0] = g->instance_id;
    argv[1] = hub_rows_get(rows, i, "tool_id");
    argv[2] = g->tenant_id;
    if (hub_db_select(g->r, STMT(ST_COUNT), &r, 3, argv) != HUB_DB_OK
        || !r->rows->nelts) {
        return hub_gw_fail(a, HUB_RPC_INTERNAL_ERROR,
                           "the rate limit cannot be checked now");
    }
    if (atol(hub_rows_get(r, 0, "calls")) <= atol(limit)) {
        return DECLINED;
    }
    g->rec.error_type = "rate_limit";
    g->rec.error = apr_pstrcat(g->pool, "over ", limit, " calls a minute",
                               NULL);
    a->result = text_result(apr_psprintf(g->pool,
                                         "Rate limit: this tool takes %s calls "
                                         "a minute here; try again in %s s.",
                                         limit, hub_rows_get(r, 0, "retry_s")),
                            1);
    return 0;
}

int hub_gw_guard(hub_gw_t *g, const hub_rows_t *rows, int i, const char *name,
                 json_t *args, const char *owner, hub_gw_answer_t *a)
{
    int rc;
    if (!strcmp(hub_rows_get(rows, i, "permission"), "require_approval")
        && (rc = approval(g, rows, i, name, args, owner, a)) != DECLINED) {
        return rc;
    }
    return rate_limit(g, rows, i, a);
}

void hub_gw_guard_forget(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd)
{
    hub_db_exec_on(p, s, dbd, STMT(ST_FORGET), NULL, 0, NULL);
}
