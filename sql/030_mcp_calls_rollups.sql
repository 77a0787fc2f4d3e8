-- 030: rollups of the gateway's tool calls (mcp_calls, sql/023) per
-- minute, hour and day, for mod_hub_analytics' windows and graphs.
--
-- What a rollup row holds: the tools/call requests of one bucket and one
-- combination of what the analytics endpoints filter and group by
-- (project, navigator instance, server instance and server, tool name,
-- query or call): their count, their errors in all and by type (isError
-- results are 'execution' errors, as in mcp_calls), the sum, min and max
-- of the whole request's time (gateway_ms: Caylex's "latency") and of the
-- upstream's part (upstream_ms: its "runtime", over the calls that reached
-- an upstream), a latency histogram for percentiles, and the last call.
-- Streams (GET, subscriptions/listen) and the other methods are not
-- rolled up: they are not tool calls.
--
-- How they stay current: a statement trigger on mcp_calls adds each
-- inserted batch (the recorder writes batches of up to 1000 rows) to all
-- three tables in the same transaction, so a rollup is never behind the
-- raw rows, rows that arrive late land in their own bucket, and whatever
-- inserts into mcp_calls (the recorder, a test, the benchmark's loader)
-- keeps them right.  Two batches touching the same rollup rows take their
-- row locks in the same order (the groups are sorted), so concurrent
-- children wait for each other but cannot deadlock.  Rows leave a rollup
-- only by retention (hub_mcp_rollups_prune), never when their raw rows
-- are dropped: rollups outlive raw rows, that is their point.
--
-- The histogram: element k (1-based) of lat_hist counts requests of
-- gateway_ms in [2^((k-2)/4), 2^((k-1)/4)) ms; element 1 those under 1 ms
-- and element 65 those of 2^(63/4) ms (55 s) and more.  Four buckets per
-- doubling put a percentile read from it within 19% of the exact value;
-- histograms of any buckets add element by element.
--
-- Queries: a compact navigator's search_tools call is a query (Caylex's
-- word for what an agent asks the navigator); its record keeps the query
-- text and a new query_id, and the tool calls that follow in the same
-- 2025-era session carry that id until the next query (the session row
-- remembers its last one).  Stateless (2026-era) exchanges have no
-- session to join them by: their queries stand alone.
ALTER TABLE mcp_calls
    ADD COLUMN query_id uuid,
    ADD COLUMN query text CHECK (length(query) <= 2000);
ALTER TABLE mcp_sessions ADD COLUMN last_query_id uuid;

CREATE FUNCTION hub_latency_bucket(ms real) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ms IS NULL OR ms < 1 THEN 1
                ELSE least(65, 2 + floor(4 * log(2, ms::numeric))::integer) END
$$;

-- the histogram of a set of latencies (an aggregate: hub_hist(gateway_ms))
CREATE FUNCTION hub_hist_step(h integer[], ms real) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    k integer := hub_latency_bucket(ms);
BEGIN
    IF h IS NULL THEN
        h := array_fill(0, ARRAY[65]);
    END IF;
    h[k] := h[k] + 1;
    RETURN h;
END $$;
CREATE AGGREGATE hub_hist(real) (SFUNC = hub_hist_step, STYPE = integer[]);

-- two histograms added (either may be NULL)
CREATE FUNCTION hub_hist_add(a integer[], b integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a
           ELSE (SELECT array_agg(x + y ORDER BY i)
                   FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)) END
$$;
CREATE AGGREGATE hub_hist_sum(integer[]) (SFUNC = hub_hist_add,
                                          STYPE = integer[]);

