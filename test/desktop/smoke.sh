#!/usr/bin/env bash
# Desktop smoke test: the production binary in a real window under Xvfb.
# A headless peer on 127.0.0.1 holds a room the desktop has joined; the
# test waits for the mounted frontend's ready signal, types a message into
# the real composer with xdotool, checks that the peer received it through
# its API, and keeps a screenshot. It fails if the window is missing or
# blank, the UI never rendered, or the message never arrived.
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

work=$(mktemp -d)
log="$out/parley.log"
shot="$out/window.png"
rm -f "$log" "$shot"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "desktop smoke: FAIL: $*" >&2
  echo "--- parley log ($log) ---" >&2
  cat "$log" >&2 || true
  exit 1
}

wait_for() { # wait_for SECONDS WHAT CONDITION
  local deadline=$((SECONDS + $1)) what=$2 cond=$3
  until eval "$cond" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "after $1 s: $what"
    sleep 0.2
  done
}

# start_headless DIR NAME: a headless node; sets $api and $token
start_headless() {
  "$bin" --headless --network off --data-dir "$1" --listen /ip4/127.0.0.1/tcp/0 \
    --api 127.0.0.1:0 >"$work/$2.out" 2>"$work/$2.err" &
  pids+=($!)
  wait_for 30 "headless $2 starts" "grep -q '^login:' $work/$2.out"
  api=$(awk '/^api:/ {print $2}' "$work/$2.out")
  token=$(cat "$1/api-token")
}
call() { # call API TOKEN METHOD JSON
  curl -sf --max-time 10 -H "Authorization: Bearer $2" -d "$4" "$1/api/$3"
}

# The peer and its room.
start_headless "$work/peer" peer
peer_api=$api peer_token=$token
peer_addr=$(awk '/^address:/ {print $2; exit}' "$work/peer.out")
room=$(call "$peer_api" "$peer_token" CreateRoom '["smoke"]' | jq -r .id)

# The desktop's data dir joins that room first, through a headless run of
# the same binary, so the window opens in it with the composer focused.
start_headless "$work/desk" desk
call "$api" "$token" SetName '["Smoke"]' >/dev/null # a returning user: no first-run question
call "$api" "$token" JoinRoom "[\"$room\", \"smoke\"]" >/dev/null
kill -TERM "${pids[-1]}" && wait "${pids[-1]}" || true
unset 'pids[-1]'

"$bin" --network off --data-dir "$work/desk" --listen /ip4/127.0.0.1/tcp/0 --peer "$peer_addr" >"$log" 2>&1 &
pid=$!
pids+=("$pid")

# The frontend calls FrontendReady once it has mounted and shown the identity.
wait_for "$ready_timeout" "ready signal from the UI" "grep -q 'frontend ready' $log"
window=$(timeout 10 xdotool search --sync --onlyvisible --name '^Parley' | head -n 1) || true
[[ -n $window ]] || fail "no window titled Parley"

# The desktop must see the peer in the room before a message can reach it.
wait_for 30 "the peer sees the desktop in the room" \
  "[[ \$(call $peer_api $peer_token Members '[\"$room\"]' | jq '[.[] | select(.online)] | length') -eq 2 ]]"

text="typed by xdotool $$"
xdotool windowactivate --sync "$window" 2>/dev/null || xdotool windowfocus --sync "$window"
xdotool type --delay 20 --window "$window" "$text"
wait_for 10 "the typed text shows in the composer" "import -window root $work/typed.png"
xdotool key --window "$window" Return
wait_for 30 "the peer receives the typed message" \
  "call $peer_api $peer_token History '[\"$room\", \"\", 10]' | jq -e --arg t \"$text\" '.[] | select(.text == \$t)'"

# WebKit under Xvfb repaints a little after the DOM changes: wait until
# the screen differs from the one with the text still in the composer (the
# box empties, the message shows), then check it is not blank. The whole
# screen: a grab of the window alone can show an older frame.
changed() {
  import -window root "$shot"
  local diff
  diff=$(compare -metric AE "$work/typed.png" "$shot" null: 2>&1 || true)
  [[ ${diff%% *} =~ ^[0-9.e+]+$ ]] && (( ${diff%%.*} > 2000 ))
}
wait_for 10 "the window repaints after sending" changed
colours=$(convert "$shot" -format %k info:)
((colours >= 50)) || fail "window looks blank: $colours colours in $shot"

kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "parley did not exit within 5s of SIGTERM"
wait "$pid" || fail "parley exited with status $? after SIGTERM"
unset 'pids[-1]'

echo "desktop smoke: ok (message typed in the window reached the peer; $colours colours; screenshot $shot)"
