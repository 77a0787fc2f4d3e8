/* Caylex's navigators, the MCP endpoints agents connect to (sql/020):
 * GET|POST /navigators, GET /navigators/search,
 * GET|PATCH|DELETE /navigators/{navigator_id}.  The statements here are
 * the only writes to `navigators`; every one names the caller's tenant, so
 * another tenant's navigator is "not found".  Its connections to
 * projects (navigator instances) are hub_servers_nav_instances.c's.
 *
 * Decisions where the document is open:
 * - api_name, the name agents see, is the slug of the name when the
 *   navigator is made (hub_slugify) and stays when it is renamed, so a
 *   rename does not break the agents that use it; a name whose slug is
 *   taken in the tenant is 409.
 * - metadata (enabled_servers_count: the distinct servers with an active
 *   instance in the connected projects; connected_projects_count) is in
 *   a list when include_analytics is true and always in a get; null
 *   otherwise.
 * - search matches the name or the description, any case.
 * - tool_exposure (a hub extension, sql/026): "all" (the default) or
 *   "compact", how the gateway shows the tools (hub_servers_gateway_
 *   methods.c); taken on create and PATCH, shown in every answer but
 *   the create's, whose document lists three members only.
 * - tool_naming (a hub extension, sql/028): "prefixed" (the default:
 *   every tool is server__tool) or "bare" (a tool's own name, and
 *   server__tool only for a name two of the project's servers share),
 *   taken and shown as tool_exposure is. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

/* counted: SQL true when the counts are wanted (a list without
 * include_analytics does not pay for them) */
#define NAV_COLS(counted) \
    "n.id, n.name, n.description, n.api_name, n.tool_exposure," \
    " n.tool_naming," \
    " iso8601(n.created_at) AS created_at," \
    " iso8601(n.updated_at) AS updated_at," \
    " CASE WHEN " counted " THEN (SELECT count(*) FROM navigator_instances ni" \
    "   WHERE ni.navigator_id = n.id) END AS connected_projects_count," \
    " CASE WHEN " counted " THEN (SELECT count(DISTINCT si.server_id)" \
    "    FROM navigator_instances ni" \
    "    JOIN server_instances si ON si.project_id = ni.project_id" \
    "     AND si.status = 'active'" \
    "   WHERE ni.navigator_id = n.id) END AS enabled_servers_count"

/* clang-format off */
const hub_stmt_t hub_servers_navigators_stmts[] = {
    /* the count and the page in one round trip */
    { "hub_navigators_page",
      "WITH f AS (SELECT * FROM navigators"
      "   WHERE tenant_id = %s::uuid"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(name), lower(%s::text)) > 0"
      "          OR strpos(lower(coalesce(description, '')),"
      "                    lower(%s::text)) > 0))"
      " SELECT c.total, x.* FROM (SELECT count(*) AS total FROM f) c"
      " LEFT JOIN LATERAL (SELECT " NAV_COLS("%s::boolean") " FROM f n"
      "   ORDER BY CASE WHEN %s = 'name_asc' THEN lower(n.name) END,"
      "            CASE WHEN %s = 'name_desc' THEN lower(n.name) END DESC,"
      "            CASE WHEN %s = 'created_asc' THEN n.created_at END,"
      "            CASE WHEN %s = 'updated_asc' THEN n.updated_at END,"
      "            CASE WHEN %s = 'updated_desc' THEN n.updated_at END DESC,"
      "            n.created_at DESC, n.id"
      "   LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_navigators_get",
      "SELECT " NAV_COLS("true") " FROM navigators n"
      " WHERE n.id = %s::uuid AND n.tenant_id = %s::uuid" },
    { "hub_navigators_insert",
      "INSERT INTO navigators (tenant_id, name, description, api_name,"
      "                        created_by, tool_exposure, tool_naming)"
      " VALUES (%s::uuid, %s, %s, %s, %s::uuid, coalesce(%s, 'all'),"
      "         coalesce(%s, 'prefixed'))"
      " RETURNING id, name, api_name" },
    { "hub_navigators_update",
      "UPDATE navigators n SET"
      "   name = coalesce(%s, n.name),"
      "   description = CASE WHEN %s::boolean THEN %s ELSE n.description END,"
      "   tool_exposure = coalesce(%s, n.tool_exposure),"
      "   tool_naming = coalesce(%s, n.tool_naming),"
      "   updated_at = now()"
      " WHERE n.id = %s::uuid AND n.tenant_id = %s::uuid"
      " RETURNING " NAV_COLS("true") },
    /* its instances, their keys and permissions go with it (cascade) */
    { "hub_navigators_delete",
      "DELETE FROM navigators WHERE id = %s::uuid AND tenant_id = %s::uuid"
      " RETURNING id, name" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_PAGE, ST_GET, ST_INSERT, ST_UPDATE, ST_DELETE };

