/* Unit tests of hub_page: limit/offset, page/page_size, opaque cursors. */
#include <string.h>
#include <apr_base64.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_page.h"
#include "tap.h"

/* base64url without padding, as a client forging a cursor would write */
static const char *b64url(apr_pool_t *p, const char *plain)
{
    int len = (int)strlen(plain);
    char *out = apr_palloc(p, apr_base64_encode_len(len));
    char *c;
    apr_base64_encode(out, plain, len);
    for (c = out; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
        else if (*c == '=') {
            *c = '\0';
            break;
        }
    }
    return out;
}

static void test_parse_long(void)
{
    long v = -7;
    is_str(hub_parse_long(NULL, 0, 10, 4, &v), NULL, "NULL gives the default");
    is_int(v, 4, "  ... which is stored");
    is_str(hub_parse_long("", 0, 10, 5, &v), NULL, "\"\" gives the default");
    is_int(v, 5, "  ... which is stored");
    ok(hub_parse_long("7", 0, 10, 0, &v) == NULL && v == 7, "\"7\" parses");
    ok(hub_parse_long("10", 0, 10, 0, &v) == NULL && v == 10,
       "max is inclusive");
    ok(hub_parse_long("0", 0, 10, 3, &v) == NULL && v == 0, "min is inclusive");
    v = 99;
    ok(hub_parse_long("11", 0, 10, 0, &v) != NULL, "above max rejected");
    is_int(v, 99, "a rejected value leaves *out alone");
    ok(hub_parse_long("abc", 0, 10, 0, &v) != NULL, "\"abc\" rejected");
    ok(hub_parse_long("10x", 0, 10, 0, &v) != NULL, "\"10x\" rejected");
    ok(hub_parse_long(" 1", 0, 10, 0, &v) != NULL, "leading space rejected");
    ok(hub_parse_long("1 ", 0, 10, 0, &v) != NULL, "trailing space rejected");
    ok(hub_parse_long("+1", 0, 10, 0, &v) != NULL, "\"+1\" rejected");
    ok(hub_parse_long("0x10", 0, 100, 0, &v) != NULL, "hex rejected");
    ok(hub_parse_long("99999999999999999999", 0, 10, 0, &v) != NULL,
       "overflow rejected");
    ok(hub_parse_long("-1", 0, 10, 0, &v) != NULL, "\"-1\" below min rejected");
}

static void test_limit_offset(void)
{
    hub_page_t pg;

    is_str(hub_page_limit_offset(NULL, NULL, 20, 100, &pg), NULL,
           "no parameters: fine");
    ok(pg.limit == 20 && pg.offset == 0, "defaults: limit 20, offset 0");
    is_str(hub_page_limit_offset("", "", 20, 100, &pg), NULL,
           "empty parameters: fine");
    ok(pg.limit == 20 && pg.offset == 0, "empty: defaults");
    is_str(hub_page_limit_offset("5", "15", 20, 100, &pg), NULL,
           "limit=5&offset=15");
    ok(pg.limit == 5 && pg.offset == 15, "  ... read back");
    ok(!hub_page_limit_offset("100", "0", 20, 100, &pg) && pg.limit == 100,
       "limit equal to the max is allowed");

    is_str(hub_page_limit_offset("101", NULL, 20, 100, &pg), "limit",
           "limit above max names limit");
    is_str(hub_page_limit_offset("0", NULL, 20, 100, &pg), "limit",
           "limit 0 names limit");
    is_str(hub_page_limit_offset("abc", NULL, 20, 100, &pg), "limit",
           "limit=abc names limit");
    is_str(hub_page_limit_offset("-1", NULL, 20, 100, &pg), "limit",
           "limit=-1 names limit");
    is_str(hub_page_limit_offset("10x", NULL, 20, 100, &pg), "limit",
           "limit=10x names limit");
    is_str(hub_page_limit_offset("99999999999999999999", NULL, 20, 100, &pg),
           "limit", "huge limit names limit");
    is_str(hub_page_limit_offset("5", "abc", 20, 100, &pg), "offset",
           "offset=abc names offset");
    is_str(hub_page_limit_offset("5", "-1", 20, 100, &pg), "offset",
           "offset=-1 names offset");
    is_str(hub_page_limit_offset("5", "10x", 20, 100, &pg), "offset",
           "offset=10x names offset");
    is_str(hub_page_limit_offset("5", "99999999999999999999", 20, 100, &pg),
           "offset", "huge offset names offset");
}

