/* Tool Hub's MCP servers: GET|POST /api/mcp/servers, DELETE
 * /api/mcp/servers/:id.
 *
 * Decisions where the document is open:
 * - a server is a stdio `command` (with args and env) or, as the hub's
 *   own extension, an http(s) `url` with `transport` streamable_http
 *   (default) or sse; exactly one of the two.  A command is accepted
 *   only when the operator lists it in HubStdioAllow (exact match), else
 *   400 STDIO_NOT_ALLOWED; nothing is started yet.
 * - env values are stored sealed (AES-256-GCM) and answered as
 *   "********"; env names must be shell-like (A-Z, a-z, 0-9, _).
 * - status is `pending` until the prober has seen the server, then
 *   `connected` (healthy or degraded) or `disconnected`; connected_at is
 *   its last good probe.
 * - a server that projects use cannot be deleted: 409 SERVER_IN_USE. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_rows.h"

static const char *const transports[] = { "streamable_http", "sse", NULL };

static const hub_field_t server_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "server name" },
    { "command", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "stdio: the command (must be allowed by HubStdioAllow)" },
    { "args", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "stdio: its arguments (strings)" },
    { "env", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "stdio: environment (values stored encrypted, never answered)" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "url", HUB_T_STRING, HUB_F_NULLABLE, 1, 2048, NULL,
      "hub extension: an http(s) MCP endpoint instead of a command" },
    { "transport", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, transports,
      "hub extension, with url: streamable_http (default) or sse" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t server_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "command", NULL, HUB_J_STRING },
    { "args", NULL, HUB_J_JSON },
    { "description", NULL, HUB_J_STRING },
    { "connected_at", "last_ok_at", HUB_J_STRING },
    { "url", "endpoint", HUB_J_STRING },
    { "transport", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static json_t *server_json(apr_pool_t *p, const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, server_out), *env = json_object(), *v;
    json_t *names = hub_servers_secret_names(p, hub_rows_get(rows, i,
                                                             "secret_names"),
                                             "env:");
    const char *h = hub_rows_get(rows, i, "health_status");
    size_t k;
    json_array_foreach(names, k, v) {
        json_object_set_new(env, json_string_value(v),
                            json_string(HUB_SRV_MASK));
    }
    json_decref(names);
    json_object_set_new(o, "env", env);
    json_object_set_new(o, "status", json_string(
        !strcmp(h, "healthy") || !strcmp(h, "degraded") ? "connected"
        : !strcmp(h, "unknown") ? "pending" : "disconnected"));
    return o;
}

static int bad(hub_req_t *hr, const char *code, const char *msg)
{
    return hub_fail(hr, HTTP_BAD_REQUEST, code, "%s", msg);
}

static int servers_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_server_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *out;
    long total;
    int i;
    if (!hub_principal_can_read(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, NULL,
                        "listing servers needs read access");
    }
    f.limit = -1;
    f.sort = "created_asc";
    st = hub_servers_list(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    out = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(out, server_json(hr->pool, rows, i));
    }
    return hub_send_json(hr, HTTP_OK, out);
}

/* command, args and env into in; DECLINED, or the 400 sent. */
static int take_stdio(hub_req_t *hr, hub_server_in_t *in, const char *cmd)
{
    json_t *args = json_object_get(hr->body, "args"), *v;
    json_t *env = json_object_get(hr->body, "env");
    json_t *names = hub_json_own(hr->pool, json_array());
    const char *k;
    size_t i;

    if (!hub_servers_stdio_allowed(hr->r, cmd)) {
        return hub_fail(hr, HTTP_BAD_REQUEST, "STDIO_NOT_ALLOWED",
                        "command '%s' is not allowed: this hub runs stdio "
                        "servers only for the commands its operator lists "
                        "in HubStdioAllow", cmd);
    }
    json_array_foreach(args, i, v) {
        if (!json_is_string(v)) {
            return bad(hr, "VALIDATION_ERROR", apr_psprintf(hr->pool,
                       "args[%u]: must be a string", (unsigned)i));
        }
    }
    json_object_foreach(env, k, v) {
        if (!json_is_string(v) || !*k || strlen(k) > 200
            || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_") != strlen(k) || apr_isdigit(*k)) {
            return bad(hr, "VALIDATION_ERROR", apr_psprintf(hr->pool,
                       "env.%s: a name of letters, digits and _ with a "
                       "string value", k));
        }
        json_array_append_new(names, json_string(k));
        hub_servers_in_secret(in, apr_pstrcat(hr->pool, "env:", k, NULL),
                              json_string_value(v));
    }
    hub_servers_in_set(in, HUB_SRV_MODE, "stdio");
    hub_servers_in_set(in, HUB_SRV_TRANSPORT, "stdio");
    hub_servers_in_set(in, HUB_SRV_COMMAND, cmd);
    hub_servers_in_set(in, HUB_SRV_ARGS,
                       args ? hub_json_text(hr->pool, args) : NULL);
    hub_servers_in_set(in, HUB_SRV_ENV_NAMES,
                       hub_servers_pg_array(hr->pool, names));
    return DECLINED;
}

