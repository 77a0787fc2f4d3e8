/* mod_hub_analytics's private declarations. */
#ifndef HUB_ANALYTICS_PRIVATE_H
#define HUB_ANALYTICS_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_db.h"
#include "hub_request.h"
#include "hub_profile.h"
#include "hub_route.h"
#include "hub_metrics.h"

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_analytics);
#endif
extern module AP_MODULE_DECLARE_DATA hub_analytics_module;

#define HUB_ANALYTICS_OWNER "hub_analytics"

/* hub_analytics_partitions.c: mcp_calls' partitions, HubCallsRetention,
 * HubRollupRetention */
typedef struct hub_analytics_srv {
    int retention_days; /* HUB_UNSET: 90 */
    int rollup_keep[3]; /* HubRollupRetention; [0] HUB_UNSET: 7 90 730 */
} hub_analytics_srv_t;
void *hub_analytics_srv_create(apr_pool_t *p, server_rec *s);
void *hub_analytics_srv_merge(apr_pool_t *p, void *basev, void *addv);
extern const command_rec hub_analytics_cmds[];
extern const hub_stmt_t hub_analytics_partitions_stmts[];
int hub_analytics_partitions_init(apr_pool_t *pconf, server_rec *s);

/* hub_analytics_metrics.c: the counters' shared memory, HTTP requests
 * counted; NULL in the dry run or when it could not be made */
hub_metrics_t *hub_analytics_metrics(void);
void hub_analytics_metrics_hooks(void);
/* hub_analytics_prometheus.c: SetHandler hub-metrics */
#define HUB_METRICS_HANDLER "hub-metrics"
void hub_analytics_prometheus_hooks(void);
/* hub_analytics_status.c: the section of mod_status' page */
void hub_analytics_status_hooks(void);

/* hub_analytics_health.c */
extern const hub_route_t hub_analytics_routes[];
extern const hub_stmt_t hub_analytics_stmts[];

#endif
