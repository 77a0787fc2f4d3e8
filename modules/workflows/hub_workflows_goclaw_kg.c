/* GoClaw's knowledge graph of an agent: GET|POST
 * /v1/agents/{agentID}/kg/entities and POST /v1/agents/{agentID}/kg/traverse
 * (sql/041_agent_memory.sql).
 *
 * Decisions, where the hub is simpler than GoClaw:
 * - an entity is one per agent, name and entity_type; GoClaw's per-user
 *   graphs (user_id; accepted, not kept), temporal validity and
 *   embeddings are not kept.  Entity: id, agent_id, external_id,
 *   name, entity_type, description, properties (any JSON object; GoClaw
 *   keeps strings), confidence (at most 1; 0 or less is GoClaw's "not
 *   said": 1 for a new entity, kept otherwise), created_at,
 *   updated_at (ISO 8601 text, as the hub's other GoClaw resources).
 * - the list is GoClaw's bare array of entities, by name: type (an
 *   entity_type), q (a part of the name, any case), limit (1..500,
 *   default 50) and offset narrow it.
 * - upsert: name and entity_type are required (GoClaw also requires
 *   external_id; here it is optional).  The same name and type again
 *   updates that entity: external_id and description when given (null
 *   or absent keeps them), properties and confidence when given.
 *   Relations come in the same body (GoClaw makes them only from its
 *   LLM extraction): `relations`, at most 100 of {relation_type,
 *   target (an entity's id or name), target_type (when the name has
 *   several types); other members ignored, as Go's JSON does}, from
 *   this entity to the target; a target that is
 *   no entity, or a name of several types, is 400 and nothing changes;
 *   a relation already there is kept once.  The entity and its
 *   relations are one statement.  Answer GoClaw's {"status": "ok"} with
 *   the entity, whether it was created, and how many relations were
 *   added.
 * - traverse: entity_id (an entity's id or name; entity_type picks
 *   among names of several types) and max_depth (1..5, default 2;
 *   GoClaw clamps, the hub says 400).  It follows relations from source
 *   to target (a recursive CTE; a path never visits an entity twice, so
 *   cycles end) and answers each entity reached once, at its least
 *   depth, as GoClaw's TraversalResult {entity, depth, path (the ids
 *   from the start), via (the last relation's type)}, in "results"; with
 *   the start entity and the relations among the start and what was
 *   reached ("relations"), which GoClaw's bare array cannot carry.
 * - {agentID} is the agent's id or name (hub_wf_memory_agent): another
 *   tenant's agent is 404 {"error": ...}; so is an unknown start. */
#include <apr_strings.h>
#include "hub_wf_memory.h"
#include "hub_wf_memory_schemas.h"
#include "hub_validate.h"

#define MAX_RELATIONS 100

