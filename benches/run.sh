#!/usr/bin/env bash
# Benchmarks of Zoho Books Setup side by side with their floors; writes
# BENCHMARKS.md at the top of the repository.
#
#   bash benches/run.sh           # build, startup + memory (BENCH_RUNS=5 each), Criterion, BENCHMARKS.md
#   bash benches/run.sh --quick   # build, startup + memory (3 each), no Criterion; prints the
#                                 # figures, leaves BENCHMARKS.md alone, and exits 1 when the app
#                                 # is more than BENCH_QUICK_BOUND (1.5) times its floor
#
# Builds what it needs (the UI; the app and the bare window benches/baseline
# in release mode, sharing target/), then launches both alternately through
# WebDriver (tauri-driver + WebKitWebDriver) under Xvfb in a private session
# bus with gnome-keyring (tests/session.sh), as the end-to-end tests do.
# Environment: BENCH_RUNS (launches per side), BENCH_IDLE_MS (wait before
# reading memory, 2000), BENCH_SKIP_BUILD=1 (use the binaries already built).
# Raw figures and logs go to target/bench/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $arg (try --quick)" >&2; exit 2 ;;
  esac
done
if [ $quick -eq 1 ]; then export BENCH_RUNS="${BENCH_RUNS:-3}"; else export BENCH_RUNS="${BENCH_RUNS:-5}"; fi
export BENCH_OUT="$root/target/bench"
mkdir -p "$BENCH_OUT"
export BENCH_APP="$root/target/release/zoho-books-setup"
export BENCH_BASELINE="$root/target/release/zbs-baseline"
start=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - start ))s)"; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  step "install what is missing"
  bash .ci/install
  step "build: UI"
  npm --prefix ui run --silent build
  step "build: app (release)"
  cargo build --release --locked -p zoho-books-setup --bin zoho-books-setup
  step "build: bare window (release)"
  CARGO_TARGET_DIR="$root/target" cargo build --release --locked --manifest-path benches/baseline/Cargo.toml
fi
for bin in "$BENCH_APP" "$BENCH_BASELINE"; do
  [ -x "$bin" ] || { echo "bench: no binary at $bin (run without BENCH_SKIP_BUILD)" >&2; exit 1; }
done

step "startup and memory: $BENCH_RUNS launches of each, alternately"
rm -f "$BENCH_OUT/startup.json"
# The session's own chatter (dbus activations, portals, a11y) goes to a log.
if ! bash tests/session.sh bash benches/driver.sh node benches/startup.mjs 2>"$BENCH_OUT/session.log"; then
  tail -n 40 "$BENCH_OUT/session.log" >&2
  echo "bench: the startup comparison failed (logs in $BENCH_OUT)" >&2
  exit 1
fi

if [ $quick -eq 0 ]; then
  step "micro-benchmarks (Criterion)"
  rm -rf target/criterion/decode_* target/criterion/callback
  cargo bench --locked -p zbs-bench 2>&1 | tee "$BENCH_OUT/criterion.log"
fi

step "report"
if [ $quick -eq 1 ]; then
  node benches/report.mjs --quick
else
  node benches/report.mjs
fi
