#!/usr/bin/env bash
# Desktop smoke test: start the production binary in a real window under
# Xvfb, wait for the mounted frontend to report ready, take a screenshot and
# fail if the window is missing, blank or the UI never rendered.
#
# Usage: test/desktop/smoke.sh BINARY OUTDIR
# Runs itself again inside xvfb-run; everything it starts exits with it.
set -euo pipefail

bin=$(realpath "${1:?usage: smoke.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: smoke.sh BINARY OUTDIR}")
ready_timeout=${SMOKE_READY_TIMEOUT:-60}

if [[ -z "${PARLEY_SMOKE_IN_XVFB:-}" ]]; then
  mkdir -p "$out"
  PARLEY_SMOKE_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x900x24" "$0" "$bin" "$out"
fi

data=$(mktemp -d)
log="$out/parley.log"
shot="$out/window.png"
rm -f "$log" "$shot"

"$bin" --network off --data-dir "$data" >"$log" 2>&1 &
pid=$!
cleanup() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

fail() {
  echo "desktop smoke: FAIL: $*" >&2
  echo "--- parley log ($log) ---" >&2
  cat "$log" >&2 || true
  exit 1
}

# The frontend calls FrontendReady once it has mounted and shown the identity.
deadline=$((SECONDS + ready_timeout))
until grep -q 'frontend ready' "$log"; do
  kill -0 "$pid" 2>/dev/null || fail "parley exited before the UI was ready"
  ((SECONDS < deadline)) || fail "no ready signal from the UI within ${ready_timeout}s"
  sleep 0.2
done

window=$(timeout 10 xdotool search --sync --onlyvisible --name '^Parley$' | head -n 1) || true
[[ -n $window ]] || fail "no window titled Parley"

# The ready signal comes right after the identity is set in the store; give
# WebKit a bounded moment to paint it, checking the screen each time.
colours=0
for _ in $(seq 25); do
  import -window "$window" "$shot"
  colours=$(convert "$shot" -format %k info:)
  ((colours >= 50)) && break
  sleep 0.2
done
((colours >= 50)) || fail "window looks blank: $colours colours in $shot"

kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "parley did not exit within 5s of SIGTERM"
wait "$pid" || fail "parley exited with status $? after SIGTERM"

echo "desktop smoke: ok ($colours colours; screenshot $shot)"
