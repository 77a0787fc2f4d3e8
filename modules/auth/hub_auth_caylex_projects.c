/* Caylex's project endpoints: its routes, shapes, body checks and words
 * for the project operations (hub_auth_projects.c) that G4F's share.
 *
 * Decisions where Caylex's document is open:
 * - create, update and delete answer 200 with {"id"} as documented; an
 *   unknown (or another tenant's, or malformed) id is 404 "Project not
 *   found" on every method; a name already used in the tenant is 409.
 * - PATCH changes the fields the body names; a null description, icon or
 *   webhook_config clears it, a null name changes nothing.
 * - /projects/search matches `search` in name or description, any case;
 *   without it, it lists like GET /projects.  Newest first.
 * - webhook_config items are {url, secret, events, enabled, service};
 *   secrets are write-only (see sql/005).
 * - active_server_instances (the project's active server instances) and
 *   active_navigators (the navigators connected to it); listings fill
 *   them only with include_analytics=true. */
#include <apr_strings.h>
#include "hub_auth_projects.h"
#include "hub_json.h"
#include "hub_validate.h"

/* clang-format off */
static const hub_shape_t cx_project[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_JSON },
    { "icon", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { "webhook_config", NULL, HUB_J_JSON },
    { "active_server_instances", NULL, HUB_J_INT },
    { "active_navigators", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* a listing shows the counts only with include_analytics=true */
static void cx_decorate(hub_req_t *hr, json_t *o, int listing)
{
    if (listing && !hub_qv_long(&hr->q, "include_analytics")) {
        json_object_set_new(o, "active_server_instances", json_null());
        json_object_set_new(o, "active_navigators", json_null());
    }
}

static const char *const hook_services[] = { "generic", "slack", NULL };

/* clang-format off */
static const hub_field_t hook_fields[] = {
    { "url", HUB_T_STRING, HUB_F_REQUIRED, 1, 2000, NULL, NULL },
    { "secret", HUB_T_STRING, HUB_F_NULLABLE, 0, 500, NULL, NULL },
    { "events", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { "service", HUB_T_STRING, 0, 0, 0, hook_services, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* One webhook: its problems appended (named webhook_config[i].field), or
 * the item with its defaults filled in and unknown keys dropped. */
static json_t *hook_check(hub_req_t *hr, const json_t *h, size_t i,
                          apr_array_header_t *problems)
{
    apr_array_header_t *mine = apr_array_make(hr->pool, 2,
                                              sizeof(hub_invalid_t));
    const char *url = json_string_value(json_object_get(h, "url"));
    json_t *events = json_object_get(h, "events"), *e, *out;
    size_t k;
    int n;

    hub_validate(h, hook_fields, hr->pool, mine);
    if (!mine->nelts && strncmp(url, "https://", 8)
        && strncmp(url, "http://", 7)) {
        hub_invalid_t *inv = apr_array_push(mine);
        inv->field = "url";
        inv->type = "url_scheme";
        inv->msg = "URL scheme should be 'http' or 'https'";
    }
    json_array_foreach(events, k, e) {
        if (!json_is_string(e)) {
            hub_invalid_t *inv = apr_array_push(mine);
            inv->field = "events";
            inv->type = "string_type";
            inv->msg = "Input should be a list of strings";
            break;
        }
    }
    for (n = 0; n < mine->nelts; n++) {
        hub_invalid_t *inv = apr_array_push(problems);
        *inv = APR_ARRAY_IDX(mine, n, hub_invalid_t);
        inv->field = apr_psprintf(hr->pool, "webhook_config[%u]%s%s",
                                  (unsigned)i, inv->field ? "." : "",
                                  inv->field ? inv->field : "");
    }
    if (mine->nelts) {
        return NULL;
    }
    out = json_pack("{s:s,s:b,s:s}", "url", url, "enabled",
                    !json_is_false(json_object_get(h, "enabled")), "service",
                    json_object_get(h, "service")
                        ? json_string_value(json_object_get(h, "service"))
                        : "generic");
    json_object_set(out, "secret",
                    json_object_get(h, "secret") ? json_object_get(h, "secret")
                                                 : json_null());
    json_object_set_new(out, "events",
                        events ? json_deep_copy(events) : json_array());
    return hub_json_own(hr->pool, out);
}

/* Check webhook_config (at most 5 webhooks) and store its normalised
 * text in `in`.  DECLINED when fine, else the 422 in res. */
static int hooks_take(hub_req_t *hr, hub_result_t *res, hub_project_in_t *in)
{
    json_t *hooks = json_object_get(hr->body, "webhook_config"), *h;
    json_t *clean;
    apr_array_header_t *problems;
    size_t i;

    if (!json_is_array(hooks)) {
        return DECLINED; /* absent or null: nothing to check */
    }
    problems = apr_array_make(hr->pool, 2, sizeof(hub_invalid_t));
    if (json_array_size(hooks) > 5) {
        hub_invalid_t *inv = apr_array_push(problems);
        inv->field = "webhook_config";
        inv->type = "too_long";
        inv->msg = "List should have at most 5 items";
        return hub_err_invalid(res, "body", problems);
    }
    clean = hub_json_own(hr->pool, json_array());
    json_array_foreach(hooks, i, h) {
        json_t *one = hook_check(hr, h, i, problems);
        if (one) {
            json_array_append(clean, one);
        }
    }
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    in->val[HUB_PROJ_WEBHOOKS] = hub_json_text(hr->pool, clean);
    return DECLINED;
}

/* clang-format off */
static const hub_field_t project_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "project name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "icon", HUB_T_STRING, HUB_F_NULLABLE, 0, 500, NULL, "icon name or URL" },
    { "webhook_config", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "at most 5 of {url, secret, events, enabled, service}" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t project_update_in[] = {
    { "name", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "new name; null keeps it" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL,
      "null clears it" },
    { "icon", HUB_T_STRING, HUB_F_NULLABLE, 0, 500, NULL, "null clears it" },
    { "webhook_config", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "replaces the list; a secret of \"********\" keeps the stored one" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* clang-format off */
static const hub_qfield_t list_query[] = {
    HUB_Q_CX_PAGE,
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "count active server instances and navigators" },
    HUB_Q_END
};
static const hub_qfield_t search_query[] = {
    { "search", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the name or description, any case; none lists all" },
    HUB_Q_CX_PAGE,
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "count active server instances and navigators" },
    HUB_Q_END
};
/* clang-format on */

static const hub_project_words_t cx_words = {
    .not_found = "Project not found",
    .conflict = "A project with this name already exists",
    .size = "size",
    .search = "search",
    .take = hooks_take,
    .decorate = cx_decorate,
    .created = HUB_PROJ_ANSWER_ID,
    .updated = HUB_PROJ_ANSWER_ID,
    .deleted = HUB_PROJ_ANSWER_ID,
};

#define CX_IN (HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_caylex_projects_routes[] = {
    { HUB_CAYLEX, HUB_M_POST, "/projects", hub_auth_project_op_create,
      project_create_in, CX_IN, 0, "Create New Project",
      .need = HUB_NEED_WRITE, .words = &cx_words },
    { HUB_CAYLEX, HUB_M_GET, "/projects", hub_auth_projects_op_page, NULL,
      CX_IN, 0, "List All Projects",
      .need = HUB_NEED_READ, .query = list_query, .shape = cx_project,
      .wrap = HUB_WRAP_CX_PAGE, .words = &cx_words },
    { HUB_CAYLEX, HUB_M_GET, "/projects/search", hub_auth_projects_op_page,
      NULL, CX_IN, 0, "Search Projects",
      .need = HUB_NEED_READ, .query = search_query, .shape = cx_project,
      .wrap = HUB_WRAP_CX_PAGE, .words = &cx_words },
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}",
      hub_auth_project_op_get, NULL, CX_IN, 0, "Get Project Details",
      .need = HUB_NEED_READ, .shape = cx_project, .words = &cx_words },
    { HUB_CAYLEX, HUB_M_PATCH, "/projects/{project_id}",
      hub_auth_project_op_update, project_update_in, CX_IN, 0,
      "Update Project",
      .need = HUB_NEED_WRITE, .words = &cx_words },
    { HUB_CAYLEX, HUB_M_DELETE, "/projects/{project_id}",
      hub_auth_project_op_delete, NULL, CX_IN, 0, "Delete Project",
      .need = HUB_NEED_WRITE, .words = &cx_words },
    { 0 }
};
/* clang-format on */
