/* Projects: the operations Caylex and G4F share (one table), and Caylex's
 * endpoints over them.  Every statement names the caller's tenant, so
 * another tenant's project is "not found", never "forbidden".
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
 * - active_server_instances and active_navigators: 0 until mod_hub_servers
 *   has instances; listings fill them only with include_analytics=true. */
#include <apr_strings.h>
#include "hub_auth_projects.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_validate.h"

/* description and environment come as JSON text: G4F's shapes
 * (hub_auth_g4f_projects.c) read them with HUB_J_JSON, and so, for
 * description, does Caylex's below.  Plain columns need both changed. */
#define PROJECT_COLS \
    "id, name, to_json(description) AS description, icon," \
    " hub_webhooks_masked(webhook_config) AS webhook_config," \
    " status, to_json(environment) AS environment, repo, last_commit," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"

/* CASE WHEN <field is set> THEN <value> ELSE <column> END */
#define SET_IF(col, val) \
    " " col " = CASE WHEN %s::boolean THEN " val " ELSE " col " END,"

const hub_stmt_t hub_auth_caylex_projects_stmts[] = {
    { "hub_project_insert",
      "INSERT INTO projects (tenant_id, created_by, name, description, icon,"
      "                      webhook_config, status, environment, repo)"
      /* created_by: NULL for a key bound to no user */
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s,"
      "         hub_webhooks_merge(%s::jsonb, NULL), coalesce(%s, 'active'),"
      "         %s, %s::jsonb)"
      " RETURNING " PROJECT_COLS },
    { "hub_project_get",
      "SELECT " PROJECT_COLS " FROM projects"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { "hub_project_update",
      "UPDATE projects SET"
      SET_IF("name", "%s")
      SET_IF("description", "%s")
      SET_IF("icon", "%s")
      SET_IF("webhook_config", "hub_webhooks_merge(%s::jsonb, webhook_config)")
      SET_IF("status", "%s")
      SET_IF("environment", "%s")
      SET_IF("repo", "%s::jsonb")
      " updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid"
      " RETURNING " PROJECT_COLS },
    { "hub_project_delete",
      "DELETE FROM projects WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* the count and the page in one round trip: the one-row count side
     * keeps `total` even when the page is past the end */
    { "hub_projects_page",
      "WITH f AS ("
      "  SELECT * FROM projects"
      "   WHERE tenant_id = %s::uuid"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(name), lower(%s::text)) > 0"
      "          OR strpos(lower(coalesce(description, '')),"
      "                    lower(%s::text)) > 0)"
      "     AND (%s::text IS NULL OR status = %s::text)"
      "     AND (%s::text IS NULL OR environment = %s::text))"
      " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT " PROJECT_COLS " FROM f"
      "                    ORDER BY f.created_at DESC, f.id DESC"
      "                    LIMIT %s::bigint OFFSET %s::bigint) p ON true" },
    { NULL, NULL }
};

enum { ST_INSERT, ST_GET, ST_UPDATE, ST_DELETE, ST_PAGE };

/* ---- the shared operations ------------------------------------------- */

static const char *const field_names[HUB_PROJ_NFIELDS] = {
    "name", "description", "icon", "webhook_config", "status",
    "environment", "repo"
};

static int field_index(const char *name)
{
    int i;
    for (i = 0; i < HUB_PROJ_NFIELDS; i++) {
        if (!strcmp(field_names[i], name)) {
            return i;
        }
    }
    return -1;
}

void hub_auth_project_in(apr_pool_t *p, const json_t *body,
                         const hub_field_t *fields, hub_project_in_t *in)
{
    const hub_field_t *f;
    memset(in, 0, sizeof(*in));
    for (f = fields; f && f->name; f++) {
        int i = field_index(f->name);
        json_t *v = json_object_get(body, f->name);
        if (i < 0 || !v || (i == HUB_PROJ_NAME && json_is_null(v))) {
            continue;
        }
        in->set[i] = 1;
        in->val[i] = json_is_null(v) ? NULL
                     : json_is_string(v) ? json_string_value(v)
                     : hub_json_text(p, v);
    }
}

int hub_auth_project_in_count(const hub_project_in_t *in)
{
    int i, n = 0;
    for (i = 0; i < HUB_PROJ_NFIELDS; i++) {
        n += in->set[i];
    }
    return n;
}

hub_db_status_e hub_auth_project_create(hub_req_t *hr,
                                        const hub_project_in_t *in,
                                        hub_rows_t **row)
{
    const char *args[9];
    args[0] = hr->who->tenant_id;
    args[1] = hr->who->user_id;
    args[2] = in->val[HUB_PROJ_NAME];
    args[3] = in->val[HUB_PROJ_DESCRIPTION];
    args[4] = in->val[HUB_PROJ_ICON];
    args[5] = in->val[HUB_PROJ_WEBHOOKS];
    args[6] = in->val[HUB_PROJ_STATUS];
    args[7] = in->val[HUB_PROJ_ENVIRONMENT];
    args[8] = in->val[HUB_PROJ_REPO];
    return hub_db_select(hr->r, &hub_auth_caylex_projects_stmts[ST_INSERT],
                         row, 9, args);
}

/* An empty result in the shape hub_db_select gives, for ids that cannot
 * name a project (no UUID: never let it reach the ::uuid cast). */
static hub_rows_t *no_rows(apr_pool_t *p)
{
    hub_rows_t *rows = apr_pcalloc(p, sizeof(*rows));
    rows->cols = apr_pcalloc(p, sizeof(char *));
    rows->rows = apr_array_make(p, 1, sizeof(const char **));
    return rows;
}

hub_db_status_e hub_auth_project_get(hub_req_t *hr, const char *id,
                                     hub_rows_t **row)
{
    const char *args[2] = { id, hr->who->tenant_id };
    if (!hub_is_uuid(id)) {
        *row = no_rows(hr->pool);
        return HUB_DB_OK;
    }
    return hub_db_select(hr->r, &hub_auth_caylex_projects_stmts[ST_GET],
                         row, 2, args);
}

hub_db_status_e hub_auth_project_update(hub_req_t *hr, const char *id,
                                        const hub_project_in_t *in,
                                        hub_rows_t **row)
{
    const char *args[2 * HUB_PROJ_NFIELDS + 2];
    int i, n = 0;
    if (!hub_is_uuid(id)) {
        *row = no_rows(hr->pool);
        return HUB_DB_OK;
    }
    for (i = 0; i < HUB_PROJ_NFIELDS; i++) {
        args[n++] = in->set[i] ? "true" : "false";
        args[n++] = in->val[i];
    }
    args[n++] = id;
    args[n++] = hr->who->tenant_id;
    return hub_db_select(hr->r, &hub_auth_caylex_projects_stmts[ST_UPDATE],
                         row, n, args);
}

hub_db_status_e hub_auth_project_delete(hub_req_t *hr, const char *id,
                                        int *found)
{
    const char *args[2] = { id, hr->who->tenant_id };
    *found = 0;
    if (!hub_is_uuid(id)) {
        return HUB_DB_OK;
    }
    return hub_db_exec(hr->r, &hub_auth_caylex_projects_stmts[ST_DELETE],
                       found, 2, args);
}

hub_db_status_e hub_auth_projects_page(hub_req_t *hr,
                                       const hub_project_filter_t *f,
                                       hub_rows_t **rows, long *total)
{
    const char *args[10];
    hub_db_status_e st;
    args[0] = hr->who->tenant_id;
    args[1] = args[2] = args[3] = f->q;
    args[4] = args[5] = f->status;
    args[6] = args[7] = f->environment;
    args[8] = apr_ltoa(hr->pool, f->limit);
    args[9] = apr_ltoa(hr->pool, f->offset);
    st = hub_db_select(hr->r, &hub_auth_caylex_projects_stmts[ST_PAGE], rows,
                       10, args);
    if (st != HUB_DB_OK) {
        return st;
    }
    *total = hub_rows_get(*rows, 0, "total")
             ? atol(hub_rows_get(*rows, 0, "total")) : 0;
    if (!hub_rows_get(*rows, 0, "id")) {
        (*rows)->rows->nelts = 0;      /* past the end: the count only */
    }
    return HUB_DB_OK;
}

/* ---- Caylex's pages (members share them) ----------------------------- */

int hub_auth_cx_query_invalid(hub_req_t *hr, const char *name,
                              const char *type, const char *msg)
{
    return hub_fail_field(hr, "query", name, type, msg);
}

int hub_auth_cx_page_read(hub_req_t *hr, hub_page_t *pg)
{
    return hub_query_size_cursor(hr, pg);
}

json_t *hub_auth_cx_page_json(hub_req_t *hr, const hub_page_t *pg,
                              json_t *items, long total)
{
    long next = pg->offset + (long)json_array_size(items);
    int has_next = next < total && json_array_size(items) > 0;
    return json_pack("{s:o,s:{s:I,s:I,s:o,s:b,s:b}}", "items", items,
                     "meta", "size", (json_int_t)pg->limit,
                     "total", (json_int_t)total,
                     "next_cursor", has_next
                         ? json_string(hub_cursor_encode(hr->pool, next))
                         : json_null(),
                     "has_next", has_next, "has_prev", pg->offset > 0);
}

/* ---- Caylex's endpoints ------------------------------------------------ */

static const hub_shape_t cx_project[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_JSON },
    { "icon", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { "webhook_config", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static int not_found(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND", "Project not found");
}

static int cx_db_fail(hub_req_t *hr, hub_db_status_e st)
{
    if (st == HUB_DB_CONFLICT) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "A project with this name already exists");
    }
    return hub_auth_db_fail(hr, st);
}

static json_t *project_json(const hub_rows_t *rows, int i, int analytics)
{
    json_t *o = hub_row_json(rows, i, cx_project);
    /* counted by mod_hub_servers once it has instances and navigators */
    json_object_set_new(o, "active_server_instances",
                        analytics ? json_integer(0) : json_null());
    json_object_set_new(o, "active_navigators",
                        analytics ? json_integer(0) : json_null());
    return o;
}

static const char *const hook_services[] = { "generic", "slack", NULL };

static const hub_field_t hook_fields[] = {
    { "url", HUB_T_STRING, HUB_F_REQUIRED, 1, 2000, NULL, NULL },
    { "secret", HUB_T_STRING, HUB_F_NULLABLE, 0, 500, NULL, NULL },
    { "events", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { "service", HUB_T_STRING, 0, 0, 0, hook_services, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

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
    out = json_pack("{s:s,s:b,s:s}", "url", url,
                    "enabled", !json_is_false(json_object_get(h, "enabled")),
                    "service", json_object_get(h, "service")
                               ? json_string_value(json_object_get(h,
                                                                   "service"))
                               : "generic");
    json_object_set(out, "secret", json_object_get(h, "secret")
                                   ? json_object_get(h, "secret")
                                   : json_null());
    json_object_set_new(out, "events", events ? json_deep_copy(events)
                                              : json_array());
    return hub_json_own(hr->pool, out);
}

/* Check webhook_config (at most 5 webhooks) and store its normalised
 * text in `in`.  DECLINED when fine, else the 422 sent. */
static int hooks_take(hub_req_t *hr, hub_project_in_t *in)
{
    json_t *hooks = json_object_get(hr->body, "webhook_config"), *h;
    json_t *clean;
    apr_array_header_t *problems;
    size_t i;

    if (!json_is_array(hooks)) {
        return DECLINED;           /* absent or null: nothing to check */
    }
    problems = apr_array_make(hr->pool, 2, sizeof(hub_invalid_t));
    if (json_array_size(hooks) > 5) {
        hub_invalid_t *inv = apr_array_push(problems);
        inv->field = "webhook_config";
        inv->type = "too_long";
        inv->msg = "List should have at most 5 items";
        return hub_fail_invalid(hr, "body", problems);
    }
    clean = hub_json_own(hr->pool, json_array());
    json_array_foreach(hooks, i, h) {
        json_t *one = hook_check(hr, h, i, problems);
        if (one) {
            json_array_append(clean, one);
        }
    }
    if (problems->nelts) {
        return hub_fail_invalid(hr, "body", problems);
    }
    in->val[HUB_PROJ_WEBHOOKS] = hub_json_text(hr->pool, clean);
    return DECLINED;
}

static int need_read(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "Reading projects needs read access");
}

static int need_write(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "Changing projects needs write access");
}

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

static int cx_project_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;
    int rc;
    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    hub_auth_project_in(hr->pool, hr->body, project_create_in, &in);
    if ((rc = hooks_take(hr, &in)) != DECLINED) {
        return rc;
    }
    st = hub_auth_project_create(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return cx_db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "id",
                                                hub_rows_get(row, 0, "id")));
}

