#!/usr/bin/env bash
# Writes everything generated from the code: the README's tool, tool-set and environment tables, the environment
# list of packaging/server.json, the Claude Desktop bundle's form, tools and prompts (packaging/mcpb/manifest.json),
# and the snapshots of what the model sees (tests/Raworc.Tests/Snapshots). Review the
# diff and commit it; the same tests fail in CI while a committed file differs from what the code generates.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UPDATE_SNAPSHOTS=true dotnet test tests/Raworc.Tests -c Release --nologo \
  --filter "FullyQualifiedName~Raworc.Tests.Generated|FullyQualifiedName~Raworc.Tests.ToolSnapshotTests|FullyQualifiedName~Raworc.Tests.ResourceTests|FullyQualifiedName~Raworc.Tests.PromptTests"
git status --short -- README.md packaging/server.json packaging/mcpb/manifest.json tests/Raworc.Tests/Snapshots
