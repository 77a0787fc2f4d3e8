/* Anthropic's Messages API (anthropic_native): POST {base}/v1/messages
 * with x-api-key and anthropic-version; a message answer, or (stream)
 * the events message_start, content_block_start/delta/stop,
 * message_delta and message_stop; GET {base}/v1/models.
 *
 * Translated from and to the client's OpenAI shapes:
 *   system messages     -> `system` (joined by blank lines)
 *   assistant tool_calls -> tool_use content blocks (input: the parsed
 *                          arguments)
 *   tool messages       -> tool_result blocks of one user message (those
 *                          in a row share it, as Anthropic requires)
 *   tools               -> {name, description, input_schema}
 *   stop_reason         -> finish_reason: end_turn/stop_sequence stop,
 *                          max_tokens length, tool_use tool_calls */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_wf_llm_wire.h"

static const char *text_of(const json_t *content)
{
    return json_string_value(content);
}

/* An assistant message with tool calls as content blocks. */
static json_t *assistant_blocks(const json_t *m)
{
    json_t *blocks = json_array(), *c;
    const char *t = text_of(json_object_get(m, "content"));
    size_t i;
    if (t && *t) {
        json_array_append_new(blocks, json_pack("{s:s,s:s}", "type", "text",
                                                "text", t));
    }
    json_array_foreach(json_object_get(m, "tool_calls"), i, c) {
        json_t *fn = json_object_get(c, "function");
        const char *args = json_string_value(json_object_get(fn, "arguments"));
        json_t *input = args ? json_loads(args, 0, NULL) : NULL;
        if (!json_is_object(input)) {
            json_decref(input);
            input = json_object();
        }
        json_array_append_new(
            blocks,
            json_pack("{s:s,s:s,s:s,s:o}", "type", "tool_use", "id",
                      json_string_value(json_object_get(c, "id")) ?: "", "name",
                      json_string_value(json_object_get(fn, "name")) ?: "",
                      "input", input));
    }
    return blocks;
}

static json_t *messages_of(const json_t *in, json_t **system)
{
    json_t *out = json_array(), *m, *results = NULL;
    size_t i;
    *system = NULL;
    json_array_foreach(in, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));
        json_t *content = json_object_get(m, "content");
        if (!role) {
            continue;
        }
        if (strcmp(role, "tool")) {
            results = NULL; /* the next tool result starts a message */
        }
        if (!strcmp(role, "system")) {
            const char *t = text_of(content);
            const char *old = json_string_value(*system);
            if (t) {
                json_t *both = old ? json_sprintf("%s\n\n%s", old, t)
                                   : json_string(t);
                json_decref(*system);
                *system = both;
            }
        }
        else if (!strcmp(role, "tool")) {
            if (!results) {
                results = json_array();
                json_array_append_new(out,
                                      json_pack("{s:s,s:o}", "role", "user",
                                                "content", results));
            }
            json_array_append_new(
                results,
                json_pack("{s:s,s:s,s:s}", "type", "tool_result", "tool_use_id",
                          json_string_value(json_object_get(m, "tool_call_id"))
                              ?: "",
                          "content", text_of(content) ?: ""));
        }
        else if (!strcmp(role, "assistant")
                 && json_array_size(json_object_get(m, "tool_calls"))) {
            json_array_append_new(out,
                                  json_pack("{s:s,s:o}", "role", "assistant",
                                            "content", assistant_blocks(m)));
        }
        else {
            json_t *c = content ? json_incref(content) : json_string("");
            json_array_append_new(out, json_pack("{s:s,s:o}", "role",
                                                 strcmp(role, "assistant")
                                                     ? "user"
                                                     : "assistant",
                                                 "content", c));
        }
    }
    return out;
}

static json_t *tools_of(const json_t *tools)
{
    json_t *out = json_array(), *t;
    size_t i;
    json_array_foreach(tools, i, t) {
        json_t *fn = json_object_get(t, "function");
        json_t *params = json_object_get(fn, "parameters");
        json_t *one =
            json_pack("{s:s,s:O}", "name",
                      json_string_value(json_object_get(fn, "name")) ?: "",
                      "input_schema",
                      params ? params : json_pack("{s:s}", "type", "object"));
        if (json_is_string(json_object_get(fn, "description"))) {
            json_object_set(one, "description",
                            json_object_get(fn, "description"));
        }
        json_array_append_new(out, one);
    }
    return out;
}

json_t *hub_llm_anthropic_body(const hub_llm_request_t *rq)
{
    json_t *system, *b = json_object();
    json_object_set_new(b, "model", json_string(rq->model ? rq->model : ""));
    json_object_set_new(b, "messages", messages_of(rq->messages, &system));
    if (system) {
        json_object_set_new(b, "system", system);
    }
    json_object_set_new(b, "max_tokens",
                        json_integer(
                            rq->max_tokens > 0 ? rq->max_tokens : 1024));
    if (json_array_size(rq->tools)) {
        json_object_set_new(b, "tools", tools_of(rq->tools));
    }
    if (rq->temperature >= 0) {
        json_object_set_new(b, "temperature", json_real(rq->temperature));
    }
    if (rq->stream) {
        json_object_set_new(b, "stream", json_true());
    }
    return b;
}

static const char *finish_of(const char *stop)
{
    if (!stop) {
        return NULL;
    }
    if (!strcmp(stop, "tool_use")) {
        return "tool_calls";
    }
    if (!strcmp(stop, "max_tokens")) {
        return "length";
    }
    return "stop";
}

