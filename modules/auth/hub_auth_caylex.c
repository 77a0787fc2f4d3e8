/* Caylex's tenancy: the caller's tenant and its members.
 *
 * A member is a membership of the caller's tenant; its id is the user's
 * id.  Caylex knows three roles (admin, user, viewer), the hub four:
 * owner and admin both show as "admin", member as "user".  Decisions
 * where the document is open:
 * - GET /tenants: `descope_id` is the tenant's external id, which is its
 *   slug here (its id is accepted too); any other value is 404, so the
 *   answer never says whether some other tenant has it.  `enabled` is
 *   true: a tenant whose credentials work is enabled.
 * - Members are managed by admins (is_admin); listing them too, as the
 *   document says.  Nobody may remove or demote the last active owner;
 *   setting "admin" on an owner keeps the owner an owner (Caylex cannot
 *   name ownership, so it cannot take it away by saying "admin").
 * - PATCH name and timezone are the tenant's view of the member (stored
 *   on the membership): an admin of one tenant cannot rename a user in
 *   another.  A null clears them; a null role changes nothing.
 * - DELETE is hub_auth_member_remove (hub_auth_members.c), G4F's too:
 *   the membership goes (the user stays, with their other tenants) and
 *   that user's API keys in this tenant are revoked at once; their
 *   sessions and tokens stop resolving to this tenant once the identity
 *   cache forgets them (HubAuthCacheTTL).
 * - Approving a member who is not pending is 400 "Member is already
 *   approved"; search needs a non-empty email or name. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

/* clang-format off */
#define MEMBER_COLS(m, u) \
    u ".id, " u ".email," \
    " coalesce(" m ".display_name, " u ".display_name) AS name," \
    " CASE " m ".role WHEN 'member' THEN 'user' WHEN 'viewer' THEN 'viewer'" \
    "      ELSE 'admin' END AS role," \
    " iso8601(" m ".confirmed_at) AS confirmed_at," \
    " " m ".timezone AS timezone," \
    " iso8601(" m ".created_at) AS created_at," \
    " iso8601(" m ".updated_at) AS updated_at"

/* The tenant's active owners other than the target, locked: two admins
 * demoting the last two owners at once wait for each other, and the
 * second sees the first one's change (PostgreSQL re-checks locked rows),
 * so a tenant never ends up without an owner. */
#define OTHER_OWNERS \
    " owners AS (SELECT user_id FROM memberships" \
    "             WHERE tenant_id = %s::uuid AND role = 'owner'" \
    "               AND state = 'active' FOR UPDATE)"

const hub_stmt_t hub_auth_caylex_stmts[] = {
    { "hub_cx_tenant_get",
      "SELECT id, name, slug AS descope_id, true AS enabled FROM tenants"
      " WHERE id = %s::uuid AND (slug = %s OR id::text = lower(%s))" },
    { "hub_cx_members_page",
      "WITH f AS ("
      "  SELECT " MEMBER_COLS("m", "u") ", m.created_at AS created_ts"
      "    FROM memberships m JOIN users u ON u.id = m.user_id"
      "   WHERE m.tenant_id = %s::uuid"
      "     AND (%s::boolean IS NULL OR (m.state = 'active') = %s::boolean)"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(u.email), lower(%s::text)) > 0)"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(coalesce(m.display_name, u.display_name,"
      "                                   '')), lower(%s::text)) > 0))"
      " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY"
      "   CASE WHEN %s::text = 'email_asc' THEN lower(f.email) END ASC,"
      "   CASE WHEN %s::text = 'email_desc' THEN lower(f.email) END DESC,"
      "   CASE WHEN %s::text = 'created_asc' THEN f.created_ts END ASC,"
      "   f.created_ts DESC, f.id"
      "   LIMIT %s::bigint OFFSET %s::bigint) p ON true" },
    /* args: tenant (owners), role x3, tenant, member, set name, name,
     * set timezone, timezone, tenant */
    { "hub_cx_member_update",
      "WITH" OTHER_OWNERS ","
      " target AS ("
      "  SELECT user_id, role, state,"
      "         CASE WHEN %s::text IS NULL THEN role"
      "              WHEN role = 'owner' AND %s::text = 'admin' THEN 'owner'"
      "              ELSE %s::text END AS new_role"
      "    FROM memberships WHERE tenant_id = %s::uuid AND user_id = %s::uuid),"
      " verdict AS ("
      "  SELECT t.*, (t.role = 'owner' AND t.state = 'active'"
      "               AND t.new_role <> 'owner'"
      "               AND (SELECT count(*) FROM owners o"
      "                     WHERE o.user_id <> t.user_id) = 0) AS last_owner"
      "    FROM target t),"
      " upd AS ("
      "  UPDATE memberships m SET role = v.new_role,"
      "         display_name = CASE WHEN %s::boolean THEN %s"
      "                             ELSE m.display_name END,"
      "         timezone = CASE WHEN %s::boolean THEN %s ELSE m.timezone END,"
      "         updated_at = now()"
      "    FROM verdict v"
      "   WHERE m.tenant_id = %s::uuid AND m.user_id = v.user_id"
      "     AND NOT v.last_owner"
      "  RETURNING m.*)"
      " SELECT v.last_owner, " MEMBER_COLS("m", "u")
      "   FROM verdict v LEFT JOIN upd m ON true"
      "   LEFT JOIN users u ON u.id = m.user_id" },
    /* args: tenant, member, role, tenant.  `state = 'pending'` in the
     * UPDATE is checked again on the locked row: of two approvals at
     * once, the second finds nothing to do. */
    { "hub_cx_member_approve",
      "WITH target AS ("
      "  SELECT user_id, state FROM memberships"
      "   WHERE tenant_id = %s::uuid AND user_id = %s::uuid),"
      " upd AS ("
      "  UPDATE memberships m SET state = 'active', role = %s,"
      "         updated_at = now()"
      "    FROM target t"
      "   WHERE m.tenant_id = %s::uuid AND m.user_id = t.user_id"
      "     AND m.state = 'pending'"
      "  RETURNING m.*)"
      " SELECT t.state AS old_state, " MEMBER_COLS("m", "u")
      "   FROM target t LEFT JOIN upd m ON true"
      "   LEFT JOIN users u ON u.id = m.user_id" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_TENANT, ST_PAGE, ST_UPDATE, ST_APPROVE };

