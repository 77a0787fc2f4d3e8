#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <apr_dbd.h>
#include <apr_strings.h>
#include <apr_thread_rwlock.h>
#include <mod_dbd.h>
#include "hub_db.h"

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;
static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *dbd_prepare;
static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

static int have_dbd(void)
{
    if (!dbd_acquire) {
        dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
        dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
        dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
        dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    }
    return dbd_acquire && dbd_prepare && dbd_open && dbd_close;
}

/* Where a statement runs: a request's connection, or one a background
 * task holds (no request then: logs go to the server). */
typedef struct dbctx {
    apr_pool_t *p;
    server_rec *s;
    request_rec *r;
    ap_dbd_t *dbd;
} dbctx_t;

#define DBLOG(c, level, ...) \
    do { \
        if ((c)->r) { \
            ap_log_rerror(APLOG_MARK, level, 0, (c)->r, __VA_ARGS__); \
        } \
        else { \
            ap_log_error(APLOG_MARK, level, 0, (c)->s, __VA_ARGS__); \
        } \
    } while (0)

/* Background work (watchdog threads) and the child's end: mod_watchdog's
 * threads live in the process pool and can still be at work while the
 * child pool goes, mod_dbd's connection pool with it (a connection then
 * opened read freed memory for its parameters).  A connection held in
 * the background holds a read lock; a pre-cleanup of the child pool
 * takes the write lock, waits for them, and from then on no connection
 * is opened in the background.  A pre-cleanup, because mod_dbd keeps its
 * connections in a sub-pool of the child pool, and APR destroys the
 * sub-pools before it runs a pool's ordinary cleanups (a cleanup that
 * still used a connection crashed in apr_reslist_release).  The lock is
 * in the process pool: it outlives every thread that may ask for it. */
static apr_thread_rwlock_t *fence;
static volatile int closing;

static apr_status_t fence_close(void *data __attribute__((unused)))
{
    if (fence) {
        apr_thread_rwlock_wrlock(fence);
        closing = 1;
        apr_thread_rwlock_unlock(fence);
    }
    return APR_SUCCESS;
}

ap_dbd_t *hub_db_open(apr_pool_t *p, server_rec *s)
{
    ap_dbd_t *dbd = NULL;
    /* Not before this child's hub_db_child_init made the fence: a
     * watchdog thread that starts first (mod_watchdog's child_init may
     * run before ours) would otherwise open without the read lock and
     * hub_db_close would then unlock one it never took, which left the
     * fence's count broken and the child hanging at exit in
     * fence_close.  Until then it is as if the database were away. */
    if (!have_dbd() || !fence) {
        return NULL;
    }
    apr_thread_rwlock_rdlock(fence);
    if (!closing) {
        dbd = dbd_open(p, s);
    }
    if (!dbd) {
        apr_thread_rwlock_unlock(fence);
    }
    return dbd;
}

void hub_db_close(server_rec *s, ap_dbd_t *dbd)
{
    if (dbd && have_dbd()) {
        dbd_close(s, dbd);
        if (fence) {
            apr_thread_rwlock_unlock(fence);
        }
    }
}

/* This module's statement tables (hub_db.c is linked into each module,
 * so each has its own list); filled by post_config in the parent,
 * inherited by the children. */
#define MAX_TABLES 64
static const hub_stmt_t *tables[MAX_TABLES];
static int ntables;

void hub_db_register(server_rec *s, const hub_stmt_t *stmts)
{
    int i;
    if (!have_dbd()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "HUB00010: mod_dbd is "
                     "not loaded; the hub needs it (LoadModule dbd_module)");
        return;
    }
    for (i = 0; i < ntables; i++) {
        if (tables[i] == stmts) {
            return; /* a restart registers again */
        }
    }
    if (ntables == MAX_TABLES) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "HUB00016: more than %d "
                     "statement tables in one module; raise MAX_TABLES in "
                     "hub_db.c",
                     MAX_TABLES);
        return;
    }
    tables[ntables++] = stmts;
}

