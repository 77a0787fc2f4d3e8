/* GoClaw's LLM analytics over llm_calls (sql/035): every call the hub made
 * to a provider, written by mod_hub_workflows (chat completions, agent
 * nodes, provider checks).
 *
 *   GET /v1/traces              {traces[], total, limit, offset}
 *   GET /v1/traces/{traceID}    {trace, spans[]}
 *   GET /v1/costs/summary       {rows[]}
 *   GET /v1/usage/timeseries    {period, interval, points[]}
 *   GET /v1/usage/summary       {period, current, previous}
 *
 * The names are GoClaw's own (its TracesHandler and UsageHandler answer
 * these shapes).  Decisions where its document is silent:
 * - a trace is the calls that share a trace_id: one chat completion, or
 *   one execution (trace_id is then the execution's id, and the trace
 *   also has the execution's node runs as spans: tool_call for mcp_tool
 *   and http nodes, agent for agent nodes, event for the others);
 * - a trace's status: running while its execution is pending, running
 *   or paused; error when a call or the execution failed; cancelled;
 *   else completed;
 * - traces newest first; limit 1..200 (50), offset; agent_id and status
 *   filters (a bad agent_id is a 400, as a bad trace id is);
 * - usage: period 1h, 24h (default), 7d or 30d as the document lists
 *   (summary also GoClaw's `today`), buckets of 5 minutes, 1 hour, 6
 *   hours and 1 day, every bucket present (zeros included), UTC; a
 *   bucket counts the calls that started in it; requests are traces;
 * - costs in US dollars as the calls recorded them; rows per agent,
 *   provider and model, costliest first, over an optional from/to
 *   (RFC 3339);
 * - only the caller's tenant, always. */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_crypto.h"
#include "hub_openapi_schema.h"

/* A trace's aggregate over its calls, and the columns every trace answer
 * has: f is the grouped calls, e its execution (LEFT JOIN) */
#define TRACE_AGG \
    " SELECT c.trace_id AS id, min(c.started_at) AS t0," \
    "        max(c.started_at + c.duration_ms * interval '1 millisecond')" \
    "          AS t1," \
    "        (array_agg(c.agent_id) FILTER (WHERE c.agent_id IS NOT NULL))[1]" \
    "          AS agent_id," \
    "        (array_agg(c.execution_id)" \
    "          FILTER (WHERE c.execution_id IS NOT NULL))[1] AS run_id," \
    "        sum(c.input_tokens) AS input_tokens," \
    "        sum(c.output_tokens) AS output_tokens, sum(c.cost) AS cost," \
    "        count(*) AS llm_calls," \
    "        bool_or(c.status = 'error') AS failed," \
    "        bool_or(c.status = 'cancelled') AS cancelled," \
    "        (array_agg(c.error ORDER BY c.started_at DESC)" \
    "          FILTER (WHERE c.error IS NOT NULL))[1] AS error"
#define TRACE_STATUS \
    " CASE WHEN e.status IN ('pending', 'running', 'paused') THEN 'running'" \
    "      WHEN f.failed OR e.status = 'failed' THEN 'error'" \
    "      WHEN f.cancelled OR e.status IN ('cancelled', 'stopped')" \
    "      THEN 'cancelled' ELSE 'completed' END"
#define TRACE_COLS \
    " f.id, f.agent_id, f.run_id, iso8601(f.t0) AS start_time," \
    " iso8601(coalesce(e.completed_at, f.t1)) AS end_time," \
    " (extract(epoch FROM coalesce(e.completed_at, f.t1) - f.t0) * 1000)" \
    "   ::bigint AS duration_ms," \
    " coalesce(a.name, 'chat') AS name, f.input_tokens AS" \
    " total_input_tokens, f.output_tokens AS total_output_tokens," \
    " f.cost::text AS total_cost, f.llm_calls + coalesce(n.nodes, 0)" \
    " AS span_count, f.llm_calls AS llm_call_count," \
    " coalesce(n.tools, 0) AS tool_call_count, f.status," \
    " coalesce(f.error, e.error) AS error, iso8601(f.t0) AS created_at"
