-- 039: the tool registries of GoClaw and G4F (mod_hub_servers,
-- hub_servers_custom_tools.c, hub_servers_g4f_tools.c,
-- hub_servers_skills.c, hub_servers_builtin_tools.c).
--
--   custom_tools        a tenant's own tools: GoClaw's /v1/tools/custom
--                       and G4F's /tools are this one table (GoClaw's
--                       `parameters` is G4F's `schema`).  What calling one
--                       does is its handler: an HTTP request, or a tool
--                       of one of the tenant's MCP servers; never a
--                       command on the hub's host
--   skills              GoClaw's skills: a named package (SKILL.md with
--                       its front matter, and the files beside it)
--   builtin_tool_settings
--                       a tenant's settings of the hub's own tools (the
--                       gateway's meta tools); no row: the defaults

CREATE TABLE custom_tools (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- the name an agent calls it by
    name         text NOT NULL CHECK (name ~ '^[A-Za-z][A-Za-z0-9_.-]{0,63}$'),
    -- G4F's scope, free text such as 'tenant', 'project', 'session'
    scope        text NOT NULL DEFAULT 'tenant'
                 CHECK (scope ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    -- the JSON schema of the arguments (an object schema)
    parameters   jsonb NOT NULL DEFAULT '{"type": "object"}'
                 CHECK (jsonb_typeof(parameters) = 'object'),
    -- {"type": "http", "url", "method", "headers": [names]} or
    -- {"type": "mcp", "server_id", "tool"}: never a secret (header
    -- values live sealed in secrets)
    handler      jsonb NOT NULL CHECK (handler->>'type' IN ('http', 'mcp')),
    -- an http handler's header values: {"name": "v1:..."} sealed like a
    -- server's (hub_secret.h, the tenant id as additional data); they may
    -- hold ${secret:NAME} references, resolved when the tool is called
    secrets      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(secrets) = 'object'),
    -- an mcp handler's server: deleting the server deletes its tools
    server_id    uuid REFERENCES servers (id) ON DELETE CASCADE,
    timeout_seconds integer NOT NULL DEFAULT 30
                 CHECK (timeout_seconds BETWEEN 1 AND 120),
    enabled      boolean NOT NULL DEFAULT true,
    created_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE INDEX custom_tools_tenant_created_idx
    ON custom_tools (tenant_id, created_at DESC, id);

CREATE TABLE skills (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- the front matter's name: lowercase letters, digits and hyphens
    name         text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    description  text NOT NULL CHECK (length(description) BETWEEN 1 AND 1024),
    -- SKILL.md as uploaded (front matter included)
    content      text NOT NULL,
    -- the other files: [{"path", "content"}], text only
    files        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(files) = 'array'),
    -- bytes of SKILL.md and the files together
    size         integer NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL,
    version      integer NOT NULL DEFAULT 1,
    enabled      boolean NOT NULL DEFAULT true,
    created_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

CREATE TABLE builtin_tool_settings (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text NOT NULL,
    enabled      boolean NOT NULL DEFAULT true,
    settings     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
