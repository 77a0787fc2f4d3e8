/* G4F's projects: the same rows as Caylex's, from the one store
 * (hub_auth_projects_store.c), in G4F's shapes.
 *
 * Decisions where the document is open:
 * - status is one of active (the default), paused, archived; environment
 *   is free text (1..64 characters) or null; repo is a JSON object such
 *   as {"url": ..., "branch": ...} or null; last_commit is null until the
 *   repository endpoints write it; stats is {} until sessions, runs and
 *   deployments exist to count.
 * - GET /projects: `limit` 1..200 (default 50), `cursor` the offset the
 *   previous page's `next_cursor` gave (an integer, null on the last
 *   page), `q` in name or description (any case), `status` and
 *   `environment` exact; newest first.
 * - POST answers 200 {"project"} as documented; a name already used in
 *   the tenant is 409 CONFLICT; PATCH needs at least one field.
 * - An unknown, malformed or another tenant's id is 404 NOT_FOUND. */
#include <apr_strings.h>
#include "hub_auth_projects.h"
#include "hub_validate.h"

/* clang-format off */
static const hub_shape_t g4f_project[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_JSON },
    { "status", NULL, HUB_J_STRING },
    { "environment", NULL, HUB_J_JSON },
    { "last_commit", NULL, HUB_J_JSON },
    { "repo", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static const char *const statuses[] = { "active", "paused", "archived", NULL };

static json_t *project_json(const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, g4f_project);
    json_object_set_new(o, "stats", json_object());
    return o;
}

static int not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "project not found");
}

static int g4f_db_fail(hub_req_t *hr, hub_result_t *res, hub_db_status_e st)
{
    return hub_err_db(res, st, "a project with this name already exists",
                      hr->request_id);
}

/* clang-format off */
static const hub_qfield_t list_query[] = {
    HUB_Q_G4F_PAGE,
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the name or description, any case" },
    { "status", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, statuses,
      "active | paused | archived" },
    { "environment", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "exactly this environment" },
    HUB_Q_END
};
/* clang-format on */

static int projects_list(hub_req_t *hr, hub_result_t *res)
{
    hub_project_filter_t f = { 0 };
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    f.limit = pg.limit;
    f.offset = pg.offset;
    f.q = hub_qv_str(&hr->q, "q");
    f.status = hub_qv_str(&hr->q, "status");
    f.environment = hub_qv_str(&hr->q, "environment");
    st = hub_auth_projects_page(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, project_json(rows, i));
    }
    return hub_ok_page(res, items, total, &pg);
}

/* clang-format off */
static const hub_field_t project_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "project name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "status", HUB_T_STRING, 0, 0, 0, statuses,
      "active (default) | paused | archived" },
    { "environment", HUB_T_STRING, HUB_F_NULLABLE, 1, 64, NULL,
      "e.g. development, staging, production" },
    { "repo", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "e.g. {\"url\": ..., \"branch\": ...}" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t project_update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 200, NULL, "project name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL,
      "null clears it" },
    { "status", HUB_T_STRING, 0, 0, 0, statuses,
      "active | paused | archived" },
    { "environment", HUB_T_STRING, HUB_F_NULLABLE, 1, 64, NULL,
      "null clears it" },
    { "repo", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL, "null clears it" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int project_create(hub_req_t *hr, hub_result_t *res)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    hub_auth_project_in(hr->pool, hr->body, project_create_in, &in);
    st = hub_auth_project_create(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return g4f_db_fail(hr, res, st);
    }
    return hub_ok(res, json_pack("{s:o}", "project", project_json(row, 0)));
}

static int project_get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    hub_db_status_e st;

    st = hub_auth_project_get(hr, hub_param(hr, "project_id"), &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return not_found(res);
    }
    return hub_ok(res, json_pack("{s:o}", "project", project_json(row, 0)));
}

static int project_update(hub_req_t *hr, hub_result_t *res)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    hub_auth_project_in(hr->pool, hr->body, project_update_in, &in);
    if (!hub_auth_project_in_count(&in)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "body: give at least one of name, description, "
                       "environment, status, repo");
    }
    st = hub_auth_project_update(hr, hub_param(hr, "project_id"), &in, &row);
    if (st != HUB_DB_OK) {
        return g4f_db_fail(hr, res, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(res);
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

static int project_delete(hub_req_t *hr, hub_result_t *res)
{
    hub_db_status_e st;
    int found;

    st = hub_auth_project_delete(hr, hub_param(hr, "project_id"), &found);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!found) {
        return not_found(res);
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_g4f_projects_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects", projects_list, NULL, G4F_IN, 0,
      "Projects: GET /projects",
      .need = HUB_NEED_READ, .query = list_query,
      .wrap = HUB_WRAP_G4F_PAGE },
    { HUB_G4F, HUB_M_POST, "/projects", project_create, project_create_in,
      G4F_IN, 0, "Projects: POST /projects",
      .need = HUB_NEED_WRITE },
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}", project_get, NULL, G4F_IN,
      0, "Projects: GET /projects/{project_id}",
      .need = HUB_NEED_READ },
    { HUB_G4F, HUB_M_PATCH, "/projects/{project_id}", project_update,
      project_update_in, G4F_IN, 0, "Projects: PATCH /projects/{project_id}",
      .need = HUB_NEED_WRITE },
    { HUB_G4F, HUB_M_DELETE, "/projects/{project_id}", project_delete, NULL,
      G4F_IN, 0, "Projects: DELETE /projects/{project_id}",
      .need = HUB_NEED_WRITE },
    { 0 }
};
/* clang-format on */
