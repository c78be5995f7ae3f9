#!/usr/bin/env bash
# What a stranger learns of a room, in network namespaces. A helper H and
# two members A and B stand on a small "internet" (a bridge, IPv6
# 3fff::/20, which go-libp2p counts as public; no route out), and so does a
# stranger S: a plain libp2p host (test/stranger) that knows the room's ID
# and name, as if from a screenshot of Connection details, and shares no
# room with anyone. The bridge drops mDNS: nobody is anybody's neighbour.
#
#   1. B joins by A's invite link alone (B is given no helper: the link
#      names H) and they chat both ways.
#   2. S dials A and B: their hellos carry no room, name or profile; it
#      subscribes to every topic they announce and hears nothing while they
#      chat; what it publishes there no member stores; a sync of the room
#      by its ID is refused; A and B do not list it as a member.
#   3. S looks the room up on Parley's DHT, through H, under every key that
#      follows from the ID: nobody. The key from the room's secret (the link,
#      for this control only) finds A and B.
#   4. H joins the room by the link through its API: it gets the history
#      and shows as a member; with A and B cut off from each other in the
#      bridge, H carries their messages both ways.
#
#   +------------------- namespace inet: bridge br0 --------------------+
#   | H 3fff:0:0:100::10  A 3fff:0:0:a00::10  B 3fff:0:0:b00::10  S ...e00::10 |
#   +--------------------------------------------------------------------+
#
# Nothing touches the root namespace's links. Figures go to lines starting
# with "stranger:".
#
# Usage: test/netns/stranger.sh BINARY STRANGER
#   STRANGER is the built test/stranger tool. With STRANGER_LOGS=DIR the
#   nodes' logs and the stranger's findings are copied to DIR first.
# Needs root, ip, nft, ping, curl and jq; without root it says so and skips.
# Everything it creates is removed on exit, on failure too.
set -euo pipefail

usage="usage: stranger.sh BINARY STRANGER"
bin=$(realpath "${1:?$usage}")
tool=$(realpath "${2:?$usage}")
if [[ $(id -u) -ne 0 ]]; then
  echo "stranger: SKIPPED: needs root to create network namespaces"
  exit 0
fi
for t in ip nft ping curl jq; do
  command -v "$t" >/dev/null || {
    echo "stranger: FAIL: $t is not installed (apt-get install iproute2 nftables iputils-ping curl jq)" >&2
    exit 1
  }
done

tag="st$$"
run=$(mktemp -d /tmp/parley-stranger.XXXXXX)
nodes=(h a b)             # the Parley nodes
spaces=(inet h a b s)     # every namespace, by its short name
declare -A pid            # Parley node -> PID
spid=                     # the stranger tool's PID
passed=0
t_start=$SECONDS

H=3fff:0:0:100::10
A=3fff:0:0:a00::10
B=3fff:0:0:b00::10
S=3fff:0:0:e00::10
declare -A ip=([h]=$H [a]=$A [b]=$B [s]=$S)

ns() { echo "$tag-$1"; }
in_ns() { local s=$1; shift; ip netns exec "$(ns "$s")" "$@"; }

# --- cleanup ------------------------------------------------------------------

proc_gone() { # proc_gone PID: the process has exited (a zombie counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [[ -z $state || $state == Z ]]
}

stop_pid() { # stop_pid PID: SIGTERM, up to 10 s to exit, then SIGKILL; reaps it
  local p=$1 deadline=$((SECONDS + 10))
  kill -TERM "$p" 2>/dev/null || true
  until proc_gone "$p"; do
    if ((SECONDS >= deadline)); then
      echo "stranger: process $p ignored SIGTERM for 10 s: killing it" >&2
      kill -KILL "$p" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$p" 2>/dev/null || true
}

