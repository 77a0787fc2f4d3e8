/* The streams that tell an agent its tool list changed, so that it lists
 * the tools again: notifications/tools/list_changed when a probe, a
 * heartbeat, a permission or an operator changes what the instance's
 * tools/list answers.
 *
 * - 2025-11-25: GET on the endpoint with the session's Mcp-Session-Id
 *   (and Accept: text/event-stream) opens the session's stream.  It
 *   begins with an event carrying an id and a retry delay (the priming
 *   event the specification asks for), then a list_changed event at each
 *   change, a keep-alive comment every 15 s, and it ends after
 *   HubMcpStreamTimeout: the client reconnects after the retry delay,
 *   with Last-Event-ID, on any host.  An event's id is the fingerprint
 *   of the list it announced (and a time, for uniqueness), so a client
 *   that comes back after a change it missed is told at once.  The
 *   stream keeps its session alive (a client listening is not idle) and
 *   ends with it (DELETE).
 * - 2026-07-28: subscriptions/listen, a POST whose answer is the stream:
 *   notifications/subscriptions/acknowledged with the honoured filter
 *   (toolsListChanged only: the hub has no prompts or resources), then
 *   the changes, each stamped with the subscription id in _meta, as the
 *   official SDK v2 server does.  It lasts until the client leaves; when
 *   the host stops, the request's result (resultType complete) says the
 *   subscription ended, and the client listens again.
 *
 * A change is seen by comparing the fingerprint of the instance's tool
 * list (hub_gw_tools_fingerprint: one statement) every 2 s; the streams
 * of one instance in one httpd child share one reading per 2 s.  Each
 * open stream holds an httpd worker thread (httpd 2.4 has no way to park
 * a handler), so HubMcpStreams bounds them per child; past it a GET is
 * told to come back in 30 s, a listen gets the SDK's "Subscription limit
 * reached".  A stopping child ends its streams within half a second, so
 * a graceful stop or restart is not held up. */
#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "hub_servers_gateway.h"
#include <http_log.h>
#include "hub_json.h"
#include "hub_sse.h"
#include "hub_stream.h"

#define POLL          apr_time_from_sec(2)  /* how often a stream compares */
#define KEEPALIVE     apr_time_from_sec(15) /* a comment when nothing else */
#define SESSION_CHECK apr_time_from_sec(10) /* the session still live? */
#define RETRY_MS      1000  /* when a closed GET stream comes back */
#define BUSY_RETRY_MS 30000 /* when one refused for capacity does */
#define CACHE_MAX     1024  /* instances whose fingerprint a child keeps */
#define SUBSCRIPTION  "io.modelcontextprotocol/subscriptionId"

/* ---- the fingerprints, shared by a child's streams -------------------- */

typedef struct {
    char fp[40]; /* "" when the instance is gone */
    apr_time_t at;
} reading_t;

static volatile apr_uint32_t open_streams;
static apr_thread_mutex_t *lock;
static apr_pool_t *cache_pool; /* cleared when CACHE_MAX is reached */
static apr_hash_t *cache;      /* "tenant/instance/user" -> reading_t */

void hub_gw_streams_child_init(apr_pool_t *pchild)
{
    if (apr_pool_create(&cache_pool, pchild) == APR_SUCCESS
        && apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pchild)
               == APR_SUCCESS) {
        cache = apr_hash_make(cache_pool);
    }
    else {
        lock = NULL; /* every stream reads for itself */
    }
}

int hub_gw_streams_on(const hub_gw_t *g)
{
    return hub_servers_streams(g->dir) > 0;
}

static int cached(const char *key, apr_pool_t *p, const char **fp)
{
    reading_t *c;
    int found = 0;
    if (!lock) {
        return 0;
    }
    apr_thread_mutex_lock(lock);
    c = apr_hash_get(cache, key, APR_HASH_KEY_STRING);
    if (c && apr_time_now() - c->at < POLL) {
        *fp = *c->fp ? apr_pstrdup(p, c->fp) : NULL;
        found = 1;
    }
    apr_thread_mutex_unlock(lock);
    return found;
}

