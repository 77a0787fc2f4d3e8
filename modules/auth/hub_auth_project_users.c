/* Caylex's users of a project: GET /projects/{project_id}/users,
 * GET|POST|DELETE /projects/{project_id}/users/{user_id}, and
 * GET /projects/{project_id}/server-instances/status.  The rows come from
 * the one store of project users (hub_auth_links_store.c) and of projects
 * (hub_auth_projects_store.c), always in the caller's tenant.
 *
 * Decisions where the document is open:
 * - A project's users are those who completed one of its auth links
 *   (POST /invite/complete); {user_id} is their user_token_id.  An id
 *   that is no user of the project is 404 "User not found in this
 *   project"; a project that is not the tenant's is 404 "Project not
 *   found"; a malformed id is FastAPI's 422.
 * - weekly_tool_calls counts the user's tools/call requests through the
 *   gateway to this project's navigator instances in the last 7 days
 *   (mcp_calls, errors included).  weekly_queries is 0: the gateway sees
 *   tool calls, not the questions an agent was asked, so the hub records
 *   nothing it could count as a query.
 * - server_logos are the logos (null where a server has none) of the
 *   servers the user authenticated to, the latest first;
 *   last_authentication_at the latest of those authentications.  The
 *   list is the latest authenticated first, then by e-mail; search
 *   matches the e-mail, any case; server_instance_ids (repeated or
 *   comma-separated) keeps users authenticated to any of them.
 * - POST revokes the user's authentication to the instances named: the
 *   records go; revoked_server_instance_ids lists those the user had, in
 *   the order asked (the others are ignored); descope_tokens_revoked is
 *   0, as the hub holds no OAuth token of a project user.
 * - DELETE takes the user out of the project (their authentications and
 *   their completions of the project's links go too).  As Caylex deletes
 *   a user left with nothing else, a plain member (Caylex's "user")
 *   whose last project of the tenant this was, and who holds no other
 *   role in any tenant, also leaves the tenant, and their keys here are
 *   revoked at once.
 * - server-instances/status counts the project's active and paused
 *   server instances and its navigator instances.
 * - Reading needs read access, revoking write access, deleting the
 *   tenant's admin (it can end a membership). */
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_auth_links.h"
#include "hub_auth_projects.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

#define USER_NOT_FOUND "User not found in this project"

static int user_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", USER_NOT_FOUND);
}

/* ---- the list ------------------------------------------------------------ */