int hub_db_http_status(hub_db_status_e st)
{
    /* clang-format off */
    switch (st) {
    case HUB_DB_OK:          return HTTP_OK;
    case HUB_DB_UNAVAILABLE: return HTTP_SERVICE_UNAVAILABLE;
    case HUB_DB_CONFLICT:    return HTTP_CONFLICT;
    default:                 return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* clang-format on */
}

/* The statement on this connection: prepared on first use there (mod_dbd
 * is given none to prepare at connect, see hub_db.h), or again when a
 * reconnect dropped it server-side (fresh). */
static apr_dbd_prepared_t *statement(dbctx_t *c, const hub_stmt_t *st,
                                     int fresh)
{
    ap_dbd_t *dbd = c->dbd;
    apr_dbd_prepared_t *stmt = NULL;
    if (!fresh) {
        stmt = apr_hash_get(dbd->prepared, st->label, APR_HASH_KEY_STRING);
        if (stmt) {
            return stmt;
        }
    }
    if (apr_dbd_prepare(dbd->driver, dbd->pool, dbd->handle, st->sql, st->label,
                        &stmt)
        != 0) {
        DBLOG(c, APLOG_ERR, "HUB00011: cannot prepare %s: %s", st->label,
              apr_dbd_error(dbd->driver, dbd->handle, 1));
        return NULL;
    }
    apr_hash_set(dbd->prepared, st->label, APR_HASH_KEY_STRING, stmt);
    return stmt;
}

void hub_db_child_init(apr_pool_t *p, server_rec *s)
{
    apr_pool_t *tmp;
    dbctx_t c;
    int i, failed = 0;
    const hub_stmt_t *st;

    if (!fence
        && apr_thread_rwlock_create(&fence, s->process->pool) == APR_SUCCESS) {
        apr_pool_pre_cleanup_register(p, NULL, fence_close);
    }
    if (!ntables || !have_dbd()) {
        return;
    }
    apr_pool_create(&tmp, p);
    c.p = tmp;
    c.s = s;
    c.r = NULL;
    c.dbd = dbd_open(tmp, s);
    if (!c.dbd) {
        /* the database is down: 503s until it is back, as ever; the
         * statements are checked as they are first used */
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     "HUB00017: no database "
                     "at child start; statements not checked");
        apr_pool_destroy(tmp);
        return;
    }
    for (i = 0; i < ntables; i++) {
        for (st = tables[i]; st->label; st++) {
            failed += statement(&c, st, 0) == NULL; /* logs HUB00011 */
        }
    }
    if (failed) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     "HUB00018: %d statements "
                     "do not prepare: is the database migrated to this "
                     "version's sql/?",
                     failed);
    }
    dbd_close(s, c.dbd);
    apr_pool_destroy(tmp);
}

/* After a failure: is the connection usable (perhaps after mod_dbd's
 * driver reset it)?  Then the statement may be gone server-side. */
static int connection_alive(dbctx_t *c)
{
    return apr_dbd_check_conn(c->dbd->driver, c->p, c->dbd->handle)
           == APR_SUCCESS;
}

/* A failure that a fresh prepare can cure: the statement is unknown to
 * the server, or the connection under it was replaced. */
static int lost_statement(const char *msg)
{
    return msg
           && ((strstr(msg, "prepared statement")
                && strstr(msg, "does not exist"))
               || strstr(msg, "connection") || strstr(msg, "server closed")
               || strstr(msg, "terminating"));
}

static int is_conflict(const char *msg)
{
    return msg
           && (strstr(msg, "duplicate key")
               || strstr(msg, "violates foreign key")
               || strstr(msg, "violates unique"));
}

typedef int (*run_fn)(dbctx_t *c, apr_dbd_prepared_t *st, void *out, int nargs,
                      const char **args);

static int run_select(dbctx_t *c, apr_dbd_prepared_t *st, void *out, int nargs,
                      const char **args)
{
    /* random=1: a sequential result hides a dead server (PLATFORM.md) */
    return apr_dbd_pselect(c->dbd->driver, c->p, c->dbd->handle,
                           (apr_dbd_results_t **)out, st, 1, nargs, args);
}

static int run_query(dbctx_t *c, apr_dbd_prepared_t *st, void *out, int nargs,
                     const char **args)
{
    return apr_dbd_pquery(c->dbd->driver, c->p, c->dbd->handle, (int *)out, st,
                          nargs, args);
}

