#!/usr/bin/env bash
# setup-postgres.sh makes PostgreSQL with the pgvector extension available for
# govreply's Postgres store and its tests.
#
#   - Where Docker works and no local server answers, it starts the `db`
#     service of compose.yaml (image pgvector/pgvector).
#   - Otherwise it starts the local PostgreSQL cluster if it is down and, when
#     the `vector` extension is missing (Debian 12 ships no binary package),
#     builds Debian 13's own `pgvector` source package against the running
#     server and installs it. The trixie sources are fetched through a private
#     apt configuration in a temporary directory; the system's apt sources are
#     never edited. They come from the Debian mirror the system already uses
#     (scripts/lib/apt-mirror.sh: the URI of the apt source entry whose suite
#     is the system's codename, with the suite switched to trixie) or from
#     PGVECTOR_APT_MIRROR; without either the script stops, it never falls
#     back to a public host.
#   - Finally it runs CREATE EXTENSION IF NOT EXISTS vector in the database
#     (default `test`) and prints the installed version.
#
# Idempotent; needs root to start a cluster or to build. Environment:
#   PGHOST (127.0.0.1) PGPORT (5432) PGUSER (postgres) PGDATABASE (test)
#   PGVECTOR_MIN (0.8.0)  the oldest pgvector accepted (iterative index scans)
#   PGVECTOR_APT_MIRROR   the Debian mirror to fetch trixie's pgvector source
#                         package from, instead of the one derived from the
#                         apt sources (e.g. http://mirror.gov.local/debian)
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
DB="${PGDATABASE:-test}"
PGVECTOR_MIN="${PGVECTOR_MIN:-0.8.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/apt-mirror.sh
. "$ROOT/scripts/lib/apt-mirror.sh"

log() { printf '==> %s\n' "$*"; }
die() { printf 'setup-postgres: %s\n' "$*" >&2; exit 1; }

# psql_q DB SQL: runs one statement, unaligned, tuples only.
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql -X -v ON_ERROR_STOP=1 -Atq -d "$1" -c "$2"; }

server_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

# wait_ready CMD...: runs CMD once a second until it succeeds, for 60 s.
wait_ready() {
	local _
	for _ in $(seq 1 60); do
		if "$@"; then return 0; fi
		sleep 1
	done
	return 1
}

# version_ge A B: whether version A >= version B (dpkg ordering).
version_ge() { dpkg --compare-versions "$1" ge "$2"; }

