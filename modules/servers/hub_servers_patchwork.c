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
 * - ServerOut also shows the hub's `endpoint` and `default_branch` as
 *   stored (null endpoint: a heartbeat server), so a typo shows at once;
 *   members ServerIn does not name are refused (extra_forbidden).
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
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "slug", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "description", NULL, HUB_J_STRING },
    { "mode", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "github_repo", NULL, HUB_J_STRING },
    /* hub extensions: what ServerIn's own extensions stored, so a caller
     * sees the server it made (URLs with credentials are refused at
     * input, hub_url_problem) */
    { "endpoint", NULL, HUB_J_STRING },
    { "default_branch", NULL, HUB_J_STRING },
    { "health_status", NULL, HUB_J_STRING },
    { "uptime_24h", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
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

static const hub_srv_map_t create_map[] = {
    { "name", HUB_SRV_NAME, HUB_SRV_SLUG_OF, 0 },
    { "description", HUB_SRV_DESCRIPTION, HUB_SRV_TEXT, 0 },
    { "default_branch", HUB_SRV_DEFAULT_BRANCH, HUB_SRV_TEXT, 0 },
    { "github_repo", HUB_SRV_GITHUB_REPO, HUB_SRV_TEXT, 0 },
    { "endpoint", HUB_SRV_ENDPOINT, HUB_SRV_URL, 0 },
    { NULL, 0, 0, 0 },
};

static const hub_qfield_t list_query[] = {
    { "mode", HUB_Q_STRING, 0, 0, 0, 0, NULL,
      "remote, stdio or heartbeat; exact" },
    HUB_Q_END,
};

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
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, hr->r,
                      "HUB00470: "
                      "server %s was created without a server key",
                      server_id);
        return NULL;
    }
    return key->raw;
}

/* the new server's key, shown this once */
static void decorate(hub_req_t *hr, const hub_rows_t *rows, int i, json_t *o,
                     hub_srv_view_e view)
{
    if (view == HUB_SRV_WRITTEN) {
        json_object_set_new(o, "server_key",
                            hub_json_str_or_null(
                                issue_server_key(hr,
                                                 hub_rows_get(rows, i, "id"))));
    }
}

const hub_srv_profile_t hub_servers_pw_profile = {
    .profile = HUB_PATCHWORK,
    .not_found_code = "NOT_FOUND",
    .not_found = "Server not found",
    .conflict = "a server with this name already exists",
    .create_in = { create_map, 0, NULL },
    .mode_by_endpoint = "heartbeat",
    .decorate = decorate,
    .list_cols = HUB_SRV_COLS_OUT,
};

/* clang-format off */
const hub_route_t hub_servers_patchwork_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/servers/", hub_servers_op_list,
      NULL, 0, 0, "List Servers",
      .need = HUB_NEED_READ, .query = list_query, .shape = server_out },
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/servers/", hub_servers_op_create,
      server_in, 0, 0, "Create Server",
      .need = HUB_NEED_WRITE, .shape = server_out, .status = 201 },
    { 0 },
};
/* clang-format on */
