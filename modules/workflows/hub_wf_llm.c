/* The LLM client's core (hub_wf_llm.h): provider types and their
 * defaults, the one transport every call takes, the accumulator the wire
 * files fill, and pricing.
 *
 * Every call, streamed or not, goes through hub_http.h's streaming
 * request (curl multi): so the abort flag is polled while it runs (a
 * stopped execution does not wait for a slow provider), and a stream's
 * text reaches on_delta as it arrives.  An answer that is not an event
 * stream (a plain answer, an error, a provider that ignored `stream`) is
 * collected whole, bounded by MAX_ANSWER, and parsed at the end. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_time.h>
#include "hub_http.h"
#include "hub_json.h"
#include "hub_wf_llm_wire.h"

#define MAX_ANSWER        (8 * 1024 * 1024)
#define HUB_LLM_MAX_CALLS 128

/* clang-format off */
const char *const hub_llm_provider_types[] = {
    "anthropic_native", "openai_compat", "gemini_native", "groq",
    "deepseek", "mistral", "xai", "ollama", NULL
};

static const struct { const char *type, *base; } bases[] = {
    { "openai_compat", "https://api.openai.com/v1" },
    { "groq", "https://api.groq.com/openai/v1" },
    { "deepseek", "https://api.deepseek.com/v1" },
    { "mistral", "https://api.mistral.ai/v1" },
    { "xai", "https://api.x.ai/v1" },
    /* a local server: reachable only when HubOutboundAllow allows it */
    { "ollama", "http://127.0.0.1:11434/v1" },
    { "anthropic_native", "https://api.anthropic.com" },
    { "gemini_native", "https://generativelanguage.googleapis.com/v1beta" },
    { NULL, NULL }
};
/* clang-format on */

typedef enum { WIRE_OPENAI, WIRE_ANTHROPIC, WIRE_NONE } wire_e;

static wire_e wire_of(const char *type)
{
    if (!type || !strcmp(type, "gemini_native")) {
        return WIRE_NONE;
    }
    if (!strcmp(type, "anthropic_native")) {
        return WIRE_ANTHROPIC;
    }
    return hub_llm_default_base(type) ? WIRE_OPENAI : WIRE_NONE;
}

const char *hub_llm_default_base(const char *type)
{
    int i;
    for (i = 0; type && bases[i].type; i++) {
        if (!strcmp(bases[i].type, type)) {
            return bases[i].base;
        }
    }
    return NULL;
}

int hub_llm_type_supported(const char *type)
{
    return wire_of(type) != WIRE_NONE;
}

/* ---- the accumulator ---------------------------------------------------- */

/* n more bytes at the end of a byte array (elt_size 1): where to write
 * them.  Doubling, as apr_array_push grows. */
static void *push_n(apr_array_header_t *arr, apr_size_t n)
{
    if ((apr_size_t)(arr->nalloc - arr->nelts) < n) {
        apr_size_t want = arr->nalloc > 0 ? (apr_size_t)arr->nalloc * 2 : 256;
        char *nb;
        while (want < (apr_size_t)arr->nelts + n) {
            want *= 2;
        }
        nb = apr_palloc(arr->pool, want);
        memcpy(nb, arr->elts, (apr_size_t)arr->nelts);
        arr->elts = nb;
        arr->nalloc = (int)want;
    }
    arr->nelts += (int)n;
    return arr->elts + arr->nelts - n;
}

void hub_llm_acc_init(hub_llm_acc_t *a, apr_pool_t *p,
                      const hub_llm_request_t *rq, hub_llm_response_t *out)
{
    memset(a, 0, sizeof(*a));
    a->p = p;
    a->rq = rq;
    a->out = out;
    a->text = apr_array_make(p, 256, 1);
    a->calls = hub_json_own(p, json_array());
    a->blocks = hub_json_own(p, json_object());
}

int hub_llm_acc_text(hub_llm_acc_t *a, const char *s, apr_size_t n)
{
    if (!n) {
        return 0;
    }
    memcpy(push_n(a->text, n), s, n);
    if (a->rq && a->rq->on_delta && !a->stopped
        && a->rq->on_delta(a->rq->baton, s, n)) {
        a->stopped = 1;
    }
    return a->stopped;
}

