-- 016: the names of a server's secrets, kept beside them.  Every answer
-- about a server shows which secrets it has (never their values); working
-- them out of the sealed `secrets` object per row and per request was a
-- subquery in each listed row.  A generated column is computed once per
-- write, and cannot drift from `secrets`.
CREATE FUNCTION hub_jsonb_keys(o jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(k ORDER BY k), '{}')
            FROM jsonb_object_keys(o) k $$;
ALTER TABLE servers ADD COLUMN secret_names text[]
    GENERATED ALWAYS AS (hub_jsonb_keys(secrets)) STORED;
