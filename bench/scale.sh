#!/usr/bin/env bash
# Scale benchmark: N Parley processes (the build without a window) in one
# room, each in a network namespace of its own, and the room harness
# (bench/room) in another, all joined by a bridge in one more namespace.
# Addresses are 198.18.0.0/24 and no namespace has a route out.
#
# The harness gives every member a copy of a room already holding
# SCALE_SEED messages (test/seedroom), wires a sparse random graph (each
# node dials SCALE_DIAL others), waits until every member lists its
# neighbours online (mesh_ready_s), chats at SCALE_RATE msg/s in all for
# SCALE_MEASURE_S seconds (latency and delivery from the WebSocket events),
# waits for every history to converge, then starts one more member with an
# empty data dir, which joins with an invite link from a member it dials,
# and times how long it takes to hold the whole history (late_join). It writes the scenario line to OUTDIR/scale-N.json and the
# step, setup and other lines to OUTDIR/scale-N-steps.jsonl.
#
# Usage: bench/scale.sh BINARY N HARNESS SEEDROOM [OUTDIR]
#   HARNESS is the built bench/room, SEEDROOM the built test/seedroom;
#   OUTDIR defaults to build/bench. With SCALE_KEEP=DIR, the nodes' logs
#   are copied to DIR before everything is removed.
# Needs root (for ip netns); otherwise it says so and skips. Everything it
# creates is removed on exit, on failure too.
set -euo pipefail

usage="usage: scale.sh BINARY N HARNESS SEEDROOM [OUTDIR]"
bin=$(realpath "${1:?$usage}")
n=${2:?$usage}
harness=$(realpath "${3:?$usage}")
seedroom=$(realpath "${4:?$usage}")
outdir=${5:-build/bench}
if [[ $(id -u) -ne 0 ]]; then
  echo "scale: SKIPPED: needs root to create network namespaces"
  exit 0
fi
[[ $n =~ ^[0-9]+$ ]] && ((n >= 2 && n <= 200)) || { echo "scale: N must be 2-200, got $n" >&2; exit 2; }
for tool in ip jq; do
  command -v "$tool" >/dev/null || { echo "scale: FAIL: $tool is not installed" >&2; exit 1; }
done

rate=${SCALE_RATE:-20}          # msg/s, all senders together
measure_s=${SCALE_MEASURE_S:-30} # measured window at that rate
seed_msgs=${SCALE_SEED:-10000}   # the room's history before the run
dial=${SCALE_DIAL:-3}            # random peers each node dials

tag="sc$$"
src=$(realpath "$(dirname "$0")/..")
mkdir -p "$outdir"
out=$(realpath "$outdir")
work=$(mktemp -d /tmp/parley-scale.XXXXXX)
spaces=(br d) # every namespace, by its short name; nodes added below
hpid=

ns() { echo "$tag-$1"; }

proc_gone() { # proc_gone PID: the process has exited (a zombie counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [[ -z $state || $state == Z ]]
}

