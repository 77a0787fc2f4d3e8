-- 033: the rollups of sql/030 kept current without slowing the recorder.
--
-- Before: the statement trigger on mcp_calls upserted each batch into the
-- three rollup tables, which cost about three times the raw insert
-- (6,500 records/s in all), and in the live case (every child's batch
-- falls in the same minute) concurrent children queued on the same
-- rollup rows.  Now:
--
--  - the trigger only appends the batch's tool calls to
--    mcp_rollup_pending: one row per batch and tenant, the columns the
--    rollups need as arrays (one heap row and one foreign-key check per
--    batch, not per record; append-only, so concurrent writers never
--    wait for each other);
--  - the analytics watchdog folds that table into the three rollups every
--    few seconds (hub_mcp_rollups_fold: DELETE ... RETURNING feeding the
--    three upserts, one statement, one transaction; one host at a time
--    through an advisory lock);
--  - mcp_rollup_1m, _1h and _1d are now views with the same columns and
--    meaning: the folded rows (mcp_rollup_*_store, the tables of sql/030
--    renamed) UNION ALL the pending rows grouped the same way.  A fold
--    moves rows from one side to the other in one transaction, so any
--    snapshot sees every call exactly once, folded or not, and a reader
--    never waits for a fold.  A bucket and combination may appear twice
--    (once folded, once pending): readers aggregate.
--
-- The pending table is logged (not UNLOGGED): a PostgreSQL crash truncates
-- unlogged tables, which would lose the rollups of the calls recorded in
-- the last seconds while their raw rows survive.  Logging it costs little
-- (a few WAL records per batch).
--
-- mcp_calls_instance_idx (sql/023) goes: nothing reads mcp_calls by
-- navigator instance first (the readers filter by tenant and time, which
-- mcp_calls_tenant_idx serves, or read the rollups), and each index is
-- paid on every record.
DROP INDEX mcp_calls_instance_idx;

ALTER TABLE mcp_rollup_1m RENAME TO mcp_rollup_1m_store;
ALTER TABLE mcp_rollup_1h RENAME TO mcp_rollup_1h_store;
ALTER TABLE mcp_rollup_1d RENAME TO mcp_rollup_1d_store;

-- The tool calls of the batches not folded yet: element i of every array
-- is one call (unnest them together).
CREATE TABLE mcp_rollup_pending (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at          timestamptz[] NOT NULL,
    project_id  uuid[] NOT NULL,
    navigator_instance_id uuid[] NOT NULL,
    server_instance_id uuid[] NOT NULL,
    server_id   uuid[] NOT NULL,
    tool_name   text[] NOT NULL,
    is_query    boolean[] NOT NULL,
    ok          boolean[] NOT NULL,
    error_type  text[] NOT NULL,
    gateway_ms  real[] NOT NULL,
    upstream_ms real[] NOT NULL
);

-- A batch's arrays (~100 kB) are compressed with lz4 where the server has
-- it: a third of pglz's time for about the same size (pglz's share of the
-- trigger was a fifth); without lz4, the default stays.
DO $$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY ARRAY['at', 'project_id', 'navigator_instance_id',
                             'server_instance_id', 'server_id', 'tool_name',
                             'is_query', 'ok', 'error_type', 'gateway_ms',
                             'upstream_ms'] LOOP
        EXECUTE format('ALTER TABLE mcp_rollup_pending'
                       ' ALTER COLUMN %I SET COMPRESSION lz4', c);
    END LOOP;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END $$;

