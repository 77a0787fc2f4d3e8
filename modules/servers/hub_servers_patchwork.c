/* Patchwork MCP's servers: GET|POST /api/v1/servers/ (ServerOut, ServerIn).
 *
 * Decisions where the document is open:
 * - slug is the name normalised (lowercase letters, digits, '-', '_');
 *   a slug already used in the team is 409.
 * - mode is `remote` (the hub reaches the server at its endpoint),
 *   `stdio` (a command the hub runs) or `heartbeat` (no endpoint: the
 *   server reports through Patchwork's heartbeats).  ServerIn has no
 *   endpoint, so a Patchwork server is `heartbeat` unless the body adds
 *   the hub's own `endpoint` field (an http(s) URL), which makes it
 *   `remote`.  `github_repo` may be given too.  ?mode= filters on it
 *   exactly; an unknown mode lists nothing.
 * - health_status is `unknown` and uptime_24h null until the prober has
 *   seen the server (or, in heartbeat mode, its first heartbeat).
 * - The answer to POST carries, beside ServerOut's fields, the new
 *   server's key as `server_key` (`hubs_...`, Patchwork's ServerKeyAuth
 *   for its heartbeats and feedback): shown this once, stored only as a
 *   SHA-256.  Should that insert fail after the server was made, the
 *   answer is still 201 with `server_key` null (logged as HUB00470);
 *   `tools/hubctl create-server-key` makes one. */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_key.h"
#include "hub_rows.h"

static const hub_shape_t server_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "slug", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "mode", NULL, HUB_J_STRING },
    { "github_repo", NULL, HUB_J_STRING },
    { "health_status", NULL, HUB_J_STRING },
    { "uptime_24h", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_field_t server_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "server name" },
    { "description", HUB_T_STRING, 0, 0, 5000, NULL, "default \"\"" },
    { "default_branch", HUB_T_STRING, 0, 1, 200, NULL, "default main" },
    { "github_repo", HUB_T_STRING, 0, 0, 500, NULL,
      "hub extension: owner/repo" },
    { "endpoint", HUB_T_STRING, HUB_F_NULLABLE, 1, 2048, NULL,
      "hub extension: the server's http(s) MCP URL (mode remote)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static int invalid(hub_req_t *hr, const char *field, const char *type,
                   const char *msg)
{
    apr_array_header_t *problems = apr_array_make(hr->pool, 1,
                                                  sizeof(hub_invalid_t));
    hub_invalid_t *inv = apr_array_push(problems);
    inv->field = field;
    inv->type = type;
    inv->msg = msg;
    return hub_fail_invalid(hr, "body", problems);
}

static int servers_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_server_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    long total;
    if (!hub_principal_can_read(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                        "listing servers needs read access");
    }
    f.mode = hub_query(hr, "mode");
    f.limit = -1;
    st = hub_servers_list(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_OK, hub_rows_json(rows, server_out));
}

static const char *str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

/* A key for the new server (its statement lives with the heartbeats,
 * which it is for): the key, or NULL when it could not be stored. */
static const char *issue_server_key(hub_req_t *hr, const char *server_id)
{
    const hub_stmt_t *st = hub_servers_heartbeat_stmts;
    const hub_key_t *key = hub_key_mint(hr->pool, HUB_KEY_SERVER);
    const char *args[4];
    int stored = 0;
    while (st->label && strcmp(st->label, "hub_srv_server_key_issue")) {
        st++;
    }
    if (!key || !st->label) {
        return NULL;
    }
    args[0] = key->prefix;
    args[1] = key->hash;
    args[2] = server_id;
    args[3] = hr->who->tenant_id;
    if (hub_db_exec(hr->r, st, &stored, 4, args) != HUB_DB_OK || !stored) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, hr->r, "HUB00470: "
                      "server %s was created without a server key", server_id);
        return NULL;
    }
    return key->raw;
}

static int server_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_server_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;
    hub_srv_seal_e seal;
    json_t *out;
    const char *name = str(hr, "name"), *endpoint = str(hr, "endpoint");
    const char *slug = hub_servers_slugify(hr->pool, name), *why;

    if (!hub_principal_can_write(hr->who)) {
        return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                        "creating servers needs write access");
    }
    if (!slug) {
        return invalid(hr, "name", "value_error",
                       "Value error, the name needs a letter or a digit");
    }
    if (endpoint && (why = hub_servers_url_problem(hr->pool, endpoint))) {
        return invalid(hr, "endpoint", "url_parsing",
                       apr_pstrcat(hr->pool, "Input should be a valid URL, ",
                                   why, NULL));
    }
    if (endpoint && (why = hub_servers_url_refused(hr, endpoint))) {
        return invalid(hr, "endpoint", "value_error",
                       apr_pstrcat(hr->pool, "Value error, ", why, NULL));
    }
    hub_servers_in_init(hr->pool, &in);
    hub_servers_in_set(&in, HUB_SRV_SLUG, slug);
    hub_servers_in_set(&in, HUB_SRV_NAME, name);
    hub_servers_in_set(&in, HUB_SRV_DESCRIPTION, str(hr, "description"));
    hub_servers_in_set(&in, HUB_SRV_DEFAULT_BRANCH, str(hr, "default_branch"));
    hub_servers_in_set(&in, HUB_SRV_GITHUB_REPO, str(hr, "github_repo"));
    hub_servers_in_set(&in, HUB_SRV_ENDPOINT, endpoint);
    hub_servers_in_set(&in, HUB_SRV_MODE, endpoint ? "remote" : "heartbeat");
    st = hub_servers_create(hr, &in, &row, &seal);
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, seal);
    }
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    out = hub_row_json(row, 0, server_out);
    json_object_set_new(out, "server_key", hub_json_str_or_null(
        issue_server_key(hr, hub_rows_get(row, 0, "id"))));
    return hub_send_json(hr, HTTP_CREATED, out);
}

#define PW_IN (HUB_IN_APIKEY | HUB_IN_SESSION)

const hub_route_t hub_servers_patchwork_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/servers/", servers_list, NULL,
      PW_IN, 0, "List Servers",
      .need = HUB_NEED_ANY },
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/servers/", server_create,
      server_in, PW_IN, 0, "Create Server",
      .need = HUB_NEED_ANY },
    { 0 }
};
