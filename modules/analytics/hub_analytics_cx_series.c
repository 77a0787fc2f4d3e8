/* Caylex's analytics totals and time series, one table of metrics:
 *
 *   GET /analytics/average-tool-call-latency[-graph]
 *   GET /analytics/average-tool-call-runtime[-graph]
 *   GET /analytics/average-tool-calls-per-query[-graph]
 *   GET /analytics/tool-calls-processed[-graph]
 *   GET /analytics/queries-processed[-graph]
 *   GET /analytics/error-rate-graph, /analytics/error-types-graph
 *   GET /analytics/heroes/global/stats
 *
 * Every answer is Caylex's {success, data, timestamp}.  The window, the
 * frequency, the filters and what another tenant's ids give are
 * hub_analytics_window.h's; the numbers come from the rollups through
 * hub_rollup_span (sql/032), exact over the window, but calls per query,
 * which the rollups cannot tell (see below).  Decisions:
 * - "Tool calls" are the tools/call records that are not queries (a
 *   compact navigator's search_tools call is a query, counted by
 *   queries-processed only).  Latency is the whole request in the hub
 *   (gateway_ms), runtime the upstream's part over the calls that reached
 *   one (upstream_ms); both in seconds, as the spec says.  Errors are the
 *   failed tool calls; error_rate is a fraction (errors / calls, 0.02 for
 *   2%, as the spec's example), 0 when there were no calls.
 * - Latency answers add p50_latency, p95_latency and p99_latency
 *   (seconds): over the rollups' histograms (within 19% of the exact
 *   value, sql/030), and for a total over 6 hours or less exact, from the
 *   raw records (percentile_disc); "percentiles" says "exact" or
 *   "histogram".  Graph points carry the histogram's.  Runtime has no
 *   percentiles: the rollups keep no histogram of upstream_ms.
 * - Calls per query: total_tool_calls are the tool calls that carry a
 *   query_id (made after a query in the same session), total_queries the
 *   distinct query_ids among the matching records, so a query counts
 *   when its own record matches the filters or when one of its calls
 *   does (tool_id: calls of that tool, and the queries they followed).
 *   Read from mcp_calls (the rollups keep no query_id): bounded by the
 *   raw records' retention (HubCallsRetention).  A graph bucket counts
 *   the queries with a record in it.
 * - The processed totals add previous_total_tool_calls /
 *   previous_total_queries (the window of the same length just before)
 *   and percentage_change ((now - before) / before * 100; 0 when both are
 *   0, null when only before is 0); heroes/global/stats' comparison
 *   periods are rolling_hour 1h, rolling_day 24h, rolling_week 1w,
 *   rolling_month 1mon (calendar), the previous the same length before.
 * - view (timeseries, bar, pie, heatmap) is echoed; the spec gives every
 *   view one schema, so the points are the same for all of them.  A graph
 *   has one point per bucket, zeros included, oldest first.
 * - error-types lists the types that occurred, most first: auth,
 *   rate_limit, timeout, execution, protocol and approval as Caylex's
 *   caylex_<...>_errors_total; total_errors is their sum. */
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_analytics_window.h"
#include "hub_time.h"
#include "hub_validate.h"

/* ---- SQL ------------------------------------------------------------------ */

/* The parameters every statement takes, in this order (args_of). */
#define P \
    "WITH p AS (SELECT %s::uuid AS tenant, %s::interval AS iv," \
    "                  %s::interval AS step, %s::integer AS nprev," \
    "                  %s::boolean AS exact, %s::uuid AS f_tool_id," \
    "                  now() - make_interval(days => %s::integer)" \
    "                  AS m_since," \
    "                  now() - make_interval(days => %s::integer)" \
    "                  AS h_since)," \
    " w AS (SELECT " HUB_AN_T0("p.iv") " AS t0, now() AS t1 FROM p)"
#define NARGS 8
/* then the filters' arguments (hub_an_filter_args) once for each
 * HUB_AN_SQL_FILTER in the statement's text: its row of nfilters */
#define MAX_ARGS (NARGS + 2 * HUB_AN_FILTER_NARGS)

/* the measures of tool calls (not queries) and of queries, summed over
 * span rows r; then the same read with zeros for none (x: the sums) */
