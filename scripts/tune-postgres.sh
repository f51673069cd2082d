#!/usr/bin/env bash
# tune-postgres.sh sizes the local PostgreSQL cluster's memory for govreply's
# retrieval and restarts it. PostgreSQL's default shared_buffers (128 MB) is
# a minimum, not a recommendation: at 100k chunks the HNSW index alone is
# about 390 MB (half-precision vectors of 1,536 dimensions), and a search that must fetch its pages from the kernel (or,
# on a machine that reclaims page cache, from disk) is several times slower
# than one served from shared_buffers. PostgreSQL's manual suggests a
# quarter of the memory as a start; pgvector's README asks for the index to
# fit in memory.
#
#   sudo scripts/tune-postgres.sh                 # 25% of RAM, at most 8 GB
#   sudo SHARED_BUFFERS=2GB scripts/tune-postgres.sh
#   sudo RESET=1 scripts/tune-postgres.sh         # back to the defaults
#
# It uses ALTER SYSTEM (postgresql.auto.conf), so the cluster's own
# configuration files are untouched, and restarts the cluster that listens
# on PGPORT (default 5432) with pg_ctlcluster. The test command does not run
# it: tests do not need it, benchmarks do (docs/benchmarks.md).
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
log() { printf '==> %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }
psql_q() { psql -X -q -At -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -c "$1"; }

[ "$(id -u)" -eq 0 ] || die "需要 root 权限（重启 PostgreSQL 集群）"
cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $1, $2; exit }')"
[ -n "$cluster" ] || die "找不到监听端口 $PGPORT 的本机 PostgreSQL 集群"

if [ "${RESET:-0}" = 1 ]; then
	psql_q "ALTER SYSTEM RESET shared_buffers"
	psql_q "ALTER SYSTEM RESET effective_cache_size"
else
	if [ -z "${SHARED_BUFFERS:-}" ]; then
		mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
		sb=$((mem_mb / 4))
		[ "$sb" -le 8192 ] || sb=8192
		[ "$sb" -ge 128 ] || sb=128
		SHARED_BUFFERS="${sb}MB"
		CACHE="$((mem_mb * 3 / 4))MB"
	fi
	log "shared_buffers = $SHARED_BUFFERS"
	psql_q "ALTER SYSTEM SET shared_buffers = '$SHARED_BUFFERS'"
	[ -z "${CACHE:-}" ] || psql_q "ALTER SYSTEM SET effective_cache_size = '$CACHE'"
fi
log "重启 PostgreSQL 集群 ${cluster/ //}"
# shellcheck disable=SC2086 # "version name"
pg_ctlcluster --skip-systemctl-redirect $cluster restart
for _ in $(seq 60); do
	psql_q "SELECT 1" >/dev/null 2>&1 && break
	sleep 1
done
log "完成：shared_buffers = $(psql_q 'SHOW shared_buffers')，effective_cache_size = $(psql_q 'SHOW effective_cache_size')"
