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
#include "hub_text.h"

/* clang-format off */
static const char *const gc_transports[] = {
    "stdio", "sse", "streamable-http", NULL
};
/* clang-format on */

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
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "name", "slug", HUB_J_STRING | HUB_J_NOTNULL },
    { "display_name", "name", HUB_J_STRING | HUB_J_NOTNULL },
    { "command", NULL, HUB_J_STRING },
    { "args", NULL, HUB_J_JSON },
    { "url", "endpoint", HUB_J_STRING },
    { "tool_prefix", NULL, HUB_J_STRING },
    { "timeout_sec", NULL, HUB_J_INT },
    { "enabled", NULL, HUB_J_BOOL },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

/* name is the slug; display_name the name (create falls back on the
 * slug, take() below); the same for create and update */
static const hub_srv_map_t gc_map[] = {
    { "name", HUB_SRV_SLUG, HUB_SRV_IS_SLUG, 0 },
    { "display_name", HUB_SRV_NAME, HUB_SRV_TEXT, 0 },
    { "args", HUB_SRV_ARGS, HUB_SRV_JSON, 0 },
    { "tool_prefix", HUB_SRV_TOOL_PREFIX, HUB_SRV_TEXT, 0 },
    { "timeout_sec", HUB_SRV_TIMEOUT, HUB_SRV_INT, 0 },
    { "enabled", HUB_SRV_ENABLED, HUB_SRV_BOOL, 0 },
    { NULL, 0, 0, 0 },
};

/* GoClaw's transport name, the masked headers, env and api_key, and
 * agent_count in lists (0 until navigators) */
static void decorate(hub_req_t *hr HUB_UNUSED, const hub_rows_t *rows, int i,
                     json_t *o, hub_srv_view_e view)
{
    const char *names = hub_rows_get(rows, i, "secret_names");
    const char *t = hub_rows_get(rows, i, "transport");
    json_t *keys = hub_servers_names_json(names), *v;
    size_t k;
    json_object_set_new(o, "transport",
                        json_string(!strcmp(t, "streamable_http")
                                        ? "streamable-http"
                                        : t));
    json_object_set_new(o, "headers", hub_servers_masked(names, "header:"));
    json_object_set_new(o, "env", hub_servers_masked(names, "env:"));
    json_array_foreach(keys, k, v) {
        if (!strcmp(json_string_value(v), "api_key")) {
            json_object_set_new(o, "api_key", json_string(HUB_SRV_MASK));
        }
    }
    json_decref(keys);
    if (view == HUB_SRV_LISTED) {
        json_object_set_new(o, "agent_count", json_integer(0));
    }
}

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
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
            return apr_psprintf(hr->pool, "%s: a name with a string value", k);
        }
        if (names) {
            json_array_append_new(names, json_string(k));
        }
        hub_servers_in_secret(in, apr_pstrcat(hr->pool, prefix, k, NULL),
                              strcmp(s, HUB_SRV_MASK) ? s : NULL);
    }
    return NULL;
}

/* headers, env and api_key: sealed; DECLINED or the 400 in res */
static int take_secrets(hub_req_t *hr, hub_result_t *res, hub_server_in_t *in)
{
    json_t *b = hr->body, *v, *hdrs, *env;
    const char *why;
    size_t i;

    json_array_foreach(json_object_get(b, "args"), i, v) {
        if (!json_is_string(v)) {
            return bad(res, "args must be a string array%s", "");
        }
    }
    if ((hdrs = json_object_get(b, "headers"))) {
        json_t *list = hub_json_own(hr->pool, json_array()), *h;
        if ((why = take_map(hr, in, hdrs, "header:", NULL))) {
            return bad(res, "headers.%s", why);
        }
        json_object_foreach(hdrs, why, h) {
            json_array_append_new(list,
                                  json_pack("{s:s,s:s}", "header_name", why,
                                            "header_value_prefix", ""));
        }
        json_object_set(in->auth_config, "headers", list);
    }
    if ((env = json_object_get(b, "env"))) {
        json_t *names = hub_json_own(hr->pool, json_array());
        if ((why = take_map(hr, in, env, "env:", names))) {
            return bad(res, "env.%s", why);
        }
        hub_servers_in_set(in, HUB_SRV_ENV_NAMES,
                           hub_pg_array(hr->pool, names));
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
                                   || json_string_length(
                                       json_object_get(b, "api_key"))
                               ? "header"
                               : "none");
    }
    return DECLINED;
}

/* transport with its command or url, as the body and the stored row
 * (NULL on create) give them.  DECLINED or the 400 in res. */
