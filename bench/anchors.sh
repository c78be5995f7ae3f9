#!/usr/bin/env bash
# Runs the three anchor harnesses (Socket.IO, naive GossipSub, Parley driven
# from outside) one after the other, so their figures can be read as ratios
# of one sitting on one machine. Each writes its scenario lines to
# $OUT/anchor-<name>.jsonl and its step lines to $OUT/anchor-<name>-steps.jsonl.
#
#   bench/anchors.sh DIR            (or ANCHORS=DIR bench/anchors.sh)
#
# DIR holds socketio/, gossipsub-naive/ and parley-room/. Environment:
#   PARLEY_BIN  Parley binary for parley-room (default build/bench/parley,
#               the build without a window)
#   OUT         output directory (default build/bench)
#   BENCH_N     members per room (default 10)
#   ONLY        the anchors to run, space-separated (default socketio and
#               gossipsub-naive: the shared parley-room harness joins by a
#               room ID alone, which Parley refuses since rooms became
#               secrets; Parley's side is bench/room, which make
#               bench-anchors runs right after these)
# Everything listens on 127.0.0.1 only. Needs Go and Node.js 20+ with npm.
set -euo pipefail

anchors=${1:-${ANCHORS:-}}
if [[ -z $anchors ]]; then
	echo "anchors.sh: name the anchors directory: bench/anchors.sh DIR or ANCHORS=DIR" >&2
	exit 2
fi
[[ -d $anchors ]] || { echo "anchors.sh: no directory $anchors" >&2; exit 2; }
anchors=$(cd "$anchors" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${OUT:-$root/build/bench}" && cd "${OUT:-$root/build/bench}" && pwd)
parley=$(realpath -e "${PARLEY_BIN:-$root/build/bench/parley}" 2>/dev/null) || {
	echo "anchors.sh: no Parley binary at ${PARLEY_BIN:-build/bench/parley} (CGO_ENABLED=0 go build -tags nowindow -o build/bench/parley .)" >&2
	exit 2
}
n=${BENCH_N:-10}
only=${ONLY:-socketio gossipsub-naive}
for a in $only; do
	[[ -d $anchors/$a ]] || { echo "anchors.sh: $anchors/$a is missing" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: the harness's stdout and stderr to the output files
run() {
	local name=$1
	shift
	echo "anchor $name: $*" >&2
	local start=$SECONDS
	"$@" >"$out/anchor-$name.jsonl" 2>"$out/anchor-$name-steps.jsonl" || {
		echo "anchor $name failed; the end of its output:" >&2
		tail -n 5 "$out/anchor-$name-steps.jsonl" >&2
		return 1
	}
	echo "anchor $name: $((SECONDS - start)) s, $(wc -l <"$out/anchor-$name.jsonl") scenario line(s)" >&2
}

for a in $only; do
	case $a in
	socketio)
		# a copy, so npm ci writes node_modules outside the anchors directory
		mkdir -p "$work/socketio"
		cp "$anchors"/socketio/{package.json,package-lock.json} "$anchors"/socketio/*.js "$work/socketio/"
		(cd "$work/socketio" && npm ci --no-audit --no-fund --loglevel=error >&2)
		(cd "$work/socketio" && run socketio node bench.js --n "$n")
		;;
	gossipsub-naive)
		(cd "$anchors/gossipsub-naive" && go build -o "$work/gossipsub-naive" .)
		run gossipsub-naive "$work/gossipsub-naive" -n "$n"
		;;
	parley-room)
		(cd "$anchors/parley-room" && go build -o "$work/parley-room" .)
		run parley-room "$work/parley-room" -n "$n" -bin "$parley" -src "$root"
		;;
	*)
		echo "anchors.sh: unknown anchor $a" >&2
		exit 2
		;;
	esac
done