static void remember(const char *key, const char *fp)
{
    reading_t *c;
    if (!lock) {
        return;
    }
    apr_thread_mutex_lock(lock);
    if (apr_hash_count(cache) >= CACHE_MAX) {
        apr_pool_clear(cache_pool);
        cache = apr_hash_make(cache_pool);
    }
    if (!(c = apr_hash_get(cache, key, APR_HASH_KEY_STRING))) {
        c = apr_pcalloc(cache_pool, sizeof(*c));
        apr_hash_set(cache, apr_pstrdup(cache_pool, key), APR_HASH_KEY_STRING,
                     c);
    }
    apr_cpystrn(c->fp, fp ? fp : "", sizeof(c->fp));
    c->at = apr_time_now();
    apr_thread_mutex_unlock(lock);
}

/* The instance's fingerprint now: 1 with *fp (in p), 0 when the
 * instance is gone, -1 when it cannot be read now. */
static int fingerprint(hub_gw_t *g, apr_pool_t *p, const char **fp)
{
    const char *user = hub_gw_caller_user(g);
    /* what a caller sees depends on who it is (a project user's) */
    const char *key = apr_pstrcat(p, g->tenant_id, "/", g->instance_id, "/",
                                  user ? user : "", NULL);
    server_rec *s = g->r->server;
    hub_db_status_e st;
    ap_dbd_t *dbd;

    if (cached(key, p, fp)) {
        return *fp ? 1 : 0;
    }
    if (!(dbd = hub_db_open(p, s))) {
        return -1;
    }
    st = hub_gw_tools_fingerprint(p, s, dbd, g->instance_id, g->tenant_id, user,
                                  fp);
    hub_db_close(s, dbd);
    if (st != HUB_DB_OK) {
        return -1;
    }
    remember(key, *fp);
    return *fp ? 1 : 0;
}

static int session_live(hub_gw_t *g, apr_pool_t *p)
{
    ap_dbd_t *dbd = hub_db_open(p, g->r->server);
    int live;
    if (!dbd) {
        return -1;
    }
    live = hub_gw_session_live(p, g->r->server, dbd, g->session);
    hub_db_close(g->r->server, dbd);
    return live;
}

/* ---- one stream ------------------------------------------------------- */

typedef struct {
    hub_gw_t *g;
    hub_stream_t *out;
    const json_t *listen_id; /* 2026: the listen request's; NULL: GET */
    const char *fp;          /* the fingerprint of the list last told */
} stream_t;

static const char *event_id(apr_pool_t *p, const char *fp)
{
    return apr_psprintf(p, "%s.%" APR_TIME_T_FMT, fp, apr_time_now());
}

/* A JSON-RPC message as one "message" event. */
static apr_status_t send_message(stream_t *st, apr_pool_t *p, const char *id,
                                 long retry, json_t *msg)
{
    const char *data = hub_json_text(p, hub_json_own(p, msg));
    return hub_stream_write(st->out,
                            hub_sse_format(p, id, "message", retry, data));
}

/* notifications/tools/list_changed, stamped with the subscription in the
 * 2026 era, with the new list's id in the 2025 one. */
static apr_status_t send_changed(stream_t *st, apr_pool_t *p, long retry)
{
    json_t *msg = json_pack("{s:s,s:s}", "jsonrpc", "2.0", "method",
                            "notifications/tools/list_changed");
    if (st->listen_id) {
        json_object_set_new(msg, "params",
                            json_pack("{s:{s:O}}", "_meta", SUBSCRIPTION,
                                      st->listen_id));
    }
    return send_message(st, p, st->listen_id ? NULL : event_id(p, st->fp),
                        retry, msg);
}

/* One wait and what follows it: 0 to go on, 1 when the stream ends and
 * more may be written (time, the host stopping, the instance or the
 * session gone), -1 when the client is gone. */
