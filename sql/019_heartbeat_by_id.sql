-- 019: a heartbeat reads its own server's rows by index.  In 017 the
-- server was a CTE joined to heartbeats, so the planner could not use
-- heartbeats_server_idx for "its last ten heartbeats" and scanned the
-- whole table (every server's, up to 30 days) under the server's row
-- lock: each heartbeat cost grew with the hub's total heartbeats
-- (auto_explain: a Seq Scan of 7,332 rows for one server's ten).  The
-- function now takes the server's id when it locks the row and names
-- it in every statement; the CTE's second FOR UPDATE goes (the row is
-- locked already).
--
-- Working out uptime_24h reads every heartbeat of the server's day, so
-- one server heartbeating fast held its lock longer with each beat (one
-- server with 10,000 heartbeats: 5 ms a heartbeat).  A heartbeat now
-- works it out again only when a minute has passed since the last time,
-- or the server was not healthy and on time (back from stale, the first
-- heartbeat, a gap); otherwise it keeps the stored value.
ALTER TABLE servers ADD COLUMN heartbeat_uptime_at timestamptz;

-- hub_heartbeat_uptime as 011 defines it, in plpgsql: a SQL function
-- with CTEs is not inlined, and PostgreSQL plans it again on every call
-- (about 0.5 ms, more than the heartbeat's own statement); plpgsql keeps
-- its plan for the session.
CREATE OR REPLACE FUNCTION hub_heartbeat_uptime(sid uuid, every_s double precision)
    RETURNS double precision
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN (
    WITH w AS (SELECT hub_heartbeat_window(every_s) AS win,
                          now() - interval '24 hours' AS day0),
        first AS (SELECT min(h.at) AS at FROM heartbeats h WHERE h.server_id = sid),
        span AS (SELECT CASE WHEN first.at IS NOT NULL
                             THEN greatest(w.day0, first.at) END AS start
                   FROM w, first),
        hb AS (SELECT h.at, lead(h.at) OVER (ORDER BY h.at) AS next
                 FROM heartbeats h, w
                WHERE h.server_id = sid AND h.at > w.day0 - w.win),
        cover AS (SELECT greatest(hb.at, w.day0) AS a,
                         least(coalesce(hb.next, now()), hb.at + w.win, now()) AS b
                    FROM hb, w)
        SELECT CASE WHEN span.start IS NULL THEN NULL
                    WHEN now() <= span.start THEN 1.0::float8
                    ELSE least(1.0, (SELECT coalesce(sum(extract(epoch FROM
                                         greatest(b - a, interval '0'))), 0)
                                       FROM cover)::float8
                                    / extract(epoch FROM now() - span.start)::float8)
               END
          FROM span);
END
$$;

CREATE OR REPLACE FUNCTION hub_heartbeat_record(
        p_tid uuid, p_ksid uuid, p_slug text, p_via text, p_key_id uuid,
        p_tool_count int, p_names jsonb, p_scan jsonb, p_err text,
        p_failures int, p_sent_at text, p_mw_uptime bigint, p_sent bigint,
        p_failed bigint)
    RETURNS TABLE (slug text)
    LANGUAGE plpgsql VOLATILE
    AS $$
#variable_conflict use_column
DECLARE
    v_sid uuid;
BEGIN
    -- the server: its key's (and the slug, when one is given, must be
    -- its), or the slug a team key names
    SELECT s.id INTO v_sid FROM servers s
      WHERE s.tenant_id = p_tid
        AND CASE WHEN p_ksid IS NOT NULL
                 THEN s.id = p_ksid AND (p_slug IS NULL OR s.slug = p_slug)
                 ELSE s.slug = p_slug END
      FOR UPDATE;
    IF v_sid IS NULL THEN
        RETURN;
    END IF;
    -- the heartbeat, the server's tools and tool change, its counters,
    -- health and uptime: one statement
    RETURN QUERY
    WITH args AS (
      SELECT p_tid AS tid, p_ksid AS ksid, p_slug AS slug, p_via AS via,
             p_key_id AS key_id, p_tool_count AS tool_count, p_names AS names,
             p_scan AS scan, p_err AS err, p_failures AS failures,
             p_sent_at AS sent_at, p_mw_uptime AS mw_uptime, p_sent AS sent,
             p_failed AS failed),
     srv AS (SELECT s.* FROM servers s WHERE s.id = v_sid),
    -- the tools follow the names of heartbeat servers only
     sync AS (SELECT srv.id FROM srv, args a
       WHERE srv.mode = 'heartbeat' AND a.names IS NOT NULL),
     incoming AS (SELECT DISTINCT n AS name
       FROM args a, jsonb_array_elements_text(a.names) n
      WHERE EXISTS (SELECT 1 FROM sync)),
     before AS (SELECT t.name FROM tools t, sync
       WHERE t.server_id = v_sid),
    -- a change, not the first listing: names were reported before
     named AS (SELECT EXISTS (SELECT 1 FROM heartbeats h, sync
       WHERE h.server_id = v_sid AND h.tool_names IS NOT NULL) AS yes),
    -- the interval the server keeps: the median gap of its last ten
     prev AS (SELECT h.at FROM heartbeats h
       WHERE h.server_id = v_sid ORDER BY h.at DESC LIMIT 10),
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
      DELETE FROM tools t USING sync WHERE t.server_id = v_sid
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
     old AS (DELETE FROM heartbeats h WHERE h.server_id = v_sid
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
    -- (again at most once a minute while the server stays healthy and
    -- on time: the day's share moves slowly, and working it out reads
    -- every heartbeat of the day, under the row lock)
       uptime_24h = CASE WHEN s.uptime_24h IS NOT NULL
               AND s.heartbeat_uptime_at > now() - interval '60 seconds'
               AND s.health_status = 'healthy'
               AND s.last_heartbeat_at > now() - hub_heartbeat_window(every.s)
           THEN s.uptime_24h
           WHEN s.mode = 'heartbeat'
           THEN coalesce(hub_heartbeat_uptime(s.id, every.s), 1)
    -- a probed server: its heartbeats can only add evidence of life;
    -- the next probe weighs both again
           ELSE greatest(s.uptime_24h,
                         hub_heartbeat_uptime(s.id, every.s)) END,
       heartbeat_uptime_at = CASE WHEN s.uptime_24h IS NOT NULL
               AND s.heartbeat_uptime_at > now() - interval '60 seconds'
               AND s.health_status = 'healthy'
               AND s.last_heartbeat_at > now() - hub_heartbeat_window(every.s)
           THEN s.heartbeat_uptime_at ELSE now() END
      FROM args a, srv, every
     WHERE s.id = v_sid AND s.tenant_id = a.tid
     RETURNING s.slug;
END
$$;
