/* The answers of the workflow engine's routes (Tool Hub's /api/workflows
 * and /api/executions, G4F's project workflows and their runs) as the
 * served OpenAPI documents describe them (hub_openapi_schema.h), next to
 * the columns they come from (sql/035_workflows.sql says which are NOT
 * NULL; hub_wf_store.c's WF_COLS, EX_COLS, NODE_COLS).  t/http/55 and 57
 * check each against live answers.
 *
 * A workflow is stored as the caller gave it (validate and run check
 * it): its nodes and edges carry the members the engine reads, none of
 * them promised, and whatever else the caller's editor put there. */
#ifndef HUB_WF_SCHEMAS_H
#define HUB_WF_SCHEMAS_H

#include "hub_openapi_schema.h"

/* ---- the parts ---- */
/* any JSON value: the caller's input, a node's output */
#define WS_ANY "{}"
/* an object of the caller's own members */
#define WS_FREE "{\"type\":\"object\",\"additionalProperties\":true}"
/* an object with these members, and any other the caller gave */
#define WS_OPEN(props) \
    "{\"type\":\"object\",\"properties\":{" props \
    "},\"additionalProperties\":true}"
#define WS_NARRAY_OF(s) "{\"type\":\"array\",\"nullable\":true,\"items\":" s "}"

/* executions.status, execution_nodes.status, executions.mode */
#define WS_EX_STATUS \
    ENUM("\"pending\",\"running\",\"paused\",\"stopped\",\"completed\"," \
         "\"failed\",\"cancelled\"")
#define WS_NODE_STATUS \
    ENUM("\"running\",\"completed\",\"failed\",\"skipped\",\"cancelled\"," \
         "\"waiting\"")
#define WS_MODE ENUM("\"full\",\"mock\",\"debug\"")

/* a node: {id, type, data, position} (hub_wf_graph.c reads id, type
 * and data; position is the editor's) */
#define WS_NODE \
    WS_OPEN("\"id\":" STR ",\"type\":" STR ",\"data\":" WS_FREE \
            ",\"position\":" WS_OPEN("\"x\":" NUM ",\"y\":" NUM))
/* an edge: {id, source, target}; sourceHandle or label says which way
 * (true, false, exit, error) */
#define WS_EDGE \
    WS_OPEN("\"id\":" STR ",\"source\":" STR ",\"target\":" STR \
            ",\"sourceHandle\":" NSTR ",\"label\":" NSTR)

/* ---- Tool Hub /api/workflows ---- */
/* nodes and edges null when the stored graph has none (a G4F workflow
 * made without them) */
#define WS_WORKFLOW \
    OBJ("\"id\":" STR ",\"name\":" STR ",\"description\":" NSTR \
        ",\"nodes\":" WS_NARRAY_OF(WS_NODE) ",\"edges\":" WS_NARRAY_OF( \
            WS_EDGE) ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"name\",\"description\",\"nodes\",\"edges\"," \
        "\"created_at\",\"updated_at\"")
#define WS_PAGE_MEMBERS ",\"total\":" INT ",\"limit\":" INT ",\"offset\":" INT
#define WS_PAGE_REQ     ",\"total\",\"limit\",\"offset\""
#define WS_WORKFLOW_LIST \
    OBJ("\"workflows\":" ARRAY_OF(REF("Workflow")) WS_PAGE_MEMBERS, \
        "\"workflows\"" WS_PAGE_REQ)
/* execution_id and id are the one execution (the document's name, and
 * Tool Hub's own implementation's) */
#define WS_RUN \
    OBJ("\"execution_id\":" STR ",\"id\":" STR ",\"status\":" WS_EX_STATUS \
        ",\"workflow_id\":" STR, \
        "\"execution_id\",\"id\",\"status\",\"workflow_id\"")
/* node_id when the problem is one node's */
#define WS_PROBLEM OBJ("\"message\":" STR ",\"node_id\":" STR, "\"message\"")
#define WS_VALIDATION \
    OBJ("\"valid\":" BOOL ",\"errors\":" ARRAY_OF(WS_PROBLEM), \
        "\"valid\",\"errors\"")

