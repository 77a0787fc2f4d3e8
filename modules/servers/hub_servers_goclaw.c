/* GoClaw's MCP servers: GET|POST /v1/mcp/servers, GET|PUT|DELETE
 * /v1/mcp/servers/{id}.
 *
 * The document gives paths and status codes only; the shapes follow
 * GoClaw's own server (its MCPServerData): name (a slug), display_name,
 * transport (stdio | sse | streamable-http), command, args, url, headers,
 * env, api_key, tool_prefix, timeout_sec, enabled, created_by,
 * created_at, updated_at.  Decisions:
 * - the list is {"servers": [...]} with agent_count (0 until navigators);
 *   PUT answers {"status": "updated"}, DELETE {"status": "deleted"}, as
 *   GoClaw does.
 * - header values, env values and api_key are stored sealed and answered
 *   as "********"; sending "********" back keeps the stored value, and a
 *   PUT that names headers (or env) replaces the whole set.
 * - reading needs read access; changes need admin, as in GoClaw.
 * - a malformed or unknown id is 404; a name in use is 409; a server
 *   that projects use cannot be deleted (409). */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_rows.h"

static const char *const gc_transports[] = {
    "stdio", "sse", "streamable-http", NULL
};

static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 100, NULL,
      "slug: lowercase letters, digits, - and _" },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "transport", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, gc_transports, NULL },
    { "command", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "stdio: allowed by HubStdioAllow" },
    { "args", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "url", HUB_T_STRING, HUB_F_NULLABLE, 0, 2048, NULL, "http(s)" },
    { "headers", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "values stored encrypted" },
    { "env", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "values stored encrypted" },
    { "api_key", HUB_T_STRING, HUB_F_NULLABLE, 0, 4096, NULL,
      "stored encrypted" },
    { "tool_prefix", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL, NULL },
    { "timeout_sec", HUB_T_INTEGER, 0, 1, 600, NULL, "default 60" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, "default true" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* the same fields, none required */
static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 100, NULL, NULL },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "transport", HUB_T_STRING, 0, 0, 0, gc_transports, NULL },
    { "command", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "args", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "url", HUB_T_STRING, HUB_F_NULLABLE, 0, 2048, NULL, NULL },
    { "headers", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "env", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "api_key", HUB_T_STRING, HUB_F_NULLABLE, 0, 4096, NULL,
      "\"********\" keeps it, \"\" or null removes it" },
    { "tool_prefix", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL, NULL },
    { "timeout_sec", HUB_T_INTEGER, 0, 1, 600, NULL, NULL },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t gc_server[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", "slug", HUB_J_STRING },
    { "display_name", "name", HUB_J_STRING },
    { "command", NULL, HUB_J_STRING },
    { "args", NULL, HUB_J_JSON },
    { "url", "endpoint", HUB_J_STRING },
    { "tool_prefix", NULL, HUB_J_STRING },
    { "timeout_sec", NULL, HUB_J_INT },
    { "enabled", NULL, HUB_J_BOOL },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static json_t *masked(apr_pool_t *p, const char *names, const char *prefix)
{
    json_t *list = hub_servers_secret_names(p, names, prefix), *o, *v;
    size_t i;
    o = json_object();
    json_array_foreach(list, i, v) {
        json_object_set_new(o, json_string_value(v),
                            json_string(HUB_SRV_MASK));
    }
    json_decref(list);
    return o;
}

static json_t *server_json(apr_pool_t *p, const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, gc_server);
    const char *names = hub_rows_get(rows, i, "secret_names");
    const char *t = hub_rows_get(rows, i, "transport");
    json_t *keys = hub_servers_names_json(names), *v;
    size_t k;
    json_object_set_new(o, "transport", json_string(
        !strcmp(t, "streamable_http") ? "streamable-http" : t));
    json_object_set_new(o, "headers", masked(p, names, "header:"));
    json_object_set_new(o, "env", masked(p, names, "env:"));
    json_array_foreach(keys, k, v) {
        if (!strcmp(json_string_value(v), "api_key")) {
            json_object_set_new(o, "api_key", json_string(HUB_SRV_MASK));
        }
    }
    json_decref(keys);
    return o;
}

static int need_admin(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "managing MCP servers needs admin access "
                    "(operator.admin)");
}

static int not_found(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND", "server not found: %s",
                    hub_param(hr, "id"));
}

