-- 004: logins.  Sessions behind cookies, refresh tokens in families (a
-- reused one revokes its family), and the login throttle.  Tokens are
-- stored only as SHA-256.

-- Tool Hub's tokens name users by their own id (`sub`); a user seen first
-- in such a token is provisioned with it.
ALTER TABLE users ADD COLUMN external_id text UNIQUE;
-- the tenant a user acts in when a request does not name one
ALTER TABLE users ADD COLUMN default_tenant_id uuid
    REFERENCES tenants (id) ON DELETE SET NULL;

CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- One family per login: every refresh rotates the token inside it; a
-- token used twice means it leaked, and the whole family is revoked.
-- Access tokens carry the family id (`sid`), so logout ends them too.
CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    family_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Failed logins per account ('acct:<email>') and per client address
-- ('ip:<address>'), in a sliding window; shared by every httpd host.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    window_start  timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);
