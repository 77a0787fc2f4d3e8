/* mod_hub_servers's private declarations. */
#ifndef HUB_SERVERS_PRIVATE_H
#define HUB_SERVERS_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_db.h"
#include "hub_page.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_route.h"
#include "hub_http.h"
#include "hub_mcp.h"
#include "hub_secret.h"
#include "hub_validate.h"
#include <mod_watchdog.h>

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_servers);
/* ---- the tool registries (sql/039, hub_servers_tool_registry.h) ------ */
extern const hub_stmt_t hub_servers_tool_store_stmts[];
extern const hub_route_t hub_servers_custom_tools_routes[];
extern const hub_route_t hub_servers_g4f_tools_routes[];
extern const hub_route_t hub_servers_skills_routes[];
extern const hub_route_t hub_servers_builtin_tools_routes[];

#endif
extern module AP_MODULE_DECLARE_DATA hub_servers_module;

#define HUB_SERVERS_OWNER "hub_servers"

/* ---- hub_servers_config.c ------------------------------------------- */

/* The server registry catalog of HubRegistryFile (hub_servers_registry.c) */
typedef struct hub_servers_catalog hub_servers_catalog_t;

typedef struct hub_servers_srv {
    const char *secret_key_file;        /* HubSecretKeyFile; NULL unset */
    const hub_secret_key_t *secret_key; /* read from it in post_config */
    apr_array_header_t *stdio_allow;    /* HubStdioAllow; NULL unset */
    apr_array_header_t *outbound_allow; /* HubOutboundAllow: hub_cidr_t */
    int probe_interval;                 /* HubProbeInterval s, HUB_UNSET */
    int probe_timeout;                  /* HubProbeTimeout s, HUB_UNSET */
    int degraded_after, down_after;     /* HubProbeThresholds, HUB_UNSET */
    hub_servers_catalog_t *registry;    /* HubRegistryFile; NULL unset */
} hub_servers_srv_t;

/* The gateway's <Location> (HubMcp*) */
typedef struct hub_servers_dir {
    int gateway;                 /* HubMcpGateway: HUB_UNSET, 0 or 1 */
    const char *gateway_prefix;  /* the <Location> path it was set in */
    apr_array_header_t *origins; /* HubMcpAllowOrigin; NULL unset */
    int page_size;               /* HubMcpPageSize, HUB_UNSET */
    int session_idle;            /* HubMcpSessionIdle s, HUB_UNSET */
    int streams;                 /* HubMcpStreams per child, HUB_UNSET */
    int stream_timeout;          /* HubMcpStreamTimeout s, HUB_UNSET */
} hub_servers_dir_t;
void *hub_servers_dir_create(apr_pool_t *p, char *dir);
void *hub_servers_dir_merge(apr_pool_t *p, void *basev, void *addv);
const hub_servers_dir_t *hub_servers_dir(const request_rec *r);
int hub_servers_gateway_on(const hub_servers_dir_t *d);
int hub_servers_page_size(const hub_servers_dir_t *d);    /* 100 */
int hub_servers_session_idle(const hub_servers_dir_t *d); /* 3600 */
/* ThreadsPerChild / 2 */
int hub_servers_streams(const hub_servers_dir_t *d);
int hub_servers_stream_timeout(const hub_servers_dir_t *d); /* 300 */

/* getters: the defaults live here (STYLE.md, habit 4) */
int hub_servers_probe_interval(const hub_servers_srv_t *c); /* 300 */
int hub_servers_probe_timeout(const hub_servers_srv_t *c);  /* 10 */
int hub_servers_degraded_after(const hub_servers_srv_t *c); /* 1 */
int hub_servers_down_after(const hub_servers_srv_t *c);     /* 3 */

extern const command_rec hub_servers_cmds[];
void *hub_servers_srv_create(apr_pool_t *p, server_rec *s);
void *hub_servers_srv_merge(apr_pool_t *p, void *basev, void *addv);
const hub_servers_srv_t *hub_servers_srv(const server_rec *s);
/* Read every virtual host's key file (as root, before the children
 * start).  OK, or an error that stops httpd. */
int hub_servers_config_load(apr_pool_t *pconf, server_rec *s);
/* Registers mod_hub_servers.h's optional functions (register_hooks). */
void hub_servers_config_hooks(void);
/* The secret key of this request's server; NULL without HubSecretKeyFile. */
const hub_secret_key_t *hub_servers_key(const request_rec *r);
/* 1 when the operator allows this stdio command (exact match). */
int hub_servers_stdio_allowed(const request_rec *r, const char *command);
/* The same for a server_rec (the prober, checking again at probe time). */
int hub_servers_stdio_allowed_s(const server_rec *s, const char *command);

/* ---- hub_servers_store.c: one data model, every profile --------------- */
#include "hub_servers_store.h"

/* ---- the profiles (one route table each) ------------------------------ */
extern const hub_route_t hub_servers_patchwork_routes[];
extern const hub_route_t hub_servers_toolhub_routes[];
extern const hub_route_t hub_servers_goclaw_routes[];
extern const hub_route_t hub_servers_caylex_routes[];

/* hub_servers_routes.c: every table and statement list */
void hub_servers_register(server_rec *s);

/* ---- the endpoint groups over probed and reported data ------------- */
extern const hub_route_t hub_servers_tools_routes[];
extern const hub_stmt_t hub_servers_tools_stmts[];
extern const hub_route_t hub_servers_quality_routes[];
extern const hub_stmt_t hub_servers_quality_stmts[];
extern const hub_route_t hub_servers_heartbeat_routes[];
extern const hub_stmt_t hub_servers_heartbeat_stmts[];
extern const hub_route_t hub_servers_feedback_routes[];
extern const hub_stmt_t hub_servers_feedback_stmts[];

