-- 029: how long the gateway's call records are kept (mod_hub_analytics'
-- HubCallsRetention).  hub_mcp_calls_prune(keep_days) drops every day
-- partition of mcp_calls (sql/023: mcp_calls_YYYYMMDD) that ends before
-- the cut-off (UTC midnight, keep_days ago: a day is kept whole or not at
-- all) and deletes the default partition's rows from before it.  It
-- answers the partitions dropped and the rows deleted.  Two hosts
-- running it at once: the second waits for the first's lock and finds
-- nothing left to do.
CREATE FUNCTION hub_mcp_calls_prune(keep_days integer,
                                    OUT dropped integer, OUT deleted bigint)
LANGUAGE plpgsql AS $$
DECLARE
    cutoff timestamptz := ((now() AT TIME ZONE 'UTC')::date - keep_days)::timestamp
                          AT TIME ZONE 'UTC';
    part record;
BEGIN
    dropped := 0;
    PERFORM pg_advisory_xact_lock(hashtext('hub_mcp_calls_prune'));
    FOR part IN
        SELECT c.relname
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'mcp_calls'::regclass
           AND c.relname ~ '^mcp_calls_[0-9]{8}$'
           AND to_date(substr(c.relname, 11), 'YYYYMMDD') + 1
               <= (cutoff AT TIME ZONE 'UTC')::date
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    DELETE FROM mcp_calls_default WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
END $$;