static int bad(hub_req_t *hr, const char *fmt, const char *a)
{
    return hub_fail(hr, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

/* A map of name -> string into secrets "<prefix><name>", replacing the
 * stored set; "********" keeps a stored value.  NULL, or what is wrong. */
static const char *take_map(hub_req_t *hr, hub_server_in_t *in,
                            const json_t *map, const char *prefix,
                            json_t *names)
{
    const char *k;
    json_t *v;
    hub_servers_in_replace(in, apr_pstrcat(hr->pool, prefix, "%", NULL));
    json_object_foreach((json_t *)map, k, v) {
        const char *s = json_string_value(v);
        if (!s || !*k || strlen(k) > 200 || strpbrk(k, ":\r\n \t")) {
            return apr_psprintf(hr->pool, "%s: a name with a string value",
                                k);
        }
        if (names) {
            json_array_append_new(names, json_string(k));
        }
        hub_servers_in_secret(in, apr_pstrcat(hr->pool, prefix, k, NULL),
                              strcmp(s, HUB_SRV_MASK) ? s : NULL);
    }
    return NULL;
}

/* Everything but name/transport checks: DECLINED or the 400 sent. */
static int take_body(hub_req_t *hr, hub_server_in_t *in)
{
    json_t *b = hr->body, *v, *hdrs, *env;
    const char *why;
    size_t i;

    if ((v = json_object_get(b, "display_name"))) {
        hub_servers_in_set(in, HUB_SRV_NAME, json_string_value(v));
    }
    json_array_foreach(json_object_get(b, "args"), i, v) {
        if (!json_is_string(v)) {
            return bad(hr, "args must be a string array%s", "");
        }
    }
    if ((v = json_object_get(b, "args"))) {
        hub_servers_in_set(in, HUB_SRV_ARGS, json_is_null(v) ? NULL
                           : hub_json_text(hr->pool, v));
    }
    if ((hdrs = json_object_get(b, "headers"))) {
        json_t *list = hub_json_own(hr->pool, json_array()), *h;
        if ((why = take_map(hr, in, hdrs, "header:", NULL))) {
            return bad(hr, "headers.%s", why);
        }
        json_object_foreach(hdrs, why, h) {
            json_array_append_new(list, json_pack("{s:s,s:s}", "header_name",
                                                  why, "header_value_prefix",
                                                  ""));
        }
        json_object_set(in->auth_config, "headers", list);
    }
    if ((env = json_object_get(b, "env"))) {
        json_t *names = hub_json_own(hr->pool, json_array());
        if ((why = take_map(hr, in, env, "env:", names))) {
            return bad(hr, "env.%s", why);
        }
        hub_servers_in_set(in, HUB_SRV_ENV_NAMES,
                           hub_servers_pg_array(hr->pool, names));
    }
    if ((v = json_object_get(b, "api_key"))) {
        const char *s = json_string_value(v);
        if (!s || strcmp(s, HUB_SRV_MASK)) {
            hub_servers_in_replace(in, "api_key");
            if (s && *s) {
                hub_servers_in_secret(in, "api_key", s);
            }
        }
    }
    if (hdrs || json_object_get(b, "api_key")) {
        hub_servers_in_set(in, HUB_SRV_AUTH_METHOD,
                           json_object_size(hdrs)
                           || json_string_length(json_object_get(b, "api_key"))
                           ? "header" : "none");
    }
    if ((v = json_object_get(b, "tool_prefix"))) {
        hub_servers_in_set(in, HUB_SRV_TOOL_PREFIX, json_string_value(v));
    }
    if ((v = json_object_get(b, "timeout_sec"))) {
        hub_servers_in_set(in, HUB_SRV_TIMEOUT, apr_ltoa(hr->pool,
                           (long)json_integer_value(v)));
    }
    if ((v = json_object_get(b, "enabled"))) {
        hub_servers_in_set(in, HUB_SRV_ENABLED, json_is_true(v) ? "true"
                                                                : "false");
    }
    return DECLINED;
}

/* transport with its command or url, as the body and the stored row
 * (NULL on create) give them.  DECLINED or the 400 sent. */
static int take_transport(hub_req_t *hr, hub_server_in_t *in,
                          const hub_rows_t *old)
{
    json_t *b = hr->body;
    const char *t = json_string_value(json_object_get(b, "transport"));
    const char *cmd = json_string_value(json_object_get(b, "command"));
    const char *url = json_string_value(json_object_get(b, "url"));
    const char *why;

    if (!t && !json_object_get(b, "command") && !json_object_get(b, "url")) {
        return DECLINED;                /* nothing about the transport */
    }
    if (!t) {
        t = hub_rows_get(old, 0, "transport");
    }
    if (!strcmp(t, "stdio")) {
        if (!cmd && old && !json_object_get(b, "command")) {
            cmd = hub_rows_get(old, 0, "command");
        }
        if (!cmd || !*cmd) {
            return bad(hr, "command is required for transport stdio%s", "");
        }
        if (!hub_servers_stdio_allowed(hr->r, cmd)) {
            return bad(hr, "command '%s' is not allowed: this hub runs "
                       "stdio servers only for the commands its operator "
                       "lists in HubStdioAllow", cmd);
        }
        hub_servers_in_set(in, HUB_SRV_MODE, "stdio");
        hub_servers_in_set(in, HUB_SRV_TRANSPORT, "stdio");
        hub_servers_in_set(in, HUB_SRV_COMMAND, cmd);
        hub_servers_in_set(in, HUB_SRV_ENDPOINT, NULL);
        return DECLINED;
    }
    if (!url && old && !json_object_get(b, "url")) {
        url = hub_rows_get(old, 0, "endpoint");
    }
    if (!url) {
        return bad(hr, "url is required for transport %s", t);
    }
    if ((why = hub_servers_url_problem(hr->pool, url))) {
        return bad(hr, "url: %s", why);
    }
    if ((why = hub_servers_url_refused(hr, url))) {
        return bad(hr, "url: %s", why);
    }
    hub_servers_in_set(in, HUB_SRV_MODE, "remote");
    hub_servers_in_set(in, HUB_SRV_TRANSPORT,
                       strcmp(t, "sse") ? "streamable_http" : "sse");
    hub_servers_in_set(in, HUB_SRV_ENDPOINT, url);
    hub_servers_in_set(in, HUB_SRV_COMMAND, NULL);
    return DECLINED;
}

static int servers_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_server_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *list;
    long total;
    int i;
    if (!hub_principal_can_read(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                        "listing MCP servers needs read access");
    }
    f.limit = -1;
    f.sort = "created_asc";
    st = hub_servers_list(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    list = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_t *o = server_json(hr->pool, rows, i);
        json_object_set_new(o, "agent_count", json_integer(0));
        json_array_append_new(list, o);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:o}", "servers", list));
}

static int finish(hub_req_t *hr, hub_db_status_e st, hub_srv_seal_e seal,
                  hub_rows_t *row, int created)
{
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, seal);
    }
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    if (created) {
        return hub_send_json(hr, HTTP_CREATED, server_json(hr->pool, row, 0));
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "status", "updated"));
}