cleanup() {
  local s p deadline
  if [[ -n $hpid ]]; then # the harness stops its nodes by PID on SIGTERM
    kill -TERM "$hpid" 2>/dev/null || true
    deadline=$((SECONDS + 30))
    until proc_gone "$hpid" || ((SECONDS >= deadline)); do sleep 0.2; done
    kill -KILL "$hpid" 2>/dev/null || true
    wait "$hpid" 2>/dev/null || true
  fi
  # anything still running in one of our namespaces is ours: end it by PID
  for s in "${spaces[@]}"; do
    for p in $(ip netns pids "$(ns "$s")" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  done
  if [[ -n ${SCALE_KEEP:-} ]]; then
    mkdir -p "$SCALE_KEEP"
    find "$work" -name 'n*.log' -exec cp {} "$SCALE_KEEP/" \; 2>/dev/null || true
  fi
  for s in "${spaces[@]}"; do ip netns del "$(ns "$s")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- network: one bridge namespace, one namespace per node and the driver ---
# Node i (0..N, N being the late member) is 198.18.0.(i+1); the driver .254.
t0=$SECONDS
ip netns add "$(ns br)"
ip -n "$(ns br)" link add br0 type bridge
ip -n "$(ns br)" link set br0 up
: >"$work/hosts"
for ((i = 0; i <= n + 1; i++)); do
  if ((i == n + 1)); then s=d a=198.18.0.254; else s=n$i a=198.18.0.$((i + 1)); fi
  spaces+=("$s")
  ip netns add "$(ns "$s")"
  ip -n "$(ns "$s")" link add eth0 type veth peer name "v$s" netns "$(ns br)"
  ip -n "$(ns br)" link set "v$s" master br0
  ip -n "$(ns br)" link set "v$s" up
  ip -n "$(ns "$s")" addr add "$a/24" dev eth0
  ip -n "$(ns "$s")" link set eth0 up
  ip -n "$(ns "$s")" link set lo up
  [[ $s == d ]] || echo "$a ip netns exec $(ns "$s")" >>"$work/hosts"
done
echo "scale: $((n + 3)) namespaces on one bridge in $((SECONDS - t0)) s"

# --- the run ----------------------------------------------------------------
# Sockets: the harness holds an event socket and keep-alive API connections
# to every node.
ulimit -n "$(ulimit -Hn)"
res=$out/scale-$n.json
steps=$out/scale-$n-steps.jsonl
# The data dirs go under $work (TMPDIR), removed on exit. -arrived-scan-all:
# at 100 members latency runs to seconds, and a batch announced as one
# `arrived` event can reach further back than its count says.
TMPDIR=$work ip netns exec "$(ns d)" "$harness" -n "$n" -hosts "$work/hosts" -bin "$bin" -src "$src" \
  -base-rate "$rate" -max-steps 1 -attempts 1 -base-measure "$measure_s" -dial "$dial" \
  -idle-s 10 -after-s 0 -eventual-s 180 -mesh-wait-s 180 -send-workers 2 -send-queue 64 \
  -seed-msgs "$seed_msgs" -seedroom "$seedroom" -late-join -late-wait-s 120 -arrived-scan-all \
  -max-s 1800 -max-total-s 2700 >"$res.tmp" 2>"$steps" &
hpid=$!
t1=$SECONDS
rc=0
wait "$hpid" || rc=$?
hpid=
if ((rc != 0)) || [[ ! -s $res.tmp ]]; then
  rm -f "$res.tmp"
  echo "scale: FAIL: the harness exited with $rc; its last lines:" >&2
  tail -n 5 "$steps" | cut -c1-600 >&2
  exit 1
fi
mv "$res.tmp" "$res"
echo "scale: run done in $((SECONDS - t1)) s; $res"
jq -r '"scale: N=\(.n): \(.msgs_sent_total) messages at \(.base_rate_msgs_per_s) msg/s, delivered in the step \(.delivery_ratio), by the end (events) \(.eventual_event_delivery_ratio), (MessageCount) \(.eventual_delivery_ratio); latency p50 \(.lat_ms_p50) ms, p99 \(.lat_ms_p99) ms, max \(.lat_ms_max) ms; late deliveries \(.late_deliveries)",
  "scale: mesh ready \(.mesh_ready_s) s (timed out: \(.mesh_wait_timed_out)), setup \(.setup_s) s; idle RSS \(.idle_rss_mb_per_node) MB per node, CPU per delivery \(.base_cpu_us_per_delivery) us, idle \(.idle_cpu_cores) cores; nodes alive \(.nodes_alive_at_end)",
  "scale: late member: \(.late_join.msgs) messages (\(.late_join.seeded_msgs) seeded) in \(.late_join.catchup_s) s from JoinRoom (seeded ones in \(.late_join.seeded_s) s), \(.late_join.cpu_s) s CPU, \(.late_join.rss_mb) MB"' "$res"
