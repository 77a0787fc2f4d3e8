/* hub_text: slugs, PostgreSQL array literals, env names, joins. */
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_rows.h"
#include "hub_text.h"
#include "tap.h"

static void test_slugs(apr_pool_t *p)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "Weather Tools!", "weather-tools" },
        { "weather tools", "weather-tools" },
        { "  GitHub  MCP ", "github-mcp" },
        { "a_b-c", "a_b-c" },
        { "_lead", "lead" },
        { "trail--", "trail" },
        { "Ünïcode ok", "n-code-ok" },
        { "%%%", NULL },
        { "", NULL },
        { NULL, NULL },
        { "x", "x" },
    };
    char *long_name = apr_palloc(p, 301);
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_str(hub_slugify(p, cases[i].in), cases[i].out,
               apr_psprintf(p, "slugify '%s'",
                            cases[i].in ? cases[i].in : "(null)"));
    }
    memset(long_name, 'a', 300);
    long_name[300] = '\0';
    is_int((long long)strlen(hub_slugify(p, long_name)), 100,
           "a slug is at most 100 long");
    ok(hub_is_slug("gh-tools"), "gh-tools is a slug");
    ok(hub_is_slug("0_x"), "a digit may start one");
    ok(!hub_is_slug("Gh"), "no capitals");
    ok(!hub_is_slug("-x"), "no leading dash");
    ok(!hub_is_slug("a b"), "no space");
    ok(!hub_is_slug(""), "not empty");
    ok(!hub_is_slug(NULL), "not NULL");
    ok(!hub_is_slug(long_name), "not longer than 100");
}

static void test_arrays(apr_pool_t *p)
{
    json_t *a = json_pack("[s,s,i,s]", "a", "b \"c\"", 5, "d\\e");
    json_t *back, *pre;
    apr_array_header_t *v = apr_array_make(p, 2, sizeof(const char *));
    const char *lit = hub_pg_array(p, a);

    is_str(lit, "{\"a\",\"b \\\"c\\\"\",\"d\\\\e\"}",
           "quoted, escaped, non-strings skipped");
    back = hub_pg_array_json(lit);
    ok(back && json_array_size(back) == 3
           && !strcmp(json_string_value(json_array_get(back, 1)), "b \"c\""),
       "and read back as they were");
    json_decref(back);
    json_decref(a);
    a = json_array();
    is_str(hub_pg_array(p, a), "{}", "empty");
    json_decref(a);
    is_str(hub_pg_array_strv(p, v), "{}", "empty strv");
    APR_ARRAY_PUSH(v, const char *) = "header:%";
    APR_ARRAY_PUSH(v, const char *) = "api_key";
    is_str(hub_pg_array_strv(p, v), "{\"header:%\",\"api_key\"}", "strv");

    pre = hub_pg_array_prefixed("{api_key,env:A,env:B_2,header:X}", "env:");
    {
        char *text = json_dumps(pre, JSON_COMPACT);
        is_str(text, "[\"A\",\"B_2\"]", "names with a prefix, without it");
        free(text);
    }
    json_decref(pre);
    pre = hub_pg_array_prefixed(NULL, "env:");
    is_int((long long)json_array_size(pre), 0, "NULL: []");
    json_decref(pre);
}

static void test_words(apr_pool_t *p)
{
    static const char *const v[] = { "sse", "streamable_http", NULL };
    json_t *a = json_pack("[s,s,i,s]", "x", "y", 1, "z");
    ok(hub_is_env_name("API_TOKEN"), "API_TOKEN");
    ok(hub_is_env_name("_x1"), "_x1");
    ok(!hub_is_env_name("1X"), "not from a digit");
    ok(!hub_is_env_name("A-B"), "no dash");
    ok(!hub_is_env_name(""), "not empty");
    is_str(hub_lower(p, "MiXeD"), "mixed", "lower");
    is_str(hub_lower(p, NULL), "", "lower NULL");
    is_str(hub_like_contains(p, "50%_a\\b"), "%50\\%\\_a\\\\b%",
           "like_contains: LIKE's own characters escaped, between two %");
    ok(hub_like_contains(p, NULL) == NULL, "like_contains NULL");
    ok(hub_one_of("sse", v) && !hub_one_of("stdio", v) && !hub_one_of(NULL, v),
       "one_of");
    is_str(hub_join(p, a, ", "), "x, y, z", "join");
    json_decref(a);
    a = json_array();
    is_str(hub_join(p, a, ", "), NULL, "join of none");
    json_decref(a);
}

static void test_tool_names(apr_pool_t *p)
{
    static const struct {
        const char *prefix, *tool, *out;
    } cases[] = {
        { "weather", "forecast", "weather__forecast" },
        { NULL, "forecast", "forecast" },
        { "", "forecast", "forecast" },
        { "my server", "get/item", "my_server__get_item" },
        { "gh", "list.repos-v2_x", "gh__list.repos-v2_x" },
        { "caf\xc3\xa9", "t", "caf____t" },
    };
    char tool[300], *a, *b;
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = hub_tool_public_name(p, cases[i].prefix,
                                               cases[i].tool);
        ok(!strcmp(got, cases[i].out), "tool name: %s + %s -> %s",
           cases[i].prefix ? cases[i].prefix : "(none)", cases[i].tool,
           cases[i].out);
    }
    memset(tool, 'x', sizeof(tool) - 1);
    tool[sizeof(tool) - 1] = '\0';
    a = hub_tool_public_name(p, "srv", tool);
    tool[200] = 'y';
    b = hub_tool_public_name(p, "srv", tool);
    is_int((int)strlen(a), HUB_TOOL_NAME_MAX, "a long name: 128 characters");
    ok(!strncmp(a, "srv__xxx", 8) && a[119] == '_', "its start kept, then _");
    ok(strcmp(a, b) != 0, "two long names alike in their first 119 differ");
    is_str(hub_tool_public_name(p, "srv", tool), b,
           "and each is the same every time");
    tool[123] = '\0'; /* srv__ + 123 = 128 exactly */
    is_int((int)strlen(hub_tool_public_name(p, "srv", tool)), 128,
           "128 characters stay as they are");
    ok(hub_tool_public_name(p, "srv", tool)[119] == 'x',
       "and keep their end: no hash");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_slugs(p);
    test_arrays(p);
    test_words(p);
    test_tool_names(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
