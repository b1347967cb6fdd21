#!/usr/bin/env bash
# Store benchmark, one run:
#  1. store operation latency (p50/p99) per backend (the store_latency example);
#  2. tools/call throughput of a store-touching tool per backend: the probe
#     app's counter_add (an atomic write) and kv_get (a read), beside the bench
#     app's search_products (no store) on the same server, as ratios.
# Server pinned to core 1, wrk to core 0, stateless Streamable HTTP, c=16.
#
#   TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
#   TEST_REDIS_URL=redis://127.0.0.1:6379 scripts/bench-store.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
port=19300
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
cargo build --release -q -p skyport-cli
cargo build --release -q -p skyport-store --example store_latency
bin=target/release/skyport

echo "## Store operation latency (sequential, 2000 ops each)"
echo
target/release/examples/store_latency 2000
echo

tmp=$(mktemp -d)
schema=""
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  [ -n "$schema" ] && psql "$TEST_POSTGRES_URL" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

run_backend() { # label, extra flags...
  local label=$1; shift
  rm -rf "$tmp/data"
  taskset -c 1 "$bin" serve --apps probe,bench --stateless --listen "127.0.0.1:$port" \
    --data-dir "$tmp/data" "$@" 2>"$tmp/log" &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  local ref=0
  for tool in search_products counter_add kv_get; do
    local app=probe; [ "$tool" = search_products ] && app=bench
    TOOL=$tool taskset -c 0 wrk -t1 -c16 -d2s -s scripts/wrk-probe.lua "http://127.0.0.1:$port/$app/mcp" >/dev/null
    local out; out=$(TOOL=$tool taskset -c 0 wrk -t1 -c16 -d"${secs}s" --latency -s scripts/wrk-probe.lua "http://127.0.0.1:$port/$app/mcp")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    [ "$tool" = search_products ] && ref=$rps
    local ratio; ratio=$(awk -v a="$rps" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')
    echo "| $label | $tool | $rps | $ratio | $p50 | $p99 |"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

echo "## tools/call throughput (c=16, ${secs}s, ratio to search_products on the same server)"
echo
echo "| backend | tool | req/s | ratio | p50 | p99 |"
echo "|---|---|---|---|---|---|"
run_backend sqlite
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  schema="bench_$RANDOM$RANDOM"
  psql "$TEST_POSTGRES_URL" -q -c "CREATE SCHEMA $schema" >/dev/null
  sep='?'; [[ "$TEST_POSTGRES_URL" == *\?* ]] && sep='&'
  url="$TEST_POSTGRES_URL${sep}options=-c%20search_path%3D$schema"
  SKYPORT_STORE_NAMESPACE=$schema run_backend postgres --store "$url"
  if [ -n "${TEST_REDIS_URL:-}" ]; then
    SKYPORT_STORE_NAMESPACE=$schema run_backend postgres+redis --store "$url" --redis "$TEST_REDIS_URL"
  fi
fi
