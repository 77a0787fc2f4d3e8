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
    const int *keep = hub_analytics_rollup_keep(s);
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
    int days = hub_analytics_retention_days(s);

    if (hub_watchdog_due(state, &last, EVERY)) {
        upkeep(pool, s, days);
    }
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
