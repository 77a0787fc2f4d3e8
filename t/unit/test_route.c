/* Unit tests of hub_route: the path matcher, table lookup, 405s, prefixes. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_profile.h"
#include "hub_route.h"
#include "tap.h"

#define BIT(m) (1u << (m))

/* The matcher never calls an op: any non-NULL function will do, and a
 * distinct one per row lets a test tell rows apart. */
static int op_list(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}
static int op_search(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}
static int op_get(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}
static int op_patch(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}
static int op_diag(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}
static int op_goclaw(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}

/* clang-format off */
static const hub_route_t servers_routes[] = {
    { HUB_CAYLEX, HUB_M_GET,   "/servers",        op_list,   NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST,  "/servers",        op_list,   NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET,   "/servers/search", op_search, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET,   "/servers/{id}",   op_get,    NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_PATCH, "/servers/{id}",   op_patch,  NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_GET,   "/tools/:name",    op_goclaw, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET,   "/debug/state",    op_diag,   NULL, 0,
      HUB_ROUTE_DIAG, NULL,
      .need = HUB_NEED_ANY },
    { 0 }
};
/* clang-format on */

static apr_array_header_t *make_tables(apr_pool_t *p)
{
    apr_array_header_t *t = apr_array_make(p, 1, sizeof(hub_route_table_t));
    hub_route_table_t *tab = apr_array_push(t);
    tab->owner = "hub_servers";
    tab->routes = servers_routes;
    return t;
}

static void test_match_path(apr_pool_t *p)
{
    hub_match_t m;

    ok(hub_route_match_path("/servers", "/servers", p, &m) > 0,
       "literal path matches itself");
    is_int(m.nparams, 0, "literal match captures no params");
    is_int(hub_route_match_path("/servers", "/server", p, &m), 0,
           "different literal does not match");
    is_int(hub_route_match_path("/servers", "/servers/1", p, &m), 0,
           "longer path does not match shorter pattern");
    is_int(hub_route_match_path("/servers/{id}", "/servers", p, &m), 0,
           "shorter path does not match longer pattern");

    ok(hub_route_match_path("/servers/{id}", "/servers/42", p, &m) > 0,
       "{param} matches a segment");
    is_int(m.nparams, 1, "{param}: one param captured");
    is_str(hub_match_param(&m, "id"), "42", "{param}: value captured");
    is_str(hub_match_param(&m, "name"), NULL, "absent param is NULL");

    ok(hub_route_match_path("/tools/:name", "/tools/grep", p, &m) > 0,
       ":param matches a segment");
    is_str(hub_match_param(&m, "name"), "grep", ":param: value captured");

    ok(hub_route_match_path("/a/{x}/b/:y", "/a/1/b/2", p, &m) > 0,
       "two params of both styles match");
    is_str(hub_match_param(&m, "x"), "1", "first of two params");
    is_str(hub_match_param(&m, "y"), "2", "second of two params");

    is_int(hub_route_match_path("/servers/{id}", "/servers/", p, &m), 0,
           "empty param segment does not match");
}

static void test_trailing_slash(apr_pool_t *p)
{
    hub_match_t m;
    is_int(hub_route_match_path("/servers", "/servers/", p, &m), 0,
           "path with trailing slash does not match pattern without");
    is_int(hub_route_match_path("/servers/", "/servers", p, &m), 0,
           "path without trailing slash does not match pattern with");
    ok(hub_route_match_path("/servers/", "/servers/", p, &m) > 0,
       "trailing slashes that agree match");
    ok(hub_route_match_path("/", "/", p, &m) > 0, "root matches root");
}

static void test_decoding(apr_pool_t *p)
{
    hub_match_t m;

    ok(hub_route_match_path("/users/{email}", "/users/user%40x.com", p, &m) > 0,
       "%%-encoded param matches");
    is_str(hub_match_param(&m, "email"), "user@x.com",
           "param is %-decoded (user%40x.com -> user@x.com)");
    ok(hub_route_match_path("/servers", "/serv%65rs", p, &m) > 0,
       "literal segments compare after decoding");
    ok(hub_route_match_path("/f/{n}", "/f/a%2Fb", p, &m) > 0,
       "encoded slash stays inside one param");
    is_str(hub_match_param(&m, "n"), "a/b", "encoded slash decoded in param");

    is_int(hub_route_match_path("/users/{e}", "/users/a%zz", p, &m), 0,
           "bad escape %zz does not match");
    is_int(hub_route_match_path("/users/{e}", "/users/a%00b", p, &m), 0,
           "%00 does not match");
    is_int(hub_route_match_path("/users/{e}", "/users/a%4", p, &m), 0,
           "truncated escape does not match");
    is_int(hub_route_match_path("/users/{e}", "/users/%", p, &m), 0,
           "lone % does not match");
}

