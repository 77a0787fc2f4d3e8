/* Unit tests of hub_time: ISO 8601 stamps, UUIDs, random hex. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_time.h"
#include "tap.h"

#define HEX "0123456789abcdef"

static void test_iso8601(apr_pool_t *p)
{
    /* 2024-01-15T10:30:00Z is 1705314600 */
    apr_time_t t = APR_TIME_C(1705314600) * APR_USEC_PER_SEC;

    is_str(hub_iso8601(p, 0), "1970-01-01T00:00:00Z", "epoch");
    is_str(hub_iso8601_ms(p, 0), "1970-01-01T00:00:00.000Z", "epoch, ms");
    is_str(hub_iso8601(p, t), "2024-01-15T10:30:00Z", "a known date");
    is_str(hub_iso8601(p, t + 123456), "2024-01-15T10:30:00Z",
           "seconds form drops the fraction");
    is_str(hub_iso8601_ms(p, t + 123456), "2024-01-15T10:30:00.123Z",
           "ms form truncates to milliseconds");
    is_str(hub_iso8601_ms(p, t + 999999), "2024-01-15T10:30:00.999Z",
           "ms form never rounds into the next second");
    is_str(hub_iso8601_ms(p, t + 7000), "2024-01-15T10:30:00.007Z",
           "ms zero-padded");
    is_str(hub_iso8601(p, APR_TIME_C(951782400) * APR_USEC_PER_SEC),
           "2000-02-29T00:00:00Z", "leap day");
    is_str(hub_iso8601(p, APR_TIME_C(1704067199) * APR_USEC_PER_SEC),
           "2023-12-31T23:59:59Z", "last second of a year");
}

/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lowercase */
static int uuid4_shaped(const char *u)
{
    int i;
    if (!u || strlen(u) != 36) {
        return 0;
    }
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-') {
                return 0;
            }
        }
        else if (!strchr(HEX, u[i])) {
            return 0;
        }
    }
    return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static void test_uuid(apr_pool_t *p)
{
    char *a = hub_uuid4(p), *b = hub_uuid4(p);
    int i, all_ok = 1;

    ok(a && strlen(a) == 36, "uuid is 36 characters (%s)", a ? a : "NULL");
    ok(uuid4_shaped(a), "uuid has dashes, version 4 and variant 8-b");
    ok(a && b && strcmp(a, b) != 0, "two uuids differ");
    /* the version/variant bits are forced, not lucky: check many */
    for (i = 0; i < 200; i++) {
        char *u = hub_uuid4(p);
        if (!uuid4_shaped(u)) {
            all_ok = 0;
            diag("bad uuid %s", u ? u : "NULL");
            break;
        }
    }
    ok(all_ok, "200 uuids all well-formed");
}

static void test_random_hex(apr_pool_t *p)
{
    char *h = hub_random_hex(p, 16), *h2 = hub_random_hex(p, 16);
    char *z = hub_random_hex(p, 0);

    ok(h && strlen(h) == 32, "16 bytes -> 32 hex digits");
    ok(h && strspn(h, HEX) == 32, "lowercase hex only (%s)", h ? h : "NULL");
    ok(h && h2 && strcmp(h, h2) != 0, "two draws differ");
    is_str(z, "", "0 bytes -> empty string");
    h = hub_random_hex(p, 1);
    ok(h && strlen(h) == 2 && strspn(h, HEX) == 2, "1 byte -> 2 hex digits");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_iso8601(p);
    test_uuid(p);
    test_random_hex(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
