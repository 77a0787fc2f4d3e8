/* GoClaw's POST /v1/chat/completions: OpenAI's chat completions API in
 * front of the tenant's agents.
 *
 * - `model` names the agent: `goclaw:<agent>` or `agent:<agent>` (its id
 *   or name), a bare name too; none is `default`.  An unknown agent is
 *   404.  The agent's provider, model and system prompt are used: the
 *   system prompt goes first, then the caller's messages as they are.
 * - tools, tool_choice-free: the caller's `tools` are offered as they
 *   are, and the provider's tool calls answered as they came (OpenAI's
 *   message.tool_calls, finish_reason tool_calls); max_tokens (or
 *   max_completion_tokens) and temperature pass through.
 * - the answer is a chat.completion whose `model` is the caller's; with
 *   `stream: true` it is an event stream of chat.completion.chunk objects
 *   (a first chunk with the role, one per piece of text, one with the
 *   tool calls, one with the finish_reason, the usage when
 *   stream_options.include_usage asks) and `data: [DONE]`, whatever the
 *   provider speaks (Anthropic's events are translated).
 * - failures before the first byte are GoClaw's envelope {"error":
 *   "..."}: the provider's 429 is 429 with Retry-After (the provider's,
 *   else 1), its other failures 502, a timeout 504; an agent without a
 *   provider or a model, or with a disabled provider, 400.  A failure
 *   after the stream began is one more chunk {"error": {"message",
 *   "type"}} (as OpenAI's streams say it) and `data: [DONE]`.
 * - every call is an llm_calls row (trace: this request) with its tokens
 *   and cost; needs write access (a call spends the tenant's money). */
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_wf_llm_schemas.h"
#include "hub_json.h"
#include "hub_sse.h"
#include "hub_stream.h"
#include "hub_time.h"
#include "hub_text.h"
#include "hub_validate.h"

/* clang-format off */
static const hub_field_t chat_in[] = {
    { "model", HUB_T_STRING, 0, 0, 300, NULL,
      "goclaw:<agent> or agent:<agent>; default `default`" },
    { "messages", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "[{role, content}]: system, user, assistant, tool" },
    { "stream", HUB_T_BOOLEAN, 0, 0, 0, NULL, "SSE chunks" },
    { "stream_options", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "include_usage: a last chunk with the usage" },
    { "tools", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "OpenAI's function tools, offered as they are" },
    { "max_tokens", HUB_T_INTEGER, HUB_F_NULLABLE, 1, 1000000, NULL, NULL },
    { "max_completion_tokens", HUB_T_INTEGER, HUB_F_NULLABLE, 1, 1000000,
      NULL, NULL },
    { "temperature", HUB_T_NUMBER, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "user", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "external user id" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const char *const roles[] = {
    "system", "user", "assistant", "tool", NULL
};
/* clang-format on */

/* What a chat completion says about itself, answer and chunks alike. */
typedef struct chat {
    hub_req_t *hr;
    const char *id, *model; /* the caller's model */
    json_int_t created;
    int include_usage;
    hub_stream_t *out; /* opened at the first byte */
    int gone;          /* the client went away */
} chat_t;

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

/* the agent a model names */
static const char *agent_ref(const char *model)
{
    if (!model || !*model) {
        return "default";
    }
    if (!strncmp(model, "goclaw:", 7)) {
        return model + 7;
    }
    if (!strncmp(model, "agent:", 6)) {
        return model + 6;
    }
    return model;
}

/* Each message an object with a known role: NULL, or what is wrong. */
static const char *messages_problem(apr_pool_t *p, const json_t *msgs)
{
    json_t *m;
    size_t i;
    if (!json_array_size(msgs)) {
        return "messages: at least one message is required";
    }
    json_array_foreach(msgs, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));
        json_t *c = json_object_get(m, "content");
        if (!json_is_object(m) || !role || !hub_one_of(role, roles)) {
            return apr_psprintf(p,
                                "messages[%u].role: one of system, user, "
                                "assistant, tool",
                                (unsigned)i);
        }
        if (c && !json_is_string(c) && !json_is_array(c) && !json_is_null(c)) {
            return apr_psprintf(p,
                                "messages[%u].content: a string or an "
                                "array of parts",
                                (unsigned)i);
        }
    }
    return NULL;
}

