/* hub_watchdog.h */
#include <http_core.h>
#include "hub_watchdog.h"

apr_status_t hub_watchdog(apr_pool_t *pconf, server_rec *s, const char *name,
                          int singleton, apr_interval_time_t every,
                          ap_watchdog_callback_fn_t *fn)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance;
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback;
    ap_watchdog_t *wd;
    apr_status_t rv;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return APR_SUCCESS; /* the dry run: nothing runs after it */
    }
    get_instance = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    register_callback = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (!get_instance || !register_callback) {
        return APR_ENOTIMPL;
    }
    rv = get_instance(&wd, name, 0, singleton, pconf);
    return rv == APR_SUCCESS ? register_callback(wd, every, s, fn) : rv;
}

int hub_watchdog_due(int state, apr_time_t *last, apr_interval_time_t every)
{
    apr_time_t now = apr_time_now();
    if (state != AP_WATCHDOG_STATE_RUNNING || (*last && now - *last < every)) {
        return 0;
    }
    *last = now;
    return 1;
}
