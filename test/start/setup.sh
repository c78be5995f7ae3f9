#!/usr/bin/env bash
# Tests scripts/setup against stand-ins for dpkg-query, apt-cache, apt-get
# and id placed first on PATH, which record every call: nothing is
# installed or changed on this machine. The Wails CLI and npm steps run for
# real and must find everything in place (run `make setup` once first).
#
# Usage: test/start/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fake=$work/bin
mkdir -p "$fake"

# dpkg-query: every package is installed except those in FAKE_MISSING.
cat >"$fake/dpkg-query" <<'STUB'
#!/usr/bin/env bash
echo "dpkg-query $*" >>"$FAKE_CALLS"
pkg=${!#}
for m in $FAKE_MISSING; do
  if [[ $m == "$pkg" ]]; then echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; fi
done
printf 'install ok installed'
STUB

# apt-cache policy: a candidate for the packages in FAKE_CANDIDATES, but
# only once "apt-get update" has run when FAKE_NO_LISTS is set (a fresh
# machine). The version table is long, as a real one can be: more than a
# pipe holds, so a reader that stops early makes the writer die of SIGPIPE.
cat >"$fake/apt-cache" <<'STUB'
#!/usr/bin/env bash
echo "apt-cache $*" >>"$FAKE_CALLS"
pkg=${!#}
candidate="(none)"
if [[ -z ${FAKE_NO_LISTS:-} || -e $FAKE_LISTS ]]; then
  for c in $FAKE_CANDIDATES; do [[ $c == "$pkg" ]] && candidate="2.50.6-1~deb12u2"; done
fi
printf '%s:\n  Installed: (none)\n  Candidate: %s\n  Version table:\n' "$pkg" "$candidate"
for i in $(seq 4000); do printf '     2.%d.0-1 500\n        500 http://deb.example/debian stable/main amd64 Packages\n' "$i"; done
STUB

# apt-get: records the call; "update" makes the package lists exist.
cat >"$fake/apt-get" <<'STUB'
#!/usr/bin/env bash
echo "apt-get $*" >>"$FAKE_CALLS"
[[ $1 == update ]] && touch "$FAKE_LISTS"
exit 0
STUB

# id: root unless FAKE_UID says otherwise.
cat >"$fake/id" <<'STUB'
#!/usr/bin/env bash
if [[ $1 == -u ]]; then echo "${FAKE_UID:-0}"; else exec /usr/bin/id "$@"; fi
STUB
chmod +x "$fake"/*

failed=0 case_failed=0
fail() { echo "setup test: FAIL: $case: $*" >&2; failed=1 case_failed=1; }
passed() { ((case_failed)) || echo "setup test: $case: $*"; case_failed=0; }

# run_setup: runs scripts/setup with the stand-ins, no stdin, as CI does;
# sets out, status, took (seconds) and calls.
run_setup() {
  : >"$work/calls"
  rm -f "$work/lists"
  local start=$EPOCHREALTIME
  set +e
  out=$(PATH="$fake:$PATH" FAKE_CALLS=$work/calls FAKE_LISTS=$work/lists scripts/setup </dev/null 2>&1)
  status=$?
  set -e
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  calls=$(cat "$work/calls")
}
apt_get_calls() { grep '^apt-get ' <<<"$calls" || true; }

case="everything installed"
FAKE_MISSING="" FAKE_CANDIDATES="libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev" run_setup
((status == 0)) || fail "exit status $status: $out"
[[ -z $(apt_get_calls) ]] || fail "apt-get was called: $(apt_get_calls)"
awk -v t="$took" 'BEGIN { exit !(t < 5) }' || fail "setup took $took s, want a few seconds at most"
[[ $out == *"all present (WebKitGTK: libwebkit2gtk-4.0-dev is installed)"* ]] || fail "does not say what it found: $out"
passed "no apt-get, ${took}s"

case="one package missing"
FAKE_MISSING="jq" FAKE_CANDIDATES="libwebkit2gtk-4.0-dev" run_setup
((status == 0)) || fail "exit status $status: $out"
want=$'apt-get update -q\napt-get install -y -q --no-install-recommends jq'
[[ $(apt_get_calls) == "$want" ]] || fail "apt-get calls: $(apt_get_calls), want: $want"
passed "apt-get installs exactly jq"

case="WebKitGTK 4.0 packaged, neither installed"
FAKE_MISSING="libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev" FAKE_CANDIDATES="libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev" run_setup
((status == 0)) || fail "exit status $status: $out"
want=$'apt-get update -q\napt-get install -y -q --no-install-recommends libwebkit2gtk-4.0-dev'
[[ $(apt_get_calls) == "$want" ]] || fail "apt-get calls: $(apt_get_calls), want: $want"
[[ $out == *"libwebkit2gtk-4.0-dev 2.50.6-1~deb12u2 is available"* ]] || fail "does not say what it found: $out"
passed "installs 4.0"

case="only WebKitGTK 4.1 packaged"
FAKE_MISSING="libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev" FAKE_CANDIDATES="libwebkit2gtk-4.1-dev" run_setup
want=$'apt-get update -q\napt-get install -y -q --no-install-recommends libwebkit2gtk-4.1-dev'
[[ $(apt_get_calls) == "$want" ]] || fail "apt-get calls: $(apt_get_calls), want: $want"
passed "installs 4.1"

case="fresh machine, no package lists, no stdin"
all="build-essential pkg-config libgtk-3-dev xvfb xauth imagemagick xdotool fonts-noto-color-emoji iproute2 nftables iputils-ping curl jq chromium nsis desktop-file-utils file libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev"
FAKE_NO_LISTS=1 FAKE_MISSING="$all" FAKE_CANDIDATES="libwebkit2gtk-4.0-dev libwebkit2gtk-4.1-dev" run_setup
((status == 0)) || fail "exit status $status: $out"
want="apt-get update -q
apt-get install -y -q --no-install-recommends ${all% libwebkit2gtk-4.1-dev}"
[[ $(apt_get_calls) == "$want" ]] || fail "apt-get calls: $(apt_get_calls), want: $want"
passed "installs all $(wc -w <<<"${all% *}") packages"

case="not root"
FAKE_UID=1000 FAKE_MISSING="jq xdotool" FAKE_CANDIDATES="" run_setup
((status != 0)) || fail "exit status 0 with packages missing"
[[ -z $(apt_get_calls) ]] || fail "apt-get was called: $(apt_get_calls)"
[[ $out == *"sudo apt-get install -y xdotool jq"* ]] || fail "does not give the command to run: $out"
passed "prints the sudo line"

((failed == 0)) || exit 1
echo "setup test: ok"
