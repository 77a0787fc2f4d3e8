/* The wire formats behind hub_wf_llm.h: what the client core
 * (hub_wf_llm.c) asks of each provider family's file, and the accumulator
 * both fill, an answer whole or a stream piece by piece.  Private to the
 * client and its unit tests.  httpd-free. */
#ifndef HUB_WF_LLM_WIRE_H
#define HUB_WF_LLM_WIRE_H

#include <apr_tables.h>
#include "hub_sse.h"
#include "hub_wf_llm.h"

/* An answer being put together. */
typedef struct hub_llm_acc {
    apr_pool_t *p;
    const hub_llm_request_t *rq;
    hub_llm_response_t *out;
    apr_array_header_t *text; /* the content's bytes so far */
    json_t *calls;            /* OpenAI's tool calls, by position */
    json_t *blocks;           /* Anthropic: content block index -> the
                                 position of its tool call */
    int done;                 /* the stream's end was seen */
    int stopped;              /* on_delta asked to stop */
    int failed;               /* an error event came in the stream */
} hub_llm_acc_t;

void hub_llm_acc_init(hub_llm_acc_t *a, apr_pool_t *p,
                      const hub_llm_request_t *rq, hub_llm_response_t *out);
/* Append text to the content and hand it to on_delta: 0, or nonzero when
 * on_delta asked to stop. */
int hub_llm_acc_text(hub_llm_acc_t *a, const char *s, apr_size_t n);
/* The tool call at position i (made when new; an OpenAI call object). */
json_t *hub_llm_acc_call(hub_llm_acc_t *a, size_t i);
/* Append to a call's function.arguments text. */
void hub_llm_acc_args(json_t *call, const char *s);
/* Move content and tool calls into out (calls handed to the pool). */
void hub_llm_acc_finish(hub_llm_acc_t *a);

/* The message in an error answer ({"error": {"message"}}, {"error":
 * "..."}, {"message"}, {"detail"}), at most 500 bytes; NULL when none. */
const char *hub_llm_error_text(apr_pool_t *p, const char *body, apr_size_t len);

/* ---- OpenAI's chat API (hub_wf_llm_openai.c) -------------------------- */

/* The request body (a new reference). */
json_t *hub_llm_openai_body(const hub_llm_request_t *rq);
/* A whole chat.completion answer into a: 0, or -1 when it is not one. */
int hub_llm_openai_parse(hub_llm_acc_t *a, const json_t *answer);
/* One event of a stream (hub_sse_event_fn; baton an hub_llm_acc_t):
 * 0 to go on. */
int hub_llm_openai_event(void *baton, const hub_sse_event_t *ev);
/* GET /models's answer as [{id, label}] (new reference); NULL when it is
 * not one. */
json_t *hub_llm_openai_models(const json_t *answer);

/* ---- Anthropic's Messages API (hub_wf_llm_anthropic.c) ---------------- */

#define HUB_LLM_ANTHROPIC_VERSION "2023-06-01"
json_t *hub_llm_anthropic_body(const hub_llm_request_t *rq);
int hub_llm_anthropic_parse(hub_llm_acc_t *a, const json_t *answer);
int hub_llm_anthropic_event(void *baton, const hub_sse_event_t *ev);
json_t *hub_llm_anthropic_models(const json_t *answer);

#endif