static int take_transport(hub_req_t *hr, hub_result_t *res,
                          const hub_srv_input_t *how, hub_server_in_t *in,
                          const hub_rows_t *old)
{
    json_t *b = hr->body;
    const char *t = json_string_value(json_object_get(b, "transport"));
    const char *cmd = json_string_value(json_object_get(b, "command"));
    const char *url = json_string_value(json_object_get(b, "url"));

    if (!t && !json_object_get(b, "command") && !json_object_get(b, "url")) {
        return DECLINED; /* nothing about the transport */
    }
    if (!t) {
        t = hub_rows_get(old, 0, "transport");
    }
    if (!strcmp(t, "stdio")) {
        if (!cmd && old && !json_object_get(b, "command")) {
            cmd = hub_rows_get(old, 0, "command");
        }
        if (!cmd || !*cmd) {
            return bad(res, "command is required for transport stdio%s", "");
        }
        if (!hub_servers_stdio_allowed(hr->r, cmd)) {
            return bad(res,
                       "command '%s' is not allowed: this hub runs "
                       "stdio servers only for the commands its operator "
                       "lists in HubStdioAllow",
                       cmd);
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
        return bad(res, "url is required for transport %s", t);
    }
    if (hub_servers_check_url(hr, res, how, "url", url) != DECLINED) {
        return HUB_DONE;
    }
    hub_servers_in_set(in, HUB_SRV_MODE, "remote");
    hub_servers_in_set(in, HUB_SRV_TRANSPORT,
                       strcmp(t, "sse") ? "streamable_http" : "sse");
    hub_servers_in_set(in, HUB_SRV_ENDPOINT, url);
    hub_servers_in_set(in, HUB_SRV_COMMAND, NULL);
    return DECLINED;
}

static int take(hub_req_t *hr, hub_result_t *res, const hub_srv_input_t *how,
                hub_server_in_t *in, const hub_rows_t *old)
{
    if (take_secrets(hr, res, in) != DECLINED
        || take_transport(hr, res, how, in, old) != DECLINED) {
        return HUB_DONE;
    }
    /* no display name: the slug, the one given or the stored one */
    if (!old && (!in->val[HUB_SRV_NAME] || !*in->val[HUB_SRV_NAME])) {
        hub_servers_in_set(in, HUB_SRV_NAME, in->val[HUB_SRV_SLUG]);
    }
    if (old && in->set[HUB_SRV_NAME] && !in->val[HUB_SRV_NAME]) {
        in->val[HUB_SRV_NAME] = hub_rows_get(old, 0, "slug");
    }
    return DECLINED;
}

const hub_srv_profile_t hub_servers_gc_profile = {
    .profile = HUB_GOCLAW,
    .id_param = "id",
    .not_found_code = "NOT_FOUND",
    .not_found = "server not found: %s",
    .conflict = "a server with this name already exists",
    .in_use_status = HTTP_CONFLICT,
    .in_use_code = "CONFLICT",
    .default_sort = "created_asc",
    .create_in = { gc_map, HTTP_BAD_REQUEST, "BAD_REQUEST" },
    .update_in = { gc_map, HTTP_BAD_REQUEST, "BAD_REQUEST" },
    .take = take,
    .decorate = decorate,
    .updated_status = "updated",
    .deleted_status = "deleted",
};

/* reading needs read access; changes need admin, as in GoClaw */
/* clang-format off */
const hub_route_t hub_servers_goclaw_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/mcp/servers", hub_servers_op_list, NULL, 0,
      0, "List MCP servers",
      .need = HUB_NEED_READ, .shape = gc_server, .wrap = HUB_WRAP_KEY,
      .key = "servers" },
    { HUB_GOCLAW, HUB_M_POST, "/v1/mcp/servers", hub_servers_op_create,
      create_in, 0, 0, "Create MCP server",
      .need = HUB_NEED_ADMIN, .shape = gc_server, .status = 201 },
    { HUB_GOCLAW, HUB_M_GET, "/v1/mcp/servers/{id}", hub_servers_op_get,
      NULL, 0, 0, "Get MCP server",
      .need = HUB_NEED_READ, .shape = gc_server },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/mcp/servers/{id}", hub_servers_op_update,
      update_in, 0, 0, "Update MCP server",
      .need = HUB_NEED_ADMIN, .shape = gc_server },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/mcp/servers/{id}", hub_servers_op_delete,
      NULL, 0, 0, "Delete MCP server",
      .need = HUB_NEED_ADMIN },
    { 0 },
};
/* clang-format on */
