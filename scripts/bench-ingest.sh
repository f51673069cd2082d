#!/usr/bin/env bash
# bench-ingest.sh times `govreply ingest` end to end into PostgreSQL with the
# local embedder: files → load → chunk → segment → embed → Put, on a
# synthetic Chinese Markdown corpus (bench/synthgen, default 8 MB).
#
# It ingests into a fresh schema (DATABASE_URL carries
# search_path=SCHEMA,public), then ingests the same folder again (every
# document unchanged, so only loading and hashing remain), prints both
# summaries and MB/s, and drops the schema (KEEP=1 keeps it).
#
# FLAGS adds flags to the first ingest (FLAGS="--bulk off" loads with the
# HNSW index live, to compare with the bulk mode).
#
#   scripts/bench-ingest.sh
#   MB=4 SCHEMA=bench_ingest_cli PGURL=postgres://postgres@127.0.0.1:5432/test scripts/bench-ingest.sh
#   MB=4 FLAGS="--bulk off" scripts/bench-ingest.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MB="${MB:-8}"
SCHEMA="${SCHEMA:-bench_ingest_cli}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432/test}"
WORK="$(mktemp -d)"
BIN="$WORK/govreply"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$BIN" ./cmd/govreply
go run ./bench/synthgen -out "$WORK/corpus" -mb "$MB"
files_bytes=$(cat "$WORK"/corpus/*.md | wc -c)

PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA" 2>&1 | grep -v NOTICE || true
export DATABASE_URL="$PGURL?sslmode=disable&search_path=$SCHEMA,public"
export GOVREPLY_EMBEDDER=local

run() {
	local label="$1" t0 t1 json
	shift
	t0=$(date +%s%N)
	json=$(/usr/bin/time -f '%M' -o "$WORK/rss" "$BIN" ingest --json "$@" "$WORK/corpus")
	t1=$(date +%s%N)
	python3 - "$label" "$json" "$files_bytes" "$(( (t1 - t0) / 1000000 ))" "$(cat "$WORK/rss")" <<'PY'
import json, sys
label, s, fbytes, wall_ms, rss_kb = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
wall = wall_ms / 1000
print(f"{label}: added {s['added']}, unchanged {s['skipped']}, failed {s['failed']}, chunks {s['chunks']}")
idx = f", of which {s['index_seconds']:.1f} s building the vector index" if s.get('index_seconds') else ""
print(f"  Indexer.Run: {s['seconds']:.1f} s{idx}, {fbytes/1e6/s['seconds']:.2f} MB/s of Markdown files "
      f"({s['bytes']/1e6/s['seconds']:.2f} MB/s of body text), {s['chunks']/s['seconds']:.0f} chunks/s")
print(f"  process wall time (start-up, migrations, run): {wall:.1f} s, {fbytes/1e6/wall:.2f} MB/s; peak RSS {rss_kb/1024:.0f} MB")
PY
}

echo "corpus: $(ls "$WORK/corpus" | wc -l) files, $files_bytes bytes"
# shellcheck disable=SC2086 # FLAGS is a list of flags
run "first ingest (fresh schema $SCHEMA${FLAGS:+, $FLAGS})" ${FLAGS:-}
run "second ingest (nothing changed)"
psql -X -Atq "$PGURL" -c "SELECT 'stored: ' || count(*) || ' chunks, table+indexes ' || pg_size_pretty(pg_total_relation_size('$SCHEMA.chunks')) FROM $SCHEMA.chunks"
if [ "${KEEP:-0}" != 1 ]; then
	PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PGURL" -c "DROP SCHEMA $SCHEMA CASCADE"
fi