/* the node runs of f's execution, counted: all, and tool calls */
#define TRACE_NODES \
    " LEFT JOIN agents a ON a.id = f.agent_id AND a.tenant_id = p.tenant" \
    " LEFT JOIN LATERAL (" \
    "   SELECT count(*) AS nodes, count(*) FILTER (WHERE g.type IN" \
    "          ('mcp_tool', 'http')) AS tools" \
    "     FROM execution_nodes x" \
    "     LEFT JOIN executions ex ON ex.id = x.execution_id" \
    "     LEFT JOIN LATERAL (SELECT nd->>'type' AS type" \
    "       FROM jsonb_array_elements(ex.graph->'nodes') nd" \
    "      WHERE nd->>'id' = x.node_id LIMIT 1) g ON true" \
    "    WHERE x.execution_id = f.run_id AND x.tenant_id = p.tenant) n" \
    "   ON true"

/* the usage of calls c in buckets of p.step over [p.t0, p.t1) */
#define USAGE_SUMS \
    " count(DISTINCT c.trace_id) AS requests, count(c.id) AS llm_calls," \
    " coalesce(sum(c.input_tokens), 0) AS input_tokens," \
    " coalesce(sum(c.output_tokens), 0) AS output_tokens," \
    " coalesce(sum(c.cost), 0)::text AS cost," \
    " count(DISTINCT c.trace_id) FILTER (WHERE c.status = 'error')" \
    "   AS errors," \
    " coalesce(avg(c.duration_ms), 0)::bigint AS avg_duration_ms"

