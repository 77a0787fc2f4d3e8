/* Unit tests of hub_principal: scope names, text[] scopes, permissions. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_principal.h"
#include "tap.h"

static const struct {
    unsigned bit;
    const char *name;
} all_scopes[] = {
    { HUB_SCOPE_ADMIN, "operator.admin" },
    { HUB_SCOPE_READ, "operator.read" },
    { HUB_SCOPE_WRITE, "operator.write" },
    { HUB_SCOPE_APPROVALS, "operator.approvals" },
    { HUB_SCOPE_PAIRING, "operator.pairing" },
};
#define NALL (sizeof(all_scopes) / sizeof(all_scopes[0]))

static void test_scope_names(void)
{
    size_t i;

    for (i = 0; i < NALL; i++) {
        is_int(hub_scope_from_name(all_scopes[i].name), all_scopes[i].bit,
               all_scopes[i].name);
        is_str(hub_scope_name(all_scopes[i].bit), all_scopes[i].name,
               "  ... and its bit names it back");
    }
    is_int(hub_scope_from_name("operator.nope"), 0, "unknown name -> 0");
    is_int(hub_scope_from_name(""), 0, "\"\" -> 0");
    is_int(hub_scope_from_name(NULL), 0, "NULL -> 0");
    is_int(hub_scope_from_name("OPERATOR.READ"), 0, "names are case-sensitive");
    is_int(hub_scope_from_name("operator.read "), 0, "no trailing space");
    is_str(hub_scope_name(0), NULL, "bit 0 has no name");
    is_str(hub_scope_name(0x20), NULL, "unknown bit has no name");
    is_str(hub_scope_name(HUB_SCOPE_ADMIN | HUB_SCOPE_READ), NULL,
           "two bits together have no single name");
}

static void test_scopes_parse(void)
{
    unsigned bits;

    bits = 99;
    is_int(hub_scopes_parse("{}", &bits), 0, "\"{}\" parses");
    is_int(bits, 0, "  ... to no scopes");
    is_int(hub_scopes_parse("{operator.read}", &bits), 0,
           "\"{operator.read}\" parses");
    is_int(bits, HUB_SCOPE_READ, "  ... to READ");
    is_int(hub_scopes_parse("{operator.admin,operator.write}", &bits), 0,
           "two scopes parse");
    is_int(bits, HUB_SCOPE_ADMIN | HUB_SCOPE_WRITE, "  ... to ADMIN|WRITE");
    is_int(hub_scopes_parse("{operator.admin,operator.read,operator.write,"
                            "operator.approvals,operator.pairing}",
                            &bits),
           0, "all five parse");
    is_int(bits, 0x1f, "  ... to all five bits");
    is_int(hub_scopes_parse("{operator.read,operator.read}", &bits), 0,
           "a repeated scope parses");
    is_int(bits, HUB_SCOPE_READ, "  ... to the one bit");

    is_int(hub_scopes_parse("{nope}", &bits), -1, "\"{nope}\" rejected");
    is_int(hub_scopes_parse("{operator.read,nope}", &bits), -1,
           "a known and an unknown scope rejected");
    is_int(hub_scopes_parse("{operator.rea}", &bits), -1,
           "a prefix of a scope rejected");
    is_int(hub_scopes_parse("{operator.readx}", &bits), -1,
           "a scope with more after it rejected");
    is_int(hub_scopes_parse("operator.read", &bits), -1, "no braces rejected");
    is_int(hub_scopes_parse(NULL, &bits), -1, "NULL rejected");
    is_int(hub_scopes_parse("", &bits), -1, "\"\" rejected");
    is_int(hub_scopes_parse("{,}", &bits), -1, "an empty element rejected");
    /* not PostgreSQL's text form of an array: the closing brace is
     * missing, or something follows it */
    is_int(hub_scopes_parse("{operator.read", &bits), -1,
           "no closing brace rejected");
    is_int(hub_scopes_parse("{", &bits), -1, "a lone \"{\" rejected");
    is_int(hub_scopes_parse("{operator.read}x", &bits), -1,
           "junk after the closing brace rejected");
}

