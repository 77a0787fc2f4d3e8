/* The prober: every child's mod_watchdog runs a singleton callback each
 * second that claims due servers from PostgreSQL (FOR UPDATE SKIP LOCKED
 * and a lease, so hosts sharing the database probe each server once per
 * interval), probes them over MCP in parallel on a small thread pool, and
 * records each result in one statement: the probe, the server's tools, a
 * tool-change event when the set moved, the server's health.
 *
 * Health: a listing is healthy; 401/403 is `unauthorized` (reachable,
 * not authorised: not down); HubProbeThresholds consecutive failures make
 * a server degraded, then down.  uptime_24h is the share of good probes
 * (unauthorized counts as up) over the last 24 hours.
 *
 * stdio servers are probed too, by running their command (hub_stdio.h)
 * with an environment of PATH and their "env:NAME" secrets, decrypted
 * here; only while HubStdioAllow still lists the command: one the
 * operator no longer allows is not started, and the probe records why.
 *
 * POST /api/v1/servers/{slug}/probe/ asks for a probe at the next tick
 * and returns at once; the result shows in the server afterwards. */
#include <apr_strings.h>
#include <apr_thread_pool.h>
#include <apr_thread_cond.h>
#include <http_core.h>
#include <mod_watchdog.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_watchdog.h"
#include "hub_json.h"
#include "hub_mcp.h"
#include "hub_servers_gateway.h"

#define BATCH   8 /* servers claimed per tick */
#define THREADS 8 /* probes at once */
#define TICK    apr_time_from_sec(1)

