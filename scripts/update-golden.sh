#!/bin/sh
# Regenerates Tests/Golden/smoke-outputs.json: the smoke pipeline's output hashes per node and kind version.
# Run it after bumping the version of a kind whose outputs changed (GoldenOutputsTests says which), and commit the file.
set -e
cd "$(dirname "$0")/.."
RLHF_UPDATE_GOLDEN=1 swift test --disable-swift-testing --filter GoldenOutputsTests "$@"
git --no-pager diff --stat -- Tests/Golden/smoke-outputs.json
