/* mod_hub_servers.h: a tenant's server as an MCP target, and the
 * outbound address policy, for the other hub modules (the workflow
 * engine's mcp_tool and http nodes).  The one statement over servers
 * they need stays here, with the rest of this module's SQL. */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "mod_hub_servers.h"

const hub_stmt_t hub_servers_targets_stmts[] = {
    /* by id when it is one, else by slug or name; one server only */
    { "hub_srv_target_of",
      "SELECT s.id, s.mode, s.endpoint, s.transport, s.auth_config,"
      "       s.secrets, s.command, s.args FROM servers s"
      " WHERE s.tenant_id = %s::uuid"
      "   AND (s.id = %s::uuid OR s.slug = %s OR s.name = %s)"
      " ORDER BY (s.id = %s::uuid) DESC, (s.slug = %s) DESC, s.created_at"
      " LIMIT 1" },
    { NULL, NULL }
};

const char *hub_servers_mcp_target_of(
    apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, const char *tenant,
    const char *server, long timeout_ms, hub_mcp_target_t *target)
{
    const char *id = hub_is_uuid(server) ? server : NULL;
    const char *args[6] = { tenant, id, server, server, id, server };
    hub_rows_t *rows;
    if (hub_db_select_on(p, s, dbd, &hub_servers_targets_stmts[0], &rows, 6,
                         args)
        != HUB_DB_OK) {
        return "the database is not available";
    }
    if (!rows->rows->nelts) {
        return apr_psprintf(p, "no MCP server '%s' in this tenant", server);
    }
    return hub_servers_row_target(p, s, tenant, rows, 0, timeout_ms, target);
}

void hub_servers_targets_hooks(void)
{
    APR_REGISTER_OPTIONAL_FN(hub_servers_mcp_target_of);
}
