#!/usr/bin/env bash
# The shop's search benchmark, in two parts:
#   1. the catalog alone: p50/p90/p99 of 20,000 searches over the 10,000
#      products (crates/skyport-catalog/examples/search_bench.rs);
#   2. tools/call search_products through the server (release build,
#      stateless Streamable HTTP, the embedded SQLite store), with wrk, next
#      to the peer benchmark's bench app (search_products over 200 fixed
#      products: framework overhead alone) in the same process and run.
#   scripts/bench-shop.sh [SECONDS] [CONNECTIONS]   # default 10 s, 16 connections
# The server is pinned to CPU 1 and wrk to CPU 0 (as ../shared/bench does).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
cargo build --release --locked -q -p skyport-cli
cargo build --release --locked -q -p skyport-catalog --example search_bench
out=${CARGO_TARGET_DIR:-target}/release
echo "== catalog search (no server)"
"$out/examples/search_bench"
tmp=$(mktemp -d)
port=18290
taskset -c 1 "$out/skyport" serve --apps shop-search,bench --stateless \
  --listen 127.0.0.1:$port --data-dir "$tmp" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
lua=scripts/bench/shop_search.lua
load() { # load LABEL PATH [TOOL_ARGS]
  TOOL_ARGS=${3:-} taskset -c 0 wrk -t1 -c2 -d2s -s $lua "http://127.0.0.1:$port$2" >/dev/null # warm-up
  printf '%-48s ' "$1"
  TOOL_ARGS=${3:-} taskset -c 0 wrk -t1 -c"$conns" -d"${secs}s" -s $lua "http://127.0.0.1:$port$2" | grep '^RESULT' | sed 's/^RESULT //'
}
echo "== tools/call over HTTP (c=$conns, ${secs} s each)"
load "shop-search search_products (10-query mix)" /shop-search/mcp
load "bench search_products {query:a} (baseline)" /bench/mcp bench
echo "server RSS after load: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
