/* Every statement over workflows, executions and their node runs that the
 * Tool Hub endpoints and the workers make: the one place their SQL is
 * written.  Every statement is keyed by the tenant, or (the workers') by
 * the claim a worker holds on an execution it claimed. */
#include "hub_wf_engine.h"

#define WF_COLS \
    "w.id, w.name, w.description, w.graph->'nodes' AS nodes," \
    " w.graph->'edges' AS edges, w.tags, w.project_id," \
    " iso8601(w.created_at) AS created_at," \
    " iso8601(w.updated_at) AS updated_at"

#define EX_COLS \
    "e.id, e.workflow_id, e.status, e.mode, e.trigger_type, e.trigger_id," \
    " iso8601(e.created_at) AS created_at," \
    " iso8601(e.started_at) AS started_at," \
    " iso8601(e.completed_at) AS completed_at," \
    " round(extract(epoch FROM e.completed_at - e.started_at) * 1000)" \
    "   ::bigint AS duration_ms, e.progress"

/* a node run's columns under names of their own (n_*), where they are
 * selected beside the execution's */
#define NODE_COLS_N \
    "n.node_id, n.iteration AS n_iteration, n.status AS n_status," \
    " n.input AS n_input, n.output AS n_output, n.error AS n_error," \
    " iso8601(n.started_at) AS n_started_at," \
    " iso8601(n.completed_at) AS n_completed_at," \
    " n.duration_ms AS n_duration_ms, n.retry_count AS n_retry_count"

#define NODE_COLS \
    "n.node_id, n.iteration, n.status, n.input, n.output, n.error," \
    " iso8601(n.started_at) AS started_at," \
    " iso8601(n.completed_at) AS completed_at, n.duration_ms," \
    " n.retry_count"

