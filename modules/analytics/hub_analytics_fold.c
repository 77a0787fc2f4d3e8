/* The rollups' pending calls folded into their stores (sql/033).  The
 * recorder's batches only append to mcp_rollup_pending (its trigger);
 * this singleton watchdog (one per host; hosts sharing the database take
 * turns through the function's advisory lock) moves them into
 * mcp_rollup_1m/_1h/_1d_store every TICK, FOLD batches per transaction,
 * again while a fold finds a full load and for at most BUDGET, so that a
 * backlog (a history load, a host that was down) is worked off without
 * holding one transaction for long.  Buckets past HubRollupRetention are
 * not written (the hourly prune would delete them).  Readers never wait
 * for it: the views under the rollups' names show pending calls too, so
 * a fold makes a rollup smaller, not more complete. */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_watchdog.h"

#define TICK   apr_time_from_sec(2)
#define BUDGET apr_time_from_sec(10)
#define FOLD   200 /* batches (of up to 1000 calls) per transaction */

/* clang-format off */
const hub_stmt_t hub_analytics_fold_stmts[] = {
    { "hub_rollups_fold",
      "SELECT hub_mcp_rollups_fold(%s::int, %s::int, %s::int, %s::int)"
      " AS folded" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_FOLD (&hub_analytics_fold_stmts[0])

/* One fold: the batches folded, 0 when there were none or another host
 * holds the lock, -1 when it failed. */
static long fold_once(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd)
{
    const int *keep = hub_analytics_rollup_keep(s);
    const char *args[4], *n;
    hub_rows_t *rows;
    int i;

    args[0] = apr_itoa(p, FOLD);
    for (i = 0; i < 3; i++) {
        args[i + 1] = apr_itoa(p, keep[i]);
    }
    if (hub_db_select_on(p, s, dbd, ST_FOLD, &rows, 4, args) != HUB_DB_OK
        || rows->rows->nelts != 1) {
        return -1;
    }
    n = hub_rows_get(rows, 0, "folded");
    return n && *n ? atol(n) : 0;
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    server_rec *s = data;
    apr_time_t until = apr_time_now() + BUDGET;
    long n, total = 0;
    ap_dbd_t *dbd;

    if (state != AP_WATCHDOG_STATE_RUNNING || !(dbd = hub_db_open(pool, s))) {
        return APR_SUCCESS; /* the database is away: the next tick */
    }
    do {
        n = fold_once(pool, s, dbd);
        total += n > 0 ? n : 0;
    } while (n == FOLD && apr_time_now() < until);
    hub_db_close(s, dbd);
    if (n < 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00826: the rollups' pending calls could not be "
                     "folded now; they stay readable and the next run "
                     "folds them");
    }
    if (total) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "HUB00827: %ld batch(es) of calls folded into the "
                     "rollups%s",
                     total, n == FOLD ? " (more left for the next run)" : "");
    }
    return APR_SUCCESS;
}

int hub_analytics_fold_init(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv = hub_watchdog(pconf, s, "hub-analytics-fold", 1, TICK,
                                   tick);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "HUB00828: cannot set up the watchdog that folds the "
                     "rollups (mod_watchdog is required)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
