/* The approval queue of a navigator instance (sql/024; a hub extension
 * under Caylex's /navigator-instances, where the tool permissions that
 * ask for approvals are set):
 *
 *   GET  /navigator-instances/{id}/approvals[?status=pending|...]
 *   POST /navigator-instances/{id}/approvals/{approval_id}/approve
 *   POST /navigator-instances/{id}/approvals/{approval_id}/deny
 *
 * A request is made by the gateway when an agent calls a
 * require_approval tool (hub_servers_gateway_guard.c); an approved one
 * lets that same call through once.  Listing needs read access, deciding
 * write access; only a pending request that has not expired can be
 * decided (409 otherwise), and another tenant's or an unknown one is
 * 404. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"

#define COLS \
    "a.id, a.navigator_instance_id, a.tool_id, a.tool_name," \
    " a.arguments::text AS arguments," \
    " CASE WHEN a.status = 'pending' AND a.expires_at <= now()" \
    "      THEN 'expired' ELSE a.status END AS status," \
    " a.requested_by, a.decided_by, iso8601(a.decided_at) AS decided_at," \
    " iso8601(a.used_at) AS used_at, iso8601(a.created_at) AS created_at," \
    " iso8601(a.expires_at) AS expires_at"

/* clang-format off */
const hub_stmt_t hub_servers_approvals_stmts[] = {
    /* no row: no such instance */
    { "hub_srv_approvals_page",
      "WITH ni AS (SELECT id FROM navigator_instances"
      "             WHERE id = %s::uuid AND tenant_id = %s::uuid),"
      " f AS (SELECT " COLS ", a.created_at AS at FROM ni"
      "         JOIN tool_call_approvals a ON a.navigator_instance_id = ni.id)"
      " SELECT (SELECT count(*) FROM f WHERE %s::text IS NULL"
      "                                   OR f.status = %s) AS total, x.*"
      "   FROM ni LEFT JOIN LATERAL (SELECT * FROM f"
      "     WHERE %s::text IS NULL OR f.status = %s"
      "     ORDER BY f.at DESC, f.id DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    /* decided only while pending; the row as it is either way (the
     * outer select would see it as it was before the update) */
    { "hub_srv_approvals_decide",
      "WITH d AS (UPDATE tool_call_approvals a SET status = %s,"
      "                  decided_by = %s, decided_at = now()"
      "            WHERE a.id = %s::uuid AND a.navigator_instance_id = %s::uuid"
      "              AND a.tenant_id = %s::uuid AND a.status = 'pending'"
      "              AND a.expires_at > now()"
      "           RETURNING " COLS "),"
      " cur AS (SELECT " COLS " FROM tool_call_approvals a"
      "          WHERE a.id = %s::uuid AND a.navigator_instance_id = %s::uuid"
      "            AND a.tenant_id = %s::uuid)"
      " SELECT 1 AS decided, d.* FROM d"
      " UNION ALL SELECT 0, cur.* FROM cur WHERE NOT EXISTS (SELECT 1 FROM d)" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_PAGE, ST_DECIDE };
#define STMT(i) (&hub_servers_approvals_stmts[i])

/* clang-format off */
static const hub_shape_t approval_out[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "navigator_instance_id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "tool_id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "tool_name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "arguments", NULL, HUB_J_JSON },
    { "status", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "requested_by", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "decided_by", NULL, HUB_J_STRING },
    { "decided_at", NULL, HUB_J_STRING },
    { "used_at", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "expires_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

static const char *const statuses[] = {
    "pending", "approved", "denied", "used", "expired", NULL
};
static const hub_qfield_t list_query[] = {
    { "status", HUB_Q_ENUM, 0, 0, 0, 0, statuses, "all when absent" },
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
/* clang-format on */

static int approvals_list(hub_req_t *hr, hub_result_t *res)
{
    const char *status = hub_qv_str(&hr->q, "status");
    const char *args[8];
    hub_page_t pg;

    if (!(args[0] = hub_param_uuid(hr, res, "navigator_instance_id"))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "size", "cursor", &pg);
    args[1] = hr->who->tenant_id;
    args[2] = args[3] = args[4] = args[5] = status;
    args[6] = apr_ltoa(hr->pool, pg.limit);
    args[7] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_PAGE), 8, args, approval_out, &pg,
                           "Navigator instance not found");
}

static int decide(hub_req_t *hr, hub_result_t *res, const char *to)
{
    const char *args[8];
    hub_rows_t *row;

    if (!(args[3] = hub_param_uuid(hr, res, "navigator_instance_id"))
        || !(args[2] = hub_param_uuid(hr, res, "approval_id"))) {
        return HUB_DONE;
    }
    args[0] = to;
    args[1] = hr->who->name;
    args[4] = hr->who->tenant_id;
    args[5] = args[2];
    args[6] = args[3];
    args[7] = args[4];
    if (hub_select_one(hr, res, STMT(ST_DECIDE), 8, args, &row,
                       "Approval request not found")
        != DECLINED) {
        return HUB_DONE;
    }
    if (strcmp(hub_rows_get(row, 0, "decided"), "1")) {
        return hub_err(res, HTTP_CONFLICT, "CONFLICT",
                       "Approval request is %s, not pending",
                       hub_rows_get(row, 0, "status"));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00585: navigator instance %s: tool call %s %s in "
                  "tenant %s by %s",
                  args[3], args[2], to, hr->who->tenant_slug, hr->who->name);
    return hub_ok_row(res, row, approval_out);
}

static int approve(hub_req_t *hr, hub_result_t *res)
{
    return decide(hr, res, "approved");
}

static int deny(hub_req_t *hr, hub_result_t *res)
{
    return decide(hr, res, "denied");
}

/* approval_out, by a name of its own */
#define APPROVAL_OUT HUB_DOC("ToolCallApproval", NULL)

#define APPROVALS "/navigator-instances/{navigator_instance_id}/approvals"

/* clang-format off */
const hub_route_t hub_servers_approvals_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, APPROVALS, approvals_list, NULL, 0, 0,
      "List Tool Call Approvals (hub extension)",
      .need = HUB_NEED_READ, .query = list_query, .wrap = HUB_WRAP_CX_PAGE,
      .shape = approval_out, .doc = APPROVAL_OUT },
    { HUB_CAYLEX, HUB_M_POST, APPROVALS "/{approval_id}/approve", approve,
      NULL, 0, 0, "Approve a Tool Call (hub extension)",
      .need = HUB_NEED_WRITE, .shape = approval_out, .doc = APPROVAL_OUT },
    { HUB_CAYLEX, HUB_M_POST, APPROVALS "/{approval_id}/deny", deny,
      NULL, 0, 0, "Deny a Tool Call (hub extension)",
      .need = HUB_NEED_WRITE, .shape = approval_out, .doc = APPROVAL_OUT },
    { 0 }
};
/* clang-format on */
