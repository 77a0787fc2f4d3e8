-- 003: what mod_hub_auth needs to say who is calling.
-- API keys serve two documents: Patchwork's `description` and GoClaw's
-- `name` are the same column; GoClaw lists revoked keys too, so revocation
-- is a timestamp, never a delete.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_name_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_name_check CHECK (length(name) <= 200);
ALTER TABLE api_keys ADD COLUMN created_by text;
ALTER TABLE api_keys ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (scopes <@ ARRAY[
    'operator.admin', 'operator.read', 'operator.write',
    'operator.approvals', 'operator.pairing']::text[]);

-- Timestamps as the documents write them: ISO-8601 in UTC with a Z.
CREATE FUNCTION iso8601(ts timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