/* clang-format off */
static const hub_qfield_t list_q[] = {
    { "type", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 1, 100, 0, NULL,
      "only entities of this entity_type" },
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 1, 500, 0, NULL,
      "a part of the name (any case)" },
    { "user_id", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "accepted; the hub keeps one graph per agent" },
    { "limit", HUB_Q_INT, 0, 1, 500, 50, NULL, "at most this many" },
    { "offset", HUB_Q_INT, 0, 0, 1000000, 0, NULL, "skip this many" },
    { NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t upsert_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 500, NULL, NULL },
    { "entity_type", HUB_T_STRING, HUB_F_REQUIRED, 1, 100, NULL,
      "with name, what the entity is known by" },
    { "external_id", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 10000, NULL, NULL },
    { "properties", HUB_T_OBJECT, 0, 0, 0, NULL, NULL },
    { "confidence", HUB_T_NUMBER, 0, 0, 0, NULL,
      "at most 1; 0 or less: not said (1 when new)" },
    { "relations", HUB_T_ARRAY, 0, 0, 0, NULL,
      "[{relation_type, target (id or name), target_type}]" },
    { "user_id", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "accepted; the hub keeps one graph per agent" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t traverse_in[] = {
    { "entity_id", HUB_T_STRING, HUB_F_REQUIRED, 1, 500, NULL,
      "the start: an entity's id or name" },
    { "entity_type", HUB_T_STRING, HUB_F_NULLABLE, 1, 100, NULL,
      "the start's type, when its name has several" },
    { "max_depth", HUB_T_INTEGER, 0, 1, 5, NULL, "default 2" },
    { "user_id", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "accepted; the hub keeps one graph per agent" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t gc_entity[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "agent_id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "external_id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "entity_type", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "description", NULL, HUB_J_STRING },
    { "properties", NULL, HUB_J_JSON | HUB_J_NOTNULL },
    { "confidence", NULL, HUB_J_JSON | HUB_J_NOTNULL },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_step[] = {
    { "depth", NULL, HUB_J_INT },
    { "path", NULL, HUB_J_STRINGS },
    { "via", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_relation[] = {
    { "id", NULL, HUB_J_STRING },
    { "agent_id", NULL, HUB_J_STRING },
    { "source_entity_id", NULL, HUB_J_STRING },
    { "relation_type", NULL, HUB_J_STRING },
    { "target_entity_id", NULL, HUB_J_STRING },
    { "confidence", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

static int list(hub_req_t *hr, hub_result_t *res)
{
    const char *agent = hub_wf_memory_agent(hr, res);
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!agent) {
        return HUB_DONE;
    }
    st = hub_wf_kg_list(hr, agent, hub_qv_str(&hr->q, "type"),
                        hub_qv_str(&hr->q, "q"),
                        apr_ltoa(hr->pool, hub_qv_long(&hr->q, "limit")),
                        apr_ltoa(hr->pool, hub_qv_long(&hr->q, "offset")),
                        &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, hub_rows_json(rows, gc_entity));
}

/* Each relation an object of relation_type (1..100) and target (1..500)
 * strings, target_type a string when there: DECLINED, or the 400. */
static int check_relations(hub_result_t *res, const json_t *rels)
{
    size_t i;
    json_t *v;
    if (json_array_size(rels) > MAX_RELATIONS) {
        return bad(res, "relations: at most %s", "100");
    }
    json_array_foreach(rels, i, v) {
        const char *type = json_string_value(
            json_object_get(v, "relation_type"));
        const char *target = json_string_value(json_object_get(v, "target"));
        json_t *tt = json_object_get(v, "target_type");
        if (!json_is_object(v) || !type || !*type || strlen(type) > 100
            || !target || !*target || strlen(target) > 500
            || (tt && !json_is_null(tt)
                && (!json_is_string(tt) || !*json_string_value(tt)
                    || strlen(json_string_value(tt)) > 100))) {
            return bad(res,
                       "relations[%s]: an object of relation_type (1..100) "
                       "and target (an entity's id or name), target_type "
                       "optional",
                       apr_ltoa(res->pool, (long)i));
        }
    }
    return DECLINED;
}

static int upsert(hub_req_t *hr, hub_result_t *res)
{
    const char *agent = hub_wf_memory_agent(hr, res);
    json_t *b = hr->body, *rels, *props, *conf;
    hub_wf_kg_entity_in_t in = { 0 };
    hub_rows_t *row;
    hub_db_status_e st;
    if (!agent) {
        return HUB_DONE;
    }
    in.name = json_string_value(json_object_get(b, "name"));
    in.entity_type = json_string_value(json_object_get(b, "entity_type"));
    in.external_id = json_string_value(json_object_get(b, "external_id"));
    in.description = json_string_value(json_object_get(b, "description"));
    /* GoClaw's zero value: not said (1 for a new entity) */
    conf = json_object_get(b, "confidence");
    if (conf && json_number_value(conf) > 1) {
        return bad(res, "confidence: at most 1%s", "");
    }
    if (conf && json_number_value(conf) > 0) {
        in.confidence = apr_psprintf(hr->pool, "%.17g",
                                     json_number_value(conf));
    }
    props = json_object_get(b, "properties");
    if (props) {
        in.properties = hub_json_text(hr->pool, props);
    }
    rels = json_object_get(b, "relations");
    if (rels && json_array_size(rels)) {
        hub_rows_t *badrow;
        if (check_relations(res, rels) != DECLINED) {
            return HUB_DONE;
        }
        in.relations = hub_json_text(hr->pool, rels);
        st = hub_wf_kg_bad_target(hr, agent, in.relations, &badrow);
        if (st != HUB_DB_OK) {
            return hub_err_db(res, st, NULL, hr->request_id);
        }
        if (badrow->rows->nelts) {
            const char *n = hub_rows_get(badrow, 0, "n");
            return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                           "relations: target %s %s",
                           hub_rows_get(badrow, 0, "target"),
                           n && strcmp(n, "0")
                               ? "names entities of several types: give "
                                 "target_type"
                               : "is no entity of this agent");
        }
    }
    st = hub_wf_kg_upsert(hr, agent, &in, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:s,s:o,s:b,s:i}", "status", "ok", "entity",
                            hub_row_json(row, 0, gc_entity), "created",
                            !strcmp(hub_rows_get(row, 0, "created"), "t"),
                            "relations_added",
                            atoi(hub_rows_get(row, 0, "relations_added"))));
}

static int traverse(hub_req_t *hr, hub_result_t *res)
{
    const char *agent = hub_wf_memory_agent(hr, res);
    json_t *b = hr->body, *out, *d;
    const char *ref, *start;
    hub_rows_t *found, *rows, *rels;
    hub_db_status_e st;
    long depth;
    int i;
    if (!agent) {
        return HUB_DONE;
    }
    ref = json_string_value(json_object_get(b, "entity_id"));
    d = json_object_get(b, "max_depth");
    depth = d ? (long)json_integer_value(d) : 2;
    st = hub_wf_kg_find(hr, agent, ref,
                        json_string_value(json_object_get(b, "entity_type")),
                        &found);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!found->rows->nelts) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "entity not found: %s",
                       ref);
    }
    if (found->rows->nelts > 1) {
        return bad(res,
                   "entity_id: %s names entities of several types: give "
                   "entity_type",
                   ref);
    }
    start = hub_rows_get(found, 0, "id");
    st = hub_wf_kg_traverse(hr, agent, start, apr_ltoa(hr->pool, depth), &rows);
    if (st == HUB_DB_OK) {
        const char *ids = apr_pstrcat(hr->pool, "{", start, NULL);
        for (i = 0; i < rows->rows->nelts; i++) {
            ids = apr_pstrcat(hr->pool, ids, ",", hub_rows_get(rows, i, "id"),
                              NULL);
        }
        st = hub_wf_kg_relations_among(hr, agent,
                                       apr_pstrcat(hr->pool, ids, "}", NULL),
                                       &rels);
    }
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    out = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_t *step = hub_row_json(rows, i, gc_step);
        json_object_set_new(step, "entity", hub_row_json(rows, i, gc_entity));
        json_array_append_new(out, step);
    }
    return hub_ok(res, json_pack("{s:o,s:i,s:o,s:o,s:i}", "entity",
                                 hub_row_json(found, 0, gc_entity), "max_depth",
                                 (int)depth, "results", out, "relations",
                                 hub_rows_json(rels, gc_relation), "count",
                                 (int)rows->rows->nelts));
}

/* clang-format off */
const hub_route_t hub_workflows_goclaw_kg_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/agents/{agentID}/kg/entities", list, NULL,
      0, 0, "List KG entities",
      .need = HUB_NEED_READ, .query = list_q,
      .doc = HUB_DOC("KGEntity", MS_ENTITY) },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents/{agentID}/kg/entities", upsert,
      upsert_in, 0, 0, "Upsert KG entity",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("KGEntityUpserted", MS_UPSERTED) },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents/{agentID}/kg/traverse", traverse,
      traverse_in, 0, 0, "Traverse knowledge graph",
      .need = HUB_NEED_READ, .doc = HUB_DOC("KGTraversal", MS_TRAVERSAL) },
    { 0 }
};
/* clang-format on */
