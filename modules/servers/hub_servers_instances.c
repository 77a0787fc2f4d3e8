/* Caylex's server instances (a server connected to a project):
 * GET /server-instances, GET /server-instances/search,
 * GET|POST /server-instances/{server_instance_id},
 * GET /server-instances/{server_instance_id}/tools, and the server's side
 * of them: GET|POST /servers/{server_id}/connections,
 * POST /servers/{server_id}/clone.
 *
 * Decisions where the document is open:
 * - A paused instance is status `inactive` (server_instances, 007);
 *   `paused` answers status <> 'active'.  POST answers status `paused`
 *   or `running`; pausing what is paused changes nothing but answers
 *   the same.
 * - server_name is the server's name (as GET /servers answers it),
 *   num_tools its tool count from the last listing.
 * - search matches the server's name or slug or the project's name, any
 *   case; project_id filters both listings.  Newest first.
 * - GET .../connections lists every project of the tenant, by name, with
 *   the instance of this server in it (null and is_paused false when it
 *   has none).  POST .../connections makes the set of connected projects
 *   exactly project_ids, in one statement under the server's row lock;
 *   a project that is not the tenant's is 400 and changes nothing.
 * - clone copies every setting of the server (the mode, command and
 *   arguments too), its auth config, and its sealed secrets as they are
 *   (same tenant, so they still decrypt); not its tools, keys or
 *   instances.  The prober lists the clone's tools.  `endpoint` is for
 *   remote servers only (400 otherwise).  A name taken in the tenant is
 *   409 in the envelope the document gives for it.
 * - Instances, servers and projects are the caller's tenant's only:
 *   another tenant's id is "not found". */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

#define INSTANCE_COLS \
    "i.id, i.server_id, i.project_id, i.status," \
    " iso8601(i.created_at) AS created_at," \
    " iso8601(i.updated_at) AS updated_at," \
    " s.name AS server_name, p.name AS project_name, s.auth_method," \
    " s.auth_level, s.server_type, s.transport, s.logo_url, s.description," \
    " s.tool_count"
#define INSTANCE_FROM \
    " FROM server_instances i" \
    " JOIN servers s ON s.id = i.server_id AND s.tenant_id = i.tenant_id" \
    " JOIN projects p ON p.id = i.project_id AND p.tenant_id = i.tenant_id"

