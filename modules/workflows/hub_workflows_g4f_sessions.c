/* G4F's sessions and their messages (chat_sessions, chat_messages of
 * sql/035):
 *
 *   GET   /projects/{project_id}/sessions   {items[], next_cursor}
 *   POST  /projects/{project_id}/sessions   {"session"}
 *   GET   /sessions/{session_id}            {"session"}
 *   PATCH /sessions/{session_id}            {"ok": true}
 *   GET   /sessions/{session_id}/messages   {items[], next_cursor}
 *   POST  /sessions/{session_id}/messages   {"message_id"}
 *
 * Decisions where the document is open:
 * - a session belongs to one project of the caller's tenant; an unknown,
 *   malformed or another tenant's project or session id is 404
 *   NOT_FOUND, as G4F's projects answer.
 * - sessions are listed most recently active first (updated_at: a new
 *   message or run moves a session up); `q` is a substring of the title
 *   (any case, LIKE's wildcards literal), `status` exact.  limit 1..200
 *   (50), cursor the offset next_cursor gave.
 * - status is free text (1..50; "active" by default): G4F names no set.
 *   provider_id and model_id are what the session's runs use when their
 *   agent names none (null clears them); config is an object, memory any
 *   JSON value but null, tags up to 50 strings of 1..100 characters.
 * - PATCH needs at least one field.
 * - messages are listed oldest first (the conversation's order, ts then
 *   id); after_ts and before_ts (ISO-8601) are exclusive bounds.  role is
 *   system, user, assistant or tool; content is 1..1000 parts, each an
 *   object (such as {"type": "text", "text": "..."}) or a string; meta an
 *   object. */
#include <apr_strings.h>
#include "hub_workflows_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_text.h"
#include "hub_validate.h"

#define SESSION_COLS \
    "s.id, s.project_id, s.title, s.status, s.provider_id, s.model_id," \
    " s.config::text AS config, s.memory::text AS memory," \
    " s.tags::text AS tags, iso8601(s.created_at) AS created_at," \
    " iso8601(s.updated_at) AS updated_at"