/* clang-format off */
const hub_stmt_t hub_analytics_gc_llm_stmts[] = {
    { "hub_an_gc_traces",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS agent,"
      "                  %s::text AS status),"
      " g AS (" TRACE_AGG " FROM llm_calls c, p"
      "        WHERE c.tenant_id = p.tenant GROUP BY c.trace_id),"
      " f AS (SELECT f.*," TRACE_STATUS " AS status"
      "         FROM g AS f CROSS JOIN p"
      "         LEFT JOIN executions e ON e.id = f.run_id"
      "                               AND e.tenant_id = p.tenant"
      "        WHERE (p.agent IS NULL OR f.agent_id = p.agent)),"
      " s AS (SELECT f.* FROM f, p"
      "        WHERE p.status IS NULL OR f.status = p.status)"
      " SELECT (SELECT count(*) FROM s) AS total, x.*"
      "   FROM (SELECT 1) one LEFT JOIN LATERAL ("
      "    SELECT" TRACE_COLS
      "      FROM s f CROSS JOIN p"
      "      LEFT JOIN executions e ON e.id = f.run_id"
      "                            AND e.tenant_id = p.tenant"
      TRACE_NODES
      "     ORDER BY f.t0 DESC, f.id"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_an_gc_trace",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS trace),"
      " g AS (" TRACE_AGG " FROM llm_calls c, p"
      "        WHERE c.tenant_id = p.tenant AND c.trace_id = p.trace"
      "        GROUP BY c.trace_id),"
      " f AS (SELECT f.*," TRACE_STATUS " AS status"
      "         FROM g AS f CROSS JOIN p"
      "         LEFT JOIN executions e ON e.id = f.run_id"
      "                               AND e.tenant_id = p.tenant)"
      " SELECT" TRACE_COLS
      "   FROM f CROSS JOIN p"
      "   LEFT JOIN executions e ON e.id = f.run_id"
      "                         AND e.tenant_id = p.tenant"
      TRACE_NODES },
    /* a trace's spans: its calls, then its execution's node runs */
    { "hub_an_gc_spans",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS trace),"
      " run AS (SELECT DISTINCT c.execution_id AS id FROM llm_calls c, p"
      "          WHERE c.tenant_id = p.tenant AND c.trace_id = p.trace"
      "            AND c.execution_id IS NOT NULL)"
      " SELECT * FROM ("
      "  SELECT c.id::text AS id, c.trace_id, c.agent_id,"
      "         'llm_call' AS span_type, c.model AS name,"
      "         c.started_at AS t0, iso8601(c.started_at) AS start_time,"
      "         iso8601(c.started_at + c.duration_ms"
      "                 * interval '1 millisecond') AS end_time,"
      "         c.duration_ms::bigint AS duration_ms,"
      "         CASE c.status WHEN 'ok' THEN 'completed' ELSE c.status END"
      "           AS status, c.error, c.model,"
      "         coalesce(v.name, c.provider_type) AS provider,"
      "         c.input_tokens, c.output_tokens, c.cost::text AS cost,"
      "         c.node_id, NULL::text AS tool_name"
      "    FROM llm_calls c CROSS JOIN p"
      "    LEFT JOIN llm_providers v ON v.id = c.provider_id"
      "                             AND v.tenant_id = p.tenant"
      "   WHERE c.tenant_id = p.tenant AND c.trace_id = p.trace"
      "  UNION ALL"
      "  SELECT x.execution_id::text || ':' || x.node_id || ':'"
      "           || x.iteration, p.trace, e.agent_id,"
      "         CASE WHEN g.type IN ('mcp_tool', 'http') THEN 'tool_call'"
      "              WHEN g.type IN ('agent', 'multi_agent') THEN 'agent'"
      "              ELSE 'event' END, x.node_id,"
      "         x.started_at, iso8601(x.started_at),"
      "         iso8601(x.completed_at), x.duration_ms::bigint,"
      "         CASE x.status WHEN 'failed' THEN 'error' ELSE x.status END,"
      "         x.error, NULL, NULL, NULL, NULL, NULL, x.node_id,"
      "         CASE WHEN g.type IN ('mcp_tool', 'http') THEN g.tool END"
      "    FROM run JOIN execution_nodes x ON x.execution_id = run.id"
      "    CROSS JOIN p"
      "    JOIN executions e ON e.id = x.execution_id"
      "                     AND e.tenant_id = p.tenant"
      "    LEFT JOIN LATERAL (SELECT nd->>'type' AS type,"
      "           coalesce(nd->'data'->>'tool', nd->'data'->>'toolName',"
      "                    nd->'data'->>'url') AS tool"
      "      FROM jsonb_array_elements(e.graph->'nodes') nd"
      "     WHERE nd->>'id' = x.node_id LIMIT 1) g ON true"
      "   WHERE x.tenant_id = p.tenant"
      " ) s ORDER BY s.t0, s.id" },
    { "hub_an_gc_costs",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS agent,"
      "                  %s::timestamptz AS t0, %s::timestamptz AS t1)"
      " SELECT c.agent_id, a.name AS agent_name,"
      "        coalesce(v.name, c.provider_type) AS provider, c.model,"
      "        count(*) AS call_count,"
      "        count(DISTINCT c.trace_id) AS trace_count,"
      "        sum(c.input_tokens) AS total_input_tokens,"
      "        sum(c.output_tokens) AS total_output_tokens,"
      "        sum(c.cost)::text AS total_cost, sum(c.cost) AS k"
      "   FROM llm_calls c CROSS JOIN p"
      "   LEFT JOIN agents a ON a.id = c.agent_id AND a.tenant_id = p.tenant"
      "   LEFT JOIN llm_providers v ON v.id = c.provider_id"
      "                            AND v.tenant_id = p.tenant"
      "  WHERE c.tenant_id = p.tenant"
      "    AND (p.agent IS NULL OR c.agent_id = p.agent)"
      "    AND (p.t0 IS NULL OR c.started_at >= p.t0)"
      "    AND (p.t1 IS NULL OR c.started_at < p.t1)"
      "  GROUP BY 1, 2, 3, 4 ORDER BY k DESC, 3, 4 NULLS FIRST" },
    /* buckets of step over the last `span` ending now, every one */
    { "hub_an_gc_usage_series",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::interval AS span,"
      "                  %s::interval AS step, %s::uuid AS agent,"
      "                  %s::text AS model),"
      " w AS (SELECT hub_time_floor(now() - p.span + p.step, p.step) AS t0,"
      "              now() AS t1 FROM p),"
      " b AS (SELECT generate_series(w.t0, w.t1, p.step) AS b FROM p, w)"
      " SELECT iso8601(b.b) AS bucket_time," USAGE_SUMS
      "   FROM p CROSS JOIN b"
      "   LEFT JOIN llm_calls c ON c.tenant_id = p.tenant"
      "        AND c.started_at >= b.b AND c.started_at < b.b + p.step"
      "        AND (p.agent IS NULL OR c.agent_id = p.agent)"
      "        AND (p.model IS NULL OR c.model = p.model)"
      "  GROUP BY b.b ORDER BY b.b" },
    /* a period and the one before it, of the same length; a NULL span
     * is GoClaw's `today`: since UTC midnight, and yesterday */
    { "hub_an_gc_usage_summary",
      "WITH p0 AS (SELECT %s::uuid AS tenant, %s::interval AS span,"
      "                   %s::uuid AS agent, now() AS t1),"
      " p AS (SELECT p0.*, coalesce(p0.t1 - p0.span,"
      "                    hub_time_floor(p0.t1, interval '1 day')) AS t0"
      "         FROM p0),"
      " k AS (SELECT k, CASE WHEN p.span IS NULL"
      "                      THEN p.t0 - k * interval '1 day'"
      "                      ELSE p.t0 - k * p.span END AS lo,"
      "              CASE WHEN k = 0 THEN p.t1 ELSE p.t0 END AS hi"
      "         FROM p, (VALUES (0), (1)) v(k))"
      " SELECT k.k AS period," USAGE_SUMS ","
      "        (SELECT count(*) FROM execution_nodes x"
      "           JOIN executions e ON e.id = x.execution_id"
      "          CROSS JOIN LATERAL (SELECT nd->>'type' AS type"
      "            FROM jsonb_array_elements(e.graph->'nodes') nd"
      "           WHERE nd->>'id' = x.node_id LIMIT 1) g"
      "          WHERE x.tenant_id = p.tenant AND x.started_at >= k.lo"
      "            AND x.started_at < k.hi"
      "            AND (p.agent IS NULL OR e.agent_id = p.agent)"
      "            AND g.type IN ('mcp_tool', 'http')) AS tool_calls"
      "   FROM p CROSS JOIN k"
      "   LEFT JOIN llm_calls c ON c.tenant_id = p.tenant"
      "        AND c.started_at >= k.lo AND c.started_at < k.hi"
      "        AND (p.agent IS NULL OR c.agent_id = p.agent)"
      "  GROUP BY k.k, k.lo, k.hi, p.tenant, p.agent ORDER BY k.k" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_TRACES, ST_TRACE, ST_SPANS, ST_COSTS, ST_SERIES, ST_SUMMARY };
