#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the main job. Until the
# scenario runner exists (kiln scenario run), the main job is the emulator demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release
cmake --build --preset release --target fake-databricks
build/release/fake-databricks/fake-databricks demo "$@"
