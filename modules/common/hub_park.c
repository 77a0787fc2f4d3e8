/* Parked responses (hub_park.h): mod_dialup's way of waiting, SUSPENDED
 * and a timed callback per tick, with the end that httpd 2.4 lacks. */
#include <httpd.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <ap_mpm.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include "hub_db.h"
#include "hub_park.h"
#include "hub_route.h"

typedef struct park park_t;
struct park {
    request_rec *r;
    hub_stream_t *out;
    apr_interval_time_t every;
    hub_park_tick_fn *tick;
    void *baton;
    apr_pool_t *tp; /* each tick's, cleared after it */
    hub_park_mode_e mode;
    apr_time_t due;      /* when its next tick is */
    apr_time_t since;    /* when it was scheduled */
    park_t *next, *prev; /* in the schedule, by due */
};

/* ---- the schedule: one thread per child keeps the due times ------------
 *
 * Why not a timed callback per tick, as mod_dialup registers: 2.4's event
 * MPM bounds its poll by the next timer only in a loop where some timer
 * has already expired, so a timer registered for later is run at the
 * listener's next wake for whatever other reason (a new connection, a
 * keep-alive timeout): seconds late, or never on a quiet server.  A timer
 * due now is always run at once.  So this thread sleeps until the next
 * stream is due and hands it to the MPM then, as a timer due now; the
 * tick itself runs on a worker thread, the thread only waits. */

static apr_thread_mutex_t *lock;
static apr_thread_cond_t *wake;
static apr_thread_t *thread;
static park_t *first, *last; /* by due, earliest first */
static int quit;
static volatile apr_uint32_t parked;

#define SLICE apr_time_from_msec(250) /* a stopping child is seen within */

static int stopping(void)
{
    int state = AP_MPMQ_RUNNING;
    return ap_mpm_query(AP_MPMQ_MPM_STATE, &state) == APR_SUCCESS
           && state == AP_MPMQ_STOPPING;
}

/* (lock held) into the schedule by due: nearly always at the end */
static void insert(park_t *pk)
{
    park_t *at = last;
    while (at && at->due > pk->due) {
        at = at->prev;
    }
    pk->prev = at;
    pk->next = at ? at->next : first;
    if (pk->next) {
        pk->next->prev = pk;
    }
    else {
        last = pk;
    }
    if (at) {
        at->next = pk;
    }
    else {
        first = pk;
    }
}

static void schedule(park_t *pk, apr_time_t due)
{
    pk->due = due;
    pk->since = apr_time_now();
    apr_thread_mutex_lock(lock);
    insert(pk);
    if (first == pk) {
        apr_thread_cond_signal(wake);
    }
    apr_thread_mutex_unlock(lock);
}

static void callback(void *baton);

static void *APR_THREAD_FUNC scheduler(apr_thread_t *t HUB_UNUSED,
                                       void *data HUB_UNUSED)
{
    apr_thread_mutex_lock(lock);
    while (!quit) {
        apr_time_t now = apr_time_now();
        int all = stopping(); /* every stream now: they see it and end */
        park_t *pk;

        /* a stream parked a moment ago may still be on its way out of
         * the handler's thread (the MPM counts it suspended after the
         * handler returns): even a stopping child lets it get there */
        while (first
               && (first->due <= now || (all && now - first->since >= SLICE))) {
            pk = first;
            first = pk->next;
            if (first) {
                first->prev = NULL;
            }
            else {
                last = NULL;
            }
            apr_thread_mutex_unlock(lock);
            if (ap_mpm_register_timed_callback(0, callback, pk)
                != APR_SUCCESS) {
                callback(pk); /* the MPM would not: on this thread */
            }
            apr_thread_mutex_lock(lock);
        }
        apr_thread_cond_timedwait(wake, lock,
                                  first && first->due - now < SLICE
                                      ? first->due - now
                                      : SLICE);
    }
    apr_thread_mutex_unlock(lock);
    return NULL;
}

static apr_status_t scheduler_stop(void *data HUB_UNUSED)
{
    apr_status_t rv;
    if (thread) {
        apr_thread_mutex_lock(lock);
        quit = 1;
        apr_thread_cond_signal(wake);
        apr_thread_mutex_unlock(lock);
        apr_thread_join(&rv, thread);
        thread = NULL;
    }
    return APR_SUCCESS;
}

void hub_park_child_init(apr_pool_t *pchild, server_rec *s)
{
    quit = 0;
    first = last = NULL;
    if (apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pchild)
            != APR_SUCCESS
        || apr_thread_cond_create(&wake, pchild) != APR_SUCCESS
        || apr_thread_create(&thread, NULL, scheduler, NULL, pchild)
               != APR_SUCCESS) {
        thread = NULL;
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB01054: no stream scheduler in this child: event "
                     "streams hold their threads");
        return;
    }
    /* before anything of pchild goes, its mutex and condition first */
    apr_pool_pre_cleanup_register(pchild, NULL, scheduler_stop);
}