const hub_stmt_t hub_servers_instances_stmts[] = {
    /* the count and the page in one round trip */
    { "hub_instances_page",
      "WITH f AS (SELECT " INSTANCE_COLS INSTANCE_FROM
      "   WHERE i.tenant_id = %s::uuid"
      "     AND (%s::uuid IS NULL OR i.project_id = %s::uuid)"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(s.name), lower(%s::text)) > 0"
      "          OR strpos(lower(s.slug), lower(%s::text)) > 0"
      "          OR strpos(lower(p.name), lower(%s::text)) > 0))"
      " SELECT n.total, x.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT * FROM f"
      "   ORDER BY f.created_at DESC, f.id DESC"
      "   LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_instances_get",
      "SELECT " INSTANCE_COLS INSTANCE_FROM
      " WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid" },
    { "hub_instances_status",
      "UPDATE server_instances i"
      "   SET status = %s,"
      "       updated_at = CASE WHEN i.status = %s THEN i.updated_at"
      "                    ELSE now() END"
      "  FROM servers s"
      " WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid"
      "   AND s.id = i.server_id"
      " RETURNING i.id, i.server_id, s.name AS server_name" },
    /* no row: no such instance; one row without a name: no tools */
    { "hub_instances_tools",
      "SELECT t.name, t.description,"
      "       CASE WHEN t.input_schema = '{}'::jsonb THEN NULL"
      "            ELSE t.input_schema END AS input_schema"
      "  FROM server_instances i"
      "  LEFT JOIN tools t ON t.server_id = i.server_id"
      "   AND t.tenant_id = i.tenant_id"
      " WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid"
      " ORDER BY t.name" },
    /* no row: no such server; one row without a project: no projects */
    { "hub_instances_connections",
      "SELECT p.id AS project_id, p.name AS project_name,"
      "       i.id AS server_instance_id,"
      "       coalesce(i.status <> 'active', false) AS is_paused"
      "  FROM servers s"
      "  LEFT JOIN projects p ON p.tenant_id = s.tenant_id"
      "  LEFT JOIN server_instances i ON i.project_id = p.id"
      "   AND i.server_id = s.id"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      " ORDER BY lower(p.name), p.id" },
    /* the server locked, the projects checked, then instances removed and
     * added, in one statement; nothing changes when a project is not the
     * tenant's */
    { "hub_instances_connect",
      "WITH srv AS (SELECT id FROM servers"
      "              WHERE id = %s::uuid AND tenant_id = %s::uuid"
      "              FOR UPDATE),"
      " want AS (SELECT DISTINCT unnest(%s::uuid[]) AS project_id),"
      " missing AS (SELECT w.project_id FROM want w"
      "              WHERE NOT EXISTS (SELECT 1 FROM projects p"
      "                                 WHERE p.id = w.project_id"
      "                                   AND p.tenant_id = %s::uuid)),"
      " del AS (DELETE FROM server_instances i USING srv"
      "          WHERE i.server_id = srv.id"
      "            AND NOT EXISTS (SELECT 1 FROM missing)"
      "            AND i.project_id NOT IN (SELECT project_id FROM want)"
      "          RETURNING i.id),"
      " ins AS (INSERT INTO server_instances (tenant_id, server_id,"
      "                                       project_id)"
      "         SELECT %s::uuid, srv.id, w.project_id FROM srv, want w"
      "          WHERE NOT EXISTS (SELECT 1 FROM missing)"
      "         ON CONFLICT (server_id, project_id) DO NOTHING"
      "         RETURNING id)"
      " SELECT srv.id,"
      "        (SELECT project_id::text FROM missing"
      "          ORDER BY project_id LIMIT 1) AS missing,"
      "        (SELECT count(*) FROM del) AS removed,"
      "        (SELECT count(*) FROM ins) AS added"
      "   FROM srv" },
    /* a copy of the server in its tenant: sealed secrets as they are */
    { "hub_instances_clone",
      "INSERT INTO servers (tenant_id, created_by, slug, name, description,"
      "  mode, transport, endpoint, command, args, env_names, auth_method,"
      "  auth_level, auth_config, secrets, query_params, server_type,"
      "  registry_id, logo_url, github_repo, default_branch, tool_prefix,"
      "  timeout_sec, enabled)"
      " SELECT s.tenant_id, %s, %s, %s, s.description, s.mode, s.transport,"
      "        coalesce(%s, s.endpoint), s.command, s.args, s.env_names,"
      "        s.auth_method, s.auth_level, s.auth_config, s.secrets,"
      "        s.query_params, s.server_type, s.registry_id, s.logo_url,"
      "        s.github_repo, s.default_branch, s.tool_prefix,"
      "        s.timeout_sec, s.enabled"
      "   FROM servers s WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      " RETURNING id" },
    { NULL, NULL }
};

enum {
    ST_PAGE,
    ST_GET,
    ST_STATUS,
    ST_TOOLS,
    ST_CONNECTIONS,
    ST_CONNECT,
    ST_CLONE
};

/* ---- answers -------------------------------------------------------- */

static const hub_shape_t cx_instance[] = {
    { "id", NULL, HUB_J_STRING },
    { "server_id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { "server_name", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "auth_method", NULL, HUB_J_STRING },
    { "auth_credentials_level", "auth_level", HUB_J_STRING },
    { "server_type", NULL, HUB_J_STRING },
    { "transport", NULL, HUB_J_STRING },
    { "logo_url", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "num_tools", "tool_count", HUB_J_INT },
    { NULL, NULL, 0 }
};

static json_t *instance_json(const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, cx_instance);
    const char *status = hub_rows_get(rows, i, "status");
    json_object_set_new(o, "paused", json_boolean(strcmp(status, "active")));
    return o;
}