-- the value below which fraction q of a histogram's requests fall: the
-- upper edge of the bucket that holds the q-th request, in ms (NULL for
-- an empty histogram)
CREATE FUNCTION hub_hist_quantile(h integer[], q double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH b AS (SELECT i, sum(x) OVER (ORDER BY i) AS upto,
                      sum(x) OVER () AS total
                 FROM unnest(h) WITH ORDINALITY AS u(x, i))
    SELECT CASE WHEN i = 1 THEN 1.0 ELSE 2 ^ ((i - 1) / 4.0) END
      FROM b WHERE total > 0 AND upto >= greatest(1, ceil(q * total))
     ORDER BY i LIMIT 1
$$;

DO $$
DECLARE
    g text;
BEGIN
    FOREACH g IN ARRAY ARRAY['1m', '1h', '1d'] LOOP
        EXECUTE format($t$
CREATE TABLE %I (
    bucket      timestamptz NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id  uuid,
    navigator_instance_id uuid NOT NULL,
    server_instance_id uuid,
    server_id   uuid,
    tool_name   text,
    is_query    boolean NOT NULL,
    calls       bigint NOT NULL,
    errors      bigint NOT NULL,
    err_auth    bigint NOT NULL,
    err_rate_limit bigint NOT NULL,
    err_timeout bigint NOT NULL,
    err_execution bigint NOT NULL,
    err_protocol bigint NOT NULL,
    err_approval bigint NOT NULL,
    lat_sum     double precision NOT NULL,
    lat_min     real NOT NULL,
    lat_max     real NOT NULL,
    lat_hist    integer[] NOT NULL,
    run_calls   bigint NOT NULL,
    run_sum     double precision NOT NULL,
    run_min     real,
    run_max     real,
    last_at     timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (tenant_id, bucket, project_id,
        navigator_instance_id, server_instance_id, server_id, tool_name,
        is_query)
)$t$, 'mcp_rollup_' || g);
    END LOOP;
END $$;

-- The statement that adds one batch of new mcp_calls rows (the relation
-- hub_new_calls: the trigger's transition table) to the rollup of grain g
-- ('1m', '1h', '1d').  A transition table is visible only to statements
-- the trigger function runs itself, so this answers the text and the
-- trigger EXECUTEs it.
CREATE FUNCTION hub_mcp_rollup_sql(g text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
    RETURN format($q$
INSERT INTO %I AS r
SELECT date_trunc(%L, at) AS bucket, tenant_id, project_id,
       navigator_instance_id, server_instance_id, server_id, tool_name,
       query IS NOT NULL,
       count(*), count(*) FILTER (WHERE NOT ok),
       count(*) FILTER (WHERE error_type = 'auth'),
       count(*) FILTER (WHERE error_type = 'rate_limit'),
       count(*) FILTER (WHERE error_type = 'timeout'),
       count(*) FILTER (WHERE error_type = 'execution'),
       count(*) FILTER (WHERE error_type = 'protocol'),
       count(*) FILTER (WHERE error_type = 'approval'),
       sum(gateway_ms), min(gateway_ms), max(gateway_ms), hub_hist(gateway_ms),
       count(upstream_ms), coalesce(sum(upstream_ms), 0), min(upstream_ms),
       max(upstream_ms), max(at)
  FROM hub_new_calls
 WHERE method = 'tools/call'
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
 ORDER BY 2, 1, 3, 4, 5, 6, 7, 8
ON CONFLICT (tenant_id, bucket, project_id, navigator_instance_id,
             server_instance_id, server_id, tool_name, is_query)
DO UPDATE SET
    calls = r.calls + excluded.calls,
    errors = r.errors + excluded.errors,
    err_auth = r.err_auth + excluded.err_auth,
    err_rate_limit = r.err_rate_limit + excluded.err_rate_limit,
    err_timeout = r.err_timeout + excluded.err_timeout,
    err_execution = r.err_execution + excluded.err_execution,
    err_protocol = r.err_protocol + excluded.err_protocol,
    err_approval = r.err_approval + excluded.err_approval,
    lat_sum = r.lat_sum + excluded.lat_sum,
    lat_min = least(r.lat_min, excluded.lat_min),
    lat_max = greatest(r.lat_max, excluded.lat_max),
    lat_hist = hub_hist_add(r.lat_hist, excluded.lat_hist),
    run_calls = r.run_calls + excluded.run_calls,
    run_sum = r.run_sum + excluded.run_sum,
    run_min = least(r.run_min, excluded.run_min),
    run_max = greatest(r.run_max, excluded.run_max),
    last_at = greatest(r.last_at, excluded.last_at)
$q$, 'mcp_rollup_' || g,
       CASE g WHEN '1m' THEN 'minute' WHEN '1h' THEN 'hour' ELSE 'day' END);
END $f$;

-- date_trunc on a timestamptz truncates in the session's time zone: the
-- trigger pins UTC so that every bucket is a UTC minute, hour or day
CREATE FUNCTION hub_mcp_calls_rolled() RETURNS trigger
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
BEGIN
    EXECUTE hub_mcp_rollup_sql('1m');
    EXECUTE hub_mcp_rollup_sql('1h');
    EXECUTE hub_mcp_rollup_sql('1d');
    RETURN NULL;
END $$;

CREATE TRIGGER mcp_calls_rollup AFTER INSERT ON mcp_calls
    REFERENCING NEW TABLE AS hub_new_calls
    FOR EACH STATEMENT EXECUTE FUNCTION hub_mcp_calls_rolled();

-- The rows already recorded, rolled up once (a hub upgraded with data).
DO $$
BEGIN
    CREATE TEMP TABLE hub_new_calls ON COMMIT DROP AS SELECT * FROM mcp_calls;
    SET LOCAL timezone = 'UTC';
    EXECUTE hub_mcp_rollup_sql('1m');
    EXECUTE hub_mcp_rollup_sql('1h');
    EXECUTE hub_mcp_rollup_sql('1d');
    DROP TABLE hub_new_calls;
END $$;

-- Retention of the rollups (mod_hub_analytics' HubRollupRetention): drops
-- the buckets older than each grain's number of days; answers the rows
-- deleted.
CREATE FUNCTION hub_mcp_rollups_prune(keep_1m integer, keep_1h integer,
                                      keep_1d integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    total bigint := 0;
BEGIN
    DELETE FROM mcp_rollup_1m WHERE bucket < now() - make_interval(days => keep_1m);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM mcp_rollup_1h WHERE bucket < now() - make_interval(days => keep_1h);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM mcp_rollup_1d WHERE bucket < now() - make_interval(days => keep_1d);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN total + n;
END $$;
