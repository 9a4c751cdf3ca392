#!/usr/bin/env bash
# The test command. Publishes the Native AOT binary (the binary and end-to-end tests drive it), checks the code's
# layout (dotnet format), runs every xunit suite in the solution, then the end-to-end checks with third-party MCP
# clients when their script is present.
#   ./scripts/test.sh            everything
#   ./scripts/test.sh --no-e2e   skip the Node-based clients (no npm needed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

e2e=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) e2e=0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

./scripts/build.sh
# The layout of .editorconfig; `dotnet format Raworc.Mcp.sln` fixes what this reports.
dotnet format Raworc.Mcp.sln --verify-no-changes
dotnet test Raworc.Mcp.sln -c Release --nologo
if [ "$e2e" = 1 ] && [ -x scripts/test-e2e.sh ]; then
  scripts/test-e2e.sh
fi
