-- 013: the server registry catalog and server instances (Caylex).
--
-- The catalog itself is not stored here: HubRegistryFile names a JSON file
-- the hub reads at start and keeps in memory (modules/servers/
-- hub_servers_registry.c says why).  A tenant's server made from an entry
-- keeps its id in servers.registry_id; the catalog's tools endpoint looks
-- the tenant's servers up by it.
CREATE INDEX servers_registry_idx ON servers (tenant_id, registry_id)
    WHERE registry_id IS NOT NULL;

-- Server instance pages: a tenant's newest first, optionally one project's.
CREATE INDEX server_instances_tenant_newest_idx
    ON server_instances (tenant_id, created_at DESC, id DESC);
