#!/usr/bin/env bash
# Runs the in-memory Raworc API stand-in on 127.0.0.1 (default port 9000, login admin/admin).
# Options: --port N --build-delay-ms N --session-delay-ms N --reply-delay-ms N --token-lifetime-seconds N (see --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec dotnet run --project tests/Raworc.StandIn -c Release -- "$@"
