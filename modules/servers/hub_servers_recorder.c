/* The gateway's call records (mcp_calls, sql/023), written without
 * making any call wait for them: a request appends its record to this
 * child's buffer and goes on; the child's own mod_watchdog thread (not a
 * singleton: every child flushes what it holds) writes the buffer each
 * second in batches of up to BATCH rows, one statement per batch
 * (jsonb_to_recordset over one parameter).  When the child ends (a stop,
 * graceful or not, a restart, MaxConnectionsPerChild), the watchdog's last
 * callback and the child pool's cleanup write what is left: nothing is
 * lost unless the process is killed outright.
 *
 * While the database is away the records wait in the buffer, up to
 * MAX_PENDING; past that the oldest are dropped and the log says how many
 * (a hub that cannot write must not grow without end).  A batch the
 * database refuses for what it holds (not for being away) is dropped and
 * logged, not retried for ever.  Records of a tenant deleted meanwhile
 * are skipped by the statement.
 *
 * Commits: a batch's statement is its own transaction, and it sets
 * synchronous_commit off for that transaction only (set_config(...,
 * true)): the commit does not wait for its WAL to reach the disk.  On a
 * PostgreSQL crash the batches of the last moment (up to three times
 * wal_writer_delay, 0.6 s by default) can be lost, their raw rows and
 * their rollups together (the rollups' pending rows are written in the
 * same transaction, sql/033), never one without the other; on a clean
 * stop or an httpd crash nothing is.  What it buys: the flush does not
 * wait for a disk flush per batch (each would be a few milliseconds on a
 * slow disk, at 50 batches a second).  No call waits for a record either
 * way. */
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <http_core.h>
#include <mod_watchdog.h>
#include "hub_servers_private.h"
#include "hub_watchdog.h"
#include "hub_json.h"
#include "mod_hub_analytics.h"

#define BATCH       1000
#define MAX_PENDING 100000
#define TICK        apr_time_from_sec(1)

