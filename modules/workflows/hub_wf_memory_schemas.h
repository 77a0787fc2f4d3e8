/* The answers of the memory and knowledge-graph routes
 * (hub_workflows_goclaw_memory.c, hub_workflows_goclaw_kg.c) as the
 * served OpenAPI documents describe them (hub_openapi_schema.h), next to
 * the shapes they mirror (sql/041_agent_memory.sql says which columns
 * are NOT NULL).  t/http/66 checks each against live answers. */
#ifndef HUB_WF_MEMORY_SCHEMAS_H
#define HUB_WF_MEMORY_SCHEMAS_H

#include "hub_openapi_schema.h"

/* the caller's own properties (a jsonb object) */
#define MS_PROPERTIES "{\"type\":\"object\",\"additionalProperties\":true}"

/* gc_document: one item of the list */
#define MS_DOCUMENT \
    OBJ("\"id\":" STR ",\"agent_id\":" STR ",\"agent\":" STR ",\"path\":" STR \
        ",\"title\":" NSTR ",\"hash\":" STR ",\"size\":" INT \
        ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"agent_id\",\"agent\",\"path\",\"title\",\"hash\"," \
        "\"size\",\"created_at\",\"updated_at\"")
/* the hub's PUT .../memory/documents */
#define MS_WRITTEN \
    OBJ("\"status\":" ENUM("\"ok\"") ",\"id\":" STR ",\"path\":" STR \
                                     ",\"hash\":" STR ",\"created\":" BOOL, \
        "\"status\",\"id\",\"path\",\"hash\",\"created\"")
/* gc_hit */
#define MS_HIT \
    OBJ("\"path\":" STR ",\"title\":" NSTR ",\"start_line\":" INT \
        ",\"end_line\":" INT ",\"score\":" NUM ",\"snippet\":" STR \
        ",\"source\":" ENUM("\"memory\""), \
        "\"path\",\"title\",\"start_line\",\"end_line\",\"score\"," \
        "\"snippet\",\"source\"")
#define MS_SEARCH \
    OBJ("\"results\":" ARRAY_OF(MS_HIT) ",\"count\":" INT, \
        "\"results\",\"count\"")

/* gc_entity: one item of the list, and the entity of the others */
#define MS_ENTITY \
    OBJ("\"id\":" STR ",\"agent_id\":" STR ",\"external_id\":" NSTR \
        ",\"name\":" STR ",\"entity_type\":" STR ",\"description\":" NSTR \
        ",\"properties\":" MS_PROPERTIES ",\"confidence\":" NUM \
        ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"agent_id\",\"external_id\",\"name\",\"entity_type\"," \
        "\"description\",\"properties\",\"confidence\",\"created_at\"," \
        "\"updated_at\"")
#define MS_UPSERTED \
    OBJ("\"status\":" ENUM("\"ok\"") ",\"entity\":" REF( \
            "KGEntity") ",\"created\":" BOOL ",\"relations_added\":" INT, \
        "\"status\",\"entity\",\"created\",\"relations_added\"")
/* gc_relation */
#define MS_RELATION \
    OBJ("\"id\":" STR ",\"agent_id\":" STR ",\"source_entity_id\":" STR \
        ",\"relation_type\":" STR ",\"target_entity_id\":" STR \
        ",\"confidence\":" NUM ",\"created_at\":" STR, \
        "\"id\",\"agent_id\",\"source_entity_id\",\"relation_type\"," \
        "\"target_entity_id\",\"confidence\",\"created_at\"")
/* GoClaw's TraversalResult: gc_step with its entity */
#define MS_STEP \
    OBJ("\"entity\":" REF("KGEntity") ",\"depth\":" INT ",\"path\":" STRS \
                                      ",\"via\":" STR, \
        "\"entity\",\"depth\",\"path\",\"via\"")
#define MS_TRAVERSAL \
    OBJ("\"entity\":" REF( \
            "KGEntity") ",\"max_depth\":" INT \
                        ",\"results\":" ARRAY_OF(MS_STEP) ",\"relations\":" ARRAY_OF( \
                            MS_RELATION) ",\"count\":" INT, \
        "\"entity\",\"max_depth\",\"results\",\"relations\",\"count\"")

#endif
