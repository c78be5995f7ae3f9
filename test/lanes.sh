#!/usr/bin/env bash
# Runs two lists of make targets side by side: the first here, its output
# as it comes; the second in the background, its output kept in a file and
# printed once both are over. The second lane is for work that fills a
# core the first leaves idle (the Go tests wait on peers; the suites in
# network namespaces wait on timers), which keeps `make test` under 15
# minutes on 2 cores.
#
# Exits 0 only if both lanes passed. When the first lane fails, the second
# is stopped with SIGTERM (its scripts remove what they made on exit).
#
# The caller builds what both lanes share first, and passes MAKE with what
# keeps the lanes from building it again at once (make's -o FILE, and the
# version of the run: a lane computing its own could see another).
#
# Usage: MAKE=make test/lanes.sh LOG "TARGETS HERE" "TARGETS BESIDE"
set -uo pipefail

log=${1:?usage: lanes.sh LOG "TARGETS HERE" "TARGETS BESIDE"}
here=${2:?usage: lanes.sh LOG "TARGETS HERE" "TARGETS BESIDE"}
beside=${3:?usage: lanes.sh LOG "TARGETS HERE" "TARGETS BESIDE"}
make=${MAKE:-make}
mkdir -p "$(dirname "$log")"

# run_lane MAKE TARGETS...: the targets one after the other, each timed so
# that the lanes can be balanced; stops at the first that fails.
run_lane() {
  local make=$1 target start rc
  shift
  for target in "$@"; do
    start=$SECONDS
    # shellcheck disable=SC2086 # MAKE may carry options
    $make --no-print-directory "$target"
    rc=$?
    echo "lanes: $target took $((SECONDS - start)) s"
    ((rc == 0)) || return "$rc"
  done
}
export -f run_lane

# A session of its own, so that stopping it reaches every process it started.
# shellcheck disable=SC2086 # the target lists are meant to split
setsid bash -c 'start=$SECONDS; run_lane "$@"; rc=$?; echo "lanes: this lane took $((SECONDS - start)) s"; exit $rc' lane "$make" $beside >"$log" 2>&1 </dev/null &
beside_pid=$!
echo "lanes: $beside runs beside, its output in $log"

stop_beside() {
  kill -TERM -- "-$beside_pid" 2>/dev/null
  wait "$beside_pid" 2>/dev/null
}
trap 'stop_beside; exit 130' INT TERM

# shellcheck disable=SC2086
run_lane "$make" $here
here_rc=$?
echo "lanes: $here took $SECONDS s"
if ((here_rc != 0)); then
  echo "lanes: $here failed; stopping $beside"
  stop_beside
fi
wait "$beside_pid"
beside_rc=$?

echo "lanes: ---- output of $beside (exit status $beside_rc) ----"
cat "$log"
echo "lanes: ---- end of $beside ----"
((here_rc == 0 && beside_rc == 0))
