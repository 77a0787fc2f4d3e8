/* Patchwork MCP's teams and API keys (ApiKeyAuth), and its superuser
 * views.  A key acts in its own team: any other team's slug is 404. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_validate.h"

/* clang-format off */
const hub_stmt_t hub_auth_patchwork_stmts[] = {
    { "hub_pw_team_get",
      "SELECT name, slug, iso8601(created_at) AS created_at,"
      "       coalesce(owner_email, '') AS owner_email"
      "  FROM tenants WHERE id = %s::uuid" },
    { "hub_pw_team_rename",
      "UPDATE tenants SET name = %s, updated_at = now()"
      " WHERE id = %s::uuid AND slug = %s"
      " RETURNING name, slug, iso8601(created_at) AS created_at,"
      "           coalesce(owner_email, '') AS owner_email" },
    { "hub_pw_user_teams",
      "SELECT t.id, t.name, t.slug, m.role, iso8601(t.created_at) AS created_at"
      "  FROM users u"
      "  LEFT JOIN memberships m ON m.user_id = u.id AND m.state = 'active'"
      "  LEFT JOIN tenants t ON t.id = m.tenant_id"
      " WHERE lower(u.email) = lower(%s)"
      " ORDER BY t.created_at, t.slug" },
    { NULL, NULL }
};
/* clang-format on */

static const hub_shape_t team_out[] = {
    { "name", NULL, HUB_J_STRING },
    { "slug", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "owner_email", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t user_team_out[] = {
    { "name", NULL, HUB_J_STRING },
    { "slug", NULL, HUB_J_STRING },
    { "role", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t key_out[] = {
    { "uuid", "id", HUB_J_STRING },
    { "description", "name", HUB_J_STRING },
    { "is_prod", NULL, HUB_J_BOOL },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

/* The {slug} of the path must be the caller's own team: checked in the
 * operations, since it depends on the path, not on the caller alone. */
static int own_team(hub_req_t *hr)
{
    const char *slug = hub_param(hr, "slug");
    return slug && hr->who->tenant_slug && !strcmp(slug, hr->who->tenant_slug);
}

static int team_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Team not found");
}

static int teams_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(hr->r, &hub_auth_patchwork_stmts[0],
                                       &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok_rows(res, rows, NULL);
}

static int team_update(hub_req_t *hr, hub_result_t *res)
{
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!own_team(hr)) {
        return team_not_found(res);
    }
    args[0] = json_string_value(json_object_get(hr->body, "name"));
    args[1] = hr->who->tenant_id;
    args[2] = hr->who->tenant_slug;
    st = hub_db_select(hr->r, &hub_auth_patchwork_stmts[1], &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return team_not_found(res);
    }
    return hub_ok_row(res, rows, NULL);
}

static int keys_list(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!own_team(hr)) {
        return team_not_found(res);
    }
    st = hub_auth_keys_list(hr, hr->who->tenant_id, 1, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok_rows(res, rows, NULL);
}

static int key_create(hub_req_t *hr, hub_result_t *res)
{
    hub_key_new_t k = { 0 };
    if (!own_team(hr)) {
        return team_not_found(res);
    }
    k.name = json_string_value(json_object_get(hr->body, "description"));
    k.is_prod = json_is_true(json_object_get(hr->body, "is_prod"));
    /* a Patchwork key is a team key: it may do what the team may */
    k.scopes = HUB_SCOPE_ADMIN;
    return hub_auth_key_issue(hr, res, &k, key_out, "raw_key");
}

static int key_revoke(hub_req_t *hr, hub_result_t *res)
{
    if (!own_team(hr)) {
        return team_not_found(res);
    }
    return hub_auth_key_revoke(hr, res);
}

/* The teams of a user, for the superuser views, or NULL with the error in
 * res.  No rows: the user is in no team (the left joins give one row of
 * NULLs for such a user, and none for no such user). */
static hub_rows_t *user_teams(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hub_param(hr, "email") };
    hub_rows_t *rows;
    hub_db_status_e st;
    st = hub_db_select(hr->r, &hub_auth_patchwork_stmts[2], &rows, 1, args);
    if (st != HUB_DB_OK) {
        hub_err_db(res, st, NULL, hr->request_id);
        return NULL;
    }
    if (rows->rows->nelts == 0) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "User not found");
        return NULL;
    }
    if (!hub_rows_get(rows, 0, "slug")) {
        rows->rows->nelts = 0;
    }
    return rows;
}

static int admin_user_teams(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows = user_teams(hr, res);
    return rows ? hub_ok_rows(res, rows, NULL) : HUB_DONE;
}

static int admin_user_team_keys(hub_req_t *hr, hub_result_t *res)
{
    const char *slug = hub_param(hr, "slug"), *tenant = NULL;
    hub_rows_t *rows = user_teams(hr, res), *keys;
    hub_db_status_e st;
    int i;
    if (!rows) {
        return HUB_DONE;
    }
    for (i = 0; i < rows->rows->nelts && !tenant; i++) {
        if (!strcmp(hub_rows_get(rows, i, "slug"), slug)) {
            tenant = hub_rows_get(rows, i, "id");
        }
    }
    if (!tenant) {
        return team_not_found(res);
    }
    st = hub_auth_keys_list(hr, tenant, 1, &keys);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok_rows(res, keys, NULL);
}

static const hub_field_t team_update_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "new team name" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t key_create_in[] = {
    { "description", HUB_T_STRING, 0, 0, 200, NULL, "what the key is for" },
    { "is_prod", HUB_T_BOOLEAN, 0, 0, 0, NULL, "a production key" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* clang-format off */
const hub_route_t hub_auth_patchwork_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/teams/", teams_list, NULL, 0, 0,
      "List teams",
      .need = HUB_NEED_ANY, .shape = team_out },
    { HUB_PATCHWORK, HUB_M_PATCH, "/api/v1/teams/{slug}/", team_update,
      team_update_in, 0, 0, "Update team name",
      .need = HUB_NEED_ADMIN, .shape = team_out },
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/teams/{slug}/api-keys/", keys_list,
      NULL, 0, 0, "List API keys",
      .need = HUB_NEED_ANY, .shape = key_out },
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/teams/{slug}/api-keys/", key_create,
      key_create_in, 0, 0, "Create API key",
      .need = HUB_NEED_ADMIN, .status = 201 },
    { HUB_PATCHWORK, HUB_M_DELETE, "/api/v1/teams/{slug}/api-keys/{key_uuid}/",
      key_revoke, NULL, 0, 0, "Revoke API key",
      .need = HUB_NEED_ADMIN, .words = &hub_auth_revoke_patchwork },
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/admin/users/{email}/teams/",
      admin_user_teams, NULL, 0, 0, "List user's teams (superuser)",
      .need = HUB_NEED_SUPERUSER, .shape = user_team_out },
    { HUB_PATCHWORK, HUB_M_GET,
      "/api/v1/admin/users/{email}/teams/{slug}/api-keys/",
      admin_user_team_keys, NULL, 0, 0,
      "List user's team API keys (superuser)",
      .need = HUB_NEED_SUPERUSER, .shape = key_out },
    { 0 }
};
/* clang-format on */
