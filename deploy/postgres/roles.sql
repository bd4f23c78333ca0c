-- PostgreSQL roles and database for anninh. Run ONCE, as the postgres superuser:
--
--   sudo -u postgres psql -v owner=anninh_owner -v app=anninh_app -v db=anninh \
--        -f /srv/anninh/deploy/postgres/roles.sql
--
-- then set both passwords by hand (never in a file in the repository):
--
--   sudo -u postgres psql -c '\password anninh_owner'
--   sudo -u postgres psql -c '\password anninh_app'
--
-- Two roles:
--   owner  owns the database, the schema objects and every table; runs `migrate` and the
--          grants (grants.sql). Used only by the administrator during an upgrade.
--   app    what the web server and the scheduled jobs log in as. Owns nothing: it reads
--          and writes rows, and on the audit table it may only SELECT and INSERT, so it
--          can neither drop the append-only trigger nor TRUNCATE the audit trail.
\set ON_ERROR_STOP on

CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";

\connect :"db"
-- The owner creates the tables in the public schema; nobody else may create anything.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