/* ---- Tool Hub /api/executions ---- */
/* workflow_id null when the workflow was deleted since, or the
 * execution is an agent's (a G4F run's, a GoClaw wake's) */
#define WS_EX_MEMBERS \
    "\"id\":" STR ",\"workflow_id\":" NSTR ",\"status\":" WS_EX_STATUS \
    ",\"mode\":" WS_MODE ",\"trigger_type\":" STR ",\"created_at\":" STR \
    ",\"started_at\":" NSTR ",\"completed_at\":" NSTR ",\"duration_ms\":" NINT
#define WS_EX_REQ \
    "\"id\",\"workflow_id\",\"status\",\"mode\",\"trigger_type\"," \
    "\"created_at\",\"started_at\",\"completed_at\",\"duration_ms\""
#define WS_EXECUTION OBJ(WS_EX_MEMBERS, WS_EX_REQ)
#define WS_EXECUTION_LIST \
    OBJ("\"executions\":" ARRAY_OF(WS_EXECUTION) WS_PAGE_MEMBERS, \
        "\"executions\"" WS_PAGE_REQ)
/* one run of a node (iteration: its pass through a feedback loop) */
#define WS_NODE_LOG \
    OBJ("\"node_id\":" STR ",\"status\":" WS_NODE_STATUS ",\"input\":" WS_ANY \
        ",\"output\":" WS_ANY ",\"error\":" NSTR ",\"started_at\":" STR \
        ",\"completed_at\":" NSTR ",\"duration_ms\":" NINT \
        ",\"retry_count\":" INT ",\"iteration\":" INT, \
        "\"node_id\",\"status\",\"input\",\"output\",\"error\"," \
        "\"started_at\",\"completed_at\",\"duration_ms\",\"retry_count\"," \
        "\"iteration\"")
/* progress: the share of its nodes done, 0 to 1 */
#define WS_EXECUTION_DETAIL \
    OBJ(WS_EX_MEMBERS \
        ",\"trigger_id\":" NSTR ",\"input\":" WS_ANY ",\"output\":" WS_ANY \
        ",\"error\":" NSTR ",\"progress\":" NUM \
        ",\"node_logs\":" ARRAY_OF(REF("NodeLog")), \
        WS_EX_REQ ",\"trigger_id\",\"input\",\"output\",\"error\"," \
                  "\"progress\",\"node_logs\"")
/* status the execution's now: a running one says running until its
 * worker carries the stop out */
#define WS_STOPPED \
    OBJ("\"message\":" ENUM("\"Execution stopped\"") ",\"status\":" ENUM( \
            "\"running\",\"stopped\""), \
        "\"message\",\"status\"")
#define WS_RESUMED \
    OBJ("\"message\":" ENUM("\"Execution resumed\"") ",\"status\":" ENUM( \
            "\"running\",\"pending\""), \
        "\"message\",\"status\"")

/* ---- G4F /projects/{project_id}/workflows, /workflows/{workflow_id} ---- */
/* project_id null for a Tool Hub workflow (one data model); graph
 * {nodes, edges} as given; tags as given (G4F's are strings) */
#define WS_G4F_GRAPH \
    WS_OPEN("\"nodes\":" ARRAY_OF(WS_NODE) ",\"edges\":" ARRAY_OF(WS_EDGE))
#define WS_G4F_WORKFLOW \
    OBJ("\"id\":" STR ",\"project_id\":" NSTR ",\"name\":" STR \
        ",\"description\":" NSTR ",\"graph\":" WS_G4F_GRAPH \
        ",\"tags\":" ARRAY_OF(WS_ANY) ",\"created_at\":" STR \
                                      ",\"updated_at\":" STR, \
        "\"id\",\"project_id\",\"name\",\"description\",\"graph\"," \
        "\"tags\",\"created_at\",\"updated_at\"")
/* run_id and id are the one execution (GET /runs/{id}) */
#define WS_G4F_RUN \
    OBJ("\"run_id\":" STR ",\"id\":" STR ",\"status\":" WS_EX_STATUS \
        ",\"workflow_id\":" STR ",\"mode\":" WS_MODE, \
        "\"run_id\",\"id\",\"status\",\"workflow_id\",\"mode\"")

#endif