const hub_stmt_t hub_servers_probe_stmts[] = {
    { "hub_srv_probe_claim",
      "UPDATE servers s SET probe_claimed_until = now()"
      "       + make_interval(secs => %s::int)"
      " WHERE s.id IN (SELECT id FROM servers"
      "   WHERE enabled AND ((mode = 'remote' AND endpoint IS NOT NULL)"
      "                      OR (mode = 'stdio' AND command IS NOT NULL))"
      "     AND (probe_requested_at IS NOT NULL OR next_probe_at <= now())"
      "     AND (probe_claimed_until IS NULL OR probe_claimed_until < now())"
      "   ORDER BY probe_requested_at NULLS LAST, next_probe_at"
      "   LIMIT %s::int FOR UPDATE SKIP LOCKED)"
      " RETURNING s.id, s.tenant_id, s.slug, s.endpoint, s.transport,"
      "           s.auth_config, s.secrets, s.mode, s.command, s.args" },
    /* one probe's whole outcome, atomically */
    { "hub_srv_probe_record",
      "WITH args AS ("
      "  SELECT %s::uuid AS sid, %s::uuid AS tid, %s::boolean AS ok,"
      "         %s::boolean AS unauth, %s::float8 AS latency,"
      "         %s::int AS http_status, %s::text AS protocol,"
      "         %s::text AS error, %s::jsonb AS tools,"
      "         %s::int AS every, %s::int AS degraded, %s::int AS down),"
      " srv AS (SELECT s.* FROM servers s, args a WHERE s.id = a.sid"
      "         AND s.tenant_id = a.tid),"
      /* a name listed twice counts once */
      " incoming AS ("
      "  SELECT DISTINCT ON (t->>'name') t->>'name' AS name, t->>'title' AS title,"
      "         t->>'description' AS description,"
      "         coalesce(t->'inputSchema', '{}') AS input_schema, t AS def"
      "    FROM args a, jsonb_array_elements(CASE WHEN a.ok THEN a.tools"
      "                                       ELSE '[]' END) t"
      "   WHERE jsonb_typeof(t->'name') = 'string'),"
      " before AS (SELECT t.name FROM tools t, args a WHERE t.server_id = a.sid),"
      " pr AS ("
      "  INSERT INTO probe_results (tenant_id, server_id, ok, unauthorized,"
      "         latency_ms, http_status, protocol_version, tool_count, error)"
      "  SELECT a.tid, a.sid, a.ok, a.unauth, a.latency, a.http_status,"
      "         a.protocol, CASE WHEN a.ok THEN (SELECT count(*) FROM incoming)"
      "         END, a.error FROM args a, srv RETURNING id),"
      " up AS ("
      "  INSERT INTO tools (tenant_id, server_id, name, title, description,"
      "                     input_schema, definition)"
      "  SELECT a.tid, a.sid, i.name, i.title, i.description, i.input_schema,"
      "         i.def FROM incoming i, args a, srv"
      "  ON CONFLICT (server_id, name) DO UPDATE SET title = EXCLUDED.title,"
      "     description = EXCLUDED.description,"
      "     input_schema = EXCLUDED.input_schema,"
      "     definition = EXCLUDED.definition, last_seen_at = now()"
      "  RETURNING name),"
      " gone AS ("
      "  DELETE FROM tools t USING args a"
      "   WHERE t.server_id = a.sid AND a.ok"
      "     AND t.name NOT IN (SELECT name FROM incoming) RETURNING t.name),"
      " added AS (SELECT name FROM incoming EXCEPT SELECT name FROM before),"
      /* a change, not the first listing: only after a good probe before */
      " ch AS ("
      "  INSERT INTO tool_changes (tenant_id, server_id, added, removed,"
      "         tool_count_before, tool_count_after)"
      "  SELECT a.tid, a.sid, ARRAY(SELECT name FROM added ORDER BY 1),"
      "         ARRAY(SELECT name FROM gone ORDER BY 1),"
      "         (SELECT count(*) FROM before), (SELECT count(*) FROM incoming)"
      "    FROM args a, srv"
      "   WHERE a.ok AND srv.last_ok_at IS NOT NULL"
      "     AND (EXISTS (SELECT 1 FROM added) OR EXISTS (SELECT 1 FROM gone))"
      "  RETURNING id),"
      " day AS ("
      "  SELECT count(*) AS n, count(*) FILTER (WHERE p.ok OR p.unauthorized)"
      "         AS good"
      "    FROM probe_results p, args a"
      "   WHERE p.server_id = a.sid AND p.at > now() - interval '24 hours')"
      " UPDATE servers s SET"
      "   consecutive_failures = CASE WHEN a.ok OR a.unauth THEN 0"
      "                          ELSE s.consecutive_failures + 1 END,"
      "   health_status = CASE WHEN a.ok THEN 'healthy'"
      "       WHEN a.unauth THEN 'unauthorized'"
      "       WHEN s.consecutive_failures + 1 >= a.down THEN 'down'"
      "       WHEN s.consecutive_failures + 1 >= a.degraded THEN 'degraded'"
      "       ELSE s.health_status END,"
      "   last_check_at = now(),"
      "   last_ok_at = CASE WHEN a.ok THEN now() ELSE s.last_ok_at END,"
      "   last_error = CASE WHEN a.ok THEN NULL ELSE a.error END,"
      "   protocol_version = coalesce(a.protocol, s.protocol_version),"
      "   tool_count = CASE WHEN a.ok THEN (SELECT count(*) FROM incoming)"
      "                ELSE s.tool_count END,"
      /* the share of good probes, or the share of the day its own
       * heartbeats cover when that is more: either is evidence of life */
      "   uptime_24h = greatest((day.good + CASE WHEN a.ok OR a.unauth"
      "                 THEN 1 ELSE 0 END)::float8 / (day.n + 1),"
      "       CASE WHEN s.last_heartbeat_at > now() - interval '24 hours'"
      "            THEN hub_heartbeat_uptime(s.id, s.heartbeat_every_s) END),"
      "   next_probe_at = now() + make_interval(secs => a.every),"
      "   probe_requested_at = NULL, probe_claimed_until = NULL"
      "  FROM args a, day"
      " WHERE s.id = a.sid AND s.tenant_id = a.tid" },
    { "hub_srv_probe_request", "UPDATE servers SET probe_requested_at = now()"
                               " WHERE tenant_id = %s::uuid AND slug = %s"
                               " RETURNING slug, mode" },
    /* heartbeat servers silent for three of their intervals go stale
     * (hub_servers_heartbeat.c, sql/011) */
    { "hub_srv_heartbeat_stale",
      "UPDATE servers SET health_status = 'stale',"
      "       uptime_24h = hub_heartbeat_uptime(id, heartbeat_every_s)"
      " WHERE mode = 'heartbeat' AND health_status <> 'stale'"
      "   AND last_heartbeat_at < now()"
      "       - hub_heartbeat_window(heartbeat_every_s)" },
    /* a named secret (hub_servers_secrets.c) a credential refers to */
    { "hub_srv_probe_secret",
      "SELECT value FROM secrets WHERE tenant_id = %s::uuid AND name = %s" },
    { NULL, NULL }
};

