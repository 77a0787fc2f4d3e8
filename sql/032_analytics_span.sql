-- 032: reading any time range [t0, t1) of the gateway's tool calls from
-- the rollups (sql/030), exactly, for mod_hub_analytics' windows and
-- graphs (hub_analytics_window.h says how the endpoints use it).
--
-- The API (every function LANGUAGE sql with a $$ body, so the tables are
-- resolved when it runs: the rollups may become views):
--
--   hub_step_bucket(ts, step) -> timestamptz
--     the start of the graph bucket of width `step` that holds ts.
--     Buckets are aligned in UTC: a step of months (1 mon, 3 mons) to
--     calendar months counted from 1970-01 (3 mons: Jan, Apr, Jul, Oct);
--     a step of whole weeks (7 days, 14 days) to Mondays 00:00 UTC (ISO
--     weeks, counted from Monday 1970-01-05); any other step (minutes,
--     hours, days) to the UTC epoch (1970-01-01 00:00).  A step must not
--     mix months with days or less.
--
--   hub_step_buckets(t0, t1, step) -> SETOF timestamptz
--     the starts of every bucket that meets [t0, t1), in order: the
--     first is hub_step_bucket(t0, step) (it may begin before t0), the
--     last begins before t1.  A graph's points, zeros included.
--
--   hub_rollup_span(tenant, t0, t1, step DEFAULT NULL,
--                   minutes_since DEFAULT NULL, hours_since DEFAULT NULL)
--     -> SETOF rows of
--     the rollups' shape (bucket, tenant_id, the dims project_id,
--     navigator_instance_id, server_instance_id, server_id, tool_name,
--     is_query, and the measures calls, errors, err_auth, err_rate_limit,
--     err_timeout, err_execution, err_protocol, err_approval, lat_sum,
--     lat_min, lat_max, lat_hist, run_calls, run_sum, run_min, run_max,
--     last_at) whose sum over any dims is exactly the tenant's tools/call
--     records with t0 <= at < t1.  Whole UTC days come from mcp_rollup_1d,
--     whole hours at the edges from _1h, whole minutes from _1m, and the
--     sub-minute rest from mcp_calls itself (the rollup trigger's own
--     definitions: method 'tools/call', is_query = query IS NOT NULL).
--     With `step`, every row lies inside one bucket of that step, so
--     grouping by hub_step_bucket(bucket, step) gives the graph; its
--     `bucket` is then the start of the row's piece of time (a rollup
--     row's own bucket, or the start of a sub-minute piece), not
--     necessarily a bucket of the step.  Rows are NOT one per (bucket,
--     dims): always aggregate (sum, min, max, hub_hist_sum).
--
-- Filters go on the caller's WHERE over the returned rows: the function
-- is inlined (LANGUAGE sql STABLE, one SELECT), so they reach the rollup
-- scans.  The tenant and time predicates use the rollups' unique indexes
-- (tenant_id, bucket, ...) and mcp_calls' (tenant_id, at).
--
-- Retention (HubRollupRetention, HubCallsRetention) prunes the minute
-- rollups first (7 days by default), then the hours (90 days) and the raw
-- records (90 days), the days last (730); records that arrive late may
-- add rows to buckets already pruned.  So the rollups are trusted only
-- where nothing was pruned: minutes from minutes_since, hours from
-- hours_since (NULL: now() less the directive's defaults, 7 and 90
-- days; mod_hub_analytics passes now() less its configured days).  An
-- hour piece older than hours_since is read as minutes, and a minute
-- piece older than minutes_since from the raw records: exact for as long
-- as the raw records are kept.  Older than that, what is finer than a
-- day is gone, and only the day pieces count.
--
-- How the range is cut: first at the step's bucket boundaries (without a
-- step, [t0, t1) is one segment); then each segment [lo, hi) into at most
-- seven pieces, raw [lo, m0) minutes [m0, h0) hours [h0, d0) days
-- [d0, d1) hours [d1, h1) minutes [h1, m1) raw [m1, hi), where m0/m1 are
-- lo rounded up / hi rounded down to a minute, h0/h1 the same to an hour
-- inside [m0, m1), and d0/d1 to a day inside [h0, h1) (clamped, so a
-- segment too short for a grain gives it empty pieces).  A rollup row of
-- grain g lies in a g-piece exactly when its bucket does (pieces of grain
-- g start and end on g's boundaries), so each record is counted once.

-- the start of the UTC unit of `grain` ('1 minute', '1 hour', '1 day')
-- at or before ts, and the first one at or after it
CREATE FUNCTION hub_time_floor(ts timestamptz, grain interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin(grain, ts, timestamptz '1970-01-01 00:00:00+00')
$$;
CREATE FUNCTION hub_time_ceil(ts timestamptz, grain interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN date_bin(grain, ts, timestamptz '1970-01-01 00:00:00+00') = ts
        THEN ts
        ELSE date_bin(grain, ts, timestamptz '1970-01-01 00:00:00+00') + grain
    END
$$;

-- one expression, no FROM: PostgreSQL inlines it into the GROUP BY of a
-- graph (a function it cannot inline costs a call per row)
CREATE FUNCTION hub_step_bucket(ts timestamptz, step interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN extract(year FROM step) * 12 + extract(month FROM step) > 0 THEN
            (timestamp '1970-01-01' + make_interval(months => (
                (extract(year FROM step) * 12 + extract(month FROM step))
                * floor(((extract(year FROM ts AT TIME ZONE 'UTC') - 1970) * 12
                         + extract(month FROM ts AT TIME ZONE 'UTC') - 1)
                        / (extract(year FROM step) * 12
                           + extract(month FROM step))))::integer))
            AT TIME ZONE 'UTC'
        WHEN extract(epoch FROM step) % 604800 = 0 THEN
            date_bin(step, ts, timestamptz '1970-01-05 00:00:00+00')
        ELSE date_bin(step, ts, timestamptz '1970-01-01 00:00:00+00')
    END
$$;

-- timestamp (no zone) arithmetic: adding months or days does not depend
-- on the session's time zone.  This function and hub_span_pieces are run
-- once per query, not inlined (their SET clause): so the planner takes
-- their ROWS, not generate_series' guess of 1000 rows, whose product with
-- the rollups' rows made every plan look so dear that PostgreSQL spent
-- seconds compiling it (JIT) for a query that runs in milliseconds.
CREATE FUNCTION hub_step_buckets(t0 timestamptz, t1 timestamptz,
                                 step interval)
RETURNS SETOF timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
ROWS 100 SET timezone = 'UTC' AS $$
    SELECT b AT TIME ZONE 'UTC'
      FROM generate_series(hub_step_bucket(t0, step) AT TIME ZONE 'UTC',
                           t1 AT TIME ZONE 'UTC', step) AS g(b)
     WHERE b AT TIME ZONE 'UTC' < t1 AND t0 < t1
$$;

-- the pieces of [t0, t1): (grain, lo, hi), grain 'raw', '1m', '1h', '1d'.
-- Each step is MATERIALIZED: inlined, every use of m0 (and of h0, d0
-- built on it) would repeat its whole expression (1.4 ms a segment).
CREATE FUNCTION hub_span_pieces(t0 timestamptz, t1 timestamptz,
                                step interval DEFAULT NULL)
RETURNS TABLE (grain text, lo timestamptz, hi timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 10 SET timezone = 'UTC' AS $$
    WITH seg AS (
        SELECT t0 AS lo, t1 AS hi WHERE step IS NULL AND t0 < t1
        UNION ALL
        SELECT greatest(b, t0),
               least((b AT TIME ZONE 'UTC' + step) AT TIME ZONE 'UTC', t1)
          FROM hub_step_buckets(t0, t1, step) AS b WHERE step IS NOT NULL
    ), m AS MATERIALIZED (
        SELECT lo, hi, m0,
               greatest(hub_time_floor(hi, interval '1 minute'), m0) AS m1
          FROM (SELECT lo, hi,
                       least(hub_time_ceil(lo, interval '1 minute'), hi) AS m0
                  FROM seg) s
    ), h AS MATERIALIZED (
        SELECT s.*, greatest(hub_time_floor(m1, interval '1 hour'), h0) AS h1
          FROM (SELECT m.*,
                       least(hub_time_ceil(m0, interval '1 hour'), m1) AS h0
                  FROM m) s
    ), d AS MATERIALIZED (
        SELECT s.*, greatest(hub_time_floor(h1, interval '1 day'), d0) AS d1
          FROM (SELECT h.*, least(hub_time_ceil(h0, interval '1 day'), h1) AS d0
                  FROM h) s
    )
    SELECT p.grain, p.lo, p.hi
      FROM d CROSS JOIN LATERAL (VALUES
            ('raw', d.lo, d.m0), ('1m', d.m0, d.h0), ('1h', d.h0, d.d0),
            ('1d', d.d0, d.d1), ('1h', d.d1, d.h1), ('1m', d.h1, d.m1),
            ('raw', d.m1, d.hi)) AS p(grain, lo, hi)
     WHERE p.lo < p.hi
$$;

CREATE FUNCTION hub_rollup_span(tenant uuid, t0 timestamptz, t1 timestamptz,
                                step interval DEFAULT NULL,
                                minutes_since timestamptz DEFAULT NULL,
                                hours_since timestamptz DEFAULT NULL)
RETURNS TABLE (
    bucket timestamptz, tenant_id uuid, project_id uuid,
    navigator_instance_id uuid, server_instance_id uuid, server_id uuid,
    tool_name text, is_query boolean,
    calls bigint, errors bigint, err_auth bigint, err_rate_limit bigint,
    err_timeout bigint, err_execution bigint, err_protocol bigint,
    err_approval bigint, lat_sum double precision, lat_min real,
    lat_max real, lat_hist integer[], run_calls bigint,
    run_sum double precision, run_min real, run_max real,
    last_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH hz AS MATERIALIZED (
        SELECT hub_time_ceil(coalesce(minutes_since, now() - interval '7 days'),
                             interval '1 minute') AS m,
               hub_time_ceil(coalesce(hours_since, now() - interval '90 days'),
                             interval '1 hour') AS h
    ), p0 AS MATERIALIZED (
        SELECT * FROM hub_span_pieces(t0, t1, step)
    ), old AS (
        -- hours before the hour horizon and all minute pieces: read as
        -- minutes where those are kept, else from the raw records
        SELECT p0.lo, least(p0.hi, hz.h) AS hi FROM p0, hz
         WHERE p0.grain = '1h' AND p0.lo < hz.h
        UNION ALL
        SELECT p0.lo, p0.hi FROM p0 WHERE p0.grain = '1m'
    ), p AS MATERIALIZED (
        SELECT p0.grain, p0.lo, p0.hi FROM p0 WHERE p0.grain IN ('1d', 'raw')
        UNION ALL
        SELECT '1h', greatest(p0.lo, hz.h), p0.hi FROM p0, hz
         WHERE p0.grain = '1h' AND p0.hi > hz.h
        UNION ALL
        SELECT '1m', greatest(old.lo, hz.m), old.hi FROM old, hz
         WHERE old.hi > hz.m
        UNION ALL
        SELECT 'raw', old.lo, least(old.hi, hz.m) FROM old, hz
         WHERE old.lo < hz.m
    )
    SELECT r.bucket, r.tenant_id, r.project_id, r.navigator_instance_id,
           r.server_instance_id, r.server_id, r.tool_name, r.is_query,
           r.calls, r.errors, r.err_auth, r.err_rate_limit, r.err_timeout,
           r.err_execution, r.err_protocol, r.err_approval, r.lat_sum,
           r.lat_min, r.lat_max, r.lat_hist, r.run_calls, r.run_sum,
           r.run_min, r.run_max, r.last_at
      FROM p JOIN mcp_rollup_1d r
        ON r.tenant_id = tenant AND r.bucket >= p.lo AND r.bucket < p.hi
     WHERE p.grain = '1d'
    UNION ALL
    SELECT r.bucket, r.tenant_id, r.project_id, r.navigator_instance_id,
           r.server_instance_id, r.server_id, r.tool_name, r.is_query,
           r.calls, r.errors, r.err_auth, r.err_rate_limit, r.err_timeout,
           r.err_execution, r.err_protocol, r.err_approval, r.lat_sum,
           r.lat_min, r.lat_max, r.lat_hist, r.run_calls, r.run_sum,
           r.run_min, r.run_max, r.last_at
      FROM p JOIN mcp_rollup_1h r
        ON r.tenant_id = tenant AND r.bucket >= p.lo AND r.bucket < p.hi
     WHERE p.grain = '1h'
    UNION ALL
    SELECT r.bucket, r.tenant_id, r.project_id, r.navigator_instance_id,
           r.server_instance_id, r.server_id, r.tool_name, r.is_query,
           r.calls, r.errors, r.err_auth, r.err_rate_limit, r.err_timeout,
           r.err_execution, r.err_protocol, r.err_approval, r.lat_sum,
           r.lat_min, r.lat_max, r.lat_hist, r.run_calls, r.run_sum,
           r.run_min, r.run_max, r.last_at
      FROM p JOIN mcp_rollup_1m r
        ON r.tenant_id = tenant AND r.bucket >= p.lo AND r.bucket < p.hi
     WHERE p.grain = '1m'
    UNION ALL
    SELECT p.lo, c.tenant_id, c.project_id, c.navigator_instance_id,
           c.server_instance_id, c.server_id, c.tool_name,
           c.query IS NOT NULL,
           count(*), count(*) FILTER (WHERE NOT c.ok),
           count(*) FILTER (WHERE c.error_type = 'auth'),
           count(*) FILTER (WHERE c.error_type = 'rate_limit'),
           count(*) FILTER (WHERE c.error_type = 'timeout'),
           count(*) FILTER (WHERE c.error_type = 'execution'),
           count(*) FILTER (WHERE c.error_type = 'protocol'),
           count(*) FILTER (WHERE c.error_type = 'approval'),
           sum(c.gateway_ms::float8), min(c.gateway_ms), max(c.gateway_ms),
           hub_hist(c.gateway_ms), count(c.upstream_ms),
           coalesce(sum(c.upstream_ms::float8), 0), min(c.upstream_ms),
           max(c.upstream_ms), max(c.at)
      FROM p JOIN mcp_calls c
        ON c.tenant_id = tenant AND c.at >= p.lo AND c.at < p.hi
     WHERE p.grain = 'raw' AND c.method = 'tools/call'
     GROUP BY p.lo, c.tenant_id, c.project_id, c.navigator_instance_id,
              c.server_instance_id, c.server_id, c.tool_name,
              c.query IS NOT NULL
$$;

-- JIT off for the hub's database.  The planner's cost of a window over
-- the rollups is a guess (the pieces' bounds are only known when the
-- query runs) well past jit_above_cost, so PostgreSQL compiled each
-- analytics query before running it: 0.3 to 4.6 s of compiling for
-- queries that then ran in 20 to 400 ms (measured on 200,000 records and
-- on rollups of the benchmark's density).  The hub's queries are short;
-- none gains from JIT.  A database the hub does not own keeps its
-- setting (the owner may run this statement).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'jit left as it is: % is not the owner of the database',
        current_user;
END $$;