#define STMT(i) (&hub_analytics_gc_llm_stmts[i])

/* clang-format off */
static const hub_shape_t trace_shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "agent_id", NULL, HUB_J_OMITEMPTY },
    { "run_id", NULL, HUB_J_OMITEMPTY },
    { "name", NULL, HUB_J_STRING },
    { "start_time", NULL, HUB_J_STRING },
    { "end_time", NULL, HUB_J_OMITEMPTY },
    { "duration_ms", NULL, HUB_J_INT },
    { "total_input_tokens", NULL, HUB_J_INT },
    { "total_output_tokens", NULL, HUB_J_INT },
    { "total_cost", NULL, HUB_J_JSON },
    { "span_count", NULL, HUB_J_INT },
    { "llm_call_count", NULL, HUB_J_INT },
    { "tool_call_count", NULL, HUB_J_INT },
    { "status", NULL, HUB_J_STRING },
    { "error", NULL, HUB_J_OMITEMPTY },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_span[] = {
    { "id", NULL, HUB_J_STRING },
    { "trace_id", NULL, HUB_J_STRING },
    { "agent_id", NULL, HUB_J_OMITEMPTY },
    { "span_type", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_OMITEMPTY },
    { "start_time", NULL, HUB_J_STRING },
    { "end_time", NULL, HUB_J_OMITEMPTY },
    { "duration_ms", NULL, HUB_J_INT },
    { "status", NULL, HUB_J_STRING },
    { "error", NULL, HUB_J_OMITEMPTY },
    { "model", NULL, HUB_J_OMITEMPTY },
    { "provider", NULL, HUB_J_OMITEMPTY },
    { "input_tokens", NULL, HUB_J_INT },
    { "output_tokens", NULL, HUB_J_INT },
    { "cost", NULL, HUB_J_JSON },
    { "node_id", NULL, HUB_J_OMITEMPTY },
    { "tool_name", NULL, HUB_J_OMITEMPTY },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_cost_row[] = {
    { "agent_id", NULL, HUB_J_STRING },
    { "agent_name", NULL, HUB_J_STRING },
    { "provider", NULL, HUB_J_STRING },
    { "model", NULL, HUB_J_STRING },
    { "call_count", NULL, HUB_J_INT },
    { "trace_count", NULL, HUB_J_INT },
    { "total_input_tokens", NULL, HUB_J_INT },
    { "total_output_tokens", NULL, HUB_J_INT },
    { "total_cost", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_usage_point[] = {
    { "bucket_time", NULL, HUB_J_STRING },
    { "request_count", "requests", HUB_J_INT },
    { "llm_call_count", "llm_calls", HUB_J_INT },
    { "input_tokens", NULL, HUB_J_INT },
    { "output_tokens", NULL, HUB_J_INT },
    { "total_cost", "cost", HUB_J_JSON },
    { "error_count", "errors", HUB_J_INT },
    { "avg_duration_ms", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

static const hub_shape_t summary_shape[] = {
    { "requests", NULL, HUB_J_INT },
    { "input_tokens", NULL, HUB_J_INT },
    { "output_tokens", NULL, HUB_J_INT },
    { "cost", NULL, HUB_J_JSON },
    { "errors", NULL, HUB_J_INT },
    { "llm_calls", NULL, HUB_J_INT },
    { "tool_calls", NULL, HUB_J_INT },
    { "avg_duration_ms", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

static const char *const trace_statuses[] = {
    "running", "completed", "error", "cancelled", NULL
};
static const char *const series_periods[] = { "1h", "24h", "7d", "30d", NULL };
static const char *const summary_periods[] = {
    "today", "1h", "24h", "7d", "30d", NULL
};

static const hub_qfield_t q_traces[] = {
    { "limit", HUB_Q_INT, 0, 1, 200, 50, NULL, "traces per page" },
    { "offset", HUB_Q_OFFSET, 0, 0, 0, 0, NULL, "traces to skip" },
    { "agent_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "only this agent's traces" },
    { "status", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, trace_statuses,
      "running, completed, error or cancelled" },
    HUB_Q_END
};

static const hub_qfield_t q_costs[] = {
    { "agent_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "only this agent's calls" },
    { "from", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "calls started at or after (RFC 3339)" },
    { "to", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "calls started before (RFC 3339)" },
    HUB_Q_END
};

static const hub_qfield_t q_series[] = {
    { "period", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, series_periods,
      "1h (5-minute buckets), 24h (hours, the default), 7d (6 hours) or "
      "30d (days)" },
    { "agent_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "only this agent's calls" },
    { "model", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 1, 200, 0, NULL,
      "only calls to this model" },
    HUB_Q_END
};

static const hub_qfield_t q_summary[] = {
    { "period", HUB_Q_ENUM, HUB_Q_EMPTY_NONE, 0, 0, 0, summary_periods,
      "today (since UTC midnight), 1h, 24h (the default), 7d or 30d" },
    { "agent_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "only this agent's calls" },
    HUB_Q_END
};

/* a period: how far back, and its buckets */
static const struct {
    const char *name, *span, *step;
} periods[] = {
    { "1h", "1 hour", "5 minutes" },
    { "24h", "24 hours", "1 hour" },
    { "7d", "7 days", "6 hours" },
    { "30d", "30 days", "1 day" },
    { NULL, NULL, NULL }
};
/* clang-format on */

static int find_period(const char *name)
{
    int i;
    for (i = 0; periods[i].name; i++) {
        if (!strcmp(periods[i].name, name)) {
            return i;
        }
    }
    return 1; /* 24h */
}

static int gc_traces(hub_req_t *hr, hub_result_t *res)
{
    const char *args[5];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    long total;

    hub_qv_page(&hr->q, "limit", "offset", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = hub_qv_str(&hr->q, "agent_id");
    args[2] = hub_qv_str(&hr->q, "status");
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, STMT(ST_TRACES), &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    return hub_ok(res,
                  json_pack("{s:o,s:I,s:I,s:I}", "traces",
                            hub_rows_json(rows, trace_shape), "total",
                            (json_int_t)total, "limit", (json_int_t)pg.limit,
                            "offset", (json_int_t)pg.offset));
}

static int gc_trace(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "traceID");
    const char *args[2];
    hub_rows_t *trace, *spans;
    hub_db_status_e st;

    if (!hub_is_uuid(id)) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "invalid trace ID");
    }
    args[0] = hr->who->tenant_id;
    args[1] = id;
    st = hub_db_select(hr->r, STMT(ST_TRACE), &trace, 2, args);
    if (st == HUB_DB_OK && trace->rows->nelts == 0) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "trace %s not found",
                       id);
    }
    if (st == HUB_DB_OK) {
        st = hub_db_select(hr->r, STMT(ST_SPANS), &spans, 2, args);
    }
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:o,s:o}", "trace",
                                 hub_row_json(trace, 0, trace_shape), "spans",
                                 hub_rows_json(spans, gc_span)));
}

static int gc_costs(hub_req_t *hr, hub_result_t *res)
{
    const char *args[4];
    hub_rows_t *rows;
    hub_db_status_e st;

    args[0] = hr->who->tenant_id;
    args[1] = hub_qv_str(&hr->q, "agent_id");
    args[2] = hub_qv_str(&hr->q, "from");
    args[3] = hub_qv_str(&hr->q, "to");
    st = hub_db_select(hr->r, STMT(ST_COSTS), &rows, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:o}", "rows", hub_rows_json(rows, gc_cost_row)));
}

static int gc_usage_series(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_qv_str(&hr->q, "period");
    int k = find_period(name ? name : "24h");
    const char *args[5];
    hub_rows_t *rows;
    hub_db_status_e st;

    args[0] = hr->who->tenant_id;
    args[1] = periods[k].span;
    args[2] = periods[k].step;
    args[3] = hub_qv_str(&hr->q, "agent_id");
    args[4] = hub_qv_str(&hr->q, "model");
    st = hub_db_select(hr->r, STMT(ST_SERIES), &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:s,s:s,s:o}", "period", periods[k].name,
                                 "interval", periods[k].step, "points",
                                 hub_rows_json(rows, gc_usage_point)));
}

static int gc_usage_summary(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_qv_str(&hr->q, "period");
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!name) {
        name = "24h";
    }
    args[0] = hr->who->tenant_id;
    args[1] = strcmp(name, "today") ? periods[find_period(name)].span : NULL;
    args[2] = hub_qv_str(&hr->q, "agent_id");
    st = hub_db_select(hr->r, STMT(ST_SUMMARY), &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:s,s:o,s:o}", "period", name, "current",
                            hub_row_json(rows, 0, summary_shape), "previous",
                            hub_row_json(rows, 1, summary_shape)));
}

