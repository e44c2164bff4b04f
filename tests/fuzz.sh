#!/usr/bin/env bash
# The property tests at a size above the regular `cargo test` run's (2,000
# cases each): what CI runs after it, reusing its test binaries.
#
#   bash tests/fuzz.sh          (CI: 4 x 20,000 redirect URLs, 3 x 7,000 Zoho
#                               answers, 2 x 7,000 records' key columns)
#   bash tests/fuzz.sh --full   (over a million: 4 x 200,000, 3 x 70,000, 2 x 70,000;
#                               about 5 minutes on 2 cores)
#
# `--workspace`, as the cargo test step: the same features, so its test
# binaries are reused (`-p` resolves features anew and recompiles).
set -euo pipefail
cd "$(dirname "$0")/.."
urls=20000 answers=7000 keys=7000
case "${1:-}" in
  --full) urls=200000 answers=70000 keys=70000 ;;
  "") ;;
  *) echo "fuzz: unknown argument $1 (try --full)" >&2; exit 2 ;;
esac
PROPTEST_CASES=$urls cargo test --workspace --locked --test callback_fuzz
PROPTEST_CASES=$answers cargo test --workspace --locked --test decode_fuzz
PROPTEST_CASES=$keys cargo test --workspace --locked --test key_columns_fuzz