#define ST_CLAIM   (&hub_servers_probe_stmts[0])
#define ST_RECORD  (&hub_servers_probe_stmts[1])
#define ST_REQUEST (&hub_servers_probe_stmts[2])
#define ST_STALE   (&hub_servers_probe_stmts[3])
#define ST_SECRET  (&hub_servers_probe_stmts[4])

/* ---- one probe ------------------------------------------------------- */

typedef struct job {
    apr_pool_t *p;
    server_rec *s;
    const char *id, *tenant, *slug;
    hub_mcp_target_t target;
    hub_mcp_probe_t result;
    const char *skip; /* why it was not probed (no key, ...) */
} job_t;

/* The prefix Caylex keeps beside a header's name ("Bearer "). */
static const char *header_prefix(json_t *auth, const char *name)
{
    json_t *h;
    size_t i;
    json_array_foreach(json_object_get(auth, "headers"), i, h) {
        const char *n = json_string_value(json_object_get(h, "header_name"));
        if (n && !strcasecmp(n, name)) {
            const char *pre = json_string_value(
                json_object_get(h, "header_value_prefix"));
            return pre ? pre : "";
        }
    }
    return "";
}

#define SECRET_REF "${secret:"

/* plain with every ${secret:NAME} replaced by the value of the tenant's
 * secret NAME (Tool Hub's /api/secrets), decrypted with the same key;
 * NULL with *why when one is missing or does not decrypt.  The database
 * is asked only when there is a reference. */
static const char *resolve_refs(apr_pool_t *p, server_rec *s,
                                const hub_secret_key_t *key, const char *tenant,
                                const char *plain, const char **why)
{
    const char *out = "", *at, *end, *args[2];
    ap_dbd_t *dbd = NULL;
    hub_rows_t *rows;

    *why = NULL;
    while ((at = strstr(plain, SECRET_REF))
           && (end = strchr(at + sizeof(SECRET_REF) - 1, '}'))) {
        const char *sealed = NULL, *value = NULL;
        int looked = 0;
        args[0] = tenant;
        args[1] = apr_pstrmemdup(p, at + sizeof(SECRET_REF) - 1,
                                 end - at - (sizeof(SECRET_REF) - 1));
        if ((dbd || (dbd = hub_db_open(p, s)))
            && hub_db_select_on(p, s, dbd, ST_SECRET, &rows, 2, args)
                   == HUB_DB_OK) {
            looked = 1;
            sealed = hub_rows_get(rows, 0, "value");
            value = sealed ? hub_secret_decrypt(p, key, tenant, sealed, NULL)
                           : NULL;
        }
        if (!value) {
            *why = apr_psprintf(p,
                                "an upstream credential refers to the "
                                "secret '%s', which %s",
                                args[1],
                                !looked  ? "cannot be read now (database)"
                                : sealed ? "does not decrypt with this "
                                           "HubSecretKeyFile"
                                         : "does not exist");
            break;
        }
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, plain, at - plain), value,
                          NULL);
        plain = end + 1;
    }
    hub_db_close(s, dbd);
    return *why ? NULL : apr_pstrcat(p, out, plain, NULL);
}