static void test_numbered(void)
{
    hub_page_t pg;

    is_str(hub_page_numbered(NULL, NULL, 25, 100, &pg), NULL, "no page params");
    ok(pg.limit == 25 && pg.offset == 0, "default: page 1 of 25");
    ok(!hub_page_numbered("3", "10", 25, 100, &pg) && pg.limit == 10
           && pg.offset == 20,
       "page 3 of 10 -> offset 20");
    ok(!hub_page_numbered("1", "100", 25, 100, &pg) && pg.limit == 100
           && pg.offset == 0,
       "page 1 of max size");
    ok(!hub_page_numbered("2", NULL, 25, 100, &pg) && pg.offset == 25,
       "page 2 of the default size -> offset 25");
    is_str(hub_page_numbered("0", "10", 25, 100, &pg), "page",
           "page 0 names page");
    is_str(hub_page_numbered("abc", "10", 25, 100, &pg), "page",
           "page=abc names page");
    is_str(hub_page_numbered("-1", "10", 25, 100, &pg), "page",
           "page=-1 names page");
    is_str(hub_page_numbered("1", "0", 25, 100, &pg), "page_size",
           "page_size 0 names page_size");
    is_str(hub_page_numbered("1", "101", 25, 100, &pg), "page_size",
           "page_size above max names page_size");
    is_str(hub_page_numbered("1", "10x", 25, 100, &pg), "page_size",
           "page_size=10x names page_size");
}

static void test_cursor_roundtrip(apr_pool_t *p)
{
    static const long offsets[] = { 0, 1, 20, 12345, 1L << 40 };
    size_t i;

    for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        long got = -1;
        char *c = hub_cursor_encode(p, offsets[i]);
        ok(c
               && strspn(c,
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-_")
                      == strlen(c),
           "cursor for %ld is base64url without padding (%s)", offsets[i],
           c ? c : "NULL");
        ok(hub_cursor_decode(p, c, &got) == NULL && got == offsets[i],
           "cursor for %ld decodes back (got %ld)", offsets[i], got);
    }
    ok(strcmp(hub_cursor_encode(p, 20), "20") != 0,
       "a cursor is not the bare number");
    {
        long got = -1;
        ok(hub_cursor_decode(p, NULL, &got) == NULL && got == 0,
           "NULL cursor is the first page");
        got = -1;
        ok(hub_cursor_decode(p, "", &got) == NULL && got == 0,
           "empty cursor is the first page");
    }
}

static void rejected(apr_pool_t *p, const char *cursor, const char *why)
{
    long got = 4242;
    ok(hub_cursor_decode(p, cursor, &got) != NULL, "cursor rejected: %s", why);
}

static void test_cursor_rejects(apr_pool_t *p)
{
    char *good = hub_cursor_encode(p, 20);
    char *t;

    t = apr_pstrdup(p, good);
    t[0] = t[0] == 'c' ? 'd' : 'c'; /* breaks the "o1:" tag */
    rejected(p, t, "first character changed");
    rejected(p, apr_pstrcat(p, good, "Zm9v", NULL), "bytes appended");
    rejected(p, good + 1, "first character dropped");
    rejected(p, apr_pstrcat(p, good, "=", NULL), "padding is not ours");
    rejected(p, "abc+/", "'+' and '/' are not base64url");
    rejected(p, "a b", "space");
    rejected(p, "20", "a bare number");
    rejected(p, "!!!!", "punctuation");
    rejected(p, b64url(p, "o2:20"), "another version's tag");
    rejected(p, b64url(p, "20"), "base64 of a bare number");
    rejected(p, b64url(p, "o1:-5"), "negative offset");
    rejected(p, b64url(p, "o1:"), "tag without an offset");
    rejected(p, b64url(p, "o1:12abc"), "offset with junk");
    rejected(p, b64url(p, "o1:99999999999999999999"), "offset overflow");
    rejected(p,
             apr_pstrcat(p, good, good, good, good, good, good, good, good,
                         good, good, NULL),
             "too long");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_parse_long();
    test_limit_offset();
    test_numbered();
    test_cursor_roundtrip(p);
    test_cursor_rejects(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
