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

/* SQL: the mcp_calls row c is a request, not one of the gateway's
 * long-lived streams (GET, subscriptions/listen, whose gateway_ms is the
 * stream's life): what the notifications, telemetry and alerts count */
#define HUB_AN_NOT_STREAM(c) \
    " " c ".method NOT IN ('GET', 'subscriptions/listen')"

/* hub_analytics_config.c: the directives, and their values with the
 * defaults resolved */
typedef struct hub_analytics_srv {
    int retention_days;  /* HUB_UNSET: 90 */
    int rollup_keep[3];  /* HubRollupRetention; [0] HUB_UNSET: 7 90 730 */
    int events_interval; /* HUB_UNSET: 10 (hub_analytics_events.c) */
} hub_analytics_srv_t;
void *hub_analytics_srv_create(apr_pool_t *p, server_rec *s);
void *hub_analytics_srv_merge(apr_pool_t *p, void *basev, void *addv);
extern const command_rec hub_analytics_cmds[];
int hub_analytics_retention_days(server_rec *s);
const int *hub_analytics_rollup_keep(server_rec *s); /* minute, hour, day */
int hub_analytics_events_interval(server_rec *s);

/* hub_analytics_partitions.c: mcp_calls' partitions, both retentions */
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

/* hub_analytics_events.c: the watchdog's notifications and alerts */
extern const hub_stmt_t hub_analytics_events_stmts[];
int hub_analytics_events_init(apr_pool_t *pconf, server_rec *s);

/* hub_analytics_notifications.c, _audit.c, _telemetry.c, _alerts.c */
extern const hub_route_t hub_analytics_notifications_routes[];
extern const hub_stmt_t hub_analytics_notifications_stmts[];
extern const hub_route_t hub_analytics_audit_routes[];
extern const hub_stmt_t hub_analytics_audit_stmts[];

/* hub_analytics_gc_llm.c: GoClaw's traces, costs and usage (llm_calls) */
extern const hub_route_t hub_analytics_gc_llm_routes[];
extern const hub_stmt_t hub_analytics_gc_llm_stmts[];
extern const hub_route_t hub_analytics_telemetry_routes[];
extern const hub_stmt_t hub_analytics_telemetry_stmts[];
extern const hub_route_t hub_analytics_alerts_routes[];
extern const hub_stmt_t hub_analytics_alerts_stmts[];

/* hub_analytics_fold.c: the rollups' pending calls folded (sql/033) */
extern const hub_stmt_t hub_analytics_fold_stmts[];
int hub_analytics_fold_init(apr_pool_t *pconf, server_rec *s);

/* A telemetry stream: "<project>[.<server instance>].<metric>" */
typedef struct hub_an_stream {
    const char *id;
    const char *project_id;
    const char *instance_id; /* NULL: the whole project */
    const char *metric;      /* calls | error_rate | latency_p95 */
} hub_an_stream_t;
/* The caller's stream id: DECLINED with *out, else HUB_DONE with 400
 * (not a stream id) or 404 (none of the caller's tenant) in res. */
int hub_analytics_stream_find(hub_req_t *hr, hub_result_t *res, const char *id,
                              hub_an_stream_t *out);
/* One run over the due alerts: 0 with the counts, -1 when it failed. */
int hub_analytics_alerts_evaluate(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                  int interval_s, long *evaluated, long *fired);

/* hub_analytics_cx_series.c: Caylex's totals and graphs over the rollups
 * (hub_analytics_window.h, sql/032) */
extern const hub_route_t hub_analytics_cx_series_routes[];
extern const hub_stmt_t hub_analytics_cx_series_stmts[];
/* hub_analytics_cxl_*.c: Caylex's query logs, users and breakdowns */
extern const hub_route_t hub_analytics_cxl_queries_routes[];
extern const hub_stmt_t hub_analytics_cxl_queries_stmts[];
extern const hub_route_t hub_analytics_cxl_users_routes[];
extern const hub_stmt_t hub_analytics_cxl_users_stmts[];
extern const hub_route_t hub_analytics_cxl_activity_routes[];
extern const hub_stmt_t hub_analytics_cxl_activity_stmts[];

#endif
