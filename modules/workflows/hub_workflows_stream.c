/* G4F's live stream of a session's run events:
 *
 *   GET /stream/sessions/{session_id}?run_id=&from_cursor=   text/event-stream
 *
 * Each event of the session (run_events, in seq order: the order they
 * committed, sql/035) is one SSE event:
 *
 *   id: <seq>
 *   event: <type>
 *   data: {"type": "<type>", "ts": "<ISO-8601>", "run_id": "<run>",
 *          "data": {...the event's data...}}
 *
 * The stream begins after from_cursor (0, the default: from the first
 * event), or after the seq of a Last-Event-ID header when one is sent
 * (a reconnecting EventSource sends it with its original URL, so it
 * wins): nothing is lost or sent twice across a reconnect.  run_id keeps
 * one run's events (seqs then skip the other runs').  When nothing was
 * written for HubSessionStreamKeepAlive seconds a `: keep-alive` comment
 * goes out.  The stream ends after HubSessionStreamTimeout seconds (the
 * client reconnects, after the `retry` it was given at the start), when
 * the client goes, or when the httpd child stops.
 *
 * New events are looked for every HubSessionStreamPoll milliseconds, one
 * indexed query (run_events (session_id, seq)) on a connection taken from
 * the pool for it and given back at once.  Between looks the request is
 * parked in the event MPM (hub_park.h): an idle subscriber holds no worker
 * thread nor database connection (HubSessionStreamSuspend Off, or an MPM
 * that cannot, holds the thread instead).
 *
 * An unknown, malformed or another tenant's session is 404 in G4F's
 * envelope, before the stream begins; so is a malformed
 * from_cursor/run_id (422). */
#include <stdlib.h>
#include "hub_workflows_private.h"
#include <apr_strings.h>
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_park.h"
#include "hub_sse.h"
#include "hub_stream.h"

#define BATCH    500  /* events read per look */
#define RETRY_MS 1000 /* when a client reconnects after the end */

/* the directives' values: one for the server (RSRC_CONF) */
static int stream_timeout;   /* seconds */
static int stream_poll_ms;   /* milliseconds */
static int stream_keepalive; /* seconds */
static int stream_suspend;   /* park between looks */

#define TIMEOUT_DEF   300
#define POLL_DEF      1000
#define KEEPALIVE_DEF 15

static int pre_config(apr_pool_t *pconf HUB_UNUSED, apr_pool_t *plog HUB_UNUSED,
                      apr_pool_t *ptemp HUB_UNUSED)
{
    /* a restart reads the configuration again from the defaults */
    stream_timeout = TIMEOUT_DEF;
    stream_poll_ms = POLL_DEF;
    stream_keepalive = KEEPALIVE_DEF;
    stream_suspend = 1;
    return OK;
}

void hub_wf_stream_register_hooks(apr_pool_t *p HUB_UNUSED)
{
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
}

static const char *set_int(cmd_parms *cmd, int *to, const char *v, long min,
                           long max)
{
    char *end;
    long n = strtol(v, &end, 10);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    if (err) {
        return err;
    }
    if (!*v || *end || n < min || n > max) {
        return apr_psprintf(cmd->pool, "%s: a whole number %ld..%ld",
                            cmd->cmd->name, min, max);
    }
    *to = (int)n;
    return NULL;
}

const char *hub_wf_stream_set_timeout(cmd_parms *cmd, void *d HUB_UNUSED,
                                      const char *v)
{
    return set_int(cmd, &stream_timeout, v, 1, 86400);
}

const char *hub_wf_stream_set_poll(cmd_parms *cmd, void *d HUB_UNUSED,
                                   const char *v)
{
    return set_int(cmd, &stream_poll_ms, v, 100, 60000);
}

const char *hub_wf_stream_set_keepalive(cmd_parms *cmd, void *d HUB_UNUSED,
                                        const char *v)
{
    return set_int(cmd, &stream_keepalive, v, 1, 3600);
}

const char *hub_wf_stream_set_suspend(cmd_parms *cmd, void *d HUB_UNUSED,
                                      int on)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    if (!err) {
        stream_suspend = on;
    }
    return err;
}

