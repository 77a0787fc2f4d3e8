/* The gateway's upstream sessions, kept per child and used again: a
 * tools/call takes an idle session with the same upstream (the same URL,
 * transport and credentials, or the same command, arguments and
 * environment, by a SHA-256 of them) or opens one, and gives it back
 * when the call went well.  For a 2025-era upstream that saves the
 * initialize handshake (two exchanges) of every call, for a 2026 one its
 * server/discover, and for a stdio server the start of its process
 * (hundreds of milliseconds for a node or npx one).
 *
 * Streamable HTTP and stdio sessions are kept; an SSE one holds a stream
 * and is opened and closed around each call as before.  A kept stdio
 * session gets its time limit again before each call (hub_mcp_renew).
 *
 * Bounds: a session is used for at most MAX_CALLS calls (what one call
 * allocates lives in the session's pool until the session ends), idles
 * at most IDLE, and a child keeps at most MAX_IDLE of them, of which at
 * most MAX_IDLE_STDIO are processes (each a server's whole runtime).
 * Idle ones expire when a call looks for one, and all end with the
 * child (its pool's cleanup ends and reaps the processes).  A session
 * the upstream has forgotten (404, or any failure on a session used
 * before) is closed, and the call is made once more on a fresh one.
 * Each session has a pool of its own (a root pool, used by one thread at
 * a time), where its target is copied: the credentials in it live as
 * long as the session, in memory only. */
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "hub_servers_gateway.h"
#include "hub_crypto.h"

#define MAX_CALLS      64
#define MAX_IDLE       64
#define MAX_IDLE_STDIO 8
#define IDLE           apr_time_from_sec(60)

typedef struct hub_gw_upstream hub_gw_upstream_t;
struct hub_gw_upstream {
    hub_gw_upstream_t *next;
    const char *key;
    apr_pool_t *p;
    hub_mcp_target_t t;
    hub_http_policy_t pol;
    hub_mcp_session_t *s;
    apr_time_t last;
    int calls;
    int stdio;
};

static apr_thread_mutex_t *lock;
static hub_gw_upstream_t *idle;
static int n_idle, n_idle_stdio;

static int is_stdio(const hub_mcp_target_t *t)
{
    return t->transport && !strcmp(t->transport, "stdio");
}

static int keepable(const hub_mcp_target_t *t)
{
    return !t->transport || !strcmp(t->transport, "streamable-http")
           || is_stdio(t);
}

static const char *add_all(apr_pool_t *p, const char *text,
                           const char *const *v)
{
    for (; v && *v; v++) {
        text = apr_pstrcat(p, text, "\n", *v, NULL);
    }
    return text;
}

/* url, transport and every header, or the command line and environment,
 * hashed: the same key is the same upstream with the same credentials
 * (a line end cannot be part of a header, and \0 separates argv from
 * env) */
static const char *key_of(apr_pool_t *p, const hub_mcp_target_t *t)
{
    const apr_array_header_t *h = t->headers ? apr_table_elts(t->headers)
                                             : NULL;
    const char *text = apr_pstrcat(p, t->url ? t->url : "", "\n",
                                   t->transport ? t->transport : "", NULL);
    int i;
    for (i = 0; h && i < h->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(h, i, apr_table_entry_t);
        text = apr_pstrcat(p, text, "\n", e->key, ": ", e->val, NULL);
    }
    text = add_all(p, apr_pstrcat(p, text, "\nargv", NULL), t->argv);
    text = add_all(p, apr_pstrcat(p, text, "\nenv", NULL), t->env);
    return hub_sha256_hex(p, text, strlen(text));
}

static void destroy(hub_gw_upstream_t *u)
{
    apr_pool_destroy(u->p); /* its cleanup closes the session */
}

/* An idle session for key, the expired ones closed on the way. */
static hub_gw_upstream_t *take_idle(const char *key)
{
    hub_gw_upstream_t **at, *u, *found = NULL, *stale = NULL;
    apr_time_t now = apr_time_now();

    apr_thread_mutex_lock(lock);
    for (at = &idle; (u = *at);) {
        if (now - u->last > IDLE) {
            *at = u->next;
            n_idle--;
            n_idle_stdio -= u->stdio;
            u->next = stale;
            stale = u;
        }
        else if (!found && !strcmp(u->key, key)) {
            *at = u->next;
            n_idle--;
            n_idle_stdio -= u->stdio;
            found = u;
        }
        else {
            at = &u->next;
        }
    }
    apr_thread_mutex_unlock(lock);
    while ((u = stale)) {
        stale = u->next;
        destroy(u);
    }
    return found;
}

static void copy_header(apr_table_t *to, apr_pool_t *p, const apr_table_t *from)
{
    const apr_array_header_t *h = apr_table_elts(from);
    int i;
    for (i = 0; i < h->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(h, i, apr_table_entry_t);
        apr_table_set(to, apr_pstrdup(p, e->key), apr_pstrdup(p, e->val));
    }
}

