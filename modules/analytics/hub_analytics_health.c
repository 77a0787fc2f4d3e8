/* Caylex GET /analytics/health: the analytics store's connectivity.  The
 * hub keeps its time series in PostgreSQL, not InfluxDB, so
 * influxdb_connected reports that same store: a client that gates on it
 * sees whether analytics can be written and read. */
#include "hub_analytics_private.h"
#include "hub_time.h"

/* clang-format off */
const hub_stmt_t hub_analytics_stmts[] = {
    { "hub_analytics_ping", "SELECT now() AS at" },
    { NULL, NULL }
};
/* clang-format on */

static int analytics_health(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows = NULL;
    int ok = hub_db_select(hr->r, &hub_analytics_stmts[0], &rows, 0, NULL)
                 == HUB_DB_OK
             && rows->rows->nelts == 1;
    return hub_ok_status(res, ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s,s:b,s:b,s:s}", "status",
                                   ok ? "healthy" : "unhealthy",
                                   "influxdb_connected", ok,
                                   "database_connected", ok, "last_check",
                                   hub_iso8601(hr->pool, apr_time_now())));
}

/* clang-format off */
const hub_route_t hub_analytics_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/analytics/health", analytics_health, NULL,
      0, 0, "Analytics Service Health Check",
      .need = HUB_NEED_PUBLIC },
    { 0 }
};
/* clang-format on */
