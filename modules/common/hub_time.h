/* Timestamps and identifiers. httpd-free. */
#ifndef HUB_TIME_H
#define HUB_TIME_H

#include <apr_pools.h>
#include <apr_time.h>

/* "2024-01-15T10:30:00Z" (UTC, seconds) */
char *hub_iso8601(apr_pool_t *p, apr_time_t t);
/* "2024-01-15T10:30:00.123Z" (UTC, milliseconds) */
char *hub_iso8601_ms(apr_pool_t *p, apr_time_t t);
/* A random (version 4) UUID in its canonical text form. */
char *hub_uuid4(apr_pool_t *p);
/* n random bytes as lowercase hex (2n characters). */
char *hub_random_hex(apr_pool_t *p, apr_size_t n);

/* ISO-8601 date-time ("2026-12-31T23:59:59Z", fractions and a +hh:mm
 * offset allowed; no zone means UTC) into *t.  0 on success, -1 for
 * anything else (31 February included). */
int hub_parse_iso8601(const char *s, apr_time_t *t);

#endif
