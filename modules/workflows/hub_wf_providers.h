/* LLM providers and agents as mod_hub_workflows keeps them (llm_providers,
 * agents, llm_calls of sql/035), for the profiles' endpoints and for the
 * workflow engine's agent node:
 *
 *   hub_wf_providers_store.c  the only SQL over llm_providers; sealing of
 *                             API keys; a provider made ready for a call
 *                             (hub_wf_target_t: its key opened, the
 *                             operator's outbound ranges)
 *   hub_wf_agents_store.c     the only SQL over agents
 *   hub_wf_calls_store.c      every provider call recorded in llm_calls
 *   hub_wf_providers_check.c  the checks GoClaw's /verify and /models and
 *                             G4F's /test, /models and /scan share
 *
 * A provider is named by its id (a uuid) or its name (GoClaw's slug,
 * G4F's provider_id) in the caller's tenant; API keys are sealed with
 * HubSecretKeyFile's key (mod_hub_servers.h) bound to the tenant, opened
 * only for a call and never answered: answers say HUB_WF_MASK. */
#ifndef HUB_WF_PROVIDERS_H
#define HUB_WF_PROVIDERS_H

#include "hub_workflows_private.h"
#include "hub_wf_llm.h"

#define HUB_WF_MASK "********"

/* the time a check (/verify, /test, /models, /scan) may take, and a chat
 * completion */
#define HUB_WF_CHECK_TIMEOUT_MS 15000
#define HUB_WF_CHAT_TIMEOUT_MS  120000

extern const hub_stmt_t hub_wf_providers_stmts[];
extern const hub_stmt_t hub_wf_agents_stmts[];
extern const hub_stmt_t hub_wf_calls_stmts[];
extern const hub_stmt_t *const hub_wf_wake_stmts; /* the agents' wake */

/* A name as llm_providers.name and agents.name take it: a letter or
 * digit, then up to 99 of letters, digits, '_', '.', '-'. */
int hub_wf_is_name(const char *s);

/* ---- providers ---------------------------------------------------------- */

/* Answer columns: id, name, display_name, provider_type, api_base,
 * has_key (t/f), enabled, status, last_error, last_checked_at, models,
 * settings, created_by, created_at, updated_at. */
hub_db_status_e hub_wf_providers_all(hub_req_t *hr, hub_rows_t **rows);
/* A page (first column total, hub_rows_page_total). */
hub_db_status_e hub_wf_providers_page(hub_req_t *hr, long limit, long offset,
                                      hub_rows_t **rows);
/* By id or name; no row when there is none. */
hub_db_status_e hub_wf_provider_get(hub_req_t *hr, const char *ref,
                                    hub_rows_t **row);

/* What a create or an update says; NULL values are SQL NULLs.  An update
 * changes only the fields whose set_* is 1 (name, type and enabled: when
 * not NULL). */
typedef struct hub_wf_provider_in {
    const char *name, *display_name, *type, *api_base;
    const char *api_key; /* sealed ("v1:...") or NULL */
    const char *enabled; /* "true"/"false" or NULL */
    int set_display, set_base, set_key;
} hub_wf_provider_in_t;

hub_db_status_e hub_wf_provider_insert(
    hub_req_t *hr, const hub_wf_provider_in_t *in, hub_rows_t **row);
hub_db_status_e hub_wf_provider_update(hub_req_t *hr, const char *id,
                                       const hub_wf_provider_in_t *in,
                                       hub_rows_t **row);
hub_db_status_e hub_wf_provider_delete(hub_req_t *hr, const char *id,
                                       int *deleted);

/* Seal an API key for the caller's tenant: "v1:..." in *out, or the
 * answer (500: no HubSecretKeyFile) in res and HUB_DONE. */
int hub_wf_seal_key(hub_req_t *hr, hub_result_t *res, const char *plain,
                    const char **out);

/* A provider made ready for calls. */
typedef struct hub_wf_target {
    hub_llm_provider_t pv; /* key opened, outbound ranges set */
    const char *name;
    int enabled;
    const json_t *models;   /* its last listing, [{id, label}] */
    const json_t *settings; /* settings.pricing, settings.default_model */
} hub_wf_target_t;

/* The provider ref of tenant, ready for a call: NULL, or why not (no
 * such provider: *found 0; a key that does not open).  For requests;
 * hub_wf_target_on for background work (the engine's workers). */
const char *hub_wf_target(request_rec *r, const char *tenant, const char *ref,
                          hub_wf_target_t *t, int *found);
const char *hub_wf_target_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                             const char *tenant, const char *ref,
                             hub_wf_target_t *t, int *found);

/* The outcome of a check: status ok or error, the error, and the models
 * listed (NULL: keep the stored ones). */
hub_db_status_e hub_wf_provider_checked(
    request_rec *r, const char *tenant, const char *id, int ok,
    const char *error, const json_t *models);

/* ---- agents ------------------------------------------------------------- */

/* Answer columns: id, name, display_name, agent_type, description,
 * provider (its name), provider_id, model, system_prompt, tools,
 * settings, created_by, created_at, updated_at. */
hub_db_status_e hub_wf_agents_all(hub_req_t *hr, hub_rows_t **rows);
/* By id or name; no row when there is none.  With a request or without
 * (the engine). */