/* clang-format off */
static const hub_shape_t cx_tenant[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "descope_id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "enabled", NULL, HUB_J_BOOL | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

static const hub_shape_t cx_member[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "email", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "name", NULL, HUB_J_STRING },
    { "role", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "confirmed_at", NULL, HUB_J_STRING },
    { "timezone", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* ---- GET /tenants ------------------------------------------------------- */

/* clang-format off */
static const hub_qfield_t tenant_query[] = {
    { "descope_id", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "the tenant's external id (its slug) or its id" },
    HUB_Q_END
};
/* clang-format on */

static int tenant_get(hub_req_t *hr, hub_result_t *res)
{
    const char *descope = hub_qv_str(&hr->q, "descope_id");
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;

    args[0] = hr->who->tenant_id;
    args[1] = args[2] = descope;
    st = hub_db_select(hr->r, &hub_auth_caylex_stmts[ST_TENANT], &rows, 3,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Tenant not found");
    }
    return hub_ok_row(res, rows, cx_tenant);
}

/* ---- members ------------------------------------------------------------ */

/* Caylex's document words its refusal per verb ("Only admin users can
 * view tenant members"), which a row's need cannot say: these routes say
 * HUB_NEED_ANY and ask here.  0 when the caller is an admin. */
static int only_admins(hub_req_t *hr, hub_result_t *res, const char *verb)
{
    if (hub_principal_is_admin(hr->who)) {
        return 0;
    }
    hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
            "Only admin users can %s tenant members", verb);
    return 1;
}

static int member_not_found(hub_result_t *res, const char *id)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "Tenant member with id %s not found", id);
}

static const char *const sorts[] = { "email_desc", "email_asc", "created_desc",
                                     "created_asc", NULL };

/* clang-format off */
#define MEMBERS_FILTERS \
    { "sort", HUB_Q_ENUM, 0, 0, 0, 0, sorts, "default created_desc" }, \
    { "confirmed", HUB_Q_BOOL, 0, 0, 0, 0, NULL, \
      "active members only (true) or pending ones only (false)" }, \
    HUB_Q_CX_PAGE

static const hub_qfield_t members_query[] = { MEMBERS_FILTERS, HUB_Q_END };
static const hub_qfield_t members_search_query[] = {
    { "email", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "part of the email, any case" },
    { "name", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "part of the name, any case" },
    MEMBERS_FILTERS, HUB_Q_END
};
/* clang-format on */

/* GET /members and /members/search; email/name NULL: no such filter. */
static int members_page(hub_req_t *hr, hub_result_t *res, const char *email,
                        const char *name)
{
    const char *args[12], *sort = hub_qv_str(&hr->q, "sort"), *confirmed;
    hub_page_t pg;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    confirmed = !hub_qv_given(&hr->q, "confirmed") ? NULL
                : hub_qv_long(&hr->q, "confirmed") ? "true"
                                                   : "false";
    args[0] = hr->who->tenant_id;
    args[1] = args[2] = confirmed;
    args[3] = args[4] = email;
    args[5] = args[6] = name;
    args[7] = args[8] = args[9] = sort ? sort : "created_desc";
    args[10] = apr_ltoa(hr->pool, pg.limit);
    args[11] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, &hub_auth_caylex_stmts[ST_PAGE], 12, args,
                           cx_member, &pg, NULL);
}

static int members_list(hub_req_t *hr, hub_result_t *res)
{
    if (only_admins(hr, res, "view")) {
        return HUB_DONE;
    }
    return members_page(hr, res, NULL, NULL);
}

