/* Projects: one table behind Caylex's and G4F's endpoints.  Its store,
 * the only SQL over it, is hub_auth_projects_store.c; the operations, one
 * per verb for every profile, are hub_auth_projects.c; each profile's file
 * (hub_auth_caylex_projects.c, hub_auth_g4f_projects.c) holds its routes,
 * shapes, field tables and words (hub_project_words_t, the routes'
 * .words). */
#ifndef HUB_AUTH_PROJECTS_H
#define HUB_AUTH_PROJECTS_H

#include "hub_auth_private.h"
#include "hub_page.h"

extern const hub_stmt_t hub_auth_projects_stmts[];

/* the project fields a body can write, in the order of the statements */
typedef enum {
    HUB_PROJ_NAME = 0,
    HUB_PROJ_DESCRIPTION,
    HUB_PROJ_ICON,
    HUB_PROJ_WEBHOOKS,    /* Caylex's webhook_config, a JSON array */
    HUB_PROJ_STATUS,      /* G4F: active | paused | archived */
    HUB_PROJ_ENVIRONMENT, /* G4F: free text */
    HUB_PROJ_REPO,        /* G4F: a JSON object */
    HUB_PROJ_NFIELDS
} hub_proj_field_e;

/* What a request body says about a project.  set[f]: the body names the
 * field; val[f]: its text (JSON text for webhooks and repo), NULL for a
 * JSON null. */
typedef struct hub_project_in {
    int set[HUB_PROJ_NFIELDS];
    const char *val[HUB_PROJ_NFIELDS];
} hub_project_in_t;

/* Read the fields of a validated body that the profile's table `fields`
 * declares; a null name counts as absent (a project always has one). */
void hub_auth_project_in(apr_pool_t *p, const json_t *body,
                         const hub_field_t *fields, hub_project_in_t *in);
/* How many fields the body sets. */
int hub_auth_project_in_count(const hub_project_in_t *in);

typedef struct hub_project_filter {
    const char *q; /* in name or description, any case */
    const char *status;
    const char *environment;
    long limit, offset;
} hub_project_filter_t;

/* Rows carry: id, name, description, icon, webhook_config (secrets
 * masked), status, environment, repo, last_commit, created_at,
 * updated_at.  Every call acts in the caller's tenant only. */
hub_db_status_e hub_auth_project_create(
    hub_req_t *hr, const hub_project_in_t *in, hub_rows_t **row);
/* No row when there is no such project in the tenant, or id is no UUID. */
hub_db_status_e hub_auth_project_get(hub_req_t *hr, const char *id,
                                     hub_rows_t **row);
hub_db_status_e hub_auth_project_update(hub_req_t *hr, const char *id,
                                        const hub_project_in_t *in,
                                        hub_rows_t **row);
hub_db_status_e hub_auth_project_delete(hub_req_t *hr, const char *id,
                                        int *found);
/* One page, newest first; *total counts every match. */
hub_db_status_e hub_auth_projects_page(hub_req_t *hr,
                                       const hub_project_filter_t *f,
                                       hub_rows_t **rows, long *total);

/* What runs in a project (id is a UUID): one row with
 * active_server_instances, disabled_server_instances (paused) and
 * active_navigator_instances, or none when no such project. */
hub_db_status_e hub_auth_project_status(hub_req_t *hr, const char *id,
                                        hub_rows_t **row);

/* ---- the operations (hub_auth_projects.c) ------------------------------ */

/* What a write answers: the project (the route's shape and wrapper),
 * {"id": ...} or {"ok": true}. */
typedef enum {
    HUB_PROJ_ANSWER_PROJECT = 0,
    HUB_PROJ_ANSWER_ID,
    HUB_PROJ_ANSWER_OK
} hub_proj_answer_e;

/* What one profile's project routes differ in; every route of the
 * operations below carries its profile's (.words).  The shape of a
 * project is the route's .shape. */
typedef struct hub_project_words {
    /* 404's detail (no such project here) and 409's (the name is taken) */
    const char *not_found, *conflict;
    /* the page query's names for the page size and the text searched in
     * name and description; status and environment, when the route's
     * query table has them, filter exactly */
    const char *size, *search;
    /* an update naming no field: 400 with this detail; NULL: it may */
    const char *need_one;
    /* Body checks beyond the field table, filling `in`: HUB_DONE with
     * the error in res, or DECLINED.  NULL: none. */
    int (*take)(hub_req_t *hr, hub_result_t *res, hub_project_in_t *in);
    /* The members a shape cannot give (counts, stats); `listing` is 1 in
     * a page.  NULL: none. */
    void (*decorate)(hub_req_t *hr, json_t *project, int listing);
    hub_proj_answer_e created, updated, deleted;
} hub_project_words_t;

/* POST, GET {project_id}, PATCH {project_id}, DELETE {project_id}, and a
 * page of the tenant's projects (search and filters by the query). */
int hub_auth_project_op_create(hub_req_t *hr, hub_result_t *res);
int hub_auth_project_op_get(hub_req_t *hr, hub_result_t *res);
int hub_auth_project_op_update(hub_req_t *hr, hub_result_t *res);
int hub_auth_project_op_delete(hub_req_t *hr, hub_result_t *res);
int hub_auth_projects_op_page(hub_req_t *hr, hub_result_t *res);

#endif
