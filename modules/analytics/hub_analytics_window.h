/* Caylex's analytics windows, graph frequencies and common filters: what
 * every /analytics/... operation reads before it asks the rollups.
 * httpd-free (APR, jansson, hub_query.h); the SQL side is sql/032
 * (hub_rollup_span, hub_step_bucket, hub_step_buckets).
 *
 * Windows and frequencies.  A window is "<n><unit>" with unit h, d, w or
 * mon (Caylex's ^[0-9]+(h|d|w|mon)$), and also m (minutes) and mo, which
 * the frequencies use; a frequency is ^\d+[mhdw]$|^\d+mo$ (mon taken
 * too).  n is 1..100000 and the span at most 10 years.  A window is the
 * time [now - window, now): months are calendar months back from now in
 * UTC (HUB_AN_T0), the rest exact.  The previous window (period over
 * period) is the same length just before it: [t0 - (t1 - t0), t0).
 *
 * Graph buckets are aligned in UTC, not to the request's now (sql/032,
 * hub_step_bucket): minutes, hours and days to the epoch, whole weeks to
 * Mondays, months to calendar months.  The first bucket is the one that
 * holds t0 (it is partly before the window, and counts only what is in
 * the window); the last holds now.  A graph has at most HUB_AN_MAX_POINTS
 * buckets; more, or a frequency longer than its window, is Caylex's 422
 * (FastAPI's validation list, loc ["query", "frequency"]).  A graph
 * asked without a frequency gets the longest of 1m 5m 15m 1h 6h 1d 1w
 * that still gives its window 24 buckets or more (24h: 1h, 7d: 6h, 1mon:
 * 1d, 90d: 1d, 1y: 1w); the answer's "frequency" says which.
 *
 * Filters.  project_id, navigator_instance_id, server_instance_id (UUIDs:
 * another form is FastAPI's 422 uuid_parsing), tool_name (text, <= 300)
 * and, where the spec has it, tool_id (a UUID of the tools table).  They
 * narrow the caller's own tenant's rows and nothing else: an id of
 * another tenant, or of nothing, is not an error and not a 404 -- it
 * matches none of the caller's records, so the answer is zeros and empty
 * series, the same as an unused id of the caller's own (as Caylex's
 * notifications' project_id does), and says nothing of whether the id
 * exists elsewhere.  The answer's "filters" object echoes the filters
 * given, by name, as strings.
 *
 * Reading the rollups: SELECT ... FROM hub_rollup_span(tenant, t0, t1,
 * step, minutes_since, hours_since) r WHERE HUB_AN_SQL_MATCH("r", "p"),
 * summing (rows are not one per key).  Pass minutes_since / hours_since
 * as now() - make_interval(days => keep) with hub_analytics_rollup_keep's
 * minute and hour days: the rollups are then read only where retention
 * pruned nothing, and older pieces come from finer grains or the raw
 * records (sql/032's header). */
#ifndef HUB_ANALYTICS_WINDOW_H
#define HUB_ANALYTICS_WINDOW_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_query.h"

typedef enum {
    HUB_AN_MINUTE = 0,
    HUB_AN_HOUR,
    HUB_AN_DAY,
    HUB_AN_WEEK,
    HUB_AN_MONTH
} hub_an_unit_e;

typedef struct hub_an_span {
    const char *text; /* as given ("24h", "1mon"), or the default */
    long n;           /* how many units */
    hub_an_unit_e unit;
    const char *interval; /* PostgreSQL's interval text: "24 hours",
                             "7 days" (weeks too), "1 mons" */
    long seconds;         /* its length, a month counted as 30 days */
} hub_an_span_t;

/* Parse "<n><unit>" (units m, h, d, w, mo, mon) into *out (strings in p).
 * 1 on success; 0 when it is not one (out untouched). */
int hub_an_span_parse(apr_pool_t *p, const char *text, hub_an_span_t *out);

#define HUB_AN_MAX_POINTS 1000

typedef struct hub_an_window {
    hub_an_span_t window;
    hub_an_span_t step; /* a graph's frequency; step.text NULL for a total */
    int step_chosen;    /* no frequency was given: the hub chose step */
    long points;        /* a graph: the number of buckets, at most */
} hub_an_window_t;

/* Read `window` (def_window when absent) and, when graph, `frequency`
 * from q into *w.  Returns the number of problems appended to problems
 * (hub_invalid_t: field window / frequency, FastAPI's type and msg);
 * answer them with hub_err_invalid(res, "query", problems). */
int hub_an_window_read(apr_pool_t *p, const hub_qvals_t *q,
                       const char *def_window, int graph, hub_an_window_t *w,
                       apr_array_header_t *problems);

