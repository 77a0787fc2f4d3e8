/* The audit trail (audit_events, sql/031): one row per mutation worth
 * answering "who did what, when" for, read by G4F's GET /audit and
 * GoClaw's GET /v1/activity (mod_hub_analytics).  A module that writes
 * it registers hub_audit_stmts (hub_db_register) in post_config and
 * calls hub_audit after the change succeeded. */
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include <jansson.h>
#include "hub_db.h"
#include "hub_request.h"

extern const hub_stmt_t hub_audit_stmts[];

/* One event of type ("project.created": lowercase words and dots) by the
 * caller of hr, about entity_type/entity_id (either may be NULL) in
 * project_id (NULL: the tenant's), with data (a JSON object, borrowed;
 * NULL: {}).  A failure is logged, never the request's: the change it
 * records is already made. */
void hub_audit(hub_req_t *hr, const char *type, const char *project_id,
               const char *entity_type, const char *entity_id, json_t *data);

#endif
