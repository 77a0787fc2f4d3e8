-- 009: server keys (Patchwork's ServerKeyAuth): a bearer key per server,
-- for what the server itself reports (heartbeats, feedback).  Like API
-- keys: 32 random bytes after `hubs_`, shown once, stored as SHA-256.
CREATE TABLE server_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id    uuid NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    prefix       text NOT NULL CHECK (length(prefix) = 8),
    key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX server_keys_server_idx ON server_keys (server_id);
