/* Who may call a route: each profile's default ways in, in one place, and
 * the need levels of route rows with the words each profile refuses
 * with.  httpd-free: hub_dispatch asks, the principal answers. */
#ifndef HUB_ACCESS_H
#define HUB_ACCESS_H

#include "hub_principal.h"
#include "hub_route.h"

/* The ways in a profile accepts when a route row names none:
 *   patchwork  API key, session cookie
 *   caylex     JWT, session cookie, API key
 *   goclaw     gateway token, API key
 *   toolhub    JWT, API key
 *   g4f        JWT, API key */
unsigned hub_access_default_ways_in(unsigned profile);

/* The ways in of a route: its own, or its profile's; public ones for
 * HUB_NEED_PUBLIC. */
unsigned hub_access_ways_in(const hub_route_t *rt);

/* 1 when who may call a route that needs `need`. */
int hub_access_allows(const hub_principal_t *who, hub_need_e need);

/* The refusal, in the profile's words, naming what the route does
 * ("List Servers needs write access").  *code receives the machine code. */
const char *hub_access_refusal(apr_pool_t *p, const hub_route_t *rt,
                               const char **code);

/* "read", "write", "admin", "superuser" */
const char *hub_need_name(hub_need_e need);

#endif
