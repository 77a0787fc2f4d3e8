/* Who is calling: the one identity every hub request resolves to
 * (DESIGN.md, "Identity").  httpd-free. */
#ifndef HUB_PRINCIPAL_H
#define HUB_PRINCIPAL_H

#include <apr_pools.h>

/* GoClaw's scopes; Patchwork keys carry operator.admin */
#define HUB_SCOPE_ADMIN     0x01u
#define HUB_SCOPE_READ      0x02u
#define HUB_SCOPE_WRITE     0x04u
#define HUB_SCOPE_APPROVALS 0x08u
#define HUB_SCOPE_PAIRING   0x10u

typedef struct hub_principal {
    unsigned via;          /* the HUB_IN_* it authenticated with */
    const char *tenant_id; /* the tenant it acts in */
    const char *tenant_slug;
    const char *user_id; /* NULL: a key bound to no user */
    const char *email;
    const char *role; /* owner, admin, member, viewer */
    unsigned scopes;  /* HUB_SCOPE_* */
    int superuser;
    const char *key_id;    /* the API key's id, when via a key */
    const char *server_id; /* the server a server key speaks for */
    /* a navigator-instance key: the one MCP endpoint (the gateway's) it
     * opens; it reads nothing else */
    const char *navigator_instance_id;
    const char *name; /* for created_by: email, key or "gateway" */
    int unavailable;  /* the credentials could not be checked:
                              the database is away (answer 503) */
    int csrf_failed;  /* a session's change without its CSRF token */
} hub_principal_t;

/* Scope bit of a name ("operator.read"), 0 when unknown. */
unsigned hub_scope_from_name(const char *name);
const char *hub_scope_name(unsigned bit);
/* Parse PostgreSQL's text form of a text[] ("{a,b}") into bits; returns
 * -1 when an element is no scope. */
int hub_scopes_parse(const char *pg_array, unsigned *bits);
/* The same bits as PostgreSQL's text[] literal ("{operator.read}"). */
const char *hub_scopes_pg(apr_pool_t *p, unsigned bits);

/* May this principal read / change things in its tenant?  Admin scope or
 * an owner/admin role may do anything; write scope or member role may
 * change; read scope or viewer role only read. */
int hub_principal_can_read(const hub_principal_t *who);
int hub_principal_can_write(const hub_principal_t *who);
int hub_principal_is_admin(const hub_principal_t *who);

#endif
