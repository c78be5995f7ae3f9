#!/usr/bin/env bash
# Desktop smoke test: the production binary in a real window under Xvfb.
# A headless peer on 127.0.0.1 holds a room with a big history (seeded
# with test/seedroom, SMOKE_MESSAGES messages, 100,000 by default) that the
# desktop has joined but not yet received. The window opens on that room
# and catches up from the peer. Meanwhile the test types messages into the
# real composer with xdotool and times each until the peer has it: the
# window must keep handling input through the catch-up. It then waits for
# the peer to report the sync done, types one more message, checks the
# screen repainted and is not blank, pastes a picture that the peer must
# get byte for byte, and after the window closes checks
# the desktop's store holds the whole history. Last, a clicked invite link
# while the window is open: a second start hands it over and exits 0, the
# window offers the room and Enter joins it.
#
# Usage: test/desktop/smoke.sh BINARY OUTDIR
# Runs itself again inside xvfb-run; everything it starts exits with it.
set -Eeuo pipefail

bin=$(realpath "${1:?usage: smoke.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: smoke.sh BINARY OUTDIR}")
ready_timeout=${SMOKE_READY_TIMEOUT:-60}
messages=${SMOKE_MESSAGES:-100000}
repo=$(cd "$(dirname "$0")/../.." && pwd)

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
  if [[ -s $work/peer-events ]]; then
    echo "--- the peer's last events ---" >&2
    tail -c 1000 "$work/peer-events" | tr -c '[:print:]\n' ' ' >&2
    echo >&2
  fi
  exit 1
}
# A command that fails outside a check says which it was, with the log.
trap 'fail "command failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR

wait_for() { # wait_for SECONDS WHAT CONDITION
  local deadline=$((SECONDS + $1)) what=$2 cond=$3
  until eval "$cond" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "after $1 s: $what"
    sleep 0.2
  done
}

