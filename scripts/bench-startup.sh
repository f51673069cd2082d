#!/usr/bin/env bash
# bench-startup.sh measures how fast govreply starts and how much memory it
# holds, on the embedded default (in-memory store seeded with the built-in
# knowledge base, local embedder, offline assistant; DATABASE_URL unset):
#
#   1. `govreply serve`: time from exec to the first 200 from GET /healthz,
#      then VmRSS and VmHWM from /proc/PID/status right after that answer
#      and again after one search request has been served.
#   2. `govreply search QUERY`: one-shot wall time (hyperfine when
#      installed, else a timed loop) and peak RSS (GNU time).
#
# The binary is built as the Dockerfile builds it (static, -trimpath, -s -w).
# Results go to stdout as Markdown tables (docs/benchmarks.md quotes them).
#
#   scripts/bench-startup.sh            # RUNS=10 start-ups
#   RUNS=20 PORT=18181 scripts/bench-startup.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-10}"
PORT="${PORT:-18180}"
QUERY="${QUERY:-网友在评论区骂人怎么回复}"
WORK="$(mktemp -d)"
BIN="$WORK/govreply"
trap 'rm -rf "$WORK"' EXIT
unset DATABASE_URL

(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$BIN" ./cmd/govreply)
printf 'binary: %s MB (static, -trimpath -s -w)\n\n' "$(awk -v b="$(stat -c %s "$BIN")" 'BEGIN{printf "%.1f", b/1048576}')"

now_ns() { date +%s%N; }

# get PATH: one HTTP/1.0 GET over bash's /dev/tcp (no process started, so
# polling adds no fork/exec latency); succeeds on status 200.
get() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
	IFS= read -r line <&3 || true
	cat <&3 >/dev/null || true
	exec 3>&- 3<&-
	[[ $line == *" 200 "* ]]
}

# kb PID FIELD: a /proc/PID/status field in kB.
kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

printf '| run | ready ms | VmRSS MB at ready | VmHWM MB at ready | VmRSS MB after 1 search | VmHWM MB after 1 search |\n'
printf '|---:|---:|---:|---:|---:|---:|\n'
: >"$WORK/ready" ; : >"$WORK/rss" ; : >"$WORK/hwm" ; : >"$WORK/rss2" ; : >"$WORK/hwm2"
enc_query="$(printf '%s' "$QUERY" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')"
for i in $(seq 1 "$RUNS"); do
	t0=$(now_ns)
	GOVREPLY_ADDR="127.0.0.1:$PORT" "$BIN" serve >"$WORK/serve.log" 2>&1 &
	pid=$!
	until get /healthz; do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$WORK/serve.log" >&2
			echo "bench-startup: serve exited before answering /healthz" >&2
			exit 2
		fi
		sleep 0.002
	done
	t1=$(now_ns)
	rss=$(kb "$pid" VmRSS) hwm=$(kb "$pid" VmHWM)
	get "/v1/search?q=$enc_query&k=5" || { echo "bench-startup: search failed" >&2; exit 2; }
	rss2=$(kb "$pid" VmRSS) hwm2=$(kb "$pid" VmHWM)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	ms=$(( (t1 - t0) / 1000000 ))
	echo "$ms" >>"$WORK/ready"
	echo "$rss" >>"$WORK/rss"; echo "$hwm" >>"$WORK/hwm"; echo "$rss2" >>"$WORK/rss2"; echo "$hwm2" >>"$WORK/hwm2"
	printf '| %d | %d | %.1f | %.1f | %.1f | %.1f |\n' "$i" "$ms" "$(bc -l <<<"$rss/1024")" "$(bc -l <<<"$hwm/1024")" \
		"$(bc -l <<<"$rss2/1024")" "$(bc -l <<<"$hwm2/1024")"
done
printf '| **median** | **%s** | **%.1f** | **%.1f** | **%.1f** | **%.1f** |\n\n' "$(median <"$WORK/ready")" \
	"$(bc -l <<<"$(median <"$WORK/rss")/1024")" "$(bc -l <<<"$(median <"$WORK/hwm")/1024")" \
	"$(bc -l <<<"$(median <"$WORK/rss2")/1024")" "$(bc -l <<<"$(median <"$WORK/hwm2")/1024")"
echo "last run, as logged by serve:"
grep -E 'built-in knowledge base ready|govreply listening' "$WORK/serve.log" | sed 's/^/    /' || true
echo

echo "govreply search -k 5 \"$QUERY\" (one-shot, in-memory store with the built-in knowledge base):"
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine --style basic --warmup 2 --runs "$RUNS" --export-markdown "$WORK/search.md" \
		"$BIN search -k 5 '$QUERY'" >/dev/null
	sed "s|$BIN|govreply|" "$WORK/search.md"
else
	: >"$WORK/search"
	for i in $(seq 1 "$RUNS"); do
		t0=$(now_ns); "$BIN" search -k 5 "$QUERY" >/dev/null; t1=$(now_ns)
		echo $(( (t1 - t0) / 1000000 )) >>"$WORK/search"
	done
	echo "median wall time: $(median <"$WORK/search") ms over $RUNS runs (install hyperfine for mean ± σ)"
fi
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f 'peak RSS (GNU time): %M kB, wall %e s, user %U s, sys %S s' "$BIN" search -k 5 "$QUERY" 2>&1 >/dev/null | tail -1
fi
