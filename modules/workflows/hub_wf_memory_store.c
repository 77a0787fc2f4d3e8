/* The only SQL over memory_documents, kg_entities and kg_relations
 * (hub_wf_memory.h). */
#include "hub_wf_memory.h"

#define DOC_COLS \
    "d.id, d.agent_id, a.name AS agent, d.path, d.title, d.hash," \
    " length(d.content) AS size, iso8601(d.created_at) AS created_at," \
    " iso8601(d.updated_at) AS updated_at"
#define ENTITY_COLS(e) \
    e ".id, " e ".agent_id, " e ".external_id, " e ".name, " e ".entity_type," \
      " " e ".description, " e ".properties, " e ".confidence," \
      " iso8601(" e ".created_at) AS created_at," \
      " iso8601(" e ".updated_at) AS updated_at"
#define ENTITY_FIND \
    " FROM kg_entities e WHERE e.tenant_id = %s::uuid" \
    " AND e.agent_id = %s::uuid"

/* clang-format off */
const hub_stmt_t hub_wf_memory_stmts[] = {
    { "hub_wf_memory_all",
      "SELECT " DOC_COLS " FROM memory_documents d"
      " JOIN agents a ON a.id = d.agent_id AND a.tenant_id = d.tenant_id"
      " WHERE d.tenant_id = %s::uuid"
      " ORDER BY d.updated_at DESC, a.name, d.path" },
    /* ts_rank over the weighted tsv (title A, path B, text D); the
     * snippet is the best passage, matches in <b></b> */
    { "hub_wf_memory_search",
      "SELECT d.path, d.title, 1 AS start_line,"
      "  greatest(1, array_length(string_to_array(d.content, E'\\n'), 1))"
      "    AS end_line,"
      "  round(ts_rank(d.tsv, q)::numeric, 6) AS score,"
      "  ts_headline('english', d.content, q,"
      "              'MaxWords=35, MinWords=15') AS snippet,"
      "  'memory' AS source"
      " FROM memory_documents d, plainto_tsquery('english', %s) q"
      " WHERE d.tenant_id = %s::uuid AND d.agent_id = %s::uuid"
      "   AND d.tsv @@ q"
      " ORDER BY ts_rank(d.tsv, q) DESC, d.updated_at DESC, d.path"
      " LIMIT %s::int" },
    /* the same path again replaces the text (the title when given) */
    { "hub_wf_memory_put",
      "INSERT INTO memory_documents AS d (tenant_id, agent_id, path, title,"
      "   content)"
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s)"
      " ON CONFLICT (agent_id, path) DO UPDATE SET"
      "  title = coalesce(EXCLUDED.title, d.title),"
      "  content = EXCLUDED.content, updated_at = now()"
      " RETURNING d.id, d.path, d.hash, (d.xmax = 0) AS created" },
    { "hub_wf_kg_list",
      "SELECT " ENTITY_COLS("e") ENTITY_FIND
      " AND (%s::text IS NULL OR e.entity_type = %s)"
      " AND (%s::text IS NULL OR strpos(lower(e.name), lower(%s)) > 0)"
      " ORDER BY e.name, e.entity_type, e.id LIMIT %s::int OFFSET %s::int" },
    { "hub_wf_kg_find",
      "SELECT " ENTITY_COLS("e") ENTITY_FIND
      " AND (e.id::text = %s OR (e.name = %s"
      "      AND (%s::text IS NULL OR e.entity_type = %s)))"
      " ORDER BY e.entity_type LIMIT 2" },
    { "hub_wf_kg_bad_target",
      "SELECT x.ord, x.v->>'target' AS target, count(e.id) AS n"
      " FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS x(v, ord)"
      " LEFT JOIN kg_entities e ON e.tenant_id = %s::uuid"
      "  AND e.agent_id = %s::uuid"
      "  AND (e.id::text = x.v->>'target' OR (e.name = x.v->>'target'"
      "       AND (x.v->>'target_type' IS NULL"
      "            OR e.entity_type = x.v->>'target_type')))"
      " GROUP BY x.ord, x.v HAVING count(e.id) <> 1"
      " ORDER BY x.ord LIMIT 1" },
    /* one statement: the entity and its new relations together */
    { "hub_wf_kg_upsert",
      "WITH e AS (INSERT INTO kg_entities AS k (tenant_id, agent_id,"
      "   external_id, name, entity_type, description, properties,"
      "   confidence)"
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s, %s,"
      "         coalesce(%s::jsonb, '{}'), coalesce(%s::float8, 1))"
      " ON CONFLICT (agent_id, name, entity_type) DO UPDATE SET"
      "  external_id = coalesce(EXCLUDED.external_id, k.external_id),"
      "  description = coalesce(EXCLUDED.description, k.description),"
      "  properties = CASE WHEN %s::boolean THEN EXCLUDED.properties"
      "               ELSE k.properties END,"
      "  confidence = CASE WHEN %s::boolean THEN EXCLUDED.confidence"
      "               ELSE k.confidence END,"
      "  updated_at = now()"
      " RETURNING k.*, (k.xmax = 0) AS created),"
      " rel AS (INSERT INTO kg_relations (tenant_id, agent_id,"
      "   source_entity_id, relation_type, target_entity_id)"
      " SELECT DISTINCT e.tenant_id, e.agent_id, e.id, r.relation_type, t.id"
      " FROM e CROSS JOIN jsonb_to_recordset(coalesce(%s::jsonb, '[]'))"
      "   AS r(relation_type text, target text, target_type text)"
      " JOIN kg_entities t ON t.tenant_id = e.tenant_id"
      "  AND t.agent_id = e.agent_id"
      "  AND (t.id::text = r.target OR (t.name = r.target"
      "       AND (r.target_type IS NULL OR t.entity_type = r.target_type)))"
      " ON CONFLICT (source_entity_id, relation_type, target_entity_id)"
      " DO NOTHING RETURNING 1)"
      " SELECT " ENTITY_COLS("e") ", e.created,"
      "  (SELECT count(*) FROM rel) AS relations_added FROM e" },
    /* breadth by depth along source -> target.  Each level keeps one
     * row per entity (rn = 1: the least path) and extends only those,
     * so a level is at most every entity and its relations, however
     * dense the graph; a path never visits an entity twice (cycles
     * end), and depth is at most 5 (the route's bound).  Each entity is
     * answered once, at its least depth. */
    { "hub_wf_kg_traverse",
      "WITH RECURSIVE walk (id, depth, path, via, rn) AS ("
      "  SELECT s.id, 0, ARRAY[s.id], NULL::text, 1::bigint"
      "  FROM kg_entities s"
      "  WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      "    AND s.agent_id = %s::uuid"
      " UNION ALL"
      "  SELECT r.target_entity_id, w.depth + 1, w.path || r.target_entity_id,"
      "         r.relation_type,"
      "         row_number() OVER (PARTITION BY r.target_entity_id"
      "                            ORDER BY w.path, r.relation_type)"
      "  FROM walk w JOIN kg_relations r ON r.source_entity_id = w.id"
      "   AND r.tenant_id = %s::uuid"
      "  WHERE w.rn = 1 AND w.depth < least(%s::int, 5)"
      "    AND r.target_entity_id <> ALL (w.path)),"
      " best AS (SELECT DISTINCT ON (id) id, depth, path, via FROM walk"
      "  WHERE depth > 0 AND rn = 1 ORDER BY id, depth)"
      " SELECT " ENTITY_COLS("e") ", b.depth, b.path::text[] AS path, b.via"
      " FROM best b JOIN kg_entities e ON e.id = b.id"
      " ORDER BY b.depth, e.name, e.id" },
    { "hub_wf_kg_relations_among",
      "SELECT r.id, r.agent_id, r.source_entity_id, r.relation_type,"
      "  r.target_entity_id, r.confidence, iso8601(r.created_at) AS created_at"
      " FROM kg_relations r"
      " WHERE r.tenant_id = %s::uuid AND r.agent_id = %s::uuid"
      "   AND r.source_entity_id = ANY (%s::uuid[])"
      "   AND r.target_entity_id = ANY (%s::uuid[])"
      " ORDER BY r.created_at, r.id" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_ALL,
    ST_SEARCH,
    ST_PUT,
    ST_KG_LIST,
    ST_KG_FIND,
    ST_KG_BAD,
    ST_KG_UPSERT,
    ST_KG_TRAVERSE,
    ST_KG_AMONG
};
#define ST(i)      (&hub_wf_memory_stmts[i])
#define TENANT(hr) ((hr)->who->tenant_id)

