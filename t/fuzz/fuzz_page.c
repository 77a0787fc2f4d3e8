/* libFuzzer target: pagination query parameters a client sends.
 * Input: "cursor\nlimit\noffset\npage\npage_size" (missing parts are NULL,
 * so the defaults are tried too).  Runs hub_cursor_decode, hub_parse_long,
 * hub_page_limit_offset and hub_page_numbered, and checks: values
 * accepted are within their bounds, and a cursor that decodes re-encodes
 * to one that decodes to the same offset.
 * Build and run: tools/fuzz page */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_page.h"
#include "fuzz_pool.h"

#define NPARTS 5

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    return 0;
}

static void check_cursor(apr_pool_t *p, const char *c)
{
    long off = -7, again = -7;
    if (hub_cursor_decode(p, c, &off) == NULL) {
        const char *enc;
        if (off < 0 || off > (1L << 40)) {
            abort();
        }
        enc = hub_cursor_encode(p, off);
        if (hub_cursor_decode(p, enc, &again) || again != off) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = pool_make();
    const char *part[NPARTS] = { NULL };
    char *all = apr_pstrmemdup(p, (const char *)data, size), *s = all;
    hub_page_t pg;
    long v;
    int i;

    /* split at newlines; a NUL inside a part ends it, as in a C string */
    for (i = 0; i < NPARTS && s; i++) {
        char *nl = memchr(s, '\n', (size_t)(all + size - s));
        part[i] = s;
        if (nl) {
            *nl = '\0';
            s = nl + 1;
        }
        else {
            s = NULL;
        }
    }

    check_cursor(p, part[0]);
    /* the whole input up to its first NUL, newlines and all */
    check_cursor(p, apr_pstrmemdup(p, (const char *)data, size));

    for (i = 0; i < NPARTS; i++) {
        v = -12345;
        if (hub_parse_long(part[i], -100, 1000, 7, &v) == NULL
            && (v < -100 || v > 1000)) {
            abort();
        }
        if (hub_parse_long(part[i], 0, (1L << 40), 0, &v) == NULL
            && (v < 0 || v > (1L << 40))) {
            abort();
        }
    }

    memset(&pg, 0, sizeof(pg));
    if (hub_page_limit_offset(part[1], part[2], 50, 500, &pg) == NULL
        && (pg.limit < 1 || pg.limit > 500 || pg.offset < 0
            || pg.offset > (1L << 40))) {
        abort();
    }
    memset(&pg, 0, sizeof(pg));
    if (hub_page_numbered(part[3], part[4], 20, 100, &pg) == NULL
        && (pg.limit < 1 || pg.limit > 100 || pg.offset < 0)) {
        abort();
    }
    apr_pool_destroy(p);
    return 0;
}