static int uuid_invalid(hub_result_t *res, const char *where, const char *field)
{
    return hub_err_field(res, where, field, "uuid_parsing",
                         "Input should be a valid UUID");
}

static int instance_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "Server instance not found");
}

static int server_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
}

/* ---- listing ------------------------------------------------------------ */

/* clang-format off */
static const hub_qfield_t list_query[] = {
    HUB_Q_CX_PAGE,
    { "project_id", HUB_Q_UUID, 0, 0, 0, 0, NULL, "one project's only" },
    HUB_Q_END,
};
static const hub_qfield_t search_query[] = {
    { "search", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "in the server's name or slug or the project's name, any case" },
    HUB_Q_CX_PAGE,
    { "project_id", HUB_Q_UUID, 0, 0, 0, 0, NULL, "one project's only" },
    HUB_Q_END,
};
/* clang-format on */

static int instances_list(hub_req_t *hr, hub_result_t *res)
{
    const char *project = hub_qv_str(&hr->q, "project_id");
    const char *q = hub_qv_str(&hr->q, "search");
    const char *args[10];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    q = q && *q ? q : NULL;
    args[0] = hr->who->tenant_id;
    args[1] = args[2] = project;
    args[3] = args[4] = args[5] = args[6] = q;
    args[7] = apr_ltoa(hr->pool, pg.limit);
    args[8] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, &hub_servers_instances_stmts[ST_PAGE], &rows, 9,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, instance_json(rows, i));
    }
    return hub_ok_page(res, items, total, &pg);
}

/* Runs statement WHICH, keyed by (instance id from the path, tenant): the
 * rows in *rows and DECLINED, or HUB_DONE with the error.  Both such
 * statements find the instance row, so no rows means no such instance. */
static int instance_select(hub_req_t *hr, hub_result_t *res, int which,
                           hub_rows_t **rows)
{
    const char *args[2] = { hub_param(hr, "server_instance_id"),
                            hr->who->tenant_id };
    hub_db_status_e st;

    if (!hub_is_uuid(args[0])) {
        return uuid_invalid(res, "path", "server_instance_id");
    }
    st = hub_db_select(hr->r, &hub_servers_instances_stmts[which], rows, 2,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!(*rows)->rows->nelts) {
        return instance_not_found(res);
    }
    return DECLINED;
}

static int instance_get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (instance_select(hr, res, ST_GET, &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, instance_json(row, 0));
}

/* clang-format off */
static const hub_field_t status_in[] = {
    { "status", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, NULL,
      "pause or unpause" },
    { NULL, 0, 0, 0, 0, NULL, NULL },
};
/* clang-format on */

static int instance_status(hub_req_t *hr, hub_result_t *res)
{
    const char *want = json_string_value(json_object_get(hr->body, "status"));
    const char *args[4];
    hub_rows_t *row;
    hub_db_status_e st;
    int pause;

    if (!hub_is_uuid(args[2] = hub_param(hr, "server_instance_id"))) {
        return uuid_invalid(res, "path", "server_instance_id");
    }
    if (strcmp(want, "pause") && strcmp(want, "unpause")) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Invalid status. Must be 'pause' or 'unpause'");
    }
    pause = !strcmp(want, "pause");
    args[0] = args[1] = pause ? "inactive" : "active";
    args[3] = hr->who->tenant_id;
    st = hub_db_select(hr->r, &hub_servers_instances_stmts[ST_STATUS], &row, 4,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return instance_not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00530: server "
                  "instance %s %s in tenant %s by %s",
                  args[2], pause ? "paused" : "unpaused", hr->who->tenant_slug,
                  hr->who->name);
    /* clang-format off */
    return hub_ok(res, json_pack("{s:s,s:s,s:s,s:s,s:s}",
        "server_instance_id", hub_rows_get(row, 0, "id"),
        "server_id", hub_rows_get(row, 0, "server_id"),
        "server_name", hub_rows_get(row, 0, "server_name"),
        "status", pause ? "paused" : "running",
        "message", apr_psprintf(hr->pool, "Successfully %s server instance "
                                "'%s'", pause ? "paused" : "unpaused",
                                hub_rows_get(row, 0, "server_name"))));
    /* clang-format on */
}

