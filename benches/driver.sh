#!/usr/bin/env bash
# Inside the benchmark session (see run.sh; tests/session.sh gives the private
# session bus and gnome-keyring): a display, tauri-driver, then the command.
set -euo pipefail
export BENCH_TMP="$ZBS_SESSION_TMP/bench"
mkdir -p "$BENCH_TMP"
# The app's data folder; startup.mjs empties it before every app launch.
export ZBSETUP_DATA_DIR="$BENCH_TMP/data"

display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$BENCH_OUT/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY="$display"

# Nothing is opened in a browser during a benchmark; record it if something tries.
mkdir -p "$BENCH_TMP/bin"
cat >"$BENCH_TMP/bin/xdg-open" <<'SH'
#!/bin/sh
echo "$1" >> "$BENCH_TMP/opened-urls.txt"
SH
chmod +x "$BENCH_TMP/bin/xdg-open"
export BROWSER="$BENCH_TMP/bin/xdg-open"
export PATH="$BENCH_TMP/bin:$PATH"

port=$((4444 + RANDOM % 1000))
export WEBDRIVER_PORT=$port
tauri-driver --port "$port" --native-port $((port + 1000)) >"$BENCH_OUT/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$xvfb" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

"$@"
