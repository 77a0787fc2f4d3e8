/* Unit tests of the workflow condition language and templates
 * (hub_wf_expr.h, hub_wf_template.h). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_wf_expr.h"
#include "hub_wf_template.h"
#include "tap.h"

static apr_pool_t *pool;
static json_t *ctx;

/* 1/0 for a well-formed expression, -1 with the error for another */
static int t(const char *expr)
{
    const char *err = NULL;
    int r = hub_wf_expr_test(pool, expr, ctx, &err);
    if (r < 0) {
        diag("%s: %s", expr, err);
    }
    return r;
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    ctx = json_loads("{\"input\": \"hello world\","
                     " \"nodes\": {\"node-1\": {\"status\": \"completed\","
                     "   \"output\": {\"score\": 7, \"items\": [1, 2, 3],"
                     "               \"ok\": true, \"name\": \"x\"}}},"
                     " \"node-1\": {\"status\": \"completed\","
                     "   \"output\": {\"score\": 7, \"items\": [1, 2, 3],"
                     "               \"ok\": true, \"name\": \"x\"}},"
                     " \"loop\": {\"iteration\": 2}}",
                     0, NULL);

    is_int(t("1 == 1"), 1, "numbers equal");
    is_int(t("1 == 1.0"), 1, "integer and real compare by value");
    is_int(t("2 < 10"), 1, "numbers order numerically");
    is_int(t("'2' < '10'"), 0, "strings order lexically");
    is_int(t("nodes.node-1.output.score > 5"), 1, "a path into a node");
    is_int(t("node-1.output.score >= 7 && node-1.output.score <= 7"), 1,
           "&& of two comparisons");
    is_int(t("node-1.score == 7"), 1, "a node's field falls back to output");
    is_int(t("node-1.output.items[1] == 2"), 1, "an index");
    is_int(t("node-1.output.items.2 == 3"), 1, "an index as a segment");
    is_int(t("node-1.output.items contains 3"), 1, "array contains");
    is_int(t("input contains 'world'"), 1, "string contains");
    is_int(t("input == \"hello world\""), 1, "double-quoted string");
    is_int(t("!node-1.output.ok"), 0, "! of true");
    is_int(t("!(1 == 2) || false"), 1, "! and ( ) and ||");
    is_int(t("nodes.nope.output == null"), 1, "a missing path is null");
    is_int(t("nodes.nope.output"), 0, "null is false");
    is_int(t("node-1.output.name != 'y'"), 1, "!=");
    is_int(t("loop.iteration < 3"), 1, "loop.iteration");
    is_int(t("'a' < 1"), 0, "no order between a string and a number");
    is_int(t("true && false || true"), 1, "&& binds tighter than ||");
    is_int(t("-1 < 0"), 1, "negative numbers");
    is_int(t("'it\\'s' == \"it's\""), 1, "escapes in strings");

    ok(hub_wf_expr_check(pool, "1 ==") != NULL, "a missing right side");
    ok(hub_wf_expr_check(pool, "(1 == 1") != NULL, "an unclosed (");
    ok(hub_wf_expr_check(pool, "a b") != NULL, "two values, no operator");
    ok(hub_wf_expr_check(pool, "'abc") != NULL, "an unterminated string");
    ok(hub_wf_expr_check(pool, "") != NULL, "empty");
    ok(hub_wf_expr_check(pool, "system('ls')") != NULL, "no calls");
    ok(hub_wf_expr_check(pool, "a = 1") != NULL, "no assignment");
    ok(hub_wf_expr_check(pool, "x.y[0].z == 'q'") == NULL, "well formed");
    {
        char deep[300];
        memset(deep, '(', 200);
        strcpy(deep + 200, "1");
        ok(hub_wf_expr_check(pool, deep) != NULL, "nesting is bounded");
    }

    is_str(hub_wf_template_render(pool, "say {{input}}!", ctx),
           "say hello world!", "{{input}}");
    is_str(hub_wf_template_render(pool, "{{ node-1.score }}/{{node-1.name}}",
                                  ctx),
           "7/x", "node fields, spaces trimmed");
    is_str(hub_wf_template_render(pool, "[{{node-1.output.items}}]", ctx),
           "[[1,2,3]]", "a non-string value as JSON");
    is_str(hub_wf_template_render(pool, "a{{nope}}b", ctx), "ab",
           "a missing path is nothing");
    is_str(hub_wf_template_render(pool, "a{{b", ctx), "a{{b",
           "an unclosed placeholder stays");
    {
        json_t *args = json_loads("{\"n\": \"{{node-1.score}}\","
                                  " \"s\": \"x={{node-1.score}}\","
                                  " \"l\": [\"{{input}}\"]}",
                                  0, NULL);
        json_t *out = hub_wf_template_json(pool, args, ctx);
        ok(json_is_integer(json_object_get(out, "n"))
               && json_integer_value(json_object_get(out, "n")) == 7,
           "a lone placeholder keeps its type");
        is_str(json_string_value(json_object_get(out, "s")), "x=7",
               "a placeholder inside text");
        is_str(json_string_value(json_array_get(json_object_get(out, "l"), 0)),
               "hello world", "inside arrays");
        json_decref(args);
        json_decref(out);
    }
    json_decref(ctx);
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
