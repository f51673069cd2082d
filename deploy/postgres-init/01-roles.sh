#!/usr/bin/env bash
# 01-roles.sh creates govreply's database and its two roles (docs/security.md):
#
#   owner  (GOVREPLY_DB_OWNER, default govreply_owner) owns the database and
#          every table; `govreply migrate` runs as it. No superuser rights.
#   app    (GOVREPLY_DB_APP, default govreply_app) is what `govreply serve`
#          connects as: CONNECT, USAGE on the schema, SELECT/INSERT/UPDATE/
#          DELETE on the tables and USAGE on the sequences the owner creates
#          (default privileges, so tables of later migrations are covered),
#          no DDL. UPDATE/DELETE/TRUNCATE on audit_log are revoked by
#          migration 0011 (and here, when the table already exists).
#
# The pgvector/pgvector image runs it once, as the superuser, when it
# initialises an empty data volume (mounted into /docker-entrypoint-initdb.d).
# On another server run it as a superuser with psql's usual PG* variables:
#   PGHOST=db.example PGUSER=postgres GOVREPLY_DB_OWNER_PASSWORD=… \
#     GOVREPLY_DB_APP_PASSWORD=… bash deploy/postgres-init/01-roles.sh
# It is idempotent: it creates what is missing and resets the passwords.
#
# Passwords: GOVREPLY_DB_OWNER_PASSWORD and GOVREPLY_DB_APP_PASSWORD, or
# the files GOVREPLY_DB_OWNER_PASSWORD_FILE / GOVREPLY_DB_APP_PASSWORD_FILE
# name (Docker secrets). The database: GOVREPLY_DB_NAME (default govreply).
set -euo pipefail

# file_env VAR: VAR from the file VAR_FILE names, when that is set.
file_env() {
	local var="$1" file_var="${1}_FILE"
	if [ -n "${!file_var:-}" ]; then
		if [ -n "${!var:-}" ]; then
			echo "01-roles.sh: 请只设置 $var 与 $file_var 之一" >&2
			exit 1
		fi
		export "$var"="$(<"${!file_var}")"
	fi
}
file_env GOVREPLY_DB_OWNER_PASSWORD
file_env GOVREPLY_DB_APP_PASSWORD
: "${GOVREPLY_DB_OWNER_PASSWORD:?01-roles.sh: 请设置所有者角色的密码 GOVREPLY_DB_OWNER_PASSWORD（或 GOVREPLY_DB_OWNER_PASSWORD_FILE）}"
: "${GOVREPLY_DB_APP_PASSWORD:?01-roles.sh: 请设置应用角色的密码 GOVREPLY_DB_APP_PASSWORD（或 GOVREPLY_DB_APP_PASSWORD_FILE）}"

db="${GOVREPLY_DB_NAME:-govreply}"
owner="${GOVREPLY_DB_OWNER:-govreply_owner}"
app="${GOVREPLY_DB_APP:-govreply_app}"

psql -X -q -v ON_ERROR_STOP=1 \
	--username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "${POSTGRES_DB:-${PGDATABASE:-postgres}}" \
	-v db="$db" -v owner="$owner" -v app="$app" \
	-v owner_pw="$GOVREPLY_DB_OWNER_PASSWORD" -v app_pw="$GOVREPLY_DB_APP_PASSWORD" <<'SQL'
-- The roles: logins without superuser, database or role creation rights.
SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'owner', :'owner_pw') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'app', :'app_pw') \gexec

-- The database, owned by the owner; only the two roles may connect.
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";

\connect :"db"
-- pgvector is not a trusted extension: the superuser creates it, and the
-- migrations' CREATE EXTENSION IF NOT EXISTS finds it there.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
-- The tables live in public, which the owner owns; nobody else may create
-- there (PostgreSQL 15 and later already refuse PUBLIC).
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- What serve may do with every table and sequence the owner creates, now
-- or in any later migration.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
	GRANT USAGE ON SEQUENCES TO :"app";
-- A database migrated before this script ran: the same on what exists.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO :"app";
-- The audit trail is append-only (migration 0011 revokes the same when it
-- creates nothing here: the table comes with migration 0009).
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_log FROM %I', :'app')
	WHERE to_regclass('public.audit_log') IS NOT NULL \gexec
SQL
echo "01-roles.sh: 数据库 ${db} 与角色 ${owner}（所有者，运行迁移）、${app}（应用，仅读写数据）已就绪"
