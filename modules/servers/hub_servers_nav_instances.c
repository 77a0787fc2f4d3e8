/* Caylex's navigator instances (a navigator connected to a project,
 * sql/020) and what each may call:
 * GET|POST /navigators/{navigator_id}/connections,
 * GET /navigator-instances, GET /navigator-instances/{id},
 * GET|PUT /navigator-instances/{id}/tool-permissions.  The statements
 * here are the only SQL over navigator_instances and
 * navigator_tool_permissions; every one names the caller's tenant.
 *
 * Decisions where the document is open:
 * - The tools of an instance are the tools of every server with an
 *   instance in its project (paused ones too: they can be configured
 *   before they run).  A tool without a permission row is
 *   always_execute; `enabled` is mode != disabled.  impact_level is null:
 *   the hub has no such rating.
 * - PUT changes the tools it names and no others; an item needs `mode`
 *   or `enabled` (mode wins), and may set `rate_limit_per_minute` (a hub
 *   extension: calls a minute through this instance, null for none;
 *   absent keeps what is stored).  A tool that is not the instance's is
 *   400 and nothing changes; the same tool twice: the last item counts.
 * - metadata (servers_enabled: active server instances in the project;
 *   tools_enabled: their enabled tools that are not disabled here) when
 *   include_analytics is true, else null.  config_metadata when asked:
 *   the hub extracts nothing and has no context maps, so false, 0, [].
 * - GET .../connections lists every project of the tenant, by name, with
 *   this navigator's instance in it (null when none); POST makes the set
 *   of connected projects exactly project_ids, in one statement under
 *   the navigator's row lock; a project that is not the tenant's is 400
 *   and changes nothing. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

/* counted: SQL true when the counts are wanted (a list without
 * include_analytics does not pay for them) */
#define INSTANCE_COLS(counted) \
    "ni.id, ni.navigator_id, ni.project_id," \
    " iso8601(ni.created_at) AS created_at," \
    " iso8601(ni.updated_at) AS updated_at," \
    " n.name AS navigator_name, n.api_name, p.name AS project_name," \
    " ni.dynamic_suggestions_enabled, ni.context_maps_enabled," \
    " CASE WHEN " counted " THEN (SELECT count(*) FROM server_instances si" \
    "   WHERE si.project_id = ni.project_id AND si.status = 'active')" \
    "   END AS servers_enabled," \
    " CASE WHEN " counted " THEN (SELECT count(*) FROM server_instances si" \
    "    JOIN tools t ON t.server_id = si.server_id AND t.enabled" \
    "    LEFT JOIN navigator_tool_permissions tp" \
    "      ON tp.navigator_instance_id = ni.id AND tp.tool_id = t.id" \
    "   WHERE si.project_id = ni.project_id AND si.status = 'active'" \
    "     AND coalesce(tp.mode, 'always_execute') <> 'disabled')" \
    "   END AS tools_enabled"
/* src: navigator_instances, or a CTE of its rows */
#define INSTANCE_FROM(src) \
    " FROM " src " ni" \
    " JOIN navigators n ON n.id = ni.navigator_id" \
    " JOIN projects p ON p.id = ni.project_id"