cleanup() {
  local n s
  if [[ -n $spid ]]; then stop_pid "$spid"; fi
  for n in "${nodes[@]}"; do
    if [[ -n ${pid[$n]:-} ]]; then stop_pid "${pid[$n]}"; fi
  done
  for s in "${spaces[@]}"; do ip netns del "$(ns "$s")" 2>/dev/null || true; done
  if [[ -n ${STRANGER_LOGS:-} ]]; then
    mkdir -p "$STRANGER_LOGS"
    cp "$run"/*.log "$run"/*.json "$STRANGER_LOGS/" 2>/dev/null || true
  fi
  rm -rf "$run"
}
trap cleanup EXIT

fail() {
  echo "stranger: FAIL: $*" >&2
  local n
  for n in "${nodes[@]}"; do
    if [[ -n ${pid[$n]:-} ]]; then
      echo "--- node $n: peers $(call "$n" Peers 2>/dev/null | jq -c '[.[] | {id: .peerId[-6:], why, via}]' 2>/dev/null)" >&2
    fi
  done
  for n in "${nodes[@]}" stranger; do
    if [[ -s $run/$n.log ]]; then
      echo "--- $n log (last 30 lines) ---" >&2
      tail -n 30 "$run/$n.log" >&2
    fi
  done
  echo "stranger: $passed passed, 1 failed"
  exit 1
}
ok() { passed=$((passed + 1)); echo "stranger: ok: $*"; }
note() { echo "stranger: $*"; }
trap 'fail "command failed at line $LINENO: $BASH_COMMAND"' ERR

wait_for() { # wait_for SECONDS WHAT COMMAND...: poll COMMAND until it succeeds
  local limit=$1 what=$2 deadline=$((SECONDS + $1)) out
  shift 2
  until out=$("$@" 2>&1); do
    ((SECONDS < deadline)) || fail "after $limit s: $what${out:+ (last: ${out:0:300})}"
    sleep 0.2
  done
}

# --- the lab ------------------------------------------------------------------

build_lab() {
  local s
  for s in "${spaces[@]}"; do
    ip netns add "$(ns "$s")"
    ip -n "$(ns "$s")" link set lo up
    in_ns "$s" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  ip -n "$(ns inet)" link add br0 type bridge mcast_snooping 0
  ip -n "$(ns inet)" link set br0 up
  for s in h a b s; do
    # Created inside inet, its peer moved into the node's namespace: the
    # root namespace never sees either end.
    ip -n "$(ns inet)" link add "v$s" type veth peer name eth0 netns "$(ns "$s")"
    ip -n "$(ns inet)" link set "v$s" master br0 up
    ip -n "$(ns "$s")" addr add "${ip[$s]}/64" dev eth0 nodad
    ip -n "$(ns "$s")" link set eth0 up
    ip -n "$(ns "$s")" route add 3fff::/20 dev eth0
  done
  # No mDNS across the bridge: the members must meet by link and helper,
  # and nobody hears the rooms a neighbour may see.
  in_ns inet nft -f - <<'EOF' || fail "nft rejected the bridge's ruleset"
table bridge stranger {
  chain forward {
    type filter hook forward priority filter; policy accept;
    udp dport 5353 drop
  }
}
EOF
}

pings() { in_ns "$1" ping -6 -n -q -c 1 -W 1 "$2"; }
no_ping() { ! in_ns "$1" ping -6 -n -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

# cut_ab: the bridge drops everything between A and B, both ways.
cut_ab() {
  in_ns inet nft add rule bridge stranger forward ip6 saddr "$A" ip6 daddr "$B" drop
  in_ns inet nft add rule bridge stranger forward ip6 saddr "$B" ip6 daddr "$A" drop
}

# --- Parley nodes ---------------------------------------------------------------

call() { # call NODE METHOD [JSON-ARGS]: print the JSON result, fail on HTTP errors
  local n=$1 method=$2 args=${3:-[]}
  in_ns "$n" curl -sf --max-time 5 \
    -H "Authorization: Bearer $(cat "$run/$n/api-token" 2>/dev/null)" \
    -d "$args" "http://127.0.0.1:7717/api/$method"
}
serves() { [[ -s $run/$1/api-token ]] && call "$1" Status; }

start() { # start NODE FLAGS...: a headless node in NODE's namespace, on its address
  local n=$1
  shift
  mkdir -p "$run/$n"
  # ip netns exec, not in_ns: $! must be the node itself.
  ip netns exec "$(ns "$n")" "$bin" --headless --network internet --data-dir "$run/$n" \
    --api 127.0.0.1:7717 --listen "/ip6/${ip[$n]}/udp/4001/quic-v1" --listen "/ip6/${ip[$n]}/tcp/4001" \
    "$@" >>"$run/$n.log" 2>&1 &
  pid[$n]=$!
  local deadline=$((SECONDS + 20))
  until serves "$n" >/dev/null 2>&1; do
    proc_gone "${pid[$n]}" && fail "node $n exited at start"
    ((SECONDS < deadline)) || fail "after 20 s: node $n serves its API"
    sleep 0.2
  done
}

args() { jq -cn '$ARGS.positional' --args "$@"; } # args A B...: a JSON array of strings

history_has() { # history_has NODE ROOM TEXT
  call "$1" History "$(jq -cn --arg r "$2" '[$r, "", 100]')" |
    jq -e --arg t "$3" 'if type == "object" then .messages else . end | any(.[]; .text == $t)'
}
history_lacks() { # history_lacks NODE ROOM TEXT
  call "$1" History "$(jq -cn --arg r "$2" '[$r, "", 100]')" |
    jq -e --arg t "$3" 'if type == "object" then .messages else . end | all(.[]; .text != $t)'
}
online() { # online NODE ROOM PEER: NODE lists PEER as an online member of ROOM
  call "$1" Members "$(args "$2")" | jq -e --arg p "$3" 'any(.[]; .peerId == $p and .online == true)'
}
not_member() { # not_member NODE ROOM PEER
  call "$1" Members "$(args "$2")" | jq -e --arg p "$3" 'all(.[]; .peerId != $p)'
}
why() { # why NODE PEER: why NODE says PEER is connected ("" if it is not)
  call "$1" Peers | jq -r --arg p "$2" '[.[] | select(.peerId == $p) | .why][0] // ""'
}
why_is() { local w; w=$(why "$1" "$2"); [[ $w == "$3" ]] || { echo "why '$w'"; return 1; }; }
count() { call "$1" MessageCount "$(args "$2")"; }
same_count() { # same_count NODE OTHER ROOM: both hold as many messages
  local x y
  x=$(count "$1" "$3") y=$(count "$2" "$3")
  [[ $x == "$y" ]] || { echo "$1 holds $x, $2 holds $y"; return 1; }
}

send() { call "$1" Send "$(args "$2" "$3")" >/dev/null || fail "node $1 could not send \"$3\""; }
deliver() { # deliver FROM TO ROOM TEXT SECONDS
  send "$1" "$3" "$4"
  wait_for "$5" "node $2 receives \"$4\" from $1" history_has "$2" "$3" "$4"
}

# --- the scenario -----------------------------------------------------------------

build_lab
for s in a b s; do
  wait_for 10 "$s pings H" pings "$s" "$H"
done
wait_for 10 "S pings A" pings s "$A"
ok "A, B and S reach H on 3fff::/20, and S reaches A"

start h --helper
hid=$(call h Status | jq -r .peerId)
helper="/ip6/$H/udp/4001/quic-v1/p2p/$hid"
start a --bootstrap "$helper"
start b # no helper: B learns of H from A's link
aid=$(call a Status | jq -r .peerId)
bid=$(call b Status | jq -r .peerId)
declare -A id=([a]=$aid [b]=$bid)
call a SetName '["Ada Lovelace"]' >/dev/null
call b SetName '["Grace Hopper"]' >/dev/null

# 1. B joins by A's link; they chat.
room_name="Quarterly numbers 7f3a"
room=$(call a CreateRoom "$(args "$room_name")" | jq -r .id)
link=$(call a Invite "$(args "$room")" | jq -r .)
[[ $link == parley://join/* ]] || fail "A's invite is not a parley://join/ link: $link"
send a "$room" "before b joined"
joined=$(call b JoinRoom "$(args "$link" "")" | jq -r .id) || fail "B could not join with A's link"
[[ $joined == "$room" ]] || fail "B joined room $joined, A's is $room"
wait_for 30 "B gets the history from before it joined" history_has b "$room" "before b joined"
deliver a b "$room" "hello b" 20
deliver b a "$room" "hello a" 20
ok "B joined by A's link and they chat both ways"
wait_for 30 "B is connected to the helper named in A's link" why_is b "$hid" helper
lan=$(for n in a b; do call "$n" Peers | jq -r '.[] | select(.lan) | .peerId'; done)
[[ -z $lan ]] || fail "a node found peers by mDNS ($lan): the bridge should drop it"
ok "B reached H from the link alone, and nobody met anybody by mDNS"

# 2 and 3. The stranger.
say="a stranger was here $RANDOM"
ip netns exec "$(ns s)" "$tool" \
  --member "/ip6/$A/udp/4001/quic-v1/p2p/$aid" --member "/ip6/$B/tcp/4001/p2p/$bid" \
  --helper "$helper" --room "$room" --room-name "$room_name" \
  --forbid "Ada Lovelace" --forbid "Grace Hopper" --invite "$link" --say "$say" \
  --listen "/ip6/$S/udp/4001/quic-v1" --listen "/ip6/$S/tcp/4001" \
  --ready "$run/ready" --listen-for 20s --timeout 110s \
  >"$run/stranger.json" 2>"$run/stranger.log" &
spid=$!
deadline=$((SECONDS + 40))
until [[ -s $run/ready ]]; do
  proc_gone "$spid" && break
  ((SECONDS < deadline)) || fail "after 40 s: the stranger subscribed to the members' topics"
  sleep 0.2
done
if [[ -s $run/ready ]]; then
  sid=$(cat "$run/ready")
  # While it listens, the members chat, and do not count it in.
  for r in 1 2 3 4 5; do
    deliver a b "$room" "a to b $r" 15
    deliver b a "$room" "b to a $r" 15
    sleep 1
  done
  proc_gone "$spid" && fail "the stranger stopped listening before A and B were done chatting"
  for n in a b; do
    not_member "$n" "$room" "$sid" >/dev/null || fail "$n lists the stranger among the room's members"
  done
  note "A says the stranger is connected as '$(why a "$sid")', B as '$(why b "$sid")'"
  ok "A and B exchanged 10 messages while the stranger listened, and neither lists it as a member"
fi
deadline=$((SECONDS + 120))
until proc_gone "$spid"; do
  ((SECONDS < deadline)) || fail "after 120 s: the stranger tool did not exit"
  sleep 0.2
done
rc=0
wait "$spid" || rc=$?
spid=
findings=$(tail -n 1 "$run/stranger.json")
[[ -n $findings ]] && jq -e . >/dev/null <<<"$findings" || fail "the stranger printed no findings (exit $rc)"
if ((rc != 0)); then
  echo "$findings" >&2
  fail "the stranger found (exit $rc): $(jq -r '(.violations | join("; ")) + (.error // "")' <<<"$findings")"
fi
q() { jq -r "$1" <<<"$findings"; }
note "hellos to the stranger: $(q '[.members[] | "\(.hellos) from \(.peerId[-6:]) (\(.helloBytes) bytes, \(.proofs) proofs, \(.nearby) rooms, profile \(.profile))"] | join(", ")')"
note "identify tells it: $(q '.members[0].agent'); protocols $(q '.members[0].protocols | join(" ")')"
ok "A's and B's hellos to the stranger carry no room, room ID, name or profile"
note "topics announced to it: $(q '.topics | length') ($(q '[.members[] | .topics] | join(" and ")') per member), the room's among them: $(q .sawRoomTopic)"
note "in $(q '.listenedSeconds | floor') s subscribed: $(q .delivered) delivered, $(q .publishedToUs) messages sent to it, $(q .ihave) IHAVE, $(q .grafts) GRAFT, $(q .prunes) PRUNE"
ok "subscribed to every topic it saw, the stranger received nothing while A and B chatted"
for n in a b; do
  history_lacks "$n" "$room" "$say" >/dev/null || fail "$n stored the stranger's message"
done
ok "no member stored the message the stranger published on the $(q .said) topic(s) it saw"
note "sync of the room by its ID: $(q '[.members[] | "\(.peerId[-6:]) \(.sync) after \(.syncMs) ms"] | join("; ")')"
note "sync of a random room ID: $(q '[.members[] | "\(.peerId[-6:]) \(.syncOther) after \(.syncOtherMs) ms"] | join("; ")')"
ok "A and B refuse the stranger a sync of the room"
# A refusal that came later for the room than for a room nobody is in would
# tell the stranger, given the ID, who is in the room.
if q '.members | any(.syncMs > .syncOtherMs + 1000 or .syncOtherMs > .syncMs + 1000)' | grep -q true; then
  fail "the refusal's timing tells the room's members from others (room vs random ID, above)"
fi
note "DHT: $(q '.dht.fromSecret.key') -> $(q '.dht.fromSecret.providers | length') providers ($(q '.dht.fromSecret.tries') lookups); $(q '.dht.fromId | length') keys from the ID -> $(q '[.dht.fromId[].providers | length] | add') providers; the stranger learned $(q '.dht.peers | length') DHT servers"
for p in "$aid" "$bid"; do
  q '.dht.fromSecret.providers' | jq -e --arg p "$p" 'index($p) != null' >/dev/null ||
    fail "the control lookup did not find $p"
done
ok "on the DHT, no key from the room's ID finds anyone; the key from its secret finds A and B"

# 4. H joins by the link and carries the room.
joined=$(call h JoinRoom "$(args "$link" "")" | jq -r .id) || fail "H could not join with A's link"
[[ $joined == "$room" ]] || fail "H joined room $joined, A's is $room"
wait_for 30 "H holds the room's history" same_count h a "$room"
for n in a b; do
  wait_for 30 "$n lists H as an online member" online "$n" "$room" "$hid"
  wait_for 30 "H lists $n as an online member" online h "$room" "${id[$n]}"
done
ok "H joined by the link: it holds the room's $(count h "$room") messages and A and B list it as a member"
cut_ab
no_ping a "$B" || fail "A still reaches B after the cut"
deliver a b "$room" "a to b through h" 30
deliver b a "$room" "b to a through h" 30
wait_for 10 "H holds what A and B said through it" same_count h a "$room"
ok "with A and B cut off from each other, H carries their messages both ways"

note "done in $((SECONDS - t_start)) s"
echo "stranger: $passed passed, 0 failed"
