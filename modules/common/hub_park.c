/* Parked responses (hub_park.h): mod_dialup's way of waiting, SUSPENDED
 * and a timed callback per tick, with the end that httpd 2.4 lacks. */
#include <httpd.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <ap_mpm.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include "hub_db.h"
#include "hub_park.h"

typedef struct {
    request_rec *r;
    hub_stream_t *out;
    apr_interval_time_t every;
    hub_park_tick_fn *tick;
    void *baton;
    apr_pool_t *tp; /* each tick's, cleared after it */
    hub_park_mode_e mode;
} park_t;

static volatile apr_uint32_t parked;

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
    if (!allow || c->master || !c->cs || !mpm_says(AP_MPMQ_IS_ASYNC)) {
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
    ap_lingering_close(c);
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
    if (rc == HUB_PARK_AGAIN
        && ap_mpm_register_timed_callback(pk->every, callback, pk)
               != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, pk->r,
                      "HUB01050: the MPM took no timed callback: the stream "
                      "ends");
        rc = HUB_PARK_END;
    }
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(pk->r->invoke_mtx);
#endif
    if (rc != HUB_PARK_AGAIN) {
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
        if (ap_mpm_register_timed_callback(every, callback, pk)
            == APR_SUCCESS) {
            return SUSPENDED;
        }
        apr_atomic_dec32(&parked);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "HUB01051: the MPM took no timed callback: this stream "
                      "holds its thread");
        pk->mode = HUB_PARK_HOLD;
    }
    while (hub_stream_wait(out, every) == HUB_STREAM_IDLE
           && tick(pk) == HUB_PARK_AGAIN) {
    }
    return OK;
}