/* Caylex's booleans in a query: FastAPI's spellings. */
static int query_bool(const char *s, int *out)
{
    static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
    static const char *const no[] = { "false", "0", "no", "off", "f", "n" };
    size_t i;
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
            *out = !strcasecmp(s, yes[i]);
            return 1;
        }
    }
    return 0;
}

/* GET /projects and /projects/search: one page, `search` for the one. */
static int cx_projects_page(hub_req_t *hr, const char *search)
{
    hub_project_filter_t f = { 0 };
    const char *ia = hub_query(hr, "include_analytics");
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i, rc, analytics = 0;

    if (!hub_principal_can_read(hr->who)) {
        return need_read(hr);
    }
    if ((rc = hub_auth_cx_page_read(hr, &pg)) != DECLINED) {
        return rc;
    }
    if (ia && !query_bool(ia, &analytics)) {
        return hub_auth_cx_query_invalid(hr, "include_analytics",
            "bool_parsing", "Input should be a valid boolean, unable to "
            "interpret input");
    }
    f.q = search && *search ? search : NULL;
    f.limit = pg.limit;
    f.offset = pg.offset;
    st = hub_auth_projects_page(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, project_json(rows, i, analytics));
    }
    return hub_send_json(hr, HTTP_OK,
                         hub_auth_cx_page_json(hr, &pg, items, total));
}

