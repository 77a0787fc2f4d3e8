/* mod_hub_workflows's private declarations. */
#ifndef HUB_WORKFLOWS_PRIVATE_H
#define HUB_WORKFLOWS_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_db.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_route.h"

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_workflows);
#endif
extern module AP_MODULE_DECLARE_DATA hub_workflows_module;

#define HUB_WORKFLOWS_OWNER "hub_workflows"

/* hub_workflows_toolhub.c: Tool Hub's workflows and executions */
extern const hub_route_t hub_workflows_toolhub_routes[];
/* hub_workflows_g4f_flows.c: G4F's project workflows and their runs */
extern const hub_route_t hub_workflows_g4f_flows_routes[];

/* hub_workflows_g4f_sessions.c: G4F's sessions and messages */
extern const hub_route_t hub_workflows_g4f_sessions_routes[];
extern const hub_stmt_t hub_workflows_g4f_sessions_stmts[];

/* hub_workflows_g4f_runs.c: G4F's runs of an agent in a session, events */
extern const hub_route_t hub_workflows_g4f_runs_routes[];
extern const hub_stmt_t hub_workflows_g4f_runs_stmts[];

/* hub_workflows_stream.c: G4F's live stream of a session's events, and
 * its directives (one setting per server) */
extern const hub_route_t hub_workflows_stream_routes[];
extern const hub_stmt_t hub_workflows_stream_stmts[];
void hub_wf_stream_register_hooks(apr_pool_t *p);
const char *hub_wf_stream_set_timeout(cmd_parms *cmd, void *d, const char *v);
const char *hub_wf_stream_set_poll(cmd_parms *cmd, void *d, const char *v);
const char *hub_wf_stream_set_keepalive(cmd_parms *cmd, void *d, const char *v);
const char *hub_wf_stream_set_suspend(cmd_parms *cmd, void *d, int on);
#define HUB_WF_STREAM_DIRECTIVES \
    AP_INIT_TAKE1("HubSessionStreamTimeout", hub_wf_stream_set_timeout, NULL, \
                  RSRC_CONF, \
                  "seconds a G4F session stream lasts (1..86400, 300)"), \
        AP_INIT_TAKE1("HubSessionStreamPoll", hub_wf_stream_set_poll, NULL, \
                      RSRC_CONF, \
                      "milliseconds between looks for new events " \
                      "(100..60000, 1000)"), \
        AP_INIT_TAKE1("HubSessionStreamKeepAlive", \
                      hub_wf_stream_set_keepalive, NULL, RSRC_CONF, \
                      "seconds of silence before a keep-alive comment " \
                      "(1..3600, 15)"), \
        AP_INIT_FLAG( \
            "HubSessionStreamSuspend", hub_wf_stream_set_suspend, NULL, \
            RSRC_CONF, \
            "On: park idle streams in the event MPM (no thread held)")

/* LLM providers, agents and chat completions (hub_wf_providers.h has
 * the stores) */
extern const hub_route_t hub_workflows_goclaw_providers_routes[];
extern const hub_route_t hub_workflows_goclaw_agents_routes[];
extern const hub_route_t hub_workflows_goclaw_chat_routes[];
extern const hub_route_t hub_workflows_g4f_providers_routes[];
/* registers the tables above and their statements (post_config) */
void hub_wf_llm_register(server_rec *s);

/* an agent's memory and knowledge graph (hub_wf_memory.h has the store) */
extern const hub_route_t hub_workflows_goclaw_memory_routes[];
extern const hub_route_t hub_workflows_goclaw_kg_routes[];

#endif
