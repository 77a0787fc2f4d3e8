/* URLs the hub may store for a server, decided before anything connects:
 * the form of the URL (http or https, absolute, no credentials), and
 * whether its host is a literal address the operator's policy refuses.
 * A DNS name is judged only when curl connects (hub_http.c, after the
 * resolution), so this is the early refusal of what is already certain.
 * httpd-free. */
#ifndef HUB_ADDR_H
#define HUB_ADDR_H

#include <apr_pools.h>
#include <apr_tables.h>

/* NULL when url is an http(s) URL the hub may store, else why not. */
const char *hub_url_problem(apr_pool_t *p, const char *url);

/* The literal address of url's host (as written, without brackets) when
 * it is internal (hub_addr_is_internal) and in none of the ranges of
 * allow (hub_cidr_t; NULL: none); NULL when the URL names a host by DNS
 * name, or an address that may be reached, or cannot be parsed. */
const char *hub_http_url_refused(apr_pool_t *p, const char *url,
                                 const apr_array_header_t *allow);

#endif
