/* Caylex's auth links and project users (sql/027).  Their store, the only
 * SQL over auth_links, auth_link_instances, auth_link_users,
 * project_users and project_user_servers, is hub_auth_links_store.c; the
 * endpoints of the links are hub_auth_links.c, those of the users
 * hub_auth_project_users.c, and the /invite endpoints that a link's
 * holder uses hub_auth_caylex_access.c.
 *
 * Every function acts in the caller's tenant, and every id it is given
 * has been checked to be a UUID.  Rows that name a project carry a
 * `project` column: NULL (or no row at all) when the project is not the
 * tenant's. */
#ifndef HUB_AUTH_LINKS_H
#define HUB_AUTH_LINKS_H

#include "hub_auth_private.h"
#include "hub_page.h"
#include "hub_text.h"

extern const hub_stmt_t hub_auth_links_stmts[];
/* the endpoints (hub_auth_links.c, hub_auth_project_users.c) */
extern const hub_route_t hub_auth_links_routes[];
extern const hub_route_t hub_auth_project_users_routes[];

/* ---- input and answers both endpoint files use (hub_auth_links.c) ------ */

/* 404 "Project not found" */
int hub_auth_project_not_found(hub_result_t *res);
/* The body's array `field` of server instance ids: 1..100 UUIDs, lower
 * case, each once; NULL with FastAPI's 422 in res otherwise. */
apr_array_header_t *hub_auth_uuid_list(hub_req_t *hr, hub_result_t *res,
                                       const char *field);
/* Every value of the query parameter `name` (repeated, or
 * comma-separated), as a text[] literal in *pg (NULL: none given); -1
 * with the 422 in res when one is no UUID. */
int hub_auth_query_uuids(hub_req_t *hr, hub_result_t *res, const char *name,
                         const char **pg);

/* ---- links -------------------------------------------------------------- */

/* A link to make: its type ("user" or "project"), its instances as JSON
 * text ([{"id": uuid, "valid_for": text|null}, ...], in order), its
 * token's SHA-256 and its expiry (ISO-8601). */
typedef struct hub_link_new {
    const char *project_id, *type, *instances, *token_hash, *expires_at;
} hub_link_new_t;

/* One row: project, unknown (instances that are not the tenant's),
 * elsewhere (the tenant's, of another project), id and expires_at of the
 * link (NULL when nothing was made: no project, or an instance is
 * unknown or elsewhere). */
hub_db_status_e hub_auth_link_insert(hub_req_t *hr, const hub_link_new_t *in,
                                     hub_rows_t **row);

/* POST /authenticate-servers: up to two links over `ids` (a text[]
 * literal of UUIDs), a user link for the instances whose server takes
 * credentials per user and a project link for the others, valid for
 * whoever holds them.  One row: project, unknown, elsewhere, user_id,
 * user_expires_at, project_id, project_expires_at (NULL where none). */
hub_db_status_e hub_auth_links_for_instances(
    hub_req_t *hr, const char *project_id, const char *ids,
    const char *user_hash, const char *project_hash, const char *expires_at,
    hub_rows_t **row);

/* A change of a link of one type: expires_at (NULL keeps it), the
 * instances as for hub_link_new_t (NULL keeps them), and for user links
 * a domain every instance is then valid for (NULL keeps theirs).  One
 * row: project, link (NULL: no such link of that type in the project),
 * unknown, elsewhere; nothing changes unless both are 0. */
typedef struct hub_link_change {
    const char *project_id, *id, *type, *expires_at, *instances, *domain;
} hub_link_change_t;
hub_db_status_e hub_auth_link_update(hub_req_t *hr, const hub_link_change_t *c,
                                     hub_rows_t **row);

/* One row: project, deleted (0 or 1). */
hub_db_status_e hub_auth_link_delete(hub_req_t *hr, const char *project_id,
                                     const char *id, hub_rows_t **row);

/* One row: project, then the link or NULLs: id, link_type, expires_at,
 * created_at, server_instances (JSON: [{id, name, logo_url,
 * valid_for}]), users (JSON: [{email, first_authenticated,
 * last_authenticated}]), user_count. */
hub_db_status_e hub_auth_link_get(hub_req_t *hr, const char *project_id,
                                  const char *id, hub_rows_t **row);

