/* The audit trail's one writer (hub_audit.h).  The actor is the caller:
 * a user (actor_user_id, the email), else a key (its id and name). */
#include "hub_audit.h"
#include <http_log.h>
#include "hub_json.h"

/* clang-format off */
const hub_stmt_t hub_audit_stmts[] = {
    { "hub_audit_insert",
      "INSERT INTO audit_events (tenant_id, project_id, actor_type,"
      "       actor_user_id, actor_id, actor, type, entity_type, entity_id,"
      "       data, ip_address)"
      " VALUES (%s::uuid, %s::uuid, %s, %s::uuid, %s, %s, %s, %s, %s,"
      "         %s::jsonb, %s)" },
    { NULL, NULL }
};
/* clang-format on */

void hub_audit(hub_req_t *hr, const char *type, const char *project_id,
               const char *entity_type, const char *entity_id, json_t *data)
{
    const hub_principal_t *who = hr->who;
    const char *args[11];

    if (!who || !who->tenant_id) {
        return;
    }
    args[0] = who->tenant_id;
    args[1] = project_id;
    args[2] = who->user_id ? "user" : "key";
    args[3] = who->user_id;
    args[4] = who->user_id ? who->user_id : who->key_id;
    args[5] = who->name;
    args[6] = type;
    args[7] = entity_type;
    args[8] = entity_id;
    args[9] = data ? hub_json_text(hr->pool, data) : "{}";
    args[10] = hr->r->useragent_ip;
    if (hub_db_exec(hr->r, &hub_audit_stmts[0], NULL, 11, args) != HUB_DB_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, hr->r,
                      "HUB00820: the audit event %s could not be written",
                      type);
    }
}