json_t *hub_llm_acc_call(hub_llm_acc_t *a, size_t i)
{
    if (i >= HUB_LLM_MAX_CALLS) {
        /* a provider's index past any sane count: its last call takes
         * it, rather than a million empty ones */
        i = HUB_LLM_MAX_CALLS - 1;
    }
    while (json_array_size(a->calls) <= i) {
        json_array_append_new(a->calls,
                              json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", "",
                                        "type", "function", "function", "name",
                                        "", "arguments", ""));
    }
    return json_array_get(a->calls, i);
}

void hub_llm_acc_args(json_t *call, const char *s)
{
    json_t *fn = json_object_get(call, "function");
    const char *old = json_string_value(json_object_get(fn, "arguments"));
    size_t n = old ? strlen(old) : 0, m = strlen(s);
    char *both = malloc(n + m + 1);
    if (!both) {
        return;
    }
    memcpy(both, old ? old : "", n);
    memcpy(both + n, s, m + 1);
    json_object_set_new(fn, "arguments", json_stringn(both, n + m));
    free(both);
}

void hub_llm_acc_finish(hub_llm_acc_t *a)
{
    a->out->content = apr_pstrmemdup(a->p, a->text->elts,
                                     (apr_size_t)a->text->nelts);
    a->out->tool_calls = json_array_size(a->calls) ? a->calls : NULL;
    if (!a->out->finish_reason) {
        a->out->finish_reason = a->out->tool_calls ? "tool_calls" : "stop";
    }
}

const char *hub_llm_error_text(apr_pool_t *p, const char *body, apr_size_t len)
{
    json_t *j = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    char *out;
    if (!msg) {
        msg = json_string_value(e);
    }
    if (!msg) {
        msg = json_string_value(json_object_get(j, "message"));
    }
    if (!msg) {
        msg = json_string_value(json_object_get(j, "detail"));
    }
    out = msg ? apr_pstrndup(p, msg, 500) : NULL;
    json_decref(j);
    return out;
}

/* ---- the transport ------------------------------------------------------ */

typedef struct call {
    apr_pool_t *p;
    hub_llm_acc_t *acc;
    wire_e wire;
    hub_sse_parser_t *sse;    /* made when the answer is an event stream */
    apr_array_header_t *body; /* any other answer, whole */
    int too_large;
} call_t;

static int is_2xx(long status)
{
    return status >= 200 && status < 300;
}

static apr_size_t on_body(void *baton, const char *data, apr_size_t len,
                          long status, const char *ct)
{
    call_t *c = baton;
    if (!c->sse && !c->body->nelts && is_2xx(status) && ct
        && !strncasecmp(ct, "text/event-stream", 17)) {
        c->sse = hub_sse_parser_make(c->p, 0,
                                     c->wire == WIRE_ANTHROPIC
                                         ? hub_llm_anthropic_event
                                         : hub_llm_openai_event,
                                     c->acc);
        c->acc->out->streamed = 1;
    }
    if (c->sse) {
        /* an event or line beyond 4 MiB, or on_delta said stop */
        return hub_sse_feed(c->sse, data, len) || c->acc->stopped ? 0 : len;
    }
    if ((apr_size_t)c->body->nelts + len > MAX_ANSWER) {
        c->too_large = 1;
        return 0;
    }
    memcpy(push_n(c->body, len), data, len);
    return len;
}

static hub_llm_status_e fail(hub_llm_response_t *out, hub_llm_status_e st,
                             const char *why)
{
    out->status = st;
    out->error = why;
    return st;
}

static hub_llm_status_e of_transport(hub_http_result_e r)
{
    switch (r) {
    case HUB_HTTP_REFUSED: return HUB_LLM_REFUSED;
    case HUB_HTTP_BAD_URL: return HUB_LLM_BAD_URL;
    case HUB_HTTP_TIMEOUT: return HUB_LLM_TIMEOUT;
    case HUB_HTTP_TOO_LARGE: return HUB_LLM_BAD_ANSWER;
    default: return HUB_LLM_UNREACHABLE;
    }
}

/* {base}{path}, the base without its trailing slashes; Anthropic's base
 * may be given with or without its /v1. */
