#!/usr/bin/env bash
# Runs every test. Before that it makes sure PostgreSQL with pgvector is
# running (scripts/setup-postgres.sh installs and starts what is missing),
# because the Postgres integration tests fail, never skip, without it, and
# that OCR's programs are installed (scripts/setup-ocr.sh), for the same
# reason, and Debian's chromium for the browser tests (scripts/setup-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> scripts/test-setup-postgres.sh（软件源镜像推断）"
bash scripts/test-setup-postgres.sh

bash scripts/setup-postgres.sh
bash scripts/setup-ocr.sh
bash scripts/setup-browser.sh

export GOVREPLY_TEST_DATABASE_URL="${GOVREPLY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

echo "==> gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted" >&2
	exit 1
fi
echo "==> go vet"
go vet ./...
echo "==> go test"
go test -count=1 -race -timeout 20m ./...
