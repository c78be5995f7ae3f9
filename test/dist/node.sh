#!/usr/bin/env bash
# Checks the build without a window that scripts/dist-node packed: the amd64
# tarball's listing, that its binary is static (no cgo, no GTK or WebKit),
# says its version, runs headless without --headless, answers the API and
# serves the web UI, and exits 0 on SIGTERM. An arm64 tarball in OUTDIR is
# checked for its listing and architecture. Prints the idle memory (RSS) of
# this node and of the desktop binary run with --headless, for comparison.
#
# Usage: test/dist/node.sh VERSION OUTDIR
# Starts parley only on 127.0.0.1 with --network off; stops it on exit.
set -euo pipefail

(($# == 2)) || { echo "usage: test/dist/node.sh VERSION OUTDIR" >&2; exit 2; }
version=$1 outdir=$2
start_timeout=30 stop_timeout=10

fail() { printf 'dist node: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'dist node: ok: %s\n' "$*"; }

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# check_tarball ARCH: the tarball holds exactly the three files
# under its top directory; unpacks it into $work/ARCH and prints the binary's path.
check_tarball() {
  local arch=$1 top=parley-node-$version-linux-$1
  local tarball=$outdir/$top.tar.gz listing want
  listing=$(tar -tzf "$tarball" | sort) || fail "cannot list $tarball"
  want=$(printf '%s\n' "$top/" "$top/LICENSE" "$top/README" "$top/parley" "$top/parley-helper.service" | sort)
  [[ $listing == "$want" ]] || fail "$(basename "$tarball") holds:
$listing
want:
$want"
  mkdir "$work/$arch"
  tar -C "$work/$arch" -xzf "$tarball"
  [[ $(stat -c %a "$work/$arch/$top/parley") == 755 ]] || fail "$top/parley is not mode 755"
  echo "$work/$arch/$top/parley"
}

# check_static BINARY ELF-MACHINE: `file` says static and of that machine, and
# there is no dynamic section, so nothing (GTK, WebKit, libc) is loaded.
check_static() {
  local desc dynamic
  desc=$(file -b "$1")
  [[ $desc == *"statically linked"* ]] || fail "$1 is not statically linked: $desc"
  [[ $desc == *"$2"* ]] || fail "$1 is not built for $2: $desc"
  dynamic=$(readelf -d "$1" 2>&1)
  [[ $dynamic == *"There is no dynamic section"* ]] || fail "$1 has a dynamic section: $dynamic"
}

# start_node LOG BINARY ARGS...: starts it in the background (PID in $pid),
# waits for its api: line and sets $api to the URL.
start_node() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + start_timeout))
  until api=$(sed -n 's/^api: *\(http:[^ ]*\)$/\1/p' "$log") && [[ -n $api ]]; do
    kill -0 "$pid" 2>/dev/null || fail "$2 exited before printing its api: line: $(cat "$log")"
    ((SECONDS < deadline)) || fail "no api: line from $2 within ${start_timeout}s: $(cat "$log")"
    sleep 0.1
  done
}

# call DATA-DIR METHOD: POST /api/METHOD with no arguments, with the node's token.
call() {
  curl -sS --max-time 10 --fail-with-body -X POST -H "Authorization: Bearer $(<"$1/api-token")" \
    -H 'Content-Type: application/json' -d '[]' "$api/api/$2" || fail "POST $api/api/$2 failed"
}

# rss_mib: the running node's resident memory now, in MiB.
rss_mib() {
  awk '$1 == "VmRSS:" {printf "%.0f", $2 / 1024}' "/proc/$pid/status"
}

# stop_node LOG: SIGTERM, and it must exit 0 within stop_timeout.
stop_node() {
  local log=$1
  kill -TERM "$pid"
  local deadline=$((SECONDS + stop_timeout)) rc=0
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "still running ${stop_timeout}s after SIGTERM: $(tail -5 "$log")"
    sleep 0.1
  done
  wait "$pid" || rc=$?
  pid=
  ((rc == 0)) || fail "exited $rc after SIGTERM: $(tail -5 "$log")"
}

# --- amd64: the full check --------------------------------------------------------
bin=$(check_tarball amd64)
check_static "$bin" x86-64
ok "amd64 tarball: static x86-64 binary, unit, README and LICENSE"

got=$("$bin" --version) || fail "$bin --version exited $?"
[[ $got == "parley $version" ]] || fail "--version says '$got', want 'parley $version'"
ok "--version: $got"

data=$work/data
mkdir "$data"
# No --headless: this build has no window to open.
start_node "$work/node.log" "$bin" --network off --data-dir "$data" --listen /ip4/127.0.0.1/tcp/0 --api 127.0.0.1:0
status=$(call "$data" Status)
[[ $(jq -r .network <<<"$status") == off ]] || fail "Status is not for a node with network off: $status"
got=$(jq -r '.version // "MISSING"' <<<"$status")
[[ $got == "$version" ]] || fail "Status says version '$got', want '$version': $status"
ok "node at $api answers Status (version $got)"

page=$work/index.html
code=$(curl -sS --max-time 10 -o "$page" -w '%{http_code} %{content_type}' "$api/") || fail "GET $api/ failed"
[[ $code == "200 text/html"* ]] || fail "GET / answered '$code', want 200 text/html"
if ! grep -qi '<!doctype html>' "$page" || ! grep -q '<script' "$page"; then
  fail "GET / is not the web UI: $(head -c 300 "$page")"
fi
ok "web UI served at /"

# Idle memory once it answers: the figure for comparing with the desktop binary.
node_rss=$(rss_mib)
stop_node "$work/node.log"
ok "SIGTERM: exited 0"

# --- arm64: listing and architecture, when it was built -----------------------------
if [[ -f $outdir/parley-node-$version-linux-arm64.tar.gz ]]; then
  arm_bin=$(check_tarball arm64)
  check_static "$arm_bin" aarch64
  ok "arm64 tarball: static aarch64 binary, unit, README and LICENSE"
else
  echo "dist node: no arm64 tarball in $outdir: checked amd64 only"
fi

# --- idle RSS next to the desktop binary in --headless ----------------------------
desktop_tarball=$(compgen -G "$outdir/parley-$version-linux-*.tar.gz" | head -1 || true)
if [[ -n $desktop_tarball ]]; then
  mkdir "$work/desktop" "$work/desktop-data"
  tar -C "$work/desktop" -xzf "$desktop_tarball"
  start_node "$work/desktop.log" "$work/desktop/parley-$version/parley" --headless --network off \
    --data-dir "$work/desktop-data" --listen /ip4/127.0.0.1/tcp/0 --api 127.0.0.1:0
  call "$work/desktop-data" Status >/dev/null
  desktop_rss=$(rss_mib)
  stop_node "$work/desktop.log"
  echo "dist node: idle RSS after start: node build ${node_rss} MiB, desktop binary --headless ${desktop_rss} MiB"
else
  echo "dist node: idle RSS after start: node build ${node_rss} MiB (no desktop tarball in $outdir to compare)"
fi
echo "dist node: all checks passed"
