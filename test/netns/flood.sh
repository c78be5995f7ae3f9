#!/usr/bin/env bash
# Flood test in network namespaces: ten honest `parley --headless` nodes in
# one room, and one member that publishes valid, signed messages as fast as
# it can (test/flood publish). Each node, the flooder and the driver sit in
# a namespace of their own, joined by a bridge in another; addresses are
# 198.18.0.0/24 and no namespace has a route out.
#
#   baseline  the honest members chat at 5 msg/s in all, in turn, through
#             their APIs (test/flood chat), for 15 s;
#   flood     the same chat, while the flooder publishes at 2,000 msg/s
#             (at least 600 must go out: four times the per-author limit)
#             for 20 s.
#
# Checks, generous because this runs in `make test` on a busy machine:
#   - every honest message reaches every honest node (History);
#   (honest p99 latency in the flood is printed beside its baseline, not
#   checked: a latency bound in a test fails on a busy machine; `make
#   bench-flood` weighs it against its target);
#   - no honest node's RSS above 2 x its baseline + 30 MiB;
#   - each honest node keeps at most a third of what the flooder published;
#   - every honest node's Status lists the flooder in `throttled`;
#   - no node logs the same warning about one peer twice within a minute.
# Figures go to lines starting with "flood:".
#
# Usage: test/netns/flood.sh [--bench OUT.json] BINARY FLOOD
#   FLOOD is the built test/flood tool. With FLOOD_OUT=DIR, the nodes' logs
#   and the two JSON reports are copied to DIR before everything is removed.
#   With --bench, the same run also writes OUT.json: honest latency in the
#   baseline and in the flood (p50, p99, max), the flood's p99 over the
#   baseline's, the checks' outcome and the machine's cores and load.
#   `make bench-flood` weighs them against the target (bench/flood-target.jq).
# Needs root (for ip netns); otherwise it says so and skips. Everything it
# creates is removed on exit, on failure too.
set -euo pipefail

usage="usage: flood.sh [--bench OUT.json] BINARY FLOOD"
bench_out=
if [[ ${1:-} == --bench ]]; then
  bench_out=${2:?$usage}
  shift 2
  mkdir -p "$(dirname "$bench_out")"
  bench_out=$(realpath "$bench_out")
fi
bin=$(realpath "${1:?$usage}")
flood=$(realpath "${2:?$usage}")
if [[ $(id -u) -ne 0 ]]; then
  echo "flood: SKIPPED: needs root to create network namespaces"
  exit 0
fi
for tool in ip curl jq awk; do
  command -v "$tool" >/dev/null || { echo "flood: FAIL: $tool is not installed" >&2; exit 1; }
done

members=10          # honest nodes
chat_rate=5         # honest messages per second, all together
flood_rate=2000     # what the flooder aims at
# What the flooder must reach for the checks to mean anything: four times
# the per-author limit (150 msg/s), so that "kept at most a third" tells
# throttling from none. Not a speed check: on a busy machine the flooder
# makes 1,000-2,000 msg/s, and a bound near that failed a healthy run.
flood_min=600
baseline_s=15
flood_s=20
rss_slack_mib=30

tag="fl$$"
work=$(mktemp -d /tmp/parley-flood.XXXXXX)
nodes=()
for ((i = 1; i <= members; i++)); do nodes+=("n$i"); done
declare -A pid addr peerid
spaces=(br "${nodes[@]}" f d) # every namespace, by its short name
failed=0
t_start=$SECONDS
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

ns() { echo "$tag-$1"; }

proc_gone() { # proc_gone PID: the process has exited (a zombie counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [[ -z $state || $state == Z ]]
}

stop_pids() { # stop_pids PID...: SIGTERM, up to 15 s to exit, then SIGKILL; reaps them
  local p deadline=$((SECONDS + 15))
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "$@"; do
    until proc_gone "$p"; do
      if ((SECONDS >= deadline)); then
        echo "flood: process $p ignored SIGTERM for 15 s: killing it" >&2
        kill -KILL "$p" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    wait "$p" 2>/dev/null || true
  done
}