static hub_db_status_e run(dbctx_t *c, const hub_stmt_t *st, run_fn fn,
                           void *out, int nargs, const char **args)
{
    ap_dbd_t *dbd = c->dbd;
    apr_dbd_prepared_t *stmt;
    const char *msg = NULL;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        if (!(stmt = statement(c, st, attempt > 0))) {
            if (!connection_alive(c)) {
                return HUB_DB_UNAVAILABLE;
            }
            if (attempt > 0) {
                /* it still existed: the first failure was the real one */
                DBLOG(c, APLOG_ERR, "HUB00014: %s failed: %s", st->label, msg);
            }
            return HUB_DB_ERROR;
        }
        if (fn(c, stmt, out, nargs, args) == 0) {
            return HUB_DB_OK;
        }
        /* copied: the driver's message buffer changes with the next call */
        msg = apr_pstrdup(c->p, apr_dbd_error(dbd->driver, dbd->handle, 1));
        if (is_conflict(msg)) {
            return HUB_DB_CONFLICT;
        }
        if (!connection_alive(c)) {
            DBLOG(c, APLOG_WARNING,
                  "HUB00012: database connection lost "
                  "during %s",
                  st->label);
            return HUB_DB_UNAVAILABLE;
        }
        /* alive now.  Prepare again only when the statement is what went
         * missing (a reconnect drops a connection's prepared statements)
         * or the connection was just reset; a statement that failed on
         * its own merits is reported as it is. */
        if (!lost_statement(msg)) {
            break;
        }
        DBLOG(c, APLOG_DEBUG, "HUB00013: %s failed (%s); preparing it again",
              st->label, msg);
    }
    DBLOG(c, APLOG_ERR, "HUB00015: %s failed: %s", st->label, msg);
    return HUB_DB_ERROR;
}

static hub_db_status_e select_rows(dbctx_t *c, const hub_stmt_t *st,
                                   hub_rows_t **out, int nargs,
                                   const char **args)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    ap_dbd_t *dbd = c->dbd;
    hub_rows_t *rows;
    hub_db_status_e rc;
    int i;

    rc = run(c, st, run_select, &res, nargs, args);
    if (rc != HUB_DB_OK) {
        return rc;
    }
    rows = apr_pcalloc(c->p, sizeof(*rows));
    rows->ncols = apr_dbd_num_cols(dbd->driver, res);
    rows->cols = apr_pcalloc(c->p, sizeof(char *) * (rows->ncols + 1));
    /* copied: the driver frees its result once the last row is read */
    for (i = 0; i < rows->ncols; i++) {
        const char *name = apr_dbd_get_name(dbd->driver, res, i);
        rows->cols[i] = apr_pstrdup(c->p, name ? name : "");
    }
    rows->rows = apr_array_make(c->p, 8, sizeof(const char **));
    /* read to the end (-1), or the driver keeps the result */
    while (apr_dbd_get_row(dbd->driver, c->p, res, &row, -1) != -1) {
        const char **vals = apr_pcalloc(c->p,
                                        sizeof(char *) * (rows->ncols + 1));
        for (i = 0; i < rows->ncols; i++) {
            /* get_entry gives "" for SQL NULL in the pgsql driver; the
             * datum call tells the two apart (APR_ENOENT for NULL) */
            char *v = NULL;
            vals[i] = apr_dbd_datum_get(dbd->driver, row, i,
                                        APR_DBD_TYPE_STRING, &v)
                                  == APR_SUCCESS
                              && v
                          ? apr_pstrdup(c->p, v)
                          : NULL;
        }
        APR_ARRAY_PUSH(rows->rows, const char **) = vals;
    }
    *out = rows;
    return HUB_DB_OK;
}

static hub_db_status_e exec_stmt(dbctx_t *c, const hub_stmt_t *st,
                                 int *affected, int nargs, const char **args)
{
    int n = 0;
    hub_db_status_e rc = run(c, st, run_query, &n, nargs, args);
    if (affected) {
        *affected = n;
    }
    return rc;
}

/* A request's context: mod_dbd's connection for this request. */
/* A request's connection is held here rather than by mod_dbd's
 * ap_dbd_acquire (which gives it back only when the request's pool goes),
 * so that hub_db_release can give it back early: a parked event stream
 * lives for minutes and must not keep one.  Subrequests and internal
 * redirects share the initial request's, as with ap_dbd_acquire. */