static int step(stream_t *st, apr_pool_t *it, apr_time_t until,
                apr_time_t *wrote, apr_time_t *checked)
{
    hub_gw_t *g = st->g;
    int w = hub_stream_wait(st->out, POLL), found;
    apr_time_t now = apr_time_now();
    const char *fp;

    if (w != HUB_STREAM_IDLE) {
        return w == HUB_STREAM_GONE ? -1 : 1;
    }
    if (until && now >= until) {
        return 1;
    }
    /* -1: the database is away, nothing to tell */
    if (!(found = fingerprint(g, it, &fp))) {
        return 1;
    }
    if (found > 0 && strcmp(fp, st->fp)) {
        st->fp = apr_pstrdup(g->pool, fp);
        if (send_changed(st, it, -1) != APR_SUCCESS) {
            return -1;
        }
        *wrote = now;
    }
    if (g->session && now - *checked >= SESSION_CHECK) {
        *checked = now;
        if (session_live(g, it) == 0) {
            return 1;
        }
    }
    if (now - *wrote >= KEEPALIVE) {
        if (hub_stream_write(st->out, ": keepalive\n\n") != APR_SUCCESS) {
            return -1;
        }
        *wrote = now;
    }
    return 0;
}

/* Until the stream ends: changes told, keep-alives, the session kept and
 * watched; until is 0 for no time limit.  Whether the client is still
 * there to be told the end. */
static int follow(stream_t *st, apr_time_t until)
{
    apr_time_t wrote = apr_time_now(), checked = wrote;
    apr_pool_t *it;
    int rc;

    apr_pool_create(&it, st->g->pool);
    do {
        apr_pool_clear(it);
    } while (!(rc = step(st, it, until, &wrote, &checked)));
    apr_pool_destroy(it);
    return rc > 0;
}

/* Whether one more stream fits in this child; taken when it does. */
static int take_slot(hub_gw_t *g)
{
    apr_uint32_t limit = (apr_uint32_t)hub_servers_streams(g->dir);
    if (apr_atomic_inc32(&open_streams) >= limit) {
        apr_atomic_dec32(&open_streams);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, g->r,
                      "HUB00582: %u list-changed streams are open in this "
                      "child (HubMcpStreams): one more is refused",
                      limit);
        return 0;
    }
    return 1;
}

static int unavailable(hub_gw_t *g, const json_t *id)
{
    return hub_gw_send_error(g, HTTP_SERVICE_UNAVAILABLE, id,
                             HUB_RPC_INTERNAL_ERROR,
                             "the navigator instance's tools cannot be read "
                             "now");
}

/* ---- 2025-11-25: GET ------------------------------------------------------ */

/* The fingerprint in a Last-Event-ID this hub gave: before the last '.'. */
static const char *told_before(hub_gw_t *g)
{
    const char *last = apr_table_get(g->r->headers_in, "Last-Event-ID");
    const char *dot = last ? strrchr(last, '.') : NULL;
    return dot ? apr_pstrmemdup(g->pool, last, (apr_size_t)(dot - last)) : NULL;
}

int hub_gw_stream_get(hub_gw_t *g)
{
    stream_t st = { 0 };
    const char *before = told_before(g), *fp;
    apr_status_t rv;

    if (fingerprint(g, g->pool, &fp) != 1) {
        return unavailable(g, NULL);
    }
    st.g = g;
    st.fp = fp;
    if (!take_slot(g)) {
        /* an empty stream that asks the client to come back later */
        st.out = hub_stream_open(g->r, "text/event-stream");
        hub_stream_write(st.out, hub_sse_format(g->pool, event_id(g->pool, fp),
                                                NULL, BUSY_RETRY_MS, NULL));
        return OK;
    }
    st.out = hub_stream_open(g->r, "text/event-stream");
    /* a client back after a change it missed is told now; else the
     * priming event: an id to come back with, and when */
    rv = before && strcmp(before, fp)
             ? send_changed(&st, g->pool, RETRY_MS)
             : hub_stream_write(st.out,
                                hub_sse_format(g->pool, event_id(g->pool, fp),
                                               NULL, RETRY_MS, NULL));
    if (rv == APR_SUCCESS) {
        follow(&st,
               apr_time_now()
                   + apr_time_from_sec(hub_servers_stream_timeout(g->dir)));
    }
    apr_atomic_dec32(&open_streams);
    hub_gw_record_stream(g, "GET", hub_stream_sent(st.out));
    return OK;
}

