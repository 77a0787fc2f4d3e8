/* G4F's telemetry: metric streams derived from the gateway's call
 * records (mcp_calls), so nothing new is ingested.
 *
 *   GET  /projects/{project_id}/telemetry/streams   {items[], next_cursor}
 *   POST /telemetry/query                           {series[], anomalies[]}
 *
 * Streams.  Each project has three, and three more per server instance
 * of the project:
 *   calls        tool calls per bucket (type count)
 *   error_rate   failed calls / calls per bucket, 0..1 (type ratio)
 *   latency_p95  the 95th percentile of gateway_ms (type latency)
 * A stream's id is "<project_id>.<metric>" or
 * "<project_id>.<server_instance_id>.<metric>".  bands are the bucket
 * widths a stream can be read at (1m 5m 15m 1h 1d); status is active
 * when the stream's scope had a call in the last hour, else idle.  The
 * long-lived streams of the gateway (method GET, subscriptions/listen)
 * are no calls and are not counted.  Listed in a stable order (the
 * project's first, then by server name), G4F's limit/cursor pages.
 *
 * Query.  Body: stream_id, time_range {from, to} (ISO-8601, from < to,
 * at most 90 days), optional limit (points, 1..10000, 1000), band (one of
 * bands; absent: the narrowest that keeps the window within limit; one
 * that does not is 400) and threshold (3.5).  Buckets are date_bin
 * buckets of the band from 2000-01-01T00:00Z (UTC midnights for 1d); the
 * first and last may be cut by the range, and count only calls inside
 * it.  calls has a point for every bucket (0 when none); error_rate and
 * latency_p95 only where there were calls.
 *
 * Anomalies: the robust (modified) z-score of Iglewicz and Hoaglin over
 * the window's points, z = 0.6745 (x - median) / MAD, a point with
 * |z| > threshold is one (hub_robust.h, with its fallback when MAD is
 * 0).  The answer's `method` says the median, MAD and threshold used.
 *
 * Another tenant's project, instance or stream is 404; a malformed
 * stream id is 400. */
#include <math.h>
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_robust.h"
#include "hub_text.h"
#include "hub_time.h"
#include "hub_validate.h"

#define POINTS_DEFAULT 1000
#define POINTS_MAX     10000
#define WINDOW_MAX     apr_time_from_sec(90L * 86400)
/* date_bin's origin: 2000-01-01T00:00:00Z */
#define ORIGIN apr_time_from_sec(946684800)

/* the band names and their widths in seconds, narrowest first: the one
 * list the body's validation, the streams' bands and the query read */
static const char *const band_names[] = { "1m", "5m", "15m", "1h", "1d", NULL };
static const long band_secs[] = { 60, 300, 900, 3600, 86400 };

/* the calls a stream counts: the gateway's requests but its streams */
#define CALLS HUB_AN_NOT_STREAM("c")

