#!/usr/bin/env bash
# The backlog benchmark: tools/call backlog_list over a 10,000-task backlog
# (release build, stateless Streamable HTTP, the embedded SQLite store), with
# wrk, one argument set at a time, at 1 and at CONNECTIONS connections.
#   scripts/bench-backlog.sh [SECONDS] [CONNECTIONS]   # default 10 s, 16 connections
# The tasks are written as the ADR's markdown files and brought in with
# `skyport backlog import` (its time is reported too). The server is pinned
# to CPU 1 and wrk to CPU 0 (as ../shared/bench does).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
# BENCH_BIN=path measures that binary instead of building one.
if [[ -z ${BENCH_BIN:-} ]]; then
  cargo build --release --locked -q -p skyport-cli
fi
bin=${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/skyport}
tmp=$(mktemp -d)
port=18291
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# Task i: status i % 4, sprint S((i / 4) % 10), priority i % 4, every
# seventh mentions "needle".
mkdir -p "$tmp/files/tasks"
awk -v dir="$tmp/files/tasks" 'BEGIN {
  split("open in_progress blocked done", st, " "); split("low medium high urgent", pr, " ")
  for (i = 0; i < 10000; i++) {
    f = sprintf("%s/T-%d.md", dir, i + 1)
    printf "---\nid: T-%d\ntitle: Task %05d of the benchmark backlog\nstatus: %s\npriority: %s\nsprint: S%d\nepic: E%d\ncreated_at: '"'"'2026-01-01T00:00:00.000Z'"'"'\nupdated_at: '"'"'2026-01-01T00:00:00.000Z'"'"'\n---\n%s\n", i + 1, i, st[i % 4 + 1], pr[i % 4 + 1], int(i / 4) % 10, i % 25, (i % 7 == 0 ? "find the needle here" : "A task.") > f
    close(f)
  }
}'
start=$(date +%s.%N)
"$bin" backlog --data-dir "$tmp/data" import "$tmp/files"
echo "import of 10,000 files: $(echo "$(date +%s.%N) - $start" | bc) s"

taskset -c 1 "$bin" serve --apps backlog --stateless --listen 127.0.0.1:$port \
  --data-dir "$tmp/data" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
lua=scripts/bench/backlog_list.lua
load() { # load CONNECTIONS ARGSET
  LIST_ARGS=$2 taskset -c 0 wrk -t1 -c2 -d1s -s $lua "http://127.0.0.1:$port/backlog/mcp" >/dev/null # warm-up
  printf 'c=%-3s %-7s ' "$1" "$2"
  LIST_ARGS=$2 taskset -c 0 wrk -t1 -c"$1" -d"${secs}s" -s $lua "http://127.0.0.1:$port/backlog/mcp" | grep '^RESULT' | sed 's/^RESULT //'
}
echo "== tools/call backlog_list over 10,000 tasks (${secs} s each)"
echo "   page: first 20 (most recent); status: open+blocked; sprint: S3 by priority;"
echo "   text: 'needle' in title or description; deep: offset 9980; big: 100 per page"
for set in page status sprint text deep big; do load 1 $set; done
for set in page text mix; do load "$conns" $set; done
echo "server RSS after load: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
