-- 017: a heartbeat in one call.  A server's concurrent heartbeats queue
-- on its row lock, so what they cost is how long each holds it.  As two
-- statements in a client transaction (BEGIN, lock, heartbeat, COMMIT) the
-- lock was held across three round trips to httpd and the planning of the
-- big statement, and on a loaded host every round trip waits for a CPU.
-- In one function the lock is held for the work alone, and a heartbeat is
-- one round trip instead of four.  (tools/bench's one-key target, every
-- request on one row, stayed within its run-to-run noise, 16-150 a
-- second: that queue is PostgreSQL's lock hand-over.)  The heartbeat takes
-- a new snapshot after the lock (plpgsql, READ COMMITTED, a VOLATILE
-- function): it sees the tools the heartbeat before it wrote, so a drift
-- is one tool-change event however many heartbeats report it at once.
CREATE FUNCTION hub_heartbeat_record(
        p_tid uuid, p_ksid uuid, p_slug text, p_via text, p_key_id uuid,
        p_tool_count int, p_names jsonb, p_scan jsonb, p_err text,
        p_failures int, p_sent_at text, p_mw_uptime bigint, p_sent bigint,
        p_failed bigint)
    RETURNS TABLE (slug text)
    LANGUAGE plpgsql VOLATILE
    AS $$
#variable_conflict use_column
BEGIN
    -- the server: its key's, or the slug a team key names
    PERFORM 1 FROM servers s
      WHERE s.tenant_id = p_tid
        AND CASE WHEN p_ksid IS NOT NULL THEN s.id = p_ksid
                 ELSE s.slug = p_slug END
      FOR UPDATE;
    -- the heartbeat, the server's tools and tool change, its counters,
    -- health and uptime: one statement
    RETURN QUERY
    WITH args AS (
      SELECT p_tid AS tid, p_ksid AS ksid, p_slug AS slug, p_via AS via,
             p_key_id AS key_id, p_tool_count AS tool_count, p_names AS names,
             p_scan AS scan, p_err AS err, p_failures AS failures,
             p_sent_at AS sent_at, p_mw_uptime AS mw_uptime, p_sent AS sent,
             p_failed AS failed),
     srv AS (SELECT s.* FROM servers s, args a
       WHERE s.tenant_id = a.tid
         AND CASE WHEN a.ksid IS NOT NULL
                  THEN s.id = a.ksid AND (a.slug IS NULL OR s.slug = a.slug)
                  ELSE s.slug = a.slug END
       FOR UPDATE OF s),
    -- the tools follow the names of heartbeat servers only
     sync AS (SELECT srv.id FROM srv, args a
       WHERE srv.mode = 'heartbeat' AND a.names IS NOT NULL),
     incoming AS (SELECT DISTINCT n AS name
       FROM args a, jsonb_array_elements_text(a.names) n
      WHERE EXISTS (SELECT 1 FROM sync)),
     before AS (SELECT t.name FROM tools t, sync
       WHERE t.server_id = sync.id),
    -- a change, not the first listing: names were reported before
     named AS (SELECT EXISTS (SELECT 1 FROM heartbeats h, sync
       WHERE h.server_id = sync.id AND h.tool_names IS NOT NULL) AS yes),
    -- the interval the server keeps: the median gap of its last ten
     prev AS (SELECT h.at FROM heartbeats h, srv
       WHERE h.server_id = srv.id ORDER BY h.at DESC LIMIT 10),
     gaps AS (SELECT extract(epoch FROM coalesce(lag(at) OVER
                (ORDER BY at DESC), now()) - at)::float8 AS g FROM prev),
     every AS (SELECT coalesce(least(greatest(percentile_cont(0.5)
                WITHIN GROUP (ORDER BY g), 1), 3600),
                (SELECT heartbeat_every_s FROM srv)) AS s FROM gaps),
     hb AS (
      INSERT INTO heartbeats (tenant_id, server_id, via, key_id, tool_count,
             tool_names, scan_results, last_error_type,
             consecutive_failures,
             sent_at, middleware_uptime_seconds, heartbeats_sent,
             heartbeats_failed)
      SELECT a.tid, srv.id, a.via, a.key_id, a.tool_count,
             CASE WHEN a.names IS NOT NULL THEN ARRAY(SELECT
               jsonb_array_elements_text(a.names)) END,
             a.scan, a.err, a.failures, a.sent_at, a.mw_uptime, a.sent,
             a.failed FROM args a, srv RETURNING id),
     up AS (
      INSERT INTO tools (tenant_id, server_id, name, definition)
      SELECT a.tid, sync.id, i.name, jsonb_build_object('name', i.name)
        FROM incoming i, args a, sync
      ON CONFLICT (server_id, name) DO UPDATE SET last_seen_at = now()
      RETURNING name),
     gone AS (
      DELETE FROM tools t USING sync WHERE t.server_id = sync.id
         AND t.name NOT IN (SELECT name FROM incoming) RETURNING t.name),
     added AS (SELECT name FROM incoming EXCEPT SELECT name FROM before),
     ch AS (
      INSERT INTO tool_changes (tenant_id, server_id, added, removed,
             tool_count_before, tool_count_after)
      SELECT a.tid, sync.id, ARRAY(SELECT name FROM added ORDER BY 1),
             ARRAY(SELECT name FROM gone ORDER BY 1),
             (SELECT count(*) FROM before), (SELECT count(*) FROM incoming)
        FROM args a, sync, named
       WHERE named.yes
         AND (EXISTS (SELECT 1 FROM added) OR EXISTS (SELECT 1 FROM gone))
      RETURNING id),
     old AS (DELETE FROM heartbeats h USING srv WHERE h.server_id = srv.id
              AND h.at < now() - interval '30 days' RETURNING h.id)
     UPDATE servers s SET
       last_heartbeat_at = now(),
       heartbeat_every_s = every.s,
       heartbeat_failures = coalesce(a.failures, s.heartbeat_failures),
       heartbeat_last_error = CASE WHEN a.failures = 0 AND a.err IS NULL
           THEN NULL ELSE coalesce(a.err, s.heartbeat_last_error) END,
       heartbeats_sent = coalesce(a.sent, s.heartbeats_sent),
       heartbeats_failed = coalesce(a.failed, s.heartbeats_failed),
       scan_results = coalesce(a.scan, s.scan_results),
       scan_at = CASE WHEN a.scan IS NOT NULL THEN now() ELSE s.scan_at END,
       tool_count = CASE WHEN s.mode <> 'heartbeat' THEN s.tool_count
           ELSE coalesce(CASE WHEN a.names IS NOT NULL
                         THEN (SELECT count(*) FROM incoming) END,
                         a.tool_count, s.tool_count) END,
       health_status = CASE WHEN s.mode = 'heartbeat' THEN 'healthy'
           ELSE s.health_status END,
       last_check_at = CASE WHEN s.mode = 'heartbeat' THEN now()
           ELSE s.last_check_at END,
       last_ok_at = CASE WHEN s.mode = 'heartbeat' THEN now()
           ELSE s.last_ok_at END,
    -- the heartbeats before this one, up to now: this one adds from now
       uptime_24h = CASE WHEN s.mode = 'heartbeat'
           THEN coalesce(hub_heartbeat_uptime(s.id, every.s), 1)
    -- a probed server: its heartbeats can only add evidence of life;
    -- the next probe weighs both again
           ELSE greatest(s.uptime_24h,
                         hub_heartbeat_uptime(s.id, every.s)) END
      FROM args a, srv, every
     WHERE s.id = srv.id AND s.tenant_id = a.tid
     RETURNING s.slug;
END
$$;
