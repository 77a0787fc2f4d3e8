/* The LLM providers', agents' and chat completions' tables, registered
 * from the module's post_config (in the parent, before any thread: so
 * libcurl's global setup is made here too). */
#include "hub_wf_providers.h"
#include "hub_http.h"

void hub_wf_llm_register(server_rec *s)
{
    hub_http_global_init();
    hub_db_register(s, hub_wf_providers_stmts);
    hub_db_register(s, hub_wf_agents_stmts);
    hub_db_register(s, hub_wf_calls_stmts);
    hub_db_register(s, hub_wf_wake_stmts);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_goclaw_providers_routes);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_goclaw_agents_routes);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_goclaw_chat_routes);
    hub_dispatch_register(HUB_WORKFLOWS_OWNER,
                          hub_workflows_g4f_providers_routes);
}