/* the answers in the served OpenAPI document */
#define TRACE_SCHEMA \
    OBJ("\"id\":" STR ",\"agent_id\":" STR ",\"run_id\":" STR ",\"name\":" STR \
        ",\"start_time\":" STR ",\"end_time\":" STR ",\"duration_ms\":" INT \
        ",\"total_input_tokens\":" INT ",\"total_output_tokens\":" INT \
        ",\"total_cost\":" NUM ",\"span_count\":" INT \
        ",\"llm_call_count\":" INT ",\"tool_call_count\":" INT \
        ",\"status\":" ENUM( \
            "\"running\",\"completed\",\"error\",\"cancelled\"") ",\"error\":" STR \
                                                                 ",\"created_at\":" STR, \
        "\"id\",\"name\",\"start_time\",\"duration_ms\"," \
        "\"total_input_tokens\",\"total_output_tokens\",\"total_cost\"," \
        "\"span_count\",\"llm_call_count\",\"tool_call_count\"," \
        "\"status\",\"created_at\"")
#define SPAN_SCHEMA \
    OBJ("\"id\":" STR ",\"trace_id\":" STR ",\"agent_id\":" STR \
        ",\"span_type\":" ENUM( \
            "\"llm_call\",\"tool_call\",\"agent\",\"event\"") ",\"name\":" STR \
                                                              ",\"start_time\":" STR \
                                                              ",\"end_time\":" STR \
                                                              ",\"duration_ms\":" NINT \
                                                              ",\"status\":" STR \
                                                              ",\"error\":" STR \
                                                              ",\"model\":" STR \
                                                              ",\"provider\":" STR \
                                                              ",\"input_tokens\":" NINT \
                                                              ",\"output_tokens\":" NINT \
                                                              ",\"cost\":" NNUM \
                                                              ",\"node_id\":" STR \
                                                              ",\"tool_name\":" STR, \
        "\"id\",\"trace_id\",\"span_type\",\"start_time\",\"status\"")
