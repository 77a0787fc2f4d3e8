/* Unit tests of hub_query: one parser for every route's query, with
 * pydantic's rules and words. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_page.h"
#include "hub_query.h"
#include "hub_validate.h"
#include "tap.h"

static const char *const sorts[] = { "name_asc", "name_desc", NULL };

static const hub_qfield_t fields[] = {
    HUB_Q_CX_PAGE,
    { "limit", HUB_Q_INT, 0, 1, 1000, 100, NULL, NULL },
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL, NULL },
    { "sort_by", HUB_Q_ENUM, 0, 0, 0, 0, sorts, NULL },
    { "project_id", HUB_Q_UUID, 0, 0, 0, 0, NULL, NULL },
    { "since", HUB_Q_DATETIME, 0, 0, 0, 0, NULL, NULL },
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 5, 0, NULL, NULL },
    { "offset", HUB_Q_OFFSET, 0, 0, 0, 0, NULL, NULL },
    HUB_Q_END
};

/* clang-format off */
static const hub_qfield_t required[] = {
    { "url", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL, NULL },
    HUB_Q_END
};
/* clang-format on */

/* Parse one "name=value" and return the first problem's type, or NULL. */
static const char *problem_of(apr_pool_t *p, const hub_qfield_t *f,
                              const char *name, const char *value,
                              hub_qvals_t *q, const char **msg)
{
    apr_table_t *args = apr_table_make(p, 2);
    apr_array_header_t *problems = apr_array_make(p, 2, sizeof(hub_invalid_t));
    if (name) {
        apr_table_set(args, name, value);
    }
    if (!hub_query_parse(p, f, args, q, problems)) {
        return NULL;
    }
    if (msg) {
        *msg = APR_ARRAY_IDX(problems, 0, hub_invalid_t).msg;
    }
    ok(!strcmp(APR_ARRAY_IDX(problems, 0, hub_invalid_t).field,
               name ? name : f[0].name),
       "  the problem names %s", name ? name : f[0].name);
    return APR_ARRAY_IDX(problems, 0, hub_invalid_t).type;
}

static void test_defaults(apr_pool_t *p)
{
    hub_qvals_t q;
    hub_page_t pg;
    is_str(problem_of(p, fields, NULL, NULL, &q, NULL), NULL,
           "an empty query is fine");
    is_int(hub_qv_long(&q, "size"), 20, "size defaults to 20");
    is_int(hub_qv_long(&q, "limit"), 100, "limit defaults to 100");
    is_int(hub_qv_long(&q, "include_analytics"), 0, "a bool defaults to 0");
    ok(!hub_qv_given(&q, "sort_by"), "absent is not given");
    is_str(hub_qv_str(&q, "nosuch"), NULL, "an unknown name is absent");
    hub_qv_page(&q, "size", "cursor", &pg);
    ok(pg.limit == 20 && pg.offset == 0, "the first page of 20");
}

static void test_bool(apr_pool_t *p)
{
    /* clang-format off */
    static const char *const yes[] = { "1", "true", "True", "YES", "on",
                                       "t", "y", NULL };
    static const char *const no[] = { "0", "false", "FALSE", "no", "Off",
                                      "f", "n", NULL };
    /* clang-format on */
    hub_qvals_t q;
    int i;
    for (i = 0; yes[i]; i++) {
        ok(!problem_of(p, fields, "include_analytics", yes[i], &q, NULL)
               && hub_qv_long(&q, "include_analytics") == 1,
           "'%s' is true", yes[i]);
    }
    for (i = 0; no[i]; i++) {
        ok(!problem_of(p, fields, "include_analytics", no[i], &q, NULL)
               && hub_qv_long(&q, "include_analytics") == 0
               && hub_qv_given(&q, "include_analytics"),
           "'%s' is false", no[i]);
    }
    is_str(problem_of(p, fields, "include_analytics", "maybe", &q, NULL),
           "bool_parsing", "'maybe' is no boolean");
    is_str(problem_of(p, fields, "include_analytics", "", &q, NULL),
           "bool_parsing", "'' is no boolean");
}

