#!/usr/bin/env bash
# Inside a private session bus: keyring, display, driver, tests. See run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# A real Secret Service with a fresh login keyring, unlocked by the password on stdin.
eval "$(printf 'e2e-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$E2E_OUT/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY="$display"

# Links the app opens "in the browser" are recorded instead of opened.
export E2E_OPENED="$E2E_TMP/opened-urls.txt"
cat >"$E2E_TMP/browser" <<'SH'
#!/bin/sh
echo "$1" >> "$E2E_OPENED"
SH
chmod +x "$E2E_TMP/browser"
export BROWSER="$E2E_TMP/browser"
mkdir -p "$E2E_TMP/bin" && ln -sf "$E2E_TMP/browser" "$E2E_TMP/bin/xdg-open"
export PATH="$E2E_TMP/bin:$PATH"

port=$((4444 + RANDOM % 1000))
export WEBDRIVER_PORT=$port
tauri-driver --port "$port" --native-port $((port + 1000)) >"$E2E_OUT/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$xvfb" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

node --test --test-concurrency=1 "$@"
