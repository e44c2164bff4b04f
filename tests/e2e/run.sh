#!/usr/bin/env bash
# End-to-end tests through the real webview.
#
# Starts a private session bus, a fresh unlocked gnome-keyring (the real
# Secret Service), Xvfb and tauri-driver, then runs the tests in this folder
# with Node's test runner. Every run gets its own data folder and keyring, so
# nothing of the person's own setup is touched. Screenshots of every step go
# to target/e2e/screenshots/.
#
#   bash tests/e2e/run.sh [test files...]
#
# APP may point at another build of the app (default: target/debug/zoho-books-setup).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export APP="${APP:-$root/target/debug/zoho-books-setup}"
export ZBSETUP_BIN="${ZBSETUP_BIN:-$root/target/debug/zbsetup}"
export E2E_OUT="$root/target/e2e"
mkdir -p "$E2E_OUT/screenshots"
[ -x "$APP" ] || { echo "e2e: no app binary at $APP (build it with: cargo build --features custom-protocol)" >&2; exit 1; }
export E2E_TMP; E2E_TMP=$(mktemp -d /tmp/zbs-e2e.XXXXXX)
export XDG_DATA_HOME="$E2E_TMP/xdg-data" XDG_CONFIG_HOME="$E2E_TMP/xdg-config" XDG_CACHE_HOME="$E2E_TMP/xdg-cache"
export ZBSETUP_DATA_DIR="$E2E_TMP/data"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/*.test.mjs)
status=0
dbus-run-session -- bash "$here/session.sh" "${files[@]}" || status=$?
rm -rf "$E2E_TMP"
exit $status