/* clang-format off */
const hub_stmt_t hub_workflows_g4f_sessions_stmts[] = {
    { "hub_wf_sessions_page",
      "WITH p AS (SELECT %s::text AS pattern, %s::text AS status),"
      " f AS (SELECT s.* FROM chat_sessions s, p"
      "        WHERE s.project_id = %s::uuid"
      "          AND (p.pattern IS NULL OR s.title ILIKE p.pattern)"
      "          AND (p.status IS NULL OR s.status = p.status))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM projects pr LEFT JOIN LATERAL ("
      "    SELECT " SESSION_COLS " FROM f s"
      "     ORDER BY s.updated_at DESC, s.id DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true"
      "  WHERE pr.id = $3::uuid AND pr.tenant_id = %s::uuid" },
    { "hub_wf_session_create",
      "WITH s AS (INSERT INTO chat_sessions (tenant_id, project_id, title,"
      "              status, provider_id, model_id, config, memory, tags,"
      "              created_by)"
      "  SELECT pr.tenant_id, pr.id, %s::text, coalesce(%s::text, 'active'),"
      "         %s::text, %s::text, coalesce(%s::jsonb, '{}'),"
      "         coalesce(%s::jsonb, '{}'), coalesce(%s::jsonb, '[]'),"
      "         %s::uuid"
      "    FROM projects pr WHERE pr.id = %s::uuid AND pr.tenant_id = %s::uuid"
      "  RETURNING *)"
      " SELECT " SESSION_COLS " FROM s" },
    { "hub_wf_session_get",
      "SELECT " SESSION_COLS " FROM chat_sessions s"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid" },
    /* provider_id and model_id: $n given says whether to set (null
     * clears), the rest keep their value when NULL */
    { "hub_wf_session_update",
      "UPDATE chat_sessions SET title = coalesce(%s::text, title),"
      "       status = coalesce(%s::text, status),"
      "       provider_id = CASE WHEN %s::boolean THEN %s::text"
      "                          ELSE provider_id END,"
      "       model_id = CASE WHEN %s::boolean THEN %s::text"
      "                       ELSE model_id END,"
      "       config = coalesce(%s::jsonb, config),"
      "       memory = coalesce(%s::jsonb, memory),"
      "       tags = coalesce(%s::jsonb, tags), updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { "hub_wf_messages_page",
      "WITH p AS (SELECT %s::timestamptz AS after, %s::timestamptz AS before),"
      " f AS (SELECT m.* FROM chat_messages m, p"
      "        WHERE m.session_id = %s::uuid"
      "          AND (p.after IS NULL OR m.ts > p.after)"
      "          AND (p.before IS NULL OR m.ts < p.before))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM chat_sessions s LEFT JOIN LATERAL ("
      "    SELECT m.id, m.session_id, m.role, m.content::text AS content,"
      "           m.meta::text AS meta, iso8601(m.ts) AS ts"
      "      FROM f m ORDER BY m.ts, m.id"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true"
      "  WHERE s.id = $3::uuid AND s.tenant_id = %s::uuid" },
    /* a message moves its session up the list */
    { "hub_wf_message_create",
      "WITH s AS (UPDATE chat_sessions SET updated_at = now()"
      "            WHERE id = %s::uuid AND tenant_id = %s::uuid"
      "            RETURNING id, tenant_id)"
      " INSERT INTO chat_messages (tenant_id, session_id, role, content, meta)"
      " SELECT s.tenant_id, s.id, %s::text, %s::jsonb,"
      "        coalesce(%s::jsonb, '{}') FROM s"
      " RETURNING id" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_PAGE, ST_CREATE, ST_GET, ST_UPDATE, ST_MSG_PAGE, ST_MSG_CREATE };
#define STMT(i) (&hub_workflows_g4f_sessions_stmts[i])

#define TAGS_MAX    50
#define TAG_MAX     100
#define CONTENT_MAX 1000
#define NO_SESSION  "session not found"
#define NO_PROJECT  "project not found"

/* clang-format off */
static const hub_shape_t session_shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "title", NULL, HUB_J_STRING },
    { "status", NULL, HUB_J_STRING },
    { "provider_id", NULL, HUB_J_STRING },
    { "model_id", NULL, HUB_J_STRING },
    { "config", NULL, HUB_J_JSON },
    { "memory", NULL, HUB_J_JSON },
    { "tags", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t message_shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "session_id", NULL, HUB_J_STRING },
    { "role", NULL, HUB_J_STRING },
    { "content", NULL, HUB_J_JSON },
    { "meta", NULL, HUB_J_JSON },
    { "ts", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t list_query[] = {
    HUB_Q_G4F_PAGE,
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "in the title, any case" },
    { "status", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 50, 0, NULL,
      "exactly this status" },
    HUB_Q_END
};

static const hub_qfield_t messages_query[] = {
    HUB_Q_G4F_PAGE,
    { "after_ts", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "messages after this time (ISO-8601)" },
    { "before_ts", HUB_Q_DATETIME, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "messages before this time (ISO-8601)" },
    HUB_Q_END
};

static const hub_field_t session_create_in[] = {
    { "title", HUB_T_STRING, HUB_F_REQUIRED, 1, 500, NULL, "session title" },
    { "provider_id", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "the provider its runs use when their agent names none" },
    { "model_id", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "the model its runs use when their agent names none" },
    { "status", HUB_T_STRING, 0, 1, 50, NULL, "active by default" },
    { "config", HUB_T_OBJECT, 0, 0, 0, NULL, NULL },
    { "memory", HUB_T_ANY, 0, 0, 0, NULL, "any JSON value but null" },
    { "tags", HUB_T_ARRAY, 0, 0, 0, NULL, "up to 50 strings" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t session_update_in[] = {
    { "title", HUB_T_STRING, 0, 1, 500, NULL, NULL },
    { "status", HUB_T_STRING, 0, 1, 50, NULL, NULL },
    { "provider_id", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "null clears it" },
    { "model_id", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "null clears it" },
    { "config", HUB_T_OBJECT, 0, 0, 0, NULL, NULL },
    { "memory", HUB_T_ANY, 0, 0, 0, NULL, "any JSON value but null" },
    { "tags", HUB_T_ARRAY, 0, 0, 0, NULL, "up to 50 strings" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const char *const roles[] = { "system", "user", "assistant", "tool",
                                     NULL };

static const hub_field_t message_create_in[] = {
    { "role", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, roles,
      "system | user | assistant | tool" },
    { "content", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "1..1000 parts: objects such as {\"type\": \"text\", \"text\": ...}, "
      "or strings" },
    { "meta", HUB_T_OBJECT, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* A path id that is a UUID, else NULL with 404 (G4F answers a malformed
 * id as it answers an unknown one). */
static const char *path_id(hub_req_t *hr, hub_result_t *res, const char *name,
                           const char *not_found)
{
    const char *id = hub_param(hr, name);
    if (!hub_is_uuid(id)) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", not_found);
        return NULL;
    }
    return id;
}

/* A member of the body as JSON text, NULL when absent. */
static const char *body_json(hub_req_t *hr, const char *name)
{
    json_t *v = json_object_get(hr->body, name);
    return v ? hub_json_text(hr->pool, v) : NULL;
}

static const char *body_str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

/* tags and memory beyond the field table: DECLINED or HUB_DONE. */
static int check_extras(hub_req_t *hr, hub_result_t *res)
{
    json_t *tags = json_object_get(hr->body, "tags"), *v;
    json_t *memory = json_object_get(hr->body, "memory");
    size_t i;

    if (memory && json_is_null(memory)) {
        return hub_err_field(res, "body", "memory", "value_error",
                             "memory cannot be null; give {} to clear it");
    }
    if (json_array_size(tags) > TAGS_MAX) {
        return hub_err_field(res, "body", "tags", "too_long",
                             "at most 50 tags");
    }
    json_array_foreach(tags, i, v) {
        size_t n = json_string_length(v);
        if (!json_is_string(v) || n < 1 || n > TAG_MAX) {
            return hub_err_field(res, "body",
                                 apr_psprintf(hr->pool, "tags.%u", (unsigned)i),
                                 "string_type",
                                 "a tag is a string of 1..100 characters");
        }
    }
    return DECLINED;
}

static int sessions_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[6];
    hub_page_t pg;

    if (!(args[2] = path_id(hr, res, "project_id", NO_PROJECT))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = hub_like_contains(hr->pool, hub_qv_str(&hr->q, "q"));
    args[1] = hub_qv_str(&hr->q, "status");
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    args[5] = hr->who->tenant_id;
    return hub_select_page(hr, res, STMT(ST_PAGE), 6, args, session_shape, &pg,
                           NO_PROJECT);
}

static int session_create(hub_req_t *hr, hub_result_t *res)
{
    const char *args[10];
    hub_rows_t *row;

    if (!(args[8] = path_id(hr, res, "project_id", NO_PROJECT))
        || check_extras(hr, res) != DECLINED) {
        return HUB_DONE;
    }
    args[0] = body_str(hr, "title");
    args[1] = body_str(hr, "status");
    args[2] = body_str(hr, "provider_id");
    args[3] = body_str(hr, "model_id");
    args[4] = body_json(hr, "config");
    args[5] = body_json(hr, "memory");
    args[6] = body_json(hr, "tags");
    args[7] = hr->who->user_id;
    args[9] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_CREATE), 10, args, &row, NO_PROJECT)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, json_pack("{s:o}", "session",
                                 hub_row_json(row, 0, session_shape)));
}

static int session_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2];
    hub_rows_t *row;

    if (!(args[0] = path_id(hr, res, "session_id", NO_SESSION))) {
        return HUB_DONE;
    }
    args[1] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_GET), 2, args, &row, NO_SESSION)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, json_pack("{s:o}", "session",
                                 hub_row_json(row, 0, session_shape)));
}

