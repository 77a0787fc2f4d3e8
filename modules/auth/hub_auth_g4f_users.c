/* G4F /admin/users: the members of the caller's tenant, for its admins.
 *
 * A user's roles[] is their membership role in this tenant, plus
 * "superuser" for a hub superuser.  POST makes the user (or finds them by
 * e-mail) and adds them to this tenant; DELETE takes them out of this
 * tenant only (hub_auth_member_remove, Caylex's too: their account and
 * other tenants stay, the API keys they hold here are revoked at once);
 * PATCH {disabled} suspends the membership here.
 *
 * An account may belong to several tenants, so what is the account's own
 * (name, password) changes here only for a user of no other tenant: an
 * admin of one tenant must not take over a member's account elsewhere.
 * The last active owner of a tenant can be neither demoted, disabled nor
 * removed. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_openapi_schema.h"
#include "hub_text.h"
#include "hub_validate.h"

/* clang-format off */
#define USER_COLUMNS \
    "u.id, coalesce(nullif(u.display_name, ''), split_part(u.email, '@', 1))" \
    " AS name, u.email, m.role, u.is_superuser, m.state = 'disabled'" \
    " AS disabled, iso8601(u.created_at) AS created_at"

/* what stops the last active owner from going: $tenant thrice */
#define NOT_LAST_OWNER(cond) \
    " AND NOT (role = 'owner' AND state = 'active' AND (" cond ")" \
    "          AND (SELECT count(*) FROM memberships o" \
    "                WHERE o.tenant_id = %s::uuid AND o.role = 'owner'" \
    "                  AND o.state = 'active') < 2)"

const hub_stmt_t hub_auth_g4f_users_stmts[] = {
    { "hub_g4f_users_list",
      "SELECT " USER_COLUMNS
      "  FROM memberships m JOIN users u ON u.id = m.user_id"
      " WHERE m.tenant_id = %s::uuid"
      "   AND (%s::text IS NULL OR u.email ILIKE %s"
      "        OR coalesce(u.display_name, '') ILIKE %s)"
      " ORDER BY u.created_at, u.id LIMIT %s::int OFFSET %s::bigint" },
    { "hub_g4f_user_get",
      "SELECT " USER_COLUMNS ","
      "       (SELECT count(*) FROM memberships o WHERE o.user_id = u.id"
      "           AND o.tenant_id <> m.tenant_id) AS other_tenants,"
      "       (SELECT count(*) FROM memberships o"
      "         WHERE o.tenant_id = m.tenant_id AND o.role = 'owner'"
      "           AND o.state = 'active') AS owners"
      "  FROM memberships m JOIN users u ON u.id = m.user_id"
      " WHERE m.tenant_id = %s::uuid AND m.user_id = %s::uuid" },
    /* the user, new or found by e-mail, and the membership, in one go; a
     * found user is not given a password by someone else's admin */
    { "hub_g4f_user_create",
      "WITH existing AS ("
      "  SELECT id FROM users WHERE lower(email) = lower(%s)),"
      " ins AS ("
      "  INSERT INTO users (email, display_name, password_hash)"
      "  SELECT %s::text, %s::text, %s::text WHERE NOT EXISTS (SELECT 1 FROM existing)"
      "  ON CONFLICT (lower(email)) DO NOTHING RETURNING id),"
      " u AS ("
      "  SELECT id, false AS reused FROM ins"
      "  UNION ALL SELECT id, true FROM existing),"
      " mem AS ("
      "  INSERT INTO memberships (tenant_id, user_id, role, state)"
      "  SELECT %s::uuid, id, %s::text, 'active' FROM u"
      "   WHERE NOT (u.reused AND %s::boolean)"
      "  ON CONFLICT (tenant_id, user_id) DO NOTHING RETURNING user_id)"
      " SELECT u.id, u.reused, EXISTS (SELECT 1 FROM mem) AS added FROM u" },
    /* role, state and the account's own fields, all or nothing */
    { "hub_g4f_user_update",
      "WITH m AS ("
      "  UPDATE memberships"
      "     SET role = coalesce(%s, role),"
      "         state = CASE %s::text WHEN 'true' THEN 'disabled'"
      "                 WHEN 'false' THEN CASE WHEN state = 'disabled'"
      "                      THEN 'active' ELSE state END"
      "                 ELSE state END,"
      "         updated_at = now()"
      "   WHERE tenant_id = %s::uuid AND user_id = %s::uuid"
      NOT_LAST_OWNER("coalesce(%s, role) <> 'owner' OR %s::text = 'true'")
      "     AND (NOT %s::boolean OR NOT EXISTS ("
      "          SELECT 1 FROM memberships x WHERE x.user_id = %s::uuid"
      "             AND x.tenant_id <> %s::uuid))"
      "  RETURNING user_id),"
      " u AS ("
      "  UPDATE users SET display_name = coalesce(%s, display_name),"
      "                   password_hash = coalesce(%s, password_hash),"
      "                   updated_at = now()"
      "    FROM m WHERE users.id = m.user_id AND %s::boolean"
      "  RETURNING users.id)"
      " SELECT (SELECT count(*) FROM m) AS updated" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_LIST, ST_GET, ST_CREATE, ST_UPDATE };
#define STMT(i) (&hub_auth_g4f_users_stmts[i])

/* clang-format off */
static const hub_shape_t user_shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "email", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "disabled", NULL, HUB_J_BOOL },
    { NULL, NULL, 0 }
};
/* clang-format on */

