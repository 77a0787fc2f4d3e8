-- 008: probing.  The prober (mod_hub_servers on mod_watchdog) claims due
-- servers with FOR UPDATE SKIP LOCKED and a lease (probe_claimed_until),
-- so several httpd hosts sharing this database probe each server once per
-- interval, and a host that dies mid-probe loses its claim when the lease
-- ends.  A probe writes its result, the server's tools, a tool-change
-- event when the set moved, and the server's health, in one statement.
ALTER TABLE servers DROP CONSTRAINT servers_health_status_check;
ALTER TABLE servers ADD CONSTRAINT servers_health_status_check
    CHECK (health_status IN ('unknown', 'healthy', 'degraded', 'down',
                             'stale', 'unauthorized'));
ALTER TABLE servers
    ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
    ADD COLUMN next_probe_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN probe_requested_at timestamptz,
    ADD COLUMN probe_claimed_until timestamptz,
    ADD COLUMN protocol_version text,
    ADD COLUMN tool_count integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error text;
CREATE INDEX servers_due_idx ON servers (next_probe_at)
    WHERE mode = 'remote' AND enabled;

-- The tools a server offers, as its last good probe listed them.
CREATE TABLE tools (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id     uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    name          text NOT NULL,
    title         text,
    description   text,
    input_schema  jsonb NOT NULL DEFAULT '{}',
    definition    jsonb NOT NULL,             -- as the server gave it
    enabled       boolean NOT NULL DEFAULT true,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (server_id, name)
);
CREATE INDEX tools_tenant_idx ON tools (tenant_id);

CREATE TABLE tool_changes (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id         uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    at                timestamptz NOT NULL DEFAULT now(),
    added             text[] NOT NULL DEFAULT '{}',
    removed           text[] NOT NULL DEFAULT '{}',
    tool_count_before integer NOT NULL,
    tool_count_after  integer NOT NULL
);
CREATE INDEX tool_changes_server_idx ON tool_changes (server_id, at DESC);

CREATE TABLE probe_results (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id        uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    at               timestamptz NOT NULL DEFAULT now(),
    ok               boolean NOT NULL,
    unauthorized     boolean NOT NULL DEFAULT false,
    latency_ms       double precision,
    http_status      integer,
    protocol_version text,
    tool_count       integer,
    error            text
);
CREATE INDEX probe_results_server_idx ON probe_results (server_id, at DESC);
