/* The LLM client's wire formats: requests built for OpenAI's chat API and
 * Anthropic's Messages API from the client's OpenAI shapes, whole answers
 * and streams (fed in pieces of every size) parsed back, errors, model
 * listings, defaults and pricing.  No network: the HTTP exchange itself is
 * t/http/58 and 59's, against t/mcp/servers/llm-server.mjs. */
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_wf_llm_wire.h"
#include "tap.h"

static json_t *js(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j) {
        diag("bad JSON in the test: %s", text);
    }
    return j;
}

static int same_json(const json_t *got, const char *want)
{
    json_t *w = js(want);
    int eq = json_equal((json_t *)got, w);
    if (!eq) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        diag("got:  %s\nwant: %s", g ? g : "(null)", want);
        free(g);
    }
    json_decref(w);
    return eq;
}

static const char *MSGS =
    "[{\"role\":\"system\",\"content\":\"be brief\"},"
    "{\"role\":\"user\",\"content\":\"weather?\"},"
    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
    "\"type\":\"function\",\"function\":{\"name\":\"get\",\"arguments\":"
    "\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"rain\"}]";
static const char *TOOLS =
    "[{\"type\":\"function\",\"function\":{\"name\":\"get\",\"description\":"
    "\"the weather\",\"parameters\":{\"type\":\"object\"}}}]";

static void test_bodies(void)
{
    hub_llm_request_t rq = { 0 };
    json_t *m = js(MSGS), *t = js(TOOLS), *b;
    rq.model = "m1";
    rq.messages = m;
    rq.tools = t;
    rq.temperature = -1;
    rq.stream = 1;

    b = hub_llm_openai_body(&rq);
    ok(json_equal(json_object_get(b, "messages"), m),
       "openai: the messages as they are");
    ok(json_equal(json_object_get(b, "tools"), t), "openai: the tools");
    ok(!json_object_get(b, "temperature") && !json_object_get(b, "max_tokens"),
       "openai: no temperature or max_tokens unless set");
    ok(same_json(json_object_get(b, "stream_options"),
                 "{\"include_usage\":true}"),
       "openai: a stream asks for its usage");
    json_decref(b);

    rq.max_tokens = 50;
    rq.temperature = 0.5;
    b = hub_llm_anthropic_body(&rq);
    is_str(json_string_value(json_object_get(b, "system")), "be brief",
           "anthropic: system messages become `system`");
    ok(same_json(json_object_get(b, "messages"),
                 "[{\"role\":\"user\",\"content\":\"weather?\"},"
                 "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
                 "\"id\":\"c1\",\"name\":\"get\",\"input\":{\"city\":"
                 "\"Oslo\"}}]},"
                 "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                 "\"tool_use_id\":\"c1\",\"content\":\"rain\"}]}]"),
       "anthropic: tool calls and results as content blocks");
    ok(same_json(json_object_get(b, "tools"),
                 "[{\"name\":\"get\",\"description\":\"the weather\","
                 "\"input_schema\":{\"type\":\"object\"}}]"),
       "anthropic: tools with input_schema");
    is_int((int)json_integer_value(json_object_get(b, "max_tokens")), 50,
           "anthropic: max_tokens");
    ok(json_is_true(json_object_get(b, "stream")), "anthropic: stream");
    json_decref(b);
    rq.max_tokens = 0;
    b = hub_llm_anthropic_body(&rq);
    is_int((int)json_integer_value(json_object_get(b, "max_tokens")), 1024,
           "anthropic: max_tokens is required: 1024 by default");
    json_decref(b);
    json_decref(m);
    json_decref(t);
}