/* clang-format off */
const hub_stmt_t hub_analytics_telemetry_stmts[] = {
    { "hub_an_streams",
      "WITH pr AS (SELECT id, tenant_id FROM projects"
      "             WHERE id = %s::uuid AND tenant_id = %s::uuid),"
      " scope AS (SELECT pr.id AS project_id, NULL::uuid AS si,"
      "                  NULL::text AS server, 0 AS ord FROM pr"
      "            UNION ALL"
      "           SELECT pr.id, si.id, s.name, 1 FROM pr"
      "             JOIN server_instances si ON si.project_id = pr.id"
      "                  AND si.tenant_id = pr.tenant_id"
      "             JOIN servers s ON s.id = si.server_id),"
      /* whether a scope had a call in the last hour: once per scope,
       * shared by its three metrics */
      " src AS (SELECT scope.*, EXISTS (SELECT 1 FROM mcp_calls c, pr"
      "                   WHERE c.tenant_id = pr.tenant_id"
      "                     AND c.project_id = scope.project_id"
      "                     AND (scope.si IS NULL"
      "                          OR c.server_instance_id = scope.si)"
      "                     AND c.at > now() - interval '1 hour'"
      "                     AND" CALLS ") AS active"
      "          FROM scope),"
      " m (metric, label, type, ord) AS (VALUES"
      "   ('calls', 'Tool calls', 'count', 1),"
      "   ('error_rate', 'Error rate', 'ratio', 2),"
      "   ('latency_p95', 'p95 latency (ms)', 'latency', 3)),"
      " st AS (SELECT src.*, m.metric, m.label, m.type, m.ord AS mord"
      "          FROM src CROSS JOIN m)"
      " SELECT (SELECT count(*) FROM st) AS total, x.*"
      "   FROM pr LEFT JOIN LATERAL ("
      "    SELECT project_id || '.' || coalesce(si || '.', '') || metric"
      "           AS id,"
      "           label || coalesce(' - ' || server, '') AS label, type,"
      "           %s::text AS bands,"
      "           CASE WHEN active THEN 'active' ELSE 'idle' END AS status,"
      "           project_id, si AS server_instance_id, metric"
      "      FROM st ORDER BY ord, server, si, mord"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    /* one row when the stream's project (and instance) are the
     * tenant's; inst is NULL when the instance asked for is not */
    { "hub_an_stream_find",
      "SELECT p.id, si.id AS inst FROM projects p"
      "  LEFT JOIN server_instances si ON si.id = %s::uuid"
      "       AND si.project_id = p.id AND si.tenant_id = p.tenant_id"
      " WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid" },
    { "hub_an_series",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS project,"
      "                  %s::uuid AS si, %s::text AS metric,"
      "                  %s::timestamptz AS t0, %s::timestamptz AS t1,"
      "                  %s::interval AS band,"
      "                  timestamptz '2000-01-01 00:00:00+00' AS origin),"
      " b AS (SELECT generate_series(date_bin(p.band, p.t0, p.origin),"
      "                              p.t1 - interval '1 microsecond',"
      "                              p.band) AS ts FROM p),"
      " c AS (SELECT date_bin(p.band, c.at, p.origin) AS ts, count(*) AS n,"
      "              count(*) FILTER (WHERE NOT c.ok) AS e,"
      "              percentile_cont(0.95) WITHIN GROUP"
      "                (ORDER BY c.gateway_ms) AS p95"
      "         FROM mcp_calls c, p"
      "        WHERE c.tenant_id = p.tenant AND c.project_id = p.project"
      "          AND (p.si IS NULL OR c.server_instance_id = p.si)"
      "          AND c.at >= p.t0 AND c.at < p.t1 AND" CALLS
      "        GROUP BY 1)"
      " SELECT iso8601(b.ts) AS ts,"
      "        CASE p.metric WHEN 'calls' THEN coalesce(c.n, 0)::float8"
      "             WHEN 'error_rate' THEN c.e::float8 / nullif(c.n, 0)"
      "             ELSE c.p95 END AS value"
      "   FROM b CROSS JOIN p LEFT JOIN c ON c.ts = b.ts ORDER BY b.ts" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_STREAMS, ST_FIND, ST_SERIES };
#define STMT(i) (&hub_analytics_telemetry_stmts[i])

static const char *const metrics[] = { "calls", "error_rate", "latency_p95",
                                       NULL };

/* ---- streams ------------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t stream_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "label", NULL, HUB_J_STRING },
    { "type", NULL, HUB_J_STRING },
    { "bands", NULL, HUB_J_STRINGS },
    { "status", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "server_instance_id", NULL, HUB_J_STRING },
    { "metric", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t streams_query[] = {
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int streams_list(hub_req_t *hr, hub_result_t *res)
{
    const char *project = hub_param(hr, "project_id");
    const char *args[5];
    apr_array_header_t *names;
    hub_page_t pg;
    int i;

    if (!hub_is_uuid(project)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "project not found");
    }
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = project;
    args[1] = hr->who->tenant_id;
    names = apr_array_make(hr->pool, 5, sizeof(const char *));
    for (i = 0; band_names[i]; i++) {
        APR_ARRAY_PUSH(names, const char *) = band_names[i];
    }
    args[2] = hub_pg_array_strv(hr->pool, names);
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_STREAMS), 5, args, stream_out, &pg,
                           "project not found");
}

/* ---- one stream ---------------------------------------------------------- */

/* Split "<project>[.<instance>].<metric>"; 0 when it is not one. */
static int stream_parse(apr_pool_t *p, const char *id, hub_an_stream_t *out)
{
    char *copy, *parts[4], *last;
    int n = 0, i;

    if (!id || strlen(id) > 200 || *id == '.' || strstr(id, "..")
        || id[strlen(id) - 1] == '.') {
        return 0; /* strtok would pass over an empty part */
    }
    copy = apr_pstrdup(p, id);
    for (parts[n] = apr_strtok(copy, ".", &last); parts[n] && n < 3;
         parts[++n] = apr_strtok(NULL, ".", &last)) {
    }
    if (n < 2 || n > 3 || parts[n] || !hub_is_uuid(parts[0])
        || (n == 3 && !hub_is_uuid(parts[1]))) {
        return 0;
    }
    for (i = 0; metrics[i] && strcmp(metrics[i], parts[n - 1]); i++) {
    }
    if (!metrics[i]) {
        return 0;
    }
    out->id = id;
    out->project_id = parts[0];
    out->instance_id = n == 3 ? parts[1] : NULL;
    out->metric = metrics[i];
    return 1;
}

int hub_analytics_stream_find(hub_req_t *hr, hub_result_t *res, const char *id,
                              hub_an_stream_t *out)
{
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!stream_parse(hr->pool, id, out)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "stream_id: not a stream id "
                       "(<project_id>[.<server_instance_id>].<metric>, "
                       "metric calls, error_rate or latency_p95)");
    }
    args[0] = out->instance_id;
    args[1] = out->project_id;
    args[2] = hr->who->tenant_id;
    st = hub_db_select(hr->r, STMT(ST_FIND), &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts
        || (out->instance_id && !hub_rows_get(rows, 0, "inst"))) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "stream not found");
    }
    return DECLINED;
}

