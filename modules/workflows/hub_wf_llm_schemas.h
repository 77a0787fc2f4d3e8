/* The answers of the LLM routes (GoClaw's /v1/providers, /v1/agents,
 * /v1/chat/completions; G4F's /providers) as the served OpenAPI
 * documents describe them (hub_openapi_schema.h), written once here next
 * to the row shapes they mirror: the providers' and agents' columns
 * (sql/035_workflows.sql says which are NOT NULL) and OpenAI's
 * chat.completion.  t/http/58 and 59 check each against live answers. */
#ifndef HUB_WF_LLM_SCHEMAS_H
#define HUB_WF_LLM_SCHEMAS_H

#include "hub_openapi_schema.h"

/* ---- the words a member may be ---- */
/* hub_llm_provider_types */
#define LS_PROVIDER_TYPE \
    ENUM("\"anthropic_native\",\"openai_compat\",\"gemini_native\"," \
         "\"groq\",\"deepseek\",\"mistral\",\"xai\",\"ollama\"")
/* the stored key: "********" when there is one, "" when none */
#define LS_MASKED_KEY ENUM("\"********\",\"\"")
/* the last check's outcome (llm_providers.status) */
#define LS_CHECKED ENUM("\"unknown\",\"ok\",\"error\"")
/* G4F's status: disabled, else the last check's */
#define LS_G4F_STATUS ENUM("\"disabled\",\"unknown\",\"ok\",\"error\"")
#define LS_AGENT_TYPE ENUM("\"open\",\"predefined\"")
#define LS_TRIGGERED  ENUM("\"triggered\"")
#define LS_FUNCTION   ENUM("\"function\"")
#define LS_ASSISTANT  ENUM("\"assistant\"")
#define LS_COMPLETION ENUM("\"chat.completion\"")
#define LS_USD        ENUM("\"USD\"")
#define LS_PER_1M     ENUM("\"1M tokens\"")
#define LS_CAPS       ARRAY_OF(ENUM("\"chat\",\"stream\",\"tools\""))
#define LS_SUPPORTS   ARRAY_OF(ENUM("\"chat\",\"stream\",\"tools\",\"models\""))
/* the caller's own settings (a jsonb object) */
#define LS_SETTINGS "{\"type\":\"object\",\"additionalProperties\":true}"
/* {"status": "updated"} / {"status": "deleted"}: GoClaw's answer to a
 * change */
#define LS_STATUS(word) OBJ("\"status\":" ENUM("\"" word "\""), "\"status\"")

/* ---- GoClaw /v1/providers ---- */
/* provider_json */
#define LS_PROVIDER \
    OBJ("\"id\":" STR ",\"name\":" STR ",\"display_name\":" NSTR \
        ",\"provider_type\":" LS_PROVIDER_TYPE ",\"api_base\":" NSTR \
        ",\"api_key\":" LS_MASKED_KEY ",\"enabled\":" BOOL \
        ",\"settings\":" LS_SETTINGS ",\"status\":" LS_CHECKED \
        ",\"last_error\":" NSTR ",\"last_checked_at\":" NSTR \
        ",\"created_by\":" NSTR ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"name\",\"display_name\",\"provider_type\",\"api_base\"," \
        "\"api_key\",\"enabled\",\"settings\",\"status\",\"last_error\"," \
        "\"last_checked_at\",\"created_by\",\"created_at\",\"updated_at\"")
#define LS_PROVIDER_LIST \
    OBJ("\"providers\":" ARRAY_OF(REF("Provider")), "\"providers\"")
/* the provider's listing now: name is its label (else its id) */
#define LS_MODEL_NAME OBJ("\"id\":" STR ",\"name\":" STR, "\"id\",\"name\"")
#define LS_PROVIDER_MODELS \
    OBJ("\"models\":" ARRAY_OF(LS_MODEL_NAME), "\"models\"")
/* error only when not valid */
#define LS_VERIFY OBJ("\"valid\":" BOOL ",\"error\":" STR, "\"valid\"")

/* ---- GoClaw /v1/agents ---- */
/* provider the provider's name (null: none, or it was deleted) */
#define LS_AGENT \
    OBJ("\"id\":" STR ",\"name\":" STR ",\"display_name\":" NSTR \
        ",\"agent_type\":" LS_AGENT_TYPE ",\"description\":" NSTR \
        ",\"provider\":" NSTR ",\"provider_id\":" NSTR ",\"model\":" NSTR \
        ",\"system_prompt\":" NSTR ",\"tools\":" STRS \
        ",\"settings\":" LS_SETTINGS ",\"created_by\":" NSTR \
        ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"name\",\"display_name\",\"agent_type\",\"description\"," \
        "\"provider\",\"provider_id\",\"model\",\"system_prompt\"," \
        "\"tools\",\"settings\",\"created_by\",\"created_at\"," \
        "\"updated_at\"")
