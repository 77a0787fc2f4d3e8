/* An agent's memory and knowledge graph (sql/041_agent_memory.sql): the
 * only SQL over memory_documents, kg_entities and kg_relations
 * (hub_wf_memory_store.c), for GoClaw's memory and KG routes
 * (hub_workflows_goclaw_memory.c, hub_workflows_goclaw_kg.c).  Every
 * function is scoped to the caller's tenant; agent is an agents.id the
 * caller's tenant owns (hub_wf_agent_get). */
#ifndef HUB_WF_MEMORY_H
#define HUB_WF_MEMORY_H

#include "hub_workflows_private.h"

extern const hub_stmt_t hub_wf_memory_stmts[];

/* {agentID} of the caller's tenant (its id or name): the agent's id, or
 * NULL with the 404 (or the database's error) in res */
const char *hub_wf_memory_agent(hub_req_t *hr, hub_result_t *res);

/* every memory document of the tenant, newest first (no content) */
hub_db_status_e hub_wf_memory_all(hub_req_t *hr, hub_rows_t **rows);
/* the agent's documents that match query (plainto_tsquery), best first */
hub_db_status_e hub_wf_memory_search(hub_req_t *hr, const char *agent,
                                     const char *query, const char *limit,
                                     hub_rows_t **rows);

/* write the agent's document at path (its title kept when NULL): id,
 * path, hash and whether it was created */
hub_db_status_e hub_wf_memory_put(hub_req_t *hr, const char *agent,
                                  const char *path, const char *title,
                                  const char *content, hub_rows_t **row);

/* entities of the agent: type and q (a part of the name) when not NULL */
hub_db_status_e hub_wf_kg_list(
    hub_req_t *hr, const char *agent, const char *type, const char *q,
    const char *limit, const char *offset, hub_rows_t **rows);
/* the entity ref names (its id, or its name, of type when not NULL): the
 * rows of every match (none, one, or several names of other types) */
hub_db_status_e hub_wf_kg_find(hub_req_t *hr, const char *agent,
                               const char *ref, const char *type,
                               hub_rows_t **rows);
/* the first relation of rels (a JSON array text) whose target is not
 * exactly one entity: no row when all are (column n: 0 or more than 1) */
hub_db_status_e hub_wf_kg_bad_target(hub_req_t *hr, const char *agent,
                                     const char *rels, hub_rows_t **row);

typedef struct {
    const char *external_id, *name, *entity_type, *description;
    const char *properties; /* JSON object text; NULL: keep */
    const char *confidence; /* NULL: keep (1 when new) */
    const char *relations;  /* JSON array text of {relation_type, target,
                               target_type} */
} hub_wf_kg_entity_in_t;
/* insert or update the entity (agent, name, entity_type) and add its
 * relations, one statement: the entity's row, with `created` and
 * `relations_added` */
hub_db_status_e hub_wf_kg_upsert(hub_req_t *hr, const char *agent,
                                 const hub_wf_kg_entity_in_t *in,
                                 hub_rows_t **row);
/* what start reaches along its relations within depth hops, each entity
 * once (at its least depth): columns of an entity, depth, path, via */
hub_db_status_e hub_wf_kg_traverse(hub_req_t *hr, const char *agent,
                                   const char *start, const char *depth,
                                   hub_rows_t **rows);
/* the relations between entities of ids (a uuid[] text) */
hub_db_status_e hub_wf_kg_relations_among(hub_req_t *hr, const char *agent,
                                          const char *ids, hub_rows_t **rows);

#endif