static void test_url_decode(apr_pool_t *p)
{
    is_str(hub_url_decode(p, "a%20b", 5), "a b", "url_decode %20");
    is_str(hub_url_decode(p, "%41%62", 6), "Ab", "url_decode upper/lower");
    is_str(hub_url_decode(p, "%4a%4A", 6), "JJ",
           "url_decode hex of both cases");
    is_str(hub_url_decode(p, "plain", 5), "plain", "url_decode plain text");
    is_str(hub_url_decode(p, "abcdef", 3), "abc", "url_decode honours len");
    is_str(hub_url_decode(p, "a+b", 3), "a+b", "url_decode keeps '+'");
    is_str(hub_url_decode(p, "", 0), "", "url_decode empty");
    is_str(hub_url_decode(p, "%zz", 3), NULL, "url_decode %zz -> NULL");
    is_str(hub_url_decode(p, "%00", 3), NULL, "url_decode %00 -> NULL");
    is_str(hub_url_decode(p, "ab%4", 4), NULL, "url_decode ab%4 -> NULL");
    is_str(hub_url_decode(p, "%41%4", 5), NULL,
           "url_decode truncated second escape -> NULL");
    /* the escape must lie inside len, not read past it */
    is_str(hub_url_decode(p, "a%41", 2), NULL,
           "url_decode does not read an escape past len");
}

static void test_most_specific(apr_pool_t *p, apr_array_header_t *tables)
{
    hub_match_t m;

    ok(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_GET, "/servers/search", p,
                         &m),
       "GET /servers/search found");
    ok(m.route && m.route->op == op_search,
       "GET /servers/search picks the literal route over {id}");
    is_str(m.owner, "hub_servers", "owner is the table's owner");
    is_int(m.nparams, 0, "literal route has no params");

    ok(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_GET, "/servers/7", p, &m),
       "GET /servers/7 found");
    ok(m.route && m.route->op == op_get, "GET /servers/7 picks {id}");
    is_str(hub_match_param(&m, "id"), "7", "GET /servers/7: id captured");

    /* Starlette: PATCH on /servers/search only matches {id} by method */
    ok(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_PATCH, "/servers/search",
                         p, &m),
       "PATCH /servers/search found");
    ok(m.route && m.route->op == op_patch,
       "route matching path+method beats a more specific path-only match");
    is_str(hub_match_param(&m, "id"), "search",
           "PATCH /servers/search: id = search");

    is_int(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_GET, "/nothing", p,
                             &m),
           0, "unknown path: lookup returns 0");
    ok(m.route == NULL && m.allow == 0, "unknown path: no route, no allow");
}

static void test_405(apr_pool_t *p, apr_array_header_t *tables)
{
    hub_match_t m;

    ok(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_DELETE, "/servers", p,
                         &m),
       "DELETE /servers: path matched");
    ok(m.route == NULL, "DELETE /servers: no route (405)");
    is_int(m.allow, BIT(HUB_M_GET) | BIT(HUB_M_POST) | BIT(HUB_M_HEAD),
           "DELETE /servers: allow = GET, POST + HEAD");
    is_str(hub_methods_allow(p, m.allow), "GET, POST, HEAD",
           "Allow header text for /servers");

    ok(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_POST, "/servers/3", p,
                         &m),
       "POST /servers/3: path matched");
    ok(m.route == NULL, "POST /servers/3: no route (405)");
    is_int(m.allow, BIT(HUB_M_GET) | BIT(HUB_M_PATCH) | BIT(HUB_M_HEAD),
           "POST /servers/3: allow = GET, PATCH + HEAD");
}