static int server_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *name = json_string_value(json_object_get(hr->body, "name"));
    hub_server_in_t in;
    hub_rows_t *row;
    hub_srv_seal_e seal;
    hub_db_status_e st;
    int rc;

    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    if (!hub_servers_is_slug(name)) {
        return bad(hr, "name '%s' must be a slug: lowercase letters, digits, "
                   "- and _, starting with a letter or digit", name);
    }
    hub_servers_in_init(hr->pool, &in);
    hub_servers_in_set(&in, HUB_SRV_SLUG, name);
    hub_servers_in_set(&in, HUB_SRV_NAME, name);
    if ((rc = take_body(hr, &in)) != DECLINED
        || (rc = take_transport(hr, &in, NULL)) != DECLINED) {
        return rc;
    }
    if (!in.val[HUB_SRV_NAME] || !*in.val[HUB_SRV_NAME]) {
        hub_servers_in_set(&in, HUB_SRV_NAME, name);
    }
    st = hub_servers_create(hr, &in, &row, &seal);
    return finish(hr, st, seal, row, 1);
}

static int server_get(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_rows_t *row;
    hub_db_status_e st;
    if (!hub_principal_can_read(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                        "reading MCP servers needs read access");
    }
    st = hub_servers_get(hr, hub_param(hr, "id"), &row);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, server_json(hr->pool, row, 0));
}

static int server_update(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    json_t *name = json_object_get(hr->body, "name");
    hub_server_in_t in;
    hub_rows_t *old, *row;
    hub_srv_seal_e seal;
    hub_db_status_e st;
    int rc;

    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    st = hub_servers_get(hr, hub_param(hr, "id"), &old);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (old->rows->nelts != 1) {
        return not_found(hr);
    }
    hub_servers_in_init(hr->pool, &in);
    if (name) {
        if (!hub_servers_is_slug(json_string_value(name))) {
            return bad(hr, "name '%s' must be a slug: lowercase letters, "
                       "digits, - and _", json_string_value(name));
        }
        hub_servers_in_set(&in, HUB_SRV_SLUG, json_string_value(name));
    }
    if ((rc = take_body(hr, &in)) != DECLINED
        || (rc = take_transport(hr, &in, old)) != DECLINED) {
        return rc;
    }
    if (in.set[HUB_SRV_NAME] && !in.val[HUB_SRV_NAME]) {
        in.val[HUB_SRV_NAME] = hub_rows_get(old, 0, "slug");
    }
    st = hub_servers_update(hr, hub_param(hr, "id"), &in, &row, &seal);
    return finish(hr, st, seal, row, 0);
}

static int server_delete(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *slug, *in_use;
    hub_db_status_e st;
    int found;
    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    st = hub_servers_delete(hr, hub_param(hr, "id"), &found, &slug, &in_use);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (!found) {
        return not_found(hr);
    }
    if (in_use) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "server '%s' is connected to projects %s; "
                        "disconnect it from them first", slug, in_use);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "status", "deleted"));
}

#define GC_IN (HUB_IN_GATEWAY | HUB_IN_APIKEY)

const hub_route_t hub_servers_goclaw_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/mcp/servers", servers_list, NULL, GC_IN, 0,
      "List MCP servers",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_POST, "/v1/mcp/servers", server_create, create_in,
      GC_IN, 0, "Create MCP server",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_GET, "/v1/mcp/servers/{id}", server_get, NULL, GC_IN,
      0, "Get MCP server",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/mcp/servers/{id}", server_update, update_in,
      GC_IN, 0, "Update MCP server",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/mcp/servers/{id}", server_delete, NULL,
      GC_IN, 0, "Delete MCP server",
      .need = HUB_NEED_ANY },
    { 0 }
};
