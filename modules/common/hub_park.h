/* A response that waits between its writes without holding an httpd
 * worker thread: an event stream whose client is idle most of the time.
 *
 * The handler opens a hub_stream_t, then hands a tick function to
 * hub_park_run.  The tick runs at once and then every `every`, writes what
 * is new, and says whether the stream goes on.  Where the MPM can park a
 * request (the event MPM, HTTP/1.x), the handler returns SUSPENDED and
 * each later tick runs from a timed callback of the MPM
 * (ap_mpm_register_timed_callback) on whichever worker thread is free,
 * registered when it is due by one scheduler thread per child (hub_park.c
 * says why): an idle stream holds its connection and its request's
 * memory, no worker thread and no database connection (hub_db_release).  Elsewhere (prefork,
 * worker, a stream inside HTTP/2) the same ticks run in a loop that holds
 * the thread, between hub_stream_waits.
 *
 * Either way a stream ends when its tick says so, when the client goes
 * (seen before each tick: the socket readable, a write failing) or when
 * the child stops (a graceful stop or restart is not held up by more
 * than one tick).
 *
 * httpd 2.4 has mod_dialup's half of this: SUSPENDED and timed callbacks,
 * but no ap_mpm_resume_suspended (trunk's, with AP_MPMQ_CAN_SUSPEND) to
 * hand a finished request's connection back to the MPM.  Where that
 * exists (compiled in, and the MPM says so at run time) it is used; on
 * 2.4's event MPM the last tick ends the request (its log line, its pool)
 * as mod_dialup does and then closes the connection itself and frees its
 * pool, which is what the MPM does with a connection that is not kept
 * alive: the client reconnects for its next request.  hub_park_mode says
 * which of the three a request gets. */
#ifndef HUB_PARK_H
#define HUB_PARK_H

#include <httpd.h>
#include "hub_stream.h"

enum {
    HUB_PARK_AGAIN = 0, /* tick again after `every` */
    HUB_PARK_END = 1    /* the stream is complete */
};

/* One tick: p is cleared after it.  HUB_PARK_AGAIN or HUB_PARK_END. */
typedef int hub_park_tick_fn(void *baton, apr_pool_t *p);

typedef enum {
    HUB_PARK_HOLD = 0, /* a loop holds the worker thread */
    HUB_PARK_RESUME,   /* suspended; the MPM resumes the connection */
    HUB_PARK_CLOSE     /* suspended; the connection closed at the end */
} hub_park_mode_e;

/* How a stream of r would wait (allow 0: always HUB_PARK_HOLD). */
hub_park_mode_e hub_park_mode(request_rec *r, int allow);

/* Run tick now and every `every` until the stream ends.  Returns what
 * the handler returns: SUSPENDED when parked, else OK once the stream
 * has ended. */
int hub_park_run(request_rec *r, hub_stream_t *out, int allow,
                 apr_interval_time_t every, hub_park_tick_fn *tick,
                 void *baton);

/* From child_init: the thread that keeps the parked streams' due times
 * (hub_park.c says why); without it every stream holds its thread. */
void hub_park_child_init(apr_pool_t *pchild, server_rec *s);

/* Streams of this child parked now (for logs and tests). */
unsigned hub_park_count(void);

#endif
