/* G4F's projects: the same rows as Caylex's (hub_auth_caylex_projects.c
 * holds the operations), in G4F's shapes.
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

const hub_stmt_t hub_auth_g4f_projects_stmts[] = {
    { NULL, NULL }
};

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

static const char *const statuses[] = { "active", "paused", "archived", NULL };

static json_t *project_json(const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, g4f_project);
    json_object_set_new(o, "stats", json_object());
    return o;
}

static int not_found(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND", "project not found");
}

static int bad_query(hub_req_t *hr, const char *name, const char *why)
{
    return hub_fail(hr, HTTP_BAD_REQUEST, "VALIDATION_ERROR", "%s: %s",
                    name, why);
}

static int g4f_db_fail(hub_req_t *hr, hub_db_status_e st)
{
    if (st == HUB_DB_CONFLICT) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "a project with this name already exists");
    }
    return hub_auth_db_fail(hr, st);
}

static int need(hub_req_t *hr, const char *what)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "%s projects needs %s access",
                    *what == 'r' ? "reading" : "changing", what);
}

/* limit, cursor and the filters; DECLINED when fine, else the 400 sent */
static int list_query(hub_req_t *hr, hub_project_filter_t *f)
{
    const char *q = hub_query(hr, "q"), *status = hub_query(hr, "status");
    const char *env = hub_query(hr, "environment");
    int i;

    if (hub_parse_long(hub_query(hr, "limit"), 1, 200, 50, &f->limit)) {
        return bad_query(hr, "limit", "must be an integer from 1 to 200");
    }
    if (hub_parse_long(hub_query(hr, "cursor"), 0, 1L << 40, 0,
                       &f->offset)) {
        return bad_query(hr, "cursor",
                         "must be the next_cursor of a previous page");
    }
    if (status && *status) {
        for (i = 0; statuses[i] && strcmp(statuses[i], status); i++) {
        }
        if (!statuses[i]) {
            return bad_query(hr, "status",
                             "must be one of active, paused, archived");
        }
        f->status = status;
    }
    f->q = q && *q ? q : NULL;
    f->environment = env && *env ? env : NULL;
    return DECLINED;
}

static int projects_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_project_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total, next;
    int i, rc;

    if (!hub_principal_can_read(hr->who)) {
        return need(hr, "read");
    }
    if ((rc = list_query(hr, &f)) != DECLINED) {
        return rc;
    }
    st = hub_auth_projects_page(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, project_json(rows, i));
    }
    next = f.offset + rows->rows->nelts;
    return hub_send_json(hr, HTTP_OK, json_pack("{s:o,s:o}", "items", items,
        "next_cursor", rows->rows->nelts && next < total
                       ? json_integer(next) : json_null()));
}

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

static int project_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!hub_principal_can_write(hr->who)) {
        return need(hr, "write");
    }
    hub_auth_project_in(hr->pool, hr->body, project_create_in, &in);
    st = hub_auth_project_create(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return g4f_db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:o}", "project",
                                                project_json(row, 0)));
}

static int project_get(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_rows_t *row;
    hub_db_status_e st;

    if (!hub_principal_can_read(hr->who)) {
        return need(hr, "read");
    }
    st = hub_auth_project_get(hr, hub_param(hr, "project_id"), &row);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:o}", "project",
                                                project_json(row, 0)));
}

static int project_update(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!hub_principal_can_write(hr->who)) {
        return need(hr, "write");
    }
    hub_auth_project_in(hr->pool, hr->body, project_update_in, &in);
    if (!hub_auth_project_in_count(&in)) {
        return hub_fail(hr, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                        "body: give at least one of name, description, "
                        "environment, status, repo");
    }
    st = hub_auth_project_update(hr, hub_param(hr, "project_id"), &in, &row);
    if (st != HUB_DB_OK) {
        return g4f_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:b}", "ok", 1));
}

static int project_delete(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_db_status_e st;
    int found;

    if (!hub_principal_can_write(hr->who)) {
        return need(hr, "write");
    }
    st = hub_auth_project_delete(hr, hub_param(hr, "project_id"), &found);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    if (!found) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:b}", "ok", 1));
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

const hub_route_t hub_auth_g4f_projects_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects", projects_list, NULL, G4F_IN, 0,
      "Projects: GET /projects",
      .need = HUB_NEED_ANY },
    { HUB_G4F, HUB_M_POST, "/projects", project_create, project_create_in,
      G4F_IN, 0, "Projects: POST /projects",
      .need = HUB_NEED_ANY },
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}", project_get, NULL, G4F_IN,
      0, "Projects: GET /projects/{project_id}",
      .need = HUB_NEED_ANY },
    { HUB_G4F, HUB_M_PATCH, "/projects/{project_id}", project_update,
      project_update_in, G4F_IN, 0, "Projects: PATCH /projects/{project_id}",
      .need = HUB_NEED_ANY },
    { HUB_G4F, HUB_M_DELETE, "/projects/{project_id}", project_delete, NULL,
      G4F_IN, 0, "Projects: DELETE /projects/{project_id}",
      .need = HUB_NEED_ANY },
    { 0 }
};