/* One stored secret in plain text, its references resolved: NULL and
 * *plain set, or why not (UNSET when no key is configured, BAD when the
 * value does not decrypt with it). */
static const char *open_secret(apr_pool_t *p, server_rec *s,
                               const hub_servers_srv_t *c, const char *tenant,
                               json_t *v, const char *unset, const char *bad,
                               const char **plain)
{
    const char *why = NULL;
    if (!c->secret_key) {
        return unset;
    }
    *plain = hub_secret_decrypt(p, c->secret_key, tenant, json_string_value(v),
                                NULL);
    if (!*plain) {
        return bad;
    }
    if (strstr(*plain, SECRET_REF)) {
        *plain = resolve_refs(p, s, c->secret_key, tenant, *plain, &why);
    }
    return *plain ? NULL : why;
}

/* A sealed value of the tenant's in plain text, its ${secret:NAME}
 * references resolved (custom tools' header values,
 * hub_servers_tool_handler.c): NULL and *plain set, or why not. */
const char *hub_servers_unseal(apr_pool_t *p, server_rec *s, const char *tenant,
                               json_t *sealed, const char **plain)
{
    return open_secret(p, s, hub_servers_srv(s), tenant, sealed,
                       "a stored credential needs HubSecretKeyFile, which is "
                       "not set",
                       "a stored credential does not decrypt with this "
                       "HubSecretKeyFile",
                       plain);
}

/* Where the server is reached and with what credentials: header secrets
 * become headers, query secrets query parameters, path secrets replace
 * {name} in the endpoint, GoClaw's api_key a bearer token.  Decrypted
 * here, in p, and never logged.  Shared with the live health check
 * (hub_servers_tools.c) through hub_servers_private.h. */
const char *hub_servers_mcp_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const char *endpoint,
    const char *transport, const char *auth_text, const char *secrets_text,
    hub_mcp_target_t *target)
{
    const hub_servers_srv_t *c = hub_servers_srv(s);
    json_t *auth = hub_json_own(p, json_loads(auth_text ? auth_text : "{}", 0,
                                              NULL));
    json_t *secrets =
        hub_json_own(p,
                     json_loads(secrets_text ? secrets_text : "{}", 0, NULL));
    const char *name, *url = endpoint;
    json_t *v;

    target->headers = apr_table_make(p, 4);
    target->transport = transport && !strcmp(transport, "sse") ? "sse" : NULL;
    json_object_foreach(secrets, name, v) {
        const char *plain, *why;
        if ((why = open_secret(p, s, c, tenant, v,
                               "upstream credentials are stored but "
                               "HubSecretKeyFile is not set",
                               "an upstream credential does not decrypt "
                               "with this HubSecretKeyFile",
                               &plain))) {
            return why;
        }
        if (!strncmp(name, "header:", 7)) {
            apr_table_set(target->headers, name + 7,
                          apr_pstrcat(p, header_prefix(auth, name + 7), plain,
                                      NULL));
        }
        else if (!strcmp(name, "api_key")) {
            apr_table_set(target->headers, "Authorization",
                          apr_pstrcat(p, "Bearer ", plain, NULL));
        }
        else if (!strncmp(name, "query:", 6)) {
            url = apr_pstrcat(p, url, strchr(url, '?') ? "&" : "?",
                              ap_escape_urlencoded(p, name + 6), "=",
                              ap_escape_urlencoded(p, plain), NULL);
        }
        else if (!strncmp(name, "path:", 5)) {
            const char *mark = apr_pstrcat(p, "{", name + 5, "}", NULL);
            const char *at = strstr(url, mark);
            if (at) {
                url = apr_pstrcat(p, apr_pstrmemdup(p, url, at - url),
                                  ap_escape_path_segment(p, plain),
                                  at + strlen(mark), NULL);
            }
        }
    }
    target->url = url;
    return NULL;
}