/* ---- the stream ---------------------------------------------------------- */

static json_t *chunk(const chat_t *c, json_t *delta, const char *finish)
{
    return json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:o,s:o}]}", "id", c->id,
                     "object", "chat.completion.chunk", "created", c->created,
                     "model", c->model, "choices", "index", 0, "delta", delta,
                     "finish_reason", hub_json_str_or_null(finish));
}

/* One `data:` event of text.  0, or -1 once the client has gone. */
static int send_data(chat_t *c, const char *data)
{
    if (c->gone
        || hub_stream_write(c->out,
                            hub_sse_format(c->hr->pool, NULL, NULL, -1, data))
               != APR_SUCCESS) {
        c->gone = 1;
        return -1;
    }
    return 0;
}

/* One chunk; takes the reference (NULL, a chunk that could not be made,
 * is left out). */
static int send_event(chat_t *c, json_t *j)
{
    const char *data = j ? hub_json_dump(c->hr->pool, j, JSON_COMPACT, NULL)
                         : NULL;
    json_decref(j);
    return data ? send_data(c, data) : (c->gone ? -1 : 0);
}

static void send_done(chat_t *c)
{
    send_data(c, "[DONE]");
}

/* The stream's 200 and its first chunk, the assistant's role. */
static int begin(chat_t *c)
{
    if (c->out) {
        return c->gone ? -1 : 0;
    }
    c->out = hub_stream_open(c->hr->r, "text/event-stream");
    return send_event(c, chunk(c,
                               json_pack("{s:s,s:s}", "role", "assistant",
                                         "content", ""),
                               NULL));
}

static int on_delta(void *baton, const char *text, apr_size_t len)
{
    chat_t *c = baton;
    if (begin(c)) {
        return 1;
    }
    return send_event(c,
                      chunk(c, json_pack("{s:s%}", "content", text, len), NULL))
               ? 1
               : 0;
}

/* The tool calls with their index, as OpenAI's deltas carry them. */
static json_t *indexed(const json_t *calls)
{
    json_t *out = json_array(), *call;
    size_t i;
    json_array_foreach(calls, i, call) {
        json_t *one = json_deep_copy(call);
        json_object_set_new(one, "index", json_integer((json_int_t)i));
        json_array_append_new(out, one);
    }
    return out;
}

static json_t *usage_of(const hub_llm_response_t *out)
{
    return json_pack("{s:I,s:I,s:I}", "prompt_tokens",
                     (json_int_t)out->input_tokens, "completion_tokens",
                     (json_int_t)out->output_tokens, "total_tokens",
                     (json_int_t)(out->input_tokens + out->output_tokens));
}

/* The end of a stream that went well. */
static void finish_stream(chat_t *c, const hub_llm_response_t *out)
{
    if (begin(c)) {
        return;
    }
    if (out->tool_calls
        && send_event(c, chunk(c,
                               json_pack("{s:o}", "tool_calls",
                                         indexed(out->tool_calls)),
                               NULL))) {
        return;
    }
    if (send_event(c, chunk(c, json_object(), out->finish_reason))) {
        return;
    }
    if (c->include_usage
        && send_event(c, json_pack("{s:s,s:s,s:I,s:s,s:[],s:o}", "id", c->id,
                                   "object", "chat.completion.chunk", "created",
                                   c->created, "model", c->model, "choices",
                                   "usage", usage_of(out)))) {
        return;
    }
    send_done(c);
}

/* ---- the answer ---------------------------------------------------------- */

static json_t *completion(const chat_t *c, const hub_llm_response_t *out)
{
    json_t *msg = json_pack("{s:s,s:o}", "role", "assistant", "content",
                            out->tool_calls && !*out->content
                                ? json_null()
                                : json_string(out->content));
    if (out->tool_calls) {
        json_object_set(msg, "tool_calls", out->tool_calls);
    }
    return json_pack("{s:s,s:s,s:I,s:s,s:[{s:i,s:o,s:s}],s:o}", "id", c->id,
                     "object", "chat.completion", "created", c->created,
                     "model", c->model, "choices", "index", 0, "message", msg,
                     "finish_reason", out->finish_reason, "usage",
                     usage_of(out));
}

