/* The identity cache: credential -> principal, shared by every child of
 * this httpd through a socache (shmcb), so a hot API key or token costs a
 * database round trip once per HubAuthCacheTTL seconds, not per request.
 *
 * Entries are keyed by the SHA-256 of the credential (for an API key that
 * is its stored key_hash) and live at most HubAuthCacheTTL seconds, never
 * past the credential's own expiry: a key revoked or expired elsewhere
 * (another host, the database by hand) is refused within that time.  What
 * this host revokes itself (a key, a session, a logout's token) is removed
 * at once. */
#include <apr_strings.h>
#include <ap_socache.h>
#include <ap_provider.h>
#include <util_mutex.h>
#include "hub_auth_private.h"

#define MUTEX_TYPE "hub-auth-cache"

static ap_socache_provider_t *provider;
static ap_socache_instance_t *instance;
static apr_global_mutex_t *mutex;

int hub_auth_cache_pre_config(apr_pool_t *pconf)
{
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0)
                   == APR_SUCCESS
               ? OK
               : HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t cache_destroy(void *data)
{
    if (provider && instance) {
        provider->destroy(instance, data);
    }
    provider = NULL;
    instance = NULL;
    return APR_SUCCESS;
}

int hub_auth_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s)
{
    static const struct ap_socache_hints hints = { 66, 300, 60 };
    const hub_auth_srv_t *c = hub_auth_srv(s);
    const char *err;
    apr_status_t rv;

    provider = NULL;
    instance = NULL;
    if (hub_auth_cache_ttl(c) <= 0) {
        return OK;
    }
    provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, "shmcb",
                                  AP_SOCACHE_PROVIDER_VERSION);
    if (!provider) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00120: no identity "
                     "cache: load mod_socache_shmcb (or set HubAuthCacheTTL "
                     "0 to say so)");
        return OK;
    }
    err = provider->create(&instance, NULL, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     "HUB00121: identity "
                     "cache: %s",
                     err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = ap_global_mutex_create(&mutex, NULL, MUTEX_TYPE, NULL, s, pconf, 0);
    if (rv == APR_SUCCESS) {
        rv = provider->init(instance, "hub-auth", &hints, s, pconf);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s,
                     "HUB00122: cannot set "
                     "up the identity cache");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, s, cache_destroy, apr_pool_cleanup_null);
    return OK;
}

void hub_auth_cache_child_init(apr_pool_t *p, server_rec *s)
{
    if (instance && mutex) {
        apr_status_t rv =
            apr_global_mutex_child_init(&mutex,
                                        apr_global_mutex_lockfile(mutex), p);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                         "HUB00123: identity "
                         "cache mutex; the cache is off in this child");
            instance = NULL;
        }
    }
}

static int lock(void)
{
    return !(provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE)
           || apr_global_mutex_lock(mutex) == APR_SUCCESS;
}

static void unlock(void)
{
    if (provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        apr_global_mutex_unlock(mutex);
    }
}

/* A principal as text: fields separated by tabs, none contains one. */
static const char *field(const char *s)
{
    return s ? s : "";
}

static const char *nul(apr_pool_t *p, const char *s)
{
    return *s ? apr_pstrdup(p, s) : NULL;
}

const hub_principal_t *hub_auth_cache_get(request_rec *r, const char *key)
{
    unsigned char buf[1024];
    unsigned int len = sizeof(buf) - 1;
    hub_principal_t *who;
    char *f[12], *last;
    apr_status_t rv;
    int n = 0;

    if (!instance || !lock()) {
        return NULL;
    }
    rv = provider->retrieve(instance, r->server, (const unsigned char *)key,
                            (unsigned int)strlen(key), buf, &len, r->pool);
    unlock();
    if (rv != APR_SUCCESS) {
        return NULL;
    }
    buf[len] = '\0';
    for (f[n] = apr_strtok((char *)buf, "\t", &last); f[n] && n < 11;
         f[++n] = apr_strtok(NULL, "\t", &last)) {
    }
    if (n != 11) {
        return NULL;
    }
    who = apr_pcalloc(r->pool, sizeof(*who));
    who->via = (unsigned)atoi(f[0]);
    who->tenant_id = nul(r->pool, f[1] + 1);
    who->tenant_slug = nul(r->pool, f[2] + 1);
    who->user_id = nul(r->pool, f[3] + 1);
    who->email = nul(r->pool, f[4] + 1);
    who->role = nul(r->pool, f[5] + 1);
    who->scopes = (unsigned)atoi(f[6]);
    who->superuser = atoi(f[7]);
    who->key_id = nul(r->pool, f[8] + 1);
    who->name = nul(r->pool, f[9] + 1);
    who->server_id = nul(r->pool, f[10] + 1);
    return who;
}

void hub_auth_cache_put(request_rec *r, const char *key,
                        const hub_principal_t *who, apr_time_t not_after)
{
    const hub_auth_srv_t *c = hub_auth_srv(r->server);
    apr_time_t expiry = apr_time_now()
                        + apr_time_from_sec(hub_auth_cache_ttl(c));
    /* each text field gets a one-character lead, so empty ones survive
     * apr_strtok, which skips empty tokens */
    char *text = apr_psprintf(
        r->pool, "%u\t.%s\t.%s\t.%s\t.%s\t.%s\t%u\t%d\t.%s\t.%s\t.%s", who->via,
        field(who->tenant_id), field(who->tenant_slug), field(who->user_id),
        field(who->email), field(who->role), who->scopes, who->superuser,
        field(who->key_id), field(who->name), field(who->server_id));
    if (!instance || who->unavailable || strlen(text) > 1000
        || strchr(field(who->name), '\t')) {
        return;
    }
    if (not_after && not_after < expiry) {
        expiry = not_after;
    }
    if (expiry <= apr_time_now() || !lock()) {
        return;
    }
    provider->store(instance, r->server, (const unsigned char *)key,
                    (unsigned int)strlen(key), expiry, (unsigned char *)text,
                    (unsigned int)strlen(text), r->pool);
    unlock();
}

void hub_auth_cache_forget(request_rec *r, const char *key)
{
    if (instance && lock()) {
        provider->remove(instance, r->server, (const unsigned char *)key,
                         (unsigned int)strlen(key), r->pool);
        unlock();
    }
}
