-- 018: the hub's database must be UTF8.  Rows become JSON text without a
-- second UTF-8 check (modules/common/hub_rows.c), which is sound only
-- because PostgreSQL refuses invalid UTF-8 in a UTF8 database; a database
-- made in another encoding (SQL_ASCII takes any bytes) is refused here,
-- at migration time, rather than answering broken JSON later.
-- tools/lib/pg.sh's clusters are initdb -E UTF8.
DO $$
BEGIN
    IF (SELECT pg_encoding_to_char(encoding) FROM pg_database
         WHERE datname = current_database()) <> 'UTF8' THEN
        RAISE EXCEPTION 'database % is not UTF8: create it with ENCODING ''UTF8'' (TEMPLATE template0)',
            current_database();
    END IF;
END
$$;