/* A stdio server's command line and environment: argv from command and
 * the args array, env from its "env:NAME" secrets (decrypted, ${secret:}
 * references resolved).  NULL, or why it is not started. */
const char *hub_servers_stdio_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const char *command,
    const char *args_text, const char *secrets_text, hub_mcp_target_t *target)
{
    const hub_servers_srv_t *c = hub_servers_srv(s);
    json_t *args = hub_json_own(p, json_loads(args_text ? args_text : "[]", 0,
                                              NULL));
    json_t *secrets =
        hub_json_own(p,
                     json_loads(secrets_text ? secrets_text : "{}", 0, NULL));
    apr_array_header_t *argv = apr_array_make(p, 8, sizeof(const char *));
    apr_array_header_t *env = apr_array_make(p, 8, sizeof(const char *));
    const char *name;
    json_t *v;
    size_t i;

    if (!command || !hub_servers_stdio_allowed_s(s, command)) {
        return apr_psprintf(p,
                            "not started: the command '%s' is not "
                            "allowed by HubStdioAllow (any more)",
                            command ? command : "");
    }
    APR_ARRAY_PUSH(argv, const char *) = command;
    json_array_foreach(args, i, v) {
        if (!json_is_string(v)) {
            return "not started: an argument is not a string";
        }
        APR_ARRAY_PUSH(argv,
                       const char *) = apr_pstrdup(p, json_string_value(v));
    }
    APR_ARRAY_PUSH(argv, const char *) = NULL;
    json_object_foreach(secrets, name, v) {
        const char *plain, *why;
        if (strncmp(name, "env:", 4) || !name[4]) {
            continue;
        }
        if ((why = open_secret(p, s, c, tenant, v,
                               "the server's environment is stored but "
                               "HubSecretKeyFile is not set",
                               "the server's environment does not decrypt "
                               "with this HubSecretKeyFile",
                               &plain))) {
            return why;
        }
        if (!strcmp(name + 4, "PATH")) {
            continue; /* PATH is the hub's */
        }
        APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(p, name + 4, "=", plain,
                                                        NULL);
    }
    APR_ARRAY_PUSH(env, const char *) = NULL;
    target->transport = "stdio";
    target->url = "stdio";
    target->headers = NULL;
    target->argv = (const char *const *)argv->elts;
    target->env = (const char *const *)env->elts;
    return NULL;
}

const char *hub_servers_row_target(
    apr_pool_t *p, server_rec *s, const char *tenant, const hub_rows_t *rows,
    int i, long timeout_ms, hub_mcp_target_t *target)
{
    const hub_servers_srv_t *c = hub_servers_srv(s);
    hub_http_policy_t *pol = apr_pcalloc(p, sizeof(*pol));
    const char *mode = hub_rows_get(rows, i, "mode");

    memset(target, 0, sizeof(*target));
    pol->timeout_ms = timeout_ms;
    pol->connect_timeout_ms = timeout_ms < 5000 ? timeout_ms : 5000;
    pol->allow = c->outbound_allow;
    target->policy = pol;
    if (mode && !strcmp(mode, "stdio")) {
        return hub_servers_stdio_target(p, s, tenant,
                                        hub_rows_get(rows, i, "command"),
                                        hub_rows_get(rows, i, "args"),
                                        hub_rows_get(rows, i, "secrets"),
                                        target);
    }
    if (!mode || strcmp(mode, "remote") || !hub_rows_get(rows, i, "endpoint")) {
        return "this server reports through heartbeats: the hub has "
               "nothing to call";
    }
    return hub_servers_mcp_target(p, s, tenant,
                                  hub_rows_get(rows, i, "endpoint"),
                                  hub_rows_get(rows, i, "transport"),
                                  hub_rows_get(rows, i, "auth_config"),
                                  hub_rows_get(rows, i, "secrets"), target);
}