#define STMT(i) (&hub_servers_navigators_stmts[i])

/* ---- answers -------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t navigator_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "api_name", NULL, HUB_J_STRING },
    { "tool_exposure", NULL, HUB_J_STRING }, /* a hub extension */
    { "tool_naming", NULL, HUB_J_STRING },   /* a hub extension */
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
static const hub_shape_t navigator_metadata[] = {
    { "enabled_servers_count", NULL, HUB_J_INT },
    { "connected_projects_count", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};
/* clang-format on */

static json_t *navigator_json(const hub_rows_t *rows, int i, int analytics)
{
    json_t *o = hub_row_json(rows, i, navigator_out);
    json_object_set_new(o, "metadata",
                        analytics ? hub_row_json(rows, i, navigator_metadata)
                                  : json_null());
    return o;
}

#define NOT_FOUND "Navigator not found"

/* ---- listing ------------------------------------------------------------ */

static const char *const sorts[] = {
    "name_asc",    "name_desc",    "created_asc", "created_desc",
    "updated_asc", "updated_desc", NULL
};

/* clang-format off */
static const hub_qfield_t list_query[] = {
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "metadata: enabled servers and connected projects" },
    { "sort_by", HUB_Q_ENUM, 0, 0, 0, 0, sorts, "default created_desc" },
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
static const hub_qfield_t search_query[] = {
    { "search", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "in the name or the description, any case" },
    { "sort_by", HUB_Q_ENUM, 0, 0, 0, 0, sorts, "default created_desc" },
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
/* clang-format on */

static int navigators_list(hub_req_t *hr, hub_result_t *res)
{
    const char *q = hub_qv_str(&hr->q, "search");
    const char *sort = hub_qv_str(&hr->q, "sort_by");
    int analytics = (int)hub_qv_long(&hr->q, "include_analytics");
    const char *args[13];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i, n = 0;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    q = q && *q ? q : NULL;
    sort = sort ? sort : "created_desc";
    args[n++] = hr->who->tenant_id;
    args[n++] = q;
    args[n++] = q;
    args[n++] = q;
    args[n++] = analytics ? "true" : "false"; /* the two counts */
    args[n++] = analytics ? "true" : "false";
    for (i = 0; i < 5; i++) {
        args[n++] = sort;
    }
    args[n++] = apr_ltoa(hr->pool, pg.limit);
    args[n++] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, STMT(ST_PAGE), &rows, n, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, navigator_json(rows, i, analytics));
    }
    return hub_ok_page(res, items, total, &pg);
}

/* ---- one navigator -------------------------------------------------------- */

static int navigator_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param_uuid(hr, res, "navigator_id"),
                            hr->who->tenant_id };
    hub_rows_t *row;
    if (!args[0]
        || hub_select_one(hr, res, STMT(ST_GET), 2, args, &row, NOT_FOUND)
               != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, navigator_json(row, 0, 1));
}