# ---------------------------------------------------------------- docker
if ! server_up && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
	log "Docker 可用且本机没有 PostgreSQL 在运行：启动 compose 服务 db"
	if [ ! -f "$ROOT/.env" ]; then
		# compose.yaml takes its passwords from .env: make one with random
		# passwords from .env.example (never committed).
		log "生成 .env（随机密码）"
		rand_pw() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
		sed -e "s/^POSTGRES_PASSWORD=$/POSTGRES_PASSWORD=$(rand_pw)/" \
			-e "s/^GOVREPLY_DB_OWNER_PASSWORD=$/GOVREPLY_DB_OWNER_PASSWORD=$(rand_pw)/" \
			-e "s/^GOVREPLY_DB_APP_PASSWORD=$/GOVREPLY_DB_APP_PASSWORD=$(rand_pw)/" \
			"$ROOT/.env.example" >"$ROOT/.env"
		chmod 600 "$ROOT/.env"
	fi
	pg_password="$(sed -n 's/^POSTGRES_PASSWORD=//p' "$ROOT/.env")"
	(cd "$ROOT" && docker compose up -d --wait db)
	dc_psql() { (cd "$ROOT" && docker compose exec -T db psql -U postgres -Atq -v ON_ERROR_STOP=1 "$@"); }
	if [ "$(dc_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
		dc_psql -d postgres -c "CREATE DATABASE \"$DB\""
	fi
	dc_psql -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS vector'
	log "db 服务已就绪：postgres://postgres:${pg_password}@127.0.0.1:5432/${DB}?sslmode=disable（超级用户；密码见 .env）"
	log "测试请设置 GOVREPLY_TEST_DATABASE_URL 为上面的地址"
	echo "pgvector $(dc_psql -d "$DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
	exit 0
fi

# ---------------------------------------------------------------- local server
need_root() { [ "$(id -u)" -eq 0 ] || die "需要 root 权限：$*"; }

if ! server_up; then
	need_root "启动本机 PostgreSQL 集群"
	if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
		die "本机未安装 PostgreSQL（/etc/postgresql 为空），也没有可用的 Docker"
	fi
	# The cluster configured for $PGPORT, else the newest version's "main".
	cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $1, $2; exit }')"
	if [ -z "$cluster" ]; then
		versions=(/etc/postgresql/*/)
		cluster="$(printf '%s\n' "${versions[@]}" | xargs -n1 basename | sort -n | tail -n1) main"
	fi
	log "启动本地 PostgreSQL 集群 ${cluster/ //}"
	# shellcheck disable=SC2086 # "version name"
	pg_ctlcluster --skip-systemctl-redirect $cluster start || true
fi
log "等待 PostgreSQL 在 ${PGHOST}:${PGPORT} 上就绪"
wait_ready server_up || die "PostgreSQL 未在 60 秒内就绪"

if [ "$(psql_q postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
	log "创建数据库 $DB"
	psql_q postgres "CREATE DATABASE \"$DB\""
fi

server_num="$(psql_q "$DB" 'SHOW server_version_num')"
MAJOR=$((server_num / 10000))
PG_CONFIG="/usr/lib/postgresql/${MAJOR}/bin/pg_config"
log "服务器版本 $(psql_q "$DB" 'SHOW server_version')（主版本 ${MAJOR}）"

available="$(psql_q "$DB" "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")"

# ---------------------------------------------------------------- pgvector build
build_pgvector() {
	need_root "安装构建依赖并安装 pgvector 扩展"
	local mirror work
	# Before anything is installed: without a mirror there is nothing to do.
	mirror="$(apt_mirror)" || die "无法确定获取 pgvector 源码包的 Debian 镜像（见上）"
	log "安装构建依赖：build-essential dpkg-dev postgresql-server-dev-${MAJOR}"
	local need=(build-essential dpkg-dev "postgresql-server-dev-${MAJOR}")
	if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
		log "apt-get update（系统软件源，仅用于安装构建依赖）"
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	fi

	work="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
	# The _apt sandbox user downloads into these directories.
	chmod 755 "$work"
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" \
		"$work/apt/parts" "$work/src"
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb-src [signed-by=${keyring}] ${mirror} trixie main" >"$work/apt/sources.list"
	local apt_opts=(
		-o "Dir::Etc::SourceList=$work/apt/sources.list"
		-o "Dir::Etc::SourceParts=$work/apt/parts"
		-o "Dir::State::Lists=$work/apt/lists"
		-o "Dir::Cache=$work/apt/cache"
		-o "Dir::Cache::pkgcache="
		-o "Dir::Cache::srcpkgcache="
		-o "APT::Get::List-Cleanup=false"
	)
	log "获取 Debian 13 (trixie) 源码索引：${mirror}（私有 apt 配置 ${work}/apt）"
	apt-get "${apt_opts[@]}" update -qq ||
		die "无法从 ${mirror} 获取 trixie 的源码索引；若该镜像不含 Debian 13 (trixie)，请设置 PGVECTOR_APT_MIRROR 为含 trixie 源码的 Debian 镜像"
	log "下载 pgvector 源码包"
	chmod 777 "$work/src"
	(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector)
	local dscs=("$work"/src/pgvector_*.dsc)
	local dsc="${dscs[0]}"
	[ -f "$dsc" ] || die "没有下载到 pgvector 源码包"
	# apt has checked every file against the signed Sources index, so the
	# (unknown to gpgv) uploader signature on the .dsc adds nothing.
	(cd "$work/src" && dpkg-source -q --no-check -x "$(basename "$dsc")" pgvector >/dev/null)
	log "编译 $(basename "$dsc" .dsc)（PG_CONFIG=${PG_CONFIG}）"
	make -s -C "$work/src/pgvector" PG_CONFIG="$PG_CONFIG" >/dev/null
	make -s -C "$work/src/pgvector" PG_CONFIG="$PG_CONFIG" install >/dev/null
	rm -rf "$work"
	trap - EXIT
}

if [ -z "$available" ] || ! version_ge "$available" "$PGVECTOR_MIN"; then
	if [ -z "$available" ]; then
		log "vector 扩展不可用：从 Debian 源码包构建 pgvector"
	else
		log "vector 扩展版本 $available 低于 $PGVECTOR_MIN：重新构建"
	fi
	build_pgvector
	available="$(psql_q "$DB" "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")"
	[ -n "$available" ] || die "pgvector 安装后仍不可用"
	log "pgvector ${available} 已安装"
else
	log "vector 扩展已可用（${available}）"
fi

# ---------------------------------------------------------------- extension
psql_q "$DB" 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
installed="$(psql_q "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
if [ "$installed" != "$available" ]; then
	log "升级数据库 $DB 中的 vector 扩展：${installed} → ${available}"
	psql_q "$DB" 'ALTER EXTENSION vector UPDATE' >/dev/null
	installed="$(psql_q "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
fi
log "完成：数据库 ${DB} 中 vector 扩展版本 ${installed}"
echo "pgvector ${installed}"
