/* Unit tests of the route index: for every request the index answers
 * exactly what the scan of every table answers (route, owner, Allow,
 * profile, parameters), over tables with literal, {param}-first, :param,
 * root and trailing-slash patterns in two tables of two owners, for every
 * path of up to three segments drawn from the patterns' own words, their
 * encoded forms and bad escapes. */
#include <stdio.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_profile.h"
#include "hub_route.h"
#include "tap.h"

#define BIT(m) (1u << (m))

/* distinct functions tell the rows apart; none is ever called */
#define OP(name) \
    static int name(hub_req_t *r, hub_result_t *res) \
    { \
        (void)r; \
        (void)res; \
        return 0; \
    }
OP(op_root)
OP(op_list)
OP(op_search)
OP(op_get)
OP(op_tenant)
OP(op_tool)
OP(op_diag)
OP(op_other)

/* clang-format off */
static const hub_route_t first_table[] = {
    { HUB_CAYLEX, HUB_M_GET, "/", op_root, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers", op_list, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers", op_list, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers/search", op_search, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers/{id}", op_get, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_PATCH, "/servers/{id}", op_get, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_DELETE, "/servers/{id}/", op_get, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/{tenant}/keys", op_tenant, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_PUT, "/{tenant}/servers", op_tenant, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/debug/state", op_diag, NULL, 0, HUB_ROUTE_DIAG,
      NULL, .need = HUB_NEED_ANY },
    { 0 }
};