hub_db_status_e hub_wf_memory_all(hub_req_t *hr, hub_rows_t **rows)
{
    const char *args[1] = { TENANT(hr) };
    return hub_db_select(hr->r, ST(ST_ALL), rows, 1, args);
}

hub_db_status_e hub_wf_memory_search(hub_req_t *hr, const char *agent,
                                     const char *query, const char *limit,
                                     hub_rows_t **rows)
{
    const char *args[4] = { query, TENANT(hr), agent, limit };
    return hub_db_select(hr->r, ST(ST_SEARCH), rows, 4, args);
}

hub_db_status_e hub_wf_memory_put(hub_req_t *hr, const char *agent,
                                  const char *path, const char *title,
                                  const char *content, hub_rows_t **row)
{
    const char *args[5] = { TENANT(hr), agent, path, title, content };
    return hub_db_select(hr->r, ST(ST_PUT), row, 5, args);
}

hub_db_status_e hub_wf_kg_list(
    hub_req_t *hr, const char *agent, const char *type, const char *q,
    const char *limit, const char *offset, hub_rows_t **rows)
{
    const char *args[8] = {
        TENANT(hr), agent, type, type, q, q, limit, offset
    };
    return hub_db_select(hr->r, ST(ST_KG_LIST), rows, 8, args);
}

