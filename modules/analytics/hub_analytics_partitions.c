/* The day partitions of the gateway's call records (mcp_calls, written
 * by mod_hub_servers' recorder): made a week ahead, and dropped past
 * HubCallsRetention days (server config; 90 by default, 0 keeps them
 * all).  A singleton watchdog of mod_hub_analytics (one per host; hosts
 * sharing the database take turns through the functions' locks) does
 * both shortly after the start and then every hour: hub_mcp_calls_ensure
 * (sql/023; a day without its partition goes to the default one, so a
 * late run refuses nothing) and hub_mcp_calls_prune (sql/029), which
 * drops whole partitions: nothing like a DELETE of their rows.
 *
 * The same hourly run deletes the rollups (sql/030) past
 * HubRollupRetention: per-minute rows after 7 days, per-hour after 90,
 * per-day after 730 by default.  Rollups are not dropped with the raw
 * rows they came from: a year's graph outlives the raw records. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_watchdog.h"

#define TICK  apr_time_from_sec(5)
#define EVERY apr_time_from_sec(3600)

/* clang-format off */
const hub_stmt_t hub_analytics_partitions_stmts[] = {
    { "hub_calls_prune",
      "SELECT dropped, deleted FROM hub_mcp_calls_prune(%s::int)" },
    { "hub_calls_ensure", "SELECT hub_mcp_calls_ensure(7) AS made" },
    { "hub_rollups_prune",
      "SELECT hub_mcp_rollups_prune(%s::int, %s::int, %s::int) AS deleted" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_PRUNE   (&hub_analytics_partitions_stmts[0])
#define ST_ENSURE  (&hub_analytics_partitions_stmts[1])
#define ST_ROLLUPS (&hub_analytics_partitions_stmts[2])

/* HubRollupRetention's defaults: days of per-minute, -hour, -day rows */
static const int rollup_keep_default[3] = { 7, 90, 730 };

void *hub_analytics_srv_create(apr_pool_t *p, server_rec *s HUB_UNUSED)
{
    hub_analytics_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->retention_days = HUB_UNSET;
    c->rollup_keep[0] = HUB_UNSET;
    c->events_interval = HUB_UNSET;
    return c;
}

void *hub_analytics_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_analytics_srv_t *base = basev, *add = addv;
    hub_analytics_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->retention_days = add->retention_days != HUB_UNSET ? add->retention_days
                                                         : base->retention_days;
    memcpy(c->rollup_keep,
           add->rollup_keep[0] != HUB_UNSET ? add->rollup_keep
                                            : base->rollup_keep,
           sizeof(c->rollup_keep));
    c->events_interval = add->events_interval != HUB_UNSET
                             ? add->events_interval
                             : base->events_interval;
    return c;
}

static int retention_days(server_rec *s)
{
    const hub_analytics_srv_t *c = ap_get_module_config(s->module_config,
                                                        &hub_analytics_module);
    return c->retention_days == HUB_UNSET ? 90 : c->retention_days;
}

static const char *set_retention(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                 const char *arg)
{
    hub_analytics_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                  &hub_analytics_module);
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < 0 || v > 36500) {
        return "HubCallsRetention must be a number of days from 0 (keep "
               "every record) to 36500";
    }
    c->retention_days = (int)v;
    return NULL;
}

static const char *set_rollup_retention(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                        const char *m, const char *h,
                                        const char *d)
{
    hub_analytics_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                  &hub_analytics_module);
    const char *args[3] = { m, h, d };
    int i;

    for (i = 0; i < 3; i++) {
        char *end;
        long v = strtol(args[i], &end, 10);
        if (end == args[i] || *end || v < 1 || v > 36500) {
            return "HubRollupRetention takes three numbers of days from 1 "
                   "to 36500: per-minute, per-hour and per-day rollups";
        }
        c->rollup_keep[i] = (int)v;
    }
    return NULL;
}

const command_rec hub_analytics_cmds[] = {
    AP_INIT_TAKE1("HubCallsRetention", set_retention, NULL, RSRC_CONF,
                  "days the gateway's call records are kept (90); 0: all"),
    AP_INIT_TAKE3("HubRollupRetention", set_rollup_retention, NULL, RSRC_CONF,
                  "days the per-minute, per-hour and per-day rollups of the "
                  "call records are kept (7 90 730)"),
    AP_INIT_TAKE1("HubEventsInterval", hub_analytics_set_events_interval, NULL,
                  RSRC_CONF,
                  "seconds between runs of the notifications and alerts "
                  "(10)"),
    { NULL }
};

/* The days before the cut-off dropped: a log line when any went. */
static void prune(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, int days)
{
    const char *arg = apr_itoa(p, days);
    hub_rows_t *rows;

    if (hub_db_select_on(p, s, dbd, ST_PRUNE, &rows, 1, &arg) != HUB_DB_OK
        || !rows->rows->nelts) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00801: the call records older than %d days could "
                     "not be pruned now",
                     days);
        return;
    }
    if (strcmp(hub_rows_get(rows, 0, "dropped"), "0")
        || strcmp(hub_rows_get(rows, 0, "deleted"), "0")) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     "HUB00800: call records older than %d days pruned: %s "
                     "day partition(s) dropped, %s row(s) deleted",
                     days, hub_rows_get(rows, 0, "dropped"),
                     hub_rows_get(rows, 0, "deleted"));
    }
}

static void prune_rollups(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd)
{
    const hub_analytics_srv_t *c = ap_get_module_config(s->module_config,
                                                        &hub_analytics_module);
    const int *keep = c->rollup_keep[0] == HUB_UNSET ? rollup_keep_default
                                                     : c->rollup_keep;
    const char *args[3];
    hub_rows_t *rows;
    int i;

    for (i = 0; i < 3; i++) {
        args[i] = apr_itoa(p, keep[i]);
    }
    if (hub_db_select_on(p, s, dbd, ST_ROLLUPS, &rows, 3, args) != HUB_DB_OK
        || !rows->rows->nelts) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00805: the rollups past HubRollupRetention could "
                     "not be pruned now");
        return;
    }
    if (strcmp(hub_rows_get(rows, 0, "deleted"), "0")) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     "HUB00804: rollups pruned (%d, %d and %d days kept): "
                     "%s row(s) deleted",
                     keep[0], keep[1], keep[2],
                     hub_rows_get(rows, 0, "deleted"));
    }
}

static void upkeep(apr_pool_t *p, server_rec *s, int days)
{
    ap_dbd_t *dbd = hub_db_open(p, s);
    hub_rows_t *rows;

    if (!dbd) {
        return; /* the database is away: the next hour */
    }
    if (hub_db_select_on(p, s, dbd, ST_ENSURE, &rows, 0, NULL) != HUB_DB_OK) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00803: the partitions of mcp_calls could not be "
                     "made; records of days without one go to the default "
                     "partition");
    }
    if (days > 0) {
        prune(p, s, dbd, days);
    }
    prune_rollups(p, s, dbd);
    hub_db_close(s, dbd);
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    static apr_time_t last;
    server_rec *s = data;
    int days = retention_days(s);

    if (state != AP_WATCHDOG_STATE_RUNNING
        || (last && apr_time_now() - last < EVERY)) {
        return APR_SUCCESS;
    }
    last = apr_time_now();
    upkeep(pool, s, days);
    return APR_SUCCESS;
}

int hub_analytics_partitions_init(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv = hub_watchdog(pconf, s, "hub-analytics", 1, TICK, tick);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "HUB00802: cannot set up the watchdog that prunes the "
                     "call records (mod_watchdog is required)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