/* clang-format off */
const hub_stmt_t hub_workflows_stream_stmts[] = {
    { "hub_wf_stream_session",
      "SELECT id FROM chat_sessions WHERE id = %s::uuid"
      "   AND tenant_id = %s::uuid" },
    { "hub_wf_stream_events",
      "SELECT seq, run_id, type, data::text AS data, iso8601(ts) AS ts"
      "  FROM run_events WHERE session_id = %s::uuid AND tenant_id = %s::uuid"
      "   AND seq > %s::bigint AND (%s::uuid IS NULL OR run_id = $4::uuid)"
      " ORDER BY seq LIMIT %s::bigint" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_SESSION, ST_EVENTS };
#define STMT(i) (&hub_workflows_stream_stmts[i])

typedef struct {
    request_rec *r;
    hub_stream_t *out;
    const char *tenant, *session, *run; /* in r->pool */
    long cursor;                        /* the last seq sent */
    apr_time_t until;                   /* the stream's end */
    apr_time_t wrote;                   /* the last write */
} sub_t;

/* One event in G4F's envelope. */
static const char *event_text(apr_pool_t *p, const hub_rows_t *rows, int i)
{
    json_error_t jerr;
    const char *type = hub_rows_get(rows, i, "type");
    json_t *data = json_loads(hub_rows_get(rows, i, "data"), JSON_DECODE_ANY,
                              &jerr);
    json_t *env = json_pack("{s:s,s:s,s:s,s:o}", "type", type, "ts",
                            hub_rows_get(rows, i, "ts"), "run_id",
                            hub_rows_get(rows, i, "run_id"), "data",
                            data ? data : json_object());
    return hub_sse_format(p, hub_rows_get(rows, i, "seq"), type, -1,
                          hub_json_text(p, hub_json_own(p, env)));
}

/* What is new since sub->cursor, written: 0, or -1 when the client is
 * gone.  The database away is nothing new (the next look tries again). */
static int send_new(sub_t *sub, apr_pool_t *p)
{
    const char *args[5];
    hub_rows_t *rows;
    ap_dbd_t *dbd;
    hub_db_status_e st;
    int i;

    do {
        if (!(dbd = hub_db_open(p, sub->r->server))) {
            return 0;
        }
        args[0] = sub->session;
        args[1] = sub->tenant;
        args[2] = apr_ltoa(p, sub->cursor);
        args[3] = sub->run;
        args[4] = apr_itoa(p, BATCH);
        st = hub_db_select_on(p, sub->r->server, dbd, STMT(ST_EVENTS), &rows, 5,
                              args);
        hub_db_close(sub->r->server, dbd);
        if (st != HUB_DB_OK) {
            return 0;
        }
        for (i = 0; i < rows->rows->nelts; i++) {
            const char *ev = event_text(p, rows, i);
            if (ev && hub_stream_write(sub->out, ev) != APR_SUCCESS) {
                return -1;
            }
            sub->cursor = atol(hub_rows_get(rows, i, "seq"));
            sub->wrote = apr_time_now();
        }
    } while (rows->rows->nelts == BATCH);
    return 0;
}

static int tick(void *baton, apr_pool_t *p)
{
    sub_t *sub = baton;
    apr_time_t now;

    if (send_new(sub, p) < 0) {
        return HUB_PARK_END;
    }
    now = apr_time_now();
    if (now >= sub->until) {
        return HUB_PARK_END;
    }
    if (now - sub->wrote >= apr_time_from_sec(stream_keepalive)) {
        if (hub_stream_write(sub->out, ": keep-alive\n\n") != APR_SUCCESS) {
            return HUB_PARK_END;
        }
        sub->wrote = now;
    }
    return HUB_PARK_AGAIN;
}

/* Where the stream begins: after a Last-Event-ID's seq, else
 * from_cursor.  -1 when the header is no seq of ours. */
static long start_cursor(hub_req_t *hr)
{
    const char *last = apr_table_get(hr->r->headers_in, "Last-Event-ID");
    char *end;
    long n;

    if (!last || !*last) {
        return hub_qv_long(&hr->q, "from_cursor");
    }
    n = strtol(last, &end, 10);
    return *end || n < 0 ? -1 : n;
}

static int stream_session(hub_req_t *hr, hub_result_t *res)
{
    sub_t *sub = apr_pcalloc(hr->pool, sizeof(*sub));
    const char *args[2];
    hub_rows_t *row;
    ap_dbd_t *dbd;
    hub_db_status_e st;

    sub->session = hub_param(hr, "session_id");
    if (!hub_is_uuid(sub->session)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "session not found");
    }
    if ((sub->cursor = start_cursor(hr)) < 0) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Last-Event-ID: not an event id of this stream (a "
                       "seq)");
    }
    sub->r = hr->r;
    sub->tenant = hr->who->tenant_id;
    sub->run = hub_qv_str(&hr->q, "run_id");
    /* not the request's connection: a parked stream keeps none */
    if (!(dbd = hub_db_open(hr->pool, hr->r->server))) {
        return hub_err_db(res, HUB_DB_UNAVAILABLE, NULL, hr->request_id);
    }
    args[0] = sub->session;
    args[1] = sub->tenant;
    st = hub_db_select_on(hr->pool, hr->r->server, dbd, STMT(ST_SESSION), &row,
                          2, args);
    hub_db_close(hr->r->server, dbd);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "session not found");
    }
    sub->out = hub_stream_open(hr->r, "text/event-stream");
    sub->until = apr_time_now() + apr_time_from_sec(stream_timeout);
    sub->wrote = apr_time_now();
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, hr->r,
                  "HUB01052: session %s stream from seq %ld (%s)", sub->session,
                  sub->cursor,
                  hub_park_mode(hr->r, stream_suspend) == HUB_PARK_HOLD
                      ? "holding its thread"
                      : "parked between looks");
    /* the headers now, with the client's reconnect delay */
    if (hub_stream_write(sub->out,
                         apr_psprintf(hr->pool, "retry: %d\n\n", RETRY_MS))
        != APR_SUCCESS) {
        return hub_ok_written(res, OK);
    }
    return hub_ok_written(res, hub_park_run(hr->r, sub->out, stream_suspend,
                                            apr_time_from_msec(stream_poll_ms),
                                            tick, sub));
}

/* clang-format off */
static const hub_qfield_t stream_query[] = {
    { "run_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "only this run's events" },
    { "from_cursor", HUB_Q_INT, 0, 0, 0x7fffffffffffffffL, 0, NULL,
      "begin after this seq (0: from the first event); a Last-Event-ID "
      "header wins" },
    HUB_Q_END
};
/* clang-format on */

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_workflows_stream_routes[] = {
    { HUB_G4F, HUB_M_GET, "/stream/sessions/{session_id}", stream_session,
      NULL, G4F_IN, 0, "Streaming: GET /stream/sessions/{session_id}",
      .need = HUB_NEED_READ, .query = stream_query },
    { 0 }
};
/* clang-format on */
