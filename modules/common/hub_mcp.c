#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_time.h>
#include "hub_json.h"
#include "hub_sse.h"
#include "hub_mcp_transport.h"

#define CLIENT_NAME    "mod_hub"
#define CLIENT_VERSION "1.0"
#define MAX_DEPTH      128 /* JSON nesting accepted from a server */
#define MAX_TEXT       200 /* a server's error text, cut to this */

const char *const hub_mcp_session_versions[] = {
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

int hub_mcp_session_version(const char *v)
{
    const char *const *k;
    for (k = hub_mcp_session_versions; v && *k; k++) {
        if (!strcmp(*k, v)) {
            return 1;
        }
    }
    return 0;
}

typedef struct sse_stream sse_stream_t; /* the legacy HTTP+SSE transport */

static const hub_mcp_transport_t streamable_transport, sse_transport;

/* ---- small helpers ----------------------------------------------------- */

const char *hub_mcp_cut(apr_pool_t *p, const char *s)
{
    if (!s) {
        return "";
    }
    return strlen(s) > MAX_TEXT
               ? apr_pstrcat(p, apr_pstrndup(p, s, MAX_TEXT), "...", NULL)
               : s;
}

/* The media type of a Content-Type value, lower case, without parameters. */
static const char *media_type(apr_pool_t *p, const char *ct)
{
    const char *end;
    char *m, *c;
    if (!ct) {
        return "";
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    end = ct + strcspn(ct, "; \t");
    m = apr_pstrmemdup(p, ct, (apr_size_t)(end - ct));
    for (c = m; *c; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
        }
    }
    return m;
}

static const char *str_member(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The headers every exchange carries: the target's auth headers first, so
 * the ones the protocol owns cannot be overridden by them. */
static apr_table_t *base_headers(hub_mcp_session_t *c)
{
    apr_table_t *h = c->t->headers ? apr_table_copy(c->p, c->t->headers)
                                   : apr_table_make(c->p, 8);
    if (c->version) {
        apr_table_set(h, "MCP-Protocol-Version", c->version);
    }
    if (c->session_id) {
        apr_table_set(h, "Mcp-Session-Id", c->session_id);
    }
    return h;
}

/* ---- one exchange -------------------------------------------------------- */

static void rpc_error_of(hub_mcp_session_t *c, const json_t *msg,
                         hub_mcp_reply_t *r)
{
    const json_t *e = json_object_get(msg, "error");
    r->kind = HUB_MCP_REPLY_RPC_ERROR;
    r->code = (long)json_integer_value(json_object_get(e, "code"));
    r->message = hub_mcp_cut(c->p, str_member(e, "message"));
    r->data = json_object_get(e, "data");
}

/* Judge one JSON-RPC message received for request `id`. */
static void judge_message(hub_mcp_session_t *c, json_t *msg, const json_t *id,
                          hub_mcp_reply_t *r)
{
    const json_t *res;
    if (!json_is_object(msg)) {
        r->kind = HUB_MCP_REPLY_UNUSABLE;
        r->error = "the answer is not a JSON-RPC message";
        return;
    }
    if (!hub_jsonrpc_is_response_to(msg, id)) {
        r->kind = HUB_MCP_REPLY_UNUSABLE;
        r->error = json_object_get(msg, "id")
                           && !json_equal(json_object_get(msg, "id"),
                                          (json_t *)id)
                       ? "the answer is a response to another request id"
                       : "the answer is not a JSON-RPC response";
        return;
    }
    if (json_object_get(msg, "error")) {
        if (!json_is_object(json_object_get(msg, "error"))) {
            r->kind = HUB_MCP_REPLY_UNUSABLE;
            r->error = "the JSON-RPC error is not an object";
            return;
        }
        rpc_error_of(c, msg, r);
        return;
    }
    res = json_object_get(msg, "result");
    if (!json_is_object(res)) {
        r->kind = HUB_MCP_REPLY_UNUSABLE;
        r->error = "the JSON-RPC result is not an object";
        return;
    }
    r->kind = HUB_MCP_REPLY_RESULT;
    r->result = (json_t *)res;
}

/* A 2xx answer: one JSON message, or an event stream holding it. */
static void judge_body(hub_mcp_session_t *c, hub_http_response_t *res,
                       const json_t *id, hub_mcp_reply_t *r)
{
    const char *mt = media_type(c->p,
                                apr_table_get(res->headers, "Content-Type"));
    hub_json_error_t jerr;
    const char *why = NULL;
    json_t *msg;

    if (!strcmp(mt, "application/json")) {
        msg = hub_json_parse(c->p, res->body, res->body_len, MAX_DEPTH, &jerr);
        if (!msg) {
            r->kind = HUB_MCP_REPLY_UNUSABLE;
            r->error = apr_psprintf(c->p, "the answer is not valid JSON (%s)",
                                    jerr.text);
            return;
        }
        judge_message(c, msg, id, r);
    }
    else if (!strcmp(mt, "text/event-stream")) {
        msg = hub_sse_jsonrpc_response(c->p, res->body, res->body_len, id,
                                       &why);
        if (!msg) {
            r->kind = HUB_MCP_REPLY_UNUSABLE;
            r->error = why;
            return;
        }
        judge_message(c, msg, id, r);
    }
    else {
        r->kind = HUB_MCP_REPLY_UNUSABLE;
        r->error = apr_psprintf(c->p,
                                "unexpected content type '%s' (HTTP "
                                "%ld)",
                                hub_mcp_cut(c->p, *mt ? mt : "none"),
                                res->status);
    }
}

/* A non-2xx answer may still carry a JSON-RPC error (a 2026 server answers
 * an unknown version with 400 and -32022, for instance). */
static void judge_status(hub_mcp_session_t *c, hub_http_response_t *res,
                         hub_mcp_reply_t *r)
{
    hub_json_error_t jerr;
    json_t *msg = NULL;
    if (!strcmp(media_type(c->p, apr_table_get(res->headers, "Content-Type")),
                "application/json")
        && res->body_len) {
        msg = hub_json_parse(c->p, res->body, res->body_len, MAX_DEPTH, &jerr);
    }
    if (msg && json_is_object(json_object_get(msg, "error"))) {
        rpc_error_of(c, msg, r);
        return;
    }
    r->kind = HUB_MCP_REPLY_HTTP_ERROR;
    r->error = apr_psprintf(c->p, "HTTP %ld", res->status);
}

static void judge(hub_mcp_session_t *c, hub_http_response_t *res,
                  const json_t *id, hub_mcp_reply_t *r)
{
    r->headers = res->headers;
    r->status = res->status;
    c->info.http_status = res->status;
    if (res->result != HUB_HTTP_OK) {
        r->kind = HUB_MCP_REPLY_FAILED;
        r->error = res->error;
        return;
    }
    if (res->status == 401 || res->status == 403) {
        r->kind = HUB_MCP_REPLY_HTTP_ERROR;
        r->error = apr_psprintf(c->p, "HTTP %ld", res->status);
        return;
    }
    if (res->status >= 200 && res->status < 300) {
        judge_body(c, res, id, r);
    }
    else {
        judge_status(c, res, r);
    }
}

static hub_http_response_t *post(hub_mcp_session_t *c, const char *method,
                                 const char *name, const char *body)
{
    hub_http_request_t req = { 0 };
    hub_http_response_t *res = apr_pcalloc(c->p, sizeof(*res));
    req.method = "POST";
    req.url = c->t->url;
    req.headers = base_headers(c);
    req.body = body;
    req.body_len = strlen(body);
    apr_table_set(req.headers, "Content-Type", "application/json");
    apr_table_set(req.headers, "Accept", "application/json, text/event-stream");
    if (c->modern) {
        /* the 2026 routing headers mirror the body, so a proxy can route
         * without parsing it; Mcp-Name only for methods with a name */
        apr_table_set(req.headers, "Mcp-Method", method);
        if (name) {
            apr_table_set(req.headers, "Mcp-Name", name);
        }
    }
    hub_http_do(c->p, &c->pol, &req, res);
    return res;
}

/* The per-request envelope of the 2026-07-28 revision. */
static json_t *envelope(void)
{
    return json_pack("{s:s, s:{s:s, s:s}, s:{}}",
                     "io.modelcontextprotocol/protocolVersion",
                     HUB_MCP_VERSION_MODERN,
                     "io.modelcontextprotocol/clientInfo", "name", CLIENT_NAME,
                     "version", CLIENT_VERSION,
                     "io.modelcontextprotocol/clientCapabilities");
}

/* Send one request and judge its answer.  params is stolen (may be NULL);
 * name: the Mcp-Name of a tools/call. */
static void rpc(hub_mcp_session_t *c, const char *method, const char *name,
                json_t *params, hub_mcp_reply_t *r)
{
    json_t *msg, *id = hub_json_own(c->p, json_integer(++c->next_id));
    char *body;

    memset(r, 0, sizeof(*r));
    if (!params) {
        params = json_object();
    }
    if (c->modern) {
        json_object_set_new(params, "_meta", envelope());
    }
    msg = hub_json_own(c->p,
                       json_pack("{s:s, s:O, s:s, s:o}", "jsonrpc", "2.0", "id",
                                 id, "method", method, "params", params));
    body = hub_json_text(c->p, msg);
    c->tp->request(c, method, name, body, id, r);
}

/* A notification: nothing to judge but that it was taken. */
static int notify(hub_mcp_session_t *c, const char *method, const char **why)
{
    json_t *msg = hub_json_own(c->p, json_pack("{s:s, s:s}", "jsonrpc", "2.0",
                                               "method", method));
    return c->tp->notify(c, method, hub_json_text(c->p, msg), why);
}

/* ---- Streamable HTTP ------------------------------------------------------ */

static int streamable_open(hub_mcp_session_t *c)
{
    (void)c;
    return 0; /* nothing to reach before the first POST */
}

static void streamable_request(hub_mcp_session_t *c, const char *method,
                               const char *name, const char *body,
                               const json_t *id, hub_mcp_reply_t *r)
{
    judge(c, post(c, method, name, body), id, r);
}

static int streamable_notify(hub_mcp_session_t *c, const char *method,
                             const char *body, const char **why)
{
    hub_http_response_t *res = post(c, method, NULL, body);
    c->info.http_status = res->status;
    if (res->result != HUB_HTTP_OK) {
        *why = res->error;
        return -1;
    }
    if (res->status < 200 || res->status >= 300) {
        *why = apr_psprintf(c->p, "HTTP %ld", res->status);
        return -1;
    }
    return 0;
}

static void end_session(hub_mcp_session_t *c)
{
    hub_http_request_t req = { 0 };
    hub_http_response_t res;
    req.method = "DELETE";
    req.url = c->t->url;
    req.headers = base_headers(c);
    hub_http_do(c->p, &c->pol, &req, &res);
    /* 405: the server does not let clients end sessions; nothing to do */
    c->info.session_deleted = res.result == HUB_HTTP_OK && res.status >= 200
                              && res.status < 300;
}

static void streamable_close(hub_mcp_session_t *c)
{
    if (c->session_id) {
        end_session(c);
    }
}

static const hub_mcp_transport_t streamable_transport = {
    "streamable-http",
    1,
    streamable_open,
    streamable_request,
    streamable_notify,
    streamable_close,
    NULL
};

/* ---- outcomes ---------------------------------------------------------- */

static int fail(hub_mcp_session_t *c, const char *step,
                const hub_mcp_reply_t *r)
{
    hub_mcp_probe_t *o = &c->info;
    o->rpc_code = 0;
    o->rpc_message = NULL;
    o->timed_out = r->kind == HUB_MCP_REPLY_FAILED && r->error
                   && strstr(r->error, "timed out");
    if (r->kind == HUB_MCP_REPLY_HTTP_ERROR
        && (r->status == 401 || r->status == 403)) {
        o->unauthorized = 1;
        o->error = apr_psprintf(c->p,
                                "%s: HTTP %ld: reachable but not "
                                "authorised",
                                step, r->status);
    }
    else if (r->kind == HUB_MCP_REPLY_RPC_ERROR) {
        o->rpc_code = r->code ? r->code : -32603;
        o->rpc_message = r->message;
        o->error = apr_psprintf(c->p, "%s: JSON-RPC error %ld: %s", step,
                                r->code, r->message);
    }
    else {
        o->error = apr_psprintf(c->p, "%s: %s", step, r->error);
    }
    return 0;
}

static void server_info(hub_mcp_session_t *c, const json_t *info)
{
    if (json_is_object(info)) {
        c->info.server_name = apr_pstrdup(c->p, str_member(info, "name"));
        c->info.server_version = apr_pstrdup(c->p, str_member(info, "version"));
    }
}

/* ---- tools/list, page by page ---------------------------------------- */

static int list_tools(hub_mcp_session_t *c)
{
    const char *cursor = NULL;
    hub_mcp_probe_t *o = &c->info;
    hub_mcp_reply_t r;

    o->tools = hub_json_own(c->p, json_array());
    o->pages = 0;
    for (;;) {
        json_t *params = json_object();
        const json_t *tools;
        const char *next;
        if (cursor) {
            json_object_set_new(params, "cursor", json_string(cursor));
        }
        rpc(c, "tools/list", NULL, params, &r);
        if (r.kind != HUB_MCP_REPLY_RESULT) {
            return fail(c, "tools/list", &r);
        }
        if (c->modern && str_member(r.result, "resultType")
            && strcmp(str_member(r.result, "resultType"), "complete")) {
            o->error = "tools/list: the server asked for input it cannot get"
                       " in a probe";
            return 0;
        }
        tools = json_object_get(r.result, "tools");
        if (!json_is_array(tools)) {
            o->error = "tools/list: the result has no tools array";
            return 0;
        }
        json_array_extend(o->tools, (json_t *)tools);
        o->pages++;
        next = str_member(r.result, "nextCursor");
        if (!next) {
            return 1;
        }
        if (cursor && !strcmp(next, cursor)) {
            o->error = "tools/list: the server gave the same cursor again";
            return 0;
        }
        if (o->pages >= HUB_MCP_MAX_PAGES) {
            o->error = apr_psprintf(c->p, "tools/list: more than %d pages",
                                    HUB_MCP_MAX_PAGES);
            return 0;
        }
        cursor = apr_pstrdup(c->p, next);
    }
}

/* ---- the 2026-07-28 era -------------------------------------------------- */

typedef enum { ERA_MODERN, ERA_LEGACY, ERA_STOP } era_e;

static int lists_modern(const json_t *versions)
{
    size_t i;
    const json_t *v;
    json_array_foreach(versions, i, v) {
        if (json_is_string(v)
            && !strcmp(json_string_value(v), HUB_MCP_VERSION_MODERN)) {
            return 1;
        }
    }
    return 0;
}

/* Decide the era from the discover probe's answer (see the header). */
static era_e classify_discover(hub_mcp_session_t *c, const hub_mcp_reply_t *r)
{
    const json_t *sv;
    switch (r->kind) {
    case HUB_MCP_REPLY_RESULT:
        sv = json_object_get(r->result, "supportedVersions");
        return json_is_array(sv) && lists_modern(sv) ? ERA_MODERN : ERA_LEGACY;
    case HUB_MCP_REPLY_RPC_ERROR: return ERA_LEGACY;
    case HUB_MCP_REPLY_HTTP_ERROR:
        if (r->status == 401 || r->status == 403 || r->status >= 500) {
            fail(c, "server/discover", r);
            return ERA_STOP;
        }
        return ERA_LEGACY;
    default: fail(c, "server/discover", r); return ERA_STOP;
    }
}

static int modern_open(hub_mcp_session_t *c, const hub_mcp_reply_t *discover)
{
    const json_t *meta = json_object_get(discover->result, "_meta");
    c->info.protocol_version = HUB_MCP_VERSION_MODERN;
    server_info(c, json_object_get(meta, "io.modelcontextprotocol/serverInfo"));
    if (!c->info.server_name) {
        /* some servers put it beside the capabilities */
        server_info(c, json_object_get(discover->result, "serverInfo"));
    }
    return 1;
}

/* ---- the initialize era ------------------------------------------------ */

/* initialize → notifications/initialized: 1 when the session is open. */
static int initialize(hub_mcp_session_t *c)
{
    json_t *params;
    const char *v, *why;
    hub_mcp_reply_t r;
    int ok;

    c->modern = 0;
    c->version = NULL;
    params = json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion",
                       HUB_MCP_VERSION_LEGACY, "capabilities", "clientInfo",
                       "name", CLIENT_NAME, "version", CLIENT_VERSION);
    rpc(c, "initialize", NULL, params, &r);
    if (r.kind != HUB_MCP_REPLY_RESULT) {
        return fail(c, "initialize", &r);
    }
    if (r.headers && apr_table_get(r.headers, "Mcp-Session-Id")) {
        c->session_id = apr_pstrdup(c->p,
                                    apr_table_get(r.headers, "Mcp-Session-Id"));
    }
    v = str_member(r.result, "protocolVersion");
    if (!hub_mcp_session_version(v)) {
        c->info.error = apr_psprintf(c->p,
                                     "initialize: the server chose "
                                     "protocol version '%s', which this "
                                     "client does not speak",
                                     hub_mcp_cut(c->p, v ? v : "none"));
        ok = 0;
    }
    else {
        c->version = c->info.protocol_version = apr_pstrdup(c->p, v);
        server_info(c, json_object_get(r.result, "serverInfo"));
        if (notify(c, "notifications/initialized", &why)) {
            c->info.error = apr_psprintf(c->p,
                                         "notifications/initialized: "
                                         "%s",
                                         why);
            ok = 0;
        }
        else {
            ok = 1;
        }
    }
    return ok;
}

/* ---- the legacy HTTP+SSE transport (2024-11-05) -------------------------- */

/* The GET stream stays open for the life of the session and carries every
 * answer, while requests go out as separate POSTs: hub_http's buffered
 * exchange cannot read a stream that does not end, so this one reads it
 * through hub_http's streaming interface, with the same address policy. */
struct sse_stream {
    hub_mcp_session_t *c;
    hub_http_stream_t *h;
    hub_sse_parser_t *parser;
    const char *endpoint;      /* where to POST, resolved */
    apr_array_header_t *inbox; /* json_t * messages not yet claimed */
    apr_size_t bytes, max;
    apr_time_t deadline;
    int bad; /* the stream is not what it must be */
    const char *error;
};

static int sse_event(void *baton, const hub_sse_event_t *ev)
{
    sse_stream_t *s = baton;
    hub_json_error_t jerr;
    json_t *msg;
    if (!strcmp(ev->event, "endpoint")) {
        /* the endpoint event names a URL relative to the stream's; it
         * must stay on the same origin, or a server could point the
         * hub's POSTs (and their auth headers) anywhere */
        if (!(s->endpoint = hub_http_same_origin(s->c->p, s->c->t->url,
                                                 ev->data))) {
            s->error = "the endpoint event names another origin or no URL";
            return 1;
        }
    }
    else if (!strcmp(ev->event, "message")) {
        msg = hub_json_parse(s->c->p, ev->data, ev->data_len, MAX_DEPTH, &jerr);
        if (!msg) {
            s->error = apr_psprintf(s->c->p,
                                    "a message of the stream is not "
                                    "JSON (%s)",
                                    jerr.text);
            return 1;
        }
        APR_ARRAY_PUSH(s->inbox, json_t *) = msg;
    }
    return 0;
}

static apr_size_t sse_body(void *baton, const char *data, apr_size_t len,
                           long status, const char *ct)
{
    sse_stream_t *s = baton;
    if (status != 200 || strcmp(media_type(s->c->p, ct), "text/event-stream")) {
        s->bad = 1;
        return status == 200 ? 0 : len; /* keep an error's body short */
    }
    if ((s->bytes += len) > s->max) {
        s->error = "the event stream is too large";
        return 0;
    }
    return hub_sse_feed(s->parser, data, len) ? 0 : len;
}

static int sse_open(hub_mcp_session_t *c)
{
    sse_stream_t *s = apr_pcalloc(c->p, sizeof(*s));
    hub_http_request_t req = { 0 };
    long total = c->pol.timeout_ms ? c->pol.timeout_ms : 15000;

    s->c = c;
    s->inbox = apr_array_make(c->p, 4, sizeof(json_t *));
    s->max = c->pol.max_response ? c->pol.max_response : 4 * 1024 * 1024;
    s->parser = hub_sse_parser_make(c->p, s->max, sse_event, s);
    s->deadline = apr_time_now() + apr_time_from_msec(total);
    req.url = c->t->url;
    req.headers = base_headers(c);
    apr_table_set(req.headers, "Accept", "text/event-stream");
    if (!(s->h = hub_http_stream_open(c->p, &c->pol, &req, sse_body, s))) {
        return -1;
    }
    c->tx = s;
    return 0;
}

static void sse_close(sse_stream_t *s)
{
    if (s->h) {
        hub_http_stream_close(s->h);
        s->h = NULL;
    }
}

typedef int sse_ready_fn(sse_stream_t *s, const void *arg);

/* Read the stream until ready() says so, the stream ends or time is up. */
static int sse_pump(sse_stream_t *s, sse_ready_fn *ready, const void *arg,
                    const char **why)
{
    const char *err = NULL;
    hub_http_result_e res;
    int running;
    for (;;) {
        running = hub_http_stream_perform(s->h);
        if (ready(s, arg)) {
            return 0;
        }
        res = hub_http_stream_result(s->h, &err);
        if (res == HUB_HTTP_REFUSED) {
            *why = err;
            return -1;
        }
        if (res != HUB_HTTP_OK && !s->error && !s->bad) {
            s->error = err;
        }
        if (s->error || s->bad || !running) {
            *why = s->error ? s->error
                   : s->bad ? "the stream is not a text/event-stream answer"
                            : "the event stream ended";
            return -1;
        }
        if (apr_time_now() > s->deadline) {
            *why = "timed out";
            return -1;
        }
        hub_http_stream_wait(s->h, 100);
    }
}

static int have_endpoint(sse_stream_t *s, const void *arg)
{
    (void)arg;
    return s->endpoint != NULL;
}

static int have_response(sse_stream_t *s, const void *id)
{
    int i;
    for (i = 0; i < s->inbox->nelts; i++) {
        if (hub_jsonrpc_is_response_to(APR_ARRAY_IDX(s->inbox, i, json_t *),
                                       id)) {
            return 1;
        }
    }
    return 0;
}

static int sse_post(hub_mcp_session_t *c, const char *body, const json_t *id,
                    hub_mcp_reply_t *r)
{
    sse_stream_t *s = c->tx;
    hub_http_request_t req = { 0 };
    hub_http_response_t *res = apr_pcalloc(c->p, sizeof(*res));
    const char *why;
    int i;

    req.method = "POST";
    req.url = s->endpoint;
    req.headers = base_headers(c);
    req.body = body;
    req.body_len = strlen(body);
    apr_table_set(req.headers, "Content-Type", "application/json");
    hub_http_do(c->p, &c->pol, &req, res);
    r->headers = res->headers;
    r->status = c->info.http_status = res->status;
    if (res->result != HUB_HTTP_OK || res->status < 200 || res->status >= 300) {
        judge(c, res, id, r);
        return -1;
    }
    if (!id) {
        r->kind = HUB_MCP_REPLY_RESULT; /* a notification was taken */
        return 0;
    }
    if (sse_pump(s, have_response, id, &why)) {
        r->kind = HUB_MCP_REPLY_FAILED;
        r->error = why;
        return -1;
    }
    for (i = 0; i < s->inbox->nelts; i++) {
        json_t *msg = APR_ARRAY_IDX(s->inbox, i, json_t *);
        if (hub_jsonrpc_is_response_to(msg, id)) {
            judge_message(c, msg, id, r);
            break;
        }
    }
    return 0;
}

static void sse_request(hub_mcp_session_t *c, const char *method,
                        const char *name, const char *body, const json_t *id,
                        hub_mcp_reply_t *r)
{
    (void)method;
    (void)name;
    sse_post(c, body, id, r);
}

static int sse_notify(hub_mcp_session_t *c, const char *method,
                      const char *body, const char **why)
{
    hub_mcp_reply_t r;
    (void)method;
    memset(&r, 0, sizeof(r));
    sse_post(c, body, NULL, &r);
    *why = r.error;
    return r.kind == HUB_MCP_REPLY_RESULT ? 0 : -1;
}

/* Open the stream and wait for its endpoint. */
static int sse_transport_open(hub_mcp_session_t *c)
{
    const char *why;
    hub_mcp_reply_t r = { 0 };
    sse_stream_t *s;
    long status = 0;

    if (sse_open(c)) {
        c->info.error = "could not set up the event stream";
        return -1;
    }
    s = c->tx;
    if (sse_pump(s, have_endpoint, NULL, &why)) {
        status = hub_http_stream_status(s->h);
        c->info.http_status = status;
        r.kind = status && status != 200 ? HUB_MCP_REPLY_HTTP_ERROR
                                         : HUB_MCP_REPLY_FAILED;
        r.status = status;
        r.error = status && status != 200
                      ? apr_psprintf(c->p, "HTTP %ld", status)
                      : why;
        fail(c, "event stream", &r);
        return -1;
    }
    return 0;
}

/* Closing the stream ends the session on this transport. */
static void sse_transport_close(hub_mcp_session_t *c)
{
    if (c->tx) {
        sse_close(c->tx);
    }
}

static const hub_mcp_transport_t sse_transport = {
    "sse", 0, sse_transport_open, sse_request, sse_notify, sse_transport_close,
    NULL
};

/* ---- the session --------------------------------------------------------- */

static apr_status_t session_cleanup(void *data)
{
    hub_mcp_close(data);
    return APR_SUCCESS;
}

/* The handshake: the discover probe first where the transport may speak
 * the 2026 era, else (or when it falls back) initialize. */
static int handshake(hub_mcp_session_t *c)
{
    hub_mcp_reply_t r;
    if (!c->tp->discover) {
        return initialize(c);
    }
    c->modern = 1;
    c->version = HUB_MCP_VERSION_MODERN;
    rpc(c, "server/discover", NULL, NULL, &r);
    switch (classify_discover(c, &r)) {
    case ERA_MODERN: return modern_open(c, &r);
    case ERA_LEGACY: return initialize(c);
    default: return 0;
    }
}

int hub_mcp_open(apr_pool_t *p, const hub_mcp_target_t *t,
                 hub_mcp_session_t **out)
{
    hub_mcp_session_t *c = apr_pcalloc(p, sizeof(*c));
    *out = c;
    c->p = p;
    c->t = t;
    if (t->policy) {
        c->pol = *t->policy;
    }
    if (!t->transport || !strcmp(t->transport, "streamable-http")) {
        c->tp = &streamable_transport;
    }
    else if (!strcmp(t->transport, "sse")) {
        c->tp = &sse_transport;
    }
    else if (!strcmp(t->transport, "stdio")) {
        c->tp = &hub_stdio_transport;
    }
    else {
        c->info.error = apr_psprintf(p, "unknown transport '%s'",
                                     hub_mcp_cut(p, t->transport));
        c->closed = 1;
        return -1;
    }
    apr_pool_cleanup_register(p, c, session_cleanup, apr_pool_cleanup_null);
    c->opened = 1;
    if (c->tp->open(c) || !handshake(c)) {
        if (!c->info.error) {
            c->info.error = "the session could not be opened";
        }
        return -1;
    }
    return 0;
}

const hub_mcp_probe_t *hub_mcp_info(const hub_mcp_session_t *s)
{
    return &s->info;
}

int hub_mcp_request(hub_mcp_session_t *s, const char *method, json_t *params,
                    json_t **result)
{
    hub_mcp_reply_t r;
    *result = NULL;
    if (s->closed) {
        json_decref(params);
        s->info.error = apr_psprintf(s->p, "%s: the session is closed", method);
        return -1;
    }
    rpc(s, method, NULL, params, &r);
    if (r.kind != HUB_MCP_REPLY_RESULT) {
        fail(s, method, &r);
        return -1;
    }
    *result = r.result;
    return 0;
}

int hub_mcp_call(hub_mcp_session_t *s, const char *tool, json_t *args,
                 json_t **result)
{
    hub_mcp_reply_t r;
    json_t *params;
    *result = NULL;
    if (s->closed) {
        json_decref(args);
        s->info.error = "tools/call: the session is closed";
        return -1;
    }
    params = json_pack("{s:s, s:o}", "name", tool, "arguments",
                       args ? args : json_object());
    rpc(s, "tools/call", tool, params, &r);
    if (r.kind != HUB_MCP_REPLY_RESULT) {
        fail(s, "tools/call", &r);
        return -1;
    }
    *result = r.result;
    return 0;
}

int hub_mcp_list_tools(hub_mcp_session_t *s, json_t **tools)
{
    *tools = NULL;
    if (s->closed) {
        s->info.error = "tools/list: the session is closed";
        return -1;
    }
    if (!list_tools(s)) {
        return -1;
    }
    *tools = s->info.tools;
    return 0;
}

void hub_mcp_renew(hub_mcp_session_t *s)
{
    if (s && s->tp && s->tp->renew && !s->closed) {
        s->tp->renew(s);
    }
}

void hub_mcp_close(hub_mcp_session_t *s)
{
    if (s->closed) {
        return;
    }
    s->closed = 1;
    apr_pool_cleanup_kill(s->p, s, session_cleanup);
    s->tp->close(s);
}

/* ---- the probe ----------------------------------------------------------- */

int hub_mcp_probe(apr_pool_t *p, const hub_mcp_target_t *t,
                  hub_mcp_probe_t *out)
{
    apr_time_t start = apr_time_now();
    hub_mcp_session_t *s;
    json_t *tools;
    int ok;

    ok = hub_mcp_open(p, t, &s) == 0 && hub_mcp_list_tools(s, &tools) == 0;
    hub_mcp_close(s);
    *out = s->info;
    out->ok = ok;
    out->latency_ms = (double)(apr_time_now() - start) / 1000.0;
    if (out->ok) {
        out->error = NULL;
    }
    else if (!out->error) {
        out->error = "the probe failed";
    }
    return out->ok;
}
