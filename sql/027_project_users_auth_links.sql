-- 027: Caylex's project users and auth links (/projects/{id}/auth-links,
-- /projects/{id}/users, /projects/{id}/authenticate-servers).
--
-- An auth link (sql/006's auth_links) is a capability with two halves:
-- its id names it and is shown in listings; its token (hubl_..., 32
-- random bytes, modules/common/hub_key.h) is shown once, in the link made
-- when the link is, and proves its holder may use it.  Only the token's
-- SHA-256 is kept.  A link from before this migration has no token and
-- can no longer be used (the /invite endpoints need the token).
ALTER TABLE auth_links ADD COLUMN token_hash text UNIQUE
    CHECK (token_hash ~ '^[0-9a-f]{64}$');

-- The server instances a link is for, in the order given, each valid for
-- an e-mail domain (user links) or one address (project links); NULL:
-- whoever holds the link (POST .../authenticate-servers).  Caylex's
-- server_instance_invite_link_association.  auth_links.valid_for stays
-- the link's admission list (the distinct valid_for of its instances),
-- written by the same statement.
CREATE TABLE auth_link_instances (
    auth_link_id       uuid NOT NULL REFERENCES auth_links (id) ON DELETE CASCADE,
    server_instance_id uuid NOT NULL REFERENCES server_instances (id) ON DELETE CASCADE,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    valid_for          text CHECK (length(valid_for) BETWEEN 1 AND 254),
    position           integer NOT NULL,
    PRIMARY KEY (auth_link_id, server_instance_id)
);
CREATE INDEX auth_link_instances_instance_idx ON auth_link_instances (server_instance_id);
CREATE INDEX auth_link_instances_tenant_idx ON auth_link_instances (tenant_id);

INSERT INTO auth_link_instances (auth_link_id, server_instance_id, tenant_id,
                                 valid_for, position)
SELECT l.id, si.id, l.tenant_id, l.valid_for[1], x.n
  FROM auth_links l
 CROSS JOIN LATERAL unnest(l.server_instances) WITH ORDINALITY AS x(id, n)
  JOIN server_instances si ON si.id = x.id AND si.tenant_id = l.tenant_id
                          AND si.project_id = l.project_id
    ON CONFLICT DO NOTHING;
ALTER TABLE auth_links DROP COLUMN server_instances;

-- A completion's first time beside its latest (completed_at): Caylex's
-- first_authenticated and last_authenticated of a link's users.
ALTER TABLE auth_link_users ADD COLUMN first_completed_at timestamptz;
UPDATE auth_link_users SET first_completed_at = completed_at;
ALTER TABLE auth_link_users ALTER COLUMN first_completed_at SET NOT NULL,
                            ALTER COLUMN first_completed_at SET DEFAULT now();
CREATE INDEX auth_link_users_user_idx ON auth_link_users (user_id);

-- The users of a project: who came in through one of its auth links
-- (Caylex's user tokens; the id is its user_token_id and the {user_id}
-- of /projects/{project_id}/users/{user_id}).
CREATE TABLE project_users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, user_id)
);
CREATE INDEX project_users_tenant_idx ON project_users (tenant_id, project_id);
CREATE INDEX project_users_user_idx ON project_users (user_id);

-- Which server instances of the project each of them has authenticated
-- to, how (the server's auth method then), when last, and through which
-- link (Caylex's user_server_authentication and current_auth_link).  No
-- credential is kept here.
CREATE TABLE project_user_servers (
    project_user_id    uuid NOT NULL REFERENCES project_users (id) ON DELETE CASCADE,
    server_instance_id uuid NOT NULL REFERENCES server_instances (id) ON DELETE CASCADE,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    auth_method        text NOT NULL
                       CHECK (auth_method IN ('none', 'header', 'query', 'path', 'oauth')),
    auth_link_id       uuid REFERENCES auth_links (id) ON DELETE SET NULL,
    authenticated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_user_id, server_instance_id)
);
CREATE INDEX project_user_servers_instance_idx ON project_user_servers (server_instance_id);
CREATE INDEX project_user_servers_tenant_idx ON project_user_servers (tenant_id);
CREATE INDEX project_user_servers_link_idx ON project_user_servers (auth_link_id);

-- A week of one user's gateway calls in a tenant (the users list's
-- weekly_tool_calls) without reading the tenant's whole week.
CREATE INDEX mcp_calls_user_idx ON mcp_calls (tenant_id, user_id, at)
    WHERE user_id IS NOT NULL;
