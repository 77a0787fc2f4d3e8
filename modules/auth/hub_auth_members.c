/* Members of a tenant: the one removal behind Caylex's DELETE
 * /members/{member_id} and G4F's DELETE /admin/users/{user_id}.
 *
 * Removing a member takes the membership away (the account stays, with
 * its other tenants) and revokes the API keys that user holds in this
 * tenant in the same statement; this host's identity cache forgets them
 * at once.  The last active owner is never removed: the tenant's other
 * owners are locked, so two removals at once cannot take both. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"

/* clang-format off */
/* args: tenant (owners), tenant, member, tenant, tenant */
const hub_stmt_t hub_auth_members_stmts[] = {
    { "hub_member_remove",
      "WITH owners AS (SELECT user_id FROM memberships"
      "                 WHERE tenant_id = %s::uuid AND role = 'owner'"
      "                   AND state = 'active' FOR UPDATE),"
      " verdict AS ("
      "  SELECT t.user_id, u.email,"
      "         (t.role = 'owner' AND t.state = 'active'"
      "          AND (SELECT count(*) FROM owners o"
      "                WHERE o.user_id <> t.user_id) = 0) AS last_owner"
      "    FROM memberships t JOIN users u ON u.id = t.user_id"
      "   WHERE t.tenant_id = %s::uuid AND t.user_id = %s::uuid),"
      " del AS ("
      "  DELETE FROM memberships m USING verdict v"
      "   WHERE m.tenant_id = %s::uuid AND m.user_id = v.user_id"
      "     AND NOT v.last_owner"
      "  RETURNING m.user_id),"
      " revoked AS ("
      "  UPDATE api_keys k SET revoked_at = now(), updated_at = now()"
      "    FROM del WHERE k.tenant_id = %s::uuid AND k.user_id = del.user_id"
      "     AND k.revoked_at IS NULL"
      "  RETURNING k.key_hash)"
      " SELECT v.user_id, v.email, v.last_owner,"
      "        (SELECT string_agg(key_hash, ',') FROM revoked) AS revoked"
      "   FROM verdict v" },
    { NULL, NULL }
};

/* How each profile names and answers a removal.  not_found's %s is the
 * id; refusals are status, code and words. */
static const struct remove_words {
    unsigned profile;
    const char *param;
    const char *not_found;
    const char *not_admin;      /* the documented refusal; NULL: the row's
                                   need said it */
    const char *self;           /* refusing one's own removal; NULL: may */
    int last_status;
    const char *last_code, *last_owner;
} remove_words[] = {
    { HUB_CAYLEX, "member_id", "Tenant member with id %s not found",
      "Only admin users can delete tenant members",
      "Users cannot delete themselves", HTTP_BAD_REQUEST, "BAD_REQUEST",
      "Cannot remove the last owner of the tenant" },
    { HUB_G4F, "user_id", "user not found", NULL, NULL, HTTP_CONFLICT,
      "LAST_OWNER",
      "the tenant's last owner cannot be demoted, disabled or removed" },
};
/* clang-format on */

/* (only these profiles' routes name hub_auth_member_remove) */
static const struct remove_words *words_of(unsigned profile)
{
    size_t i, n = sizeof(remove_words) / sizeof(remove_words[0]);
    for (i = 0; i + 1 < n && remove_words[i].profile != profile; i++) {
    }
    return &remove_words[i];
}

/* The removed member's keys, revoked in the database, must not live on
 * in this host's identity cache: "hash,hash,..." of them. */
static void forget_keys(hub_req_t *hr, const char *hashes)
{
    char *list = apr_pstrdup(hr->pool, hashes ? hashes : ""), *last, *h;
    for (h = apr_strtok(list, ",", &last); h;
         h = apr_strtok(NULL, ",", &last)) {
        hub_auth_cache_forget(hr->r, apr_pstrcat(hr->pool, "a:", h, NULL));
    }
}

/* The answer of a done removal, in the profile's words. */
static int removed(hub_req_t *hr, hub_result_t *res, const hub_rows_t *rows)
{
    if (hr->profile == HUB_CAYLEX) {
        return hub_ok(
            res, json_pack("{s:s,s:s}", "id", hub_rows_get(rows, 0, "user_id"),
                           "message",
                           apr_pstrcat(hr->pool,
                                       "Successfully deleted tenant member ",
                                       hub_rows_get(rows, 0, "email"), NULL)));
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

int hub_auth_member_remove(hub_req_t *hr, hub_result_t *res)
{
    const struct remove_words *w = words_of(hr->profile);
    const char *id = hub_param(hr, w->param), *args[5];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (w->not_admin && !hub_principal_is_admin(hr->who)) {
        return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN", "%s", w->not_admin);
    }
    if (!hub_is_uuid(id)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", w->not_found, id);
    }
    if (w->self && hr->who->user_id && !strcasecmp(hr->who->user_id, id)) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "%s", w->self);
    }
    args[0] = args[1] = args[3] = args[4] = hr->who->tenant_id;
    args[2] = id;
    st = hub_db_select(hr->r, &hub_auth_members_stmts[0], &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", w->not_found, id);
    }
    if (!strcmp(hub_rows_get(rows, 0, "last_owner"), "t")) {
        return hub_err(res, w->last_status, w->last_code, "%s", w->last_owner);
    }
    forget_keys(hr, hub_rows_get(rows, 0, "revoked"));
    return removed(hr, res, rows);
}
