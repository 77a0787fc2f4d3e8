-- 015: iso8601() declared STABLE, which is what its body is: to_char() of
-- a timestamptz depends on settings, so PostgreSQL refuses to inline a SQL
-- function declared IMMUTABLE over it and calls it through the SQL-function
-- executor once per value instead (about a fifth of the database's time in
-- a 20-row servers list).  Declared STABLE, it is inlined into the query.
-- The text it returns is the same.
CREATE OR REPLACE FUNCTION iso8601(ts timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