#define TRACES_OUT \
    HUB_DOC_ONE("TraceList", \
                OBJ("\"traces\":" ARRAY_OF( \
                        TRACE_SCHEMA) ",\"total\":" INT ",\"limit\":" INT \
                                      ",\"offset\":" INT, \
                    "\"traces\",\"total\",\"limit\",\"offset\""))
#define TRACE_OUT \
    HUB_DOC("TraceDetail", \
            OBJ("\"trace\":" TRACE_SCHEMA ",\"spans\":" ARRAY_OF(SPAN_SCHEMA), \
                "\"trace\",\"spans\""))
#define COSTS_OUT \
    HUB_DOC_ONE( \
        "CostSummary", \
        OBJ("\"rows\":" ARRAY_OF( \
                OBJ("\"agent_id\":" NSTR ",\"agent_name\":" NSTR \
                    ",\"provider\":" NSTR ",\"model\":" NSTR \
                    ",\"call_count\":" INT ",\"trace_count\":" INT \
                    ",\"total_input_tokens\":" INT \
                    ",\"total_output_tokens\":" INT ",\"total_cost\":" NUM, \
                    "\"agent_id\",\"agent_name\",\"provider\",\"model\"," \
                    "\"call_count\",\"trace_count\",\"total_input_tokens\"," \
                    "\"total_output_tokens\",\"total_cost\"")), \
            "\"rows\""))