static const char *url_of(apr_pool_t *p, const hub_llm_provider_t *pv,
                          wire_e wire, const char *what)
{
    const char *b = pv->api_base && *pv->api_base
                        ? pv->api_base
                        : hub_llm_default_base(pv->type);
    apr_size_t n = b ? strlen(b) : 0;
    while (n && b[n - 1] == '/') {
        n--;
    }
    if (!b) {
        return NULL;
    }
    if (wire == WIRE_ANTHROPIC && !(n >= 3 && !strncmp(b + n - 3, "/v1", 3))) {
        return apr_pstrcat(p, apr_pstrndup(p, b, n), "/v1/", what, NULL);
    }
    return apr_pstrcat(p, apr_pstrndup(p, b, n), "/", what, NULL);
}

static apr_table_t *headers_of(apr_pool_t *p, const hub_llm_provider_t *pv,
                               wire_e wire, int stream, int body)
{
    apr_table_t *h = apr_table_make(p, 6);
    if (body) {
        apr_table_setn(h, "Content-Type", "application/json");
    }
    apr_table_setn(h, "Accept",
                   stream ? "text/event-stream" : "application/json");
    if (wire == WIRE_ANTHROPIC) {
        apr_table_setn(h, "anthropic-version", HUB_LLM_ANTHROPIC_VERSION);
        if (pv->api_key && *pv->api_key) {
            apr_table_setn(h, "x-api-key", pv->api_key);
        }
    }
    else if (pv->api_key && *pv->api_key) {
        apr_table_set(h, "Authorization",
                      apr_pstrcat(p, "Bearer ", pv->api_key, NULL));
    }
    return h;
}

/* The status an answer's HTTP status makes, and its message. */
static hub_llm_status_e of_status(apr_pool_t *p, hub_llm_response_t *out,
                                  const char *body, apr_size_t len)
{
    const char *msg = hub_llm_error_text(p, body, len);
    long s = out->http_status;
    hub_llm_status_e st = s == 429               ? HUB_LLM_RATE_LIMITED
                          : s == 401 || s == 403 ? HUB_LLM_AUTH
                                                 : HUB_LLM_UPSTREAM;
    return fail(out, st,
                apr_psprintf(p, "the provider answered %ld%s%s", s,
                             msg ? ": " : "", msg ? msg : ""));
}

/* Run one request to the end (or the abort), then judge what came. */
static hub_llm_status_e exchange(apr_pool_t *p, const hub_llm_provider_t *pv,
                                 const hub_llm_request_t *rq, wire_e wire,
                                 const hub_http_request_t *req, call_t *c)
{
    hub_http_policy_t pol = { 0 };
    hub_llm_response_t *out = c->acc->out;
    hub_http_stream_t *s;
    apr_time_t t0 = apr_time_now();
    const char *why = NULL, *ra;
    hub_http_result_e r;
    int aborted = 0;

    pol.connect_timeout_ms = rq->connect_timeout_ms ? rq->connect_timeout_ms
                                                    : 5000;
    pol.timeout_ms = rq->timeout_ms ? rq->timeout_ms : 60000;
    pol.allow = pv->allow;
    c->p = p;
    c->wire = wire;
    c->body = apr_array_make(p, 4096, 1);
    if (!(s = hub_http_stream_open(p, &pol, req, on_body, c))) {
        return fail(out, HUB_LLM_UNREACHABLE,
                    "the request could not be set up");
    }
    while (hub_http_stream_perform(s)) {
        if ((rq->abort && *rq->abort)
            || (rq->aborted && rq->aborted(rq->abort_baton))) {
            aborted = 1;
            break;
        }
        hub_http_stream_wait(s, 100);
    }
    out->seconds = (double)(apr_time_now() - t0) / APR_USEC_PER_SEC;
    out->http_status = hub_http_stream_status(s);
    if ((ra = hub_http_stream_header(s, "Retry-After")) && apr_isdigit(*ra)) {
        out->retry_after = atol(ra);
    }
    r = hub_http_stream_result(s, &why);
    hub_http_stream_close(s);
    if (aborted || c->acc->stopped) {
        return fail(out, HUB_LLM_ABORTED, "the call was stopped");
    }
    if (c->too_large) {
        return fail(out, HUB_LLM_BAD_ANSWER, "the answer is too large");
    }
    if (r != HUB_HTTP_OK) {
        return fail(out, of_transport(r), why);
    }
    if (!is_2xx(out->http_status)) {
        return of_status(p, out, c->body->elts, (apr_size_t)c->body->nelts);
    }
    return HUB_LLM_OK;
}