extern const hub_route_t hub_servers_secrets_routes[];
extern const hub_stmt_t hub_servers_secrets_stmts[];
extern const hub_route_t hub_servers_registry_routes[];
extern const hub_stmt_t hub_servers_registry_stmts[];
extern const hub_route_t hub_servers_instances_routes[];
extern const hub_stmt_t hub_servers_instances_stmts[];
/* hub_servers_connections.c: the projects a server or a navigator is
 * connected to, one operation for both; the route's words say which */
typedef struct hub_srv_connections_words {
    const char *param;         /* the path parameter naming it */
    int uuid_path;             /* 1: a malformed one is 422, else 404 */
    const hub_stmt_t *list;    /* (id, tenant): project_id, project_name,
                                  ...; no row: no such one */
    const hub_stmt_t *connect; /* (id, tenant, uuid[], tenant, tenant):
                                  id, missing, added, removed */
    const char *not_found;     /* the 404's detail */
    const char *what;          /* "server": for the log */
} hub_srv_connections_words_t;
int hub_servers_op_connections_get(hub_req_t *hr, hub_result_t *res);
int hub_servers_op_connections_set(hub_req_t *hr, hub_result_t *res);
extern const hub_field_t hub_servers_connections_in[];

/* hub_servers_navigators.c, hub_servers_nav_instances.c (Caylex) */
extern const hub_route_t hub_servers_navigators_routes[];
extern const hub_stmt_t hub_servers_navigators_stmts[];
extern const hub_route_t hub_servers_nav_instances_routes[];
extern const hub_stmt_t hub_servers_nav_instances_stmts[];
extern const hub_route_t hub_servers_approvals_routes[];
extern const hub_stmt_t hub_servers_approvals_stmts[];
extern const hub_route_t hub_servers_oauth_logo_routes[];
extern const hub_stmt_t hub_servers_oauth_logo_stmts[];

/* hub_servers_registry.c: the catalog HubRegistryFile names, in memory */
hub_servers_catalog_t *hub_servers_catalog_make(apr_pool_t *p,
                                                const char *file);
/* Read and check the file (post_config, as root); OK, or an error that
 * stops httpd (logged as HUB00520).  Loads a shared catalog once. */
int hub_servers_registry_load(apr_pool_t *pconf, server_rec *s,
                              hub_servers_catalog_t *cat);
/* The entry with this id as GetServerRegistryResponse (owned by
 * r->pool), NULL when the catalog has none. */
json_t *hub_servers_registry_entry(request_rec *r, const char *id);

/* ---- hub_servers_probe.c: the prober on mod_watchdog ----------------- */
extern const hub_stmt_t hub_servers_probe_stmts[];
extern const hub_route_t hub_servers_probe_routes[];
/* register the watchdog callback (post_config, not in the dry run) */
int hub_servers_prober_init(apr_pool_t *pconf, server_rec *s);
/* Fill target's url, headers and transport for a server's row (its
 * endpoint, transport, auth_config and sealed secrets), decrypting the
 * secrets for tenant in p; target->policy is left as it is.  NULL, or
 * why the server cannot be reached with what is stored (no key, a
 * secret that does not decrypt): never a secret. */
const char *hub_servers_mcp_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const char *endpoint,
    const char *transport, const char *auth_text, const char *secrets_text,
    hub_mcp_target_t *target);
/* The target of row i of rows, a server's (mode, endpoint, transport,
 * auth_config, secrets, command, args), as the prober reaches it: either
 * of the two below, with a policy of timeout_ms and HubOutboundAllow,
 * in p.  NULL, or why it cannot be reached (a heartbeat server: nothing
 * to call). */
const char *hub_servers_row_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const hub_rows_t *rows,
    int i, long timeout_ms, hub_mcp_target_t *target);
/* The same for a stdio server: its command (still on HubStdioAllow), its
 * arguments and its decrypted environment; NULL, or why it cannot run. */
const char *hub_servers_stdio_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const char *command,
    const char *args_text, const char *secrets_text, hub_mcp_target_t *target);

/* A sealed value of the tenant's (hub_secret.h) in plain text in p, its
 * ${secret:NAME} references resolved: NULL with *plain, or why not
 * (never a secret). */
const char *hub_servers_unseal(apr_pool_t *p, server_rec *s, const char *tenant,
                               json_t *sealed, const char **plain);

/* ---- hub_servers_targets.c: mod_hub_servers.h's optional functions -- */
extern const hub_stmt_t hub_servers_targets_stmts[];
void hub_servers_targets_hooks(void);
const char *hub_servers_mcp_target_of(
    apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, const char *tenant,
    const char *server, long timeout_ms, hub_mcp_target_t *target);

/* ---- hub_servers_recorder.c: the gateway's call records -------------- */
extern const hub_stmt_t hub_servers_recorder_stmts[];
/* Buffer one record (a JSON object of mcp_calls' columns; at_us the
 * start in microseconds since the epoch): stolen; written within a
 * second by this child's watchdog, never by the caller. */
void hub_servers_record(json_t *rec);
void hub_servers_recorder_child_init(apr_pool_t *pchild, server_rec *s);
int hub_servers_recorder_init(apr_pool_t *pconf, server_rec *s);

/* ---- the tool registries (sql/039, hub_servers_tool_registry.h) ------ */
extern const hub_stmt_t hub_servers_tool_store_stmts[];
extern const hub_route_t hub_servers_custom_tools_routes[];
extern const hub_route_t hub_servers_g4f_tools_routes[];
extern const hub_route_t hub_servers_skills_routes[];
extern const hub_route_t hub_servers_builtin_tools_routes[];

#endif