/* ---- query --------------------------------------------------------------- */

/* clang-format off */
static const hub_field_t query_in[] = {
    { "stream_id", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL,
      "a stream's id (GET /projects/{id}/telemetry/streams)" },
    { "time_range", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "{from, to}: ISO-8601 timestamps, from before to" },
    { "limit", HUB_T_INTEGER, 0, 1, POINTS_MAX, NULL,
      "the most points answered (1000)" },
    { "band", HUB_T_STRING, 0, 0, 0, band_names,
      "bucket width; absent: the narrowest within limit" },
    { "threshold", HUB_T_NUMBER, 0, 0, 0, NULL,
      "|robust z| above which a point is an anomaly (3.5)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* The buckets of band secs that [t0, t1) touches, as date_bin makes
 * them. */
static long buckets(apr_time_t t0, apr_time_t t1, long secs)
{
    apr_time_t w = apr_time_from_sec(secs);
    apr_time_t first = t0 - (((t0 - ORIGIN) % w) + w) % w;
    return (long)((t1 - 1 - first) / w) + 1;
}

/* The band: the one asked for within limit, else the narrowest that
 * fits; -1 (with the problem in res) when none does. */
static int pick_band(hub_req_t *hr, hub_result_t *res, apr_time_t t0,
                     apr_time_t t1, long limit)
{
    const char *asked = json_string_value(json_object_get(hr->body, "band"));
    int i;
    for (i = 0; band_names[i]; i++) {
        if (asked ? !strcmp(asked, band_names[i])
                  : buckets(t0, t1, band_secs[i]) <= limit) {
            break;
        }
    }
    if (!band_names[i] || buckets(t0, t1, band_secs[i]) > limit) {
        hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                "the time range holds more than limit (%ld) points at "
                "band %s; give a wider band or a larger limit",
                limit, asked ? asked : "1d");
        return -1;
    }
    return i;
}

static int parse_range(hub_req_t *hr, hub_result_t *res, apr_time_t *t0,
                       apr_time_t *t1)
{
    json_t *tr = json_object_get(hr->body, "time_range");
    const char *from = json_string_value(json_object_get(tr, "from"));
    const char *to = json_string_value(json_object_get(tr, "to"));
    if (!from || hub_parse_iso8601(from, t0)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "time_range.from: an ISO-8601 timestamp is required");
    }
    if (!to || hub_parse_iso8601(to, t1)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "time_range.to: an ISO-8601 timestamp is required");
    }
    if (*t1 <= *t0 || *t1 - *t0 > WINDOW_MAX) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "time_range: from must be before to, and at most "
                       "90 days before it");
    }
    return DECLINED;
}

