#!/usr/bin/env bash
# Checks the Linux desktop packages scripts/dist-deb made: unpacks the .deb
# into a temporary root and checks its control fields, its files and their
# modes, the .desktop file, the systemd unit, and that the unpacked binary
# says its version and runs as a headless node (API answers, SIGTERM ends it
# with status 0); then checks the tarball's listing.
#
# Usage: test/dist/deb.sh VERSION OUTDIR
# Starts parley only on 127.0.0.1 with --network off; stops it on exit.
set -euo pipefail

(($# == 2)) || { echo "usage: test/dist/deb.sh VERSION OUTDIR" >&2; exit 2; }
version=$1 outdir=$2
start_timeout=30 stop_timeout=10

fail() { printf 'dist deb: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'dist deb: ok: %s\n' "$*"; }

# The Debian form of a version, worked out here independently of nfpm:
# 1.2.3-rc.1+5.gabc -> 1.2.3~rc.1+5.gabc (a pre-release sorts before 1.2.3).
core=${version%%[-+]*} rest=${version#"${version%%[-+]*}"}
pre='' meta=''
if [[ $rest == +* ]]; then meta=${rest#+}; fi
if [[ $rest == -* ]]; then
  pre=${rest#-} && pre=${pre%%+*}
  [[ $rest == *+* ]] && meta=${rest#*+}
fi
debversion=$core${pre:+~$pre}${meta:++$meta}
arch=$(dpkg --print-architecture)
deb=$outdir/parley_${debversion}_$arch.deb
tarball=$outdir/parley-$version-linux-$arch.tar.gz
[[ -f $deb ]] || fail "no $deb (run scripts/dist-deb $version BIN $outdir first)"
[[ -f $tarball ]] || fail "no $tarball"

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# --- control fields -----------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
expect_field() { # expect_field NAME VALUE
  local got
  got=$(field "$1")
  [[ $got == "$2" ]] || fail "control field $1 is '$got', want '$2'"
}
expect_field Package parley
expect_field Version "$debversion"
expect_field Architecture "$arch"
expect_field Section net
expect_field Priority optional
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer '$(field Maintainer)' is not 'Name <address>'"
description=$(field Description)
[[ $description == *$'\n'* ]] || fail "Description has no long part: '$description'"

# Depends must name the runtime packages of the WebKitGTK the binary links.
bin=$root/usr/bin/parley
[[ -f $bin ]] || fail "the .deb has no /usr/bin/parley"
needed=$(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}')
case $needed in
  *libwebkit2gtk-4.1.so.0*) want_pkgs=(libwebkit2gtk-4.1-0 libjavascriptcoregtk-4.1-0) ;;
  *libwebkit2gtk-4.0.so.37*) want_pkgs=(libwebkit2gtk-4.0-37 libjavascriptcoregtk-4.0-18) ;;
  *) fail "the binary links no WebKitGTK 4.0 or 4.1; NEEDED: $(tr '\n' ' ' <<<"$needed")" ;;
esac
# libsoup comes with WebKitGTK; Depends names it only when the binary links
# it itself, which depends on the toolchain's --as-needed.
case $needed in
  *libsoup-3.0.so.0*) want_pkgs+=(libsoup-3.0-0) ;;
  *libsoup-2.4.so.1*) want_pkgs+=(libsoup2.4-1) ;;
esac
want_pkgs+=(libgtk-3-0 libglib2.0-0 libgdk-pixbuf-2.0-0 libc6)
# Package names only: "libc6 (>= 2.34), libgtk-3-0 (>= 3.21.4)" -> libc6 libgtk-3-0
depends=" $(field Depends | sed 's/ ([^)]*)//g; s/,/ /g') "
for p in "${want_pkgs[@]}"; do
  # A t64 rename (Ubuntu 24.04) is the same library.
  [[ $depends == *" $p "* || $depends == *" ${p}t64 "* ]] || fail "Depends lacks $p: $(field Depends)"
done
[[ $(field Depends) == *"libwebkit2gtk-"*"(>= "* ]] || fail "Depends has no minimum WebKitGTK version: $(field Depends)"
ok "control: parley $debversion $arch, Depends on ${want_pkgs[0]} and the GTK runtime"

# The package must not enable or start the helper: it has no maintainer scripts.
for script in preinst postinst prerm postrm; do
  [[ ! -e $work/control/$script ]] || fail "the .deb has a $script script; it must not start or enable anything"
done

# --- files and modes ----------------------------------------------------------------
expect_file() { # expect_file PATH MODE
  [[ -f $root$1 ]] || fail "the .deb lacks $1"
  local mode
  mode=$(stat -c %a "$root$1")
  [[ $mode == "$2" ]] || fail "$1 has mode $mode, want $2"
}
expect_file /usr/bin/parley 755
expect_file /usr/share/applications/parley.desktop 644
expect_file /usr/lib/systemd/system/parley-helper.service 644
expect_file /usr/share/doc/parley/copyright 644
expect_file /usr/share/doc/parley/changelog.gz 644
for n in 16 24 32 48 64 128 256 512; do
  icon=/usr/share/icons/hicolor/${n}x$n/apps/parley.png
  expect_file "$icon" 644
  size=$(identify -format '%wx%h %m' "$root$icon")
  [[ $size == "${n}x$n PNG" ]] || fail "$icon is '$size', want '${n}x$n PNG'"
done
owners=$(dpkg-deb -c "$deb" | awk '{print $2}' | sort -u)
[[ $owners == root/root ]] || fail "files in the .deb belong to $owners, want root/root"
ok "files: binary, .desktop, 8 icon sizes, unit, copyright, changelog; modes and owners right"

head -1 "$root/usr/share/doc/parley/copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "the copyright file is not in the machine-readable format (first line: $(head -1 "$root/usr/share/doc/parley/copyright"))"
changelog=$(gzip -dc "$root/usr/share/doc/parley/changelog.gz")
[[ $(head -1 <<<"$changelog") == "parley ($debversion) "*"; urgency="* ]] || fail "changelog starts '$(head -1 <<<"$changelog")'"
[[ $(tail -1 <<<"$changelog") =~ ^\ --\ .+\ \<.+\>\ \ [A-Z][a-z]{2},\ [0-9]{1,2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9:]{8}\ [-+][0-9]{4}$ ]] ||
  fail "changelog's trailer line is malformed: '$(tail -1 <<<"$changelog")'"
grep -qx 'License: Expat' "$root/usr/share/doc/parley/copyright" || fail "the copyright file does not name the MIT (Expat) licence"
ok "copyright in DEP-5 format under the MIT (Expat) licence, changelog entry for $debversion"

# --- the .desktop file ----------------------------------------------------------------
desktop=$root/usr/share/applications/parley.desktop
desktop-file-validate "$desktop" || fail "desktop-file-validate refuses parley.desktop"
grep -qx 'Exec=parley %u' "$desktop" || fail "parley.desktop's Exec is '$(grep ^Exec= "$desktop")', want 'Exec=parley %u'"
grep -Eq '^MimeType=(.*;)?x-scheme-handler/parley;' "$desktop" || fail "parley.desktop does not claim x-scheme-handler/parley"
grep -qx 'Icon=parley' "$desktop" || fail "parley.desktop's Icon is not parley"
ok "parley.desktop validates, opens parley:// links with %u"

# --- the systemd unit -----------------------------------------------------------------
unit=$root/usr/lib/systemd/system/parley-helper.service
# shellcheck disable=SC2016 # ${STATE_DIRECTORY} is systemd's, read literally
for key in 'ExecStart=/usr/bin/parley --headless --helper --data-dir ${STATE_DIRECTORY} --api 127.0.0.1:7717 ' \
  DynamicUser=yes StateDirectory=parley AmbientCapabilities=CAP_NET_BIND_SERVICE NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
  Restart=on-failure WantedBy=multi-user.target; do
  grep -qF -- "$key" "$unit" || fail "parley-helper.service lacks '$key'"
done
if command -v systemd-analyze >/dev/null; then
  # verify looks for the ExecStart binary and the targets under --root: give it
  # this system's targets next to the unpacked package. It reports problems
  # (unknown keys, bad values) on stderr and still exits 0: any output fails.
  cp /usr/lib/systemd/system/*.target "$root/usr/lib/systemd/system/"
  if ! verify=$(systemd-analyze verify --root="$root" parley-helper.service 2>&1) || [[ -n $verify ]]; then
    fail "systemd-analyze verify: $verify"
  fi
  rm "$root"/usr/lib/systemd/system/*.target
  ok "parley-helper.service passes systemd-analyze verify"
else
  echo "dist deb: systemd-analyze is not installed: checked the unit's keys only"
fi

# --- the unpacked binary runs ---------------------------------------------------------
got=$("$bin" --version) || fail "$bin --version exited $?"
[[ $got == "parley $version" ]] || fail "--version says '$got', want 'parley $version'"
ok "--version: $got"

data=$work/data log=$work/parley.log
mkdir "$data"
"$bin" --headless --network off --data-dir "$data" --listen /ip4/127.0.0.1/tcp/0 --api 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
deadline=$((SECONDS + start_timeout))
until api=$(sed -n 's/^api: *\(http:[^ ]*\)$/\1/p' "$log") && [[ -n $api ]]; do
  kill -0 "$pid" 2>/dev/null || fail "parley --headless exited before printing its api: line: $(cat "$log")"
  ((SECONDS < deadline)) || fail "no api: line within ${start_timeout}s: $(cat "$log")"
  sleep 0.1
done
token=$(<"$data/api-token")
status=$(curl -sS --max-time 10 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '[]' "$api/api/Status") || fail "POST $api/api/Status failed"
[[ $(jq -r .network <<<"$status") == off ]] || fail "Status is not for a node with network off: $status"
got=$(jq -r '.version // "MISSING"' <<<"$status")
[[ $got == "$version" ]] || fail "Status says version '$got', want '$version': $status"
ok "headless node at $api answers Status (version $got)"

kill -TERM "$pid"
deadline=$((SECONDS + stop_timeout))
while kill -0 "$pid" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "parley still running ${stop_timeout}s after SIGTERM"
  sleep 0.1
done
rc=0
wait "$pid" || rc=$?
pid=
((rc == 0)) || fail "parley exited $rc after SIGTERM: $(tail -5 "$log")"
ok "SIGTERM: exited 0"

# --- the tarball ----------------------------------------------------------------------
top=parley-$version
listing=$(tar -tzf "$tarball" | sort)
want=$(printf '%s\n' "$top/" "$top/INSTALL" "$top/LICENSE" "$top/parley" "$top/parley-helper.service" "$top/parley.desktop" "$top/parley.png" | sort)
[[ $listing == "$want" ]] || fail "$(basename "$tarball") holds:
$listing
want:
$want"
mkdir "$work/tar"
tar -C "$work/tar" -xzf "$tarball"
cmp -s "$work/tar/$top/parley" "$bin" || fail "the tarball's binary differs from the .deb's"
[[ $(stat -c %a "$work/tar/$top/parley") == 755 ]] || fail "the tarball's binary is not mode 755"
grep -q 'libwebkit2gtk-' "$work/tar/$top/INSTALL" || fail "INSTALL names no WebKitGTK package"
! grep -q '@PACKAGES@' "$work/tar/$top/INSTALL" || fail "INSTALL still holds the @PACKAGES@ placeholder"
cmp -s "$(dirname "$0")/../../LICENSE" "$work/tar/$top/LICENSE" || fail "the tarball's LICENSE is not the source tree's"
ok "$(basename "$tarball"): $top/ with the binary, .desktop, icon, unit, INSTALL and LICENSE"
echo "dist deb: all checks passed"
