/* G4F's runs of one agent in a session, and every run's events
 * (executions and run_events of sql/035):
 *
 *   POST /sessions/{session_id}/runs   {"run_id"}
 *   GET  /runs/{run_id}                {"run"}
 *   POST /runs/{run_id}/cancel         {"ok": true}
 *   GET  /runs/{run_id}/events         {items[], next_cursor}
 *
 * A run is an execution of kind 'agent', status 'pending', whose graph
 * is one agent node built from the body's `agent`; the engine's workers
 * claim and run it like any execution, and write its events.  Creating it
 * writes the first event, run.created, in the same transaction.
 *
 * Decisions where the document is open:
 * - mode: G4F names no values.  The engine's own three are taken as they
 *   are, and G4F-style words map onto them (modes[] below): full (live,
 *   run, real: real calls), mock (dry_run, simulate, test: deterministic
 *   outputs, no outbound call), debug (step: stops before each node).
 *   Anything else is 422.
 * - the agent node's data is the body's `agent` object with model and
 *   provider filled from the session (model_id, provider_id) when the
 *   agent names none (model_id/provider_id in the agent are read as
 *   model/provider), and prompt from system_prompt when only that is
 *   given.  A run without a model anywhere is 422, as the engine's
 *   validation would refuse the node.  `input` is the execution's input.
 * - GET /runs/{id}: progress 0..1; ended_at when it finished; result its
 *   output (null until then); usage {} until the engine counts.  Any
 *   execution of the tenant is a run here (a G4F workflow's too).
 * - cancel: a pending run, or one no worker runs now (paused in debug,
 *   stopped), is cancelled at once (run.cancelled); a running one is
 *   asked to stop (requested = 'cancel', run.cancel_requested) and its
 *   worker cancels it between nodes.  A run already completed, failed
 *   or cancelled is 409 CONFLICT naming its status.
 * - events: oldest first, limit 1..200 (50); `cursor` is the seq after
 *   which to read (0: from the start) and next_cursor the last seq of a
 *   page when more follow (null at the end).  An event's seq counts in
 *   its session (every run of a session shares one order, the one the
 *   session's stream sends), so one run's seqs grow but may skip. */
#include <apr_strings.h>
#include "hub_workflows_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

