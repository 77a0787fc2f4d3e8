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
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

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
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "command", NULL, HUB_J_STRING },
    { "args", NULL, HUB_J_JSON },
    { "description", NULL, HUB_J_STRING },
    { "connected_at", "last_ok_at", HUB_J_STRING },
    { "url", "endpoint", HUB_J_STRING },
    { "transport", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_srv_map_t create_map[] = {
    { "name", HUB_SRV_NAME, HUB_SRV_SLUG_OF, 0 },
    { "description", HUB_SRV_DESCRIPTION, HUB_SRV_TEXT, 0 },
    { "url", HUB_SRV_ENDPOINT, HUB_SRV_URL, 0 },
    { "transport", HUB_SRV_TRANSPORT, HUB_SRV_TEXT, 0 },
    { NULL, 0, 0, 0 },
};

/* env (masked) and status, which no column holds as Tool Hub says it */
static void decorate(hub_req_t *hr HUB_UNUSED, const hub_rows_t *rows, int i,
                     json_t *o, hub_srv_view_e view HUB_UNUSED)
{
    const char *h = hub_rows_get(rows, i, "health_status");
    json_object_set_new(
        o, "env",
        hub_servers_masked(hub_rows_get(rows, i, "secret_names"), "env:"));
    json_object_set_new(o, "status",
                        json_string(
                            !strcmp(h, "healthy") || !strcmp(h, "degraded")
                                ? "connected"
                            : !strcmp(h, "unknown") ? "pending"
                                                    : "disconnected"));
}

/* A stdio server: its command (on HubStdioAllow), args and sealed env. */
static int take_stdio(hub_req_t *hr, hub_result_t *res,
                      const hub_srv_input_t *how, hub_server_in_t *in,
                      const char *cmd)
{
    json_t *args = json_object_get(hr->body, "args"), *v;
    json_t *env = json_object_get(hr->body, "env");
    json_t *names = hub_json_own(hr->pool, json_array());
    const char *k;
    size_t i;

    if (!hub_servers_stdio_allowed(hr->r, cmd)) {
        return hub_err(res, HTTP_BAD_REQUEST, "STDIO_NOT_ALLOWED",
                       "command '%s' is not allowed: this hub runs stdio "
                       "servers only for the commands its operator lists "
                       "in HubStdioAllow",
                       cmd);
    }
    json_array_foreach(args, i, v) {
        if (!json_is_string(v)) {
            return hub_servers_bad(hr, res, how,
                                   apr_psprintf(hr->pool, "args[%u]",
                                                (unsigned)i),
                                   "string_type", "must be a string");
        }
    }
    json_object_foreach(env, k, v) {
        if (!json_is_string(v) || !hub_is_env_name(k)) {
            return hub_servers_bad(hr, res, how,
                                   apr_pstrcat(hr->pool, "env.", k, NULL),
                                   "value_error",
                                   "a name of letters, digits and _ with a "
                                   "string value");
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
    hub_servers_in_set(in, HUB_SRV_ENV_NAMES, hub_pg_array(hr->pool, names));
    return DECLINED;
}

/* exactly one of command (stdio) and url */
static int take(hub_req_t *hr, hub_result_t *res, const hub_srv_input_t *how,
                hub_server_in_t *in, const hub_rows_t *old HUB_UNUSED)
{
    const char *cmd = json_string_value(json_object_get(hr->body, "command"));
    if (!cmd == !in->val[HUB_SRV_ENDPOINT]) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "give either command (stdio) or url (streamable "
                       "HTTP)");
    }
    return cmd ? take_stdio(hr, res, how, in, cmd) : DECLINED;
}

const hub_srv_profile_t hub_servers_th_profile = {
    .profile = HUB_TOOLHUB,
    .id_param = "id",
    .not_found_code = "SERVER_NOT_FOUND",
    .not_found = "MCP server not found",
    .conflict = "a server with this name already exists",
    .in_use_status = HTTP_CONFLICT,
    .in_use_code = "SERVER_IN_USE",
    .default_sort = "created_asc",
    .create_in = { create_map, HTTP_BAD_REQUEST, "VALIDATION_ERROR" },
    .take = take,
    .decorate = decorate,
};

/* JWTs as the document says; API keys too (the profile's default), so
 * keys can script it */
/* clang-format off */
const hub_route_t hub_servers_toolhub_routes[] = {
    { HUB_TOOLHUB, HUB_M_GET, "/api/mcp/servers", hub_servers_op_list, NULL,
      0, 0, "List Servers",
      .need = HUB_NEED_READ, .shape = server_out },
    { HUB_TOOLHUB, HUB_M_POST, "/api/mcp/servers", hub_servers_op_create,
      server_in, 0, 0, "Connect Server",
      .need = HUB_NEED_WRITE, .shape = server_out, .status = 201 },
    { HUB_TOOLHUB, HUB_M_DELETE, "/api/mcp/servers/:id",
      hub_servers_op_delete, NULL, 0, 0, "Disconnect Server",
      .need = HUB_NEED_WRITE },
    { 0 },
};
/* clang-format on */
