-- 007: the server registry of mod_hub_servers.  One row per MCP server,
-- seen through Patchwork, Tool Hub, GoClaw and Caylex alike.
--
-- slug is the normalised name, unique in its tenant (GoClaw's and Caylex's
-- `name`, Patchwork's `slug`); name is the human one (GoClaw's
-- display_name).  mode: `remote` (the hub reaches it at endpoint),
-- `stdio` (a command the hub runs, allowed by HubStdioAllow), `heartbeat`
-- (no endpoint: Patchwork's middleware reports through heartbeats).
--
-- Upstream credentials never sit here in clear: auth_config holds only
-- their shape (header names and prefixes, parameter names, OAuth scopes
-- and metadata), `secrets` maps a name ("header:Authorization",
-- "query:api_key", "path:token", "oauth:client_id", "oauth:client_secret",
-- "env:NAME", "api_key") to AES-256-GCM text "v1:..." whose additional
-- data is the tenant id (modules/common/hub_secret.h).  No statement that
-- answers a request selects `secrets`.
CREATE TABLE servers (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug           text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,99}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    mode           text NOT NULL DEFAULT 'remote'
                   CHECK (mode IN ('remote', 'stdio', 'heartbeat')),
    transport      text NOT NULL DEFAULT 'streamable_http'
                   CHECK (transport IN ('streamable_http', 'sse', 'stdio')),
    endpoint       text CHECK (endpoint ~* '^https?://' AND length(endpoint) <= 2048),
    command        text CHECK (length(command) BETWEEN 1 AND 200),
    args           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(args) = 'array'),
    env_names      text[] NOT NULL DEFAULT '{}',
    auth_method    text NOT NULL DEFAULT 'none'
                   CHECK (auth_method IN ('none', 'header', 'query', 'path', 'oauth')),
    auth_level     text NOT NULL DEFAULT 'project'
                   CHECK (auth_level IN ('project', 'user')),
    auth_config    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(auth_config) = 'object'),
    secrets        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(secrets) = 'object'),
    query_params   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(query_params) = 'array'),
    server_type    text NOT NULL DEFAULT 'external'
                   CHECK (server_type IN ('caylex', 'external', 'foundry')),
    registry_id    uuid,
    logo_url       text CHECK (length(logo_url) <= 2048),
    github_repo    text NOT NULL DEFAULT '' CHECK (length(github_repo) <= 500),
    default_branch text NOT NULL DEFAULT 'main' CHECK (length(default_branch) <= 200),
    tool_prefix    text CHECK (length(tool_prefix) <= 100),
    timeout_sec    integer NOT NULL DEFAULT 60 CHECK (timeout_sec BETWEEN 1 AND 600),
    enabled        boolean NOT NULL DEFAULT true,
    health_status  text NOT NULL DEFAULT 'unknown'
                   CHECK (health_status IN ('unknown', 'healthy', 'degraded', 'down', 'stale')),
    last_check_at  timestamptz,          -- the prober's, later
    last_ok_at     timestamptz,
    uptime_24h     double precision,
    created_by     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, slug),
    CHECK (mode <> 'remote' OR endpoint IS NOT NULL),
    CHECK (mode <> 'stdio' OR (command IS NOT NULL AND transport = 'stdio'))
);
CREATE INDEX servers_tenant_idx ON servers (tenant_id, created_at);

-- A server connected to a project (Caylex's server instances).  A server
-- in use cannot be deleted: the delete statement checks, and RESTRICT
-- backs it up.
CREATE TABLE server_instances (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    server_id  uuid NOT NULL REFERENCES servers (id) ON DELETE RESTRICT,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status     text NOT NULL DEFAULT 'active'
               CHECK (status IN ('active', 'inactive', 'error')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (server_id, project_id)
);
CREATE INDEX server_instances_tenant_idx ON server_instances (tenant_id);
CREATE INDEX server_instances_project_idx ON server_instances (project_id);
