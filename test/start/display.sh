#!/usr/bin/env bash
# Desktop starts as a new user makes them, with the built binary:
#  1. DISPLAY naming a display that does not exist: one line saying what
#     to do, a non-zero exit, no Go panic.
#  2. Several starts one after another on one Xvfb (as xvfb-run starts it,
#     resetting whenever its last client leaves): every window opens, and
#     on SIGTERM quits once (no GTK critical from a second quit), saves its
#     window settings and exits 0.
#  3. A start with an invite link (a click on a parley:// link while Parley
#     is closed): the window opens and offers the link's room.
#
# Usage: test/start/display.sh BINARY [STARTS]
# Runs part 2 inside xvfb-run; everything it starts exits with it.
set -euo pipefail

bin=$(realpath "${1:?usage: display.sh BINARY [STARTS]}")
starts=${2:-15}

fail() { echo "display test: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${PARLEY_DISPLAY_IN_XVFB:-} ]]; then
  # 1. A display nobody serves.
  n=900
  while [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] && ((n < 999)); do n=$((n + 1)); done
  set +e
  out=$(DISPLAY=:$n WAYLAND_DISPLAY= GDK_BACKEND= XDG_SESSION_TYPE= timeout 30 "$bin" --network off \
    --data-dir "$work/none" --listen /ip4/127.0.0.1/tcp/0 2>&1)
  status=$?
  set -e
  ((status != 0 && status != 124)) || fail "exit status $status with DISPLAY=:$n"
  [[ $out != *panic* && $out != *goroutine* ]] || fail "a Go panic instead of a message: $out"
  (($(wc -l <<<"$out") == 1)) || fail "want one line, got: $out"
  [[ $out == *"no display at :$n is reachable"*"--headless"* ]] || fail "the line does not say what to do: $out"
  echo "display test: no display: one line, exit $status: $out"

  # 2. Back-to-back starts on one X server.
  rm -rf "$work"
  PARLEY_DISPLAY_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x900x24" "$0" "$bin" "$starts"
fi

for i in $(seq "$starts"); do
  log=$work/parley.$i.log
  "$bin" --network off --data-dir "$work/data.$i" --listen /ip4/127.0.0.1/tcp/0 >"$log" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 60))
  until grep -q 'frontend ready' "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "start $i of $starts exited before its window showed"; }
    ((SECONDS < deadline)) || fail "start $i of $starts: no window within 60 s"
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid" || { cat "$log" >&2; fail "start $i of $starts exited with status $? after SIGTERM"; }
  pid=
  ! grep -q 'CRITICAL' "$log" || fail "start $i of $starts: $(grep -m1 CRITICAL "$log")"
  [[ -f $work/data.$i/settings.json ]] || fail "start $i of $starts did not save its window settings"
  ! grep -q 'not saved' "$log" || fail "start $i of $starts: $(grep -m1 'not saved' "$log")"
done
echo "display test: ok ($starts windows opened one after another on one X server)"

# 3. Started by a link. The link comes from a headless run of the same
# binary, which makes a room and an invite for it, then stops.
"$bin" --headless --network off --data-dir "$work/inviter" --listen /ip4/127.0.0.1/tcp/0 \
  --api 127.0.0.1:0 >"$work/inviter.out" 2>&1 &
pid=$!
deadline=$((SECONDS + 30))
until grep -q '^api:' "$work/inviter.out" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/inviter.out" >&2; fail "the inviting node exited at start"; }
  ((SECONDS < deadline)) || fail "the inviting node did not start within 30 s"
  sleep 0.1
done
api=$(awk '/^api:/ {print $2}' "$work/inviter.out")
call() { curl -sf --max-time 10 -H "Authorization: Bearer $(cat "$work/inviter/api-token")" -d "$2" "$api/api/$1"; }
room=$(call CreateRoom '["Invited here"]' | jq -r .id)
link=$(call Invite "[\"$room\"]" | jq -r .)
kill -TERM "$pid"
wait "$pid" || fail "the inviting node exited with status $? after SIGTERM"
pid=
[[ $link == parley://join/* ]] || fail "no invite link from the inviting node: $link"

log=$work/parley.link.log
"$bin" --network off --data-dir "$work/data.link" --listen /ip4/127.0.0.1/tcp/0 "$link" >"$log" 2>&1 &
pid=$!
deadline=$((SECONDS + 60))
until grep -q 'invite link shown.*Invited here' "$log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the start with a link exited before offering it"; }
  ((SECONDS < deadline)) || { cat "$log" >&2; fail "the start with a link did not offer the room within 60 s"; }
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || { cat "$log" >&2; fail "the start with a link exited with status $? after SIGTERM"; }
pid=
echo "display test: ok (a start with an invite link offered its room)"