static void take_usage(hub_llm_acc_t *a, const json_t *u)
{
    json_t *in = json_object_get(u, "input_tokens");
    json_t *out = json_object_get(u, "output_tokens");
    if (json_is_integer(in)) {
        a->out->input_tokens = (long)json_integer_value(in);
    }
    if (json_is_integer(out)) {
        a->out->output_tokens = (long)json_integer_value(out);
    }
}

static void take_message(hub_llm_acc_t *a, const json_t *msg)
{
    const char *id = json_string_value(json_object_get(msg, "id"));
    const char *model = json_string_value(json_object_get(msg, "model"));
    const char *f = finish_of(
        json_string_value(json_object_get(msg, "stop_reason")));
    if (id) {
        a->out->id = apr_pstrdup(a->p, id);
    }
    if (model) {
        a->out->model = apr_pstrdup(a->p, model);
    }
    if (f) {
        a->out->finish_reason = f;
    }
    take_usage(a, json_object_get(msg, "usage"));
}

/* A tool_use block as the next OpenAI tool call; input given whole (an
 * answer) or NULL (a stream: it comes in input_json_delta pieces). */
static json_t *tool_call(hub_llm_acc_t *a, const json_t *block,
                         const json_t *input)
{
    json_t *c = hub_llm_acc_call(a, json_array_size(a->calls));
    json_object_set_new(c, "id",
                        json_string(
                            json_string_value(json_object_get(block, "id"))
                                ?: ""));
    json_object_set_new(json_object_get(c, "function"), "name",
                        json_string(
                            json_string_value(json_object_get(block, "name"))
                                ?: ""));
    if (input) {
        char *t = json_dumps(input, JSON_COMPACT);
        if (t) {
            hub_llm_acc_args(c, t);
            free(t);
        }
    }
    return c;
}

int hub_llm_anthropic_parse(hub_llm_acc_t *a, const json_t *answer)
{
    json_t *content = json_object_get(answer, "content"), *b;
    size_t i;
    if (!json_is_array(content)) {
        return -1;
    }
    take_message(a, answer);
    json_array_foreach(content, i, b) {
        const char *type = json_string_value(json_object_get(b, "type"));
        const char *t = json_string_value(json_object_get(b, "text"));
        if (type && !strcmp(type, "text") && t) {
            hub_llm_acc_text(a, t, strlen(t));
        }
        else if (type && !strcmp(type, "tool_use")) {
            json_t *in = json_object_get(b, "input");
            json_t *empty = json_object();
            tool_call(a, b, in ? in : empty);
            json_decref(empty);
        }
    }
    return 0;
}

static void block_start(hub_llm_acc_t *a, const json_t *j)
{
    json_t *b = json_object_get(j, "content_block");
    const char *type = json_string_value(json_object_get(b, "type"));
    char key[32];
    if (type && !strcmp(type, "tool_use")) {
        apr_snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(j, "index")));
        json_object_set_new(a->blocks, key,
                            json_integer(
                                (json_int_t)json_array_size(a->calls)));
        tool_call(a, b, NULL);
    }
}

static int block_delta(hub_llm_acc_t *a, const json_t *j)
{
    json_t *d = json_object_get(j, "delta");
    const char *type = json_string_value(json_object_get(d, "type"));
    char key[32];
    if (!type) {
        return 0;
    }
    if (!strcmp(type, "text_delta")) {
        const char *t = json_string_value(json_object_get(d, "text"));
        return t ? hub_llm_acc_text(a, t, strlen(t)) : 0;
    }
    if (!strcmp(type, "input_json_delta")) {
        const char *t = json_string_value(json_object_get(d, "partial_json"));
        json_t *at;
        apr_snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(j, "index")));
        at = json_object_get(a->blocks, key);
        if (t && at) {
            hub_llm_acc_args(json_array_get(a->calls,
                                            (size_t)json_integer_value(at)),
                             t);
        }
    }
    return 0;
}

int hub_llm_anthropic_event(void *baton, const hub_sse_event_t *ev)
{
    hub_llm_acc_t *a = baton;
    json_t *j = ev->data ? json_loadb(ev->data, ev->data_len, 0, NULL) : NULL;
    const char *type = json_string_value(json_object_get(j, "type"));
    int stop = 0;

    if (!type) {
        type = ev->event;
    }
    if (!j || !type) {
        json_decref(j);
        return 0;
    }
    if (!strcmp(type, "message_start")) {
        take_message(a, json_object_get(j, "message"));
    }
    else if (!strcmp(type, "content_block_start")) {
        block_start(a, j);
    }
    else if (!strcmp(type, "content_block_delta")) {
        stop = block_delta(a, j);
    }
    else if (!strcmp(type, "message_delta")) {
        const char *f = finish_of(json_string_value(
            json_object_get(json_object_get(j, "delta"), "stop_reason")));
        if (f) {
            a->out->finish_reason = f;
        }
        take_usage(a, json_object_get(j, "usage"));
    }
    else if (!strcmp(type, "message_stop")) {
        a->done = 1;
    }
    else if (!strcmp(type, "error")) {
        const char *m = json_string_value(
            json_object_get(json_object_get(j, "error"), "message"));
        a->failed = 1;
        a->out->error = apr_pstrcat(a->p, "the provider's stream failed: ",
                                    m ? m : "an error event", NULL);
    }
    json_decref(j);
    return stop;
}

json_t *hub_llm_anthropic_models(const json_t *answer)
{
    json_t *data = json_object_get(answer, "data"), *m, *out;
    size_t i;
    if (!json_is_array(data)) {
        return NULL;
    }
    out = json_array();
    json_array_foreach(data, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        const char *label = json_string_value(
            json_object_get(m, "display_name"));
        if (id) {
            json_array_append_new(out, json_pack("{s:s,s:s}", "id", id, "label",
                                                 label ? label : id));
        }
    }
    return out;
}
