-- 023: every request an agent makes of the MCP gateway (a tools/call, a
-- tools/list, an initialize, ...), written for mod_hub_analytics.  Rows
-- arrive in batches from each httpd child's buffer (hub_servers_recorder.c),
-- never one insert per call.
--
-- The table is partitioned by day on `at` (when the request began), so
-- that a window reads only its days and old days go by dropping a
-- partition.  hub_mcp_calls_ensure(n) makes the partitions from yesterday
-- to n days ahead; the prober's tick calls it every hour; the default
-- partition catches what comes outside them (a clock far off), so nothing
-- is ever refused.
CREATE TABLE mcp_calls (
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    at          timestamptz NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    navigator_instance_id uuid NOT NULL,
    project_id  uuid,
    method      text NOT NULL CHECK (length(method) <= 100),
    -- a tools/call's: the tool as the agent named it, and where it went
    tool_name   text CHECK (length(tool_name) <= 300),
    server_id   uuid,
    server_instance_id uuid,
    tool_id     uuid,
    -- who: the key (a navigator key or another) and its user, if any
    key_id      uuid,
    user_id     uuid,
    session_hash text,
    protocol_version text,
    gateway_ms  real NOT NULL CHECK (gateway_ms >= 0),   -- the whole request in the hub
    upstream_ms real CHECK (upstream_ms >= 0),           -- of it, the upstream's part
    ok          boolean NOT NULL,
    -- isError results count as errors ('execution')
    error_type  text CHECK (error_type IN ('auth', 'rate_limit', 'timeout',
                                           'execution', 'protocol', 'approval')),
    error       text CHECK (length(error) <= 500),
    request_bytes  integer CHECK (request_bytes >= 0),
    response_bytes integer CHECK (response_bytes >= 0),
    PRIMARY KEY (at, id)
) PARTITION BY RANGE (at);
CREATE INDEX mcp_calls_tenant_idx ON mcp_calls (tenant_id, at);
CREATE INDEX mcp_calls_instance_idx ON mcp_calls (navigator_instance_id, at);
CREATE TABLE mcp_calls_default PARTITION OF mcp_calls DEFAULT;

CREATE FUNCTION hub_mcp_calls_ensure(ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    d date;
    made integer := 0;
    name text;
BEGIN
    FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 1,
                                    (now() AT TIME ZONE 'UTC')::date + ahead,
                                    interval '1 day')::date LOOP
        name := 'mcp_calls_' || to_char(d, 'YYYYMMDD');
        IF to_regclass(name) IS NULL THEN
            -- rows of that day already in the default partition (none
            -- unless a clock was off) would make the new one fail: then
            -- the day stays in the default partition
            BEGIN
                EXECUTE format('CREATE TABLE %I PARTITION OF mcp_calls'
                               ' FOR VALUES FROM (%L) TO (%L)', name,
                               d::timestamp AT TIME ZONE 'UTC',
                               (d + 1)::timestamp AT TIME ZONE 'UTC');
                made := made + 1;
            EXCEPTION WHEN check_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
    RETURN made;
END $$;

SELECT hub_mcp_calls_ensure(7);
