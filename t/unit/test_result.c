/* Unit tests of hub_result (result values and their bodies) and
 * hub_access (ways in, needs, refusals). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_access.h"
#include "hub_json.h"
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

/* Rows of every kind of column, written as text (hub_result_text) and
 * as the tree (hub_result_body, then the encoder): the same bytes, in
 * every wrapper, for a list and for one row */
static hub_rows_t *kinds_rows(apr_pool_t *p)
{
    static const char *cols[] = { "id", "n", "on", "tags", "doc", "note" };
    static const char *r0[] = { "caf\xc3\xa9 \"q\"\n\\", "-42",  "t",
                                "{a,\"b c\",NULL}",      "99.6", "" };
    static const char *r1[] = {
        "x/y\t\x01", NULL, "f", "{}", "{\"k\": [1, 2.5, null]}", "kept"
    };
    static const char *r2[] = {
        NULL, "9223372036854775807", NULL, NULL, "1e-05", NULL
    };
    static const char *r3[] = {
        "plain text longer than eight bytes",
        "0",
        "t",
        "{\"x\\\"y\"}",
        "-7",
        "z"
    };
    hub_rows_t *rows = apr_pcalloc(p, sizeof(*rows));
    rows->ncols = 6;
    rows->cols = cols;
    rows->rows = apr_array_make(p, 4, sizeof(const char **));
    APR_ARRAY_PUSH(rows->rows, const char **) = r0;
    APR_ARRAY_PUSH(rows->rows, const char **) = r1;
    APR_ARRAY_PUSH(rows->rows, const char **) = r2;
    APR_ARRAY_PUSH(rows->rows, const char **) = r3;
    return rows;
}

/* clang-format off */
static const hub_shape_t kinds[] = {
    { "id", NULL, HUB_J_STRING },
    { "count", "n", HUB_J_INT },
    { "enabled", "on", HUB_J_BOOL },
    { "tags", NULL, HUB_J_STRINGS },
    { "doc", NULL, HUB_J_JSON },
    { "note", NULL, HUB_J_OMITEMPTY },
    { "missing", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static void test_text(apr_pool_t *p)
{
    static const hub_wrap_e wraps[] = { HUB_WRAP_NONE, HUB_WRAP_KEY,
                                        HUB_WRAP_CX_PAGE, HUB_WRAP_G4F_PAGE };
    static const char *const names[] = { "bare", "under a key",
                                         "in Caylex's page", "in G4F's page" };
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY
                         | JSON_REAL_PRECISION(15);
    hub_rows_t *none = kinds_rows(p);
    hub_result_t res;
    int w, one, empty;
    none->rows->nelts = 0;
    for (one = 0; one < 2; one++) {
        for (w = 0; w < 4; w++) {
            int n;
            for (n = 0; n < 2; n++) {
                json_t *tree;
                char *want, *got;
                apr_size_t len = 0;
                hub_result_init(&res, p);
                if (one) {
                    hub_ok_row(&res, n ? kinds_rows(p) : none, NULL);
                }
                else {
                    hub_ok_rows(&res, n ? kinds_rows(p) : none, NULL);
                }
                res.total = 9;
                res.page.limit = 4;
                res.page.offset = 2;
                tree = hub_result_body(p, &res, kinds, wraps[w], "servers");
                want = hub_json_dump(p, tree, flags, NULL);
                json_decref(tree);
                got = hub_result_text(p, &res, kinds, wraps[w], "servers",
                                      flags, &len, &empty);
                ok(want && got && !strcmp(want, got) && !empty,
                   "text: %s %s, %s, as the tree writes it",
                   one ? "one row" : "rows", names[w], n ? "four" : "none");
                if (!(want && got && !strcmp(want, got))) {
                    diag("tree %s", want ? want : "(null)");
                    diag("text %s", got ? got : "(null)");
                }
                is_int((int)len, got ? (int)strlen(got) : -1,
                       "text: its length");
            }
        }
    }
    {
        static const char *cols[] = { "id" };
        static const char *bad[] = { "\xff" };
        hub_rows_t *rows = apr_pcalloc(p, sizeof(*rows));
        rows->ncols = 1;
        rows->cols = cols;
        rows->rows = apr_array_make(p, 1, sizeof(const char **));
        APR_ARRAY_PUSH(rows->rows, const char **) = bad;
        hub_result_init(&res, p);
        hub_ok_rows(&res, rows, NULL);
        ok(!hub_result_text(p, &res, kinds, HUB_WRAP_KEY, "k", flags, NULL,
                            &empty)
               && !empty,
           "text: bad UTF-8 in a row fails the answer, it is not sent");
    }
    hub_result_init(&res, p);
    hub_ok_empty(&res, 204);
    ok(!hub_result_text(p, &res, kinds, HUB_WRAP_NONE, NULL, flags, NULL,
                        &empty)
           && empty,
       "text: no body is said as no body");
    hub_result_init(&res, p);
    hub_ok(&res, json_pack("{s:f}", "r", 0.1));
    is_str(hub_result_text(p, &res, NULL, HUB_WRAP_KEY, "v", flags, NULL,
                           &empty),
           "{\"v\":{\"r\":0.1}}", "text: a JSON value, wrapped");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_bodies(p);
    test_text(p);
    test_errors(p);
    test_access(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
