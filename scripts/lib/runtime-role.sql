-- The role Depot's service connects as (DEPOT_DB_USER): it reads and writes rows of the
-- schema's tables and sequences, and can neither create, alter nor drop anything; `db migrate`
-- connects as the schema's owner (DEPOT_DB_OWNER_USER). Run by the owner, in Depot's database:
--   psql -v owner=depot -v runtime=depot_app -f scripts/lib/runtime-role.sql "$OWNER_URL"
-- after CREATE ROLE depot_app LOGIN PASSWORD '...'. Tables the owner creates later are
-- covered by the default privileges. scripts/stack also runs it in template1, so every
-- database the tests create starts with it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runtime";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"runtime";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"runtime";