#define LS_AGENT_LIST OBJ("\"agents\":" ARRAY_OF(REF("Agent")), "\"agents\"")
#define LS_WAKE \
    OBJ("\"status\":" LS_TRIGGERED ",\"execution_id\":" STR \
        ",\"agent_id\":" STR, \
        "\"status\",\"execution_id\",\"agent_id\"")

/* ---- GoClaw /v1/chat/completions: OpenAI's chat.completion ---- */
/* a tool call as OpenAI answers it, its arguments JSON text */
#define LS_FUNCTION_CALL \
    OBJ("\"name\":" STR ",\"arguments\":" STR, "\"name\",\"arguments\"")
#define LS_TOOL_CALL \
    OBJ("\"id\":" STR ",\"type\":" LS_FUNCTION \
        ",\"function\":" LS_FUNCTION_CALL, \
        "\"id\",\"type\",\"function\"")
/* content null when the answer is only tool calls; tool_calls only when
 * there are some */
#define LS_CHAT_MESSAGE \
    OBJ("\"role\":" LS_ASSISTANT ",\"content\":" NSTR \
        ",\"tool_calls\":" ARRAY_OF(LS_TOOL_CALL), \
        "\"role\",\"content\"")
/* finish_reason the provider's word in OpenAI's terms (stop, length,
 * tool_calls, content_filter) */
#define LS_CHAT_CHOICE \
    OBJ("\"index\":" INT ",\"message\":" LS_CHAT_MESSAGE \
        ",\"finish_reason\":" STR, \
        "\"index\",\"message\",\"finish_reason\"")
#define LS_CHAT_USAGE \
    OBJ("\"prompt_tokens\":" INT ",\"completion_tokens\":" INT \
        ",\"total_tokens\":" INT, \
        "\"prompt_tokens\",\"completion_tokens\",\"total_tokens\"")
/* model is the caller's (goclaw:<agent>) */
#define LS_CHAT_COMPLETION \
    OBJ("\"id\":" STR ",\"object\":" LS_COMPLETION ",\"created\":" INT \
        ",\"model\":" STR \
        ",\"choices\":" ARRAY_OF(LS_CHAT_CHOICE) ",\"usage\":" LS_CHAT_USAGE, \
        "\"id\",\"object\",\"created\",\"model\",\"choices\",\"usage\"")

/* ---- G4F /providers (the pages' items, the answers of a call) ---- */
/* base_url the api_base, else the type's default (none: null) */
#define LS_G4F_PROVIDER \
    OBJ("\"id\":" STR ",\"label\":" STR ",\"type\":" LS_PROVIDER_TYPE \
        ",\"status\":" LS_G4F_STATUS ",\"base_url\":" NSTR \
        ",\"supports\":" LS_SUPPORTS ",\"last_checked_at\":" NSTR, \
        "\"id\",\"label\",\"type\",\"status\",\"base_url\",\"supports\"," \
        "\"last_checked_at\"")
/* US dollars per million tokens; null when unknown */
#define LS_G4F_PRICING \
    "{\"type\":\"object\",\"nullable\":true,\"properties\":{" \
    "\"input\":" NUM ",\"output\":" NUM ",\"currency\":" LS_USD \
    ",\"unit\":" LS_PER_1M "},\"required\":[\"input\",\"output\"," \
    "\"currency\",\"unit\"]}"
/* context_tokens null: the providers' listings do not say */
#define LS_G4F_MODEL \
    OBJ("\"id\":" STR ",\"label\":" STR ",\"context_tokens\":" NINT \
        ",\"capabilities\":" LS_CAPS ",\"pricing\":" LS_G4F_PRICING, \
        "\"id\",\"label\",\"context_tokens\",\"capabilities\",\"pricing\"")
#define LS_G4F_SCAN \
    OBJ("\"ok\":" BOOL ",\"discovered\":" STRS ",\"warnings\":" STRS, \
        "\"ok\",\"discovered\",\"warnings\"")
/* details: model null when there was none to call (then only error);
 * http_status the provider's (null: none came), status the call's
 * outcome, error when it failed */
#define LS_G4F_DETAILS \
    OBJ("\"model\":" NSTR ",\"http_status\":" NINT ",\"status\":" STR \
        ",\"error\":" STR, \
        "\"model\"")
#define LS_G4F_TEST \
    OBJ("\"ok\":" BOOL ",\"latency_ms\":" INT ",\"details\":" LS_G4F_DETAILS, \
        "\"ok\",\"latency_ms\",\"details\"")

#endif
