/* OpenAI's chat API, as openai_compat, groq, deepseek, mistral, xai and
 * ollama speak it: POST {base}/chat/completions, a chat.completion answer
 * or (stream: true) `data: {chunk}` events ending with `data: [DONE]`;
 * GET {base}/models.  The hub's lingua franca is this format already, so
 * the request is the caller's messages and tools as they are. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_wf_llm_wire.h"

json_t *hub_llm_openai_body(const hub_llm_request_t *rq)
{
    json_t *b = json_object();
    json_object_set_new(b, "model", json_string(rq->model ? rq->model : ""));
    json_object_set_new(b, "messages",
                        rq->messages ? json_incref((json_t *)rq->messages)
                                     : json_array());
    if (json_array_size(rq->tools)) {
        json_object_set(b, "tools", (json_t *)rq->tools);
    }
    if (rq->max_tokens > 0) {
        json_object_set_new(b, "max_tokens", json_integer(rq->max_tokens));
    }
    if (rq->temperature >= 0) {
        json_object_set_new(b, "temperature", json_real(rq->temperature));
    }
    if (rq->stream) {
        json_object_set_new(b, "stream", json_true());
        /* the usage comes in a last chunk only when asked for */
        json_object_set_new(b, "stream_options",
                            json_pack("{s:b}", "include_usage", 1));
    }
    return b;
}

static void take_usage(hub_llm_acc_t *a, const json_t *u)
{
    if (json_is_object(u)) {
        a->out->input_tokens = (long)json_integer_value(
            json_object_get(u, "prompt_tokens"));
        a->out->output_tokens = (long)json_integer_value(
            json_object_get(u, "completion_tokens"));
    }
}

static void take_ids(hub_llm_acc_t *a, const json_t *j)
{
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *model = json_string_value(json_object_get(j, "model"));
    if (id && !a->out->id) {
        a->out->id = apr_pstrdup(a->p, id);
    }
    if (model && !a->out->model) {
        a->out->model = apr_pstrdup(a->p, model);
    }
}

static void take_finish(hub_llm_acc_t *a, const json_t *choice)
{
    const char *f = json_string_value(json_object_get(choice, "finish_reason"));
    if (f) {
        a->out->finish_reason = apr_pstrdup(a->p, f);
    }
}

int hub_llm_openai_parse(hub_llm_acc_t *a, const json_t *answer)
{
    json_t *choice = json_array_get(json_object_get(answer, "choices"), 0);
    json_t *msg = json_object_get(choice, "message"), *calls, *c;
    const char *text;
    size_t i;

    if (!json_is_object(msg)) {
        return -1;
    }
    take_ids(a, answer);
    take_usage(a, json_object_get(answer, "usage"));
    take_finish(a, choice);
    if ((text = json_string_value(json_object_get(msg, "content")))) {
        hub_llm_acc_text(a, text, strlen(text));
    }
    calls = json_object_get(msg, "tool_calls");
    json_array_foreach(calls, i, c) {
        json_t *fn = json_object_get(c, "function");
        json_t *to = hub_llm_acc_call(a, i);
        const char *args = json_string_value(json_object_get(fn, "arguments"));
        json_object_set_new(to, "id",
                            json_string(
                                json_string_value(json_object_get(c, "id"))
                                    ?: ""));
        json_object_set_new(json_object_get(to, "function"), "name",
                            json_string(
                                json_string_value(json_object_get(fn, "name"))
                                    ?: ""));
        /* a provider may give the arguments as an object, not a text */
        if (args) {
            hub_llm_acc_args(to, args);
        }
        else if (json_is_object(json_object_get(fn, "arguments"))) {
            char *t = json_dumps(json_object_get(fn, "arguments"),
                                 JSON_COMPACT);
            if (t) {
                hub_llm_acc_args(to, t);
                free(t);
            }
        }
    }
    return 0;
}

/* One delta's tool-call pieces: a call is named by its index; its id and
 * name come once, its arguments in pieces. */
static void take_call_deltas(hub_llm_acc_t *a, const json_t *calls)
{
    json_t *c;
    size_t i;
    json_array_foreach(calls, i, c) {
        json_t *ix = json_object_get(c, "index");
        json_t *fn = json_object_get(c, "function");
        json_t *to = hub_llm_acc_call(a, json_is_integer(ix)
                                             ? (size_t)json_integer_value(ix)
                                             : i);
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *name = json_string_value(json_object_get(fn, "name"));
        const char *args = json_string_value(json_object_get(fn, "arguments"));
        if (id && *id) {
            json_object_set_new(to, "id", json_string(id));
        }
        if (name && *name) {
            json_object_set_new(json_object_get(to, "function"), "name",
                                json_string(name));
        }
        if (args) {
            hub_llm_acc_args(to, args);
        }
    }
}

int hub_llm_openai_event(void *baton, const hub_sse_event_t *ev)
{
    hub_llm_acc_t *a = baton;
    json_t *j, *choice, *delta, *err;
    const char *text;

    if (!ev->data) {
        return 0;
    }
    if (!strcmp(ev->data, "[DONE]")) {
        a->done = 1;
        return 0;
    }
    if (!(j = json_loadb(ev->data, ev->data_len, 0, NULL))) {
        return 0; /* not ours to judge: keep reading */
    }
    if ((err = json_object_get(j, "error"))) {
        const char *m = json_string_value(json_object_get(err, "message"));
        a->failed = 1;
        a->out->error = apr_pstrcat(a->p, "the provider's stream failed: ",
                                    m ? m : "an error event", NULL);
        json_decref(j);
        return 0;
    }
    take_ids(a, j);
    take_usage(a, json_object_get(j, "usage"));
    choice = json_array_get(json_object_get(j, "choices"), 0);
    delta = json_object_get(choice, "delta");
    take_finish(a, choice);
    if ((text = json_string_value(json_object_get(delta, "content")))) {
        hub_llm_acc_text(a, text, strlen(text));
    }
    take_call_deltas(a, json_object_get(delta, "tool_calls"));
    json_decref(j);
    return a->stopped;
}

json_t *hub_llm_openai_models(const json_t *answer)
{
    json_t *data = json_object_get(answer, "data"), *m, *out;
    size_t i;
    if (!json_is_array(data)) {
        /* ollama's own /api/tags shape, or a bare array */
        data = json_is_array(answer) ? (json_t *)answer
                                     : json_object_get(answer, "models");
    }
    if (!json_is_array(data)) {
        return NULL;
    }
    out = json_array();
    json_array_foreach(data, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        if (!id) {
            id = json_string_value(json_object_get(m, "name"));
        }
        if (id) {
            json_array_append_new(out, json_pack("{s:s,s:s}", "id", id, "label",
                                                 id));
        }
    }
    return out;
}
