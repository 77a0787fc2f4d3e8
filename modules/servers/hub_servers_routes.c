/* Every route table and statement list of mod_hub_servers, registered
 * once per start: the server registry through Patchwork, Tool Hub,
 * GoClaw and Caylex (issue 4); probing, heartbeats, feedback, quality,
 * tools, navigators and the gateway add their tables here. */
#include "hub_servers_private.h"
#include "hub_servers_gateway.h"

void hub_servers_register(server_rec *s)
{
    hub_db_register(s, hub_servers_store_stmts);
    hub_db_register(s, hub_servers_probe_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_probe_routes);
    hub_db_register(s, hub_servers_secrets_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_secrets_routes);
    hub_db_register(s, hub_servers_registry_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_registry_routes);
    hub_db_register(s, hub_servers_instances_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_instances_routes);
    hub_db_register(s, hub_servers_navigators_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_navigators_routes);
    hub_db_register(s, hub_servers_nav_instances_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_nav_instances_routes);
    hub_db_register(s, hub_servers_tools_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_tools_routes);
    hub_db_register(s, hub_servers_quality_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_quality_routes);
    hub_db_register(s, hub_servers_heartbeat_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_heartbeat_routes);
    hub_db_register(s, hub_servers_feedback_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_feedback_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_patchwork_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_toolhub_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_goclaw_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_caylex_routes);
    hub_db_register(s, hub_servers_gateway_stmts);
    hub_db_register(s, hub_servers_gateway_tools_stmts);
    hub_db_register(s, hub_servers_recorder_stmts);
    hub_db_register(s, hub_servers_gateway_guard_stmts);
    hub_db_register(s, hub_servers_approvals_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_approvals_routes);
    hub_db_register(s, hub_servers_oauth_logo_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_oauth_logo_routes);
    hub_db_register(s, hub_servers_tool_store_stmts);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_custom_tools_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_g4f_tools_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_skills_routes);
    hub_dispatch_register(HUB_SERVERS_OWNER, hub_servers_builtin_tools_routes);
    hub_db_register(s, hub_servers_targets_stmts);
}
