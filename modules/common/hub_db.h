/* PostgreSQL through mod_dbd: prepared statements from static tables, rows
 * as strings, and the two traps of PLATFORM.md handled in one place:
 * selects always ask for a random-access result (a dead database must not
 * look like an empty one), and a statement lost to a reconnect is prepared
 * again and retried once. */
#ifndef HUB_DB_H
#define HUB_DB_H

#include <httpd.h>
#include <apr_tables.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include "hub_result.h"
#include "hub_rows.h"

typedef struct hub_stmt {
    const char *label; /* lowercase: the pgsql driver folds labels */
    const char *sql;   /* apr_dbd syntax: %s placeholders, with casts */
} hub_stmt_t;

/* hub_db_status_e is in hub_result.h: hub_err_db maps it */

/* Register a NULL-label-ended table of statements, from post_config.
 * Each statement is prepared on a connection the first time it runs
 * there, not handed to mod_dbd: mod_dbd prepares every statement it is
 * given on every new connection, and a pool growing under load then paid
 * ~100 PREPAREs per connection while requests waited for it (seconds of
 * p99 in ./tools/bench).  hub_db_child_init checks them all once. */
void hub_db_register(server_rec *s, const hub_stmt_t *stmts);

/* From child_init, after mod_dbd's: prepare every registered statement
 * on one connection of the new child, so that one the schema does not
 * match (a migration not applied) is logged at start, not at first use;
 * that connection keeps them.  Nothing when the database is down. */
void hub_db_child_init(apr_pool_t *p, server_rec *s);

/* Run a select; *out receives every row. */
hub_db_status_e hub_db_select(request_rec *r, const hub_stmt_t *st,
                              hub_rows_t **out, int nargs, const char **args);

/* Run a statement that returns no rows; *affected may be NULL. */
hub_db_status_e hub_db_exec(request_rec *r, const hub_stmt_t *st, int *affected,
                            int nargs, const char **args);

/* Give the request's connection back to the pool now (the next
 * hub_db_* call with r takes one again): for a response that outlives
 * its handler (a parked event stream, hub_park.h). */
void hub_db_release(request_rec *r);

/* Background work (mod_watchdog callbacks) has no request: it opens a
 * connection from mod_dbd's pool, runs statements on it, and closes it.
 * hub_db_open returns NULL when the database cannot be reached. */
ap_dbd_t *hub_db_open(apr_pool_t *p, server_rec *s);
void hub_db_close(server_rec *s, ap_dbd_t *dbd);
hub_db_status_e hub_db_select_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                 const hub_stmt_t *st, hub_rows_t **out,
                                 int nargs, const char **args);
hub_db_status_e hub_db_exec_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                               const hub_stmt_t *st, int *affected, int nargs,
                               const char **args);

/* Run fn inside one transaction on the request's connection (the
 * hub_db_* calls fn makes with r share it): committed when fn returns
 * HUB_DB_OK, rolled back otherwise.  For changes whose first statement
 * must lock what the next one reads with a fresh snapshot. */
hub_db_status_e hub_db_in_transaction(
    request_rec *r, hub_db_status_e (*fn)(request_rec *, void *), void *baton);

/* The HTTP status for a failed hub_db_* call. */
int hub_db_http_status(hub_db_status_e st);

#endif