unsigned hub_park_count(void)
{
    return apr_atomic_read32(&parked);
}

static int mpm_says(int query)
{
    int v = 0;
    return ap_mpm_query(query, &v) == APR_SUCCESS && v;
}

hub_park_mode_e hub_park_mode(request_rec *r, int allow)
{
    conn_rec *c = r->connection;

    /* a stream inside HTTP/2 is no connection of the MPM's; a request
     * without a connection state is not served by an async MPM */
    if (!allow || !thread || c->master || !c->cs
        || !mpm_says(AP_MPMQ_IS_ASYNC)) {
        return HUB_PARK_HOLD;
    }
#ifdef AP_MPMQ_CAN_SUSPEND
    if (mpm_says(AP_MPMQ_CAN_SUSPEND)) {
        return HUB_PARK_RESUME;
    }
#endif
    /* 2.4: suspending works in the event MPM alone (its timed callbacks
     * run on its workers); ending it is ours (finish below) */
    return strcmp(ap_show_mpm(), "event") ? HUB_PARK_HOLD : HUB_PARK_CLOSE;
}

/* One tick, after the checks a parked stream needs (nobody watches its
 * socket while it waits). */
static int tick(park_t *pk)
{
    int rc = hub_stream_check(pk->out) != HUB_STREAM_IDLE
                 ? HUB_PARK_END
                 : pk->tick(pk->baton, pk->tp);
    apr_pool_clear(pk->tp);
    return rc;
}

/* ap_lingering_close with shorter bounds: the response is complete and
 * flushed and our side shut, so all that is left is to read what the
 * client may still send (a request of its own on the connection) before
 * closing, or the close would reset the connection under data the client
 * has not read yet.  Streams end together (they began together, or the
 * child stops): a worker must not wait seconds for each. */
#define LINGER_WAIT apr_time_from_msec(200)
#define LINGER_MAX  65536

static void close_connection(conn_rec *c)
{
    apr_socket_t *csd = ap_get_conn_socket(c);
    char buf[4096];
    apr_size_t n, total = 0;

    if (!csd) {
        return;
    }
    if (!ap_start_lingering_close(c)) {
        apr_socket_timeout_set(csd, LINGER_WAIT);
        do {
            n = sizeof(buf);
            if (apr_socket_recv(csd, buf, &n) != APR_SUCCESS) {
                break;
            }
            total += n;
        } while (n && total < LINGER_MAX);
    }
    apr_socket_close(csd);
}

/* The end of a parked request: the response's end, its log line and its
 * pool (the EOR bucket), then the connection's. */
static void finish(park_t *pk)
{
    request_rec *r = pk->r;
    conn_rec *c = r->connection;
    hub_park_mode_e mode = pk->mode;

    apr_atomic_dec32(&parked);
    if (mode == HUB_PARK_CLOSE) {
        c->keepalive = AP_CONN_CLOSE;
    }
    ap_finalize_request_protocol(r);
    ap_process_request_after_handler(r); /* r and pk are gone */
#ifdef AP_MPMQ_CAN_SUSPEND
    if (mode == HUB_PARK_RESUME) {
        ap_mpm_resume_suspended(c);
        return;
    }
#endif
    /* no way back into the 2.4 MPM: close as it would a connection not
     * kept alive, and free the connection's pool (the MPM's own cleanup
     * on it counts the connection out, as suspended: the state it last
     * saw it in) */
    c->cs->state = CONN_STATE_SUSPENDED;
    close_connection(c);
    apr_pool_destroy(c->pool);
}

static void callback(void *baton)
{
    park_t *pk = baton;
    int rc;

#if APR_HAS_THREADS
    apr_thread_mutex_lock(pk->r->invoke_mtx);
#endif
    rc = tick(pk);
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(pk->r->invoke_mtx);
#endif
    if (rc == HUB_PARK_AGAIN) {
        schedule(pk, apr_time_now() + pk->every);
    }
    else {
        finish(pk);
    }
}

int hub_park_run(request_rec *r, hub_stream_t *out, int allow,
                 apr_interval_time_t every, hub_park_tick_fn *fn, void *baton)
{
    park_t *pk = apr_pcalloc(r->pool, sizeof(*pk));

    pk->r = r;
    pk->out = out;
    pk->every = every;
    pk->tick = fn;
    pk->baton = baton;
    pk->mode = hub_park_mode(r, allow);
    apr_pool_create(&pk->tp, r->pool);
    apr_pool_tag(pk->tp, "hub_park_tick");

    if (tick(pk) != HUB_PARK_AGAIN) {
        return OK;
    }
    if (pk->mode != HUB_PARK_HOLD) {
        /* it waits with no thread: nor a database connection */
        hub_db_release(r);
        apr_atomic_inc32(&parked);
        schedule(pk, apr_time_now() + every);
        return SUSPENDED;
    }
    while (hub_stream_wait(out, every) == HUB_STREAM_IDLE
           && tick(pk) == HUB_PARK_AGAIN) {
    }
    return OK;
}