-- The pending calls as rows, from the relation named src (the table, or
-- the rows a fold deleted).
CREATE FUNCTION hub_mcp_pending_rows(src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('SELECT p.tenant_id, u.* FROM %s p, unnest(p.at,'
                  ' p.project_id, p.navigator_instance_id,'
                  ' p.server_instance_id, p.server_id, p.tool_name,'
                  ' p.is_query, p.ok, p.error_type, p.gateway_ms,'
                  ' p.upstream_ms) AS u(at, project_id,'
                  ' navigator_instance_id, server_instance_id, server_id,'
                  ' tool_name, is_query, ok, error_type, gateway_ms,'
                  ' upstream_ms)', src)
$$;

-- The histogram bucket of sql/030 (element k of lat_hist: k - 1 is the
-- number of edges 2^(j/4), j = 0..63, at or below ms) found by a binary
-- search over the edges instead of a numeric logarithm: the same answer
-- (the comparison is on ms::numeric, as the logarithm was) for a tenth of
-- the time.  The edges have 16 significant digits or more; a real has 6.
DO $$
BEGIN
    EXECUTE format($f$
CREATE OR REPLACE FUNCTION hub_latency_bucket(ms real) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$b$SELECT coalesce(1 + width_bucket(ms::numeric, %L::numeric[]), 1)$b$
$f$,
        (SELECT array_agg(power(2::numeric, (j / 4.0)::numeric) ORDER BY j)
           FROM generate_series(0, 63) j));
END $$;

-- Calls (the rows of the query text calls) grouped into rollup rows of
-- grain g ('1m', '1h', '1d'), in the rollups' column order.  Buckets are
-- UTC minutes, hours and days whatever the session's time zone.  The
-- histogram is 65 filtered counts over each call's bucket, computed once
-- (OFFSET 0 keeps the planner from pulling k into each of the 65 filters):
-- the aggregate hub_hist (a PL/pgSQL step per call) cost 20 us a call,
-- more than the raw insert itself.
CREATE FUNCTION hub_mcp_rollup_groups(g text, calls text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
SELECT date_trunc(%L, c.at, 'UTC') AS bucket, c.tenant_id, c.project_id,
       c.navigator_instance_id, c.server_instance_id, c.server_id,
       c.tool_name, c.is_query,
       count(*) AS calls, count(*) FILTER (WHERE NOT c.ok) AS errors,
       count(*) FILTER (WHERE c.error_type = 'auth') AS err_auth,
       count(*) FILTER (WHERE c.error_type = 'rate_limit') AS err_rate_limit,
       count(*) FILTER (WHERE c.error_type = 'timeout') AS err_timeout,
       count(*) FILTER (WHERE c.error_type = 'execution') AS err_execution,
       count(*) FILTER (WHERE c.error_type = 'protocol') AS err_protocol,
       count(*) FILTER (WHERE c.error_type = 'approval') AS err_approval,
       sum(c.gateway_ms::double precision) AS lat_sum,
       min(c.gateway_ms) AS lat_min, max(c.gateway_ms) AS lat_max,
       ARRAY[%s]::integer[] AS lat_hist,
       count(c.upstream_ms) AS run_calls,
       coalesce(sum(c.upstream_ms::double precision), 0) AS run_sum,
       min(c.upstream_ms) AS run_min, max(c.upstream_ms) AS run_max,
       max(c.at) AS last_at
  FROM (SELECT c.*, hub_latency_bucket(c.gateway_ms) AS k
          FROM (%s) AS c OFFSET 0) AS c
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8$q$,
        CASE g WHEN '1m' THEN 'minute' WHEN '1h' THEN 'hour' ELSE 'day' END,
        (SELECT string_agg(format('count(*) FILTER (WHERE c.k = %s)', k),
                           ', ' ORDER BY k)
           FROM generate_series(1, 65) k),
        calls)
$$;

-- The names readers know: folded rows and pending ones.
DO $$
DECLARE
    g text;
BEGIN
    FOREACH g IN ARRAY ARRAY['1m', '1h', '1d'] LOOP
        EXECUTE format('CREATE VIEW %I AS SELECT * FROM %I UNION ALL %s',
                       'mcp_rollup_' || g, 'mcp_rollup_' || g || '_store',
                       hub_mcp_rollup_groups(g, hub_mcp_pending_rows(
                           'mcp_rollup_pending')));
    END LOOP;
END $$;

-- Rows inserted into a view (a test seeding rollups) go to its store.
CREATE FUNCTION hub_mcp_rollup_view_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO %I SELECT ($1).*', TG_TABLE_NAME || '_store')
      USING NEW;
    RETURN NEW;
END $$;
CREATE TRIGGER mcp_rollup_1m_insert INSTEAD OF INSERT ON mcp_rollup_1m
    FOR EACH ROW EXECUTE FUNCTION hub_mcp_rollup_view_insert();
CREATE TRIGGER mcp_rollup_1h_insert INSTEAD OF INSERT ON mcp_rollup_1h
    FOR EACH ROW EXECUTE FUNCTION hub_mcp_rollup_view_insert();
CREATE TRIGGER mcp_rollup_1d_insert INSTEAD OF INSERT ON mcp_rollup_1d
    FOR EACH ROW EXECUTE FUNCTION hub_mcp_rollup_view_insert();

-- The batch's tool calls, appended (the trigger of sql/030 stays; its
-- function changes).  Other methods are not rolled up.
CREATE OR REPLACE FUNCTION hub_mcp_calls_rolled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mcp_rollup_pending
    SELECT tenant_id, array_agg(at), array_agg(project_id),
           array_agg(navigator_instance_id), array_agg(server_instance_id),
           array_agg(server_id), array_agg(tool_name),
           array_agg(query IS NOT NULL), array_agg(ok), array_agg(error_type),
           array_agg(gateway_ms), array_agg(upstream_ms)
      FROM hub_new_calls
     WHERE method = 'tools/call'
     GROUP BY tenant_id;
    RETURN NULL;
