#!/usr/bin/env bash
# Inside a private session (tests/session.sh): a display (Xvfb), a browser
# stand-in that records the links the app opens instead of opening them, and
# tauri-driver; then the command. Used by the end-to-end tests and the
# benchmarks of the window.
#
#   bash tests/desktop.sh <name> <log-folder> <command...>
#
# Exports DESKTOP_TMP (a scratch folder, $ZBS_SESSION_TMP/<name>),
# ZBSETUP_DATA_DIR (its data/), OPENED_URLS (the file the stand-in appends
# each link to), DISPLAY and WEBDRIVER_PORT. Xvfb and tauri-driver log to
# <log-folder>/xvfb.log and tauri-driver.log.
set -euo pipefail
name=$1 logs=$2
shift 2
export DESKTOP_TMP="$ZBS_SESSION_TMP/$name"
export ZBSETUP_DATA_DIR="$DESKTOP_TMP/data"
export OPENED_URLS="$DESKTOP_TMP/opened-urls.txt"
mkdir -p "$DESKTOP_TMP/bin" "$logs"

display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$logs/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY="$display"

cat >"$DESKTOP_TMP/bin/xdg-open" <<'SH'
#!/bin/sh
echo "$1" >> "$OPENED_URLS"
SH
chmod +x "$DESKTOP_TMP/bin/xdg-open"
export BROWSER="$DESKTOP_TMP/bin/xdg-open"
export PATH="$DESKTOP_TMP/bin:$PATH"

port=$((4444 + RANDOM % 1000))
export WEBDRIVER_PORT=$port
tauri-driver --port "$port" --native-port $((port + 1000)) >"$logs/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$xvfb" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

"$@"
