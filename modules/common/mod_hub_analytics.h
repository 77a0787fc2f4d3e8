/* What mod_hub_analytics offers the other hub modules: optional
 * functions (STYLE.md, habit 6), as mod_hub_auth.h does for mod_hub_auth
 * and mod_status.h for mod_status, so no module links against another
 * and a hub without mod_hub_analytics loaded just counts nothing.
 *
 * mod_hub_analytics owns the shared-memory block of the hub's counters
 * (hub_metrics.h); the others report to it rather than writing the block
 * themselves, so its layout stays one module's business. */
#ifndef MOD_HUB_ANALYTICS_H
#define MOD_HUB_ANALYTICS_H

#include <apr.h>
#include <apr_optional.h>
#include <apr_time.h>

/* One MCP gateway request, as its call record has it: its method, its
 * error type (NULL when it succeeded), the time it spent in the hub and
 * upstream (< 0: no upstream was called).  Lock-free; any thread. */
APR_DECLARE_OPTIONAL_FN(void, hub_analytics_count_call,
                        (const char *method, const char *error_type,
                         apr_interval_time_t gateway,
                         apr_interval_time_t upstream));

/* The call recorder's buffer (mod_hub_servers): `buffered` records in
 * (negative: taken out), `written` written to mcp_calls, `dropped`
 * lost. */
APR_DECLARE_OPTIONAL_FN(void, hub_analytics_count_recorder,
                        (apr_int64_t buffered, apr_uint64_t written,
                         apr_uint64_t dropped));

#endif
