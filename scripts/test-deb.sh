#!/usr/bin/env bash
# Tests the Debian package made by scripts/build-deb.sh without installing it system-wide:
# dpkg-deb --info / --contents checks (fields, exact file list, owners, modes, no symbol files), then
# unpacks it into a temp root with dpkg-deb -x and checks md5sums, the copyright, changelog and man page,
# and runs the unpacked binary's --version.
#   scripts/test-deb.sh [PATH.deb]     (default: artifacts/deb/raworc-mcp_<version>_<this arch>.deb)
# Env: RAWORC_METRICS_FILE=<file> appends "deb_size_bytes=..." (used by scripts/test-packages.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="$("$root/scripts/version.sh")"
deb_version="${version//-/\~}"
deb="${1:-$root/artifacts/deb/raworc-mcp_${deb_version}_$(dpkg --print-architecture).deb}"
[ -f "$deb" ] || { echo "test-deb.sh: $deb not found (run scripts/build-deb.sh first)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
expect() { # expect DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

echo "== dpkg-deb --info $(basename "$deb")"
field() { dpkg-deb --field "$deb" "$1"; }
expect "Package: raworc-mcp" test "$(field Package)" = raworc-mcp
expect "Version: $deb_version (from Directory.Build.props)" test "$(field Version)" = "$deb_version"
arch="$(field Architecture)"
expect "Architecture: $arch matches the file name" test "$(basename "$deb")" = "raworc-mcp_${deb_version}_${arch}.deb"
expect "Depends names libc6 with a version ($(field Depends))" grep -Eq '^libc6 \(>= 2\.[0-9]+' <<<"$(field Depends)"
expect "Maintainer has an e-mail address" grep -Eq '<[^@ ]+@[^> ]+>' <<<"$(field Maintainer)"
expect "Installed-Size is a number ($(field Installed-Size) KiB)" grep -Eq '^[0-9]+$' <<<"$(field Installed-Size)"
expect "Description has a synopsis and a long text" test "$(dpkg-deb --field "$deb" Description | wc -l)" -ge 3
expect "control archive has control and md5sums" \
  test "$(dpkg-deb --info "$deb" | awk '/bytes,/ {print $NF}' | LC_ALL=C sort | tr '\n' ' ')" = "control md5sums "

echo "== dpkg-deb --contents"
dpkg-deb --contents "$deb" >"$tmp/contents"
expected="./
./usr/
./usr/bin/
./usr/bin/raworc-mcp
./usr/share/
./usr/share/doc/
./usr/share/doc/raworc-mcp/
./usr/share/doc/raworc-mcp/changelog.Debian.gz
./usr/share/doc/raworc-mcp/copyright
./usr/share/lintian/
./usr/share/lintian/overrides/
./usr/share/lintian/overrides/raworc-mcp
./usr/share/man/
./usr/share/man/man1/
./usr/share/man/man1/raworc-mcp.1.gz"
actual="$(awk '{print $NF}' "$tmp/contents" | LC_ALL=C sort)"
if [ "$actual" = "$expected" ]; then ok "exactly the expected files"; else bad "unexpected file list:"; diff <(echo "$expected") <(echo "$actual") || true; fi
expect "everything is owned by root/root" test -z "$(awk '$2 != "root/root"' "$tmp/contents")"
expect "/usr/bin/raworc-mcp is -rwxr-xr-x" grep -Eq '^-rwxr-xr-x .* \./usr/bin/raworc-mcp$' "$tmp/contents"
expect "other files are -rw-r--r--, directories drwxr-xr-x" \
  test -z "$(grep -v '\./usr/bin/raworc-mcp$' "$tmp/contents" | awk '$1 != "-rw-r--r--" && $1 != "drwxr-xr-x"')"
expect "no .dbg/.pdb/.dSYM files" test -z "$(grep -Ei '\.(dbg|pdb|dsym)' "$tmp/contents" || true)"

echo "== unpacked with dpkg-deb -x"
dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/DEBIAN"
expect "md5sums match the unpacked files" bash -c 'cd "$1" && md5sum --quiet -c "$2/md5sums"' _ "$tmp/root" "$tmp/DEBIAN"
out="$(timeout 30 "$tmp/root/usr/bin/raworc-mcp" --version 2>&1)" && rc=0 || rc=$?
expect "unpacked raworc-mcp --version -> '$out'" test "$rc:$out" = "0:raworc-mcp $version"
copyright="$tmp/root/usr/share/doc/raworc-mcp/copyright"
expect "copyright is machine-readable (DEP-5 Format line, Files with a dated Copyright, License stanzas)" \
  bash -c 'head -n1 "$1" | grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" && grep -q "^Files: \*" "$1" && grep -Eq "^Copyright: [0-9]{4} " "$1" && grep -q "^License: MIT" "$1"' _ "$copyright"
changelog="$(gzip -dc "$tmp/root/usr/share/doc/raworc-mcp/changelog.Debian.gz")"
expect "changelog.Debian.gz starts with 'raworc-mcp ($deb_version)'" grep -q "^raworc-mcp ($deb_version) " <<<"$changelog"
expect "changelog.Debian.gz has a maintainer trailer line" grep -Eq '^ -- .+ <.+>  [A-Z][a-z]{2}, ' <<<"$changelog"
manpage="$(gzip -dc "$tmp/root/usr/share/man/man1/raworc-mcp.1.gz")"
expect "man page has .TH and NAME/SYNOPSIS/DESCRIPTION sections" \
  bash -c 'grep -q "^\.TH RAWORC" <<<"$1" && grep -q "^\.SH NAME" <<<"$1" && grep -q "^\.SH SYNOPSIS" <<<"$1" && grep -q "^\.SH DESCRIPTION" <<<"$1"' _ "$manpage"
expect "man page documents the environment variables" grep -q 'RAWORC_AUTH_TOKEN' <<<"$manpage"
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
  expect "man -l renders the page" bash -c 'MANWIDTH=80 man -l "$1" 2>&1 | grep -q "Raworc"' _ "$tmp/root/usr/share/man/man1/raworc-mcp.1.gz"
else
  echo "  (man/groff not installed: the page is checked for structure only)"
fi

echo "== dpkg install/remove in a scratch root (not the system)"
scratch="$tmp/scratch"
mkdir -p "$scratch/var/lib/dpkg/info" "$scratch/var/lib/dpkg/updates"
: >"$scratch/var/lib/dpkg/status"
dpkg_scratch() { dpkg --root="$scratch" --force-depends --force-not-root --log=/dev/null "$@" >"$tmp/dpkg.log" 2>&1; }
expect "dpkg -i succeeds (dependencies are not in the scratch database, hence --force-depends)" dpkg_scratch -i "$deb"
expect "dpkg reports the package installed" bash -c 'dpkg --root="$1" -s raworc-mcp 2>/dev/null | grep -q "^Status: install ok installed"' _ "$scratch"
expect "installed /usr/bin/raworc-mcp runs" test "$(timeout 30 "$scratch/usr/bin/raworc-mcp" --version 2>&1)" = "raworc-mcp $version"
expect "dpkg -r removes every file" bash -c 'dpkg --root="$1" --force-depends --force-not-root --log=/dev/null -r raworc-mcp >/dev/null 2>&1 && test -z "$(find "$1/usr" -type f 2>/dev/null)"' _ "$scratch"

# Depends satisfied by this machine (same Debian family as CI).
if command -v dpkg-query >/dev/null 2>&1; then
  min_glibc="$(field Depends | sed -n 's/^libc6 (>= \([^)]*\)).*/\1/p')"
  host_libc="$(dpkg-query -W -f='${Version}' libc6 2>/dev/null || true)"
  if [ -n "$host_libc" ]; then
    expect "this machine's libc6 $host_libc satisfies >= $min_glibc" dpkg --compare-versions "$host_libc" ge "$min_glibc"
  fi
  ssl_ok=no
  for p in libssl3 libssl3t64 libssl1.1; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then ssl_ok=yes; fi
  done
  expect "this machine has one of libssl3 | libssl3t64 | libssl1.1" test "$ssl_ok" = yes
fi

if command -v lintian >/dev/null 2>&1; then
  # Errors fail; warnings are shown. Known warning: wrong-name-for-changelog-of-native-package (the package
  # version has no Debian revision, so that the file name is raworc-mcp_<version>_<arch>.deb).
  lintian --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1 || true
  grep -E '^[EW]: ' "$tmp/lintian.log" | sed 's/^/  lintian: /' || true
  expect "lintian reports no errors" test -z "$(grep -E '^E: ' "$tmp/lintian.log" || true)"
else
  echo "  (lintian not installed: skipped; apt-get install -y lintian to run it)"
fi

size="$(stat -c %s "$deb")"
echo "  deb size: $size bytes ($(du -h "$deb" | cut -f1))"
[ -z "${RAWORC_METRICS_FILE:-}" ] || echo "deb_size_bytes=$size" >>"$RAWORC_METRICS_FILE"
echo "test-deb: $passed passed, $failed failed"
[ "$failed" = 0 ]