static json_t *user_json(const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, user_shape);
    json_t *roles = json_array();
    json_array_append_new(roles, json_string(hub_rows_get(rows, i, "role")));
    if (!strcmp(hub_rows_get(rows, i, "is_superuser"), "t")) {
        json_array_append_new(roles, json_string("superuser"));
    }
    json_object_set_new(o, "roles", roles);
    return o;
}

static int bad_request(hub_result_t *res, const char *msg)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "%s", msg);
}

static int user_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "user not found");
}

/* The one tenant role roles[] names.  Tool Hub's user, editor and
 * operator are members here; "superuser" is no tenant role: it may only
 * repeat what the user already is (is_super), so a user read can be sent
 * back as it came.  NULL, with *why set, when roles[] is not usable. */
static const char *role_of(hub_req_t *hr, json_t *roles, int is_super,
                           const char **why)
{
    /* clang-format off */
    static const char *const map[][2] = {
        { "owner", "owner" }, { "admin", "admin" }, { "member", "member" },
        { "viewer", "viewer" }, { "user", "member" }, { "editor", "member" },
        { "operator", "member" }, { NULL, NULL }
    };
    /* clang-format on */
    const char *role = NULL;
    json_t *v;
    size_t i;
    json_array_foreach(roles, i, v) {
        const char *s = json_string_value(v), *r = NULL;
        int k;
        for (k = 0; s && map[k][0] && !r; k++) {
            r = strcmp(s, map[k][0]) ? NULL : map[k][1];
        }
        if (s && !strcmp(s, "superuser")) {
            if (!is_super) {
                *why = "roles: superuser cannot be granted here";
                return NULL;
            }
            continue;
        }
        if (!r) {
            *why = apr_psprintf(hr->pool,
                                "roles[%u]: not one of owner, "
                                "admin, member, viewer (or user, editor, "
                                "operator)",
                                (unsigned)i);
            return NULL;
        }
        if (role && strcmp(role, r)) {
            *why = "roles: a user has one role in a tenant";
            return NULL;
        }
        role = r;
    }
    if (!role) {
        *why = "roles: one tenant role is required";
    }
    return role;
}

/* A sane address: the database checks only that '@' is not first. */
static int email_ok(const char *e)
{
    const char *at = e ? strchr(e, '@') : NULL;
    return at && at > e && at[1] && !strchr(at + 1, '@')
           && !e[strcspn(e, " \t\r\n<>,;\"")];
}

/* clang-format off */
static const hub_qfield_t users_query[] = {
    HUB_Q_G4F_PAGE,
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the e-mail or the name, any case" },
    HUB_Q_END
};
/* clang-format on */