/* clang-format off */
static const char *const exposures[] = { "all", "compact", NULL };
static const char *const namings[] = { "prefixed", "bare", NULL };
static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL,
      "its api_name is the slug of it" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "tool_exposure", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, exposures,
      "hub extension: all (default) or compact (search_tools, call_tool)" },
    { "tool_naming", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, namings,
      "hub extension: prefixed (default, server__tool) or bare" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "the api_name stays" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "tool_exposure", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, exposures,
      "hub extension: all or compact" },
    { "tool_naming", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, namings,
      "hub extension: prefixed or bare" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static const char *body_str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

static int navigator_create(hub_req_t *hr, hub_result_t *res)
{
    const char *args[7];
    hub_rows_t *row;
    hub_db_status_e st;

    args[5] = body_str(hr, "tool_exposure");
    args[6] = body_str(hr, "tool_naming");
    args[0] = hr->who->tenant_id;
    args[1] = body_str(hr, "name");
    args[2] = body_str(hr, "description");
    args[3] = hub_slugify(hr->pool, args[1]);
    args[4] = hr->who->user_id;
    if (!args[3]) {
        return hub_err_field(res, "body", "name", "value_error",
                             "Value error, the name needs at least one "
                             "letter or digit");
    }
    st = hub_db_select(hr->r, STMT(ST_INSERT), &row, 7, args);
    if (st != HUB_DB_OK) {
        /* the unique api_name in the tenant */
        return hub_err_db(res, st,
                          apr_psprintf(hr->pool,
                                       "A navigator named '%s' already "
                                       "exists in this tenant",
                                       args[1]),
                          hr->request_id);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00570: navigator %s (%s) created in tenant %s by %s",
                  hub_rows_get(row, 0, "id"), args[3], hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok_row(res, row, NULL);
}

static int navigator_update(hub_req_t *hr, hub_result_t *res)
{
    const char *args[7];
    hub_rows_t *row;

    if (!(args[5] = hub_param_uuid(hr, res, "navigator_id"))) {
        return HUB_DONE;
    }
    args[0] = body_str(hr, "name");
    args[1] = json_object_get(hr->body, "description") ? "true" : "false";
    args[2] = body_str(hr, "description");
    args[3] = body_str(hr, "tool_exposure");
    args[4] = body_str(hr, "tool_naming");
    args[6] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_UPDATE), 7, args, &row, NOT_FOUND)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, navigator_json(row, 0, 1));
}

static int navigator_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param_uuid(hr, res, "navigator_id"),
                            hr->who->tenant_id };
    hub_rows_t *row;
    if (!args[0]
        || hub_select_one(hr, res, STMT(ST_DELETE), 2, args, &row, NOT_FOUND)
               != DECLINED) {
        return HUB_DONE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00571: navigator %s deleted from tenant %s by %s",
                  args[0], hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "id", args[0]));
}

/* navigator_json: navigator_out, and navigator_metadata when asked for */
#define NAVIGATOR_OUT \
    HUB_DOC("GetNavigatorResponse", \
            OBJ("\"id\":" STR ",\"name\":" STR ",\"description\":" NSTR \
                ",\"api_name\":" STR ",\"tool_exposure\":" STR \
                ",\"tool_naming\":" STR ",\"created_at\":" STR \
                ",\"updated_at\":" STR ",\"metadata\":" \
                "{\"type\":\"object\",\"nullable\":true,\"properties\":{" \
                "\"enabled_servers_count\":" INT \
                ",\"connected_projects_count\":" INT "},\"required\":[" \
                "\"enabled_servers_count\",\"connected_projects_count\"]}", \
                "\"id\",\"name\",\"description\",\"api_name\"," \
                "\"tool_exposure\",\"tool_naming\",\"created_at\"," \
                "\"updated_at\",\"metadata\""))
#define NAVIGATOR_ID_OUT HUB_DOC("NavigatorModifiedResponse", ID_OUT)

/* clang-format off */
static const hub_shape_t created_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "api_name", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

const hub_route_t hub_servers_navigators_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/navigators", navigators_list, NULL, 0, 0,
      "List All Navigators",
      .need = HUB_NEED_READ, .query = list_query, .wrap = HUB_WRAP_CX_PAGE,
      .doc = NAVIGATOR_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/navigators", navigator_create, create_in, 0,
      0, "Create New Navigator",
      .need = HUB_NEED_WRITE, .shape = created_out,
      .doc = HUB_DOC("CreateNavigatorResponse", NULL) },
    { HUB_CAYLEX, HUB_M_GET, "/navigators/search", navigators_list, NULL, 0,
      0, "Search Navigators",
      .need = HUB_NEED_READ, .query = search_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = NAVIGATOR_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/navigators/{navigator_id}", navigator_get,
      NULL, 0, 0, "Get Navigator Details",
      .need = HUB_NEED_READ, .doc = NAVIGATOR_OUT },
    { HUB_CAYLEX, HUB_M_PATCH, "/navigators/{navigator_id}",
      navigator_update, update_in, 0, 0, "Update Navigator Configuration",
      .need = HUB_NEED_WRITE, .doc = NAVIGATOR_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, "/navigators/{navigator_id}",
      navigator_delete, NULL, 0, 0, "Delete Navigator",
      .need = HUB_NEED_WRITE, .doc = NAVIGATOR_ID_OUT },
    { 0 },
};
/* clang-format on */
