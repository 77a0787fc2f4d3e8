-- 040: hub_rollup_span (sql/032) reads each rollup by its bucket starts,
-- not by a range joined from the pieces.
--
-- The pieces' bounds are rows of a CTE, so for the planner a store's
-- `bucket >= p.lo AND bucket < p.hi` was a join clause of unknown
-- selectivity: a third of a third of the table (11%).  At that guess a
-- sequential scan of the whole store costs less than the index, and that
-- is what PostgreSQL chose for mcp_rollup_1h_store, once per piece: on 2
-- million records over 90 days (1.8 million hour rows) a 24-hour total
-- took 0.8 s and a 30-day one 1.4 s, where the index reads the 10,000 to
-- 50,000 rows they need in 30 to 60 ms.
--
-- Now each grain's pieces are spelt out as the array of the buckets they
-- hold (UTC minutes, hours, or days of exactly 24 hours) and a store is
-- read with `bucket = ANY (ARRAY(...))`: an init plan whose value is a
-- parameter, estimated as that many equalities, so the index is used for
-- any window.  The answer is the same: a piece's bounds are aligned to
-- its grain, so the buckets inside [lo, hi) are exactly those starts.
-- The signature and the inlining (a single SELECT, no SET) are kept.
CREATE OR REPLACE FUNCTION hub_rollup_span(tenant uuid, t0 timestamptz,
                                           t1 timestamptz,
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
      FROM mcp_rollup_1d r
     WHERE r.tenant_id = tenant
       AND r.bucket = ANY (ARRAY(
               SELECT b FROM p,
                      generate_series(p.lo, p.hi - interval '24 hours',
                                      interval '24 hours') b
                WHERE p.grain = '1d'))
    UNION ALL
    SELECT r.bucket, r.tenant_id, r.project_id, r.navigator_instance_id,
           r.server_instance_id, r.server_id, r.tool_name, r.is_query,
           r.calls, r.errors, r.err_auth, r.err_rate_limit, r.err_timeout,
           r.err_execution, r.err_protocol, r.err_approval, r.lat_sum,
           r.lat_min, r.lat_max, r.lat_hist, r.run_calls, r.run_sum,
           r.run_min, r.run_max, r.last_at
      FROM mcp_rollup_1h r
     WHERE r.tenant_id = tenant
       AND r.bucket = ANY (ARRAY(
               SELECT b FROM p,
                      generate_series(p.lo, p.hi - interval '1 hour',
                                      interval '1 hour') b
                WHERE p.grain = '1h'))
    UNION ALL
    SELECT r.bucket, r.tenant_id, r.project_id, r.navigator_instance_id,
           r.server_instance_id, r.server_id, r.tool_name, r.is_query,
           r.calls, r.errors, r.err_auth, r.err_rate_limit, r.err_timeout,
           r.err_execution, r.err_protocol, r.err_approval, r.lat_sum,
           r.lat_min, r.lat_max, r.lat_hist, r.run_calls, r.run_sum,
           r.run_min, r.run_max, r.last_at
      FROM mcp_rollup_1m r
     WHERE r.tenant_id = tenant
       AND r.bucket = ANY (ARRAY(
               SELECT b FROM p,
                      generate_series(p.lo, p.hi - interval '1 minute',
                                      interval '1 minute') b
                WHERE p.grain = '1m'))
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