static int users_list(hub_req_t *hr, hub_result_t *res)
{
    const char *q = hub_qv_str(&hr->q, "q"), *args[6];
    long limit = hub_qv_long(&hr->q, "limit");
    long offset = hub_qv_long(&hr->q, "cursor");
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    int i, n;

    args[0] = hr->who->tenant_id;
    args[1] = hub_like_contains(hr->pool, q); /* text to find, not a pattern */
    args[2] = args[3] = args[1];
    args[4] = apr_ltoa(hr->pool, limit + 1); /* one more: is there more? */
    args[5] = apr_ltoa(hr->pool, offset);
    st = hub_db_select(hr->r, STMT(ST_LIST), &rows, 6, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    n = rows->rows->nelts > limit ? (int)limit : rows->rows->nelts;
    items = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(items, user_json(rows, i));
    }
    return hub_ok(res, json_pack("{s:o,s:o}", "items", items, "next_cursor",
                                 rows->rows->nelts > limit
                                     ? json_integer(offset + limit)
                                     : json_null()));
}

/* The member `id` of the caller's tenant, or NULL rows (answered 404 by
 * the caller) when there is none; a malformed id is no member. */
static hub_db_status_e member_get(hub_req_t *hr, const char *id,
                                  hub_rows_t **rows)
{
    const char *args[2] = { hr->who->tenant_id, id };
    hub_db_status_e st;
    *rows = NULL;
    if (!hub_is_uuid(id)) {
        return HUB_DB_OK;
    }
    st = hub_db_select(hr->r, STMT(ST_GET), rows, 2, args);
    if (st == HUB_DB_OK && (*rows)->rows->nelts != 1) {
        *rows = NULL;
    }
    return st;
}

static int user_create(hub_req_t *hr, hub_result_t *res)
{
    const char *email = json_string_value(json_object_get(hr->body, "email"));
    const char *pw = json_string_value(json_object_get(hr->body, "password"));
    const char *why = NULL, *role, *args[7];
    hub_rows_t *rows, *user;
    hub_db_status_e st;

    role = role_of(hr, json_object_get(hr->body, "roles"), 0, &why);
    if (!role) {
        return bad_request(res, why);
    }
    if (!email_ok(email)) {
        return bad_request(res, "email: not an e-mail address");
    }
    if (pw && (why = hub_auth_password_weak(pw))) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "password: %s",
                       why);
    }
    args[0] = args[1] = email;
    args[2] = json_string_value(json_object_get(hr->body, "name"));
    args[3] = pw ? hub_auth_password_hash(hr->pool, pw) : NULL;
    args[4] = hr->who->tenant_id;
    args[5] = role;
    args[6] = pw ? "true" : "false";
    if (pw && !args[3]) {
        return hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
    }
    st = hub_db_select(hr->r, STMT(ST_CREATE), &rows, 7, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) { /* made by someone else just now */
        return hub_err(res, HTTP_CONFLICT, "CONFLICT",
                       "the user was being "
                       "created at the same time; try again");
    }
    if (!strcmp(hub_rows_get(rows, 0, "reused"), "t") && pw) {
        return hub_err(res, HTTP_CONFLICT, "USER_EXISTS",
                       "a user with this "
                       "email exists; their password cannot be set here");
    }
    if (strcmp(hub_rows_get(rows, 0, "added"), "t")) {
        return hub_err(res, HTTP_CONFLICT, "ALREADY_MEMBER",
                       "this user is a member of the tenant already");
    }
    st = member_get(hr, hub_rows_get(rows, 0, "id"), &user);
    if (st != HUB_DB_OK || !user) {
        return hub_err_db(res, st != HUB_DB_OK ? st : HUB_DB_ERROR, NULL,
                          hr->request_id);
    }
    return hub_ok(res, json_pack("{s:o}", "user", user_json(user, 0)));
}

static int last_owner(hub_result_t *res)
{
    return hub_err(res, HTTP_CONFLICT, "LAST_OWNER",
                   "the tenant's last "
                   "owner cannot be demoted, disabled or removed");
}

/* Would this change take away the tenant's last active owner? */
static int takes_last_owner(const hub_rows_t *m, const char *role,
                            json_t *disabled)
{
    return !strcmp(hub_rows_get(m, 0, "role"), "owner")
           && strcmp(hub_rows_get(m, 0, "disabled"), "t")
           && atoi(hub_rows_get(m, 0, "owners")) < 2
           && ((role && strcmp(role, "owner")) || json_is_true(disabled));
}

/* The checks of a PATCH that need the member as stored; DECLINED when it
 * may go on. */
