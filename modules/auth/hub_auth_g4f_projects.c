/* G4F's projects: its routes, shapes and words for the project
 * operations (hub_auth_projects.c) that Caylex's share.
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

/* stats: {} until sessions, runs and deployments exist to count */
static void g4f_decorate(hub_req_t *hr HUB_UNUSED, json_t *o,
                         int listing HUB_UNUSED)
{
    json_object_set_new(o, "stats", json_object());
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

static const hub_project_words_t g4f_words = {
    .not_found = "project not found",
    .conflict = "a project with this name already exists",
    .size = "limit",
    .search = "q",
    .need_one = "body: give at least one of name, description, "
                "environment, status, repo",
    .decorate = g4f_decorate,
    .created = HUB_PROJ_ANSWER_PROJECT,
    .updated = HUB_PROJ_ANSWER_OK,
    .deleted = HUB_PROJ_ANSWER_OK,
};

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_g4f_projects_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects", hub_auth_projects_op_page, NULL,
      G4F_IN, 0, "Projects: GET /projects",
      .need = HUB_NEED_READ, .query = list_query, .shape = g4f_project,
      .wrap = HUB_WRAP_G4F_PAGE, .words = &g4f_words },
    { HUB_G4F, HUB_M_POST, "/projects", hub_auth_project_op_create,
      project_create_in, G4F_IN, 0, "Projects: POST /projects",
      .need = HUB_NEED_WRITE, .shape = g4f_project, .wrap = HUB_WRAP_KEY,
      .key = "project", .words = &g4f_words },
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}", hub_auth_project_op_get,
      NULL, G4F_IN, 0, "Projects: GET /projects/{project_id}",
      .need = HUB_NEED_READ, .shape = g4f_project, .wrap = HUB_WRAP_KEY,
      .key = "project", .words = &g4f_words },
    { HUB_G4F, HUB_M_PATCH, "/projects/{project_id}",
      hub_auth_project_op_update, project_update_in, G4F_IN, 0,
      "Projects: PATCH /projects/{project_id}",
      .need = HUB_NEED_WRITE, .words = &g4f_words },
    { HUB_G4F, HUB_M_DELETE, "/projects/{project_id}",
      hub_auth_project_op_delete, NULL, G4F_IN, 0,
      "Projects: DELETE /projects/{project_id}",
      .need = HUB_NEED_WRITE, .words = &g4f_words },
    { 0 }
};
/* clang-format on */
