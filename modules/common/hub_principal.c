#include <string.h>
#include <apr_strings.h>
#include "hub_principal.h"

static const struct {
    unsigned bit;
    const char *name;
} scopes[] = {
    { HUB_SCOPE_ADMIN, "operator.admin" },
    { HUB_SCOPE_READ, "operator.read" },
    { HUB_SCOPE_WRITE, "operator.write" },
    { HUB_SCOPE_APPROVALS, "operator.approvals" },
    { HUB_SCOPE_PAIRING, "operator.pairing" },
};
#define NSCOPES (sizeof(scopes) / sizeof(scopes[0]))

unsigned hub_scope_from_name(const char *name)
{
    size_t i;
    for (i = 0; name && i < NSCOPES; i++) {
        if (!strcmp(name, scopes[i].name)) {
            return scopes[i].bit;
        }
    }
    return 0;
}

const char *hub_scope_name(unsigned bit)
{
    size_t i;
    for (i = 0; i < NSCOPES; i++) {
        if (scopes[i].bit == bit) {
            return scopes[i].name;
        }
    }
    return NULL;
}

int hub_scopes_parse(const char *s, unsigned *bits)
{
    *bits = 0;
    if (!s || *s != '{') {
        return -1;
    }
    s++;
    while (*s && *s != '}') {
        size_t n = strcspn(s, ",}");
        size_t i;
        int found = 0;
        for (i = 0; i < NSCOPES; i++) {
            if (strlen(scopes[i].name) == n && !strncmp(s, scopes[i].name, n)) {
                *bits |= scopes[i].bit;
                found = 1;
            }
        }
        if (!found) {
            return -1;
        }
        s += n;
        if (*s == ',' && s[1] != '}') {
            s++;
        }
        else if (*s != '}') {
            return -1;
        }
    }
    if (*s != '}' || s[1]) { /* unterminated, or junk after it */
        return -1;
    }
    return 0;
}

const char *hub_scopes_pg(apr_pool_t *p, unsigned bits)
{
    const char *out = "{";
    size_t i;
    int first = 1;
    for (i = 0; i < NSCOPES; i++) {
        if (bits & scopes[i].bit) {
            out = apr_pstrcat(p, out, first ? "" : ",", scopes[i].name, NULL);
            first = 0;
        }
    }
    return apr_pstrcat(p, out, "}", NULL);
}

static int role_is(const hub_principal_t *who, const char *a, const char *b)
{
    return who->role && (!strcmp(who->role, a) || (b && !strcmp(who->role, b)));
}

int hub_principal_is_admin(const hub_principal_t *who)
{
    return who && who->tenant_id
           && (who->superuser || (who->scopes & HUB_SCOPE_ADMIN)
               || role_is(who, "owner", "admin"));
}

int hub_principal_can_write(const hub_principal_t *who)
{
    return hub_principal_is_admin(who)
           || (who && who->tenant_id
               && ((who->scopes & HUB_SCOPE_WRITE)
                   || role_is(who, "member", NULL)));
}

int hub_principal_can_read(const hub_principal_t *who)
{
    return hub_principal_can_write(who)
           || (who && who->tenant_id
               && ((who->scopes & HUB_SCOPE_READ)
                   || role_is(who, "viewer", NULL)));
}
