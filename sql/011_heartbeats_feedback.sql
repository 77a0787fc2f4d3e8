-- 011: heartbeats and feedback (Patchwork's POST /api/v1/heartbeat/ and
-- POST /api/v1/feedback/).
--
-- A heartbeat is what a server's middleware reports about itself: its
-- tool names and count, its own scan of its tools, and its delivery
-- counters (heartbeats sent and failed, failures in a row, the last
-- error's type).  Every heartbeat is kept (30 days); the server row keeps
-- the latest report.  For servers in `heartbeat` mode the heartbeats are
-- what probes are for the others: they set the tools, the health and
-- uptime_24h, and a server whose heartbeats stop goes `stale`.

CREATE TABLE heartbeats (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id                 uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id                 uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    at                        timestamptz NOT NULL DEFAULT now(),
    via                       text NOT NULL CHECK (via IN ('server_key', 'api_key')),
    key_id                    uuid,           -- server_keys.id or api_keys.id
    tool_count                integer,
    tool_names                text[],         -- NULL: names not reported
    scan_results              jsonb CHECK (jsonb_typeof(scan_results) = 'array'),
    last_error_type           text,
    consecutive_failures      integer,
    sent_at                   text,           -- as the middleware wrote it
    middleware_uptime_seconds bigint,
    heartbeats_sent           bigint,
    heartbeats_failed         bigint
);
CREATE INDEX heartbeats_server_idx ON heartbeats (server_id, at DESC);
CREATE INDEX heartbeats_tenant_idx ON heartbeats (tenant_id);

-- The latest report, on the server.  heartbeat_every_s is the interval
-- the server keeps (the median gap of its last ten heartbeats): three of
-- them without a heartbeat and the server is stale.
ALTER TABLE servers
    ADD COLUMN last_heartbeat_at timestamptz,
    ADD COLUMN heartbeat_every_s double precision,
    ADD COLUMN heartbeat_failures integer,
    ADD COLUMN heartbeat_last_error text,
    ADD COLUMN heartbeats_sent bigint,
    ADD COLUMN heartbeats_failed bigint,
    ADD COLUMN scan_results jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(scan_results) = 'array'),
    ADD COLUMN scan_at timestamptz;
-- what the prober's tick looks at to mark servers stale
CREATE INDEX servers_heartbeat_live_idx ON servers (last_heartbeat_at)
    WHERE mode = 'heartbeat' AND health_status <> 'stale';

-- How long a server may go without a heartbeat before it is stale: three
-- of its intervals (60 s, the Patchwork middleware's, until two
-- heartbeats have shown its own).
CREATE FUNCTION hub_heartbeat_window(every_s double precision) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT make_interval(secs => 3 * coalesce(every_s, 60)) $$;

-- uptime_24h of a heartbeat server: the share of the last 24 hours (or
-- of the time since its first heartbeat, when that is later) covered by
-- heartbeats, each covering up to the next one but never more than the
-- stale window.  NULL before the first heartbeat.
CREATE FUNCTION hub_heartbeat_uptime(sid uuid, every_s double precision)
    RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
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
      FROM span
    $$;

-- Feedback from agents through a server's drop-in tool.  Every field of
-- FeedbackIn is kept; junk (empty, oversized, the same words again from
-- the same session within minutes) is kept too, with filter_reason, and
-- counted nowhere.
CREATE TABLE feedback (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id       uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    via             text NOT NULL CHECK (via IN ('server_key', 'api_key')),
    key_id          uuid,                    -- server_keys.id or api_keys.id
    what_i_needed   text NOT NULL,
    what_i_tried    text NOT NULL,
    gap_type        text NOT NULL DEFAULT 'other'
                    CHECK (gap_type IN ('missing_tool', 'incomplete_results',
                                        'missing_parameter', 'wrong_format',
                                        'other')),
    suggestion      text NOT NULL DEFAULT '',
    user_goal       text NOT NULL DEFAULT '',
    resolution      text NOT NULL DEFAULT '',
    tools_available text[] NOT NULL DEFAULT '{}',
    agent_model     text NOT NULL DEFAULT '',
    session_id      text NOT NULL DEFAULT '',
    client_type     text NOT NULL DEFAULT '',
    fingerprint     text NOT NULL,           -- md5 of the normalised words
    filter_reason   text CHECK (filter_reason IN ('empty', 'oversized',
                                                  'duplicate')),
    filtered        boolean GENERATED ALWAYS AS (filter_reason IS NOT NULL) STORED,
    reviewed_at     timestamptz
);
CREATE INDEX feedback_server_idx ON feedback (server_id, created_at DESC);
CREATE INDEX feedback_repeat_idx ON feedback (server_id, session_id, fingerprint,
                                              created_at DESC);
CREATE INDEX feedback_tenant_idx ON feedback (tenant_id);