/* clang-format off */
const hub_stmt_t hub_workflows_g4f_runs_stmts[] = {
    { "hub_wf_run_session",
      "SELECT id, project_id, provider_id, model_id FROM chat_sessions"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { "hub_wf_run_create",
      "INSERT INTO executions (tenant_id, kind, session_id, project_id, graph,"
      "                        mode, status, trigger_type, input, created_by)"
      " SELECT s.tenant_id, 'agent', s.id, s.project_id, %s::jsonb, %s::text,"
      "        'pending', 'manual', %s::jsonb, %s::uuid"
      "   FROM chat_sessions s WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      " RETURNING id" },
    { "hub_wf_run_event",
      "SELECT hub_run_event_append(%s::uuid, %s::uuid, %s::text, %s::jsonb)"
      "       AS seq" },
    /* a session's run moves the session up its project's list */
    { "hub_wf_run_touch",
      "UPDATE chat_sessions SET updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { "hub_wf_run_get",
      "SELECT id, session_id, status, progress, iso8601(started_at)"
      "       AS started_at, iso8601(completed_at) AS ended_at,"
      "       output::text AS result, usage::text AS usage"
      "  FROM executions WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* was: the status it had (none: no such run); now: what it has */
    { "hub_wf_run_cancel",
      "WITH old AS (SELECT id, status FROM executions"
      "              WHERE id = %s::uuid AND tenant_id = %s::uuid FOR UPDATE),"
      " u AS (UPDATE executions e SET requested = 'cancel',"
      "        status = CASE WHEN old.status = 'running' THEN e.status"
      "                      ELSE 'cancelled' END,"
      "        completed_at = CASE WHEN old.status = 'running'"
      "                            THEN e.completed_at ELSE now() END,"
      "        updated_at = now()"
      "   FROM old WHERE e.id = old.id"
      "    AND old.status IN ('pending', 'running', 'paused', 'stopped')"
      " RETURNING e.status)"
      " SELECT old.status AS was, u.status AS now FROM old LEFT JOIN u ON true" },
    { "hub_wf_run_events",
      "SELECT x.id AS run, e.seq, e.run_id, e.session_id, e.type,"
      "       e.data::text AS data, iso8601(e.ts) AS ts"
      "  FROM executions x LEFT JOIN LATERAL ("
      "    SELECT * FROM run_events ev WHERE ev.run_id = x.id"
      "       AND ev.seq > %s::bigint ORDER BY ev.seq LIMIT %s::bigint) e"
      "    ON true"
      " WHERE x.id = %s::uuid AND x.tenant_id = %s::uuid ORDER BY e.seq" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_SESSION,
    ST_CREATE,
    ST_EVENT,
    ST_TOUCH,
    ST_GET,
    ST_CANCEL,
    ST_EVENTS
};
#define STMT(i) (&hub_workflows_g4f_runs_stmts[i])

#define NO_RUN     "run not found"
#define NO_SESSION "session not found"

/* G4F's word -> the engine's mode */
static const struct {
    const char *word, *mode;
} modes[] = { { "full", "full" },     { "live", "full" }, { "run", "full" },
              { "real", "full" },     { "mock", "mock" }, { "dry_run", "mock" },
              { "simulate", "mock" }, { "test", "mock" }, { "debug", "debug" },
              { "step", "debug" },    { NULL, NULL } };

/* clang-format off */
static const hub_field_t run_create_in[] = {
    { "mode", HUB_T_STRING, HUB_F_REQUIRED, 1, 20, NULL,
      "full (live, run, real) | mock (dry_run, simulate, test) | "
      "debug (step)" },
    { "agent", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "the agent node's data: model, provider, prompt, tools, ... (model "
      "and provider default to the session's)" },
    { "input", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "the run's input" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t run_shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "session_id", NULL, HUB_J_STRING },
    { "status", NULL, HUB_J_STRING },
    { "progress", NULL, HUB_J_JSON },
    { "started_at", NULL, HUB_J_STRING },
    { "ended_at", NULL, HUB_J_STRING },
    { "result", NULL, HUB_J_JSON },
    { "usage", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static const hub_shape_t event_shape[] = {
    { "seq", NULL, HUB_J_INT },
    { "run_id", NULL, HUB_J_STRING },
    { "session_id", NULL, HUB_J_STRING },
    { "type", NULL, HUB_J_STRING },
    { "data", NULL, HUB_J_JSON },
    { "ts", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t events_query[] = {
    { "limit", HUB_Q_INT, 0, 1, 200, 50, NULL, "events per page" },
    { "cursor", HUB_Q_INT, 0, 0, 0x7fffffffffffffffL, 0, NULL,
      "read after this seq (next_cursor of the page before)" },
    HUB_Q_END
};
/* clang-format on */

static const char *path_id(hub_req_t *hr, hub_result_t *res, const char *name,
                           const char *not_found)
{
    const char *id = hub_param(hr, name);
    if (!hub_is_uuid(id)) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", not_found);
        return NULL;
    }
    return id;
}

static const char *engine_mode(const char *word)
{
    int i;
    for (i = 0; modes[i].word; i++) {
        if (!strcmp(modes[i].word, word)) {
            return modes[i].mode;
        }
    }
    return NULL;
}

/* The agent node's data: the body's agent, filled from the session.
 * NULL when no model is named anywhere. */
static json_t *agent_data(const json_t *agent, const hub_rows_t *session)
{
    json_t *d = json_deep_copy(agent);
    const char *model = json_string_value(json_object_get(d, "model"));
    const char *provider = json_string_value(json_object_get(d, "provider"));

    if (!model || !*model) {
        model = json_string_value(json_object_get(d, "model_id"));
    }
    if (!model || !*model) {
        model = hub_rows_get(session, 0, "model_id");
    }
    if (!provider || !*provider) {
        provider = json_string_value(json_object_get(d, "provider_id"));
    }
    if (!provider || !*provider) {
        provider = hub_rows_get(session, 0, "provider_id");
    }
    if (!model || !*model) {
        json_decref(d);
        return NULL;
    }
    json_object_set_new(d, "model", json_string(model));
    if (provider && *provider) {
        json_object_set_new(d, "provider", json_string(provider));
    }
    if (!json_object_get(d, "prompt")
        && json_is_string(json_object_get(d, "system_prompt"))) {
        json_object_set(d, "prompt", json_object_get(d, "system_prompt"));
    }
    if (!json_is_array(json_object_get(d, "tools"))) {
        json_object_set_new(d, "tools", json_array());
    }
    return d;
}

typedef struct {
    hub_req_t *hr;
    const char **create; /* ST_CREATE's arguments */
    const char *run_id;
    const char *mode;
} create_t;

/* the execution and its first event, in one transaction */
static hub_db_status_e create_tx(request_rec *r, void *baton)
{
    create_t *c = baton;
    hub_req_t *hr = c->hr;
    const char *ev[4], *touch[2] = { c->create[4], c->create[5] };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(r, STMT(ST_CREATE), &rows, 6, c->create);

    if (st != HUB_DB_OK) {
        return st;
    }
    if (rows->rows->nelts != 1) {
        return HUB_DB_OK; /* the session went meanwhile: no run_id */
    }
    c->run_id = hub_rows_get(rows, 0, "id");
    ev[0] = hr->who->tenant_id;
    ev[1] = c->run_id;
    ev[2] = "run.created";
    ev[3] = hub_json_text(hr->pool,
                          hub_json_own(hr->pool,
                                       json_pack("{s:s,s:s,s:s}", "run_id",
                                                 c->run_id, "status", "pending",
                                                 "mode", c->mode)));
    if ((st = hub_db_select(r, STMT(ST_EVENT), &rows, 4, ev)) != HUB_DB_OK) {
        return st;
    }
    return hub_db_exec(r, STMT(ST_TOUCH), NULL, 2, touch);
}

static int run_create(hub_req_t *hr, hub_result_t *res)
{
    const char *args[6], *sargs[2];
    const char *word = json_string_value(json_object_get(hr->body, "mode"));
    json_t *data, *graph;
    hub_rows_t *session;
    create_t c = { 0 };
    hub_db_status_e st;

    if (!(sargs[0] = path_id(hr, res, "session_id", NO_SESSION))) {
        return HUB_DONE;
    }
    if (!(c.mode = engine_mode(word))) {
        return hub_err_field(res, "body", "mode", "enum",
                             "mode: one of full, mock, debug (or live, run, "
                             "real; dry_run, simulate, test; step)");
    }
    sargs[1] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_SESSION), 2, sargs, &session,
                       NO_SESSION)
        != DECLINED) {
        return HUB_DONE;
    }
    if (!(data = agent_data(json_object_get(hr->body, "agent"), session))) {
        return hub_err_field(res, "body", "agent", "missing",
                             "agent: no model; give agent.model or set the "
                             "session's model_id");
    }
    graph = hub_json_own(hr->pool, json_pack("{s:[{s:s,s:s,s:o}],s:[]}",
                                             "nodes", "id", "agent", "type",
                                             "agent", "data", data, "edges"));
    args[0] = hub_json_text(hr->pool, graph);
    args[1] = c.mode;
    args[2] = hub_json_text(hr->pool, json_object_get(hr->body, "input"));
    args[3] = hr->who->user_id;
    args[4] = sargs[0];
    args[5] = sargs[1];
    c.hr = hr;
    c.create = args;
    st = hub_db_in_transaction(hr->r, create_tx, &c);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!c.run_id) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", NO_SESSION);
    }
    return hub_ok(res, json_pack("{s:s}", "run_id", c.run_id));
}

static int run_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2];
    hub_rows_t *row;

    if (!(args[0] = path_id(hr, res, "run_id", NO_RUN))) {
        return HUB_DONE;
    }
    args[1] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_GET), 2, args, &row, NO_RUN)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res,
                  json_pack("{s:o}", "run", hub_row_json(row, 0, run_shape)));
}

