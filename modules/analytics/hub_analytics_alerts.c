/* G4F's telemetry alerts (telemetry_alerts, sql/031):
 *
 *   POST /telemetry/alerts   {name, stream_id, condition, actions}
 *                            -> {"alert_id"}
 *
 * and their evaluation by the analytics watchdog (hub_analytics_events.c
 * calls hub_analytics_alerts_evaluate).  Decisions:
 * - condition is {"op", "threshold", "window_s"}: the stream's value over
 *   the last window_s seconds (60..86400, 300 by default; calls: the
 *   count in it, error_rate: failed / all, latency_p95: of gateway_ms)
 *   compared by op (> >= < <=, or gt gte lt lte) with threshold.  A
 *   window without calls has no error rate or latency: such an alert is
 *   not firing.
 * - actions is an array of {"type": "notify"}: a firing writes one
 *   notification (event_type telemetry.alert, the alert's severity,
 *   warning by default) that both profiles list.  It is the hub's one
 *   action; another type is 400 rather than silently never done.
 * - an alert is ok or firing.  It notifies when it turns firing and not
 *   again while it stays so; once ok again, the next firing notifies.
 * - evaluation: each watchdog run takes the alerts not evaluated for
 *   half the run interval, FOR UPDATE SKIP LOCKED (hosts sharing the
 *   database split them), and evaluates, moves state and writes the
 *   notifications in one statement: a firing is written once.
 * - creating one needs write access and is audited
 *   (telemetry.alert_created). */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_audit.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

#define BATCH 200

/* clang-format off */
const hub_stmt_t hub_analytics_alerts_stmts[] = {
    { "hub_an_alert_create",
      "INSERT INTO telemetry_alerts (tenant_id, project_id,"
      "       server_instance_id, stream_id, metric, name, op, threshold,"
      "       window_s, condition, actions, severity, created_by)"
      " VALUES (%s::uuid, %s::uuid, %s::uuid, %s, %s, %s, %s,"
      "         %s::float8, %s::int, %s::jsonb, %s::jsonb, %s, %s::uuid)"
      " RETURNING id" },
    { "hub_an_alerts_evaluate",
      "WITH due AS (SELECT a.* FROM telemetry_alerts a"
      "              WHERE a.evaluated_at"
      "                    <= now() - make_interval(secs => %s::float8)"
      "              ORDER BY a.evaluated_at LIMIT " APR_STRINGIFY(BATCH)
      "              FOR UPDATE SKIP LOCKED),"
      " e AS (SELECT d.id, d.state AS was, m.value,"
      "         coalesce(CASE d.op WHEN '>' THEN m.value > d.threshold"
      "                            WHEN '>=' THEN m.value >= d.threshold"
      "                            WHEN '<' THEN m.value < d.threshold"
      "                            ELSE m.value <= d.threshold END, false)"
      "         AS hit"
      "         FROM due d CROSS JOIN LATERAL ("
      "          SELECT CASE d.metric WHEN 'calls' THEN count(*)::float8"
      "                   WHEN 'error_rate' THEN"
      "                     (count(*) FILTER (WHERE NOT c.ok))::float8"
      "                     / nullif(count(*), 0)"
      "                   ELSE percentile_cont(0.95) WITHIN GROUP"
      "                     (ORDER BY c.gateway_ms) END AS value"
      "            FROM mcp_calls c"
      "           WHERE c.tenant_id = d.tenant_id"
      "             AND c.project_id = d.project_id"
      "             AND (d.server_instance_id IS NULL"
      "                  OR c.server_instance_id = d.server_instance_id)"
      "             AND c.at > now() - make_interval(secs => d.window_s)"
      "             AND" HUB_AN_NOT_STREAM("c") ") m),"
      " u AS (UPDATE telemetry_alerts a SET evaluated_at = now(),"
      "         last_value = e.value,"
      "         state = CASE WHEN e.hit THEN 'firing' ELSE 'ok' END,"
      "         fired_at = CASE WHEN e.hit AND e.was = 'ok' THEN now()"
      "                    ELSE a.fired_at END,"
      "         fire_count = a.fire_count + (e.hit AND e.was = 'ok')::int"
      "        FROM e WHERE a.id = e.id"
      "       RETURNING a.*, e.hit AND e.was = 'ok' AS fires),"
      " n AS (INSERT INTO notifications (tenant_id, project_id, event_type,"
      "              severity, title, body, data, target_type, target_id)"
      "       SELECT u.tenant_id, u.project_id, 'telemetry.alert',"
      "              u.severity, left('Alert firing: ' || u.name, 300),"
      "              u.stream_id || ' ' || u.op || ' ' || u.threshold"
      "              || ' over the last ' || u.window_s || ' s (now '"
      "              || round(u.last_value::numeric, 4) || ')',"
      "              jsonb_build_object('alert_id', u.id, 'stream_id',"
      "                u.stream_id, 'value', u.last_value, 'op', u.op,"
      "                'threshold', u.threshold, 'window_s', u.window_s),"
      "              'telemetry_alert', u.id::text"
      "         FROM u WHERE u.fires RETURNING 1)"
      " SELECT (SELECT count(*) FROM u) AS evaluated,"
      "        (SELECT count(*) FROM n) AS fired" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_CREATE, ST_EVALUATE };
#define STMT(i) (&hub_analytics_alerts_stmts[i])

static const char *const severities[] = { "info", "warning", "error",
                                          "critical", NULL };

/* clang-format off */
static const hub_field_t alert_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "the alert's name" },
    { "stream_id", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL,
      "the stream it watches" },
    { "condition", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "{op: > >= < <=, threshold: number, window_s: 60..86400 (300)}" },
    { "actions", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "[{type: notify}]" },
    { "severity", HUB_T_STRING, 0, 0, 0, severities,
      "of the notification it writes (warning)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* The comparison of condition.op, or NULL. */
static const char *cond_op(const char *op)
{
    static const char *const ops[][2] = {
        { ">", ">" },   { ">=", ">=" },  { "<", "<" },
        { "<=", "<=" }, { "gt", ">" },   { "gte", ">=" },
        { "lt", "<" },  { "lte", "<=" }, { NULL, NULL }
    };
    int i;
    for (i = 0; op && ops[i][0]; i++) {
        if (!strcmp(op, ops[i][0])) {
            return ops[i][1];
        }
    }
    return NULL;
}

/* op, threshold and window from condition, or HUB_DONE with the
 * problem. */
static int read_condition(hub_req_t *hr, hub_result_t *res, const char **op,
                          const char **threshold, const char **window)
{
    json_t *c = json_object_get(hr->body, "condition");
    json_t *t = json_object_get(c, "threshold");
    json_t *w = json_object_get(c, "window_s");

    if (!(*op = cond_op(json_string_value(json_object_get(c, "op"))))) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "condition.op: one of >, >=, <, <= (or gt, gte, lt, "
                       "lte)");
    }
    if (!json_is_number(t)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "condition.threshold: a number is required");
    }
    if (w
        && (!json_is_integer(w) || json_integer_value(w) < 60
            || json_integer_value(w) > 86400)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "condition.window_s: whole seconds from 60 to 86400");
    }
    *threshold = apr_psprintf(hr->pool, "%.17g", json_number_value(t));
    *window = w ? apr_ltoa(hr->pool, (long)json_integer_value(w)) : "300";
    return DECLINED;
}