#define TC " FILTER (WHERE NOT r.is_query)"
#define SUMS \
    " sum(r.calls)" TC " AS calls," \
    " sum(r.calls) FILTER (WHERE r.is_query) AS queries," \
    " sum(r.errors)" TC " AS errors, sum(r.err_auth)" TC " AS err_auth," \
    " sum(r.err_rate_limit)" TC " AS err_rate_limit," \
    " sum(r.err_timeout)" TC " AS err_timeout," \
    " sum(r.err_execution)" TC " AS err_execution," \
    " sum(r.err_protocol)" TC " AS err_protocol," \
    " sum(r.err_approval)" TC " AS err_approval," \
    " sum(r.lat_sum)" TC " AS lat_sum, sum(r.run_calls)" TC \
    " AS run_calls, sum(r.run_sum)" TC " AS run_sum"
#define OUT(x) \
    " coalesce(" x ".calls, 0) AS calls, coalesce(" x ".queries, 0)" \
    " AS queries, coalesce(" x ".errors, 0) AS errors," \
    " coalesce(" x ".err_auth, 0) AS err_auth," \
    " coalesce(" x ".err_rate_limit, 0) AS err_rate_limit," \
    " coalesce(" x ".err_timeout, 0) AS err_timeout," \
    " coalesce(" x ".err_execution, 0) AS err_execution," \
    " coalesce(" x ".err_protocol, 0) AS err_protocol," \
    " coalesce(" x ".err_approval, 0) AS err_approval," \
    " coalesce(" x ".lat_sum, 0) AS lat_sum," \
    " coalesce(" x ".run_calls, 0) AS run_calls," \
    " coalesce(" x ".run_sum, 0) AS run_sum"
/* the latency histogram of rows r, element by element: 65 sums are
 * several times faster than hub_hist_sum's array per row; the
 * statement keeps only tool calls (AND NOT r.is_query) */
#define HIST \
    " ARRAY[" \
    " sum(r.lat_hist[1]), sum(r.lat_hist[2]), sum(r.lat_hist[3]), sum(r.lat_hist[4]), sum(r.lat_hist[5])," \
    " sum(r.lat_hist[6]), sum(r.lat_hist[7]), sum(r.lat_hist[8]), sum(r.lat_hist[9]), sum(r.lat_hist[10])," \
    " sum(r.lat_hist[11]), sum(r.lat_hist[12]), sum(r.lat_hist[13]), sum(r.lat_hist[14]), sum(r.lat_hist[15])," \
    " sum(r.lat_hist[16]), sum(r.lat_hist[17]), sum(r.lat_hist[18]), sum(r.lat_hist[19]), sum(r.lat_hist[20])," \
    " sum(r.lat_hist[21]), sum(r.lat_hist[22]), sum(r.lat_hist[23]), sum(r.lat_hist[24]), sum(r.lat_hist[25])," \
    " sum(r.lat_hist[26]), sum(r.lat_hist[27]), sum(r.lat_hist[28]), sum(r.lat_hist[29]), sum(r.lat_hist[30])," \
    " sum(r.lat_hist[31]), sum(r.lat_hist[32]), sum(r.lat_hist[33]), sum(r.lat_hist[34]), sum(r.lat_hist[35])," \
    " sum(r.lat_hist[36]), sum(r.lat_hist[37]), sum(r.lat_hist[38]), sum(r.lat_hist[39]), sum(r.lat_hist[40])," \
    " sum(r.lat_hist[41]), sum(r.lat_hist[42]), sum(r.lat_hist[43]), sum(r.lat_hist[44]), sum(r.lat_hist[45])," \
    " sum(r.lat_hist[46]), sum(r.lat_hist[47]), sum(r.lat_hist[48]), sum(r.lat_hist[49]), sum(r.lat_hist[50])," \
    " sum(r.lat_hist[51]), sum(r.lat_hist[52]), sum(r.lat_hist[53]), sum(r.lat_hist[54]), sum(r.lat_hist[55])," \
    " sum(r.lat_hist[56]), sum(r.lat_hist[57]), sum(r.lat_hist[58]), sum(r.lat_hist[59]), sum(r.lat_hist[60])," \
    " sum(r.lat_hist[61]), sum(r.lat_hist[62]), sum(r.lat_hist[63]), sum(r.lat_hist[64]), sum(r.lat_hist[65])" \
    "]::integer[] AS hist"