static int members_search(hub_req_t *hr, hub_result_t *res)
{
    const char *email = hub_qv_str(&hr->q, "email");
    const char *name = hub_qv_str(&hr->q, "name");
    if (only_admins(hr, res, "search")) {
        return HUB_DONE;
    }
    if (!email && !name) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "At least one of 'email' or 'name' query parameter "
                       "is required");
    }
    return members_page(hr, res, email, name);
}

/* Caylex's role names as the hub stores them. */
static const char *hub_role(const char *cx_role)
{
    if (!cx_role) {
        return NULL;
    }
    return !strcmp(cx_role, "user") ? "member" : cx_role;
}

/* A body field the caller named: *set, and its text or NULL for null. */
static void body_field(hub_req_t *hr, const char *name, const char **set,
                       const char **val)
{
    json_t *v = json_object_get(hr->body, name);
    *set = v ? "true" : "false";
    *val = json_string_value(v);
}

static int last_owner(hub_result_t *res, const char *what)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                   "Cannot %s the last owner of the tenant", what);
}

static int member_update(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "member_id"), *args[11], *role;
    hub_rows_t *rows;
    hub_db_status_e st;

    if (only_admins(hr, res, "update")) {
        return HUB_DONE;
    }
    if (!hub_is_uuid(id)) {
        return member_not_found(res, id);
    }
    role = hub_role(json_string_value(json_object_get(hr->body, "role")));
    args[0] = args[4] = args[10] = hr->who->tenant_id;
    args[1] = args[2] = args[3] = role;
    args[5] = id;
    body_field(hr, "name", &args[6], &args[7]);
    body_field(hr, "timezone", &args[8], &args[9]);
    st = hub_db_select(hr->r, &hub_auth_caylex_stmts[ST_UPDATE], &rows, 11,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return member_not_found(res, id);
    }
    if (!strcmp(hub_rows_get(rows, 0, "last_owner"), "t")) {
        return last_owner(res, "demote");
    }
    return hub_ok_row(res, rows, cx_member);
}

static int member_approve(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "member_id"), *args[4];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (only_admins(hr, res, "approve")) {
        return HUB_DONE;
    }
    if (!hub_is_uuid(id)) {
        return member_not_found(res, id);
    }
    args[0] = args[3] = hr->who->tenant_id;
    args[1] = id;
    args[2] = json_string_value(json_object_get(hr->body, "role"));
    st = hub_db_select(hr->r, &hub_auth_caylex_stmts[ST_APPROVE], &rows, 4,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return member_not_found(res, id);
    }
    if (!hub_rows_get(rows, 0, "id")) { /* nothing was pending */
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Member is already approved");
    }
    return hub_ok_row(res, rows, cx_member);
}

static const char *const cx_roles[] = { "admin", "user", "viewer", NULL };
static const char *const approve_roles[] = { "admin", "member", NULL };

/* clang-format off */
static const hub_field_t member_update_in[] = {
    { "name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "the member's name in this tenant; null clears it" },
    { "role", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, cx_roles,
      "admin | user | viewer; null keeps it" },
    { "timezone", HUB_T_STRING, HUB_F_NULLABLE, 1, 64, NULL,
      "IANA name, e.g. Europe/Paris; null clears it" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t member_approve_in[] = {
    { "role", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, approve_roles,
      "admin | member" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* the spec's names of what the routes answer (their shapes above) */
#define TENANT_OUT HUB_DOC_ONE("GetTenantResponse", NULL)
#define MEMBER_OUT HUB_DOC("TenantUserResponse", NULL)
/* hub_auth_member_remove */
#define MEMBER_GONE_OUT \
    HUB_DOC("DeleteTenantUserResponse", \
            OBJ("\"id\":" STR ",\"message\":" STR, "\"id\",\"message\""))

#define CX_IN (HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_caylex_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/tenants", tenant_get, NULL, CX_IN, 0,
      "Get Current Tenant Information",
      .need = HUB_NEED_READ, .query = tenant_query,
      .shape = cx_tenant, .doc = TENANT_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/members", members_list, NULL, CX_IN, 0,
      "Get Tenant Members",
      .need = HUB_NEED_ANY, .query = members_query,
      .wrap = HUB_WRAP_CX_PAGE, .shape = cx_member, .doc = MEMBER_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/members/search", members_search, NULL, CX_IN,
      0, "Search Tenant Members",
      .need = HUB_NEED_ANY, .query = members_search_query,
      .wrap = HUB_WRAP_CX_PAGE, .shape = cx_member, .doc = MEMBER_OUT },
    { HUB_CAYLEX, HUB_M_PATCH, "/members/{member_id}", member_update,
      member_update_in, CX_IN, 0, "Update Tenant Member",
      .need = HUB_NEED_ANY, .shape = cx_member, .doc = MEMBER_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, "/members/{member_id}",
      hub_auth_member_remove, NULL, CX_IN, 0, "Delete Tenant Member",
      .need = HUB_NEED_ANY, .doc = MEMBER_GONE_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/members/{member_id}/approve", member_approve,
      member_approve_in, CX_IN, 0, "Approve Tenant Member",
      .need = HUB_NEED_ANY, .shape = cx_member, .doc = MEMBER_OUT },
    { 0 }
};
/* clang-format on */