static void test_openai_answer(apr_pool_t *p)
{
    hub_llm_request_t rq = { 0 };
    hub_llm_response_t out = { 0 };
    hub_llm_acc_t a;
    json_t *j = js("{\"id\":\"x1\",\"model\":\"gpt-4o-mini-2024\",\"choices\":"
                   "[{\"index\":0,\"finish_reason\":\"tool_calls\",\"message\":"
                   "{\"role\":\"assistant\",\"content\":\"hm\",\"tool_calls\":"
                   "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                   "{\"name\":\"get\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}],"
                   "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}");
    hub_llm_acc_init(&a, p, &rq, &out);
    is_int(hub_llm_openai_parse(&a, j), 0, "openai: a chat.completion parses");
    hub_llm_acc_finish(&a);
    is_str(out.content, "hm", "its content");
    is_str(out.finish_reason, "tool_calls", "its finish_reason");
    is_str(out.model, "gpt-4o-mini-2024", "the model that answered");
    is_int((int)out.input_tokens, 12, "prompt tokens");
    is_int((int)out.output_tokens, 3, "completion tokens");
    ok(same_json(out.tool_calls,
                 "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                 "{\"name\":\"get\",\"arguments\":\"{\\\"a\\\":1}\"}}]"),
       "its tool calls");
    json_decref(j);

    hub_llm_acc_init(&a, p, &rq, &out);
    j = js("{\"object\":\"list\",\"data\":[]}");
    is_int(hub_llm_openai_parse(&a, j), -1, "not a completion: -1");
    json_decref(j);
}

/* what on_delta saw */
static char deltas[1024];
static int stop_after = -1;
static int on_delta(void *baton, const char *s, apr_size_t n)
{
    int *count = baton;
    strncat(deltas, s, n);
    return ++*count == stop_after;
}

/* Feed a whole stream in pieces of `step` bytes. */
static void feed(apr_pool_t *p, hub_sse_event_fn *fn, hub_llm_acc_t *a,
                 const char *s, apr_size_t step)
{
    hub_sse_parser_t *sp = hub_sse_parser_make(p, 0, fn, a);
    apr_size_t i, n = strlen(s);
    for (i = 0; i < n; i += step) {
        hub_sse_feed(sp, s + i, i + step > n ? n - i : step);
    }
    hub_sse_finish(sp);
}

static const char *OPENAI_STREAM =
    "data: {\"id\":\"c9\",\"model\":\"m\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"echo\","
    "\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"{\\\"te\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"xt\\\":1}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
    "\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
    "\"completion_tokens\":2}}\n\n"
    "data: [DONE]\n\n";

static void test_openai_stream(apr_pool_t *p)
{
    apr_size_t steps[] = { 1, 3, 17, 4096 };
    int i;
    for (i = 0; i < 4; i++) {
        hub_llm_request_t rq = { 0 };
        hub_llm_response_t out = { 0 };
        hub_llm_acc_t a;
        int count = 0;
        deltas[0] = '\0';
        rq.on_delta = on_delta;
        rq.baton = &count;
        hub_llm_acc_init(&a, p, &rq, &out);
        feed(p, hub_llm_openai_event, &a, OPENAI_STREAM, steps[i]);
        hub_llm_acc_finish(&a);
        ok(a.done, "openai stream (pieces of %d): [DONE] seen", (int)steps[i]);
        is_str(out.content, "Hello", "  the content joined");
        is_str(deltas, "Hello", "  on_delta saw the same text");
        is_str(out.finish_reason, "tool_calls", "  finish_reason");
        is_int((int)out.input_tokens + (int)out.output_tokens, 9,
               "  the usage chunk's tokens");
        ok(same_json(
               out.tool_calls,
               "[{\"id\":\"t1\",\"type\":\"function\",\"function\":"
               "{\"name\":\"echo\",\"arguments\":\"{\\\"text\\\":1}\"}}]"),
           "  the tool call put together from its pieces");
    }
}

static void test_openai_stream_stop_and_error(apr_pool_t *p)
{
    hub_llm_request_t rq = { 0 };
    hub_llm_response_t out = { 0 };
    hub_llm_acc_t a;
    int count = 0;
    deltas[0] = '\0';
    stop_after = 1;
    rq.on_delta = on_delta;
    rq.baton = &count;
    hub_llm_acc_init(&a, p, &rq, &out);
    feed(p, hub_llm_openai_event, &a, OPENAI_STREAM, 4096);
    ok(a.stopped, "on_delta's nonzero stops the stream");
    is_str(deltas, "Hel", "  nothing after it reached on_delta");
    stop_after = -1;

    hub_llm_acc_init(&a, p, &rq, &out);
    feed(p, hub_llm_openai_event, &a,
         "data: {\"error\":{\"message\":\"overloaded\"}}\n\n", 4096);
    ok(a.failed && strstr(out.error, "overloaded"),
       "an error chunk fails the stream, with its message");
}

static const char *ANTHROPIC_STREAM =
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
    "{\"id\":\"msg_1\",\"model\":\"claude-x\",\"content\":[],\"usage\":"
    "{\"input_tokens\":11,\"output_tokens\":1}}}\n\n"
    "event: ping\ndata: {\"type\":\"ping\"}\n\n"
    "event: content_block_start\ndata: {\"type\":\"content_block_start\","
    "\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
    "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
    "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"there\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
    "\"index\":0}\n\n"
    "event: content_block_start\ndata: {\"type\":\"content_block_start\","
    "\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"tu_1\","
    "\"name\":\"get\",\"input\":{}}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
    "\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
    "\"{\\\"city\\\": \"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
    "\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
    "\"\\\"Oslo\\\"}\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
    "\"index\":1}\n\n"
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
    "{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static void test_anthropic(apr_pool_t *p)
{
    apr_size_t steps[] = { 1, 7, 4096 };
    hub_llm_request_t rq = { 0 };
    hub_llm_response_t out = { 0 };
    hub_llm_acc_t a;
    json_t *j;
    int i;

    for (i = 0; i < 3; i++) {
        memset(&out, 0, sizeof(out));
        hub_llm_acc_init(&a, p, &rq, &out);
        feed(p, hub_llm_anthropic_event, &a, ANTHROPIC_STREAM, steps[i]);
        hub_llm_acc_finish(&a);
        ok(a.done, "anthropic stream (pieces of %d): message_stop seen",
           (int)steps[i]);
        is_str(out.content, "Hi there", "  text deltas joined");
        is_str(out.finish_reason, "tool_calls", "  tool_use: tool_calls");
        is_int((int)out.input_tokens, 11, "  input tokens of message_start");
        is_int((int)out.output_tokens, 9, "  output tokens of message_delta");
        is_str(out.id, "msg_1", "  the message id");
        ok(same_json(out.tool_calls,
                     "[{\"id\":\"tu_1\",\"type\":\"function\",\"function\":"
                     "{\"name\":\"get\",\"arguments\":\"{\\\"city\\\": "
                     "\\\"Oslo\\\"}\"}}]"),
           "  the tool_use block as an OpenAI tool call");
    }

    memset(&out, 0, sizeof(out));
    hub_llm_acc_init(&a, p, &rq, &out);
    j = js("{\"id\":\"msg_2\",\"type\":\"message\",\"model\":\"claude-y\","
           "\"content\":[{\"type\":\"text\",\"text\":\"done\"}],"
           "\"stop_reason\":\"max_tokens\",\"usage\":{\"input_tokens\":4,"
           "\"output_tokens\":50}}");
    is_int(hub_llm_anthropic_parse(&a, j), 0, "anthropic: a message parses");
    hub_llm_acc_finish(&a);
    is_str(out.content, "done", "  its text");
    is_str(out.finish_reason, "length", "  max_tokens: length");
    ok(out.tool_calls == NULL, "  no tool calls");
    json_decref(j);

    hub_llm_acc_init(&a, p, &rq, &out);
    feed(p, hub_llm_anthropic_event, &a,
         "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
         "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
         4096);
    ok(a.failed && strstr(out.error, "Overloaded"),
       "anthropic: an error event fails the stream");
}

static const char *err_text(apr_pool_t *p, const char *body)
{
    return hub_llm_error_text(p, body, strlen(body));
}

static void test_models_errors_defaults(apr_pool_t *p)
{
    json_t *j = js("{\"object\":\"list\",\"data\":[{\"id\":\"a\"},{\"id\":"
                   "\"b\"}]}");
    json_t *m = hub_llm_openai_models(j), *pr;
    ok(same_json(m, "[{\"id\":\"a\",\"label\":\"a\"},{\"id\":\"b\","
                    "\"label\":\"b\"}]"),
       "openai models: [{id, label}]");
    json_decref(m);
    json_decref(j);
    j = js("{\"data\":[{\"type\":\"model\",\"id\":\"claude-1\","
           "\"display_name\":\"Claude One\"}],\"has_more\":false}");
    m = hub_llm_anthropic_models(j);
    ok(same_json(m, "[{\"id\":\"claude-1\",\"label\":\"Claude One\"}]"),
       "anthropic models: display_name as label");
    json_decref(m);
    json_decref(j);
    ok(hub_llm_openai_models(NULL) == NULL, "no answer: no model list");

    is_str(err_text(p, "{\"error\":{\"message\":\"bad key\"}}"), "bad key",
           "error text: OpenAI's shape");
    is_str(err_text(p, "{\"type\":\"error\",\"error\":{\"message\":"
                       "\"slow down\"}}"),
           "slow down", "error text: Anthropic's");
    is_str(err_text(p, "{\"error\":\"plain\"}"), "plain",
           "error text: a string error");
    is_str(err_text(p, "{\"detail\":\"nope\"}"), "nope", "error text: detail");
    is_str(err_text(p, "<html>"), NULL, "error text: none");

    is_str(hub_llm_default_base("groq"), "https://api.groq.com/openai/v1",
           "groq's default base");
    is_str(hub_llm_default_base("anthropic_native"),
           "https://api.anthropic.com", "anthropic's default base");
    is_str(hub_llm_default_base("nope"), NULL, "an unknown type: none");
    ok(hub_llm_type_supported("ollama") && hub_llm_type_supported("xai"),
       "OpenAI-compatible types are spoken");
    ok(!hub_llm_type_supported("gemini_native"), "gemini_native is not");

    pr = hub_llm_pricing("gpt-4o-mini-2024-07-18", NULL);
    ok(pr && json_number_value(json_object_get(pr, "input")) == 0.15,
       "pricing: the longest prefix (gpt-4o-mini, not gpt-4o)");
    json_decref(pr);
    j = js("{\"local\":{\"input\":1,\"output\":2}}");
    ok(hub_llm_cost("local", j, 1000000, 500000) == 2.0,
       "cost: a provider's own pricing");
    json_decref(j);
    ok(hub_llm_cost("unknown-model", NULL, 100, 100) == 0,
       "cost: unknown pricing costs 0");
    is_int(hub_llm_http_status(HUB_LLM_RATE_LIMITED), 429, "429 stays 429");
    is_int(hub_llm_http_status(HUB_LLM_AUTH), 502,
           "the provider's 401 is the hub's upstream failure: 502");
}

static void test_unsupported(apr_pool_t *p)
{
    hub_llm_provider_t pv = { 0 };
    hub_llm_request_t rq = { 0 };
    hub_llm_response_t out;
    pv.type = "gemini_native";
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_UNSUPPORTED,
           "gemini_native: not supported, no call made");
    ok(out.error && strstr(out.error, "not supported"), "  saying so");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_bodies();
    test_openai_answer(p);
    test_openai_stream(p);
    test_openai_stream_stop_and_error(p);
    test_anthropic(p);
    test_models_errors_defaults(p);
    test_unsupported(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