typedef struct {
    hub_req_t *hr;
    const char *run_id;
    const char *was, *now; /* NULL was: no such run */
} cancel_t;

static hub_db_status_e cancel_tx(request_rec *r, void *baton)
{
    cancel_t *c = baton;
    const char *args[2] = { c->run_id, c->hr->who->tenant_id }, *ev[4];
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(r, STMT(ST_CANCEL), &rows, 2, args);

    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        return st;
    }
    c->was = hub_rows_get(rows, 0, "was");
    c->now = hub_rows_get(rows, 0, "now");
    if (!c->now) {
        return HUB_DB_OK; /* finished already: nothing changed */
    }
    ev[0] = args[1];
    ev[1] = c->run_id;
    ev[2] = strcmp(c->now, "cancelled") ? "run.cancel_requested"
                                        : "run.cancelled";
    ev[3] = hub_json_text(c->hr->pool,
                          hub_json_own(c->hr->pool,
                                       json_pack("{s:s,s:s}", "run_id",
                                                 c->run_id, "status", c->now)));
    return hub_db_select(r, STMT(ST_EVENT), &rows, 4, ev);
}

static int run_cancel(hub_req_t *hr, hub_result_t *res)
{
    cancel_t c = { 0 };
    hub_db_status_e st;

    if (!(c.run_id = path_id(hr, res, "run_id", NO_RUN))) {
        return HUB_DONE;
    }
    c.hr = hr;
    st = hub_db_in_transaction(hr->r, cancel_tx, &c);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!c.was) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", NO_RUN);
    }
    if (!c.now) {
        return hub_err(res, HTTP_CONFLICT, "CONFLICT",
                       "run already %s: nothing to cancel", c.was);
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

static int run_events(hub_req_t *hr, hub_result_t *res)
{
    long limit = hub_qv_long(&hr->q, "limit");
    const char *args[4];
    hub_rows_t *rows;
    const hub_rows_t *found;
    json_t *items;
    hub_db_status_e st;
    int n;

    if (!(args[2] = path_id(hr, res, "run_id", NO_RUN))) {
        return HUB_DONE;
    }
    args[0] = apr_ltoa(hr->pool, hub_qv_long(&hr->q, "cursor"));
    args[1] = apr_ltoa(hr->pool, limit + 1); /* one more: is there more? */
    args[3] = hr->who->tenant_id;
    st = hub_db_select(hr->r, STMT(ST_EVENTS), &rows, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", NO_RUN);
    }
    found = hub_rows_having(hr->pool, rows, "seq");
    n = found->rows->nelts;
    if (n > limit) {
        /* the extra row only said that more follow */
        ((hub_rows_t *)found)->rows->nelts = (int)limit;
    }
    items = hub_rows_json(found, event_shape);
    return hub_ok(res,
                  json_pack("{s:o,s:o}", "items", items, "next_cursor",
                            n > limit ? json_integer(atol(
                                hub_rows_get(found, (int)limit - 1, "seq")))
                                      : json_null()));
}

/* The answers in the served document (hub_doc_t), as the statements and
 * shapes above give them.  A run is any execution of the tenant: one
 * outside a session has a null session_id (its events too); started_at,
 * ended_at and result are null until the engine gets there. */
#define FREE_OBJ "{\"type\":\"object\",\"additionalProperties\":true}"
#define RUN_STATUS \
    ENUM("\"pending\",\"running\",\"paused\",\"stopped\",\"completed\"," \
         "\"failed\",\"cancelled\"")
#define RUN_SCHEMA \
    OBJ("\"id\":" STR ",\"session_id\":" NSTR ",\"status\":" RUN_STATUS \
        ",\"progress\":" NUM ",\"started_at\":" NSTR ",\"ended_at\":" NSTR \
        ",\"result\":{\"nullable\":true},\"usage\":" FREE_OBJ, \
        "\"id\",\"session_id\",\"status\",\"progress\",\"started_at\"," \
        "\"ended_at\",\"result\",\"usage\"")
#define EVENT_SCHEMA \
    OBJ("\"seq\":" INT ",\"run_id\":" STR ",\"session_id\":" NSTR \
        ",\"type\":" STR ",\"data\":{},\"ts\":" STR, \
        "\"seq\",\"run_id\",\"session_id\",\"type\",\"data\",\"ts\"")
#define EVENTS_SCHEMA ARRAY_OF(EVENT_SCHEMA)
#define RUN_ID_OUT    HUB_DOC("RunCreated", OBJ("\"run_id\":" STR, "\"run_id\""))
#define RUN_OUT       HUB_DOC("RunResponse", OBJ("\"run\":" RUN_SCHEMA, "\"run\""))
/* built by hand (one more row than the page says whether more follow):
 * the page is written out, next_cursor the last seq or null */
#define EVENTS_OUT \
    HUB_DOC_ONE("RunEventPage", \
                OBJ("\"items\":" EVENTS_SCHEMA ",\"next_cursor\":" NINT, \
                    "\"items\",\"next_cursor\""))

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_workflows_g4f_runs_routes[] = {
    { HUB_G4F, HUB_M_POST, "/sessions/{session_id}/runs", run_create,
      run_create_in, G4F_IN, 0,
      "Sessions / Messages / Runs: POST /sessions/{session_id}/runs",
      .need = HUB_NEED_WRITE, .doc = RUN_ID_OUT },
    { HUB_G4F, HUB_M_GET, "/runs/{run_id}", run_get, NULL, G4F_IN, 0,
      "Sessions / Messages / Runs: GET /runs/{run_id}",
      .need = HUB_NEED_READ, .doc = RUN_OUT },
    { HUB_G4F, HUB_M_POST, "/runs/{run_id}/cancel", run_cancel, NULL, G4F_IN,
      0, "Sessions / Messages / Runs: POST /runs/{run_id}/cancel",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_GET, "/runs/{run_id}/events", run_events, NULL, G4F_IN,
      0, "Sessions / Messages / Runs: GET /runs/{run_id}/events",
      .need = HUB_NEED_READ, .query = events_query, .doc = EVENTS_OUT },
    { 0 }
};
/* clang-format on */
