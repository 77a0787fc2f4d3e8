/* GoClaw's agent memory: GET /v1/memory/documents and
 * POST /v1/agents/{agentID}/memory/search, and the hub's writer PUT
 * /v1/agents/{agentID}/memory/documents (sql/041_agent_memory.sql).
 *
 * Decisions, where the hub is simpler than GoClaw:
 * - a memory document is one text per agent and path (GoClaw's
 *   MEMORY.md, memory/<day>.md), with an optional title; GoClaw's
 *   per-user copies (user_id) and chunks are not kept: a document is
 *   searched whole, and a result's start_line is 1, its end_line the
 *   document's last line.
 * - the list is GoClaw's bare array of DocumentInfo, every document of
 *   the caller's tenant (GoClaw's "global" list is its admin's view):
 *   id, agent_id, agent (its name), path, title, hash (md5 of the text),
 *   size (characters), created_at and updated_at as ISO 8601 text (as
 *   the hub's other GoClaw resources answer times; GoClaw: epoch ms).
 *   No content in the list, as in GoClaw.
 * - search is PostgreSQL's full-text search, not GoClaw's hybrid of
 *   embeddings and text: plainto_tsquery('english', query) over a
 *   weighted tsvector (title, then path, then text; a GIN index),
 *   ranked by ts_rank, the snippet by ts_headline (matches in <b>).  The
 *   hub has no embedding model, so there is no vector search and no
 *   min_score.  Body: query (required, 1..1000), limit (1..100, default
 *   10; the spec's name; GoClaw's max_results is accepted too).  Answer
 *   GoClaw's {"results": [{path, title, start_line, end_line, score,
 *   snippet, source: "memory"}], "count"}.
 * - {agentID} is the agent's id or name; another tenant's agent, or
 *   none, is 404 {"error": "agent not found: ..."}.
 * - how documents get in: GoClaw writes them from agent runs (its
 *   memory tools) and through PUT .../memory/documents/{path...}, which
 *   the hub's document does not list.  The hub's agent runs do not keep
 *   memory yet; the hub adds PUT /v1/agents/{agentID}/memory/documents
 *   with the path in the body (httpd refuses encoded slashes, and the
 *   hub's routes take one segment per parameter): path (1..500), title
 *   (kept when absent or null), content (at most 1000000 characters,
 *   and the body within HubMaxBodySize; the same path again replaces
 *   it).  Answer GoClaw's {"status": "ok", "path"} with the id, the
 *   hash and whether it was created; write access. */
#include <apr_strings.h>
#include "hub_wf_memory.h"
#include "hub_wf_providers.h"
#include "hub_wf_memory_schemas.h"
#include "hub_validate.h"

/* clang-format off */
static const hub_field_t search_in[] = {
    { "query", HUB_T_STRING, HUB_F_REQUIRED, 1, 1000, NULL,
      "words to find (PostgreSQL full-text search, English)" },
    { "limit", HUB_T_INTEGER, 0, 1, 100, NULL, "default 10" },
    { "max_results", HUB_T_INTEGER, 0, 1, 100, NULL,
      "GoClaw's name of limit" },
    { "user_id", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "accepted; the hub keeps no per-user memory" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t put_in[] = {
    { "path", HUB_T_STRING, HUB_F_REQUIRED, 1, 500, NULL,
      "e.g. MEMORY.md, memory/2026-01-02.md" },
    { "title", HUB_T_STRING, HUB_F_NULLABLE, 0, 500, NULL,
      "absent or null: kept" },
    { "content", HUB_T_STRING, HUB_F_REQUIRED, 0, 1000000, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t gc_document[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "agent_id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "agent", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "path", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "title", NULL, HUB_J_STRING },
    { "hash", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "size", NULL, HUB_J_INT | HUB_J_NOTNULL },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_hit[] = {
    { "path", NULL, HUB_J_STRING },
    { "title", NULL, HUB_J_STRING },
    { "start_line", NULL, HUB_J_INT },
    { "end_line", NULL, HUB_J_INT },
    { "score", NULL, HUB_J_JSON },
    { "snippet", NULL, HUB_J_STRING },
    { "source", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* {agentID} of the caller's tenant: its id, or HUB_DONE with the 404 */
const char *hub_wf_memory_agent(hub_req_t *hr, hub_result_t *res)
{
    const char *ref = hub_param(hr, "agentID");
    hub_rows_t *row;
    hub_db_status_e st = hub_wf_agent_get(hr, ref, &row);
    if (st != HUB_DB_OK) {
        hub_err_db(res, st, NULL, hr->request_id);
        return NULL;
    }
    if (!row->rows->nelts) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "agent not found: %s",
                ref ? ref : "");
        return NULL;
    }
    return hub_rows_get(row, 0, "id");
}

static int list_all(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    hub_db_status_e st = hub_wf_memory_all(hr, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, hub_rows_json(rows, gc_document));
}

static int search(hub_req_t *hr, hub_result_t *res)
{
    const char *agent = hub_wf_memory_agent(hr, res);
    json_t *lim;
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!agent) {
        return HUB_DONE;
    }
    lim = json_object_get(hr->body, "limit");
    if (!lim) {
        lim = json_object_get(hr->body, "max_results");
    }
    st = hub_wf_memory_search(
        hr, agent, json_string_value(json_object_get(hr->body, "query")),
        apr_psprintf(hr->pool, "%ld",
                     lim ? (long)json_integer_value(lim) : 10L),
        &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:o,s:i}", "results", hub_rows_json(rows, gc_hit),
                            "count", (int)rows->rows->nelts));
}

static int put(hub_req_t *hr, hub_result_t *res)
{
    const char *agent = hub_wf_memory_agent(hr, res);
    json_t *b = hr->body;
    hub_rows_t *row;
    hub_db_status_e st;
    if (!agent) {
        return HUB_DONE;
    }
    st = hub_wf_memory_put(hr, agent,
                           json_string_value(json_object_get(b, "path")),
                           json_string_value(json_object_get(b, "title")),
                           json_string_value(json_object_get(b, "content")),
                           &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:s,s:s,s:s,s:s,s:b}", "status", "ok", "id",
                            hub_rows_get(row, 0, "id"), "path",
                            hub_rows_get(row, 0, "path"), "hash",
                            hub_rows_get(row, 0, "hash"), "created",
                            !strcmp(hub_rows_get(row, 0, "created"), "t")));
}

/* clang-format off */
const hub_route_t hub_workflows_goclaw_memory_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/memory/documents", list_all, NULL, 0, 0,
      "List all memory documents",
      .need = HUB_NEED_READ,
      .doc = HUB_DOC("MemoryDocument", MS_DOCUMENT) },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents/{agentID}/memory/search", search,
      search_in, 0, 0, "Search agent memory",
      .need = HUB_NEED_READ,
      .doc = HUB_DOC("MemorySearchResults", MS_SEARCH) },
    /* the hub's own (see above) */
    { HUB_GOCLAW, HUB_M_PUT, "/v1/agents/{agentID}/memory/documents", put,
      put_in, 0, 0, "Write a memory document",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("MemoryDocumentWritten", MS_WRITTEN) },
    { 0 }
};
/* clang-format on */
