#!/usr/bin/env bash
# Benchmarks of Zoho Books Setup side by side with their floors; writes
# BENCHMARKS.md at the top of the repository.
#
#   bash benches/run.sh           # build, startup + memory (BENCH_RUNS=5 each), Criterion, pulls
#                                 # (efficiency, ingest, 100,000 records, the preview), BENCHMARKS.md
#   bash benches/run.sh --quick   # build, startup + memory (3 each), one pull-efficiency run, no
#                                 # Criterion; prints the figures, leaves BENCHMARKS.md alone, and
#                                 # exits 1 when the app is more than BENCH_QUICK_BOUND (1.5) times
#                                 # its floor, or the pull's achieved/allowed request rate is under
#                                 # BENCH_PULL_QUICK_BOUND (0.85) or it got any HTTP 429
#
# Builds what it needs (the UI; the app and the bare window benches/baseline
# in release mode, in one cargo build), then launches both alternately through
# WebDriver (tauri-driver + WebKitWebDriver) under Xvfb in a private session
# bus with gnome-keyring (tests/session.sh), as the end-to-end tests do.
# Environment: BENCH_RUNS (launches per side), BENCH_IDLE_MS (wait before
# reading memory, 2000), BENCH_SKIP_BUILD=1 (use the binaries already built),
# BENCH_PULL_RUNS (pull-efficiency runs, 5; 1 with --quick), BENCH_SCALE_RUNS
# (100,000-record pulls, 3). The pull figures come from benches/pull
# (pull-bench) and benches/preview.mjs; benches/pull/report.mjs fills their
# sections of BENCHMARKS.md. Raw figures and logs go to target/bench/.
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
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $arg (try --quick)" >&2; exit 2 ;;
  esac
done
if [ $quick -eq 1 ]; then export BENCH_RUNS="${BENCH_RUNS:-3}"; else export BENCH_RUNS="${BENCH_RUNS:-5}"; fi
export BENCH_OUT="$root/target/bench"
mkdir -p "$BENCH_OUT"
# Binaries land where cargo puts them (CARGO_TARGET_DIR, or target/).
target="${CARGO_TARGET_DIR:-$root/target}"
export BENCH_APP="$target/release/zoho-books-setup"
export BENCH_BASELINE="$target/release/zbs-baseline"
pull_bench="$target/release/examples/pull-bench"
start=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - start ))s)"; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  step "install what is missing"
  bash .ci/install
  step "build: UI"
  bash .ci/ui-build
  # One build with the package's packages (the app and zbsetup), the bare
  # window and the pull measurements, whose dependencies resolve to the
  # app's features (they add none): the package's release build is reused
  # as it is and only their own crates compile. (Built on their own, the
  # pull measurements resolve without the window's features and rebuild
  # most of the graph: 63 to 102 s more.)
  step "build: app, bare window and pull measurements (release)"
  cargo build --release --locked --bins --example pull-bench \
    -p zoho-books-setup -p zbsetup -p zbs-baseline -p zbs-bench-pull
fi
for bin in "$BENCH_APP" "$BENCH_BASELINE" "$pull_bench"; do
  [ -x "$bin" ] || { echo "bench: no binary at $bin (run without BENCH_SKIP_BUILD)" >&2; exit 1; }
done

step "startup and memory: $BENCH_RUNS launches of each, alternately"
rm -f "$BENCH_OUT/startup.json"
# The session's own chatter (dbus activations, portals, a11y) goes to a log.
# The session's cleanup can fail on its own (a document-portal FUSE mount left
# in its runtime folder): only a missing startup.json fails the run.
if ! bash tests/session.sh bash tests/desktop.sh bench "$BENCH_OUT" node benches/startup.mjs 2>"$BENCH_OUT/session.log"; then
  tail -n 40 "$BENCH_OUT/session.log" >&2
  if [ ! -s "$BENCH_OUT/startup.json" ]; then
    echo "bench: the startup comparison failed (logs in $BENCH_OUT)" >&2
    exit 1
  fi
  echo "bench: the session ended with an error after the startup figures were written; going on" >&2
fi

if [ $quick -eq 0 ]; then
  step "micro-benchmarks (Criterion)"
  rm -rf "$target"/criterion/decode_* "$target"/criterion/{callback,limiter,upsert}
  cargo bench --locked -p zbs-bench 2>&1 | tee "$BENCH_OUT/criterion.log"
fi

if [ $quick -eq 1 ]; then pull_runs="${BENCH_PULL_RUNS:-1}"; else pull_runs="${BENCH_PULL_RUNS:-5}"; fi
step "pull efficiency: quota-bound pulls at 100 requests per 10 s ($pull_runs runs)"
rm -f "$BENCH_OUT/pull-efficiency.json"
"$pull_bench" efficiency --runs "$pull_runs" >"$BENCH_OUT/pull-efficiency.json"

if [ $quick -eq 0 ]; then
  rm -f "$BENCH_OUT"/pull-ingest.json "$BENCH_OUT"/pull-scale-*.json "$BENCH_OUT"/preview*.json
  step "ingest: 100,000 records through the store, 5 runs"
  "$pull_bench" ingest --runs 5 >"$BENCH_OUT/pull-ingest.json"

  scale_runs="${BENCH_SCALE_RUNS:-3}"
  step "scale: $scale_runs pulls of 100,000 records, one process each"
  for i in $(seq 1 "$scale_runs"); do
    "$pull_bench" scale >"$BENCH_OUT/pull-scale-$i.json"
  done

  step "preview: 100,000 rows in the webview ($BENCH_RUNS launches)"
  export BENCH_PREVIEW_DATA="$BENCH_OUT/preview-data"
  rm -rf "$BENCH_PREVIEW_DATA"
  "$pull_bench" preview-data "$BENCH_PREVIEW_DATA" >"$BENCH_OUT/preview-data.json"
  "$pull_bench" records "$BENCH_PREVIEW_DATA/demo/zbsetup.sqlite3" --runs 20 >"$BENCH_OUT/preview-records.json"
  if ! bash tests/session.sh bash tests/desktop.sh bench "$BENCH_OUT" node benches/preview.mjs 2>"$BENCH_OUT/session-preview.log"; then
    tail -n 40 "$BENCH_OUT/session-preview.log" >&2
    echo "bench: the preview measurement failed (logs in $BENCH_OUT); its section reports the core query only" >&2
  fi
fi

step "report"
if [ $quick -eq 1 ]; then
  status=0
  node benches/report.mjs --quick || status=1
  echo
  node benches/pull/report.mjs --quick || status=1
  exit $status
else
  node benches/report.mjs
  node benches/pull/report.mjs
fi
