-- 0009_accounts: users, API tokens, browser sessions, collection
-- permissions and the audit trail (package account/postgres). Tokens and
-- sessions are kept as the SHA-256 of their secret, passwords as argon2id
-- hashes. The audit trail is append-only: a trigger refuses UPDATE,
-- DELETE and TRUNCATE, so that not even the table's owner can rewrite
-- history through the application.
CREATE TABLE account_users (
	username      text PRIMARY KEY,
	roles         text[] NOT NULL
		CHECK (roles <@ ARRAY['admin', 'editor', 'reviewer', 'trainer', 'trainee']::text[]),
	password_hash text NOT NULL CHECK (password_hash <> ''),
	disabled      boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);

CREATE TABLE account_tokens (
	id           text PRIMARY KEY,
	hash         bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	username     text NOT NULL REFERENCES account_users (username) ON DELETE CASCADE,
	name         text NOT NULL,
	created_at   timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL,
	last_used_at timestamptz,
	revoked_at   timestamptz
);
CREATE INDEX account_tokens_username ON account_tokens (username, created_at DESC);
CREATE INDEX account_tokens_expires ON account_tokens (expires_at);

CREATE TABLE account_sessions (
	id         text PRIMARY KEY,
	hash       bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
	username   text NOT NULL REFERENCES account_users (username) ON DELETE CASCADE,
	csrf       text NOT NULL,
	client     text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX account_sessions_username ON account_sessions (username, created_at DESC);
CREATE INDEX account_sessions_expires ON account_sessions (expires_at);

CREATE TABLE collection_access (
	collection   text PRIMARY KEY,
	reader_roles text[] NOT NULL,
	reader_users text[] NOT NULL,
	writer_roles text[] NOT NULL,
	writer_users text[] NOT NULL
);

CREATE TABLE audit_log (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at      timestamptz NOT NULL,
	actor   text NOT NULL,
	client  text NOT NULL,
	action  text NOT NULL,
	object  text NOT NULL,
	outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed'))
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, at DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- No role but the owner may change history either: default privileges
-- (deploy/postgres-init) may have granted UPDATE, DELETE or TRUNCATE on the
-- new table to the application role; they are taken back here, so that
-- the table is append-only whatever order the migrations ran in (0011
-- does the same for databases that had the table before it).
DO $$
DECLARE
	r record;
BEGIN
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