END $$;
DROP FUNCTION hub_mcp_rollup_sql(text);

-- The upsert of grouped rows (the query text groups) into grain g's
-- store, but for the buckets older than the grain's retention (keep, the
-- text of a number of days): the next prune would delete them, and
-- writing them is most of a history load's cost (a per-minute row per
-- call when calls are sparse).
CREATE FUNCTION hub_mcp_rollup_upsert(g text, groups text, keep text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
INSERT INTO %I AS r
SELECT * FROM (%s) AS x
 WHERE x.bucket >= now() - make_interval(days => %s)
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
    last_at = greatest(r.last_at, excluded.last_at)$q$,
        'mcp_rollup_' || g || '_store', groups, keep)
$$;

-- One fold: up to `batches` pending rows (batches of calls) this snapshot
-- sees, deleted and added to the three stores in one statement (so one
-- transaction: the views show each call once before, during and after).
-- Batches committed meanwhile stay for the next fold.  Answers the
-- batches folded (the caller folds again while that is `batches`), or
-- NULL when another session holds the fold's lock (another host folding
-- now: this one has nothing to add).  The stores' upserts are the only
-- writers of their rows besides retention, so a fold never waits for a
-- recorder nor a recorder for a fold.  keep_1m, _1h and _1d are the
-- days of HubRollupRetention: older buckets are not written (they would
-- be pruned).  The memory is for the groups of a sparse history (up to a
-- rollup row per call), which would go to disk.
CREATE FUNCTION hub_mcp_rollups_fold(batches integer, keep_1m integer,
                                     keep_1h integer, keep_1d integer)
RETURNS bigint
LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
    n bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('hub_mcp_rollups_fold')) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('WITH d AS (DELETE FROM mcp_rollup_pending'
                   '            WHERE ctid = ANY (ARRAY(SELECT ctid'
                   '                  FROM mcp_rollup_pending LIMIT $1))'
                   '           RETURNING *),'
                   ' c AS MATERIALIZED (%s),'
                   ' m AS (%s), h AS (%s), y AS (%s)'
                   ' SELECT count(*) FROM d',
                   hub_mcp_pending_rows('d'),
                   hub_mcp_rollup_upsert('1m', hub_mcp_rollup_groups('1m', 'TABLE c'), '$2'),
                   hub_mcp_rollup_upsert('1h', hub_mcp_rollup_groups('1h', 'TABLE c'), '$3'),
                   hub_mcp_rollup_upsert('1d', hub_mcp_rollup_groups('1d', 'TABLE c'), '$4'))
       INTO n USING batches, keep_1m, keep_1h, keep_1d;
    RETURN n;
END $$;

-- Retention now deletes from the stores (a view cannot be deleted from);
-- pending rows past it are folded, then go at the next prune.
CREATE OR REPLACE FUNCTION hub_mcp_rollups_prune(keep_1m integer,
                                                 keep_1h integer,
                                                 keep_1d integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    total bigint := 0;
BEGIN
    DELETE FROM mcp_rollup_1m_store
     WHERE bucket < now() - make_interval(days => keep_1m);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM mcp_rollup_1h_store
     WHERE bucket < now() - make_interval(days => keep_1h);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM mcp_rollup_1d_store
     WHERE bucket < now() - make_interval(days => keep_1d);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN total + n;
END $$;
