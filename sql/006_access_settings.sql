-- 006: platform access tokens, invites (auth links), password resets,
-- general settings of a user, and the tenant settings of G4F with their
-- audit trail.

-- Caylex's platform access tokens are API keys of their own kind, so they
-- authenticate as bearer tokens through the same lookup; `description` is
-- Caylex's free text beside the name.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'api_key';
ALTER TABLE api_keys ADD CONSTRAINT api_keys_kind_check
    CHECK (kind IN ('api_key', 'platform'));
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS description text;
CREATE INDEX api_keys_kind_idx ON api_keys (tenant_id, kind, created_at);

-- Caylex /settings/general: a user's time zone (IANA name).
ALTER TABLE users ADD COLUMN IF NOT EXISTS timezone text NOT NULL DEFAULT 'UTC';

-- A member can be disabled in one tenant (G4F PATCH /admin/users
-- {disabled}) without touching their account or their other tenants.
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_state_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_state_check
    CHECK (state IN ('pending', 'active', 'disabled'));

-- Caylex invites ("auth links").  The id is the capability in the link,
-- so it is a random UUID; `valid_for` holds e-mail domains for 'user'
-- links and e-mail addresses for 'project' links (NULL: anybody).
CREATE TABLE auth_links (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    link_type        text NOT NULL CHECK (link_type IN ('user', 'project')),
    valid_for        text[],
    role             text NOT NULL DEFAULT 'member'
                     CHECK (role IN ('admin', 'member', 'viewer')),
    server_instances uuid[] NOT NULL DEFAULT '{}',
    expires_at       timestamptz NOT NULL,
    revoked_at       timestamptz,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_links_tenant_idx ON auth_links (tenant_id, project_id, created_at);

-- Who completed which invite (Caylex's user_invite_link_association).
CREATE TABLE auth_link_users (
    auth_link_id    uuid NOT NULL REFERENCES auth_links (id) ON DELETE CASCADE,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    descope_user_id text,
    completed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (auth_link_id, user_id)
);
CREATE INDEX auth_link_users_tenant_idx ON auth_link_users (tenant_id);

-- Password reset tokens: only the SHA-256 of the token sent by mail is
-- kept; single use (used_at), short lived (expires_at).
CREATE TABLE password_resets (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- G4F /settings: one JSON document per tenant.
CREATE TABLE tenant_settings (
    tenant_id  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    settings   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every change of a tenant's settings, one row per changed path.
-- `seq` orders the trail and is the pagination cursor.
CREATE TABLE settings_audit (
    id            uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor         text,
    path          text NOT NULL,
    from_value    jsonb,
    to_value      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX settings_audit_tenant_idx ON settings_audit (tenant_id, seq DESC);
