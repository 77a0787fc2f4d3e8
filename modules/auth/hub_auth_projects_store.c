/* Projects: the one store of the projects table, behind Caylex's
 * (hub_auth_caylex_projects.c) and G4F's (hub_auth_g4f_projects.c)
 * endpoints; the only SQL over it.  Every statement names the caller's
 * tenant, so another tenant's project is "not found", never
 * "forbidden"; an id that is no UUID never reaches a ::uuid cast.
 * Webhook secrets are write-only (sql/005): rows carry them masked. */
#include <apr_strings.h>
#include "hub_auth_projects.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_validate.h"

/* clang-format off */
/* description and environment come as JSON text: G4F's shapes
 * (hub_auth_g4f_projects.c) read them with HUB_J_JSON, and so, for
 * description, does Caylex's below.  Plain columns need both changed. */
#define PROJECT_COLS \
    "id, name, to_json(description) AS description, icon," \
    " hub_webhooks_masked(webhook_config) AS webhook_config," \
    " status, to_json(environment) AS environment, repo, last_commit," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"
/* what runs in a project (mod_hub_servers's tables), for Caylex's
 * active_server_instances and active_navigators; t names the row */
#define PROJECT_COUNTS(t) \
    ", (SELECT count(*) FROM server_instances si" \
    "    WHERE si.project_id = " t ".id AND si.status = 'active')" \
    "   AS active_server_instances," \
    " (SELECT count(*) FROM navigator_instances ni" \
    "   WHERE ni.project_id = " t ".id) AS active_navigators"

/* CASE WHEN <field is set> THEN <value> ELSE <column> END */
#define SET_IF(col, val) \
    " " col " = CASE WHEN %s::boolean THEN " val " ELSE " col " END,"

const hub_stmt_t hub_auth_projects_stmts[] = {
    { "hub_project_insert",
      "INSERT INTO projects (tenant_id, created_by, name, description, icon,"
      "                      webhook_config, status, environment, repo)"
      /* created_by: NULL for a key bound to no user */
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s,"
      "         hub_webhooks_merge(%s::jsonb, NULL), coalesce(%s, 'active'),"
      "         %s, %s::jsonb)"
      " RETURNING " PROJECT_COLS PROJECT_COUNTS("projects") },
    { "hub_project_get",
      "SELECT " PROJECT_COLS PROJECT_COUNTS("projects") " FROM projects"
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
      " RETURNING " PROJECT_COLS PROJECT_COUNTS("projects") },
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
      " LEFT JOIN LATERAL (SELECT " PROJECT_COLS PROJECT_COUNTS("f") " FROM f"
      "                    ORDER BY f.created_at DESC, f.id DESC"
      "                    LIMIT %s::bigint OFFSET %s::bigint) p ON true" },
    /* Caylex's GET /projects/{project_id}/server-instances/status: a
     * navigator instance has no state of its own, so all are active */
    { "hub_project_instance_status",
      "SELECT p.id,"
      "       (SELECT count(*) FROM server_instances si"
      "         WHERE si.project_id = p.id AND si.tenant_id = p.tenant_id"
      "           AND si.status = 'active') AS active_server_instances,"
      "       (SELECT count(*) FROM server_instances si"
      "         WHERE si.project_id = p.id AND si.tenant_id = p.tenant_id"
      "           AND si.status <> 'active') AS disabled_server_instances,"
      "       (SELECT count(*) FROM navigator_instances ni"
      "         WHERE ni.project_id = p.id AND ni.tenant_id = p.tenant_id)"
      "         AS active_navigator_instances"
      "  FROM projects p WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_INSERT, ST_GET, ST_UPDATE, ST_DELETE, ST_PAGE, ST_STATUS };

static const char *const field_names[HUB_PROJ_NFIELDS] = {
    "name",   "description", "icon", "webhook_config",
    "status", "environment", "repo"
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
        in->val[i] = json_is_null(v)     ? NULL
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

hub_db_status_e hub_auth_project_create(
    hub_req_t *hr, const hub_project_in_t *in, hub_rows_t **row)
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
    return hub_db_select(hr->r, &hub_auth_projects_stmts[ST_INSERT], row, 9,
                         args);
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
    return hub_db_select(hr->r, &hub_auth_projects_stmts[ST_GET], row, 2, args);
}

hub_db_status_e hub_auth_project_update(
    hub_req_t *hr, const char *id, const hub_project_in_t *in, hub_rows_t **row)
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
    return hub_db_select(hr->r, &hub_auth_projects_stmts[ST_UPDATE], row, n,
                         args);
}

hub_db_status_e hub_auth_project_delete(hub_req_t *hr, const char *id,
                                        int *found)
{
    const char *args[2] = { id, hr->who->tenant_id };
    *found = 0;
    if (!hub_is_uuid(id)) {
        return HUB_DB_OK;
    }
    return hub_db_exec(hr->r, &hub_auth_projects_stmts[ST_DELETE], found, 2,
                       args);
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
    st = hub_db_select(hr->r, &hub_auth_projects_stmts[ST_PAGE], rows, 10,
                       args);
    if (st != HUB_DB_OK) {
        return st;
    }
    *total = hub_rows_page_total(*rows);
    return HUB_DB_OK;
}

hub_db_status_e hub_auth_project_status(hub_req_t *hr, const char *id,
                                        hub_rows_t **row)
{
    const char *args[2] = { id, hr->who->tenant_id };
    return hub_db_select(hr->r, &hub_auth_projects_stmts[ST_STATUS], row, 2,
                         args);
}
