#!/usr/bin/env bash
# The README's run command on a built tree: a second `bash .ci/app` builds
# nothing (no "building the app" line, ui/dist and the app binary untouched,
# Cargo has nothing to compile) and reaches the window in a few seconds.
# Run after a release build (.ci/test runs it right after the package step);
# on a tree never built, the first start below builds it.
#
#   bash tests/app_start.sh      (prints the second start's times)
#
# APP_START_BOUND (seconds, default 30): the longest the second start may take
# to show the window.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-$root/target}"
app="$target/release/zoho-books-setup"
bound="${APP_START_BOUND:-30}"
logs="$root/target/app-start"
mkdir -p "$logs"
fail() { echo "app-start: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t=$(now)
bash .ci/app --build-only >"$logs/first.log" 2>&1 || { cat "$logs/first.log" >&2; fail "the first start failed"; }
echo "first start (build what is missing): $(secs "$t" "$(now)") s"

snapshot() {
  stat -c '%n %.9Y' "$app"
  find ui/dist -type f -printf '%p %T@ %s\n' | LC_ALL=C sort
}
before=$(snapshot)
t=$(now)
bash .ci/app --build-only >"$logs/second.log" 2>&1 || { cat "$logs/second.log" >&2; fail "the second start failed"; }
echo "second start, up to starting the app: $(secs "$t" "$(now)") s"
if grep -q "building the app" "$logs/second.log"; then
  cat "$logs/second.log" >&2
  fail "the second start on an unchanged tree said it was building"
fi
[ "$before" = "$(snapshot)" ] || {
  diff <(echo "$before") <(snapshot) >&2 || true
  fail "the second start rewrote ui/dist or the app"
}
# Cargo's own word: nothing to compile.
cargo build --release --locked --bins -p zoho-books-setup -p zbsetup >"$logs/cargo.log" 2>&1
if grep -E '^ *Compiling ' "$logs/cargo.log"; then fail "Cargo compiled something on an unchanged tree"; fi

# The second start to the window itself, under Xvfb in a private session
# (its own keyring and data folder), in the real mode (no demo ports).
cat >"$logs/window.sh" <<'SH'
set -euo pipefail
export ZBSETUP_DATA_DIR="$ZBS_SESSION_TMP/data"
display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$LOGS/xvfb.log" 2>&1 &
xvfb=$!
export DISPLAY="$display"
for _ in $(seq 1 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s.%N)
bash .ci/app --real >"$LOGS/app.log" 2>&1 &
app=$!
shown=""
for _ in $(seq 1 $((BOUND * 10))); do
  if xdotool search --onlyvisible --name '^Zoho Books Setup$' >/dev/null 2>&1; then
    shown=$(date +%s.%N); break
  fi
  kill -0 "$app" 2>/dev/null || break
  sleep 0.1
done
kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
kill "$xvfb" 2>/dev/null || true
[ -n "$shown" ] || { tail -n 20 "$LOGS/app.log" >&2; echo "app-start: no window within $BOUND s" >&2; exit 1; }
awk -v a="$start" -v b="$shown" 'BEGIN { printf "second start, bash .ci/app to the window: %.1f s\n", b - a }'
SH
LOGS="$logs" BOUND="$bound" bash tests/session.sh bash "$logs/window.sh"
echo "app-start: a second start built nothing"