static int update_allowed(hub_req_t *hr, hub_result_t *res, const hub_rows_t *m,
                          const char *role, json_t *disabled, int own)
{
    if (takes_last_owner(m, role, disabled)) {
        return last_owner(res);
    }
    if (own && !hr->who->superuser
        && strcmp(hub_rows_get(m, 0, "other_tenants"), "0")) {
        return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
                       "this user belongs "
                       "to other tenants too: only they can change their "
                       "name or password");
    }
    return DECLINED;
}

static int user_update(hub_req_t *hr, hub_result_t *res)
{
    json_t *b = hr->body, *disabled = json_object_get(b, "disabled");
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *id = hub_param(hr, "user_id"), *role = NULL, *why = NULL;
    const char *args[13], *own;
    hub_rows_t *m, *rows;
    hub_db_status_e st;
    int rc;

    if (!name && !pw && !disabled && !json_object_get(b, "roles")) {
        return bad_request(res, "one or more of name, roles, password, "
                                "disabled is required");
    }
    if ((st = member_get(hr, id, &m)) != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!m) {
        return user_not_found(res);
    }
    if (json_object_get(b, "roles")
        && !(role = role_of(hr, json_object_get(b, "roles"),
                            !strcmp(hub_rows_get(m, 0, "is_superuser"), "t"),
                            &why))) {
        return bad_request(res, why);
    }
    if (pw && (why = hub_auth_password_weak(pw))) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "password: %s",
                       why);
    }
    own = (name || pw) ? "true" : "false";
    if ((rc = update_allowed(hr, res, m, role, disabled, *own == 't'))
        != DECLINED) {
        return rc;
    }
    args[0] = role;
    args[1] = disabled ? (json_is_true(disabled) ? "true" : "false") : NULL;
    args[2] = hr->who->tenant_id;
    args[3] = id;
    args[4] = role;
    args[5] = args[1];
    args[6] = hr->who->tenant_id;
    /* a superuser may change the account of a user of several tenants */
    args[7] = hr->who->superuser ? "false" : own;
    args[8] = id;
    args[9] = hr->who->tenant_id;
    args[10] = name;
    args[11] = pw ? hub_auth_password_hash(hr->pool, pw) : NULL;
    args[12] = own;
    if (pw && !args[11]) {
        return hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
    }
    st = hub_db_select(hr->r, STMT(ST_UPDATE), &rows, 13, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (strcmp(hub_rows_get(rows, 0, "updated"), "1")) {
        /* it changed between the read and the write: say what a retry
         * would find */
        return hub_err(res, HTTP_CONFLICT, "CONFLICT",
                       "the member changed "
                       "meanwhile; try again");
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

/* clang-format off */
static const hub_field_t user_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "display name" },
    { "email", HUB_T_STRING, HUB_F_REQUIRED, 3, 254, NULL, "e-mail address" },
    { "roles", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "one of owner, admin, member, viewer (user, editor, operator: member)" },
    { "password", HUB_T_STRING, 0, 0, 1024, NULL,
      "optional; at least 10 characters" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t user_update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 200, NULL, "display name" },
    { "roles", HUB_T_ARRAY, 0, 0, 0, NULL, "the user's role in this tenant" },
    { "password", HUB_T_STRING, 0, 0, 1024, NULL, "a new password" },
    { "disabled", HUB_T_BOOLEAN, 0, 0, 0, NULL,
      "suspend (true) or restore (false) the membership" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_g4f_users_routes[] = {
    { HUB_G4F, HUB_M_GET, "/admin/users", users_list, NULL, G4F_IN, 0,
      "Notifications / Audit / Admin: GET /admin/users",
      .need = HUB_NEED_ADMIN, .query = users_query },
    { HUB_G4F, HUB_M_POST, "/admin/users", user_create, user_create_in, G4F_IN,
      0, "Notifications / Audit / Admin: POST /admin/users",
      .need = HUB_NEED_ADMIN },
    { HUB_G4F, HUB_M_PATCH, "/admin/users/{user_id}", user_update,
      user_update_in, G4F_IN, 0,
      "Notifications / Audit / Admin: PATCH /admin/users/{user_id}",
      .need = HUB_NEED_ADMIN, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_DELETE, "/admin/users/{user_id}", hub_auth_member_remove,
      NULL, G4F_IN, 0,
      "Notifications / Audit / Admin: DELETE /admin/users/{user_id}",
      .need = HUB_NEED_ADMIN },
    { 0 }
};
/* clang-format on */