/* A provider's error text may quote the key it was given: never let it
 * out of the call (answers, llm_calls, logs). */
static hub_llm_status_e scrubbed(apr_pool_t *p, const hub_llm_provider_t *pv,
                                 hub_llm_response_t *out)
{
    const char *key = pv->api_key, *at;
    apr_size_t n = key ? strlen(key) : 0;
    while (n >= 4 && out->error && (at = strstr(out->error, key))) {
        out->error = apr_pstrcat(p,
                                 apr_pstrndup(p, out->error,
                                              (apr_size_t)(at - out->error)),
                                 "********", at + n, NULL);
    }
    return out->status;
}

static void response_init(hub_llm_response_t *out)
{
    memset(out, 0, sizeof(*out));
    out->retry_after = -1;
    out->content = "";
}

hub_llm_status_e hub_llm_chat(apr_pool_t *p, const hub_llm_provider_t *pv,
                              const hub_llm_request_t *rq,
                              hub_llm_response_t *out)
{
    wire_e wire = wire_of(pv->type);
    hub_http_request_t req = { 0 };
    hub_llm_acc_t acc;
    call_t c = { 0 };
    json_t *body, *answer;
    hub_llm_status_e st;

    response_init(out);
    if (wire == WIRE_NONE) {
        return fail(out, HUB_LLM_UNSUPPORTED,
                    apr_psprintf(p,
                                 "provider type %s is not supported for "
                                 "chat: the hub speaks OpenAI's chat API "
                                 "and Anthropic's Messages API",
                                 pv->type ? pv->type : "(none)"));
    }
    hub_llm_acc_init(&acc, p, rq, out);
    c.acc = &acc;
    body = wire == WIRE_ANTHROPIC ? hub_llm_anthropic_body(rq)
                                  : hub_llm_openai_body(rq);
    req.method = "POST";
    req.url = url_of(p, pv, wire,
                     wire == WIRE_ANTHROPIC ? "messages" : "chat/completions");
    req.headers = headers_of(p, pv, wire, rq->stream, 1);
    req.body = hub_json_dump(p, body, JSON_COMPACT, &req.body_len);
    json_decref(body);
    if (!req.body) {
        return fail(out, HUB_LLM_UPSTREAM,
                    "the request could not be encoded as JSON");
    }
    if ((st = exchange(p, pv, rq, wire, &req, &c)) != HUB_LLM_OK) {
        acc.out->model = acc.out->model ? acc.out->model : rq->model;
        return scrubbed(p, pv, out);
    }
    if (c.sse) {
        hub_sse_finish(c.sse);
        if (acc.failed) {
            fail(out, HUB_LLM_UPSTREAM,
                 out->error ? out->error
                            : "the provider's stream reported an error");
            return scrubbed(p, pv, out);
        }
        /* a finish_reason is an end too: not every OpenAI-compatible
         * server sends [DONE] */
        if (!acc.done && !out->finish_reason) {
            return fail(out, HUB_LLM_BAD_ANSWER,
                        "the provider's stream ended before its end");
        }
    }
    else {
        answer = json_loadb(c.body->elts, (size_t)c.body->nelts, 0, NULL);
        if (!answer
            || (wire == WIRE_ANTHROPIC ? hub_llm_anthropic_parse(&acc, answer)
                                       : hub_llm_openai_parse(&acc, answer))) {
            json_decref(answer);
            return fail(out, HUB_LLM_BAD_ANSWER,
                        "the provider's answer is not a chat completion");
        }
        json_decref(answer);
    }
    hub_llm_acc_finish(&acc);
    if (!out->model) {
        out->model = rq->model;
    }
    return HUB_LLM_OK;
}