static void test_scopes_pg(apr_pool_t *p)
{
    unsigned b;

    is_str(hub_scopes_pg(p, 0), "{}", "no bits -> {}");
    is_str(hub_scopes_pg(p, HUB_SCOPE_READ), "{operator.read}", "READ");
    is_str(hub_scopes_pg(p, HUB_SCOPE_ADMIN | HUB_SCOPE_WRITE),
           "{operator.admin,operator.write}", "ADMIN|WRITE");
    is_str(hub_scopes_pg(p, 0x20), "{}", "an unknown bit is left out");

    /* every combination of the five bits survives the round trip */
    {
        int bad = 0;
        for (b = 0; b < 32; b++) {
            unsigned back = 12345;
            const char *s = hub_scopes_pg(p, b);
            if (hub_scopes_parse(s, &back) != 0 || back != b) {
                diag("round trip of 0x%02x: %s -> 0x%02x", b, s, back);
                bad++;
            }
        }
        is_int(bad, 0, "pg -> parse round trip for all 32 combinations");
    }
}

/* what a principal may do, as "arw" (admin, write, read) or '-' */
static const char *can(apr_pool_t *p, const hub_principal_t *who)
{
    return apr_psprintf(p, "%c%c%c", hub_principal_is_admin(who) ? 'a' : '-',
                        hub_principal_can_write(who) ? 'w' : '-',
                        hub_principal_can_read(who) ? 'r' : '-');
}

static hub_principal_t base(void)
{
    hub_principal_t who;
    memset(&who, 0, sizeof(who));
    who.tenant_id = "11111111-1111-1111-1111-111111111111";
    who.tenant_slug = "acme";
    who.name = "test";
    return who;
}

/* What each tenant role may do, with no scopes: "awr" = admin, write,
 * read. */
static const struct {
    const char *role, *can, *says;
} roles[] = {
    { "owner", "awr", "owner role: admin" },
    { "admin", "awr", "admin role: admin" },
    { "member", "-wr", "member role: write, not admin" },
    { "viewer", "--r", "viewer role: read only" },
    { "stranger", "---", "unknown role: nothing" },
    { "Owner", "---", "roles are case-sensitive" },
};

static void test_permissions(apr_pool_t *p)
{
    hub_principal_t who;
    size_t i;

    who = base();
    who.scopes = HUB_SCOPE_ADMIN;
    is_str(can(p, &who), "awr", "admin scope: admin, write, read");
    who = base();
    who.scopes = HUB_SCOPE_WRITE;
    is_str(can(p, &who), "-wr", "write scope: write and read, not admin");
    who = base();
    who.scopes = HUB_SCOPE_READ;
    is_str(can(p, &who), "--r", "read scope: read only");
    who = base();
    who.scopes = HUB_SCOPE_APPROVALS | HUB_SCOPE_PAIRING;
    is_str(can(p, &who), "---", "approvals+pairing scopes: none of the three");
    who = base();
    is_str(can(p, &who), "---", "no scope, no role: nothing");

    for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        who = base();
        who.role = roles[i].role;
        is_str(can(p, &who), roles[i].can, roles[i].says);
    }
    who = base();
    who.role = "viewer";
    who.scopes = HUB_SCOPE_WRITE;
    is_str(can(p, &who), "-wr", "viewer role with write scope: write");

    who = base();
    who.superuser = 1;
    is_str(can(p, &who), "awr", "superuser: admin");

    who = base();
    who.tenant_id = NULL;
    who.scopes = HUB_SCOPE_ADMIN | HUB_SCOPE_WRITE | HUB_SCOPE_READ;
    who.role = "owner";
    who.superuser = 1;
    is_str(can(p, &who), "---", "no tenant_id: nothing, whatever else");

    is_int(hub_principal_is_admin(NULL), 0, "NULL principal: not admin");
    is_int(hub_principal_can_write(NULL), 0, "NULL principal: cannot write");
    is_int(hub_principal_can_read(NULL), 0, "NULL principal: cannot read");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_scope_names();
    test_scopes_parse();
    test_scopes_pg(p);
    test_permissions(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
