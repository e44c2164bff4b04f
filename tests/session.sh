#!/usr/bin/env bash
# Runs a command inside a private desktop session with a real Secret Service:
# a fresh session bus (dbus-run-session) and a new gnome-keyring whose login
# keyring is created and unlocked from a fixed test password. The keyring
# lives in a temporary XDG_DATA_HOME, so no existing keyring is touched and no
# graphical password prompt can appear. Used by .ci/test and the e2e tests.
#
#   bash tests/session.sh cargo test --workspace
set -euo pipefail
if [ -z "${ZBS_IN_SESSION:-}" ]; then
  tmp=$(mktemp -d /tmp/zbs-session.XXXXXX)
  export ZBS_SESSION_TMP="$tmp"
  export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
  export XDG_RUNTIME_DIR="$tmp/runtime"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  status=0
  ZBS_IN_SESSION=1 dbus-run-session -- bash "$0" "$@" || status=$?
  # The document portal may leave its FUSE mount behind in the runtime folder:
  # cleaning up never changes the command's own status.
  if command -v mountpoint >/dev/null && mountpoint -q "$XDG_RUNTIME_DIR/doc" 2>/dev/null; then
    fusermount -uz "$XDG_RUNTIME_DIR/doc" 2>/dev/null || umount -l "$XDG_RUNTIME_DIR/doc" 2>/dev/null || true
  fi
  rm -rf "$tmp" 2>/dev/null || true
  exit $status
fi
eval "$(printf 'zbs-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