static void test_int(apr_pool_t *p)
{
    hub_qvals_t q;
    const char *msg = NULL;
    ok(!problem_of(p, fields, "size", "100", &q, NULL)
           && hub_qv_long(&q, "size") == 100,
       "size 100 is the most");
    is_str(problem_of(p, fields, "size", "101", &q, &msg), "less_than_equal",
           "size 101 is too many");
    is_str(msg, "Input should be less than or equal to 100",
           "  in pydantic's words");
    is_str(problem_of(p, fields, "size", "0", &q, &msg), "greater_than_equal",
           "size 0 is too few");
    is_str(msg, "Input should be greater than or equal to 1",
           "  in pydantic's words");
    is_str(problem_of(p, fields, "size", "-5", &q, NULL), "greater_than_equal",
           "a negative size is too few");
    is_str(problem_of(p, fields, "size", "ten", &q, NULL), "int_parsing",
           "'ten' is no integer");
    is_str(problem_of(p, fields, "size", "", &q, NULL), "int_parsing",
           "'' is no integer");
    is_str(problem_of(p, fields, "size", "7x", &q, NULL), "int_parsing",
           "'7x' is no integer");
    is_str(problem_of(p, fields, "size", "99999999999999999999999", &q, NULL),
           "less_than_equal", "a huge number is too many");
    is_str(problem_of(p, fields, "size", "-99999999999999999999999", &q, NULL),
           "greater_than_equal", "a huge negative number is too few");
    ok(!problem_of(p, fields, "offset", "40", &q, NULL)
           && hub_qv_long(&q, "offset") == 40,
       "an offset of 40");
    is_str(problem_of(p, fields, "offset", "-1", &q, NULL),
           "greater_than_equal", "a negative offset");
}

static void test_others(apr_pool_t *p)
{
    hub_qvals_t q;
    const char *msg = NULL;
    hub_page_t pg;
    ok(!problem_of(p, fields, "sort_by", "name_desc", &q, NULL)
           && !strcmp(hub_qv_str(&q, "sort_by"), "name_desc"),
       "an enum value");
    is_str(problem_of(p, fields, "sort_by", "size", &q, &msg), "enum",
           "a value outside the enum");
    is_str(msg, "Input should be 'name_asc' or 'name_desc'",
           "  lists the values as pydantic does");
    ok(!problem_of(p, fields, "project_id",
                   "0b6f6a1e-2f4c-4c62-9a55-3d1d2f1c9e10", &q, NULL),
       "a uuid");
    is_str(problem_of(p, fields, "project_id", "0b6f6a1e", &q, NULL),
           "uuid_parsing", "half a uuid");
    ok(!problem_of(p, fields, "since", "2026-01-02T03:04:05Z", &q, NULL)
           && hub_qv_long(&q, "since") == 1767323045L,
       "a datetime, in seconds");
    ok(!problem_of(p, fields, "since", "2026-01-02T04:04:05+01:00", &q, NULL)
           && hub_qv_long(&q, "since") == 1767323045L,
       "  with an offset, the same instant");
    is_str(problem_of(p, fields, "since", "2026-02-31T00:00:00Z", &q, NULL),
           "datetime_parsing", "31 February");
    is_str(problem_of(p, fields, "q", "abcdef", &q, NULL), "string_too_long",
           "a string past its length");
    ok(!problem_of(p, fields, "q", "", &q, NULL) && !hub_qv_given(&q, "q"),
       "'' counts as absent where the table says so");
    ok(!problem_of(p, fields, "cursor", hub_cursor_encode(p, 60), &q, NULL),
       "a cursor this hub issued");
    hub_qv_page(&q, "size", "cursor", &pg);
    ok(pg.offset == 60 && pg.limit == 20, "  is the page at 60");
    is_str(problem_of(p, fields, "cursor", "60", &q, NULL), "value_error",
           "a number is no cursor");
    is_str(problem_of(p, required, NULL, NULL, &q, &msg), "missing",
           "a required parameter absent");
    is_str(msg, "Field required", "  in pydantic's words");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_defaults(p);
    test_bool(p);
    test_int(p);
    test_others(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
