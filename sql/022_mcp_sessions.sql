-- 022: the gateway's MCP sessions (the 2025-11-25 era of the protocol:
-- initialize, then Mcp-Session-Id on every request).  A session lives in
-- the database, not in a child's memory, so any httpd host sharing the
-- database continues it: no sticky sessions.  The id itself is shown to
-- the client once and stored as its SHA-256 only, like every credential.
CREATE TABLE mcp_sessions (
    id_hash      text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    navigator_instance_id uuid NOT NULL
        REFERENCES navigator_instances (id) ON DELETE CASCADE,
    -- who opened it ("key:<id>", "user:<id>", "gateway"): only the same
    -- caller continues it, as the specification asks of a server
    owner        text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    protocol_version text NOT NULL CHECK (length(protocol_version) <= 20),
    client_name    text CHECK (length(client_name) <= 200),
    client_version text CHECK (length(client_version) <= 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- touched at most once a minute (the idle limit is HubMcpSessionIdle)
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE INDEX mcp_sessions_instance_idx
    ON mcp_sessions (navigator_instance_id, last_seen_at);
CREATE INDEX mcp_sessions_tenant_idx ON mcp_sessions (tenant_id);