/* clang-format off */
const hub_stmt_t hub_servers_nav_instances_stmts[] = {
    /* no row: no such navigator; one row without a project: none */
    { "hub_nav_connections",
      "SELECT p.id AS project_id, p.name AS project_name,"
      "       ni.id AS navigator_instance_id"
      "  FROM navigators n"
      "  LEFT JOIN projects p ON p.tenant_id = n.tenant_id"
      "  LEFT JOIN navigator_instances ni ON ni.project_id = p.id"
      "   AND ni.navigator_id = n.id"
      " WHERE n.id = %s::uuid AND n.tenant_id = %s::uuid"
      " ORDER BY lower(p.name), p.id" },
    /* the navigator locked, the projects checked, then instances removed
     * and added, in one statement; nothing changes when a project is not
     * the tenant's */
    { "hub_nav_connect",
      "WITH nav AS (SELECT id FROM navigators"
      "              WHERE id = %s::uuid AND tenant_id = %s::uuid"
      "              FOR UPDATE),"
      " want AS (SELECT DISTINCT unnest(%s::uuid[]) AS project_id),"
      " missing AS (SELECT w.project_id FROM want w"
      "              WHERE NOT EXISTS (SELECT 1 FROM projects p"
      "                                 WHERE p.id = w.project_id"
      "                                   AND p.tenant_id = %s::uuid)),"
      " del AS (DELETE FROM navigator_instances i USING nav"
      "          WHERE i.navigator_id = nav.id"
      "            AND NOT EXISTS (SELECT 1 FROM missing)"
      "            AND i.project_id NOT IN (SELECT project_id FROM want)"
      "          RETURNING i.id),"
      " ins AS (INSERT INTO navigator_instances (tenant_id, navigator_id,"
      "                                          project_id)"
      "         SELECT %s::uuid, nav.id, w.project_id FROM nav, want w"
      "          WHERE NOT EXISTS (SELECT 1 FROM missing)"
      "         ON CONFLICT (navigator_id, project_id) DO NOTHING"
      "         RETURNING id)"
      " SELECT nav.id,"
      "        (SELECT project_id::text FROM missing"
      "          ORDER BY project_id LIMIT 1) AS missing,"
      "        (SELECT count(*) FROM del) AS removed,"
      "        (SELECT count(*) FROM ins) AS added"
      "   FROM nav" },
    /* the count and the page in one round trip */
    { "hub_nav_instances_page",
      "WITH f AS (SELECT ni.* FROM navigator_instances ni"
      "   WHERE ni.tenant_id = %s::uuid"
      "     AND (%s::uuid IS NULL OR ni.project_id = %s::uuid))"
      " SELECT c.total, x.* FROM (SELECT count(*) AS total FROM f) c"
      " LEFT JOIN LATERAL (SELECT " INSTANCE_COLS("%s::boolean")
      INSTANCE_FROM("f")
      "   ORDER BY ni.created_at DESC, ni.id DESC"
      "   LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_nav_instances_get",
      "SELECT " INSTANCE_COLS("true") INSTANCE_FROM("navigator_instances")
      " WHERE ni.id = %s::uuid AND ni.tenant_id = %s::uuid" },
    /* no row: no such instance; rows without a tool: servers without
     * tools, or none */
    { "hub_nav_permissions",
      "SELECT t.id AS tool_id, t.name AS tool_name, s.id AS server_id,"
      "       s.name AS server_name, s.logo_url,"
      "       coalesce(tp.mode, 'always_execute') AS mode,"
      "       coalesce(tp.mode, 'always_execute') <> 'disabled' AS enabled,"
      "       tp.rate_limit_per_minute"
      "  FROM navigator_instances ni"
      "  LEFT JOIN server_instances si ON si.project_id = ni.project_id"
      "  LEFT JOIN servers s ON s.id = si.server_id"
      "  LEFT JOIN tools t ON t.server_id = s.id"
      "  LEFT JOIN navigator_tool_permissions tp"
      "    ON tp.navigator_instance_id = ni.id AND tp.tool_id = t.id"
      " WHERE ni.id = %s::uuid AND ni.tenant_id = %s::uuid"
      " ORDER BY lower(s.name), s.id, t.name" },
    /* the instance locked, every tool checked to be the instance's, then
     * all written, in one statement; nothing changes when one is not */
    { "hub_nav_permissions_set",
      "WITH ni AS (SELECT id, project_id, tenant_id FROM navigator_instances"
      "             WHERE id = %s::uuid AND tenant_id = %s::uuid"
      "             FOR UPDATE),"
      " given AS (SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[],"
      "                                %s::boolean[])"
      "           WITH ORDINALITY AS g(tool_id, mode, rate, rate_given, ord)),"
      /* the same tool twice: the last item */
      " want AS (SELECT DISTINCT ON (tool_id) * FROM given"
      "           ORDER BY tool_id, ord DESC),"
      " missing AS (SELECT w.tool_id FROM want w, ni"
      "              WHERE NOT EXISTS (SELECT 1 FROM tools t"
      "                JOIN server_instances si ON si.server_id = t.server_id"
      "               WHERE t.id = w.tool_id AND si.project_id = ni.project_id"
      "                 AND t.tenant_id = ni.tenant_id)),"
      " up AS (INSERT INTO navigator_tool_permissions AS tp"
      "          (navigator_instance_id, tool_id, tenant_id, mode,"
      "           rate_limit_per_minute)"
      "        SELECT ni.id, w.tool_id, ni.tenant_id, w.mode,"
      "               CASE WHEN w.rate_given THEN nullif(w.rate, '')::integer"
      "                    ELSE (SELECT o.rate_limit_per_minute"
      "                            FROM navigator_tool_permissions o"
      "                           WHERE o.navigator_instance_id = ni.id"
      "                             AND o.tool_id = w.tool_id) END"
      "          FROM ni, want w WHERE NOT EXISTS (SELECT 1 FROM missing)"
      "        ON CONFLICT (navigator_instance_id, tool_id) DO UPDATE"
      "          SET mode = EXCLUDED.mode,"
      "              rate_limit_per_minute = EXCLUDED.rate_limit_per_minute,"
      "              updated_at = now()"
      "        RETURNING 1)"
      " SELECT ni.id,"
      "        (SELECT tool_id::text FROM missing ORDER BY 1 LIMIT 1)"
      "          AS missing,"
      "        (SELECT count(*) FROM up) AS written"
      "   FROM ni" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_CONNECTIONS,
    ST_CONNECT,
    ST_PAGE,
    ST_GET,
    ST_PERMISSIONS,
    ST_PERMISSIONS_SET
};

#define STMT(i) (&hub_servers_nav_instances_stmts[i])

/* ---- answers -------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t instance_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "navigator_id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { "navigator_name", NULL, HUB_J_STRING },
    { "api_name", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "dynamic_suggestions_enabled", NULL, HUB_J_BOOL },
    { "context_maps_enabled", NULL, HUB_J_BOOL },
    { NULL, NULL, 0 }
};
static const hub_shape_t instance_metadata[] = {
    { "servers_enabled", NULL, HUB_J_INT },
    { "tools_enabled", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};
/* clang-format on */

static json_t *instance_json(const hub_rows_t *rows, int i, int analytics,
                             int config)
{
    json_t *o = hub_row_json(rows, i, instance_out);
    json_object_set_new(o, "metadata",
                        analytics ? hub_row_json(rows, i, instance_metadata)
                                  : json_null());
    json_object_set_new(o, "config_metadata",
                        config ? json_pack("{s:b,s:i,s:[]}",
                                           "can_enable_context_maps", 0,
                                           "extraction_enabled_servers_count",
                                           0, "extraction_enabled_server_ids")
                               : json_null());
    return o;
}

static int instance_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "Navigator instance not found");
}

