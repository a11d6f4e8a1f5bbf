-- The two PostgreSQL logins of the records database (docs/production.md, "Database roles").
--   :owner    runs the migrations (python -m api.migrate, PCL_MIGRATION_DATABASE_URL). It owns
--             the schema, so the tables and the audit log's triggers are its own.
--   :runtime  is what the API and the action server log in as (PCL_DATABASE_URL): it reads and
--             writes rows, and cannot create, alter or drop a table, nor drop or disable a
--             trigger (only a table's owner can); the audit log's triggers refuse it any UPDATE,
--             DELETE or TRUNCATE there.
-- Run once, as a superuser, on the (new, empty) records database:
--   psql -v ON_ERROR_STOP=1 -v db=pcl -v owner=pcl_migrator -v runtime=pcl_app \
--        -v owner_password="$MIGRATOR_PASSWORD" -v runtime_password="$APP_PASSWORD" \
--        -f scripts/postgres_roles.sql
-- A database migrated before by another login: first, connected to it,
--   REASSIGN OWNED BY <that login> TO pcl_migrator;
-- then run this script (the grants below cover the tables already there).

\set ON_ERROR_STOP on
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"runtime" LOGIN PASSWORD :'runtime_password';
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"runtime";

\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runtime";
-- Rows only, on the tables and sequences there now and on those the migrations create later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"runtime";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"runtime";