static const hub_route_t second_table[] = {
    { HUB_GOCLAW, HUB_M_GET, "/tools/:name", op_tool, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_POST, "/tools/:name/invoke", op_tool, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_GET, "/servers/{id}", op_other, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW | HUB_CAYLEX, HUB_M_GET, "/health", op_other, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_GET, "/:a/:b", op_other, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_DELETE, "/", op_other, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { 0 }
};
/* clang-format on */

/* segments requests are made of: the patterns' literals, their encoded
 * forms, values for parameters, bad escapes and nothing at all */
static const char *const segments[] = {
    "servers", "search", "keys", "tools", "invoke",    "health",
    "debug",   "state",  "x",    "7",     "%73ervers", "serv%65rs",
    "a%2Fb",   "%zz",    "%00",  "",      "t1"
};
#define NSEG (sizeof(segments) / sizeof(segments[0]))

static apr_array_header_t *make_tables(apr_pool_t *p)
{
    apr_array_header_t *t = apr_array_make(p, 2, sizeof(hub_route_table_t));
    hub_route_table_t *tab = apr_array_push(t);
    tab->owner = "hub_servers";
    tab->routes = first_table;
    tab = apr_array_push(t);
    tab->owner = "hub_goclaw";
    tab->routes = second_table;
    return t;
}

/* NULL when the two answers agree, else what differs */
static const char *differs(int rs, const hub_match_t *s, int ri,
                           const hub_match_t *i)
{
    int k;
    if (rs != ri)
        return "return value";
    if (s->route != i->route)
        return "route";
    if ((s->owner == NULL) != (i->owner == NULL)
        || (s->owner && strcmp(s->owner, i->owner)))
        return "owner";
    if (s->allow != i->allow)
        return "allow";
    if (s->profile != i->profile)
        return "profile";
    if (s->nparams != i->nparams)
        return "nparams";
    for (k = 0; k < s->nparams; k++) {
        if (strcmp(s->names[k], i->names[k])
            || strcmp(s->values[k], i->values[k]))
            return "parameters";
    }
    return NULL;
}

static int lookups, mismatches, matched;

static void compare(apr_pool_t *p, const apr_array_header_t *tables,
                    const hub_route_index_t *ix, const char *path)
{
    static const unsigned masks[] = { HUB_CAYLEX, HUB_GOCLAW,
                                      HUB_CAYLEX | HUB_GOCLAW, HUB_G4F };
    unsigned mk;
    int method, flags;
    for (mk = 0; mk < sizeof(masks) / sizeof(masks[0]); mk++) {
        for (method = 0; method <= HUB_M_COUNT; method++) {
            for (flags = 0; flags < 2; flags++) {
                hub_match_t s, i;
                unsigned f = flags ? HUB_ROUTE_DIAG : 0;
                int rs = hub_routes_lookup(tables, masks[mk], f, method, path,
                                           p, &s);
                int ri = hub_route_index_lookup(ix, masks[mk], f, method, path,
                                                p, &i);
                const char *why = differs(rs, &s, ri, &i);
                lookups++;
                matched += rs;
                if (why && mismatches++ < 10) {
                    diag("%s %s profiles %#x flags %u: %s differs",
                         hub_method_name(method), path, masks[mk], f, why);
                }
            }
        }
    }
}

static void test_same_as_scan(apr_pool_t *p, const apr_array_header_t *tables,
                              const hub_route_index_t *ix)
{
    size_t a, b, c;
    int slash;
    apr_pool_t *sub;

    apr_pool_create(&sub, p);
    compare(sub, tables, ix, "/");
    compare(sub, tables, ix, "//");
    for (a = 0; a < NSEG; a++) {
        for (slash = 0; slash < 2; slash++) {
            compare(sub, tables, ix,
                    apr_pstrcat(sub, "/", segments[a], slash ? "/" : "", NULL));
        }
        for (b = 0; b < NSEG; b++) {
            for (slash = 0; slash < 2; slash++) {
                compare(sub, tables, ix,
                        apr_pstrcat(sub, "/", segments[a], "/", segments[b],
                                    slash ? "/" : "", NULL));
            }
            for (c = 0; c < NSEG; c++) {
                compare(sub, tables, ix,
                        apr_pstrcat(sub, "/", segments[a], "/", segments[b],
                                    "/", segments[c], NULL));
            }
            apr_pool_clear(sub);
        }
    }
    apr_pool_destroy(sub);
    ok(mismatches == 0, "index and scan agree on all %d lookups (%d differ)",
       lookups, mismatches);
    ok(matched > lookups / 20,
       "the comparison is not vacuous: %d of them matched a path", matched);
}

static void test_cases(apr_pool_t *p, const hub_route_index_t *ix)
{
    hub_match_t m;

    is_int(hub_route_index_size(ix), 16, "every row of both tables indexed");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/", p, &m)
           && m.route && m.route->op == op_root,
       "root route for /");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/servers/search",
                              p, &m)
           && m.route && m.route->op == op_search,
       "literal second segment beats {id}");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/%73ervers/7", p,
                              &m)
           && m.route && m.route->op == op_get
           && !strcmp(hub_match_param(&m, "id"), "7"),
       "an encoded first segment finds its literal bucket");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/acme/keys", p, &m)
           && m.route && m.route->op == op_tenant
           && !strcmp(hub_match_param(&m, "tenant"), "acme"),
       "a parameter-first route is found for any first segment");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_PUT, "/servers/servers",
                              p, &m)
           && m.route && m.route->op == op_tenant,
       "a parameter-first route is weighed beside the literal branch");
    ok(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_DELETE, "/servers", p,
                              &m)
           && !m.route
           && m.allow == (BIT(HUB_M_GET) | BIT(HUB_M_POST) | BIT(HUB_M_HEAD)),
       "405: Allow names every method of the path");
    ok(hub_route_index_lookup(ix, HUB_GOCLAW, 0, HUB_M_GET, "/servers/7", p, &m)
           && m.route && m.route->op == op_other
           && !strcmp(m.owner, "hub_goclaw"),
       "the same path in another table answers for its own profile");
    is_int(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/debug/state",
                                  p, &m),
           0, "a diagnostics route stays hidden without HUB_ROUTE_DIAG");
    is_int(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/%zz/keys", p,
                                  &m),
           0, "a bad escape in the first segment matches nothing");
    ok(!m.route && !m.allow, "and leaves no route and no Allow");
    is_int(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET,
                                  "/servers/7/x/y/z", p, &m),
           0, "a path deeper than every pattern matches nothing");
    is_int(hub_route_index_lookup(ix, HUB_G4F, 0, HUB_M_GET, "/servers", p, &m),
           0, "a profile with no routes finds nothing");
}

static void test_empty(apr_pool_t *p)
{
    hub_route_index_t *ix = hub_route_index_make(p, NULL);
    hub_match_t m;
    is_int(hub_route_index_size(ix), 0, "an index of no tables is empty");
    is_int(hub_route_index_lookup(ix, HUB_CAYLEX, 0, HUB_M_GET, "/", p, &m), 0,
           "and finds nothing");
}

int main(void)
{
    apr_pool_t *p;
    apr_array_header_t *tables;
    hub_route_index_t *ix;

    apr_initialize();
    apr_pool_create(&p, NULL);
    tables = make_tables(p);
    ix = hub_route_index_make(p, tables);

    test_cases(p, ix);
    test_same_as_scan(p, tables, ix);
    test_empty(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