/* ---- a navigator's connections -------------------------------------------- */

/* clang-format off */
static const hub_shape_t connection_out[] = {
    { "project_id", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "navigator_instance_id", NULL, HUB_J_STRING },
    { NULL, NULL, 0 },
};
/* clang-format on */

static const hub_srv_connections_words_t connections_words = {
    .param = "navigator_id",
    .uuid_path = 1,
    .list = &hub_servers_nav_instances_stmts[ST_CONNECTIONS],
    .connect = &hub_servers_nav_instances_stmts[ST_CONNECT],
    .not_found = "Navigator not found",
    .what = "navigator",
};

/* ---- instances ------------------------------------------------------------ */

/* clang-format off */
static const hub_qfield_t list_query[] = {
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "metadata: enabled servers and tools" },
    { "project_id", HUB_Q_UUID, 0, 0, 0, 0, NULL, "one project's only" },
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
static const hub_qfield_t get_query[] = {
    { "include_config_metadata", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "config_metadata: extraction and context maps" },
    HUB_Q_END,
};
/* clang-format on */

static int instances_list(hub_req_t *hr, hub_result_t *res)
{
    const char *project = hub_qv_str(&hr->q, "project_id");
    int analytics = (int)hub_qv_long(&hr->q, "include_analytics");
    const char *args[7];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = args[2] = project;
    args[3] = args[4] = analytics ? "true" : "false";
    args[5] = apr_ltoa(hr->pool, pg.limit);
    args[6] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, STMT(ST_PAGE), &rows, 7, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, instance_json(rows, i, analytics, 0));
    }
    return hub_ok_page(res, items, total, &pg);
}

static int instance_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param_uuid(hr, res, "navigator_instance_id"),
                            hr->who->tenant_id };
    hub_rows_t *row;
    if (!args[0]
        || hub_select_one(hr, res, STMT(ST_GET), 2, args, &row,
                          "Navigator instance not found")
               != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, instance_json(row, 0, 1,
                                     (int)hub_qv_long(&hr->q, "include_config_"
                                                              "metadata")));
}

/* ---- tool permissions ------------------------------------------------------ */

/* clang-format off */
static const hub_shape_t permission_out[] = {
    { "tool_id", NULL, HUB_J_STRING },
    { "tool_name", NULL, HUB_J_STRING },
    { "server_id", NULL, HUB_J_STRING },
    { "server_name", NULL, HUB_J_STRING },
    { "logo_url", NULL, HUB_J_STRING },
    { "mode", NULL, HUB_J_STRING },
    { "impact_level", NULL, HUB_J_STRING },
    { "enabled", NULL, HUB_J_BOOL },
    { "rate_limit_per_minute", NULL, HUB_J_INT },
    { NULL, NULL, 0 },
};
/* clang-format on */

