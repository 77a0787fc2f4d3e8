-- 014: server logos uploaded through Caylex (POST /servers/upload-logo),
-- served back by GET /servers/logos/{logo_id} (hub_servers_oauth_logo.c).
--
-- A logo belongs to the tenant that uploaded it and is served only to
-- callers of that tenant.  Only raster images whose magic bytes say PNG,
-- JPEG, GIF or WebP are stored (no SVG: it can carry script); the type
-- is the one the bytes show, never the one the client claimed.
CREATE TABLE logos (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/png',
                     'image/jpeg', 'image/gif', 'image/webp')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1
                                                            AND 5242880),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX logos_tenant_idx ON logos (tenant_id, created_at);