static const hub_shape_t instance_tool[] = {
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "input_schema", NULL, HUB_J_JSON },
    { NULL, NULL, 0 },
};

static int instance_tools(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    if (instance_select(hr, res, ST_TOOLS, &rows) != DECLINED) {
        return HUB_DONE;
    }
    if (!hub_rows_get(rows, 0, "name")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                       "Tool listing is "
                       "not yet available for this server. At least one "
                       "user must authenticate to retrieve tool listings.");
    }
    return hub_ok_rows(res, rows, NULL);
}

/* ---- a server's connections ---------------------------------------------- */

static const hub_shape_t connection[] = {
    { "project_id", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "server_instance_id", NULL, HUB_J_STRING },
    { "is_paused", NULL, HUB_J_BOOL },
    { NULL, NULL, 0 },
};

static const hub_srv_connections_words_t connections_words = {
    .param = "server_id",
    .list = &hub_servers_instances_stmts[ST_CONNECTIONS],
    .connect = &hub_servers_instances_stmts[ST_CONNECT],
    .not_found = "Server not found",
    .what = "server",
};

/* ---- clone ------------------------------------------------------------- */

static const hub_field_t clone_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL,
      "the clone's name; normalised into its slug" },
    { "endpoint", HUB_T_STRING, HUB_F_NULLABLE, 1, 2048, NULL,
      "default: the original's" },
    { NULL, 0, 0, 0, 0, NULL, NULL },
};

/* the clone's name and endpoint, as the Caylex create says them */
static const hub_srv_map_t clone_map[] = {
    { "name", HUB_SRV_NAME, HUB_SRV_SLUG_OF, 0 },
    { "endpoint", HUB_SRV_ENDPOINT, HUB_SRV_URL, 0 },
    { NULL, 0, 0, 0 },
};
static const hub_srv_input_t clone_how = { clone_map, 0, NULL };

static int server_clone(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "server_id"), *endpoint;
    const char *args[6];
    hub_server_in_t in;
    hub_rows_t *old, *row;
    hub_db_status_e st;

    if (hub_servers_take_map(hr, res, &clone_how, &in) != DECLINED) {
        return HUB_DONE;
    }
    endpoint = in.val[HUB_SRV_ENDPOINT];
    st = hub_servers_get(hr, id, &old);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (old->rows->nelts != 1) {
        return server_not_found(res);
    }
    if (endpoint && strcmp(hub_rows_get(old, 0, "mode"), "remote")) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "endpoint can "
                       "be given for remote servers only");
    }
    args[0] = hr->who->name;
    args[1] = in.val[HUB_SRV_SLUG];
    args[2] = in.val[HUB_SRV_NAME];
    args[3] = endpoint;
    args[4] = id;
    args[5] = hr->who->tenant_id;
    st = hub_db_select(hr->r, &hub_servers_instances_stmts[ST_CLONE], &row, 6,
                       args);
    if (st == HUB_DB_CONFLICT) {
        /* the document's envelope for this one answer */
        return hub_ok_status(
            res, HTTP_CONFLICT,
            json_pack("{s:{s:s}}", "error", "message",
                      apr_psprintf(hr->pool,
                                   "A server with the "
                                   "name '%s' already exists in this tenant",
                                   args[2])));
    }
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return server_not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00532: server %s "
                  "cloned as %s (%s) in tenant %s by %s",
                  id, hub_rows_get(row, 0, "id"), args[1], hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "id", hub_rows_get(row, 0, "id")));
}