/* ---- 2026-07-28: subscriptions/listen -------------------------------------- */

/* The SubscriptionFilter of params, as the SDK's schema reads it: an
 * object whose known members have their types.  NULL when it is not. */
static json_t *listen_filter(json_t *params)
{
    static const char *const flags[] = {
        "toolsListChanged", "promptsListChanged", "resourcesListChanged", NULL
    };
    json_t *f = json_object_get(params, "notifications"), *subs, *v;
    const char *const *k;
    size_t i;

    if (!json_is_object(f)) {
        return NULL;
    }
    for (k = flags; *k; k++) {
        v = json_object_get(f, *k);
        if (v && !json_is_boolean(v)) {
            return NULL;
        }
    }
    if ((subs = json_object_get(f, "resourceSubscriptions"))) {
        if (!json_is_array(subs)) {
            return NULL;
        }
        json_array_foreach(subs, i, v) {
            if (!json_is_string(v)) {
                return NULL;
            }
        }
    }
    return f;
}

/* in-band, as the SDK answers them: HTTP 200 */
static int listen_error(hub_gw_t *g, const hub_rpc_msg_t *m, int code,
                        const char *message)
{
    return hub_gw_send_error(g, HTTP_OK, m->id, code, message);
}

/* The end of a subscription the client did not end: its request's
 * result. */
static void send_ended(stream_t *st, apr_pool_t *p)
{
    json_t *meta = json_pack("{s:O,s:o}", SUBSCRIPTION, st->listen_id,
                             HUB_MCP_META_SERVER, hub_gw_server_info());
    send_message(st, p, NULL, -1,
                 hub_rpc_result(st->listen_id,
                                json_pack("{s:s,s:o}", "resultType", "complete",
                                          "_meta", meta)));
}

int hub_gw_listen(hub_gw_t *g, const hub_rpc_msg_t *m)
{
    json_t *filter = listen_filter(m->params), *honored;
    stream_t st = { 0 };
    const char *fp;
    int tools;

    if (!filter) {
        return listen_error(g, m, HUB_RPC_INVALID_PARAMS,
                            "Invalid params: 'notifications' is required and "
                            "must be a valid SubscriptionFilter");
    }
    if (fingerprint(g, g->pool, &fp) != 1) {
        return unavailable(g, m->id);
    }
    if (!take_slot(g)) {
        return listen_error(g, m, HUB_RPC_INTERNAL_ERROR,
                            "Subscription limit reached");
    }
    st.g = g;
    st.fp = fp;
    st.listen_id = m->id;
    st.out = hub_stream_open(g->r, "text/event-stream");
    tools = json_is_true(json_object_get(filter, "toolsListChanged"));
    honored = tools ? json_pack("{s:b}", "toolsListChanged", 1) : json_object();
    if (send_message(&st, g->pool, NULL, -1,
                     json_pack("{s:s,s:s,s:{s:o,s:{s:O}}}", "jsonrpc", "2.0",
                               "method",
                               "notifications/subscriptions/acknowledged",
                               "params", "notifications", honored, "_meta",
                               SUBSCRIPTION, m->id))
        == APR_SUCCESS) {
        /* nothing the hub can tell: the subscription ends at once */
        if (!tools || follow(&st, 0)) {
            send_ended(&st, g->pool);
        }
    }
    apr_atomic_dec32(&open_streams);
    hub_gw_record_stream(g, "subscriptions/listen", hub_stream_sent(st.out));
    return OK;
}
