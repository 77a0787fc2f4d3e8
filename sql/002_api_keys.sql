-- 002: API keys, stored only as hashes.  The key itself is shown once at
-- creation; `prefix` (its first 8 characters) identifies it in listings.
-- mod_hub_auth (issue 3) authenticates with them; `./tools/hub run` mints
-- the first superuser's key into this table.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix       text NOT NULL CHECK (length(prefix) = 8),
    key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    scopes       text[] NOT NULL DEFAULT '{}',
    is_prod      boolean NOT NULL DEFAULT false,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);
