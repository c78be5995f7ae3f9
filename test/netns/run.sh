#!/usr/bin/env bash
# Network test in namespaces: LAN discovery, then history sync across a
# partition and a crash. Four `parley --headless --network lan` nodes, each
# in a namespace of its own, joined by a bridge in a fifth namespace. Addresses are 198.18.0.0/24 and no namespace has a
# route out, so mDNS and all traffic stay inside what this script creates.
#
# Usage: test/netns/run.sh BINARY SEEDROOM
#   SEEDROOM is the built test/seedroom tool (fills a stopped node's history).
# Needs root (for ip netns); otherwise it says so and skips. Everything it
# creates is removed on exit, on failure too.
set -euo pipefail

bin=$(realpath "${1:?usage: run.sh BINARY SEEDROOM}")
seedroom=$(realpath "${2:?usage: run.sh BINARY SEEDROOM}")
if [[ $(id -u) -ne 0 ]]; then
  echo "netns: SKIPPED: needs root to create network namespaces"
  exit 0
fi
for tool in ip curl jq; do
  command -v "$tool" >/dev/null || { echo "netns: FAIL: $tool is not installed" >&2; exit 1; }
done

tag="pn$$"
bridge="$tag-br"
work=$(mktemp -d)
nodes=(a b c d)
declare -A pid ns token
passed=0

cleanup() {
  for n in "${nodes[@]}"; do
    [[ -n ${pid[$n]:-} ]] && kill -TERM "${pid[$n]}" 2>/dev/null || true
  done
  for n in "${nodes[@]}"; do
    [[ -n ${pid[$n]:-} ]] && wait "${pid[$n]}" 2>/dev/null || true
  done
  for n in "${nodes[@]}"; do ip netns del "$tag-$n" 2>/dev/null || true; done
  ip netns del "$bridge" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "netns: FAIL: $*" >&2
  for n in "${nodes[@]}"; do
    [[ -f $work/$n.log ]] && { echo "--- node $n log (last 20 lines) ---" >&2; tail -n 20 "$work/$n.log" >&2; }
  done
  echo "netns: $passed passed, 1 failed"
  exit 1
}
ok() { passed=$((passed + 1)); echo "netns: ok: $*"; }
trap 'fail "command failed at line $LINENO: $BASH_COMMAND"' ERR

# --- network: one bridge namespace, one namespace per node -------------------
ip netns add "$bridge"
ip -n "$bridge" link add br0 type bridge
ip -n "$bridge" link set br0 up
i=0
for n in "${nodes[@]}"; do
  i=$((i + 1))
  ns[$n]="$tag-$n"
  ip netns add "${ns[$n]}"
  ip -n "${ns[$n]}" link add eth0 type veth peer name "v$n" netns "$bridge"
  ip -n "$bridge" link set "v$n" master br0
  ip -n "$bridge" link set "v$n" up
  ip -n "${ns[$n]}" addr add "198.18.0.$i/24" dev eth0
  ip -n "${ns[$n]}" link set eth0 up
  ip -n "${ns[$n]}" link set lo up
  ip -n "${ns[$n]}" link set lo multicast on
done

start() { # start NODE
  local n=$1
  mkdir -p "$work/$n"
  ip netns exec "${ns[$n]}" "$bin" --headless --network lan --data-dir "$work/$n" \
    --api 127.0.0.1:7717 >"$work/$n.log" 2>&1 &
  pid[$n]=$!
  wait_for 20 "node $n serves its API" "[[ -s $work/$n/api-token ]] && call $n Status >/dev/null"
  token[$n]=$(cat "$work/$n/api-token")
}

call() { # call NODE METHOD [JSON-ARGS]: print the JSON result, fail on HTTP errors
  local n=$1 method=$2 args=${3:-[]}
  ip netns exec "${ns[$n]}" curl -sf --max-time 10 \
    -H "Authorization: Bearer $(cat "$work/$n/api-token" 2>/dev/null)" \
    -d "$args" "http://127.0.0.1:7717/api/$method"
}

wait_for() { # wait_for SECONDS WHAT CONDITION
  local deadline=$((SECONDS + $1)) what=$2 cond=$3
  until eval "$cond" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "after $1 s: $what"
    sleep 0.2
  done
}

# nearby_count NODE: how many peers it found on the LAN and is connected to
nearby_count() { call "$1" Nearby | jq '[.[] | select(.lan and .connected)] | length'; }

# --- three nodes find each other ------------------------------------------
t0=$SECONDS
for n in a b c; do start "$n"; done
for n in a b c; do
  wait_for 10 "node $n finds the other two by mDNS" "[[ \$(nearby_count $n) -eq 2 ]]"
