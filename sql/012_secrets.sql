-- 012: Tool Hub's secrets (GET|POST /api/secrets, PUT|DELETE
-- /api/secrets/:name).
--
-- A secret is a named value a tenant keeps for its upstream servers: a
-- server's stored credential may be `${secret:NAME}`, which the prober
-- replaces with the value of NAME in the server's tenant when it builds
-- the request (hub_servers_mcp_target).  The value is never here in
-- clear: it is AES-256-GCM text "v1:..." whose additional data is the
-- tenant id (modules/common/hub_secret.h), sealed with HubSecretKeyFile.
-- No statement that answers a request selects `value`.
CREATE TABLE secrets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
    value       text NOT NULL CHECK (value LIKE 'v1:%'),
    description text CHECK (length(description) <= 5000),
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
