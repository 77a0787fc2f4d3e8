#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_base64.h>
#include <apr_strings.h>
#include "hub_page.h"

#define CURSOR_TAG "o1:"

const char *hub_parse_long(const char *s, long min, long max, long def,
                           long *out)
{
    char *end;
    long v;
    if (!s || !*s) {
        *out = def;
        return NULL;
    }
    if ((*s < '0' || *s > '9') && *s != '-') {
        return "must be an integer";
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end) {
        return "must be an integer";
    }
    if (v < min || v > max) {
        return "out of range";
    }
    *out = v;
    return NULL;
}

const char *hub_page_limit_offset(const char *limit, const char *offset,
                                  long def_limit, long max_limit,
                                  hub_page_t *pg)
{
    if (hub_parse_long(limit, 1, max_limit, def_limit, &pg->limit)) {
        return "limit";
    }
    if (hub_parse_long(offset, 0, 1L << 40, 0, &pg->offset)) {
        return "offset";
    }
    return NULL;
}

const char *hub_page_numbered(const char *page, const char *page_size,
                              long def_size, long max_size, hub_page_t *pg)
{
    long n;
    if (hub_parse_long(page_size, 1, max_size, def_size, &pg->limit)) {
        return "page_size";
    }
    if (hub_parse_long(page, 1, 1L << 30, 1, &n)) {
        return "page";
    }
    pg->offset = (n - 1) * pg->limit;
    return NULL;
}

char *hub_cursor_encode(apr_pool_t *p, long offset)
{
    const char *plain = apr_psprintf(p, CURSOR_TAG "%ld", offset);
    int len = (int)strlen(plain);
    char *out = apr_palloc(p, apr_base64_encode_len(len));
    char *c;
    apr_base64_encode(out, plain, len);
    for (c = out; *c; c++) { /* base64url, no padding */
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

const char *hub_cursor_decode(apr_pool_t *p, const char *cursor, long *offset)
{
    char *b64, *plain, *c;
    size_t n;
    int len;
    if (!cursor || !*cursor) {
        *offset = 0;
        return NULL;
    }
    n = strlen(cursor);
    if (n > 64
        || strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                          "qrstuvwxyz0123456789-_")
               != n) {
        return "cursor is not one this server issued";
    }
    b64 = apr_palloc(p, n + 4);
    memcpy(b64, cursor, n);
    while (n % 4) {
        b64[n++] = '=';
    }
    b64[n] = '\0';
    for (c = b64; *c; c++) {
        if (*c == '-')
            *c = '+';
        else if (*c == '_')
            *c = '/';
    }
    plain = apr_palloc(p, apr_base64_decode_len(b64) + 1);
    len = apr_base64_decode(plain, b64);
    plain[len] = '\0';
    if (strncmp(plain, CURSOR_TAG, sizeof(CURSOR_TAG) - 1)
        || hub_parse_long(plain + sizeof(CURSOR_TAG) - 1, 0, 1L << 40, -1,
                          offset)
        || *offset < 0) {
        return "cursor is not one this server issued";
    }
    return NULL;
}