/* clang-format off */
const hub_stmt_t hub_servers_recorder_stmts[] = {
    { "hub_gw_calls_insert",
      "INSERT INTO mcp_calls (at, tenant_id, navigator_instance_id,"
      "       project_id, method, tool_name, server_id, server_instance_id,"
      "       tool_id, key_id, user_id, session_hash, protocol_version,"
      "       gateway_ms, upstream_ms, ok, error_type, error, request_bytes,"
      "       response_bytes, query_id, query)"
      " SELECT to_timestamp(x.at_us / 1e6), x.tenant_id,"
      "        x.navigator_instance_id, x.project_id, x.method, x.tool_name,"
      "        x.server_id, x.server_instance_id, x.tool_id, x.key_id,"
      "        x.user_id, x.session_hash, x.protocol_version, x.gateway_ms,"
      "        x.upstream_ms, x.ok, x.error_type, x.error, x.request_bytes,"
      "        x.response_bytes, x.query_id, x.query"
      "   FROM jsonb_to_recordset(%s::jsonb) AS x(at_us bigint,"
      "        tenant_id uuid, navigator_instance_id uuid, project_id uuid,"
      "        method text, tool_name text, server_id uuid,"
      "        server_instance_id uuid, tool_id uuid, key_id uuid,"
      "        user_id uuid, session_hash text, protocol_version text,"
      "        gateway_ms real, upstream_ms real, ok boolean,"
      "        error_type text, error text, request_bytes integer,"
      "        response_bytes integer, query_id uuid, query text)"
      "  WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = x.tenant_id)"
      /* see "Commits" above */
      "    AND (SELECT set_config('synchronous_commit', 'off', true))"
      "        IS NOT NULL" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_INSERT (&hub_servers_recorder_stmts[0])

/* this child's buffer */
static apr_thread_mutex_t *lock;
static json_t *pending; /* array of records, owned here */
static apr_size_t dropped;

/* mod_hub_analytics' counters (NULL when it is not loaded): each request
 * recorded, and every move of this buffer, so that /metrics shows what
 * all children hold, wrote and lost */
static APR_OPTIONAL_FN_TYPE(hub_analytics_count_call) *count_call;
static APR_OPTIONAL_FN_TYPE(hub_analytics_count_recorder) *count_moved;

static void moved(apr_int64_t buffered, apr_size_t written, apr_size_t lost)
{
    if (count_moved) {
        count_moved(buffered, written, lost);
    }
}

/* A record counted as it is made: its method, outcome and timings. */
static void count(const json_t *rec)
{
    json_t *up = json_object_get(rec, "upstream_ms");
    if (!count_call || !rec) {
        return;
    }
    count_call(json_string_value(json_object_get(rec, "method")),
               json_string_value(json_object_get(rec, "error_type")),
               (apr_interval_time_t)(json_number_value(
                                         json_object_get(rec, "gateway_ms"))
                                     * 1000.0),
               json_is_number(up)
                   ? (apr_interval_time_t)(json_number_value(up) * 1000.0)
                   : -1);
}

void hub_servers_record(json_t *rec)
{
    count(rec);
    if (!lock || !rec) {
        moved(0, 0, rec ? 1 : 0);
        json_decref(rec);
        return;
    }
    apr_thread_mutex_lock(lock);
    if (!pending) {
        moved(0, 0, 1); /* the child has ended its buffer */
    }
    else if (json_array_size(pending) >= MAX_PENDING) {
        json_array_remove(pending, 0);
        dropped++;
        moved(0, 0, 1);
    }
    else {
        moved(1, 0, 0);
    }
    json_array_append_new(pending, rec);
    apr_thread_mutex_unlock(lock);
}

/* Everything buffered, taken out (NULL when nothing is). */
static json_t *take(apr_size_t *lost)
{
    json_t *all = NULL;
    apr_thread_mutex_lock(lock);
    if (json_array_size(pending)) {
        all = pending;
        pending = json_array();
        moved(-(apr_int64_t)json_array_size(all), 0, 0);
    }
    *lost = dropped;
    dropped = 0;
    apr_thread_mutex_unlock(lock);
    return all;
}

/* Put back what could not be written, before what came since. */
static void give_back(json_t *rest)
{
    apr_thread_mutex_lock(lock);
    moved((apr_int64_t)json_array_size(rest), 0, 0);
    json_array_extend(rest, pending);
    json_decref(pending);
    pending = rest;
    while (json_array_size(pending) > MAX_PENDING) {
        json_array_remove(pending, 0);
        dropped++;
        moved(-1, 0, 1);
    }
    apr_thread_mutex_unlock(lock);
}

static void flush(apr_pool_t *p, server_rec *s)
{
    apr_size_t lost, i, n;
    json_t *all = take(&lost), *batch;
    ap_dbd_t *dbd;
    const char *arg;
    hub_db_status_e st;

    if (lost) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "HUB00591: %" APR_SIZE_T_FMT " call records dropped: "
                     "the database could not take them in time",
                     lost);
    }
    if (!all) {
        return;
    }
    if (!(dbd = hub_db_open(p, s))) {
        give_back(all);
        return;
    }
    n = json_array_size(all);
    for (i = 0; i < n; i += BATCH) {
        apr_size_t j, end = i + BATCH < n ? i + BATCH : n;
        batch = json_array();
        for (j = i; j < end; j++) {
            json_array_append(batch, json_array_get(all, j));
        }
        arg = hub_json_text(p, batch);
        json_decref(batch);
        st = arg ? hub_db_exec_on(p, s, dbd, ST_INSERT, NULL, 1, &arg)
                 : HUB_DB_ERROR;
        if (st == HUB_DB_UNAVAILABLE) {
            json_t *rest = json_array();
            for (j = i; j < n; j++) {
                json_array_append(rest, json_array_get(all, j));
            }
            give_back(rest);
            break;
        }
        if (st == HUB_DB_OK) {
            moved(0, end - i, 0);
        }
        else {
            moved(0, 0, end - i);
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                         "HUB00592: %" APR_SIZE_T_FMT " call records could "
                         "not be written and are dropped",
                         end - i);
        }
    }
    json_decref(all);
    hub_db_close(s, dbd);
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    server_rec *s = data;
    if (state != AP_WATCHDOG_STATE_STARTING && lock) {
        flush(pool, s);
    }
    return APR_SUCCESS;
}

/* The child's end: what the watchdog did not write yet is written now,
 * while mod_dbd's connections still exist: a pre-cleanup of the child
 * pool, which runs before its sub-pools (mod_dbd's among them) are
 * destroyed, and before hub_db.c's fence (registered earlier, so run
 * later) shuts the watchdog off.
 * The buffer and its lock are the process's: a watchdog thread still
 * running finds them as they were. */
static apr_status_t buffer_cleanup(void *data)
{
    apr_pool_t *p;
    if (apr_pool_create(&p, NULL) == APR_SUCCESS) {
        flush(p, data);
        apr_pool_destroy(p);
    }
    /* the buffer goes with the child (a record after this is dropped:
     * jansson refuses to append to NULL and frees it) */
    apr_thread_mutex_lock(lock);
    moved(-(apr_int64_t)json_array_size(pending), 0, json_array_size(pending));
    json_decref(pending);
    pending = NULL;
    apr_thread_mutex_unlock(lock);
    return APR_SUCCESS;
}

void hub_servers_recorder_child_init(apr_pool_t *pchild, server_rec *s)
{
    count_call = APR_RETRIEVE_OPTIONAL_FN(hub_analytics_count_call);
    count_moved = APR_RETRIEVE_OPTIONAL_FN(hub_analytics_count_recorder);
    if (apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT,
                                s->process->pool)
        != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     "HUB00594: no lock for the call records: none will be "
                     "kept in this child");
        lock = NULL;
        return;
    }
    pending = json_array();
    apr_pool_pre_cleanup_register(pchild, s, buffer_cleanup);
}

int hub_servers_recorder_init(apr_pool_t *pconf, server_rec *s)
{
    /* not a singleton: each child writes its own buffer */
    apr_status_t rv = hub_watchdog(pconf, s, "hub-recorder", 0, TICK, tick);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "HUB00590: cannot set up the call recorder's watchdog "
                     "(mod_watchdog is required)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
