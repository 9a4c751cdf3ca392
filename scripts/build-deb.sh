#!/usr/bin/env bash
# Builds the Debian package artifacts/deb/raworc-mcp_<version>_<arch>.deb from the published binary:
# /usr/bin/raworc-mcp, a machine-readable copyright file, changelog.Debian.gz and a man page made from
# `raworc-mcp --help` (with help2man if installed, else a plain roff page generated here). Needs only
# dpkg-deb, gzip and coreutils. The version comes from Directory.Build.props; the architecture and the
# minimum glibc are read from the binary itself.
#
#   scripts/build-deb.sh [--binary PATH] [--arch amd64|arm64] [--out DIR]
# Env: DEB_MAINTAINER ("Name <email>"), SOURCE_DATE_EPOCH (timestamps; default: the last commit's date).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

binary="$root/artifacts/bin/raworc-mcp"
arch=""
out="$root/artifacts/deb"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$binary" ] || { echo "build-deb.sh: $binary not found (run scripts/build.sh first)" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build-deb.sh: dpkg-deb is required (apt-get install -y dpkg)" >&2; exit 1; }

version="$("$root/scripts/version.sh")"
# Debian orders "~" before the release, as semver does "-" (1.0.0-rc.1 -> 1.0.0~rc.1); no Debian revision.
deb_version="${version//-/\~}"
maintainer="${DEB_MAINTAINER:-Raworc contributors <raworc@users.noreply.github.com>}"
homepage="https://github.com/raworc/raworc-mcp"

# Architecture from the ELF header (e_machine at offset 18), so a cross-built binary is labelled right.
if [ -z "$arch" ]; then
  magic="$(od -An -c -N4 "$binary" | tr -d ' ')"
  [ "$magic" = '177ELF' ] || { echo "build-deb.sh: $binary is not an ELF executable" >&2; exit 1; }
  machine="$(od -An -tu2 -j18 -N2 "$binary" | tr -d ' ')"
  case "$machine" in
    62) arch=amd64 ;;
    183) arch=arm64 ;;
    *) echo "build-deb.sh: unsupported ELF machine $machine (use --arch)" >&2; exit 1 ;;
  esac
fi

# Lowest glibc that satisfies every versioned symbol the binary references.
glibc="$(LC_ALL=C grep -aoE 'GLIBC_2\.[0-9]+(\.[0-9]+)?' "$binary" | sed 's/^GLIBC_//' | sort -uV | tail -n1 || true)"
depends="libc6${glibc:+ (>= $glibc)}"
# HTTPS goes through OpenSSL, which the .NET runtime loads at run time (libssl.so.3, or 1.1).
depends="$depends, libssl3 | libssl3t64 | libssl1.1"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)"
fi
export SOURCE_DATE_EPOCH
date_rfc2822="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%a, %d %b %Y %H:%M:%S +0000')"
date_man="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%B %Y')"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
umask 022
pkg="$tmp/pkg"
doc="$pkg/usr/share/doc/raworc-mcp"
man="$pkg/usr/share/man/man1"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$doc" "$man"

install -m 0755 "$binary" "$pkg/usr/bin/raworc-mcp"
sed "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" packaging/deb/copyright >"$doc/copyright"
chmod 0644 "$doc/copyright"
# The executable statically contains zlib (part of the .NET runtime, as in every Native AOT binary).
mkdir -p "$pkg/usr/share/lintian/overrides"
printf 'raworc-mcp: embedded-library zlib [usr/bin/raworc-mcp]\n' >"$pkg/usr/share/lintian/overrides/raworc-mcp"
chmod 0644 "$pkg/usr/share/lintian/overrides/raworc-mcp"

cat >"$tmp/changelog.Debian" <<EOF
raworc-mcp ($deb_version) stable; urgency=medium

  * Release $version of raworc-mcp, the MCP server for the Raworc control plane.

 -- $maintainer  $date_rfc2822
EOF
gzip -9n <"$tmp/changelog.Debian" >"$doc/changelog.Debian.gz"

# Man page from --help.
"$pkg/usr/bin/raworc-mcp" --help >"$tmp/help.txt" 2>&1 || { echo "build-deb.sh: raworc-mcp --help failed" >&2; cat "$tmp/help.txt" >&2; exit 1; }
summary="MCP server for the Raworc control plane"
if command -v help2man >/dev/null 2>&1; then
  help2man --no-info --no-discard-stderr --name="$summary" --version-string="$version" \
    --output="$tmp/raworc-mcp.1" "$pkg/usr/bin/raworc-mcp"
else
  {
    printf '.TH RAWORC\\-MCP 1 "%s" "raworc-mcp %s" "User Commands"\n' "$date_man" "$version"
    printf '.SH NAME\nraworc\\-mcp \\- %s\n' "$summary"
    printf '.SH SYNOPSIS\n.B raworc\\-mcp\n[\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-manifest\\fR]\n'
    printf '.SH DESCRIPTION\n'
    # "Heading:" lines of the help text become sections; everything else is kept verbatim (no filling).
    awk '
      function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); if (s ~ /^[.'"'"']/) s = "\\&" s; return s }
      /^[A-Z][A-Za-z ()]*:$/ { if (open) print ".fi"; sub(/:$/, ""); print ".SH " toupper($0); print ".nf"; open = 1; next }
      { if (!open) { print ".nf"; open = 1 } print esc($0) }
      END { if (open) print ".fi" }
    ' "$tmp/help.txt"
    printf '.SH SEE ALSO\n%s\n' "$homepage"
  } >"$tmp/raworc-mcp.1"
fi
gzip -9n <"$tmp/raworc-mcp.1" >"$man/raworc-mcp.1.gz"

installed_kb="$(du -sk --apparent-size "$pkg/usr" | cut -f1)"
cat >"$pkg/DEBIAN/control" <<EOF
Package: raworc-mcp
Version: $deb_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: $depends
Recommends: ca-certificates
Section: utils
Priority: optional
Homepage: $homepage
Description: $summary
 raworc-mcp is a Model Context Protocol (MCP) server that lets MCP clients
 (Claude Desktop, Claude Code, Cursor, VS Code and others) manage Raworc spaces,
 agents, secrets, builds, sessions and messages through the Raworc REST API.
 .
 It is a single native executable that speaks MCP over stdio. Configure it
 with RAWORC_API_URL and RAWORC_AUTH_TOKEN (or RAWORC_USERNAME and
 RAWORC_PASSWORD); see raworc-mcp(1).
EOF
(cd "$pkg" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb="$out/raworc-mcp_${deb_version}_${arch}.deb"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1); Depends: $depends)"