static int session_update(hub_req_t *hr, hub_result_t *res)
{
    const char *args[11];
    const hub_field_t *f;
    hub_db_status_e st;
    int affected = 0, given = 0;

    if (!(args[9] = path_id(hr, res, "session_id", NO_SESSION))) {
        return HUB_DONE;
    }
    for (f = session_update_in; f->name; f++) {
        given += json_object_get(hr->body, f->name) != NULL;
    }
    if (!given) {
        return hub_err_field(res, "body", NULL, "missing",
                             "body: give at least one of title, status, "
                             "provider_id, model_id, config, memory, tags");
    }
    if (check_extras(hr, res) != DECLINED) {
        return HUB_DONE;
    }
    args[0] = body_str(hr, "title");
    args[1] = body_str(hr, "status");
    args[2] = json_object_get(hr->body, "provider_id") ? "true" : "false";
    args[3] = body_str(hr, "provider_id");
    args[4] = json_object_get(hr->body, "model_id") ? "true" : "false";
    args[5] = body_str(hr, "model_id");
    args[6] = body_json(hr, "config");
    args[7] = body_json(hr, "memory");
    args[8] = body_json(hr, "tags");
    args[10] = hr->who->tenant_id;
    st = hub_db_exec(hr->r, STMT(ST_UPDATE), &affected, 11, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!affected) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", NO_SESSION);
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

static int messages_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[6];
    hub_page_t pg;

    if (!(args[2] = path_id(hr, res, "session_id", NO_SESSION))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = hub_qv_str(&hr->q, "after_ts");
    args[1] = hub_qv_str(&hr->q, "before_ts");
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    args[5] = hr->who->tenant_id;
    return hub_select_page(hr, res, STMT(ST_MSG_PAGE), 6, args, message_shape,
                           &pg, NO_SESSION);
}

static int message_create(hub_req_t *hr, hub_result_t *res)
{
    json_t *content = json_object_get(hr->body, "content"), *v;
    const char *args[5];
    hub_rows_t *row;
    size_t i;

    if (!(args[0] = path_id(hr, res, "session_id", NO_SESSION))) {
        return HUB_DONE;
    }
    if (!json_array_size(content) || json_array_size(content) > CONTENT_MAX) {
        return hub_err_field(res, "body", "content", "value_error",
                             "content: give 1 to 1000 parts");
    }
    json_array_foreach(content, i, v) {
        if (!json_is_object(v) && !json_is_string(v)) {
            return hub_err_field(res, "body",
                                 apr_psprintf(hr->pool, "content.%u",
                                              (unsigned)i),
                                 "value_error",
                                 "a content part is an object or a string");
        }
    }
    args[1] = hr->who->tenant_id;
    args[2] = body_str(hr, "role");
    args[3] = hub_json_text(hr->pool, content);
    args[4] = body_json(hr, "meta");
    if (hub_select_one(hr, res, STMT(ST_MSG_CREATE), 5, args, &row, NO_SESSION)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res,
                  json_pack("{s:s}", "message_id", hub_rows_get(row, 0, "id")));
}

/* The answers in the served document (hub_doc_t), as the statements and
 * shapes above give them: provider_id, model_id unset are null; so is
 * project_id of a session made outside a project.  config and meta are
 * the caller's objects, memory any JSON value. */
#define FREE_OBJ "{\"type\":\"object\",\"additionalProperties\":true}"
#define SESSION_SCHEMA \
    OBJ("\"id\":" STR ",\"project_id\":" NSTR ",\"title\":" STR \
        ",\"status\":" STR ",\"provider_id\":" NSTR ",\"model_id\":" NSTR \
        ",\"config\":" FREE_OBJ ",\"memory\":{}" \
        ",\"tags\":" STRS ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"project_id\",\"title\",\"status\",\"provider_id\"," \
        "\"model_id\",\"config\",\"memory\",\"tags\",\"created_at\"," \
        "\"updated_at\"")
/* a content part: an object such as {"type": "text", "text": "..."}, or
 * a string */
#define PART_SCHEMA \
    "{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"type\":" STR \
    ",\"text\":" STR "},\"additionalProperties\":true}," STR "]}"
#define ROLE_SCHEMA  ENUM("\"system\",\"user\",\"assistant\",\"tool\"")
#define PARTS_SCHEMA ARRAY_OF(PART_SCHEMA)
#define MESSAGE_SCHEMA \
    OBJ("\"id\":" STR ",\"session_id\":" STR ",\"role\":" ROLE_SCHEMA \
        ",\"content\":" PARTS_SCHEMA ",\"meta\":" FREE_OBJ ",\"ts\":" STR, \
        "\"id\",\"session_id\",\"role\",\"content\",\"meta\",\"ts\"")
#define SESSIONS_OUT HUB_DOC("Session", SESSION_SCHEMA)
#define SESSION_OUT \
    HUB_DOC("SessionResponse", \
            OBJ("\"session\":" SESSION_SCHEMA, "\"session\""))
#define MESSAGES_OUT HUB_DOC("Message", MESSAGE_SCHEMA)
#define MESSAGE_ID_OUT \
    HUB_DOC("MessageCreated", OBJ("\"message_id\":" STR, "\"message_id\""))

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_workflows_g4f_sessions_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}/sessions", sessions_list,
      NULL, G4F_IN, 0, "Sessions / Messages / Runs: GET /projects/{project_id}/sessions",
      .need = HUB_NEED_READ, .query = list_query, .shape = session_shape,
      .wrap = HUB_WRAP_G4F_PAGE, .doc = SESSIONS_OUT },
    { HUB_G4F, HUB_M_POST, "/projects/{project_id}/sessions", session_create,
      session_create_in, G4F_IN, 0,
      "Sessions / Messages / Runs: POST /projects/{project_id}/sessions",
      .need = HUB_NEED_WRITE, .doc = SESSION_OUT },
    { HUB_G4F, HUB_M_GET, "/sessions/{session_id}", session_get, NULL, G4F_IN,
      0, "Sessions / Messages / Runs: GET /sessions/{session_id}",
      .need = HUB_NEED_READ, .doc = SESSION_OUT },
    { HUB_G4F, HUB_M_PATCH, "/sessions/{session_id}", session_update,
      session_update_in, G4F_IN, 0, "Sessions / Messages / Runs: PATCH /sessions/{session_id}",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_GET, "/sessions/{session_id}/messages", messages_list,
      NULL, G4F_IN, 0, "Sessions / Messages / Runs: GET /sessions/{session_id}/messages",
      .need = HUB_NEED_READ, .query = messages_query, .shape = message_shape,
      .wrap = HUB_WRAP_G4F_PAGE, .doc = MESSAGES_OUT },
    { HUB_G4F, HUB_M_POST, "/sessions/{session_id}/messages", message_create,
      message_create_in, G4F_IN, 0,
      "Sessions / Messages / Runs: POST /sessions/{session_id}/messages",
      .need = HUB_NEED_WRITE, .doc = MESSAGE_ID_OUT },
    { 0 }
};
/* clang-format on */