/* series[] of the rows with a value; their values into x (n of them) */
static json_t *series_json(const hub_rows_t *rows, double *x, int *n)
{
    json_t *out = json_array();
    int i;
    *n = 0;
    for (i = 0; i < rows->rows->nelts; i++) {
        const char *v = hub_rows_get(rows, i, "value");
        if (v) {
            x[*n] = strtod(v, NULL);
            json_array_append_new(out, json_pack("{s:s,s:f}", "ts",
                                                 hub_rows_get(rows, i, "ts"),
                                                 "value", x[(*n)++]));
        }
    }
    return out;
}

static json_t *anomalies_json(apr_pool_t *p, json_t *series, const double *x,
                              int n, double threshold, json_t **method)
{
    json_t *out = json_array();
    hub_robust_t fit;
    int i;

    hub_robust_fit(p, x, n, &fit);
    for (i = 0; i < n; i++) {
        double z = hub_robust_z(&fit, x[i]);
        if (fabs(z) > threshold) {
            json_array_append_new(
                out, json_pack("{s:O,s:f,s:f}", "ts",
                               json_object_get(json_array_get(series, i), "ts"),
                               "value", x[i], "score", z));
        }
    }
    *method = json_pack("{s:s,s:f,s:f,s:f,s:o}", "name", "robust_z", "median",
                        fit.median, "mad", fit.mad, "threshold", threshold,
                        "fallback",
                        fit.fallback ? json_string("mean_absolute_deviation")
                                     : json_null());
    return out;
}

static int telemetry_query(hub_req_t *hr, hub_result_t *res)
{
    json_t *lim = json_object_get(hr->body, "limit");
    json_t *thr = json_object_get(hr->body, "threshold");
    long limit = lim ? (long)json_integer_value(lim) : POINTS_DEFAULT;
    double threshold = thr ? json_number_value(thr) : HUB_ROBUST_Z_DEFAULT;
    hub_an_stream_t sm;
    apr_time_t t0, t1;
    const char *args[7];
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *series, *anomalies, *method;
    double *x;
    int band, n;

    if (thr && !(threshold > 0)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "threshold: a number above 0");
    }
    if (parse_range(hr, res, &t0, &t1) != DECLINED
        || (band = pick_band(hr, res, t0, t1, limit)) < 0
        || hub_analytics_stream_find(
               hr, res,
               json_string_value(json_object_get(hr->body, "stream_id")), &sm)
               != DECLINED) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = sm.project_id;
    args[2] = sm.instance_id;
    args[3] = sm.metric;
    args[4] = hub_iso8601_ms(hr->pool, t0);
    args[5] = hub_iso8601_ms(hr->pool, t1);
    args[6] = apr_psprintf(hr->pool, "%ld seconds", band_secs[band]);
    st = hub_db_select(hr->r, STMT(ST_SERIES), &rows, 7, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    x = apr_palloc(hr->pool, sizeof(*x) * (rows->rows->nelts + 1));
    series = series_json(rows, x, &n);
    anomalies = anomalies_json(hr->pool, series, x, n, threshold, &method);
    return hub_ok(res, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "stream_id",
                                 sm.id, "metric", sm.metric, "band",
                                 band_names[band], "series", series,
                                 "anomalies", anomalies, "method", method));
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_analytics_telemetry_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}/telemetry/streams",
      streams_list, NULL, G4F_IN, 0,
      "Telemetry: GET /projects/{project_id}/telemetry/streams",
      .need = HUB_NEED_READ, .query = streams_query, .shape = stream_out,
      .wrap = HUB_WRAP_G4F_PAGE },
    { HUB_G4F, HUB_M_POST, "/telemetry/query", telemetry_query, query_in,
      G4F_IN, 0, "Telemetry: POST /telemetry/query",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
