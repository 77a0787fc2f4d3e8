/* The analytics watchdog's event work, every HubEventsInterval seconds
 * (10 by default; a singleton per host, as the partitions' one):
 *
 * 1. The gateway's failed calls become notifications.  The recorder
 *    (hub_servers_recorder.c) writes what went wrong as error_type; the
 *    Caylex event types of /webhooks/event-types map onto it:
 *      execution, timeout, protocol       tool_call.error      (error)
 *      approval, rate_limit               tool_call.rejected   (warning)
 *      auth, from the upstream            credentials.resolve_failed
 *                                         (error; the server refused the
 *                                         credentials the hub sent it)
 *    An auth error without an upstream part (upstream_ms NULL) is not
 *    the upstream's and not notified.  Failures are coalesced: one
 *    notification per tenant, project, event type, server, tool and UTC
 *    minute, its data.count the failures in it (later batches of the
 *    same minute add to it, the body says the latest error).  A storm of
 *    failures is at most one row per tool per minute.
 *
 *    Each tenant has a watermark (notification_feeds.seen_at) on
 *    mcp_calls.recorded_at, the time a record was written (a call's `at`
 *    is when it began; one that ran long is written later).  A run takes
 *    the tenants' rows FOR UPDATE SKIP LOCKED, reads their failed calls
 *    recorded after the watermark and at least SETTLE before now (a
 *    batch still being committed is not passed over), writes the
 *    notifications and moves the watermarks in one statement: hosts
 *    sharing the database split the tenants, and a call is counted once.
 *    A tenant's feed starts at its creation.  Records written more than a
 *    day after their call began are not notified (the scan is bounded by
 *    `at` so that old partitions are not read).
 *
 * 2. Telemetry alerts are evaluated (hub_analytics_alerts.c). */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_watchdog.h"

#define TICK   apr_time_from_sec(1)
#define SETTLE "5 seconds"