typedef struct hub_link_filter {
    const char *project_id;
    const char *status; /* "active", "expired" or NULL: both */
    const char *type;   /* "user", "project" or NULL: both */
    const char *ids;    /* text[] of server instance ids, NULL: any */
    hub_page_t page;
} hub_link_filter_t;
/* No row: no such project.  Else total, then the page's links (columns
 * as hub_auth_link_get's), newest first; one row with a NULL id when
 * the page is empty. */
hub_db_status_e hub_auth_links_page(hub_req_t *hr, const hub_link_filter_t *f,
                                    hub_rows_t **rows);

/* Who completed a link: no row (no such project), or total, link (NULL:
 * no such link in the project), then per user: id, user_email and
 * authenticated_servers (JSON: [{server_instance_id, authenticated_at,
 * current_auth_link}], the user's authentications to the link's
 * instances), by e-mail; search matches the e-mail, any case. */
hub_db_status_e hub_auth_link_users_page(
    hub_req_t *hr, const char *project_id, const char *id, const char *search,
    const hub_page_t *pg, hub_rows_t **rows);

/* ---- the /invite endpoints: a link by its id and token ------------------- */

/* The live link (not expired) whose id and token these are, of any
 * tenant: one row (id, tenant_id, project_id, link_type, valid_for,
 * expires_at, tenant_name, project_name) or none. */
hub_db_status_e hub_auth_invite_find(hub_req_t *hr, const char *id,
                                     const char *token_hash, hub_rows_t **row);

/* The link's instances that `email` may authenticate to (a project
 * link's are each for one address), in order: server_instance_id,
 * server_id, server_name, auth_method, auth_config. */
hub_db_status_e hub_auth_invite_instances(hub_req_t *hr, const char *id,
                                          const char *token_hash,
                                          const char *email, hub_rows_t **rows);

/* Completing it, in one statement: the link checked again, the caller's
 * membership of the link's tenant made (a pending one approved), the
 * completion recorded, the caller made a user of the link's project, and
 * their authentication recorded for each instance they may authenticate
 * to whose server needs nothing (auth method none) or is an OAuth server
 * named in oauth_ids (a text[] literal).  One row: found (0: the link
 * is not usable), is_new (new to the tenant), user_token_id,
 * authenticated (how many instances). */
typedef struct hub_invite_done {
    const char *id, *token_hash, *descope_user_id, *oauth_ids;
} hub_invite_done_t;
hub_db_status_e hub_auth_invite_complete(
    hub_req_t *hr, const hub_invite_done_t *d, hub_rows_t **row);

/* ---- project users ------------------------------------------------------ */

typedef struct hub_puser_filter {
    const char *project_id;
    const char *search; /* in the e-mail, any case; NULL: all */
    const char *ids;    /* text[]: authenticated to any of them; NULL */
    hub_page_t page;
} hub_puser_filter_t;
/* No row: no such project.  Else total, then per user: id
 * (user_token_id), user_email, authenticated_servers_count,
 * total_project_server_instances, server_logos (JSON),
 * last_authentication_at, weekly_queries, weekly_tool_calls; the latest
 * authenticated first. */
hub_db_status_e hub_auth_project_users_page(
    hub_req_t *hr, const hub_puser_filter_t *f, hub_rows_t **rows);

/* One row: project, then id (NULL: no such user in the project),
 * user_email, servers (JSON: [{server_instance_id, server_name, logo_url,
 * auth_method, authenticated_at}]). */
hub_db_status_e hub_auth_project_user_get(hub_req_t *hr, const char *project_id,
                                          const char *id, hub_rows_t **row);

/* Forget the user's authentication to the instances `ids` (text[]).  One
 * row: project, found (the user), revoked (text[], in the order asked),
 * deleted. */
hub_db_status_e hub_auth_project_user_revoke(
    hub_req_t *hr, const char *project_id, const char *id, const char *ids,
    hub_rows_t **row);

/* Take the user out of the project: their authentications and their
 * completions of the project's links go too; when it was their last
 * project in the tenant and they are a plain member here and nothing
 * more anywhere, their membership ends and their keys here are revoked.
 * One row: project, id (NULL: no such user), left_tenant, revoked (the
 * revoked keys' hashes, comma-separated). */
hub_db_status_e hub_auth_project_user_delete(
    hub_req_t *hr, const char *project_id, const char *id, hub_rows_t **row);

#endif
