-- 020: navigators, the MCP endpoints agents connect to (Caylex's
-- navigators; the issue "The MCP gateway").  A navigator is connected to
-- projects; each connection is a navigator instance, which serves the
-- tools of the project's server instances, as the per-tool permissions
-- of that instance allow.
CREATE TABLE navigators (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text CHECK (length(description) <= 5000),
    -- the name agents see: a slug of the name, unique in the tenant
    api_name    text NOT NULL CHECK (api_name ~ '^[a-z0-9]([a-z0-9_-]{0,62})$'),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, api_name)
);
CREATE INDEX navigators_tenant_idx ON navigators (tenant_id, created_at);

CREATE TABLE navigator_instances (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    navigator_id uuid NOT NULL REFERENCES navigators (id) ON DELETE CASCADE,
    project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    dynamic_suggestions_enabled boolean NOT NULL DEFAULT false,
    context_maps_enabled        boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (navigator_id, project_id)
);
CREATE INDEX navigator_instances_tenant_idx
    ON navigator_instances (tenant_id, created_at);
CREATE INDEX navigator_instances_project_idx ON navigator_instances (project_id);

-- A tool without a row here is always_execute: a server instance added
-- to the project serves its tools at once, as Caylex does; an operator
-- disables what should not be reachable.
CREATE TABLE navigator_tool_permissions (
    navigator_instance_id uuid NOT NULL
        REFERENCES navigator_instances (id) ON DELETE CASCADE,
    tool_id    uuid NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode       text NOT NULL
               CHECK (mode IN ('always_execute', 'require_approval', 'disabled')),
    -- calls a minute through this instance; NULL: no limit of its own
    rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (navigator_instance_id, tool_id)
);
CREATE INDEX navigator_tool_permissions_tenant_idx
    ON navigator_tool_permissions (tenant_id);
CREATE INDEX navigator_tool_permissions_tool_idx
    ON navigator_tool_permissions (tool_id);
