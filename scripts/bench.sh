#!/usr/bin/env bash
# Builds the release binary and runs the shared peer benchmark with Skyport
# beside the TypeScript SDK, FastMCP, rmcp and the bare axum baseline.
#   scripts/bench.sh            # stateless run (all peers), then the stateful run
#   scripts/bench.sh --quick    # 1 round, short loads (a smoke run)
# Tables go to stdout; run-peers.sh keeps raw JSON under ../shared/bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${TEST_SHARED_DIR:-$(pwd)/../shared}
cargo build --release --locked -p skyport-cli
tmp=$(mktemp -d)
bin=$tmp/skyport
cp target/release/skyport "$bin"   # a stable copy: later builds cannot change it mid-run
# The embedded store goes to a scratch directory, not the benchmark's folder.
"$SHARED/bench/run-peers.sh" --no-stateful "$@" \
  --target "$bin serve --apps bench --stateless --data-dir $tmp/stateless" --port 18200 --name 'skyport (stateless)'
"$SHARED/bench/run-peers.sh" --only rmcp,baseline "$@" \
  --target "$bin serve --apps bench --data-dir $tmp/stateful" --port 18201 --name skyport --target-stateful