static void test_profiles_flags(apr_pool_t *p, apr_array_header_t *tables)
{
    hub_match_t m;

    is_int(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_GET, "/tools/x", p,
                             &m),
           0, "goclaw route invisible to caylex");
    ok(hub_routes_lookup(tables, HUB_GOCLAW, 0, HUB_M_GET, "/tools/x", p, &m)
           && m.route && m.route->op == op_goclaw,
       "goclaw route found for goclaw");
    is_int(hub_routes_lookup(tables, HUB_GOCLAW, 0, HUB_M_GET, "/servers", p,
                             &m),
           0, "caylex route invisible to goclaw");
    ok(hub_routes_lookup(tables, HUB_GOCLAW | HUB_CAYLEX, 0, HUB_M_GET,
                         "/servers", p, &m)
           && m.route,
       "profile mask with several bits sees both");

    is_int(hub_routes_lookup(tables, HUB_CAYLEX, 0, HUB_M_GET, "/debug/state",
                             p, &m),
           0, "DIAG route hidden when flags_ok lacks HUB_ROUTE_DIAG");
    ok(hub_routes_lookup(tables, HUB_CAYLEX, HUB_ROUTE_DIAG, HUB_M_GET,
                         "/debug/state", p, &m)
           && m.route && m.route->op == op_diag,
       "DIAG route served when flags_ok includes HUB_ROUTE_DIAG");
}

static void test_path_relative(apr_pool_t *p)
{
    is_str(hub_path_relative("/", "/servers"), "/servers",
           "prefix / keeps the path");
    is_str(hub_path_relative("/", "/"), "/", "prefix /: / stays /");
    is_str(hub_path_relative(NULL, "/x"), "/x", "NULL prefix acts as /");
    is_str(hub_path_relative("/caylex/api/v1", "/caylex/api/v1/servers/1"),
           "/servers/1", "prefix stripped");
    is_str(hub_path_relative("/caylex/api/v1", "/caylex/api/v1"), "/",
           "the prefix itself is /");
    is_str(hub_path_relative("/caylex/api/v1", "/caylex/api/v1/"), "/",
           "the prefix with a slash is /");
    is_str(hub_path_relative("/caylex/api/v1", "/caylex/api"), NULL,
           "path shorter than the prefix -> NULL");
    is_str(hub_path_relative("/caylex/api/v1", "/caylex/api/v%31/servers"),
           "/servers", "raw (encoded) prefix segments are skipped");
    /* The header promises NULL for a path outside the prefix; a path with
     * the same number of segments but other names is outside too. */
    is_str(hub_path_relative("/caylex/api/v1", "/goclaw/api/v1/servers"), NULL,
           "path outside the prefix (other names) -> NULL");
    {
        const char *rel = hub_path_relative("/caylex/api/v1",
                                            "//caylex//api/v1//servers");
        ok(rel && rel[0] == '/', "'//' runs: remainder starts with /");
        ok(rel && hub_route_match_path("/servers", rel, p, NULL) > 0,
           "'//' runs: remainder (%s) matches /servers", rel ? rel : "NULL");
    }
}

static void test_methods(apr_pool_t *p)
{
    is_str(hub_methods_allow(p, 0), "", "allow text of empty mask");
    is_str(hub_methods_allow(p, BIT(HUB_M_GET)), "GET", "allow text GET");
    is_str(hub_methods_allow(p, BIT(HUB_M_DELETE) | BIT(HUB_M_GET)
                                    | BIT(HUB_M_OPTIONS)),
           "GET, DELETE, OPTIONS", "allow text in method order");
    is_str(hub_methods_allow(p, (1u << HUB_M_COUNT) - 1),
           "GET, PUT, POST, DELETE, PATCH, OPTIONS, HEAD",
           "allow text of every method");
    is_str(hub_method_name(HUB_M_PATCH), "PATCH", "method name PATCH");
    is_str(hub_method_name(99), "?", "method name out of range");
    is_int(hub_method_from_name("DELETE"), HUB_M_DELETE, "method from name");
    is_int(hub_method_from_name("get"), -1, "method names are case-sensitive");
    is_int(hub_method_from_name(NULL), -1, "method from NULL name");
}

int main(void)
{
    apr_pool_t *p;
    apr_array_header_t *tables;

    apr_initialize();
    apr_pool_create(&p, NULL);
    tables = make_tables(p);

    test_match_path(p);
    test_trailing_slash(p);
    test_decoding(p);
    test_url_decode(p);
    test_most_specific(p, tables);
    test_405(p, tables);
    test_profiles_flags(p, tables);
    test_path_relative(p);
    test_methods(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