/* A failed call before the first byte, in GoClaw's envelope. */
static int failed(hub_result_t *res, const hub_llm_response_t *out)
{
    if (out->status == HUB_LLM_RATE_LIMITED) {
        hub_result_header(res, "Retry-After",
                          out->retry_after >= 0
                              ? apr_ltoa(res->pool, out->retry_after)
                              : "1");
        return hub_err(res, 429, "RATE_LIMITED",
                       "the agent's provider is rate limiting: %s",
                       out->error ? out->error : "");
    }
    return hub_err(res, hub_llm_http_status(out->status), "UPSTREAM",
                   "the agent's provider failed: %s",
                   out->error ? out->error : hub_llm_status_name(out->status));
}

/* The outcome of an agent's call that was not made, in GoClaw's words. */
static int not_run(hub_req_t *hr, hub_result_t *res, hub_wf_run_e e,
                   const char *why)
{
    switch (e) {
    case HUB_WF_RUN_NO_AGENT:
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", why);
    case HUB_WF_RUN_FAILED:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                      "HUB01034: chat completion not made: %s", why);
        return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "%s",
                       why);
    default: return bad(res, "%s", why);
    }
}

static int chat_completions(hub_req_t *hr, hub_result_t *res)
{
    json_t *b = hr->body, *v;
    const char *model_in = json_string_value(json_object_get(b, "model"));
    const char *why, *agent_id;
    hub_wf_agent_call_t call = { 0 };
    hub_wf_db_t db = { 0 };
    hub_llm_response_t out;
    hub_wf_run_e e;
    chat_t c = { 0 };

    if ((why = messages_problem(hr->pool, json_object_get(b, "messages")))) {
        return bad(res, "%s", why);
    }
    c.hr = hr;
    c.id = apr_pstrcat(hr->pool, "chatcmpl-", hub_random_hex(hr->pool, 12),
                       NULL);
    c.model = model_in && *model_in ? model_in : "goclaw:default";
    c.created = (json_int_t)apr_time_sec(apr_time_now());
    c.include_usage = json_is_true(
        json_object_get(json_object_get(b, "stream_options"), "include_usage"));

    db.r = hr->r;
    call.tenant_id = hr->who->tenant_id;
    call.agent = agent_ref(model_in);
    call.messages = json_object_get(b, "messages");
    call.tools = json_object_get(b, "tools");
    call.temperature = json_is_number(v = json_object_get(b, "temperature"))
                           ? json_number_value(v)
                           : -1;
    v = json_object_get(b, "max_tokens");
    if (!json_is_integer(v)) {
        v = json_object_get(b, "max_completion_tokens");
    }
    call.max_tokens = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    if (json_is_true(json_object_get(b, "stream"))) {
        call.on_delta = on_delta;
        call.baton = &c;
    }
    e = hub_wf_agent_run(&db, &call, &out, &why, &agent_id);
    if (e != HUB_WF_RUN_CALLED) {
        return not_run(hr, res, e, why);
    }
    if (!call.on_delta) {
        return out.status == HUB_LLM_OK ? hub_ok(res, completion(&c, &out))
                                        : failed(res, &out);
    }
    if (out.status == HUB_LLM_OK) {
        finish_stream(&c, &out);
    }
    else if (!c.out) {
        return failed(res, &out); /* nothing sent yet: a real status */
    }
    else if (!c.gone) {
        send_event(&c, json_pack("{s:{s:s,s:s}}", "error", "message",
                                 out.error ? out.error : "the provider failed",
                                 "type", hub_llm_status_name(out.status)));
        send_done(&c);
    }
    return hub_ok_written(res, OK);
}

/* The JSON answer is documented (hub_wf_llm_schemas.h); with `stream:
 * true` the same 200 is text/event-stream, which the served document
 * cannot say beside it (a route's answer has one content type there). */
/* clang-format off */
const hub_route_t hub_workflows_goclaw_chat_routes[] = {
    { HUB_GOCLAW, HUB_M_POST, "/v1/chat/completions", chat_completions,
      chat_in, 0, 0, "OpenAI-compatible chat completions",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("ChatCompletion", LS_CHAT_COMPLETION) },
    { 0 }
};
/* clang-format on */
