#!/usr/bin/env bash
# Builds a local stand-in for the .NET chiseled runtime-deps base image with `podman import`, from this machine's
# own files, for hosts that reach no container registry: the dynamic loader and the libraries the binary links
# (glibc), libssl and libcrypto (loaded at run time for HTTPS), the CA bundle, and the chiseled images' non-root
# "app" user (1654). No shell, no package manager, as in the real base.
#
#   scripts/container-base.sh IMAGE [BINARY]    # BINARY: the raworc-mcp whose libraries to include
#                                               # (default artifacts/bin/raworc-mcp)
# Env: PODMAN (default: podman) for the podman command line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:?usage: container-base.sh IMAGE [BINARY]}"
binary="${2:-$root/artifacts/bin/raworc-mcp}"
read -r -a podman <<<"${PODMAN:-podman}"

[ -x "$binary" ] || { echo "container-base.sh: $binary is missing (scripts/build.sh builds it)" >&2; exit 1; }
ca=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do [ -f "$f" ] && { ca="$f"; break; }; done
[ -n "$ca" ] || { echo "container-base.sh: no CA bundle on this machine (apt-get install ca-certificates)" >&2; exit 1; }
ssl="$(ldconfig -p | awk '/libssl\.so\.3 /{print $NF; exit}')"
[ -n "$ssl" ] || { echo "container-base.sh: libssl.so.3 not found (apt-get install libssl3)" >&2; exit 1; }

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT

# The libraries, at the paths the loader names them by (ldd's view of the binary and of libssl).
libs="$( { ldd "$binary"; ldd "$ssl"; echo "$ssl"; } | grep -oE '/[^ ]+' | sort -u)"
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$rootfs/home/app" "$rootfs/usr/local/bin"
cp -L "$ca" "$rootfs/etc/ssl/certs/ca-certificates.crt"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$rootfs.tar" .
trap 'rm -rf "$rootfs" "$rootfs.tar" "$rootfs.log"' EXIT
# home/app belongs to the app user, as in the chiseled images.
"${podman[@]}" import --change 'USER 1654:1654' --change 'WORKDIR /home/app' "$rootfs.tar" "$image" >"$rootfs.log" 2>&1 || { cat "$rootfs.log" >&2; exit 1; }
echo "container-base.sh: $image ($(du -sh "$rootfs" | cut -f1) root filesystem: $(echo "$libs" | wc -l) libraries, CA bundle, user 1654)"