/* instance_json: cx_instance and paused */
#define INSTANCE_OUT \
    HUB_DOC("GetServerInstanceResponse", \
            OBJ("\"id\":" STR ",\"server_id\":" STR ",\"project_id\":" STR \
                ",\"paused\":" BOOL ",\"created_at\":" STR \
                ",\"updated_at\":" STR ",\"server_name\":" NSTR \
                ",\"project_name\":" NSTR ",\"auth_method\":" NSTR \
                ",\"auth_credentials_level\":" NSTR ",\"server_type\":" NSTR \
                ",\"transport\":" NSTR ",\"logo_url\":" NSTR \
                ",\"description\":" NSTR ",\"num_tools\":" NINT, \
                "\"id\",\"server_id\",\"project_id\",\"paused\"," \
                "\"created_at\",\"updated_at\",\"server_name\"," \
                "\"project_name\",\"auth_method\",\"auth_credentials_level\"," \
                "\"server_type\",\"transport\",\"logo_url\",\"description\"," \
                "\"num_tools\""))
/* instance_status */
#define STATUS_OUT \
    HUB_DOC("ServerInstanceResponse", \
            OBJ("\"server_instance_id\":" STR ",\"server_id\":" STR \
                ",\"server_name\":" STR ",\"status\":" ENUM( \
                    "\"paused\",\"running\"") ",\"message\":" STR, \
                "\"server_instance_id\",\"server_id\",\"server_name\"," \
                "\"status\",\"message\""))

/* clang-format off */
const hub_route_t hub_servers_instances_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/server-instances", instances_list, NULL, 0, 0,
      "List Server Instances",
      .need = HUB_NEED_READ, .query = list_query, .wrap = HUB_WRAP_CX_PAGE,
      .doc = INSTANCE_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-instances/search", instances_list,
      NULL, 0, 0, "Search Server Instances",
      .need = HUB_NEED_READ, .query = search_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = INSTANCE_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-instances/{server_instance_id}",
      instance_get, NULL, 0, 0, "Get Server Instance",
      .need = HUB_NEED_READ, .doc = INSTANCE_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/server-instances/{server_instance_id}",
      instance_status, status_in, 0, 0, "Update Server Instance Status",
      .need = HUB_NEED_WRITE, .doc = STATUS_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-instances/{server_instance_id}/tools",
      instance_tools, NULL, 0, 0, "Get Server Instance Tools",
      .need = HUB_NEED_READ, .shape = instance_tool, .wrap = HUB_WRAP_KEY,
      .key = "tools",
      .doc = HUB_DOC("ServerInstanceToolResponse", NULL) },
    { HUB_CAYLEX, HUB_M_GET, "/servers/{server_id}/connections",
      hub_servers_op_connections_get, NULL, 0, 0,
      "Get Server Project Connections",
      .need = HUB_NEED_READ, .shape = connection, .wrap = HUB_WRAP_KEY,
      .key = "connections", .words = &connections_words,
      .doc = HUB_DOC("GetServerConnectionsItem", NULL) },
    { HUB_CAYLEX, HUB_M_POST, "/servers/{server_id}/connections",
      hub_servers_op_connections_set, hub_servers_connections_in, 0, 0,
      "Update Server Project Connections",
      .need = HUB_NEED_WRITE, .words = &connections_words,
      .doc = HUB_DOC("ServerModifiedResponse", ID_OUT) },
    { HUB_CAYLEX, HUB_M_POST, "/servers/{server_id}/clone", server_clone,
      clone_in, 0, 0, "Clone Server",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("ServerModifiedResponse", ID_OUT) },
    { 0 },
};
/* clang-format on */
