#!/usr/bin/env bash
# Inside the test session (see run.sh): display, browser stand-in, driver, tests.
set -euo pipefail
export E2E_TMP="$ZBS_SESSION_TMP/e2e"
mkdir -p "$E2E_TMP"
export ZBSETUP_DATA_DIR="$E2E_TMP/data"

display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$E2E_OUT/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY="$display"

# Links the app opens "in the browser" are recorded instead of opened.
export E2E_OPENED="$E2E_TMP/opened-urls.txt"
mkdir -p "$E2E_TMP/bin"
cat >"$E2E_TMP/bin/xdg-open" <<'SH'
#!/bin/sh
echo "$1" >> "$E2E_OPENED"
SH
chmod +x "$E2E_TMP/bin/xdg-open"
export BROWSER="$E2E_TMP/bin/xdg-open"
export PATH="$E2E_TMP/bin:$PATH"

# Pulls at 20 requests per minute last long enough to watch and cancel.
export ZBSETUP_RATE_LIMIT="20/60s"

port=$((4444 + RANDOM % 1000))
export WEBDRIVER_PORT=$port
tauri-driver --port "$port" --native-port $((port + 1000)) >"$E2E_OUT/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$xvfb" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

node --test --test-concurrency=1 "$@"