/* clang-format off */
const hub_stmt_t hub_wf_store_stmts[] = {
    /* (tenant, limit, offset): the count, then the page */
    { "hub_wf_list",
      "SELECT n.total, w.* FROM (SELECT count(*) AS total FROM workflows"
      "  WHERE tenant_id = %s::uuid) n"
      " LEFT JOIN LATERAL (SELECT " WF_COLS " FROM workflows w"
      "  WHERE w.tenant_id = %s::uuid ORDER BY w.created_at, w.id"
      "  LIMIT %s::int OFFSET %s::int) w ON true" },
    /* (id, tenant) */
    { "hub_wf_get",
      "SELECT " WF_COLS ", w.graph FROM workflows w"
      " WHERE w.id = %s::uuid AND w.tenant_id = %s::uuid" },
    /* (tenant, name, description, graph, user) */
    { "hub_wf_insert",
      "INSERT INTO workflows AS w (tenant_id, name, description, graph,"
      "                            created_by)"
      " VALUES (%s::uuid, %s, %s, %s::jsonb, %s::uuid)"
      " RETURNING " WF_COLS },
    /* (id, tenant, name, description given, description, nodes, edges) */
    { "hub_wf_update",
      "UPDATE workflows w SET name = coalesce(%s, w.name),"
      "  description = CASE WHEN %s::boolean THEN %s ELSE w.description END,"
      "  graph = w.graph || jsonb_strip_nulls(jsonb_build_object("
      "          'nodes', %s::jsonb, 'edges', %s::jsonb)),"
      "  updated_at = now()"
      " WHERE w.id = %s::uuid AND w.tenant_id = %s::uuid"
      " RETURNING " WF_COLS },
    /* (id, tenant) */
    { "hub_wf_delete",
      "DELETE FROM workflows WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* (tenant, workflow, project, graph, mode, input, user): a new
     * execution, pending, for the workers */
    { "hub_wf_run",
      "INSERT INTO executions (tenant_id, workflow_id, project_id, graph,"
      "                        mode, input, created_by, trigger_type)"
      " VALUES (%s::uuid, %s::uuid, %s::uuid, %s::jsonb, %s, %s::jsonb,"
      "         %s::uuid, 'manual')"
      " RETURNING id, status, workflow_id" },
    /* (tenant, workflow or NULL, status or NULL, limit, offset) */
    { "hub_wf_ex_list",
      "SELECT n.total, e.* FROM (SELECT count(*) AS total FROM executions"
      "  WHERE tenant_id = %s::uuid AND kind = 'workflow'"
      "    AND (%s::uuid IS NULL OR workflow_id = %s::uuid)"
      "    AND (%s::text IS NULL OR status = %s)) n"
      " LEFT JOIN LATERAL (SELECT " EX_COLS " FROM executions e"
      "  WHERE e.tenant_id = %s::uuid AND e.kind = 'workflow'"
      "    AND (%s::uuid IS NULL OR e.workflow_id = %s::uuid)"
      "    AND (%s::text IS NULL OR e.status = %s)"
      "  ORDER BY e.created_at DESC, e.id LIMIT %s::int OFFSET %s::int) e"
      " ON true" },
    /* (id, tenant): the execution, then its node runs (a row with NULL
     * node columns when it has none) */
    { "hub_wf_ex_get",
      "SELECT " EX_COLS ", e.input, e.output, e.error, " NODE_COLS_N
      "  FROM executions e LEFT JOIN execution_nodes n"
      "    ON n.execution_id = e.id AND n.tenant_id = e.tenant_id"
      " WHERE e.id = %s::uuid AND e.tenant_id = %s::uuid"
      " ORDER BY n.started_at, n.id" },
    /* (id, tenant, node or NULL, the same) */
    { "hub_wf_ex_logs",
      "SELECT e.id AS execution_id, " NODE_COLS
      "  FROM executions e LEFT JOIN execution_nodes n"
      "    ON n.execution_id = e.id AND n.tenant_id = e.tenant_id"
      "   AND (%s::text IS NULL OR n.node_id = %s)"
      " WHERE e.id = %s::uuid AND e.tenant_id = %s::uuid"
      " ORDER BY n.started_at, n.id" },
    /* (id, tenant): what it was, what it is now (NULL: not stoppable).
     * A pending or paused one stops at once; a running one when its
     * worker sees the request (between nodes, or by aborting the call in
     * flight) */
    { "hub_wf_ex_stop",
      "WITH e AS (SELECT id, status FROM executions"
      "   WHERE id = %s::uuid AND tenant_id = %s::uuid FOR UPDATE),"
      " u AS (UPDATE executions x SET"
      "   status = CASE WHEN e.status = 'running' THEN 'running'"
      "            ELSE 'stopped' END,"
      "   requested = CASE WHEN e.status = 'running' THEN 'stop'"
      "               ELSE x.requested END,"
      "   claimed_by = CASE WHEN e.status = 'running' THEN x.claimed_by END,"
      "   lease_until = CASE WHEN e.status = 'running' THEN x.lease_until END,"
      "   updated_at = now()"
      "  FROM e WHERE x.id = e.id"
      "   AND (e.status IN ('pending', 'paused')"
      "        OR (e.status = 'running' AND x.requested IS NULL))"
      "  RETURNING x.status, x.tenant_id)"
      " SELECT e.status AS was, u.status AS now, u.tenant_id"
      "   FROM e LEFT JOIN u ON true" },
    /* (id, tenant): a stopped or paused execution (or a running one whose
     * stop was asked and not yet carried out) goes on; a paused one with
     * the node it waited before */
    { "hub_wf_ex_resume",
      "WITH e AS (SELECT id, status, requested FROM executions"
      "   WHERE id = %s::uuid AND tenant_id = %s::uuid FOR UPDATE),"
      " u AS (UPDATE executions x SET"
      "   status = CASE WHEN e.status = 'running' THEN 'running'"
      "            ELSE 'pending' END,"
      "   requested = NULL,"
      "   context = CASE WHEN e.status = 'paused' THEN jsonb_set(x.context,"
      "     '{debug_release}', coalesce(x.context->'debug_waiting', 'null'))"
      "     ELSE x.context END,"
      "   updated_at = now()"
      "  FROM e WHERE x.id = e.id"
      "   AND (e.status IN ('stopped', 'paused')"
      "        OR (e.status = 'running' AND e.requested = 'stop'))"
      "  RETURNING x.status)"
      " SELECT e.status AS was, u.status AS now FROM e LEFT JOIN u ON true" },
    /* (tenant, run, type, data) */
    { "hub_wf_event",
      "SELECT hub_run_event_append(%s::uuid, %s::uuid, %s, %s::jsonb) AS seq" },
    /* (worker, lease seconds): the oldest pending execution, or one
     * whose worker's lease ran out (its host died) */
    { "hub_wf_claim",
      "UPDATE executions e SET status = 'running', claimed_by = %s,"
      "  lease_until = now() + make_interval(secs => %s::int),"
      "  claims = e.claims + 1, started_at = coalesce(e.started_at, now()),"
      "  updated_at = now()"
      " WHERE e.id = (SELECT id FROM executions"
      "   WHERE status = 'pending'"
      "      OR (status = 'running' AND lease_until < now())"
      "   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
      " RETURNING e.id, e.tenant_id, e.graph, e.mode, e.input, e.context,"
      "           e.requested, e.claims" },
    /* (execution, worker, lease seconds, node, iteration, input): the
     * lease renewed for the node's time and its run begun; requested
     * says what a caller asked for, node_row NULL when the run was not
     * begun (a stop or cancel is asked: nothing starts) */
    { "hub_wf_node_start",
      "WITH ex AS (UPDATE executions SET"
      "   lease_until = now() + make_interval(secs => %s::int),"
      "   updated_at = now()"
      "  WHERE id = %s::uuid AND claimed_by = %s AND status = 'running'"
      "  RETURNING id, tenant_id, requested),"
      " ins AS (INSERT INTO execution_nodes AS n (tenant_id, execution_id,"
      "          node_id, iteration, status, input)"
      "  SELECT ex.tenant_id, ex.id, %s, %s::int, 'running', %s::jsonb"
      "    FROM ex WHERE ex.requested IS NULL"
      "  ON CONFLICT (execution_id, node_id, iteration) DO UPDATE"
      "   SET status = 'running', input = EXCLUDED.input, started_at = now(),"
      "       completed_at = NULL, output = NULL, error = NULL"
      "   WHERE n.status <> 'completed'"
      "  RETURNING n.id)"
      " SELECT ex.requested, (SELECT id FROM ins) AS node_row FROM ex" },
    /* (status, output, error, ms, retries, execution, node, iteration):
     * a node run ended (inside the checkpoint's transaction, or alone
     * when it was aborted) */
    { "hub_wf_node_end",
      "UPDATE execution_nodes SET status = %s, output = %s::jsonb,"
      "  error = %s, duration_ms = %s::int, retry_count = %s::int,"
      "  completed_at = now()"
      " WHERE execution_id = %s::uuid AND node_id = %s"
      "   AND iteration = %s::int" },
    /* (context, progress, execution, worker): the checkpoint, written by
     * the worker holding the claim only; requested comes back */
    { "hub_wf_checkpoint",
      "UPDATE executions SET context = %s::jsonb, progress = %s::real,"
      "  updated_at = now()"
      " WHERE id = %s::uuid AND claimed_by = %s AND status = 'running'"
      " RETURNING requested" },
    /* (status, context, output, error, status, status, execution,
     * worker): the claim let go (no lease: claimed_by stays, saying who
     * ran it last): finished (completed, failed, cancelled), stopped, or
     * paused */
    { "hub_wf_release",
      "UPDATE executions SET status = %s, context = %s::jsonb,"
      "  output = coalesce(%s::jsonb, output), error = %s,"
      "  requested = NULL, lease_until = NULL,"
      "  progress = CASE WHEN %s IN ('completed') THEN 1 ELSE progress END,"
      "  completed_at = CASE WHEN %s IN ('completed', 'failed', 'cancelled')"
      "                 THEN now() END,"
      "  updated_at = now()"
      " WHERE id = %s::uuid AND claimed_by = %s" },
    /* (lease seconds, execution, worker): still ours?  requested */
    { "hub_wf_renew",
      "UPDATE executions SET lease_until = now()"
      "   + make_interval(secs => %s::int)"
      " WHERE id = %s::uuid AND claimed_by = %s AND status = 'running'"
      " RETURNING requested" },
    /* ---- G4F's project workflows (hub_workflows_g4f_flows.c) ---- */
    /* (project, tenant, limit, offset): no row when the project is not
     * the tenant's */
    { "hub_wf_g4f_list",
      "SELECT n.total, w.* FROM projects p"
      " CROSS JOIN LATERAL (SELECT count(*) AS total FROM workflows x"
      "   WHERE x.project_id = p.id AND x.tenant_id = p.tenant_id) n"
      " LEFT JOIN LATERAL (SELECT " WF_COLS ", w.graph FROM workflows w"
      "   WHERE w.project_id = p.id AND w.tenant_id = p.tenant_id"
      "   ORDER BY w.created_at DESC, w.id LIMIT %s::int OFFSET %s::int) w"
      "  ON true"
      " WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid" },
    /* (tenant, name, description, graph, tags, user, project, tenant):
     * nothing when the project is not the tenant's */
    { "hub_wf_g4f_insert",
      "INSERT INTO workflows AS w (tenant_id, project_id, name, description,"
      "                            graph, tags, created_by)"
      " SELECT %s::uuid, p.id, %s, %s, %s::jsonb,"
      "        coalesce(%s::jsonb, '[]'), %s::uuid"
      "   FROM projects p WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid"
      " RETURNING " WF_COLS ", w.graph" },
    /* (name, description given, description, graph, tags, id, tenant) */
    { "hub_wf_g4f_update",
      "UPDATE workflows w SET name = coalesce(%s, w.name),"
      "  description = CASE WHEN %s::boolean THEN %s ELSE w.description END,"
      "  graph = coalesce(%s::jsonb, w.graph),"
      "  tags = coalesce(%s::jsonb, w.tags), updated_at = now()"
      " WHERE w.id = %s::uuid AND w.tenant_id = %s::uuid"
      " RETURNING " WF_COLS ", w.graph" },
    { NULL, NULL }
};
/* clang-format on */
