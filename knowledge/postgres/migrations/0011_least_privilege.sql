-- 0011_least_privilege: what the database needs so that serve can run as an
-- application role with no DDL rights, the owner role running the
-- migrations (deploy/postgres-init/01-roles.sh, docs/security.md).
--
-- build_vector_index() builds the HNSW index over the chunk embeddings when
-- it is missing, with its owner's rights (SECURITY DEFINER): a bulk load
-- whose process was killed leaves it missing, and serve, which may only
-- read and write rows, repairs it at start and while it runs
-- (Store.EnsureIndexes). It is the one place that statement lives after
-- this migration: it must stay the index migration 0004 creates
-- (TestBulkRebuildsTheMigrationsIndex). It does nothing else and takes no
-- argument, so anyone allowed to call it can at most build the index
-- that belongs there. The caller's transaction settings
-- (maintenance_work_mem, parallel workers) apply to the build.
CREATE OR REPLACE FUNCTION build_vector_index() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF to_regclass('chunks_embedding_idx') IS NOT NULL THEN
        RETURN false;
    END IF;
    CREATE INDEX IF NOT EXISTS chunks_embedding_idx ON chunks
        USING hnsw ((embedding::halfvec({{.Dim}})) halfvec_cosine_ops);
    RETURN true;
END $$;
-- A SECURITY DEFINER function resolves names on a fixed path: this
-- schema, then public (where the vector extension lives), temporary
-- objects last.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION build_vector_index() SET search_path = %I, public, pg_temp', current_schema());
END
$$;

-- audit_log (migration 0009, package account/postgres) is append-only: its
-- trigger refuses UPDATE, DELETE and TRUNCATE. Beyond the trigger, which
-- the owner could drop, no other role holds those privileges on it: the
-- default privileges of deploy/postgres-init grant SELECT, INSERT, UPDATE
-- and DELETE on every table the owner creates to the application role, so
-- they are revoked here from every role but the owner, whatever its name.
-- A database without the table (no account component) is left alone.
DO $$
DECLARE
    r record;
BEGIN
    IF to_regclass('audit_log') IS NULL THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT DISTINCT a.grantee
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'audit_log'::regclass AND a.grantee <> c.relowner
            AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        IF r.grantee = 0 THEN
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
        ELSE
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %s', r.grantee::regrole);
        END IF;
    END LOOP;
END
$$;
