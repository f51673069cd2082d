#!/usr/bin/env bash
# screenshots.sh regenerates docs/screenshots/: every page of the web
# workspace at 1366×768 and on a 390-pixel-wide phone, after doing what a
# user does there (TestBrowserScreens, which also checks that nothing is
# wider than the screen). It needs chromium (scripts/setup-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-browser.sh
mkdir -p docs/screenshots
GOVREPLY_SCREENSHOTS="$PWD/docs/screenshots" go test ./cmd/govreply -run 'TestBrowserScreens$|TestTrainTerminal$' -count=1
ls -1 docs/screenshots