static void *APR_THREAD_FUNC run_job(apr_thread_t *t HUB_UNUSED, void *data)
{
    job_t *j = data;
    if (!j->skip) {
        hub_mcp_probe(j->p, &j->target, &j->result);
    }
    return NULL;
}

static void record(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, job_t *j)
{
    const hub_servers_srv_t *c = hub_servers_srv(s);
    const hub_mcp_probe_t *r = &j->result;
    const char *args[12];
    args[0] = j->id;
    args[1] = j->tenant;
    args[2] = r->ok ? "true" : "false";
    args[3] = r->unauthorized ? "true" : "false";
    args[4] = apr_psprintf(p, "%.3f", r->latency_ms);
    args[5] = r->http_status ? apr_ltoa(p, r->http_status) : NULL;
    args[6] = r->protocol_version;
    args[7] = j->skip    ? j->skip
              : r->ok    ? NULL
              : r->error ? r->error
                         : "probe failed";
    args[8] = r->ok && r->tools ? hub_json_text(p, r->tools) : "[]";
    args[9] = apr_itoa(p, hub_servers_probe_interval(c));
    args[10] = apr_itoa(p, hub_servers_degraded_after(c));
    args[11] = apr_itoa(p, hub_servers_down_after(c));
    if (hub_db_exec_on(p, s, dbd, ST_RECORD, NULL, 12, args) != HUB_DB_OK) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00310: cannot "
                     "record the probe of server %s",
                     j->id);
    }
}

/* ---- a tick ---------------------------------------------------------- */

static apr_thread_pool_t *workers;
static apr_time_t forgot_at; /* of the prober's thread only */

/* Claim a batch, probe it in parallel, record every result. */
/* Returns how many servers it claimed (0 with nothing due or no
 * database). */
static int probe_due(apr_pool_t *p, server_rec *s, int first)
{
    const hub_servers_srv_t *c = hub_servers_srv(s);
    hub_http_policy_t *pol = apr_pcalloc(p, sizeof(*pol));
    const char *args[2];
    hub_rows_t *rows;
    job_t *jobs;
    ap_dbd_t *dbd = hub_db_open(p, s);
    int i, n;

    if (!dbd) {
        return 0; /* the database is away: next tick */
    }
    if (first) {
        hub_db_exec_on(p, s, dbd, ST_STALE, NULL, 0, NULL);
        /* the rate-limit counts of minutes gone, hourly (the call
         * records' partitions are mod_hub_analytics') */
        if (apr_time_now() - forgot_at > apr_time_from_sec(3600)) {
            hub_gw_guard_forget(p, s, dbd);
            forgot_at = apr_time_now();
        }
    }
    /* a lease well past the longest probe: a host that dies mid-probe
     * gives its servers back when it ends */
    args[0] = apr_itoa(p, 2 * hub_servers_probe_timeout(c) + 30);
    args[1] = apr_itoa(p, BATCH);
    if (hub_db_select_on(p, s, dbd, ST_CLAIM, &rows, 2, args) != HUB_DB_OK
        || !(n = rows->rows->nelts)) {
        hub_db_close(s, dbd);
        return 0;
    }
    jobs = apr_pcalloc(p, sizeof(job_t) * n);
    for (i = 0; i < n; i++) {
        job_t *j = &jobs[i];
        apr_pool_create(&j->p, p);
        j->s = s;
        j->id = hub_rows_get(rows, i, "id");
        j->tenant = hub_rows_get(rows, i, "tenant_id");
        j->slug = hub_rows_get(rows, i, "slug");
        j->skip = hub_servers_row_target(j->p, s, j->tenant, rows, i,
                                         1000L * hub_servers_probe_timeout(c),
                                         &j->target);
        if (!workers
            || apr_thread_pool_push(workers, run_job, j,
                                    APR_THREAD_TASK_PRIORITY_NORMAL, jobs)
                   != APR_SUCCESS) {
            run_job(NULL, j);
        }
    }
    /* the batch is this tick's: wait for it, then write it down */
    while (workers
           && apr_thread_pool_tasks_count(workers)
                      + apr_thread_pool_busy_count(workers)
                  > 0) {
        apr_sleep(apr_time_from_msec(20));
    }
    for (i = 0; i < n; i++) {
        record(jobs[i].p, s, dbd, &jobs[i]);
    }
    hub_db_close(s, dbd);
    return n;
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    server_rec *s = data;
    apr_pool_t *p;
    switch (state) {
    case AP_WATCHDOG_STATE_STARTING:
        if (apr_thread_pool_create(&workers, 0, THREADS, pool) != APR_SUCCESS) {
            workers = NULL; /* probes then run one after another */
        }
        break;
    case AP_WATCHDOG_STATE_RUNNING: {
        /* batch after batch while full ones keep coming, for most of a
         * second: 100 due servers take a second or two, not 13 ticks */
        apr_time_t until = apr_time_now() + apr_time_from_msec(900);
        int n, first = 1;
        do {
            apr_pool_create(&p, pool);
            n = probe_due(p, s, first);
            apr_pool_destroy(p);
            first = 0;
        } while (n == BATCH && apr_time_now() < until);
        break;
    }
    case AP_WATCHDOG_STATE_STOPPING:
        /* not destroyed here: the thread pool lives in the watchdog's
         * pool, whose cleanup joins its threads; by now that may already
         * have run (destroying it again crashed the child at exit) */
        workers = NULL;
        break;
    default: break;
    }
    return APR_SUCCESS;
}

