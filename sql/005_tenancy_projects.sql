-- 005: what Caylex's members and the projects of Caylex and G4F need
-- beyond the core tables.

-- Members.  A member's name and time zone as a tenant's admins see and set
-- them belong to the membership, not to the user: a user in two tenants
-- must not be renamed in one by the admins of the other.  `name` falls
-- back to the user's own display_name when the tenant never set one.
ALTER TABLE memberships ADD COLUMN display_name text
    CHECK (length(display_name) <= 200);
ALTER TABLE memberships ADD COLUMN timezone text
    CHECK (length(timezone) BETWEEN 1 AND 64);
-- Caylex's `confirmed_at`: when the membership was approved.  It follows
-- `state` whoever writes the row (hubctl, invites, approval), so the two
-- can never disagree.
ALTER TABLE memberships ADD COLUMN confirmed_at timestamptz;
UPDATE memberships SET confirmed_at = created_at WHERE state = 'active';

CREATE FUNCTION memberships_confirmed_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'pending' THEN
        NEW.confirmed_at := NULL;
    ELSIF NEW.confirmed_at IS NULL THEN
        NEW.confirmed_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER memberships_confirmed_at
    BEFORE INSERT OR UPDATE OF state, confirmed_at ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_confirmed_at();

-- Projects.  Caylex's icon and webhooks, G4F's status, environment and
-- repository, on the one table both documents share.
ALTER TABLE projects ADD COLUMN icon text CHECK (length(icon) <= 500);
ALTER TABLE projects ADD COLUMN webhook_config jsonb
    CHECK (webhook_config IS NULL
           OR (jsonb_typeof(webhook_config) = 'array'
               AND jsonb_array_length(webhook_config) <= 5));
ALTER TABLE projects ADD COLUMN status text NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'paused', 'archived'));
ALTER TABLE projects ADD COLUMN environment text
    CHECK (length(environment) BETWEEN 1 AND 64);
ALTER TABLE projects ADD COLUMN repo jsonb
    CHECK (repo IS NULL OR jsonb_typeof(repo) = 'object');
-- written by the repository endpoints when they exist
ALTER TABLE projects ADD COLUMN last_commit jsonb;
ALTER TABLE projects ADD CONSTRAINT projects_description_check
    CHECK (length(description) <= 5000);
-- the listings' order: newest first, id breaking ties
CREATE INDEX projects_tenant_newest_idx ON projects (tenant_id, created_at DESC, id DESC);

-- Webhook secrets are write-only: answers show "********" where one is
-- set, and an item sent back with "********" keeps the secret stored for
-- the webhook with the same url, so a client can read, edit and write the
-- list without knowing (or erasing) its secrets.
CREATE FUNCTION hub_webhooks_masked(hooks jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN hooks IS NULL OR jsonb_typeof(hooks) <> 'array' THEN hooks
           ELSE coalesce((SELECT jsonb_agg(CASE WHEN jsonb_typeof(h -> 'secret') = 'string'
                                                THEN jsonb_set(h, '{secret}', '"********"')
                                                ELSE h END ORDER BY i)
                            FROM jsonb_array_elements(hooks) WITH ORDINALITY AS x (h, i)),
                         '[]'::jsonb) END
    $$;

CREATE FUNCTION hub_webhooks_merge(new_hooks jsonb, old_hooks jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN new_hooks IS NULL OR jsonb_typeof(new_hooks) <> 'array' THEN new_hooks
           ELSE coalesce((SELECT jsonb_agg(CASE WHEN h ->> 'secret' = '********'
                         THEN jsonb_set(h, '{secret}', coalesce(
                              (SELECT o -> 'secret'
                                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(old_hooks) = 'array'
                                                                THEN old_hooks ELSE '[]' END) AS y (o)
                                WHERE o ->> 'url' = h ->> 'url' LIMIT 1), 'null'))
                         ELSE h END ORDER BY i)
                            FROM jsonb_array_elements(new_hooks) WITH ORDINALITY AS x (h, i)),
                         '[]'::jsonb) END
    $$;
