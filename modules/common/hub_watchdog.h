/* Background work on mod_watchdog, the same way in every hub module. */
#ifndef HUB_WATCHDOG_H
#define HUB_WATCHDOG_H

#include <httpd.h>
#include <mod_watchdog.h>

/* A callback of mod_watchdog every `every` (from post_config; nothing is
 * set up in the configuration's dry run): once per host when singleton
 * (the children take turns holding it), else in every child.
 * APR_ENOTIMPL without mod_watchdog. */
apr_status_t hub_watchdog(apr_pool_t *pconf, server_rec *s, const char *name,
                          int singleton, apr_interval_time_t every,
                          ap_watchdog_callback_fn_t *fn);

/* Whether a callback that ticks often but works seldom is due: running,
 * and first called or `every` past *last (then *last is now).  For work
 * that should start soon after the start and then keep its own pace. */
int hub_watchdog_due(int state, apr_time_t *last, apr_interval_time_t every);

#endif