static int permissions_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hub_param_uuid(hr, res, "navigator_instance_id"),
                            hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!args[0]) {
        return HUB_DONE;
    }
    st = hub_db_select(hr->r, STMT(ST_PERMISSIONS), &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return instance_not_found(res);
    }
    return hub_ok_rows(res, hub_rows_having(hr->pool, rows, "tool_id"), NULL);
}

/* clang-format off */
static const hub_field_t permissions_in[] = {
    { "permissions", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "{tool_id, mode | enabled, rate_limit_per_minute} for each tool to "
      "change" },
    { NULL, 0, 0, 0, 0, NULL, NULL },
};
/* clang-format on */

static const char *const modes[] = { "always_execute", "require_approval",
                                     "disabled", NULL };

static int mode_known(const char *m)
{
    int i;
    for (i = 0; m && modes[i]; i++) {
        if (!strcmp(m, modes[i])) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    apr_array_header_t *tools, *modes, *rates, *rates_given;
} permission_cols_t;

/* One item of permissions: its columns appended, or its problems. */
static void permission_take(hub_req_t *hr, json_t *item, unsigned i,
                            permission_cols_t *c, apr_array_header_t *problems)
{
    const char *at = apr_psprintf(hr->pool, "permissions[%u]", i);
    json_t *mode = json_object_get(item, "mode");
    json_t *enabled = json_object_get(item, "enabled");
    json_t *rate = json_object_get(item, "rate_limit_per_minute");
    const char *tool = json_string_value(json_object_get(item, "tool_id"));
    const char *m = NULL;
    int bad = problems->nelts;

    if (!json_is_object(item)) { /* the fields above are then all NULL */
        hub_invalid_add(problems, at, "model_attributes_type",
                        "Input should be a valid dictionary or object");
        return;
    }
    if (!hub_is_uuid(tool)) {
        hub_invalid_add(problems, apr_pstrcat(hr->pool, at, ".tool_id", NULL),
                        tool ? "uuid_parsing" : "missing",
                        tool ? "Input should be a valid UUID"
                             : "Field required");
    }
    if (mode && !json_is_null(mode)) {
        m = json_string_value(mode);
        if (!mode_known(m)) {
            hub_invalid_add(problems, apr_pstrcat(hr->pool, at, ".mode", NULL),
                            "enum",
                            "Input should be 'always_execute', "
                            "'require_approval' or 'disabled'");
        }
    }
    else if (enabled && json_is_boolean(enabled)) {
        m = json_is_true(enabled) ? "always_execute" : "disabled";
    }
    else if (enabled && !json_is_null(enabled)) {
        hub_invalid_add(problems, apr_pstrcat(hr->pool, at, ".enabled", NULL),
                        "bool_type", "Input should be a valid boolean");
    }
    else {
        hub_invalid_add(problems, at, "value_error",
                        "Value error, either mode or enabled must be "
                        "provided");
    }
    if (rate && !json_is_null(rate)
        && !(json_is_integer(rate) && json_integer_value(rate) > 0
             && json_integer_value(rate) <= 1000000)) {
        hub_invalid_add(problems,
                        apr_pstrcat(hr->pool, at, ".rate_limit_per_minute",
                                    NULL),
                        "greater_than",
                        "Input should be an integer from 1 to 1000000");
    }
    if (problems->nelts != bad) {
        return;
    }
    APR_ARRAY_PUSH(c->tools, const char *) = tool;
    APR_ARRAY_PUSH(c->modes, const char *) = m;
    APR_ARRAY_PUSH(c->rates, const char *) =
        rate && json_is_integer(rate)
            ? apr_psprintf(hr->pool, "%" APR_INT64_T_FMT,
                           (apr_int64_t)json_integer_value(rate))
            : "";
    APR_ARRAY_PUSH(c->rates_given, const char *) = rate ? "t" : "f";
}

static int permissions_set(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param_uuid(hr, res, "navigator_instance_id"), *missing;
    json_t *list = json_object_get(hr->body, "permissions"), *item;
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    permission_cols_t c;
    const char *args[6];
    hub_rows_t *row;
    hub_db_status_e st;
    size_t i;

    if (!id) {
        return HUB_DONE;
    }
    c.tools = apr_array_make(hr->pool, 8, sizeof(const char *));
    c.modes = apr_array_make(hr->pool, 8, sizeof(const char *));
    c.rates = apr_array_make(hr->pool, 8, sizeof(const char *));
    c.rates_given = apr_array_make(hr->pool, 8, sizeof(const char *));
    json_array_foreach(list, i, item) {
        permission_take(hr, item, (unsigned)i, &c, problems);
    }
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    args[0] = id;
    args[1] = hr->who->tenant_id;
    args[2] = hub_pg_array_strv(hr->pool, c.tools);
    args[3] = hub_pg_array_strv(hr->pool, c.modes);
    args[4] = hub_pg_array_strv(hr->pool, c.rates);
    args[5] = hub_pg_array_strv(hr->pool, c.rates_given);
    st = hub_db_select(hr->r, STMT(ST_PERMISSIONS_SET), &row, 6, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return instance_not_found(res);
    }
    if ((missing = hub_rows_get(row, 0, "missing"))) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Tool %s is not a tool of this navigator instance's "
                       "servers",
                       missing);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00573: navigator instance %s: %s tool permissions "
                  "written in tenant %s by %s",
                  id, hub_rows_get(row, 0, "written"), hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "id", id));
}

