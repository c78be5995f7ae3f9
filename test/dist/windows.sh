#!/usr/bin/env bash
# Checks the Windows installer made by scripts/dist-windows, and the app it
# carries (build/bin/parley.exe):
#
#   test/dist/windows.sh VERSION OUTDIR
#
# - OUTDIR/parley-VERSION-windows-amd64-installer.exe exists and is an NSIS
#   installer (a PE32 executable);
# - the version resources of the installer and of parley.exe hold the
#   four numbers of VERSION (scripts/version --windows) and VERSION itself;
# - the installer, as compiled, registers parley:// with the program's
#   path quoted, sets DisplayVersion, makes a Start-menu entry and an
#   uninstaller.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { printf 'FAIL windows: %s\n' "$*" >&2; exit 1; }
ok() { printf 'ok   windows: %s\n' "$*"; }

(($# == 2)) || { echo "usage: test/dist/windows.sh VERSION OUTDIR" >&2; exit 2; }
version=$1 outdir=$2
version4=$(VERSION=$version scripts/version --windows) || fail "scripts/version --windows rejects $version"
installer=$outdir/parley-$version-windows-amd64-installer.exe
app=build/bin/parley.exe

[[ -f $installer ]] || fail "no installer at $installer (run scripts/dist-windows $version $outdir)"
[[ -f $app ]] || fail "no $app (scripts/dist-windows builds it)"

kind=$(file -b "$installer")
[[ $kind == PE32\ executable* && $kind == *Nullsoft* ]] || fail "installer is not a PE32 NSIS installer: file says: $kind"
ok "installer is a PE32 NSIS installer ($(stat -c %s "$installer") bytes)"
kind=$(file -b "$app")
[[ $kind == PE32+\ executable*x86-64* ]] || fail "parley.exe is not a 64-bit PE: file says: $kind"
ok "parley.exe is a PE32+ x86-64 executable"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/peversion" ./test/dist/peversion
go build -o "$tmp/nsisheader" ./test/dist/nsisheader

# expect FILE WHAT LINE...: each LINE is a whole line of FILE.
expect() {
  local file=$1 what=$2 line
  shift 2
  for line in "$@"; do
    grep -qxF -- "$line" "$file" || fail "$what lacks the line: $line
$(sed 's/^/  /' "$file")"
  done
}

# version FILE LABEL EXTRA_LINE...: the version resource of FILE.
check_version() {
  local exe=$1 label=$2 out=$tmp/$2.version
  shift 2
  "$tmp/peversion" "$exe" >"$out" || fail "cannot read the version resource of $exe"
  expect "$out" "the version resource of $label" \
    "fixed.FileVersion=$version4" "fixed.ProductVersion=$version4" \
    "ProductVersion=$version" "FileVersion=$version4" \
    "ProductName=Parley" "CompanyName=Parley" "$@"
  ok "$label version resource: $version4, ProductVersion $version"
}
check_version "$installer" installer "FileDescription=Parley Installer"
check_version "$app" parley.exe "FileDescription=Parley"

# What the installer will do, read from the installer itself.
"$tmp/nsisheader" "$installer" >"$tmp/header" || fail "cannot read the installer's compiled script"
# expect_op WHAT PATTERN: some instruction matches PATTERN (grep -E).
expect_op() {
  grep -qE -- "^op[0-9]+ $2\$" "$tmp/header" || fail "the installer does not $1 (no instruction like: $2)"
}
q() { sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$1"; } # literal text in a pattern
any='[^|]*'
# Registry roots: 0 is the shell context (HKLM for a per-machine install).
expect_op 'register parley:// as a URL protocol' \
  "0\|s:$(q 'Software\Classes\parley')\|s:URL Protocol\|0\|$any\|$any"
expect_op 'open parley:// links with the quoted program path' \
  "0\|s:$(q 'Software\Classes\parley\shell\open\command')\|0\|s:$(q '"$INSTDIR\parley.exe" "%1"')\|$any\|$any"
ok 'parley:// opens "$INSTDIR\parley.exe" "%1"'
expect_op 'set DisplayVersion in Add/Remove Programs' \
  "$any\|s:$(q 'Software\Microsoft\Windows\CurrentVersion\Uninstall\Parley')\|s:DisplayVersion\|s:$(q "$version")\|$any\|$any"
ok "Add/Remove Programs shows version $version"
expect_op 'make a Start-menu entry' "s:\\\$shell\([^)]*\)$(q '\Parley.lnk')\|s:$(q '$INSTDIR\parley.exe')\|.*"
expect_op 'write an uninstaller' "s:$(q '$INSTDIR\uninstall.exe')\|.*"
ok "Start-menu entry and uninstaller"
# The protocol command Wails would write leaves the path unquoted.
if grep -qF 's:$INSTDIR\parley.exe "%1"' "$tmp/header"; then
  fail "the installer still writes the unquoted protocol command"
fi

echo "windows: all checks passed"