/* A NULL-ended vector, copied into p. */
static const char *const *copy_vector(apr_pool_t *p, const char *const *v)
{
    const char **out;
    int n = 0, i;
    if (!v) {
        return NULL;
    }
    while (v[n]) {
        n++;
    }
    out = apr_pcalloc(p, sizeof(*out) * (apr_size_t)(n + 1));
    for (i = 0; i < n; i++) {
        out[i] = apr_pstrdup(p, v[i]);
    }
    return out;
}

/* A fresh session for t: NULL when it cannot be opened (*why). */
static hub_gw_upstream_t *open_fresh(const hub_mcp_target_t *t, const char *key,
                                     const char **why, apr_pool_t *rp)
{
    hub_gw_upstream_t *u;
    apr_pool_t *p;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        *why = "no memory for an upstream session";
        return NULL;
    }
    u = apr_pcalloc(p, sizeof(*u));
    u->p = p;
    u->key = apr_pstrdup(p, key);
    u->t = *t;
    u->stdio = is_stdio(t);
    u->t.url = t->url ? apr_pstrdup(p, t->url) : NULL;
    u->t.argv = copy_vector(p, t->argv);
    u->t.env = copy_vector(p, t->env);
    u->t.transport = t->transport ? apr_pstrdup(p, t->transport) : NULL;
    u->t.headers = apr_table_make(p, 4);
    if (t->headers) {
        copy_header(u->t.headers, p, t->headers);
    }
    if (t->policy) {
        u->pol = *t->policy; /* its allow list is the server config's */
        u->t.policy = &u->pol;
    }
    if (hub_mcp_open(p, &u->t, &u->s)) {
        *why = apr_pstrdup(rp, hub_mcp_info(u->s)->error);
        destroy(u);
        return NULL;
    }
    return u;
}

/* Back to the idle list after a call, or closed when it has served
 * enough or the list is full. */
static void put_back(hub_gw_upstream_t *u)
{
    u->calls++;
    u->last = apr_time_now();
    if (u->calls < MAX_CALLS) {
        apr_thread_mutex_lock(lock);
        if (n_idle < MAX_IDLE && (!u->stdio || n_idle_stdio < MAX_IDLE_STDIO)) {
            u->next = idle;
            idle = u;
            n_idle++;
            n_idle_stdio += u->stdio;
            u = NULL;
        }
        apr_thread_mutex_unlock(lock);
    }
    if (u) {
        destroy(u);
    }
}

int hub_gw_upstream_call(apr_pool_t *rp, const hub_mcp_target_t *t,
                         const char *tool, json_t *args, json_t **result,
                         hub_mcp_probe_t *info)
{
    const char *key, *why = NULL;
    hub_gw_upstream_t *u;
    int attempt;

    *result = NULL;
    if (!lock || !keepable(t)) {
        hub_mcp_session_t *s;
        int rc = hub_mcp_open(rp, t, &s)
                 || hub_mcp_call(s, tool, json_deep_copy(args), result);
        *info = *hub_mcp_info(s);
        hub_mcp_close(s);
        if (!rc) {
            json_incref(*result); /* the caller's, as below */
        }
        return rc ? -1 : 0;
    }
    key = key_of(rp, t);
    for (attempt = 0; attempt < 2; attempt++) {
        u = attempt == 0 ? take_idle(key) : NULL;
        if (!u && !(u = open_fresh(t, key, &why, rp))) {
            memset(info, 0, sizeof(*info));
            info->error = why;
            return -1;
        }
        hub_mcp_renew(u->s);
        if (!hub_mcp_call(u->s, tool, json_deep_copy(args), result)) {
            json_incref(*result); /* it outlives the session's pool */
            put_back(u);
            return 0;
        }
        /* what the caller reads, out of the session's pool */
        *info = *hub_mcp_info(u->s);
        info->error = info->error ? apr_pstrdup(rp, info->error) : NULL;
        info->rpc_message = info->rpc_message
                                ? apr_pstrdup(rp, info->rpc_message)
                                : NULL;
        info->protocol_version = info->server_name = NULL;
        info->server_version = NULL;
        info->tools = NULL;
        /* the upstream's own error is an answer and the session is
         * fine, unless it is a kept session's 404: forgotten */
        if (info->rpc_code && !(u->calls && info->http_status == 404)) {
            put_back(u);
            return -1;
        }
        attempt += !u->calls; /* a fresh one failing: no second try */
        destroy(u);
    }
    return -1;
}

static apr_status_t idle_cleanup(void *data HUB_UNUSED)
{
    hub_gw_upstream_t *u;
    while ((u = idle)) {
        idle = u->next;
        destroy(u);
    }
    n_idle = n_idle_stdio = 0;
    lock = NULL;
    return APR_SUCCESS;
}

void hub_gw_upstreams_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pchild)
        != APR_SUCCESS) {
        lock = NULL; /* every call then opens its own session */
        return;
    }
    apr_pool_cleanup_register(pchild, NULL, idle_cleanup,
                              apr_pool_cleanup_null);
}
