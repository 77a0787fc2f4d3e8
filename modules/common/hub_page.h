/* Pagination parameters of the five documents: limit/offset, page/page_size
 * and opaque cursors. httpd-free. */
#ifndef HUB_PAGE_H
#define HUB_PAGE_H

#include <apr_pools.h>

typedef struct hub_page {
    long limit;
    long offset;
} hub_page_t;

/* Parse a non-negative decimal in [min, max]; NULL or "" gives def.
 * Returns NULL on success, else a message naming the problem. */
const char *hub_parse_long(const char *s, long min, long max, long def,
                           long *out);

/* limit/offset as strings from the query (either may be NULL). */
const char *hub_page_limit_offset(const char *limit, const char *offset,
                                  long def_limit, long max_limit,
                                  hub_page_t *pg);

/* page (1-based) and page_size. */
const char *hub_page_numbered(const char *page, const char *page_size,
                              long def_size, long max_size, hub_page_t *pg);

/* Opaque cursors: base64url of a versioned offset, so clients cannot
 * mistake them for numbers. */
char *hub_cursor_encode(apr_pool_t *p, long offset);
/* NULL or "" is the first page (0); returns NULL on success. */
const char *hub_cursor_decode(apr_pool_t *p, const char *cursor, long *offset);

#endif