static int cx_projects_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    return cx_projects_page(hr, NULL);
}

static int cx_projects_search(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    return cx_projects_page(hr, hub_query(hr, "search"));
}

static int cx_project_get(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_rows_t *row;
    hub_db_status_e st;
    if (!hub_principal_can_read(hr->who)) {
        return need_read(hr);
    }
    st = hub_auth_project_get(hr, hub_param(hr, "project_id"), &row);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, project_json(row, 0, 1));
}

static int cx_project_update(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;
    int rc;
    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    hub_auth_project_in(hr->pool, hr->body, project_update_in, &in);
    if ((rc = hooks_take(hr, &in)) != DECLINED) {
        return rc;
    }
    st = hub_auth_project_update(hr, hub_param(hr, "project_id"), &in, &row);
    if (st != HUB_DB_OK) {
        return cx_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "id",
                                                hub_rows_get(row, 0, "id")));
}

static int cx_project_delete(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *id = hub_param(hr, "project_id");
    hub_db_status_e st;
    int found;
    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    st = hub_auth_project_delete(hr, id, &found);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    if (!found) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "id", id));
}

#define CX_IN (HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY)

const hub_route_t hub_auth_caylex_projects_routes[] = {
    { HUB_CAYLEX, HUB_M_POST, "/projects", cx_project_create,
      project_create_in, CX_IN, 0, "Create New Project",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/projects", cx_projects_list, NULL, CX_IN, 0,
      "List All Projects",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/projects/search", cx_projects_search, NULL,
      CX_IN, 0, "Search Projects",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/projects/{project_id}", cx_project_get, NULL,
      CX_IN, 0, "Get Project Details",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_PATCH, "/projects/{project_id}", cx_project_update,
      project_update_in, CX_IN, 0, "Update Project",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_DELETE, "/projects/{project_id}", cx_project_delete,
      NULL, CX_IN, 0, "Delete Project",
      .need = HUB_NEED_ANY },
    { 0 }
};