#define QUANTILES(h) \
    " hub_hist_quantile(" h ", 0.5) AS p50, hub_hist_quantile(" h \
    ", 0.95) AS p95, hub_hist_quantile(" h ", 0.99) AS p99"
#define SPAN(step) \
    " FROM p, w, hub_rollup_span(p.tenant, w.t0, w.t1, " step "," \
    "                            p.m_since, p.h_since) r" \
    " WHERE" HUB_AN_SQL_FILTER("r")
#define BUCKETS \
    " to_char(b.b AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" \
    " AS ts"
/* the raw records of calls per query: tool calls and queries that carry
 * a query id */
#define RAW_Q \
    " FROM p, w, mcp_calls c" \
    " WHERE c.tenant_id = p.tenant AND c.at >= w.t0 AND c.at < w.t1" \
    "   AND c.method = 'tools/call' AND c.query_id IS NOT NULL" \
    "   AND (p.f_tool_id IS NULL OR c.tool_id = p.f_tool_id)" \
    "   AND" HUB_AN_SQL_FILTER("c")

/* clang-format off */
const hub_stmt_t hub_analytics_cx_series_stmts[] = {
    /* a window's totals, and with nprev 1 the previous window's too
     * (period 1): one statement, so both end at the same now() */
    { "hub_an_cx_total",
      P ", k AS (SELECT k.k FROM p, (VALUES (0), (1)) k(k)"
      "        WHERE k.k <= p.nprev)"
      " SELECT k.k AS period," OUT("x")
      "   FROM p, w, k, LATERAL (SELECT" SUMS
      "   FROM hub_rollup_span(p.tenant,"
      "          w.t0 - k.k * (w.t1 - w.t0), w.t1 - k.k * (w.t1 - w.t0),"
      "          NULL, p.m_since, p.h_since) r"
      "  WHERE" HUB_AN_SQL_FILTER("r") ") x ORDER BY k.k" },
    /* the latency total: the sums, the histogram's percentiles, and the
     * exact ones from the raw records when p.exact */
    { "hub_an_cx_total_lat",
      P ", x AS (SELECT" SUMS "," HIST SPAN("NULL") " AND NOT r.is_query),"
      " e AS (SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99])"
      "              WITHIN GROUP (ORDER BY c.gateway_ms) AS q"
      "         FROM p, w, mcp_calls c"
      "        WHERE p.exact AND c.tenant_id = p.tenant AND c.at >= w.t0"
      "          AND c.at < w.t1 AND c.method = 'tools/call'"
      "          AND c.query IS NULL AND" HUB_AN_SQL_FILTER("c") ")"
      " SELECT 0 AS period," OUT("x") ","
      "        coalesce(e.q[1], hub_hist_quantile(x.hist, 0.5)) AS p50,"
      "        coalesce(e.q[2], hub_hist_quantile(x.hist, 0.95)) AS p95,"
      "        coalesce(e.q[3], hub_hist_quantile(x.hist, 0.99)) AS p99,"
      "        e.q IS NOT NULL AS exact"
      "   FROM x, e" },
    /* a graph: every bucket of the window, zeros included */
    { "hub_an_cx_graph",
      P ", x AS (SELECT hub_step_bucket(r.bucket, p.step) AS b," SUMS
      SPAN("p.step") " GROUP BY 1)"
      " SELECT" BUCKETS "," OUT("x")
      "   FROM p, w, hub_step_buckets(w.t0, w.t1, p.step) b(b)"
      "   LEFT JOIN x ON x.b = b.b ORDER BY b.b" },
    { "hub_an_cx_graph_lat",
      P ", x AS (SELECT hub_step_bucket(r.bucket, p.step) AS b," SUMS ","
      HIST SPAN("p.step") " AND NOT r.is_query GROUP BY 1)"
      " SELECT" BUCKETS "," OUT("x") "," QUANTILES("x.hist")
      "   FROM p, w, hub_step_buckets(w.t0, w.t1, p.step) b(b)"
      "   LEFT JOIN x ON x.b = b.b ORDER BY b.b" },
    { "hub_an_cx_total_cpq",
      P " SELECT 0 AS period,"
      "        count(*) FILTER (WHERE c.query IS NULL) AS calls,"
      "        count(DISTINCT c.query_id) AS queries" RAW_Q },
    { "hub_an_cx_graph_cpq",
      P ", x AS (SELECT hub_step_bucket(c.at, p.step) AS b,"
      "         count(*) FILTER (WHERE c.query IS NULL) AS calls,"
      "         count(DISTINCT c.query_id) AS queries" RAW_Q " GROUP BY 1)"
      " SELECT" BUCKETS ", coalesce(x.calls, 0) AS calls,"
      "        coalesce(x.queries, 0) AS queries"
      "   FROM p, w, hub_step_buckets(w.t0, w.t1, p.step) b(b)"
      "   LEFT JOIN x ON x.b = b.b ORDER BY b.b" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_TOTAL,
    ST_TOTAL_LAT,
    ST_GRAPH,
    ST_GRAPH_LAT,
    ST_TOTAL_CPQ,
    ST_GRAPH_CPQ
};
#define STMT(i) (&hub_analytics_cx_series_stmts[i])

/* exact percentiles for totals of windows up to this long */
#define EXACT_SECONDS (6L * 3600L)

/* ---- the metrics ---------------------------------------------------------- */

/* A JSON field of an answer from the columns of a row of sums. */
typedef enum {
    F_INT,     /* col as an integer */
    F_SECONDS, /* col, in ms, as seconds */
    F_RATIO,   /* col / den (0 when den is 0) */
    F_RATIO_S  /* col / den, in ms, as seconds */
} an_kind_e;

typedef struct an_field {
    const char *json;
    const char *col;
    const char *den;
    an_kind_e kind;
} an_field_t;

typedef enum {
    G_POINTS, /* {data_points: [{timestamp, fields...}], view, ...} */
    G_RATE,   /* ErrorRateGraph */
    G_TYPES   /* ErrorTypesGraph */
} an_graph_e;

typedef struct an_metric {
    const char *total_window; /* the total's default window */
    const char *graph_window;
    const an_field_t *fields; /* of the total, and of each point */
    int total_st, graph_st;   /* ST_* */
    const char *prev_field;   /* the total with the previous window:
                                 its field's name; NULL: none */
    int total_view;           /* the total echoes view and frequency */
    an_graph_e graph;
} an_metric_t;

/* clang-format off */
static const an_field_t latency_fields[] = {
    { "average_latency", "lat_sum", "calls", F_RATIO_S },
    { "total_calls", "calls", NULL, F_INT },
    { "p50_latency", "p50", NULL, F_SECONDS },
    { "p95_latency", "p95", NULL, F_SECONDS },
    { "p99_latency", "p99", NULL, F_SECONDS },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t runtime_fields[] = {
    { "average_runtime", "run_sum", "run_calls", F_RATIO_S },
    { "total_executions", "run_calls", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t cpq_fields[] = {
    { "average_tool_calls_per_query", "calls", "queries", F_RATIO },
    { "total_queries", "queries", NULL, F_INT },
    { "total_tool_calls", "calls", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t calls_total[] = {
    { "total_tool_calls", "calls", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t queries_total[] = {
    { "total_queries", "queries", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t calls_point[] = {
    { "count", "calls", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};
static const an_field_t queries_point[] = {
    { "count", "queries", NULL, F_INT },
    { NULL, NULL, NULL, 0 }
};

static const an_metric_t m_latency = {
    "24h", "1mon", latency_fields, ST_TOTAL_LAT, ST_GRAPH_LAT, NULL, 0,
    G_POINTS };
static const an_metric_t m_runtime = {
    "24h", "1mon", runtime_fields, ST_TOTAL, ST_GRAPH, NULL, 0, G_POINTS };
static const an_metric_t m_cpq = {
    "24h", "1mon", cpq_fields, ST_TOTAL_CPQ, ST_GRAPH_CPQ, NULL, 1,
    G_POINTS };
static const an_metric_t m_calls = {
    "1mon", NULL, calls_total, ST_TOTAL, -1, "total_tool_calls", 0,
    G_POINTS };
static const an_metric_t m_calls_graph = {
    NULL, "1mon", calls_point, -1, ST_GRAPH, NULL, 0, G_POINTS };
static const an_metric_t m_queries = {
    "1mon", NULL, queries_total, ST_TOTAL, -1, "total_queries", 0,
    G_POINTS };
static const an_metric_t m_queries_graph = {
    NULL, "1mon", queries_point, -1, ST_GRAPH, NULL, 0, G_POINTS };
static const an_metric_t m_error_rate = {
    NULL, "1mon", NULL, -1, ST_GRAPH, NULL, 0, G_RATE };
static const an_metric_t m_error_types = {
    NULL, "1mon", NULL, -1, ST_GRAPH, NULL, 0, G_TYPES };

/* error types as Caylex names them, in the order ties are listed */
static const struct {
    const char *col, *type, *name;
} error_types[] = {
    { "err_auth", "caylex_authentication_errors_total",
      "Authentication Errors" },
    { "err_rate_limit", "caylex_rate_limit_errors_total",
      "Rate Limit Errors" },
    { "err_timeout", "caylex_timeout_errors_total", "Timeout Errors" },
    { "err_execution", "caylex_execution_errors_total", "Execution Errors" },
    { "err_protocol", "caylex_protocol_errors_total", "Protocol Errors" },
    { "err_approval", "caylex_approval_errors_total", "Approval Errors" },
    { NULL, NULL, NULL }
};
#define N_ERROR_TYPES 6
/* clang-format on */

/* ---- reading rows --------------------------------------------------------- */

static double num(const hub_rows_t *rows, int i, const char *col)
{
    const char *v = hub_rows_get(rows, i, col);
    return v ? strtod(v, NULL) : 0.0;
}

static json_int_t integer(const hub_rows_t *rows, int i, const char *col)
{
    const char *v = hub_rows_get(rows, i, col);
    return v ? (json_int_t)strtoll(v, NULL, 10) : 0;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

/* The fields of row i into o. */
static void set_fields(json_t *o, const an_field_t *f, const hub_rows_t *rows,
                       int i)
{
    for (; f->json; f++) {
        json_t *v;
        switch (f->kind) {
        case F_INT: v = json_integer(integer(rows, i, f->col)); break;
        case F_SECONDS: v = json_real(num(rows, i, f->col) / 1000.0); break;
        case F_RATIO:
            v = json_real(ratio(num(rows, i, f->col), num(rows, i, f->den)));
            break;
        default:
            v = json_real(
                ratio(num(rows, i, f->col), num(rows, i, f->den)) / 1000.0);
            break;
        }
        json_object_set_new(o, f->json, v);
    }
}

/* ---- the operations ------------------------------------------------------- */

typedef struct an_ctx {
    hub_an_window_t w;
    hub_an_filters_t f;
    const char *view;
    const char *now; /* the answer's timestamp */
} an_ctx_t;

static int envelope(hub_result_t *res, const an_ctx_t *c, json_t *data)
{
    json_object_set_new(data, "timestamp", json_string(c->now));
    return hub_ok(res, json_pack("{s:b,s:o,s:s}", "success", 1, "data", data,
                                 "timestamp", c->now));
}

/* Window, frequency (graphs), view and filters: DECLINED when read,
 * HUB_DONE with the 422 in res. */
static int read_ctx(hub_req_t *hr, hub_result_t *res, const char *def_window,
                    int graph, an_ctx_t *c)
{
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    if (hub_an_window_read(hr->pool, &hr->q, def_window, graph, &c->w,
                           problems)) {
        return hub_err_invalid(res, "query", problems);
    }
    hub_an_filters_read(&hr->q, &c->f);
    c->view = hub_qv_str(&hr->q, "view");
    if (!c->view) {
        c->view = "timeseries";
    }
    c->now = hub_iso8601(hr->pool, apr_time_now());
    return DECLINED;
}

/* how many HUB_AN_SQL_FILTERs each statement's text has, by ST_* */
static const int nfilters[] = { 1, 2, 1, 1, 1, 1 };

/* The statement's arguments: P's, then the filters' for each FILTER. */
static const char **args_of(hub_req_t *hr, const an_ctx_t *c, int st, int nprev,
                            int exact, int *nargs)
{
    const char **a = apr_pcalloc(hr->pool, MAX_ARGS * sizeof(*a));
    const int *keep = hub_analytics_rollup_keep(hr->r->server);
    int i;
    a[0] = hr->who->tenant_id;
    a[1] = c->w.window.interval;
    a[2] = c->w.step.text ? c->w.step.interval : NULL;
    a[3] = nprev ? "1" : "0";
    a[4] = exact ? "true" : "false";
    a[5] = c->f.tool_id;
    /* the rollups are read only where retention pruned nothing */
    a[6] = apr_itoa(hr->pool, keep[0]);
    a[7] = apr_itoa(hr->pool, keep[1]);
    *nargs = NARGS;
    for (i = 0; i < nfilters[st]; i++) {
        *nargs += hub_an_filter_args(&c->f, a + *nargs);
    }
    return a;
}

static int run(hub_req_t *hr, hub_result_t *res, const an_ctx_t *c, int st,
               int nprev, int exact, hub_rows_t **rows)
{
    int n;
    const char **args = args_of(hr, c, st, nprev, exact, &n);
    hub_db_status_e s = hub_db_select(hr->r, STMT(st), rows, n, args);
    if (s != HUB_DB_OK) {
        return hub_err_db(res, s, NULL, hr->request_id);
    }
    return DECLINED;
}

static int metric_total(hub_req_t *hr, hub_result_t *res)
{
    const an_metric_t *m = hr->route->words;
    an_ctx_t c;
    hub_rows_t *rows;
    json_t *data;
    int rc;

    if ((rc = read_ctx(hr, res, m->total_window, 0, &c)) != DECLINED) {
        return rc;
    }
    if (m->total_view) {
        /* echoed, but checked as the spec's Frequency */
        const char *freq = hub_qv_str(&hr->q, "frequency");
        hub_an_span_t s;
        if (freq && !hub_an_span_parse(hr->pool, freq, &s)) {
            return hub_err_field(res, "query", "frequency",
                                 "string_pattern_mismatch",
                                 "String should match pattern "
                                 "'^\\d+[mhdw]$|^\\d+mo$'");
        }
        data = json_pack("{s:s,s:s}", "view", c.view, "frequency",
                         freq ? freq : "1h");
    }
    else {
        data = json_object();
    }
    rc = run(hr, res, &c, m->total_st, m->prev_field != NULL,
             c.w.window.seconds <= EXACT_SECONDS, &rows);
    if (rc != DECLINED) {
        json_decref(data);
        return rc;
    }
    set_fields(data, m->fields, rows, 0);
    if (m->fields == latency_fields) {
        const char *exact = hub_rows_get(rows, 0, "exact");
        json_object_set_new(data, "percentiles",
                            json_string(exact && *exact == 't' ? "exact"
                                                               : "histogram"));
    }
    if (m->prev_field && rows->rows->nelts > 1) {
        json_int_t now = integer(rows, 0, m->fields[0].col);
        json_int_t before = integer(rows, 1, m->fields[0].col);
        json_object_set_new(data,
                            apr_pstrcat(hr->pool, "previous_", m->prev_field,
                                        NULL),
                            json_integer(before));
        json_object_set_new(data, "percentage_change",
                            before > 0 ? json_real(
                                100.0 * (double)(now - before) / (double)before)
                            : now > 0 ? json_null()
                                      : json_real(0.0));
    }
    json_object_set_new(data, "window", json_string(c.w.window.text));
    json_object_set_new(data, "filters", hub_an_filters_json(&c.f));
    return envelope(res, &c, data);
}

/* ErrorTypesGraph's list: the types that occurred, most first. */
static json_t *error_types_json(const hub_rows_t *rows, json_int_t *total)
{
    json_int_t count[N_ERROR_TYPES] = { 0 };
    int order[N_ERROR_TYPES];
    json_t *list = json_array();
    int i, j, n = rows->rows->nelts;

    for (j = 0; j < N_ERROR_TYPES; j++) {
        for (i = 0; i < n; i++) {
            count[j] += integer(rows, i, error_types[j].col);
        }
        *total += count[j];
        order[j] = j;
    }
    /* a stable insertion sort by count, descending */
    for (j = 1; j < N_ERROR_TYPES; j++) {
        int k = order[j], at = j;
        while (at > 0 && count[order[at - 1]] < count[k]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = k;
    }
    for (j = 0; j < N_ERROR_TYPES; j++) {
        int t = order[j];
        json_t *series;
        if (!count[t]) {
            continue;
        }
        series = json_array();
        for (i = 0; i < n; i++) {
            json_array_append_new(
                series, json_pack("{s:s,s:I,s:{s:s,s:s}}", "timestamp",
                                  hub_rows_get(rows, i, "ts"), "value",
                                  integer(rows, i, error_types[t].col),
                                  "labels", "error_type", error_types[t].type,
                                  "error_name", error_types[t].name));
        }
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:o,s:I}", "error_type",
                                        error_types[t].type, "error_name",
                                        error_types[t].name, "time_series_data",
                                        series, "total_count", count[t]));
    }
    return list;
}

static int metric_graph(hub_req_t *hr, hub_result_t *res)
{
    const an_metric_t *m = hr->route->words;
    an_ctx_t c;
    hub_rows_t *rows;
    json_t *data, *points;
    int rc, i, n;

    if ((rc = read_ctx(hr, res, m->graph_window, 1, &c)) != DECLINED) {
        return rc;
    }
    if ((rc = run(hr, res, &c, m->graph_st, 0, 0, &rows)) != DECLINED) {
        return rc;
    }
    n = rows->rows->nelts;
    if (m->graph == G_TYPES) {
        json_int_t total = 0;
        points = error_types_json(rows, &total);
        data = json_pack("{s:s,s:s,s:o,s:I}", "view_type", c.view, "frequency",
                         c.w.step.text, "time_series_data", points,
                         "total_errors", total);
        return envelope(res, &c, data);
    }
    points = json_array();
    if (m->graph == G_RATE) {
        json_int_t errors = 0, calls = 0;
        for (i = 0; i < n; i++) {
            errors += integer(rows, i, "errors");
            calls += integer(rows, i, "calls");
            json_array_append_new(points,
                                  json_pack("{s:s,s:f}", "timestamp",
                                            hub_rows_get(rows, i, "ts"),
                                            "value",
                                            ratio(num(rows, i, "errors"),
                                                  num(rows, i, "calls"))));
        }
        data = json_pack("{s:s,s:s,s:o,s:I,s:I,s:f}", "view_type", c.view,
                         "frequency", c.w.step.text, "time_series_data", points,
                         "total_errors", errors, "total_tool_calls", calls,
                         "average_error_rate",
                         ratio((double)errors, (double)calls));
        return envelope(res, &c, data);
    }
    for (i = 0; i < n; i++) {
        json_t *pt = json_pack("{s:s}", "timestamp",
                               hub_rows_get(rows, i, "ts"));
        set_fields(pt, m->fields, rows, i);
        json_array_append_new(points, pt);
    }
    data = json_pack("{s:o,s:s,s:s,s:s,s:o}", "data_points", points, "view",
                     c.view, "frequency", c.w.step.text, "window",
                     c.w.window.text, "filters", hub_an_filters_json(&c.f));
    return envelope(res, &c, data);
}

/* ---- heroes/global/stats -------------------------------------------------- */

static const char *const periods[] = { "rolling_month", "rolling_week",
                                       "rolling_day", "rolling_hour", NULL };
static const char *const period_window[] = { "1mon", "1w", "24h", "1h" };

static int global_stats(hub_req_t *hr, hub_result_t *res)
{
    const char *period = hub_qv_str(&hr->q, "comparison_period");
    const char *window = "1mon";
    an_ctx_t c;
    hub_rows_t *rows;
    int rc, i;

    if (!period) {
        period = "rolling_month";
    }
    for (i = 0; periods[i]; i++) {
        if (!strcmp(period, periods[i])) {
            window = period_window[i];
        }
    }
    if ((rc = read_ctx(hr, res, window, 0, &c)) != DECLINED) {
        return rc;
    }
    if ((rc = run(hr, res, &c, ST_TOTAL, 1, 0, &rows)) != DECLINED) {
        return rc;
    }
    return envelope(
        res, &c,
        json_pack("{s:I,s:I,s:I,s:I,s:s}", "total_queries",
                  integer(rows, 0, "queries"), "total_tool_calls",
                  integer(rows, 0, "calls"), "previous_total_queries",
                  integer(rows, 1, "queries"), "previous_total_tool_calls",
                  integer(rows, 1, "calls"), "comparison_period", period));
}

/* ---- routes --------------------------------------------------------------- */

/* clang-format off */
static const hub_qfield_t q_total[] = {
    HUB_Q_AN_WINDOW("24h"), HUB_Q_AN_FILTERS, HUB_Q_END
};
static const hub_qfield_t q_total_month[] = {
    HUB_Q_AN_WINDOW("1mon"), HUB_Q_AN_FILTERS, HUB_Q_AN_TOOL_NAME, HUB_Q_END
};
static const hub_qfield_t q_cpq[] = {
    HUB_Q_AN_WINDOW("24h"), HUB_Q_AN_VIEW, HUB_Q_AN_FREQUENCY,
    HUB_Q_AN_FILTERS, HUB_Q_AN_TOOL_ID, HUB_Q_END
};
static const hub_qfield_t q_graph[] = {
    HUB_Q_AN_WINDOW("1mon"), HUB_Q_AN_VIEW, HUB_Q_AN_FREQUENCY,
    HUB_Q_AN_FILTERS, HUB_Q_END
};
static const hub_qfield_t q_graph_tool[] = {
    HUB_Q_AN_WINDOW("1mon"), HUB_Q_AN_VIEW, HUB_Q_AN_FREQUENCY,
    HUB_Q_AN_FILTERS, HUB_Q_AN_TOOL_NAME, HUB_Q_END
};
static const hub_qfield_t q_graph_cpq[] = {
    HUB_Q_AN_WINDOW("1mon"), HUB_Q_AN_VIEW, HUB_Q_AN_FREQUENCY,
    HUB_Q_AN_FILTERS, HUB_Q_AN_TOOL_ID, HUB_Q_END
};
static const hub_qfield_t q_global[] = {
    { "comparison_period", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, periods,
      "Comparison period (default: rolling_month)" },
    HUB_Q_AN_FILTERS, HUB_Q_END
};

#define AN_ROUTE(path, op, summary, q, m)                                  \
    { HUB_CAYLEX, HUB_M_GET, path, op, NULL, 0, 0, summary,                \
      .need = HUB_NEED_READ, .query = q, .words = m }

const hub_route_t hub_analytics_cx_series_routes[] = {
    AN_ROUTE("/analytics/average-tool-call-latency", metric_total,
             "Get Average Tool Call Latency", q_total, &m_latency),
    AN_ROUTE("/analytics/average-tool-call-latency-graph", metric_graph,
             "Get Average Tool Call Latency Graph", q_graph, &m_latency),
    AN_ROUTE("/analytics/average-tool-call-runtime", metric_total,
             "Get Average Tool Procedure Runtime", q_total, &m_runtime),
    AN_ROUTE("/analytics/average-tool-call-runtime-graph", metric_graph,
             "Get Average Tool Call Runtime Graph", q_graph, &m_runtime),
    AN_ROUTE("/analytics/average-tool-calls-per-query", metric_total,
             "Get Average Tool Calls Per Query", q_cpq, &m_cpq),
    AN_ROUTE("/analytics/average-tool-calls-per-query-graph", metric_graph,
             "Get Average Tool Calls Per Query Graph", q_graph_cpq, &m_cpq),
    AN_ROUTE("/analytics/tool-calls-processed", metric_total,
             "Get Total Tool Calls Processed", q_total_month, &m_calls),
    AN_ROUTE("/analytics/tool-calls-processed-graph", metric_graph,
             "Get Tool Calls Time Series Graph Data", q_graph_tool,
             &m_calls_graph),
    AN_ROUTE("/analytics/queries-processed", metric_total,
             "Get Total Queries Processed", q_total_month, &m_queries),
    AN_ROUTE("/analytics/queries-processed-graph", metric_graph,
             "Get Queries Time Series Graph Data", q_graph_tool,
             &m_queries_graph),
    AN_ROUTE("/analytics/error-rate-graph", metric_graph,
             "Get Error Rate Time Series Graph Data", q_graph, &m_error_rate),
    AN_ROUTE("/analytics/error-types-graph", metric_graph,
             "Get Error Types Distribution", q_graph, &m_error_types),
    AN_ROUTE("/analytics/heroes/global/stats", global_stats,
             "Get Global Statistics", q_global, NULL),
    { 0 }
};
/* clang-format on */
