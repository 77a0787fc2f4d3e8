-- 024: what stands between an agent's tools/call and its upstream, for
-- the tools a navigator instance's permissions mark (sql/020):
--
-- require_approval: the call is not made; it waits here as a request an
-- operator approves or denies (the Caylex routes under
-- /navigator-instances/{id}/approvals, a hub extension).  The agent is
-- told so; once approved, the same call (same caller, tool and
-- arguments) goes through, once.
CREATE TABLE tool_call_approvals (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    navigator_instance_id uuid NOT NULL
        REFERENCES navigator_instances (id) ON DELETE CASCADE,
    tool_id     uuid NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    tool_name   text NOT NULL CHECK (length(tool_name) <= 300),
    arguments   jsonb NOT NULL,
    -- SHA-256 of the arguments' canonical text: "the same call"
    arguments_hash text NOT NULL CHECK (arguments_hash ~ '^[0-9a-f]{64}$'),
    requested_by text NOT NULL CHECK (length(requested_by) <= 200),
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    decided_by  text CHECK (length(decided_by) <= 300),
    decided_at  timestamptz,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- an approval not used by then is worth nothing
    expires_at  timestamptz NOT NULL DEFAULT now() + interval '24 hours'
);
CREATE INDEX tool_call_approvals_instance_idx
    ON tool_call_approvals (navigator_instance_id, status, created_at);
CREATE INDEX tool_call_approvals_tenant_idx ON tool_call_approvals (tenant_id);
CREATE INDEX tool_call_approvals_tool_idx ON tool_call_approvals (tool_id);

-- rate_limit_per_minute: calls counted per instance, tool and minute,
-- in the database, so that every host sharing it counts the same calls.
CREATE TABLE navigator_rate_windows (
    navigator_instance_id uuid NOT NULL
        REFERENCES navigator_instances (id) ON DELETE CASCADE,
    tool_id  uuid NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    minute   timestamptz NOT NULL,
    calls    integer NOT NULL,
    PRIMARY KEY (navigator_instance_id, tool_id, minute)
);
CREATE INDEX navigator_rate_windows_minute_idx ON navigator_rate_windows (minute);
CREATE INDEX navigator_rate_windows_tool_idx ON navigator_rate_windows (tool_id);
CREATE INDEX navigator_rate_windows_tenant_idx ON navigator_rate_windows (tenant_id);