/* clang-format off */
static const hub_shape_t user_summary[] = {
    { "user_email", NULL, HUB_J_STRING },
    { "user_token_id", "id", HUB_J_STRING },
    { "authenticated_servers_count", NULL, HUB_J_INT },
    { "total_project_server_instances", NULL, HUB_J_INT },
    { "server_logos", NULL, HUB_J_JSON },
    { "last_authentication_at", NULL, HUB_J_STRING },
    { "weekly_queries", NULL, HUB_J_INT },
    { "weekly_tool_calls", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

static const hub_qfield_t users_query[] = {
    { "search", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the user's e-mail, any case" },
    { "server_instance_ids", HUB_Q_STRING, 0, 0, 0, 0, NULL,
      "users authenticated to any of these (repeat, or comma-separate)" },
    HUB_Q_CX_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int users_list(hub_req_t *hr, hub_result_t *res)
{
    hub_puser_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    long total;

    if (!(f.project_id = hub_param_uuid(hr, res, "project_id"))
        || hub_auth_query_uuids(hr, res, "server_instance_ids", &f.ids)) {
        return HUB_DONE;
    }
    f.search = hub_qv_str(&hr->q, "search");
    hub_qv_page(&hr->q, "size", "cursor", &f.page);
    st = hub_auth_project_users_page(hr, &f, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_auth_project_not_found(res);
    }
    total = hub_rows_page_total(rows);
    return hub_ok_page(res, hub_rows_json(rows, user_summary), total, &f.page);
}

/* ---- one user ---------------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t user_details[] = {
    { "user_email", NULL, HUB_J_STRING },
    { "servers", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* The path's project and user ids: 0, or -1 with FastAPI's 422 in res. */
static int path_ids(hub_req_t *hr, hub_result_t *res, const char **project,
                    const char **id)
{
    return (*project = hub_param_uuid(hr, res, "project_id"))
                   && (*id = hub_param_uuid(hr, res, "user_id"))
               ? 0
               : -1;
}

/* What a store call on one user found: DECLINED when the project (the
 * row's project column) and the user (its column `user`, set and not
 * "0") are there; else the error is answered. */
static int found(hub_req_t *hr, hub_result_t *res, hub_db_status_e st,
                 const hub_rows_t *row, const char *user)
{
    const char *u;
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!row->rows->nelts || !hub_rows_get(row, 0, "project")) {
        return hub_auth_project_not_found(res);
    }
    u = hub_rows_get(row, 0, user);
    if (!u || !strcmp(u, "0")) {
        return user_not_found(res);
    }
    return DECLINED;
}

static int user_get(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id;
    hub_rows_t *row = NULL;
    hub_db_status_e st;
    int rc;

    if (path_ids(hr, res, &project, &id)) {
        return HUB_DONE;
    }
    st = hub_auth_project_user_get(hr, project, id, &row);
    rc = found(hr, res, st, row, "id");
    return rc != DECLINED ? rc : hub_ok_row(res, row, user_details);
}

/* clang-format off */
static const hub_field_t revoke_in[] = {
    { "server_instance_ids", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "server instances to revoke the user's access to (1..100)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int user_revoke(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id;
    apr_array_header_t *ids;
    hub_rows_t *row = NULL;
    hub_db_status_e st;
    int rc;

    if (path_ids(hr, res, &project, &id)
        || !(ids = hub_auth_uuid_list(hr, res, "server_instance_ids"))) {
        return HUB_DONE;
    }
    st = hub_auth_project_user_revoke(hr, project, id,
                                      hub_pg_array_strv(hr->pool, ids), &row);
    if ((rc = found(hr, res, st, row, "found")) != DECLINED) {
        return rc;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00603: project %s user %s: %s authentication(s) revoked "
                  "in tenant %s by %s",
                  project, id, hub_rows_get(row, 0, "deleted"),
                  hr->who->tenant_slug, hr->who->name);
    /* clang-format off */
    return hub_ok(res, json_pack("{s:o,s:I,s:i}",
        "revoked_server_instance_ids",
        hub_pg_array_json(hub_rows_get(row, 0, "revoked")),
        "deleted_auth_count",
        (json_int_t)atol(hub_rows_get(row, 0, "deleted")),
        "descope_tokens_revoked", 0));
    /* clang-format on */
}

/* The keys a deletion revoked ("hash,hash,..."), forgotten by this
 * host's identity cache at once. */
static void forget_keys(hub_req_t *hr, const char *hashes)
{
    char *list = apr_pstrdup(hr->pool, hashes ? hashes : ""), *last, *h;
    for (h = apr_strtok(list, ",", &last); h;
         h = apr_strtok(NULL, ",", &last)) {
        hub_auth_cache_forget(hr->r, apr_pstrcat(hr->pool, "a:", h, NULL));
    }
}

static int user_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id;
    hub_rows_t *row = NULL;
    hub_db_status_e st;
    int rc;

    if (path_ids(hr, res, &project, &id)) {
        return HUB_DONE;
    }
    st = hub_auth_project_user_delete(hr, project, id, &row);
    if ((rc = found(hr, res, st, row, "id")) != DECLINED) {
        return rc;
    }
    forget_keys(hr, hub_rows_get(row, 0, "revoked"));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00604: project %s user %s deleted in tenant %s by %s%s",
                  project, id, hr->who->tenant_slug, hr->who->name,
                  strcmp(hub_rows_get(row, 0, "left_tenant"), "0")
                      ? "; the user left the tenant"
                      : "");
    return hub_ok(res, json_pack("{s:s}", "id", id));
}

/* ---- server instance status ------------------------------------------------- */

/* clang-format off */
static const hub_shape_t status_out[] = {
    { "active_server_instances", NULL, HUB_J_INT },
    { "disabled_server_instances", NULL, HUB_J_INT },
    { "active_navigator_instances", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};
/* clang-format on */

static int instances_status(hub_req_t *hr, hub_result_t *res)
{
    const char *project;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!(project = hub_param_uuid(hr, res, "project_id"))) {
        return HUB_DONE;
    }
    st = hub_auth_project_status(hr, project, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_auth_project_not_found(res);
    }
    return hub_ok_row(res, row, status_out);
}

/* ---- what the routes answer, for the served document ---------------------- */

#define USER_SUMMARY_OUT \
    HUB_DOC("ProjectUserSummary", \
            OBJ("\"user_email\":" STR ",\"user_token_id\":" STR \
                ",\"authenticated_servers_count\":" INT \
                ",\"total_project_server_instances\":" INT \
                ",\"server_logos\":" ARRAY_OF( \
                    NSTR) ",\"last_authentication_at\":" NSTR \
                          ",\"weekly_queries\":" INT \
                          ",\"weekly_tool_calls\":" INT, \
                "\"user_email\",\"user_token_id\"," \
                "\"authenticated_servers_count\"," \
                "\"total_project_server_instances\",\"server_logos\"," \
                "\"last_authentication_at\",\"weekly_queries\"," \
                "\"weekly_tool_calls\""))
#define USER_DETAILS_OUT \
    HUB_DOC("UserAuthDetails", \
            OBJ("\"user_email\":" STR ",\"servers\":" ARRAY_OF( \
                    OBJ("\"server_instance_id\":" STR ",\"server_name\":" STR \
                        ",\"logo_url\":" NSTR ",\"auth_method\":" STR \
                        ",\"authenticated_at\":" STR, \
                        "\"server_instance_id\",\"server_name\"," \
                        "\"logo_url\",\"auth_method\"," \
                        "\"authenticated_at\"")), \
                "\"user_email\",\"servers\""))
#define REVOKED_OUT \
    HUB_DOC("RevokeUserAccessResponse", \
            OBJ("\"revoked_server_instance_ids\":" STRS \
                ",\"deleted_auth_count\":" INT \
                ",\"descope_tokens_revoked\":" INT, \
                "\"revoked_server_instance_ids\",\"deleted_auth_count\"," \
                "\"descope_tokens_revoked\""))

#define USERS "/projects/{project_id}/users"

/* clang-format off */
const hub_route_t hub_auth_project_users_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, USERS, users_list, NULL, 0, 0,
      "List users with auth status and weekly metrics",
      .need = HUB_NEED_READ, .query = users_query, .wrap = HUB_WRAP_CX_PAGE,
      .doc = USER_SUMMARY_OUT },
    { HUB_CAYLEX, HUB_M_GET, USERS "/{user_id}", user_get, NULL, 0, 0,
      "Get user authentication details",
      .need = HUB_NEED_READ, .doc = USER_DETAILS_OUT },
    { HUB_CAYLEX, HUB_M_POST, USERS "/{user_id}", user_revoke, revoke_in, 0,
      0, "Revoke user access to specific server instances",
      .need = HUB_NEED_WRITE, .doc = REVOKED_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, USERS "/{user_id}", user_delete, NULL, 0, 0,
      "Delete a user from a project",
      .need = HUB_NEED_ADMIN, .doc = HUB_DOC("ModifiedUserResponse", ID_OUT) },
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}/server-instances/status",
      instances_status, NULL, 0, 0, "Get Server Instance Status",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
