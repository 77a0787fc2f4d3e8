/* The hub's LLM client: one chat call to a provider a tenant configured
 * (llm_providers), in the provider's own wire format, over libcurl through
 * hub_http.h (its address rules: nothing internal unless HubOutboundAllow
 * says so, no redirects, timeouts always).  httpd-free (APR, jansson,
 * libcurl), so the workflow engine's agent node, GoClaw's chat
 * completions and the providers' checks share it, and the unit tests run
 * it without httpd.
 *
 * One lingua franca: messages, tools and tool calls are OpenAI's chat
 * shapes (json_t), whatever the provider speaks; the wire files translate
 * (hub_wf_llm_openai.c for openai_compat, groq, deepseek, mistral, xai and
 * ollama; hub_wf_llm_anthropic.c for anthropic_native).  gemini_native
 * answers HUB_LLM_UNSUPPORTED.
 *
 *     hub_llm_provider_t pv = { .type = "openai_compat", .api_base = base,
 *                               .api_key = key, .allow = allow };
 *     hub_llm_request_t rq = { .model = "gpt-4o-mini", .messages = msgs,
 *                              .temperature = -1 };
 *     hub_llm_response_t out;
 *     if (hub_llm_chat(p, &pv, &rq, &out) == HUB_LLM_OK) ... out.content
 *
 * Every allocation is in the pool given; the curl handle is released
 * before the call returns.  The key is only sent, never kept or written
 * into an error. */
#ifndef HUB_WF_LLM_H
#define HUB_WF_LLM_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* llm_providers.provider_type's values, NULL-ended (the enum of GoClaw's
 * ProviderInput) */
extern const char *const hub_llm_provider_types[];

/* The API base a type has when the provider names none (OpenAI-style
 * bases end in /v1; Anthropic's is its origin); NULL for an unknown
 * type. */
const char *hub_llm_default_base(const char *type);

/* 1 when the hub speaks this type's chat API. */
int hub_llm_type_supported(const char *type);

typedef struct hub_llm_provider {
    const char *id;       /* llm_providers.id, for the caller's record */
    const char *type;     /* provider_type */
    const char *api_base; /* NULL or "": the type's default */
    const char *api_key;  /* plaintext, for this call only; NULL: none */
    const apr_array_header_t *allow; /* HubOutboundAllow (hub_cidr_t) */
} hub_llm_provider_t;

/* A piece of the answer's text as it arrives (a stream); nonzero stops
 * the call (HUB_LLM_ABORTED): the client went away. */
typedef int hub_llm_delta_fn(void *baton, const char *text, apr_size_t len);

typedef struct hub_llm_request {
    const char *model;
    /* OpenAI's messages: [{role: system|user|assistant|tool, content,
     * tool_calls?, tool_call_id?}] */
    const json_t *messages;
    /* OpenAI's tools: [{type: function, function: {name, description,
     * parameters}}]; NULL: none offered */
    const json_t *tools;
    long max_tokens;    /* 0: the provider's default (Anthropic: 1024) */
    double temperature; /* < 0: not sent */
    int stream;         /* ask for a stream: on_delta gets its text */
    hub_llm_delta_fn *on_delta;
    void *baton;
    /* polled while the call runs: nonzero aborts it (a stopped
     * execution); NULL: never */
    volatile const int *abort;
    /* the same asked of a function (the workflow engine's: a stop or
     * cancel of the execution), polled as often; NULL: never */
    int (*aborted)(void *abort_baton);
    void *abort_baton;
    long timeout_ms;         /* the whole call; 0: 60000 */
    long connect_timeout_ms; /* 0: 5000 */
} hub_llm_request_t;

typedef enum {
    HUB_LLM_OK = 0,
    HUB_LLM_UPSTREAM,     /* the provider answered an error status */
    HUB_LLM_RATE_LIMITED, /* its 429; retry_after when it said */
    HUB_LLM_AUTH,         /* its 401 or 403: the key */
    HUB_LLM_REFUSED,      /* the address is internal and not allowed */
    HUB_LLM_BAD_URL,      /* api_base is no http(s) URL */
    HUB_LLM_TIMEOUT,
    HUB_LLM_UNREACHABLE, /* no connection, TLS, reset */
    HUB_LLM_BAD_ANSWER,  /* a 2xx that is not the wire format */
    HUB_LLM_ABORTED,     /* the abort flag, or on_delta, stopped it */
    HUB_LLM_UNSUPPORTED  /* a provider type the hub does not speak */
} hub_llm_status_e;

typedef struct hub_llm_response {
    hub_llm_status_e status;
    long http_status;          /* the provider's, 0 when none came */
    const char *content;       /* the answer's text, "" when none */
    json_t *tool_calls;        /* OpenAI's [{id, type: function, function:
                                  {name, arguments (JSON text)}}], owned by
                                  the pool; NULL when none */
    const char *finish_reason; /* OpenAI's words: stop, length,
                                  tool_calls, content_filter */
    const char *id;            /* the provider's id of the answer */
    const char *model;         /* the model that answered */
    long input_tokens, output_tokens;
    long retry_after;  /* seconds (a 429's Retry-After), -1: not said */
    const char *error; /* why, when not OK: the provider's message or
                          the transport's; never the key */
    double seconds;    /* the call's time */
    int streamed;      /* the answer came as a stream */
} hub_llm_response_t;

/* One chat call.  out is always filled; returns out->status. */
hub_llm_status_e hub_llm_chat(apr_pool_t *p, const hub_llm_provider_t *pv,
                              const hub_llm_request_t *rq,
                              hub_llm_response_t *out);

/* The provider's model listing (GET {base}/models, Anthropic's
 * /v1/models): *models an array of {id, label} (owned by p).  out
 * carries the status, error and time as for a chat call. */
hub_llm_status_e hub_llm_models(apr_pool_t *p, const hub_llm_provider_t *pv,
                                long timeout_ms, json_t **models,
                                hub_llm_response_t *out);

/* The status in one word (llm_calls.error, logs), and the HTTP status a
 * hub answer gives it: 429, 401 -> 502 (the hub's upstream failed, not
 * the caller), 504, 400 for a refused or malformed address, 501. */
const char *hub_llm_status_name(hub_llm_status_e st);
int hub_llm_http_status(hub_llm_status_e st);

/* What a model costs per million tokens in US dollars, {input, output}:
 * from pricing (a provider's settings.pricing, {model: {input, output}})
 * when it names the model, else the hub's table of well-known models
 * (longest prefix); NULL when unknown.  New reference. */
json_t *hub_llm_pricing(const char *model, const json_t *pricing);
/* The cost of a call in dollars, 0 when the pricing is unknown. */
double hub_llm_cost(const char *model, const json_t *pricing, long in_tokens,
                    long out_tokens);

#endif
