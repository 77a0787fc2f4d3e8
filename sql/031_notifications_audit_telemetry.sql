-- 031: notifications, the audit trail and telemetry alerts
-- (mod_hub_analytics: hub_analytics_notifications.c, _audit.c,
-- _telemetry.c, _alerts.c, _events.c).
--
-- One notifications table serves Caylex's inbox (/notifications with
-- per-user watermarks) and G4F's (/notifications with per-user acks).
-- Rows come from the analytics watchdog: the gateway's failed calls
-- (mcp_calls) coalesced per event type, server, tool and minute, and
-- telemetry alerts that start firing.

-- who reads: the user behind the credentials, else the key itself (a
-- key bound to no user has an inbox of its own); NULL for a Caylex
-- platform access token, which is no person: it sees the inbox with no
-- watermarks and its read-all / clear-all change nothing
CREATE FUNCTION hub_notification_reader(key_id uuid, user_id uuid)
    RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM api_keys k
                              WHERE k.id = key_id AND k.kind = 'platform')
                THEN NULL ELSE coalesce(user_id, key_id) END $$;

CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id  uuid,
    event_type  text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
    severity    text NOT NULL
                CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body        text CHECK (length(body) <= 4000),
    data        jsonb NOT NULL DEFAULT '{}',
    target_type text,
    target_id   text,
    actor_id    uuid,
    -- what coalesces: a second batch of the same server, tool, event
    -- type and minute adds to this row's data.count (NULL: never merged)
    dedup_key   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, dedup_key)
);
CREATE INDEX notifications_tenant_idx
    ON notifications (tenant_id, created_at DESC, seq DESC);

-- Caylex's per-reader watermarks: read up to last_read_at, cleared
-- (hidden) up to last_cleared_at
CREATE TABLE notification_watermarks (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    reader_id       uuid NOT NULL,
    last_read_at    timestamptz,
    last_cleared_at timestamptz,
    PRIMARY KEY (tenant_id, reader_id)
);

-- G4F's per-reader acks
CREATE TABLE notification_acks (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    notification_id uuid NOT NULL REFERENCES notifications (id)
                    ON DELETE CASCADE,
    reader_id       uuid NOT NULL,
    acked_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, reader_id)
);

-- When a call record was written, not when the call began (`at`): a
-- call that ran 60 s is written a minute after its `at`, and the
-- watchdog's watermark must not pass over it.  The partial index keeps
-- the watchdog's scan to the failed calls.
ALTER TABLE mcp_calls ADD COLUMN recorded_at timestamptz NOT NULL
    DEFAULT now();
CREATE INDEX mcp_calls_failed_recorded_idx ON mcp_calls (recorded_at)
    WHERE NOT ok;

-- How far each tenant's failed calls have been turned into
-- notifications.  One row per tenant, locked (FOR UPDATE SKIP LOCKED) by
-- the host that works on it, and moved in the same statement that writes
-- the notifications: several hosts never notify one call twice.  A
-- tenant starts at its creation; the tenants of before this migration
-- at its time (their history is not notified).
CREATE TABLE notification_feeds (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    seen_at   timestamptz NOT NULL
);
INSERT INTO notification_feeds (tenant_id, seen_at)
     SELECT id, now() FROM tenants;

-- The audit trail that G4F's /audit and GoClaw's /v1/activity read.
-- Written by the hub's own key mutations (hub_audit.c) and, by the
-- trigger below, by every G4F settings change (settings_audit).
CREATE TABLE audit_events (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id    uuid,
    actor_type    text NOT NULL DEFAULT 'user'
                  CHECK (actor_type IN ('user', 'key', 'system')),
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_id      text,  -- the user's or key's id, "system" for the hub
    actor         text,  -- for people: the email, or the key's name
    type          text NOT NULL CHECK (type ~ '^[a-z_]+(\.[a-z_]+)+$'),
    entity_type   text,
    entity_id     text,
    data          jsonb NOT NULL DEFAULT '{}',
    ip_address    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, seq DESC);

CREATE FUNCTION hub_settings_audit_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_events (tenant_id, actor_type, actor_user_id, actor_id,
                              actor, type, entity_type, entity_id, data,
                              created_at)
    VALUES (NEW.tenant_id,
            CASE WHEN NEW.actor_user_id IS NULL THEN 'key' ELSE 'user' END,
            NEW.actor_user_id, NEW.actor_user_id::text, NEW.actor,
            'settings.changed', 'settings', NEW.path,
            jsonb_build_object('path', NEW.path, 'from', NEW.from_value,
                               'to', NEW.to_value),
            NEW.created_at);
    RETURN NULL;
END $$;
CREATE TRIGGER settings_audit_event AFTER INSERT ON settings_audit
    FOR EACH ROW EXECUTE FUNCTION hub_settings_audit_event();

-- G4F's telemetry alerts over the streams of hub_analytics_telemetry.c:
-- the stream's value over the last `window_s` seconds compared with
-- `threshold` by `op`.  state is ok or firing: an alert notifies when it
-- turns firing, and not again until it has been ok in between.
CREATE TABLE telemetry_alerts (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id         uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    server_instance_id uuid REFERENCES server_instances (id) ON DELETE CASCADE,
    stream_id          text NOT NULL,
    metric             text NOT NULL
                       CHECK (metric IN ('calls', 'error_rate', 'latency_p95')),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    op                 text NOT NULL CHECK (op IN ('>', '>=', '<', '<=')),
    threshold          double precision NOT NULL,
    window_s           integer NOT NULL CHECK (window_s BETWEEN 60 AND 86400),
    condition          jsonb NOT NULL,
    actions            jsonb NOT NULL,
    severity           text NOT NULL DEFAULT 'warning'
                       CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    state              text NOT NULL DEFAULT 'ok'
                       CHECK (state IN ('ok', 'firing')),
    last_value         double precision,
    evaluated_at       timestamptz NOT NULL DEFAULT '-infinity',
    fired_at           timestamptz,
    fire_count         integer NOT NULL DEFAULT 0,
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telemetry_alerts_due_idx ON telemetry_alerts (evaluated_at);
CREATE INDEX telemetry_alerts_tenant_idx ON telemetry_alerts (tenant_id);