#define REQ_DBD_KEY "hub_db.request"

typedef struct {
    server_rec *s;
    ap_dbd_t *dbd;
} req_dbd_t;

static apr_status_t req_dbd_release(void *data)
{
    req_dbd_t *h = data;
    if (h->dbd) {
        dbd_close(h->s, h->dbd);
        h->dbd = NULL;
    }
    return APR_SUCCESS;
}

static request_rec *initial_request(request_rec *r)
{
    while (!ap_is_initial_req(r)) {
        r = r->prev ? r->prev : r->main;
    }
    return r;
}

static ap_dbd_t *request_dbd(request_rec *r)
{
    req_dbd_t *h = NULL;
    r = initial_request(r);
    apr_pool_userdata_get((void **)&h, REQ_DBD_KEY, r->pool);
    if (h && h->dbd) {
        return h->dbd;
    }
    if (!h) {
        h = apr_pcalloc(r->pool, sizeof(*h));
        h->s = r->server;
        apr_pool_userdata_setn(h, REQ_DBD_KEY, NULL, r->pool);
        apr_pool_cleanup_register(r->pool, h, req_dbd_release,
                                  apr_pool_cleanup_null);
    }
    h->dbd = dbd_open(r->pool, r->server);
    return h->dbd;
}

void hub_db_release(request_rec *r)
{
    req_dbd_t *h = NULL;
    r = initial_request(r);
    apr_pool_userdata_get((void **)&h, REQ_DBD_KEY, r->pool);
    if (h) {
        req_dbd_release(h);
    }
}

static int request_ctx(request_rec *r, dbctx_t *c)
{
    c->p = r->pool;
    c->s = r->server;
    c->r = r;
    c->dbd = have_dbd() ? request_dbd(r) : NULL;
    return c->dbd != NULL;
}

hub_db_status_e hub_db_select(request_rec *r, const hub_stmt_t *st,
                              hub_rows_t **out, int nargs, const char **args)
{
    dbctx_t c;
    return request_ctx(r, &c) ? select_rows(&c, st, out, nargs, args)
                              : HUB_DB_UNAVAILABLE;
}

hub_db_status_e hub_db_exec(request_rec *r, const hub_stmt_t *st, int *affected,
                            int nargs, const char **args)
{
    dbctx_t c;
    return request_ctx(r, &c) ? exec_stmt(&c, st, affected, nargs, args)
                              : HUB_DB_UNAVAILABLE;
}

hub_db_status_e hub_db_select_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                 const hub_stmt_t *st, hub_rows_t **out,
                                 int nargs, const char **args)
{
    dbctx_t c = { p, s, NULL, dbd };
    return dbd ? select_rows(&c, st, out, nargs, args) : HUB_DB_UNAVAILABLE;
}

hub_db_status_e hub_db_exec_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                               const hub_stmt_t *st, int *affected, int nargs,
                               const char **args)
{
    dbctx_t c = { p, s, NULL, dbd };
    return dbd ? exec_stmt(&c, st, affected, nargs, args) : HUB_DB_UNAVAILABLE;
}

hub_db_status_e hub_db_in_transaction(
    request_rec *r, hub_db_status_e (*fn)(request_rec *, void *), void *baton)
{
    dbctx_t c;
    apr_dbd_transaction_t *trans = NULL;
    hub_db_status_e st;

    if (!request_ctx(r, &c)) {
        return HUB_DB_UNAVAILABLE;
    }
    if (apr_dbd_transaction_start(c.dbd->driver, r->pool, c.dbd->handle, &trans)
        != 0) {
        return connection_alive(&c) ? HUB_DB_ERROR : HUB_DB_UNAVAILABLE;
    }
    st = fn(r, baton);
    if (st != HUB_DB_OK) {
        apr_dbd_transaction_mode_set(c.dbd->driver, trans,
                                     APR_DBD_TRANSACTION_ROLLBACK);
    }
    if (apr_dbd_transaction_end(c.dbd->driver, r->pool, trans) != 0
        && st == HUB_DB_OK) {
        st = connection_alive(&c) ? HUB_DB_ERROR : HUB_DB_UNAVAILABLE;
    }
    return st;
}