hub_db_status_e hub_wf_agent_get(hub_req_t *hr, const char *ref,
                                 hub_rows_t **row);
hub_db_status_e hub_wf_agent_find(request_rec *r, const char *tenant,
                                  const char *ref, hub_rows_t **row);
hub_db_status_e hub_wf_agent_get_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                    const char *tenant, const char *ref,
                                    hub_rows_t **row);

typedef struct hub_wf_agent_in {
    const char *name, *display_name, *agent_type, *description;
    const char *provider_id, *model, *system_prompt;
    int set_display, set_description, set_provider, set_model, set_prompt;
} hub_wf_agent_in_t;

hub_db_status_e hub_wf_agent_insert(hub_req_t *hr, const hub_wf_agent_in_t *in,
                                    hub_rows_t **row);
hub_db_status_e hub_wf_agent_update(hub_req_t *hr, const char *id,
                                    const hub_wf_agent_in_t *in,
                                    hub_rows_t **row);
hub_db_status_e hub_wf_agent_delete(hub_req_t *hr, const char *id,
                                    int *deleted);

/* ---- calls -------------------------------------------------------------- */

/* One provider call for llm_calls.  trace_id groups a request's (or an
 * execution's) calls; the ids may be NULL. */
typedef struct hub_wf_call {
    const char *tenant_id, *trace_id;
    const char *execution_id, *node_id, *agent_id;
    const hub_wf_target_t *target;
    const char *model; /* asked for (the answer's when it says) */
    const hub_llm_response_t *res;
} hub_wf_call_t;

hub_db_status_e hub_wf_call_record(request_rec *r, const hub_wf_call_t *c);
hub_db_status_e hub_wf_call_record_on(apr_pool_t *p, server_rec *s,
                                      ap_dbd_t *dbd, const hub_wf_call_t *c);

/* ---- one agent's call (hub_wf_agent_call.c) ----------------------------- */

/* Where statements run: a request's connection (r), or a background
 * worker's (p, s, dbd: the workflow engine's). */
typedef struct hub_wf_db {
    request_rec *r;
    apr_pool_t *p;
    server_rec *s;
    ap_dbd_t *dbd;
} hub_wf_db_t;

/* What the workflow engine's agent node (and GoClaw's chat completions)
 * ask: an agent's call, or a provider's and a model's without one. */
typedef struct hub_wf_agent_call {
    const char *tenant_id;
    const char *trace_id;     /* NULL: a new one (llm_calls.trace_id) */
    const char *execution_id; /* the llm_calls row's; may be NULL */
    const char *node_id;
    const char *agent;    /* an agent's id or name, or NULL */
    const char *provider; /* a provider's id or name: instead of the
                             agent's, or without one */
    const char *model;    /* instead of the agent's */
    const char *system;   /* instead of the agent's system prompt */
    /* the rest as hub_llm_request_t has it: the system prompt is put
     * before messages */
    const json_t *messages, *tools;
    long max_tokens;
    double temperature; /* < 0: not sent */
    hub_llm_delta_fn *on_delta;
    void *baton;
    volatile const int *abort;
    int (*aborted)(void *abort_baton); /* as hub_llm_request_t's */
    void *abort_baton;
    long timeout_ms; /* 0: HUB_WF_CHAT_TIMEOUT_MS */
} hub_wf_agent_call_t;

typedef enum {
    HUB_WF_RUN_CALLED = 0,  /* the call was made: out says how it went */
    HUB_WF_RUN_NO_AGENT,    /* no such agent */
    HUB_WF_RUN_NO_PROVIDER, /* the agent has none, or no such provider */
    HUB_WF_RUN_DISABLED,    /* the provider is disabled */
    HUB_WF_RUN_NO_MODEL,    /* neither the call nor the agent names one */
    HUB_WF_RUN_FAILED       /* the database, or a key that does not open */
} hub_wf_run_e;

/* Resolve the agent, its provider and model; make the call; record it
 * in llm_calls.  *why says what went wrong when not CALLED (and out's
 * error when the call failed).  *agent_id gets the agent's id when
 * there is one. */
hub_wf_run_e hub_wf_agent_run(
    const hub_wf_db_t *db, const hub_wf_agent_call_t *c,
    hub_llm_response_t *out, const char **why, const char **agent_id);

/* ---- checks (hub_wf_providers_check.c) ---------------------------------- */

/* The model a check calls: model when given, else settings.default_model,
 * else the first of the stored listing, else the first the provider
 * lists now; NULL with *why when none can be found. */
const char *hub_wf_check_model(hub_req_t *hr, hub_wf_target_t *t,
                               const char *model, const char **why);
/* A minimal chat call ("ping", a few tokens), recorded in llm_calls and
 * the provider's status: out filled, its status returned. */
hub_llm_status_e hub_wf_check_chat(hub_req_t *hr, hub_wf_target_t *t,
                                   const char *model, hub_llm_response_t *out);
/* The provider's model listing now, kept as its models: NULL with out
 * saying why. */
json_t *hub_wf_check_models(hub_req_t *hr, hub_wf_target_t *t,
                            hub_llm_response_t *out);

/* A body a route may have or not (its route takes hub_body_raw): NULL
 * when none; DECLINED, or HUB_DONE with the 400 (not a JSON object). */
int hub_wf_optional_body(hub_req_t *hr, hub_result_t *res, json_t **body);

#endif
