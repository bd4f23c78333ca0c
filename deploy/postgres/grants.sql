-- The application role's privileges. Run as the OWNER role after EVERY `migrate` (new
-- tables need their grants); safe to run again:
--
--   psql "host=127.0.0.1 dbname=anninh user=anninh_owner" -v app=anninh_app \
--        -f /srv/anninh/deploy/postgres/grants.sql
--
-- The application may read and write every table (no TRUNCATE, no DDL: it owns nothing),
-- except the audit trail: SELECT and INSERT only on audit_auditevent (the trigger refuses
-- UPDATE and DELETE even to the owner; the missing privileges refuse them, and TRUNCATE,
-- to the application), and SELECT, INSERT, UPDATE on the chain head it moves forward.
\set ON_ERROR_STOP on

BEGIN;
GRANT USAGE ON SCHEMA public TO :"app";
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app";

REVOKE ALL ON audit_auditevent FROM :"app";
GRANT SELECT, INSERT ON audit_auditevent TO :"app";
REVOKE ALL ON audit_auditchainhead FROM :"app";
GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO :"app";

-- Migrations are the owner's business: the application only reads which ones ran.
REVOKE ALL ON django_migrations FROM :"app";
GRANT SELECT ON django_migrations TO :"app";
COMMIT;

-- Show what the application may do on the audit tables (the administrator checks this).
SELECT table_name, string_agg(privilege_type, ', ' ORDER BY privilege_type) AS app_privileges
FROM information_schema.role_table_grants
WHERE grantee = :'app' AND table_name IN ('audit_auditevent', 'audit_auditchainhead')
GROUP BY table_name ORDER BY table_name;