static int server_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *name = json_string_value(json_object_get(hr->body, "name"));
    const char *cmd = json_string_value(json_object_get(hr->body, "command"));
    const char *url = json_string_value(json_object_get(hr->body, "url"));
    const char *slug = hub_servers_slugify(hr->pool, name), *why;
    hub_server_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;
    hub_srv_seal_e seal;
    int rc;

    if (!hub_principal_can_write(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, NULL,
                        "connecting servers needs write access");
    }
    if (!slug) {
        return bad(hr, "VALIDATION_ERROR",
                   "name: needs a letter or a digit");
    }
    if (!cmd == !url) {
        return bad(hr, "VALIDATION_ERROR",
                   "give either command (stdio) or url (streamable HTTP)");
    }
    hub_servers_in_init(hr->pool, &in);
    hub_servers_in_set(&in, HUB_SRV_SLUG, slug);
    hub_servers_in_set(&in, HUB_SRV_NAME, name);
    hub_servers_in_set(&in, HUB_SRV_DESCRIPTION, json_string_value(
                           json_object_get(hr->body, "description")));
    if (cmd) {
        if ((rc = take_stdio(hr, &in, cmd)) != DECLINED) {
            return rc;
        }
    }
    else {
        if ((why = hub_servers_url_problem(hr->pool, url))) {
            return bad(hr, "VALIDATION_ERROR",
                       apr_pstrcat(hr->pool, "url: ", why, NULL));
        }
        if ((why = hub_servers_url_refused(hr, url))) {
            return bad(hr, "ADDRESS_NOT_ALLOWED",
                       apr_pstrcat(hr->pool, "url: ", why, NULL));
        }
        hub_servers_in_set(&in, HUB_SRV_ENDPOINT, url);
        hub_servers_in_set(&in, HUB_SRV_TRANSPORT, json_string_value(
                               json_object_get(hr->body, "transport")));
    }
    st = hub_servers_create(hr, &in, &row, &seal);
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, seal);
    }
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_CREATED, server_json(hr->pool, row, 0));
}

static int server_delete(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *slug, *in_use;
    hub_db_status_e st;
    int found;
    if (!hub_principal_can_write(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, NULL,
                        "disconnecting servers needs write access");
    }
    st = hub_servers_delete(hr, hub_param(hr, "id"), &found, &slug, &in_use);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (!found) {
        return hub_fail(hr, HTTP_NOT_FOUND, "SERVER_NOT_FOUND",
                        "MCP server not found");
    }
    if (in_use) {
        return hub_fail(hr, HTTP_CONFLICT, "SERVER_IN_USE",
                        "server '%s' is connected to projects %s; "
                        "disconnect it from them first", slug, in_use);
    }
    return hub_send_json(hr, HTTP_NO_CONTENT, NULL);
}

/* JWTs as the document says; API keys too, so keys can script it */
#define TH_IN (HUB_IN_JWT | HUB_IN_APIKEY)

const hub_route_t hub_servers_toolhub_routes[] = {
    { HUB_TOOLHUB, HUB_M_GET, "/api/mcp/servers", servers_list, NULL, TH_IN,
      0, "List Servers",
      .need = HUB_NEED_ANY },
    { HUB_TOOLHUB, HUB_M_POST, "/api/mcp/servers", server_create, server_in,
      TH_IN, 0, "Connect Server",
      .need = HUB_NEED_ANY },
    { HUB_TOOLHUB, HUB_M_DELETE, "/api/mcp/servers/:id", server_delete, NULL,
      TH_IN, 0, "Disconnect Server",
      .need = HUB_NEED_ANY },
    { 0 }
};