hub_db_status_e hub_wf_kg_find(hub_req_t *hr, const char *agent,
                               const char *ref, const char *type,
                               hub_rows_t **rows)
{
    const char *args[6] = { TENANT(hr), agent, ref, ref, type, type };
    return hub_db_select(hr->r, ST(ST_KG_FIND), rows, 6, args);
}

hub_db_status_e hub_wf_kg_bad_target(hub_req_t *hr, const char *agent,
                                     const char *rels, hub_rows_t **row)
{
    const char *args[3] = { rels, TENANT(hr), agent };
    return hub_db_select(hr->r, ST(ST_KG_BAD), row, 3, args);
}

hub_db_status_e hub_wf_kg_upsert(hub_req_t *hr, const char *agent,
                                 const hub_wf_kg_entity_in_t *in,
                                 hub_rows_t **row)
{
    const char *args[11] = {
        TENANT(hr),
        agent,
        in->external_id,
        in->name,
        in->entity_type,
        in->description,
        in->properties,
        in->confidence,
        in->properties ? "true" : "false",
        in->confidence ? "true" : "false",
        in->relations,
    };
    return hub_db_select(hr->r, ST(ST_KG_UPSERT), row, 11, args);
}

hub_db_status_e hub_wf_kg_traverse(hub_req_t *hr, const char *agent,
                                   const char *start, const char *depth,
                                   hub_rows_t **rows)
{
    const char *args[5] = { start, TENANT(hr), agent, TENANT(hr), depth };
    return hub_db_select(hr->r, ST(ST_KG_TRAVERSE), rows, 5, args);
}

hub_db_status_e hub_wf_kg_relations_among(hub_req_t *hr, const char *agent,
                                          const char *ids, hub_rows_t **rows)
{
    const char *args[4] = { TENANT(hr), agent, ids, ids };
    return hub_db_select(hr->r, ST(ST_KG_AMONG), rows, 4, args);
}