cleanup() {
  local p all=()
  for p in "${pid[@]}"; do [[ -n $p ]] && all+=("$p"); done
  ((${#all[@]} == 0)) || stop_pids "${all[@]}"
  if [[ -n ${FLOOD_OUT:-} ]]; then
    mkdir -p "$FLOOD_OUT"
    cp "$work"/*.log "$work"/*.json "$work"/*.jsonl "$FLOOD_OUT/" 2>/dev/null || true
  fi
  local s
  for s in "${spaces[@]}"; do ip netns del "$(ns "$s")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "flood: FAIL: $*" >&2
  local n
  for n in "${nodes[@]}" flooder; do
    if [[ -s $work/$n.log ]]; then
      echo "--- $n log (last 15 lines) ---" >&2
      tail -n 15 "$work/$n.log" >&2
    fi
  done
  exit 1
}
trap 'fail "command failed at line $LINENO: $BASH_COMMAND"' ERR

# check CONDITION-COMMAND... -- WHAT: a check after the run; failures are
# counted, so one run reports every figure.
check() {
  local what=${*: -1}
  if "${@:1:$#-2}" >/dev/null; then
    echo "flood: ok: $what"
  else
    echo "flood: FAIL: $what" >&2
    failed=$((failed + 1))
  fi
}

wait_for() { # wait_for SECONDS WHAT COMMAND...: poll COMMAND until it succeeds
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "after $limit s: $what"
    sleep 0.2
  done
}

# --- network: one bridge namespace, one namespace per process ---------------
ip netns add "$(ns br)"
ip -n "$(ns br)" link add br0 type bridge
ip -n "$(ns br)" link set br0 up
i=0
for s in "${nodes[@]}" f d; do
  i=$((i + 1))
  case $s in f) a=198.18.0.100 ;; d) a=198.18.0.200 ;; *) a=198.18.0.$i ;; esac
  addr[$s]=$a
  ip netns add "$(ns "$s")"
  ip -n "$(ns "$s")" link add eth0 type veth peer name "veth-$s" netns "$(ns br)"
  ip -n "$(ns br)" link set "veth-$s" master br0
  ip -n "$(ns br)" link set "veth-$s" up
  ip -n "$(ns "$s")" addr add "$a/24" dev eth0
  ip -n "$(ns "$s")" link set eth0 up
  ip -n "$(ns "$s")" link set lo up
done

# --- the honest nodes ---------------------------------------------------------
api() { echo "http://${addr[$1]}:7717"; }

call() { # call NODE METHOD [JSON-ARGS]: print the JSON result, fail on HTTP errors
  local n=$1 method=$2 args=${3:-[]}
  ip netns exec "$(ns "$n")" curl -sf --max-time 10 \
    -H "Authorization: Bearer $(cat "$work/$n/api-token" 2>/dev/null)" \
    -d "$args" "$(api "$n")/api/$method"
}
serves() { [[ -s $work/$1/api-token ]] && call "$1" Status; }
p2p_addr() { echo "/ip4/${addr[$1]}/tcp/4001/p2p/${peerid[$1]}"; }

start() { # start NODE: dials every node started before it
  local n=$1 m dials=()
  for m in "${nodes[@]}"; do
    [[ $m == "$n" ]] && break
    dials+=(--peer "$(p2p_addr "$m")")
  done
  mkdir -p "$work/$n"
  # ip netns exec in this shell: $! must be the node itself. The API answers
  # on the namespace's address for the driver: plain HTTP, asked for (no
  # namespace has a route out).
  ip netns exec "$(ns "$n")" "$bin" --headless --network off --data-dir "$work/$n" \
    --listen "/ip4/${addr[$n]}/tcp/4001" --api "${addr[$n]}:7717" --api-insecure "${dials[@]}" >"$work/$n.log" 2>&1 &
  pid[$n]=$!
  local deadline=$((SECONDS + 20))
  until serves "$n" >/dev/null 2>&1; do
    proc_gone "${pid[$n]}" && fail "node $n exited at start"
    ((SECONDS < deadline)) || fail "after 20 s: node $n serves its API"
    sleep 0.1
  done
  peerid[$n]=$(call "$n" Status | jq -r .peerId)
}

t0=$SECONDS
for n in "${nodes[@]}"; do start "$n"; done
room=$(call n1 CreateRoom '["flood"]' | jq -r .id)
# The others join with n1's invite link; so does the flooder, a member
# like any other as far as the room's secret goes.
link=$(call n1 Invite "[\"$room\"]" | jq -r .)
[[ $link == parley://join/* ]] || fail "n1 gave no invite link: $link"
for n in "${nodes[@]:1}"; do call "$n" JoinRoom "$(jq -cn --arg l "$link" '[$l, "flood"]')" >/dev/null; done
online() { [[ $(call "$1" Members "[\"$room\"]" | jq '[.[] | select(.online)] | length') -ge $members ]]; }
for n in "${nodes[@]}"; do
  wait_for 30 "node $n sees all $members members online" online "$n"
done
echo "flood: $members nodes up and in one room in $((SECONDS - t0)) s"

# --- the run --------------------------------------------------------------------
: >"$work/nodes.txt"
for n in "${nodes[@]}"; do
  echo "$n $(api "$n") $work/$n/api-token ${pid[$n]}" >>"$work/nodes.txt"
done
peers=()
for n in "${nodes[@]}"; do peers+=(--peer "$(p2p_addr "$n")"); done

ip netns exec "$(ns f)" "$flood" publish --invite "$link" --listen "/ip4/${addr[f]}/tcp/4001" "${peers[@]}" \
  --rate "$flood_rate" --for "${flood_s}s" --start-file "$work/go" --wait 90s \
  >"$work/flooder.json" 2>"$work/flooder.log" &
pid[flooder]=$!
ip netns exec "$(ns d)" "$flood" chat --nodes "$work/nodes.txt" --room "$room" --rate "$chat_rate" \
  --baseline "${baseline_s}s" --flood "${flood_s}s" --settle 30s --start-file "$work/go" \
  --detail "$work/latency.jsonl" >"$work/chat.json" 2>"$work/driver.log" &
pid[driver]=$!
t1=$SECONDS
wait "${pid[driver]}" || fail "the chat driver failed: $(jq -r .error "$work/chat.json" 2>/dev/null) $(cat "$work/driver.log")"
pid[driver]=
deadline=$((SECONDS + 30))
until proc_gone "${pid[flooder]}"; do
  ((SECONDS < deadline)) || fail "the flooder did not finish"
  sleep 0.2
done
wait "${pid[flooder]}" || fail "the flooder failed: $(jq -r .error "$work/flooder.json" 2>/dev/null) $(cat "$work/flooder.log")"
pid[flooder]=
echo "flood: run done in $((SECONDS - t1)) s"

# Status right after (throttled lists who was cut in the last minute).
for n in "${nodes[@]}"; do call "$n" Status >"$work/status-$n.json"; done

# --- figures and checks ---------------------------------------------------------
# write_bench OUT: the run's latency figures, with what the machine was, as
# one JSON object.
write_bench() {
  jq -n --slurpfile chat "$work/chat.json" --slurpfile flooder "$work/flooder.json" \
    --argjson failed "$failed" \
    --argjson members "$members" --argjson chatRate "$chat_rate" --argjson floodRate "$flood_rate" \
    --argjson baselineS "$baseline_s" --argjson floodS "$flood_s" \
    --arg version "$("$bin" --version 2>/dev/null || echo unknown)" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --argjson cores "$(nproc)" --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
    --arg kernel "$(uname -r)" --arg loadStart "$load_start" --arg loadEnd "$(cut -d' ' -f1-3 /proc/loadavg)" '
    def phase: {sent, samples, expected, p50Ms, p99Ms, maxMs};
    def loads: split(" ") | map(tonumber);
    $chat[0].phases as $p |
    {
      scenario: "flood", date: $date, version: $version,
      members: $members, chatRate: $chatRate, floodRate: $floodRate,
      baselineSeconds: $baselineS, floodSeconds: $floodS,
      baseline: ($p.baseline | phase), flood: ($p.flood | phase),
      p99Ratio: (if $p.baseline.p99Ms > 0 then $p.flood.p99Ms / $p.baseline.p99Ms * 100 | round / 100 else null end),
      flooder: ($flooder[0] | {published, rate: (.rate | round), peers}),
      honestAllDelivered: $chat[0].allDelivered,
      checksFailed: $failed,
      machine: {cores: $cores, cpu: $cpu, kernel: $kernel, loadAvgStart: ($loadStart | loads), loadAvgEnd: ($loadEnd | loads)}
    }' >"$1"
  echo "flood: bench: p99 in the flood $(jq -r '"\(.flood.p99Ms) ms against \(.baseline.p99Ms) ms baseline (x\(.p99Ratio))"' "$1"); written to $1"
}

R=$work/chat.json
F=$work/flooder.json
fid=$(jq -r .peerId "$F")
jr() { jq -r "$@" "$R"; }
base_p99=$(jr .phases.baseline.p99Ms)
flood_p99=$(jr .phases.flood.p99Ms)
published=$(jq -r .published "$F")

echo "flood: flooder $(jq -r '"published \(.published) in \(.seconds | . * 10 | round / 10) s = \(.rate | round) msg/s to \(.peers) peers; copies written to peers \(.sentToPeers), dropped by its own queues \(.droppedToPeers), PRUNEs received \(.prunesReceived)"' "$F")"
for p in baseline flood; do
  echo "flood: $p: $(jr ".phases.$p | \"\(.sent) honest messages, latency p50 \(.p50Ms) ms, p99 \(.p99Ms) ms, max \(.maxMs) ms (\(.samples) of \(.expected) deliveries timed)\"")"
done
echo "flood: honest messages: $(jr '"\(.honestSent) sent, \(.sendErrors) Send errors, all delivered: \(.allDelivered), settled \(.settleSeconds | . * 10 | round / 10) s after the flood"')"
echo "flood: per node: RSS MiB baseline / flood / after (peak) / end, CPU s baseline / flood / after, flooder messages kept, events: batches / lagged / honest timed by Search, Status: rejected, throttled:"
for n in "${nodes[@]}"; do
  st=$work/status-$n.json
  echo "flood:   $n $(jr --arg n "$n" '.nodes[] | select(.name == $n) | "\(.rssBaselineMiB) / \(.rssFloodMiB) / \(.rssSettleMiB) / \(.rssEndMiB) MiB, CPU \(.cpuBaselineS | . * 10 | round / 10) / \(.cpuFloodS | . * 10 | round / 10) / \(.cpuSettleS | . * 10 | round / 10) s, kept \(.flooderAccepted), events \(.batches) / \(.lagged) / \(.foundLater)"'), rejected $(jq -r '.rejected // "none"' "$st"), throttled $(jq -c '.throttled // "no field"' "$st")"
done

check jq -e '.allDelivered and .sendErrors == 0' "$R" -- \
  "every honest message reached every honest node"
# A figure, not a check: a latency bound fails on a busy machine whatever
# the code (the same build went from under 500 ms to over 1 s on one
# machine); the behaviour checks are above and below, and `make
# bench-flood` weighs the figure against its target.
echo "flood: honest p99 in the flood $flood_p99 ms (baseline $base_p99 ms)"
rss_over=$(jr --argjson s "$rss_slack_mib" '[.nodes[] | select(([.rssFloodMiB, .rssSettleMiB] | max) > 2 * .rssBaselineMiB + $s) | "\(.name): \(.rssBaselineMiB) -> \([.rssFloodMiB, .rssSettleMiB] | max) MiB"] | join(", ")')
check test -z "$rss_over" -- \
  "no honest node's RSS above 2 x its baseline + $rss_slack_mib MiB${rss_over:+ (over: $rss_over)}"
check jq -e --argjson m "$flood_min" '.rate >= $m' "$F" -- \
  "the flooder published at least $flood_min msg/s ($(jq -r '.rate | round' "$F") msg/s)"
kept_max=$(jr '[.nodes[].flooderAccepted] | max')
check jq -en --argjson k "$kept_max" --argjson p "$published" '$p > 0 and $k * 3 <= $p' -- \
  "each honest node kept at most a third of the flooder's $published messages (most: $kept_max)"
not_throttled=()
for n in "${nodes[@]}"; do
  jq -e --arg f "$fid" '(.throttled // []) | any(.peerId == $f)' "$work/status-$n.json" >/dev/null || not_throttled+=("$n")
done
check test ${#not_throttled[@]} -eq 0 -- \
  "every honest node's Status lists the flooder as throttled${not_throttled[*]:+ (not: ${not_throttled[*]})}"

# repeats LOG: warnings or errors with the same message about the same peer
# (peer=, author= or from=) less than 60 s apart, one line per repeat.
repeats() {
  awk '
    /level=(WARN|ERROR)/ {
      if (!match($0, /time=[0-9-]+T[0-9:.]+/)) next
      ts = substr($0, RSTART + 5, RLENGTH - 5)
      split(substr(ts, 9, 2) " " substr(ts, 12), t, /[ :]/)
      sec = ((t[1] * 24 + t[2]) * 60 + t[3]) * 60 + t[4]
      who = ""
      if (match($0, / (peer|author|from)=[^ ]+/)) who = substr($0, RSTART + 1, RLENGTH - 1)
      if (who == "") next
      msg = ""
      if (match($0, /msg="[^"]*"|msg=[^ ]+/)) msg = substr($0, RSTART, RLENGTH)
      key = msg " " who
      if ((key in last) && sec - last[key] < 60) print key
      last[key] = sec
    }' "$1"
}
rep_lines=()
for n in "${nodes[@]}"; do
  r=$(repeats "$work/$n.log" | sort | uniq -c | sort -rn | head -n 3 | awk -v n="$n" '{c = $1; $1 = ""; print n ":" $0 " repeated " c " times within a minute"}')
  [[ -n $r ]] && rep_lines+=("$r")
  echo "flood:   $n log: $(grep -cE 'level=(WARN|ERROR)' "$work/$n.log" || true) warning or error lines"
done
check test ${#rep_lines[@]} -eq 0 -- \
  "no node logs the same warning about one peer twice within a minute"
((${#rep_lines[@]} == 0)) || printf 'flood:   %s\n' "${rep_lines[@]}" >&2

[[ -z $bench_out ]] || write_bench "$bench_out"

echo "flood: done in $((SECONDS - t_start)) s"
if ((failed > 0)); then
  echo "flood: $failed checks failed"
  exit 1
fi
echo "flood: all checks passed"