/* instance_json: instance_out, instance_metadata when asked for, and
 * config_metadata when asked for (nothing is extracted here) */
#define INSTANCE_OUT \
    HUB_DOC("GetNavigatorInstanceResponse", \
            OBJ("\"id\":" STR ",\"navigator_id\":" STR ",\"project_id\":" STR \
                ",\"created_at\":" STR ",\"updated_at\":" STR \
                ",\"navigator_name\":" NSTR ",\"api_name\":" NSTR \
                ",\"project_name\":" NSTR \
                ",\"dynamic_suggestions_enabled\":" BOOL \
                ",\"context_maps_enabled\":" BOOL ",\"metadata\":" \
                "{\"type\":\"object\",\"nullable\":true,\"properties\":{" \
                "\"servers_enabled\":" NINT ",\"tools_enabled\":" NINT \
                "},\"required\":[\"servers_enabled\",\"tools_enabled\"]}" \
                ",\"config_metadata\":" \
                "{\"type\":\"object\",\"nullable\":true,\"properties\":{" \
                "\"can_enable_context_maps\":" BOOL \
                ",\"extraction_enabled_servers_count\":" INT \
                ",\"extraction_enabled_server_ids\":" STRS "},\"required\":[" \
                "\"can_enable_context_maps\"," \
                "\"extraction_enabled_servers_count\"," \
                "\"extraction_enabled_server_ids\"]}", \
                "\"id\",\"navigator_id\",\"project_id\",\"created_at\"," \
                "\"updated_at\",\"navigator_name\",\"api_name\"," \
                "\"project_name\",\"dynamic_suggestions_enabled\"," \
                "\"context_maps_enabled\",\"metadata\",\"config_metadata\""))

/* clang-format off */
const hub_route_t hub_servers_nav_instances_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/navigators/{navigator_id}/connections",
      hub_servers_op_connections_get, NULL, 0, 0,
      "Get Navigator Project Connections",
      .need = HUB_NEED_READ, .shape = connection_out, .wrap = HUB_WRAP_KEY,
      .key = "connections", .words = &connections_words,
      .doc = HUB_DOC("GetNavigatorConnectionsItem", NULL) },
    { HUB_CAYLEX, HUB_M_POST, "/navigators/{navigator_id}/connections",
      hub_servers_op_connections_set, hub_servers_connections_in, 0, 0,
      "Update Navigator Project Connections",
      .need = HUB_NEED_WRITE, .words = &connections_words,
      .doc = HUB_DOC("NavigatorModifiedResponse", ID_OUT) },
    { HUB_CAYLEX, HUB_M_GET, "/navigator-instances", instances_list, NULL, 0,
      0, "List Navigator Instances",
      .need = HUB_NEED_READ, .query = list_query, .wrap = HUB_WRAP_CX_PAGE,
      .doc = INSTANCE_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/navigator-instances/{navigator_instance_id}",
      instance_get, NULL, 0, 0, "Get Navigator Instance Details",
      .need = HUB_NEED_READ, .query = get_query, .doc = INSTANCE_OUT },
    { HUB_CAYLEX, HUB_M_GET,
      "/navigator-instances/{navigator_instance_id}/tool-permissions",
      permissions_get, NULL, 0, 0,
      "Get Tool Permissions for Navigator Instance",
      .need = HUB_NEED_READ, .shape = permission_out, .wrap = HUB_WRAP_KEY,
      .key = "permissions",
      .doc = HUB_DOC("ToolPermissionItem", NULL) },
    { HUB_CAYLEX, HUB_M_PUT,
      "/navigator-instances/{navigator_instance_id}/tool-permissions",
      permissions_set, permissions_in, 0, 0, "Update Tool Permissions",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("NavigatorInstanceModifiedResponse", ID_OUT) },
    { 0 },
};
/* clang-format on */