# start_headless DIR NAME: a headless node; sets $api and $token
start_headless() {
  # The output of an earlier run of that name goes first: the background
  # start may truncate it only after the wait below has read its address.
  rm -f "$work/$2.out" "$work/$2.err"
  "$bin" --headless --network off --data-dir "$1" --listen /ip4/127.0.0.1/tcp/0 \
    --api 127.0.0.1:0 >"$work/$2.out" 2>"$work/$2.err" &
  pids+=($!)
  wait_for 30 "headless $2 starts" "grep -q '^login:' $work/$2.out"
  api=$(awk '/^api:/ {print $2}' "$work/$2.out")
  token=$(cat "$1/api-token")
}
call() { # call API TOKEN METHOD JSON; a failure says which call and why
  local status=0
  curl -sS --fail-with-body --max-time 30 -H "Authorization: Bearer $2" -d "$4" "$1/api/$3" 2>"$work/curl.err" || status=$?
  ((status == 0)) || echo "desktop smoke: $3 on $1 failed (curl status $status): $(cat "$work/curl.err")" >&2
  return "$status"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

stop_last() { # stop_last: SIGTERM the last process started, and wait for it
  kill -TERM "${pids[-1]}" && wait "${pids[-1]}" || true
  unset 'pids[-1]'
}

# The peer and its room, with a big history.
(cd "$repo" && go build -o "$work/seedroom" ./test/seedroom)
seed_start=$(now_ms)
room=$("$work/seedroom" --data-dir "$work/peer" --room smoke --n "$messages")
echo "desktop smoke: seeded $messages messages in $(($(now_ms) - seed_start)) ms"

# The desktop's data dir joins that room first, with an invite link from
# the peer, through a headless run of the same binary, so the window opens
# in it with the composer focused. The peer is stopped by then: joining by
# a link dials its inviter, and the history must not start to flow before
# the window is open.
start_headless "$work/peer" peer
link=$(call "$api" "$token" Invite "[\"$room\"]" | jq -r .)
[[ $link == parley://join/* ]] || fail "the peer gave no invite link for the seeded room: $link"
stop_last
start_headless "$work/desk" desk
call "$api" "$token" SetName '["Smoke"]' >/dev/null # a returning user: no first-run question
call "$api" "$token" JoinRoom "$(jq -cn --arg l "$link" '[$l, "smoke"]')" >/dev/null
stop_last

start_headless "$work/peer" peer
peer_api=$api peer_token=$token
peer_addr=$(awk '/^address:/ {print $2; exit}' "$work/peer.out")

# The peer's events, raw from its WebSocket: its side of the sync reports
# progress and the end of each session there.
curl -sN --http1.1 -H "Authorization: Bearer $peer_token" -H "Connection: Upgrade" -H "Upgrade: websocket" \
  -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: $(head -c 16 /dev/urandom | base64)" \
  "$peer_api/api/events" >"$work/peer-events" 2>/dev/null &
pids+=($!)
# A name change shows the socket is open and the events flow (the socket
# may open after the first change: change it until one comes through).
renames=0
socket_open() {
  renames=$((renames + 1))
  call "$peer_api" "$peer_token" SetName "[\"Peer $renames\"]" >/dev/null
  grep -aq '"name":"profile"' "$work/peer-events"
}
wait_for 10 "the peer's events come through its socket" socket_open

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
catchup_start=$(now_ms)
xdotool windowactivate --sync "$window" 2>/dev/null || xdotool windowfocus --sync "$window"
# Keys typed before the X server has moved the focus are lost: type only
# once the window holds it.
focused() { [[ $(xdotool getwindowfocus 2>/dev/null) == "$window" ]]; }
wait_for 10 "the window has the keyboard focus" focused
# With no window manager the web view inside has no keyboard focus yet, and
# the first key only gives it that (a probe reached the peer as "robe 0"):
# click into the composer first, as a person would. It sits at the bottom
# of the middle column, above the status bar.
eval "$(xdotool getwindowgeometry --shell "$window")"
xdotool mousemove --window "$window" $((WIDTH * 45 / 100)) $((HEIGHT - 70)) click 1

peer_has() { # peer_has TEXT: the peer's newest messages include TEXT
  call "$peer_api" "$peer_token" History "[\"$room\", \"\", 20]" | jq -e --arg t "$1" '.[] | select(.text == $t)'
}
sync_done() { grep -aq '"done":true' "$work/peer-events"; }

# Type into the window while it catches up; each message must reach the
# peer within a generous deadline (a frozen window took minutes). How long
# each took is printed, not checked: speed belongs in the benchmarks. Bounded: at most 20 probes, and the catch-up has 5 minutes.
probes=() during=0
catchup_deadline=$((SECONDS + 300))
while ! sync_done && ((${#probes[@]} < 20)); do
  ((SECONDS < catchup_deadline)) || fail "the catch-up did not end in 300 s"
  probe="probe ${#probes[@]} $$"
  t0=$(now_ms)
  xdotool type --delay 10 --window "$window" "$probe"
  xdotool key --window "$window" Return
  wait_for 60 "probe '$probe' reaches the peer" "peer_has '$probe'"
  probes+=($(($(now_ms) - t0)))
  sync_done || during=$((during + 1))
done
wait_for 300 "the peer reports the sync done" sync_done
catchup_ms=$(($(now_ms) - catchup_start))
((during > 0)) || fail "the catch-up ended before a message could be typed during it ($catchup_ms ms): raise SMOKE_MESSAGES"
echo "desktop smoke: catch-up of $messages messages took $catchup_ms ms; ${#probes[@]} messages typed meanwhile reached the peer in ${probes[*]} ms"

# steady OUT: the screen, once two grabs 300 ms apart agree (WebKit under
# Xvfb paints a little after the DOM changes; a caret blink is a few pixels).
steady() {
  import -window root "$work/a.png" && sleep 0.3 && import -window root "$1" || return 1
  local diff
  diff=$(compare -metric AE "$work/a.png" "$1" null: 2>&1 || true)
  [[ ${diff%% *} =~ ^[0-9.e+]+$ ]] && (( ${diff%%.*} < 500 ))
}

text="typed by xdotool $$"
xdotool type --delay 20 --window "$window" "$text"
wait_for 10 "the typed text is painted in the composer" "steady $work/typed.png"
xdotool key --window "$window" Return
wait_for 30 "the peer receives the typed message" \
  "call $peer_api $peer_token History '[\"$room\", \"\", 10]' | jq -e --arg t \"$text\" '.[] | select(.text == \$t)'"

# apart BEFORE NOW PIXELS: the screen, once steady (grabbed into NOW),
# differs from BEFORE in more than PIXELS pixels.
apart() {
  steady "$2" || return 1
  local diff
  diff=$(compare -metric AE "$1" "$2" null: 2>&1 || true)
  [[ ${diff%% *} =~ ^[0-9.e+]+$ ]] && (( ${diff%%.*} > $3 ))
}

# Wait until the painted screen differs from the one with the text still in
# the composer (the box empties, the message shows), then check it is not
# blank. The whole
# screen: a grab of the window alone can show an older frame.
wait_for 10 "the window repaints after sending" "apart $work/typed.png $shot 2000"
colours=$(convert "$shot" -format %k info:)
((colours >= 50)) || fail "window looks blank: $colours colours in $shot"

# Six lines typed with Shift+Enter grow the composer (WebKitGTK has no CSS
# field-sizing: the box is measured). The part of the screen that changed
# is as tall as the grown box; a box that stayed two lines high, scrolling,
# changes no more than its own 60-odd pixels.
steady "$work/before-lines.png" || fail "the screen did not settle before typing lines"
for i in 1 2 3 4 5 6; do
  xdotool type --delay 10 --window "$window" "line $i"
  ((i == 6)) || xdotool key --window "$window" shift+Return
done
grown() {
  steady "$work/lines.png" || return 1
  local box
  box=$(compare "$work/before-lines.png" "$work/lines.png" -compose src -fuzz 5% miff:- 2>/dev/null |
    convert - -trim -format '%h' info: 2>/dev/null || true)
  [[ $box =~ ^[0-9]+$ ]] && ((box > 110))
}
wait_for 10 "six typed lines grow the composer" grown
xdotool key --window "$window" ctrl+a Delete

# A picture pasted into the composer, as a screenshot tool leaves it on the
# clipboard, is shared by Enter: WebKitGTK hands the page the image through
# the async clipboard, and its bytes reach the node through the window's
# asset server, never the bindings. The peer fetches it and holds the very
# bytes. (xclip serves the clipboard until the X server ends.)
convert -size 64x48 xc:'#2a6fdb' -fill '#f5c518' -draw 'rectangle 16,12 48,36' "$work/pasted.png"
steady "$work/before-paste.png" || fail "the screen did not settle before the paste"
xclip -selection clipboard -t image/png -i "$work/pasted.png" 2>/dev/null
xdotool key --window "$window" ctrl+v
wait_for 15 "the pasted picture shows in the composer" "apart $work/before-paste.png $work/pasted-shown.png 500"
xdotool key --window "$window" Return
pasted_hash() {
  call "$peer_api" "$peer_token" Files "[\"$room\", 5]" |
    jq -er '.[] | select(.file.name == "Pasted image.png" and .file.state == "complete") | .file.hash'
}
wait_for 60 "the peer holds the pasted picture" pasted_hash
curl -sS --fail --max-time 30 -H "Authorization: Bearer $peer_token" -o "$work/pasted-got.png" "$peer_api/api/files/$(pasted_hash)"
cmp -s "$work/pasted.png" "$work/pasted-got.png" || fail "the peer holds other bytes than the picture pasted"

# A second start with an invite link (as a click on a parley:// link makes
# it) hands the link to the running window and exits 0.
linked=$(call "$peer_api" "$peer_token" CreateRoom '["Linked room"]' | jq -r .id)
link=$(call "$peer_api" "$peer_token" Invite "[\"$linked\"]" | jq -r .)
[[ $link == parley://join/* ]] || fail "the peer gave no invite link: $link"
set +e
second=$(timeout 30 "$bin" --network off --data-dir "$work/desk" "$link" 2>&1)
status=$?
set -e
((status == 0)) || fail "a second start with an invite link exited $status: $second"
[[ $second == *"already running"* ]] || fail "the second start did not say it handed over: $second"
wait_for 15 "the window shows the invite" "grep -q 'invite link shown.*Linked room' $log"
# The dialog has focus on Join: Enter joins.
xdotool key --window "$window" Return
wait_for 30 "the peer sees the desktop join the linked room" \
  "[[ \$(call $peer_api $peer_token Members '[\"$linked\"]' | jq '[.[] | select(.online)] | length') -eq 2 ]]"

kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "parley did not exit within 5s of SIGTERM"
wait "$pid" || fail "parley exited with status $? after SIGTERM"
unset 'pids[-1]'
# The window's web storage (theme, drafts) is in the data dir, not the home.
[[ -d $work/desk/webview/data/parley ]] || fail "no web storage under the data dir: $(ls "$work/desk")"

# The whole history reached the desktop's store: the seeded messages, the
# probes, the last message and the picture.
start_headless "$work/desk" desk
want=$((messages + ${#probes[@]} + 2)) # and the last message, and the picture
have=$(call "$api" "$token" MessageCount "[\"$room\"]")
((have == want)) || fail "the desktop holds $have messages, want $want"
call "$api" "$token" Rooms '[]' | jq -e '.[] | select(.name == "Linked room")' >/dev/null ||
  fail "the room of the handed-over invite link was not joined: $(call "$api" "$token" Rooms '[]')"

echo "desktop smoke: ok (caught up $messages messages in $catchup_ms ms with the window answering; message typed in the window reached the peer; $colours colours; a pasted picture reached the peer byte for byte; screenshot $shot; an invite link handed over by a second start was offered and joined)"
