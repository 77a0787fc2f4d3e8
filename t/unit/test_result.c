/* Unit tests of hub_result (result values and their bodies) and
 * hub_access (ways in, needs, refusals). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_access.h"
#include "hub_profile.h"
#include "hub_result.h"
#include "hub_rows.h"
#include "hub_validate.h"
#include "tap.h"

static const char *dump(apr_pool_t *p, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *out = s ? apr_pstrdup(p, s) : "(none)";
    free(s);
    json_decref(j);
    return out;
}

static hub_rows_t *two_rows(apr_pool_t *p)
{
    static const char *cols[] = { "id", "n", "on" };
    static const char *r0[] = { "a", "1", "t" };
    static const char *r1[] = { "b", NULL, "f" };
    hub_rows_t *rows = apr_pcalloc(p, sizeof(*rows));
    rows->ncols = 3;
    rows->cols = cols;
    rows->rows = apr_array_make(p, 2, sizeof(const char **));
    APR_ARRAY_PUSH(rows->rows, const char **) = r0;
    APR_ARRAY_PUSH(rows->rows, const char **) = r1;
    return rows;
}

/* clang-format off */
static const hub_shape_t shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "count", "n", HUB_J_INT },
    { "enabled", "on", HUB_J_BOOL },
    { NULL, NULL, 0 }
};
/* clang-format on */

static void test_bodies(apr_pool_t *p)
{
    hub_result_t res;
    hub_page_t pg = { 2, 0 };

    hub_result_init(&res, p);
    hub_ok_rows(&res, two_rows(p), NULL);
    is_str(dump(p, hub_result_body(p, &res, shape, HUB_WRAP_NONE, NULL)),
           "[{\"count\":1,\"enabled\":true,\"id\":\"a\"},"
           "{\"count\":null,\"enabled\":false,\"id\":\"b\"}]",
           "rows in the route's shape, bare");
    is_str(dump(p, hub_result_body(p, &res, shape, HUB_WRAP_KEY, "tools")),
           "{\"tools\":[{\"count\":1,\"enabled\":true,\"id\":\"a\"},"
           "{\"count\":null,\"enabled\":false,\"id\":\"b\"}]}",
           "the same under a key");
    hub_ok_row(&res, two_rows(p), NULL);
    is_str(dump(p, hub_result_body(p, &res, shape, HUB_WRAP_NONE, NULL)),
           "{\"count\":1,\"enabled\":true,\"id\":\"a\"}", "one row, an object");

    hub_ok_page(&res, json_pack("[s,s]", "x", "y"), 5, &pg);
    is_str(dump(p, hub_result_body(p, &res, NULL, HUB_WRAP_CX_PAGE, NULL)),
           apr_psprintf(p,
                        "{\"items\":[\"x\",\"y\"],\"meta\":{\"has_next\":"
                        "true,\"has_prev\":false,\"next_cursor\":\"%s\","
                        "\"size\":2,\"total\":5}}",
                        hub_cursor_encode(p, 2)),
           "Caylex's page: items and meta, the next cursor at 2");
    is_str(dump(p, hub_result_body(p, &res, NULL, HUB_WRAP_G4F_PAGE, NULL)),
           "{\"items\":[\"x\",\"y\"],\"next_cursor\":2}",
           "G4F's page: items and a numeric next cursor");
    pg.offset = 4;
    hub_ok_page(&res, json_pack("[s]", "z"), 5, &pg);
    is_str(dump(p, hub_result_body(p, &res, NULL, HUB_WRAP_CX_PAGE, NULL)),
           "{\"items\":[\"z\"],\"meta\":{\"has_next\":false,\"has_prev\":"
           "true,\"next_cursor\":null,\"size\":2,\"total\":5}}",
           "the last Caylex page has no next cursor");
    is_str(dump(p, hub_result_body(p, &res, NULL, HUB_WRAP_G4F_PAGE, NULL)),
           "{\"items\":[\"z\"],\"next_cursor\":null}",
           "the last G4F page neither");

    hub_ok_empty(&res, 0);
    is_int(res.status, 204, "empty is 204 by default");
    is_str(dump(p, hub_result_body(p, &res, shape, HUB_WRAP_KEY, "x")),
           "(none)", "  and has no body");
    hub_ok_status(&res, 201, json_pack("{s:s}", "id", "n"));
    ok(res.status == 201 && !hub_result_failed(&res), "201 with a body");
}