/* clang-format off */
const hub_stmt_t hub_analytics_events_stmts[] = {
    { "hub_an_feeds_start",
      "INSERT INTO notification_feeds (tenant_id, seen_at)"
      " SELECT t.id, t.created_at FROM tenants t"
      "  WHERE NOT EXISTS (SELECT 1 FROM notification_feeds f"
      "                     WHERE f.tenant_id = t.id)"
      " ON CONFLICT DO NOTHING" },
    { "hub_an_feed_calls",
      "WITH f AS (SELECT tenant_id, seen_at FROM notification_feeds"
      "            ORDER BY tenant_id FOR UPDATE SKIP LOCKED),"
      " cut AS (SELECT now() - interval '" SETTLE "' AS upto),"
      " e AS (SELECT c.tenant_id, c.project_id, c.server_id, c.tool_name,"
      "              c.error, c.error_type, c.at,"
      "              CASE WHEN c.error_type IN ('execution', 'timeout',"
      "                                         'protocol')"
      "                   THEN 'tool_call.error'"
      "                   WHEN c.error_type IN ('approval', 'rate_limit')"
      "                   THEN 'tool_call.rejected'"
      "                   WHEN c.error_type = 'auth'"
      "                        AND c.upstream_ms IS NOT NULL"
      "                   THEN 'credentials.resolve_failed' END AS event"
      "         FROM f JOIN mcp_calls c ON c.tenant_id = f.tenant_id"
      "        WHERE NOT c.ok AND c.recorded_at > f.seen_at"
      "          AND c.recorded_at <= (SELECT upto FROM cut)"
      "          AND c.at > f.seen_at - interval '1 day'"
      "          AND" HUB_AN_NOT_STREAM("c") "),"
      " g AS (SELECT tenant_id, project_id, event, server_id, tool_name,"
      "              date_trunc('minute', at) AS minute, count(*) AS n,"
      "              min(at) AS first_at, max(at) AS last_at,"
      "              (array_agg(error ORDER BY at DESC))[1] AS last_error,"
      "              array_agg(DISTINCT error_type) AS types"
      "         FROM e WHERE event IS NOT NULL"
      "        GROUP BY 1, 2, 3, 4, 5, 6),"
      " ins AS (INSERT INTO notifications AS n (tenant_id, project_id,"
      "              event_type, severity, title, body, data, target_type,"
      "              target_id, dedup_key)"
      "         SELECT g.tenant_id, g.project_id, g.event,"
      "                CASE g.event WHEN 'tool_call.rejected' THEN 'warning'"
      "                     ELSE 'error' END,"
      "                CASE g.event"
      "                  WHEN 'tool_call.error' THEN 'Tool call failed'"
      "                  WHEN 'tool_call.rejected' THEN 'Tool call rejected'"
      "                  ELSE 'Upstream credentials refused' END,"
      "                left(coalesce(g.tool_name, 'a tool') || ': '"
      "                     || coalesce(g.last_error, g.types[1]), 4000),"
      "                jsonb_build_object('count', g.n, 'tool_name',"
      "                  g.tool_name, 'server_id', g.server_id,"
      "                  'error_types', to_jsonb(g.types), 'minute',"
      "                  iso8601(g.minute), 'first_at', iso8601(g.first_at),"
      "                  'last_at', iso8601(g.last_at), 'last_error',"
      "                  g.last_error),"
      "                CASE WHEN g.server_id IS NOT NULL THEN 'server' END,"
      "                g.server_id::text,"
      "                g.event || ':' || coalesce(g.project_id::text, '-')"
      "                || ':' || coalesce(g.server_id::text, '-') || ':'"
      "                || to_char(g.minute AT TIME ZONE 'UTC',"
      "                           'YYYYMMDDHH24MI')"
      "                || ':' || coalesce(g.tool_name, '')"
      "           FROM g"
      "         ON CONFLICT (tenant_id, dedup_key) DO UPDATE SET"
      "           body = EXCLUDED.body,"
      "           data = n.data || jsonb_build_object("
      "             'count', (n.data->>'count')::bigint"
      "                      + (EXCLUDED.data->>'count')::bigint,"
      "             'error_types', (SELECT to_jsonb(array_agg(DISTINCT t))"
      "               FROM jsonb_array_elements_text(n.data->'error_types'"
      "                    || EXCLUDED.data->'error_types') AS x(t)),"
      "             'first_at', least(n.data->>'first_at',"
      "                               EXCLUDED.data->>'first_at'),"
      "             'last_at', greatest(n.data->>'last_at',"
      "                                 EXCLUDED.data->>'last_at'),"
      "             'last_error', EXCLUDED.data->'last_error')"
      "         RETURNING (xmax = 0) AS made),"
      " adv AS (UPDATE notification_feeds nf"
      "            SET seen_at = greatest(nf.seen_at,"
      "                                   (SELECT upto FROM cut))"
      "           FROM f WHERE nf.tenant_id = f.tenant_id RETURNING 1)"
      " SELECT (SELECT count(*) FROM e WHERE event IS NOT NULL) AS calls,"
      "        (SELECT count(*) FROM ins WHERE made) AS made,"
      "        (SELECT count(*) FROM ins) AS touched,"
      "        (SELECT count(*) FROM adv) AS tenants" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_START, ST_FEED };
#define STMT(i) (&hub_analytics_events_stmts[i])

static void feed_calls(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd)
{
    hub_rows_t *rows;
    if (hub_db_exec_on(p, s, dbd, STMT(ST_START), NULL, 0, NULL) != HUB_DB_OK
        || hub_db_select_on(p, s, dbd, STMT(ST_FEED), &rows, 0, NULL)
               != HUB_DB_OK
        || rows->rows->nelts != 1) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00821: the failed calls could not be turned into "
                     "notifications now; the next run takes them");
        return;
    }
    if (strcmp(hub_rows_get(rows, 0, "calls"), "0")) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "HUB00822: %s failed call(s) notified: %s new "
                     "notification(s), %s in all",
                     hub_rows_get(rows, 0, "calls"),
                     hub_rows_get(rows, 0, "made"),
                     hub_rows_get(rows, 0, "touched"));
    }
}

static void evaluate_alerts(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                            int interval)
{
    long evaluated, fired;
    if (hub_analytics_alerts_evaluate(p, s, dbd, interval, &evaluated, &fired)
        != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00823: the telemetry alerts could not be evaluated "
                     "now; the next run does");
        return;
    }
    if (fired) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     "HUB00824: %ld telemetry alert(s) of %ld evaluated "
                     "started firing",
                     fired, evaluated);
    }
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    static apr_time_t last;
    server_rec *s = data;
    int interval = hub_analytics_events_interval(s);
    ap_dbd_t *dbd;

    if (!hub_watchdog_due(state, &last, apr_time_from_sec(interval))) {
        return APR_SUCCESS;
    }
    if (!(dbd = hub_db_open(pool, s))) {
        return APR_SUCCESS; /* the database is away: the next run */
    }
    feed_calls(pool, s, dbd);
    evaluate_alerts(pool, s, dbd, interval);
    hub_db_close(s, dbd);
    return APR_SUCCESS;
}

int hub_analytics_events_init(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv = hub_watchdog(pconf, s, "hub-analytics-events", 1, TICK,
                                   tick);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "HUB00825: cannot set up the watchdog that writes the "
                     "notifications (mod_watchdog is required)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
