#!/usr/bin/env bash
# End-to-end tests through the real webview.
#
# Inside a private session with a real Secret Service (tests/session.sh),
# starts Xvfb and tauri-driver, then runs the tests in this folder with
# Node's test runner. Every run gets its own data folder and keyring, so
# nothing of the person's own setup is touched. Screenshots of every step go
# to target/e2e/screenshots/, driver and display logs to target/e2e/.
#
#   bash tests/e2e/run.sh [test files...]
#
# APP may point at another build of the app (default: target/debug/zoho-books-setup).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
export APP="${APP:-$target/debug/zoho-books-setup}"
export ZBSETUP_BIN="${ZBSETUP_BIN:-$target/debug/zbsetup}"
export E2E_OUT="$root/target/e2e"
mkdir -p "$E2E_OUT/screenshots"
[ -x "$APP" ] || { echo "e2e: no app binary at $APP (build it with: cargo build)" >&2; exit 1; }
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/*.test.mjs)
# Pulls at 20 requests per minute last long enough to watch and cancel.
export ZBSETUP_RATE_LIMIT="20/60s"
# The walked paths' click and key counts are printed as plain lines (the test
# runner marks what tests print with "# ").
bash "$root/tests/session.sh" bash "$root/tests/desktop.sh" e2e "$E2E_OUT" \
  node --test --test-concurrency=1 "${files[@]}" 2>&1 |
  sed -u -E 's/^# ((demo|real) path: [0-9]+ clicks|keyboard path: [0-9]+ keys)$/\1/'
# A passing run refreshes the README's screenshots, so they never go stale.
shots="$E2E_OUT/screenshots"
for pair in 05-keys-saved:checklist 12-demo-pick-organization:connect 21-pull-progress:pull-progress 22-pull-results:pull-results 31-handoff:handoff; do
  from="$shots/${pair%%:*}.png"
  [ -f "$from" ] && cp "$from" "$root/docs/screenshots/${pair##*:}.png"
done
exit 0