static void test_errors(apr_pool_t *p)
{
    hub_result_t res;
    static const char *const v[] = { "a", "b", "c", NULL };
    hub_invalid_t *inv;

    hub_result_init(&res, p);
    hub_ok(&res, json_pack("{s:i}", "n", 1));
    hub_err(&res, 404, "NOT_FOUND", "server %s not found", "x");
    ok(hub_result_failed(&res) && res.status == 404,
       "an error replaces a "
       "success");
    is_str(res.detail, "server x not found", "  with its detail");
    is_str(dump(p, hub_result_body(p, &res, NULL, 0, NULL)), "(none)",
           "  and no success body");

    hub_err_enum(&res, "query", "mode", v);
    inv = &APR_ARRAY_IDX(res.invalid, 0, hub_invalid_t);
    ok(res.status == 0 && !strcmp(res.loc_root, "query"),
       "a field error leaves the status to the profile");
    is_str(inv->msg, "Input should be 'a', 'b' or 'c'", "enum words");

    hub_err_db(&res, HUB_DB_UNAVAILABLE, NULL, "r1");
    ok(res.status == 503 && res.retryable
           && !strcmp(apr_table_get(res.headers, "Retry-After"), "5"),
       "database away: 503, retryable, Retry-After");
    hub_err_db(&res, HUB_DB_CONFLICT, "a server with this name exists", "r1");
    ok(res.status == 409
           && !strcmp(res.detail, "a server with this name "
                                  "exists"),
       "conflict: 409 in words given");
    hub_err_db(&res, HUB_DB_ERROR, NULL, "r1");
    ok(res.status == 500 && strstr(res.detail, "r1"),
       "anything else: 500 naming the request");
    hub_result_header_add(&res, "Set-Cookie", "a=1");
    hub_result_header_add(&res, "Set-Cookie", "b=2");
    is_int(apr_table_elts(res.headers)->nelts, 3,
           "added headers keep earlier values");
}

static void test_access(apr_pool_t *p)
{
    hub_principal_t viewer = { 0 }, admin = { 0 }, su = { 0 };
    hub_route_t rt = { 0 };
    const char *code = NULL, *msg;

    viewer.tenant_id = admin.tenant_id = su.tenant_id = "t";
    viewer.role = "viewer";
    admin.role = "admin";
    su.role = "viewer";
    su.superuser = 1;
    ok(hub_access_allows(&viewer, HUB_NEED_READ)
           && !hub_access_allows(&viewer, HUB_NEED_WRITE),
       "a viewer reads only");
    ok(hub_access_allows(&admin, HUB_NEED_ADMIN)
           && !hub_access_allows(&admin, HUB_NEED_SUPERUSER),
       "an admin administers, is no superuser");
    ok(hub_access_allows(&su, HUB_NEED_SUPERUSER), "a superuser is one");
    ok(hub_access_allows(NULL, HUB_NEED_ANY), "ANY leaves it to the op");

    rt.profile = HUB_GOCLAW;
    is_int(hub_access_ways_in(&rt), HUB_IN_GATEWAY | HUB_IN_APIKEY,
           "GoClaw's default ways in");
    rt.profile = HUB_CAYLEX;
    is_int(hub_access_ways_in(&rt), HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY,
           "Caylex's");
    rt.ways_in = HUB_IN_SERVERKEY;
    is_int(hub_access_ways_in(&rt), HUB_IN_SERVERKEY, "a row's own wins");
    rt.need = HUB_NEED_PUBLIC;
    is_int(hub_access_ways_in(&rt), HUB_IN_PUBLIC, "public needs nothing");

    rt.need = HUB_NEED_WRITE;
    rt.summary = "Create Server";
    msg = hub_access_refusal(p, &rt, &code);
    is_str(msg, "Create Server needs write access", "Caylex's refusal");
    rt.profile = HUB_GOCLAW;
    msg = hub_access_refusal(p, &rt, &code);
    is_str(msg, "forbidden: Create Server needs write access",
           "GoClaw's, in its lower case");
    is_str(code, "FORBIDDEN", "  code FORBIDDEN");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_bodies(p);
    test_errors(p);
    test_access(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
