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

/* hub_workflows_routes.c */
extern const hub_route_t hub_workflows_routes[];
extern const hub_stmt_t hub_workflows_stmts[];

#endif