done
ok "a, b and c found each other by mDNS in $((SECONDS - t0)) s"

call a SetName '["Ada"]' >/dev/null
room=$(call a CreateRoom '["lan party"]' | jq -r .id)
# A new room is invite only; a makes it visible on the network.
call a SetRoomNearby "[\"$room\", true]" >/dev/null
for n in b c; do
  wait_for 10 "node $n sees a's room on the network" \
    "call $n Nearby | jq -e --arg r $room '.[] | select(.name == \"Ada\") | .rooms[] | select(.id == \$r and .name == \"lan party\")'"
done
ok "a's room, made visible on the network, shows up as nearby on b and c"

# b joins from Nearby (by the room's ID, which its node learned from a's
# hello), c by an invite link a made.
call b JoinRoom "[\"$room\", \"lan party\"]" >/dev/null
link=$(call a Invite "[\"$room\"]" | jq -r .)
call c JoinRoom "$(jq -cn --arg l "$link" '[$l, ""]')" >/dev/null
for n in a b c; do
  wait_for 10 "node $n sees all three members online" \
    "[[ \$(call $n Members '[\"$room\"]' | jq '[.[] | select(.online)] | length') -eq 3 ]]"
done
for n in a b c; do call "$n" Send "[\"$room\", \"hello from $n\"]" >/dev/null; done
for n in a b c; do
  wait_for 10 "node $n holds all three messages" \
    "[[ \$(call $n History '[\"$room\", \"\", 50]' | jq '[.[] | select((.text // \"\") | startswith(\"hello from \"))] | length') -eq 3 ]]"
done
ok "b joined from Nearby, c by an invite link, and all three exchanged messages"

# --- a node that starts 10 s later catches up ------------------------------
sleep 10 # the point of the check: d starts well after the others settled
t1=$SECONDS
start d
wait_for 10 "late node d finds a, b and c" "[[ \$(nearby_count d) -eq 3 ]]"
for n in a b c; do
  wait_for 10 "node $n finds late node d" "[[ \$(nearby_count $n) -eq 3 ]]"
done
wait_for 10 "late node d sees the room" \
  "call d Nearby | jq -e --arg r $room '[.[] | .rooms[] | select(.id == \$r)] | length >= 3'"
ok "late node d discovered everyone and the room within $((SECONDS - t1)) s"

# --- a partition: c is cut off while everyone writes ------------------------
count() { call "$1" MessageCount "[\"$room\"]"; }
before=$(count a)
ip -n "$bridge" link set vc down
for i in $(seq 250); do
  call a Send "[\"$room\", \"a during the cut $i\"]" >/dev/null
  call b Send "[\"$room\", \"b during the cut $i\"]" >/dev/null
done
for i in $(seq 50); do call c Send "[\"$room\", \"c alone $i\"]" >/dev/null; done
t2=$SECONDS
ip -n "$bridge" link set vc up
target=$((before + 550))
for n in a b c; do
  wait_for 120 "node $n holds all $target messages after the link came back" "[[ \$(count $n) -eq $target ]]"
done
ok "after the partition a, b and c hold the same $target messages, $((SECONDS - t2)) s after the link came back"

# --- a crash in the middle of a sync ----------------------------------------
# c stops; a, stopped too, gets 20,000 messages more (as if written while
# c was away); both come back; c is killed while it syncs, restarted, and
# must still end with everything, nothing twice.
stop_node() { # stop_node NODE: SIGTERM, and wait for it to exit
  kill -TERM "${pid[$1]}"
  wait "${pid[$1]}" || true
}
stop_node c
stop_node a
"$seedroom" --data-dir "$work/a" --room-id "$room" --n 20000 >/dev/null
target=$((target + 20000))
start a
wait_for 120 "b catches up with a" "[[ \$(count b) -eq $target ]]"
start c
killed=no
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  got=$(count c 2>/dev/null || echo 0)
  if ((got > target - 20000 && got < target)); then
    kill -KILL "${pid[c]}"; wait "${pid[c]}" 2>/dev/null || true
    killed="yes, at $got of $target"
    break
  fi
  ((got == target)) && break
done
[[ $killed != no ]] || fail "c finished its sync before it could be killed in the middle"
start c
wait_for 120 "c converges after the crash" "[[ \$(count c) -eq $target ]]"
for n in a b; do [[ $(count "$n") -eq $target ]] || fail "node $n holds $(count "$n"), want $target"; done
ok "c was killed mid-sync ($killed), restarted and converged on $target messages, none twice"

echo "netns: $passed passed, 0 failed"
