/* mod_hub_auth's private declarations. */
#ifndef HUB_AUTH_PRIVATE_H
#define HUB_AUTH_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_conf.h"
#include "hub_db.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_route.h"
#include "hub_stats.h"

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_auth);
#endif
extern module AP_MODULE_DECLARE_DATA hub_auth_module;

#define HUB_VERSION "0.1.0"

/* hub_auth_config.c */
extern const command_rec hub_auth_cmds[];
const hub_loc_conf_t *hub_auth_conf(request_rec *r);

/* hub_auth_router.c: the registry and the request hooks */
void hub_auth_router_hooks(void);
const apr_array_header_t *hub_auth_tables(void);

/* hub_auth_core.c: health and root endpoints of every profile */
extern const hub_route_t hub_auth_core_routes[];
extern const hub_stmt_t hub_auth_core_stmts[];
apr_time_t hub_auth_started(void);
/* 1 when a round trip to PostgreSQL succeeds */
int hub_auth_db_ok(request_rec *r);

/* hub_auth_docs.c: /docs and the OpenAPI documents */
extern const hub_route_t hub_auth_docs_routes[];

/* hub_auth_stats.c: this httpd's request timings, g4f /server/stats */
extern const hub_route_t hub_auth_stats_routes[];
void hub_auth_stats_hooks(void);

/* hub_auth_diag.c: the HubDiagnostics echo endpoint */
extern const hub_route_t hub_auth_diag_routes[];

#endif