int hub_servers_prober_init(apr_pool_t *pconf, server_rec *s)
{
    /* a singleton in the children: one prober per host, the database
     * shares the work between hosts */
    apr_status_t rv = hub_watchdog(pconf, s, "hub-prober", 1, TICK, tick);
    if (rv == APR_ENOTIMPL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "HUB00311: mod_watchdog "
                     "is required for probing");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "HUB00312: cannot set "
                     "up the prober's watchdog");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* ---- POST /api/v1/servers/{slug}/probe/ ------------------------------ */

/* Write access is the route's .need; the probe itself runs on the next
 * tick of the prober, so the answer says it is queued. */
static int trigger_probe(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hr->who->tenant_id, hub_param(hr, "slug") };
    hub_rows_t *rows;
    hub_db_status_e st;

    st = hub_db_select(hr->r, ST_REQUEST, &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
    }
    if (!strcmp(hub_rows_get(rows, 0, "mode"), "heartbeat")) {
        return hub_ok(
            res, json_pack("{s:s,s:s,s:s}", "server_slug", args[1], "status",
                           "skipped", "message",
                           "only servers with an endpoint or a command are "
                           "probed; this one reports through heartbeats"));
    }
    return hub_ok(res,
                  json_pack("{s:s,s:s,s:s}", "server_slug", args[1], "status",
                            "queued", "message",
                            "probe scheduled; its result shows in the server's "
                            "health_status within seconds"));
}

/* trigger_probe: queued, or skipped for a heartbeat server */
#define PROBE_OUT \
    HUB_DOC("ProbeResultOut", \
            OBJ("\"server_slug\":" STR ",\"status\":" ENUM( \
                    "\"queued\",\"skipped\"") ",\"message\":" STR, \
                "\"server_slug\",\"status\",\"message\""))

const hub_route_t hub_servers_probe_routes[] = {
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/servers/{slug}/probe/", trigger_probe,
      NULL, HUB_IN_APIKEY | HUB_IN_SESSION, 0, "Trigger Probe",
      .need = HUB_NEED_WRITE, .doc = PROBE_OUT },
    { 0 }
};
