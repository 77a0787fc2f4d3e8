-- 021: navigator-instance API keys (Caylex's /navigator-instances/{id}/
-- api-keys): keys of their own kind, bound to one navigator instance,
-- for agents that connect to that instance's MCP endpoint.  They carry
-- no scope and no user, and the hub's credential lookup skips them: on
-- the management API they are no credential at all (401); the gateway
-- accepts them for their own instance only.  They go with the instance.
ALTER TABLE api_keys ADD COLUMN navigator_instance_id uuid
    REFERENCES navigator_instances (id) ON DELETE CASCADE;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_kind_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_kind_check
    CHECK (kind IN ('api_key', 'platform', 'navigator'));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_navigator_check
    CHECK ((kind = 'navigator') = (navigator_instance_id IS NOT NULL));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_navigator_unbound_check
    CHECK (kind <> 'navigator' OR (user_id IS NULL AND scopes = '{}'));
CREATE INDEX api_keys_navigator_idx ON api_keys (navigator_instance_id, created_at)
    WHERE navigator_instance_id IS NOT NULL;
