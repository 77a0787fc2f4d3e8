/* Who may report about a server: the one check behind Patchwork's
 * heartbeats (POST /api/v1/heartbeat/) and feedback (POST
 * /api/v1/feedback/).
 *
 * A server's own key (`hubs_...`) reports for its own server; it carries
 * no role, so the route rows say HUB_NEED_ANY and the check is here.  An
 * API key of the server's team needs write access and names the server
 * in `server_slug`.  Which server that is, and whether a server key named
 * another one, only the statement can tell: both statements take the
 * reporter's five arguments first and select the server as
 *   CASE WHEN ksid IS NOT NULL THEN s.id = ksid AND (slug IS NULL OR
 *   s.slug = slug) ELSE s.slug = slug END
 * so no row back means 403 (a server key naming another server) or 404. */
#include "hub_servers_private.h"
#include "hub_servers_reporter.h"
#include <apr_strings.h>
#include "hub_crypto.h"

int hub_servers_reporter(hub_req_t *hr, hub_result_t *res, const char *what,
                         const char *slug_why, apr_array_header_t *problems,
                         hub_reporter_t *rep)
{
    const hub_principal_t *who = hr->who;
    const char *slug = json_string_value(
        json_object_get(hr->body, "server_slug"));

    rep->by_server = who->via == HUB_IN_SERVERKEY;
    rep->slug = slug;
    rep->args[0] = who->tenant_id;
    rep->args[1] = rep->by_server ? who->server_id : NULL;
    rep->args[2] = slug;
    rep->args[3] = rep->by_server ? "server_key" : "api_key";
    rep->args[4] = hub_is_uuid(who->key_id) ? who->key_id : NULL;

    if (!rep->by_server && !hub_principal_can_write(who)) {
        return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
                       "%s needs write access", what);
    }
    if (!rep->by_server && !slug) {
        hub_invalid_add(problems, "server_slug", "missing",
                        apr_pstrcat(hr->pool,
                                    "Field required with an API "
                                    "key: ",
                                    slug_why, NULL));
    }
    return DECLINED;
}

int hub_servers_reporter_missing(const hub_reporter_t *rep, hub_result_t *res)
{
    if (rep->by_server && rep->slug) {
        return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
                       "a server key reports only for its own server");
    }
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
}