#define SERIES_OUT \
    HUB_DOC_ONE( \
        "UsageTimeseries", \
        OBJ("\"period\":" STR ",\"interval\":" STR ",\"points\":" ARRAY_OF( \
                OBJ("\"bucket_time\":" STR ",\"request_count\":" INT \
                    ",\"llm_call_count\":" INT ",\"input_tokens\":" INT \
                    ",\"output_tokens\":" INT ",\"total_cost\":" NUM \
                    ",\"error_count\":" INT ",\"avg_duration_ms\":" INT, \
                    "\"bucket_time\",\"request_count\",\"llm_call_count\"," \
                    "\"input_tokens\",\"output_tokens\",\"total_cost\"," \
                    "\"error_count\",\"avg_duration_ms\"")), \
            "\"period\",\"interval\",\"points\""))
#define USAGE_SCHEMA \
    OBJ("\"requests\":" INT ",\"input_tokens\":" INT ",\"output_tokens\":" INT \
        ",\"cost\":" NUM ",\"errors\":" INT ",\"llm_calls\":" INT \
        ",\"tool_calls\":" INT ",\"avg_duration_ms\":" INT, \
        "\"requests\",\"input_tokens\",\"output_tokens\",\"cost\"," \
        "\"errors\",\"llm_calls\",\"tool_calls\",\"avg_duration_ms\"")
#define SUMMARY_OUT \
    HUB_DOC_ONE("UsageSummary", \
                OBJ("\"period\":" STR ",\"current\":" USAGE_SCHEMA \
                    ",\"previous\":" USAGE_SCHEMA, \
                    "\"period\",\"current\",\"previous\""))

/* clang-format off */
const hub_route_t hub_analytics_gc_llm_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/traces", gc_traces, NULL, 0, 0,
      "List LLM traces", .need = HUB_NEED_READ, .query = q_traces,
      .doc = TRACES_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/traces/{traceID}", gc_trace, NULL, 0, 0,
      "Get trace detail", .need = HUB_NEED_READ, .doc = TRACE_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/costs/summary", gc_costs, NULL, 0, 0,
      "Get cost summary", .need = HUB_NEED_READ, .query = q_costs,
      .doc = COSTS_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/usage/timeseries", gc_usage_series, NULL,
      0, 0, "Usage timeseries analytics", .need = HUB_NEED_READ,
      .query = q_series, .doc = SERIES_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/usage/summary", gc_usage_summary, NULL, 0,
      0, "Usage summary", .need = HUB_NEED_READ, .query = q_summary,
      .doc = SUMMARY_OUT },
    { 0 }
};
/* clang-format on */