hub_llm_status_e hub_llm_models(apr_pool_t *p, const hub_llm_provider_t *pv,
                                long timeout_ms, json_t **models,
                                hub_llm_response_t *out)
{
    wire_e wire = wire_of(pv->type);
    hub_llm_request_t rq = { 0 };
    hub_http_request_t req = { 0 };
    hub_llm_acc_t acc;
    call_t c = { 0 };
    json_t *answer, *list;
    hub_llm_status_e st;

    response_init(out);
    *models = NULL;
    if (wire == WIRE_NONE) {
        return fail(out, HUB_LLM_UNSUPPORTED,
                    apr_psprintf(p, "provider type %s is not supported",
                                 pv->type ? pv->type : "(none)"));
    }
    rq.timeout_ms = timeout_ms;
    hub_llm_acc_init(&acc, p, &rq, out);
    c.acc = &acc;
    req.url = url_of(p, pv, wire, "models");
    req.headers = headers_of(p, pv, wire, 0, 0);
    if ((st = exchange(p, pv, &rq, wire, &req, &c)) != HUB_LLM_OK) {
        return scrubbed(p, pv, out);
    }
    answer = json_loadb(c.body->elts, (size_t)c.body->nelts, 0, NULL);
    list = wire == WIRE_ANTHROPIC ? hub_llm_anthropic_models(answer)
                                  : hub_llm_openai_models(answer);
    json_decref(answer);
    if (!list) {
        return fail(out, HUB_LLM_BAD_ANSWER,
                    "the provider's answer is not a model list");
    }
    *models = hub_json_own(p, list);
    return HUB_LLM_OK;
}

/* ---- words -------------------------------------------------------------- */

const char *hub_llm_status_name(hub_llm_status_e st)
{
    static const char *const names[] = {
        "ok",         "upstream_error", "rate_limited", "unauthorized",
        "refused",    "bad_url",        "timeout",      "unreachable",
        "bad_answer", "aborted",        "unsupported"
    };
    return (unsigned)st < sizeof(names) / sizeof(*names) ? names[st] : "error";
}

int hub_llm_http_status(hub_llm_status_e st)
{
    switch (st) {
    case HUB_LLM_OK: return 200;
    case HUB_LLM_RATE_LIMITED: return 429;
    case HUB_LLM_REFUSED:
    case HUB_LLM_BAD_URL: return 400;
    case HUB_LLM_TIMEOUT: return 504;
    case HUB_LLM_UNSUPPORTED: return 501;
    default: return 502;
    }
}

/* ---- pricing ------------------------------------------------------------ */

/* US dollars per million tokens, as the providers publish them; the
 * longest prefix of a model's name wins ("gpt-4o-mini-2024-07-18"). */
/* clang-format off */
static const struct { const char *prefix; double in, out; } prices[] = {
    { "gpt-4o-mini", 0.15, 0.60 },
    { "gpt-4o", 2.50, 10.00 },
    { "gpt-4.1-nano", 0.10, 0.40 },
    { "gpt-4.1-mini", 0.40, 1.60 },
    { "gpt-4.1", 2.00, 8.00 },
    { "o3-mini", 1.10, 4.40 },
    { "claude-3-5-haiku", 0.80, 4.00 },
    { "claude-3-5-sonnet", 3.00, 15.00 },
    { "claude-sonnet-4", 3.00, 15.00 },
    { "claude-opus-4", 15.00, 75.00 },
    { "deepseek-chat", 0.27, 1.10 },
    { "deepseek-reasoner", 0.55, 2.19 },
    { "mistral-small", 0.20, 0.60 },
    { "mistral-large", 2.00, 6.00 },
    { NULL, 0, 0 }
};
/* clang-format on */

json_t *hub_llm_pricing(const char *model, const json_t *pricing)
{
    json_t *own = model ? json_object_get(pricing, model) : NULL;
    size_t best = 0;
    int i, at = -1;
    if (json_is_number(json_object_get(own, "input"))
        && json_is_number(json_object_get(own, "output"))) {
        return json_pack("{s:O,s:O}", "input", json_object_get(own, "input"),
                         "output", json_object_get(own, "output"));
    }
    for (i = 0; model && prices[i].prefix; i++) {
        size_t n = strlen(prices[i].prefix);
        if (n > best && !strncmp(model, prices[i].prefix, n)) {
            best = n;
            at = i;
        }
    }
    return at < 0 ? NULL
                  : json_pack("{s:f,s:f}", "input", prices[at].in, "output",
                              prices[at].out);
}

double hub_llm_cost(const char *model, const json_t *pricing, long in_tokens,
                    long out_tokens)
{
    json_t *pr = hub_llm_pricing(model, pricing);
    double c = 0;
    if (pr) {
        c = (json_number_value(json_object_get(pr, "input")) * in_tokens
             + json_number_value(json_object_get(pr, "output")) * out_tokens)
            / 1e6;
        json_decref(pr);
    }
    return c;
}