/* The default frequency of a window (see above): a static string. */
const char *hub_an_default_step(const hub_an_span_t *window);

/* The filters every /analytics/... endpoint takes; NULL when not given. */
typedef struct hub_an_filters {
    const char *project_id;
    const char *navigator_instance_id;
    const char *server_instance_id;
    const char *tool_name;
    const char *tool_id;
} hub_an_filters_t;

/* From a query read with a table of HUB_Q_AN_* fields (a field the table
 * does not have is NULL). */
void hub_an_filters_read(const hub_qvals_t *q, hub_an_filters_t *f);
/* The answer's "filters": {name: value} of those given.  A new reference. */
json_t *hub_an_filters_json(const hub_an_filters_t *f);
/* The four arguments of HUB_AN_SQL_P_FILTERS, in its order; returns 4. */
int hub_an_filters_args(const hub_an_filters_t *f, const char **args);

/* SQL fragments.  A statement puts HUB_AN_SQL_P_FILTERS in its parameter
 * row (WITH p AS (SELECT %s::uuid AS tenant, ..., HUB_AN_SQL_P_FILTERS))
 * and HUB_AN_SQL_MATCH("r", "p") in its WHERE over rollup-shaped rows r
 * (hub_rollup_span's or a rollup's, which have these four columns). */
#define HUB_AN_SQL_P_FILTERS \
    "%s::uuid AS f_project, %s::uuid AS f_nav, %s::uuid AS f_si," \
    " %s::text AS f_tool"
#define HUB_AN_SQL_MATCH(r, p) \
    " (" p ".f_project IS NULL OR " r ".project_id = " p ".f_project)" \
    " AND (" p ".f_nav IS NULL OR " r ".navigator_instance_id = " p ".f_nav)" \
    " AND (" p ".f_si IS NULL OR " r ".server_instance_id = " p ".f_si)" \
    " AND (" p ".f_tool IS NULL OR " r ".tool_name = " p ".f_tool)"
/* The same filters as statement parameters of their own (preferred):
 * HUB_AN_SQL_FILTER("r") in a WHERE takes HUB_AN_FILTER_NARGS arguments,
 * hub_an_filter_args' (each value twice, as apr_dbd numbers every %s).
 * With the values themselves in the query, PostgreSQL's custom plans
 * fold a filter not given (NULL IS NULL) away instead of testing it per
 * row, and estimate the rows better (hash aggregates, not sorts that
 * spill): measured 1.5-4x faster than HUB_AN_SQL_MATCH over p's row. */
#define HUB_AN_SQL_FILTER(r) \
    " (%s::uuid IS NULL OR " r ".project_id = %s::uuid)" \
    " AND (%s::uuid IS NULL OR " r ".navigator_instance_id = %s::uuid)" \
    " AND (%s::uuid IS NULL OR " r ".server_instance_id = %s::uuid)" \
    " AND (%s::text IS NULL OR " r ".tool_name = %s::text)"
#define HUB_AN_FILTER_NARGS 8
int hub_an_filter_args(const hub_an_filters_t *f, const char **args);

/* A window's start from its interval text (t1 is now()): calendar months
 * back in UTC whatever the session's time zone. */
#define HUB_AN_T0(iv) \
    "((now() AT TIME ZONE 'UTC' - " iv "::interval) AT TIME ZONE 'UTC')"

/* Query fields, for a route's hub_qfield_t table. */
extern const char *const hub_an_views[]; /* timeseries bar pie heatmap */
/* clang-format off */
#define HUB_Q_AN_WINDOW(def)                                               \
    { "window", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 20, 0, NULL,            \
      "Time window (default: " def "): <n>h, <n>d, <n>w or <n>mon" }
#define HUB_Q_AN_FREQUENCY                                                 \
    { "frequency", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 20, 0, NULL,         \
      "Frequency of data aggregation (e.g., 1m, 2h, 3d, 1w, 1mo)" }
#define HUB_Q_AN_VIEW                                                      \
    { "view", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, hub_an_views,         \
      "View type for the graph (default: timeseries)" }
#define HUB_Q_AN_FILTERS                                                   \
    { "project_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,           \
      "Filter by project ID" },                                            \
    { "navigator_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0,      \
      NULL, "Filter by navigator instance ID" },                           \
    { "server_instance_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,   \
      "Filter by server instance ID" }
#define HUB_Q_AN_TOOL_NAME                                                 \
    { "tool_name", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 300, 0, NULL,        \
      "Filter by tool name" }
#define HUB_Q_AN_TOOL_ID                                                   \
    { "tool_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,              \
      "Optional tool ID filter" }
/* clang-format on */

#endif
