#!/usr/bin/env bash
# Prints the product version: the one <Version> of Directory.Build.props, which every artifact is stamped with.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n1)"
[ -n "$version" ] || { echo "version.sh: no <Version> in $root/Directory.Build.props" >&2; exit 1; }
echo "$version"