static int check_actions(hub_req_t *hr, hub_result_t *res)
{
    json_t *a = json_object_get(hr->body, "actions"), *v;
    size_t i;
    if (!json_array_size(a) || json_array_size(a) > 10) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "actions: 1 to 10 actions, each {\"type\": "
                       "\"notify\"}");
    }
    json_array_foreach(a, i, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        if (!type || strcmp(type, "notify")) {
            return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                           "actions[%u].type: only \"notify\" (a "
                           "notification) is supported",
                           (unsigned)i);
        }
    }
    return DECLINED;
}

static int alert_create(hub_req_t *hr, hub_result_t *res)
{
    const char *sev = json_string_value(json_object_get(hr->body, "severity"));
    hub_an_stream_t sm;
    const char *args[13], *id;
    hub_rows_t *rows;
    hub_db_status_e st;

    if (read_condition(hr, res, &args[6], &args[7], &args[8]) != DECLINED
        || check_actions(hr, res) != DECLINED
        || hub_analytics_stream_find(
               hr, res,
               json_string_value(json_object_get(hr->body, "stream_id")), &sm)
               != DECLINED) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = sm.project_id;
    args[2] = sm.instance_id;
    args[3] = sm.id;
    args[4] = sm.metric;
    args[5] = json_string_value(json_object_get(hr->body, "name"));
    args[9] = hub_json_text(hr->pool, json_object_get(hr->body, "condition"));
    args[10] = hub_json_text(hr->pool, json_object_get(hr->body, "actions"));
    args[11] = sev ? sev : "warning";
    args[12] = hr->who->user_id;
    st = hub_db_select(hr->r, STMT(ST_CREATE), &rows, 13, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    id = hub_rows_get(rows, 0, "id");
    hub_audit(hr, "telemetry.alert_created", sm.project_id, "telemetry_alert",
              id,
              hub_json_own(hr->pool,
                           json_pack("{s:s,s:s,s:O}", "name", args[5],
                                     "stream_id", sm.id, "condition",
                                     json_object_get(hr->body, "condition"))));
    return hub_ok(res, json_pack("{s:s}", "alert_id", id));
}

int hub_analytics_alerts_evaluate(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                  int interval_s, long *evaluated, long *fired)
{
    const char *arg = apr_psprintf(p, "%.1f", interval_s / 2.0);
    hub_rows_t *rows;
    if (hub_db_select_on(p, s, dbd, STMT(ST_EVALUATE), &rows, 1, &arg)
            != HUB_DB_OK
        || rows->rows->nelts != 1) {
        return -1;
    }
    *evaluated = atol(hub_rows_get(rows, 0, "evaluated"));
    *fired = atol(hub_rows_get(rows, 0, "fired"));
    return 0;
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_analytics_alerts_routes[] = {
    { HUB_G4F, HUB_M_POST, "/telemetry/alerts", alert_create, alert_in,
      G4F_IN, 0, "Telemetry: POST /telemetry/alerts",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("AlertCreated", OBJ("\"alert_id\":" STR, "\"alert_id\"")) },
    { 0 }
};
/* clang-format on */
