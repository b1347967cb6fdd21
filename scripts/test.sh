#!/usr/bin/env bash
# Runs every test Skyport has, from a fresh clone:
#   1. formatting and lints (cargo fmt --check, clippy -D warnings)
#   2. unit and integration tests (cargo test --workspace: real sockets, real binary)
#   3. the official MCP conformance suite against the built-in `conformance` app
#   4. the official TypeScript SDK client (client-check) against every built-in app,
#      over Streamable HTTP (stateful and stateless) and legacy HTTP+SSE
#   5. `skyport doctor` on every built-in app (a clean report)
#   6. an app made by `skyport new` builds and passes its own tests
#   7. browser tests (tests/browser): widgets in the dev host, under the official
#      MCP Apps AppBridge and standalone, in Debian's chromium via playwright-core
# Ends with one line "suites: N passed, N failed"; exit status 1 when any suite failed.
#
# Needs ../shared (the shared tools) beside the repository, Node.js >= 20 and npm,
# and /usr/bin/chromium for the browser tests (.ci/run installs it; without it
# they print SKIPPED).
# The store's PostgreSQL and Redis tests read TEST_POSTGRES_URL and TEST_REDIS_URL;
# when unset they point at the local services if those answer (else the tests
# print SKIPPED). psql must be on PATH for the scale-out tests.
# TEST_QUICK=1 skips the lints (for a fast local loop).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ -z ${TEST_POSTGRES_URL:-} ]] && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
fi
if [[ -z ${TEST_REDIS_URL:-} ]] && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  export TEST_REDIS_URL=redis://127.0.0.1:6379
fi
echo "store backends: postgres=${TEST_POSTGRES_URL:-SKIPPED (unset)} redis=${TEST_REDIS_URL:-SKIPPED (unset)}"
SHARED=${TEST_SHARED_DIR:-$ROOT/../shared}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# One build from scratch: incremental state would only cost time and disk.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

passed=0; failed=0; failures=()
suite() { # suite NAME CMD...: runs one suite, records the outcome
  local name=$1; shift
  echo "::: $name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "::: $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "::: $name: FAILED ($((SECONDS - t0)) s)"
  fi
}

if [[ ${TEST_QUICK:-0} != 1 ]]; then
  suite "cargo fmt --check" cargo fmt --all -- --check
  suite "cargo clippy -D warnings" cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
fi
suite "cargo test" cargo test --workspace --locked

# The shared suites drive a real server built from this tree.
cargo build --locked -q -p skyport-cli || { echo "build failed"; exit 1; }
BIN=$ROOT/target/debug/skyport
LOGDIR=$(mktemp -d)
servers=()
start() { # start NAME PORT ARGS...: starts a server and waits until /health answers
  local name=$1 port=$2; shift 2
  "$BIN" serve --listen "127.0.0.1:$port" "$@" >"$LOGDIR/$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server $name did not start; its log:"; cat "$LOGDIR/$name.log"; return 1
}
cleanup() { for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

if [[ -x $SHARED/tools/conformance/run.sh ]]; then
  APPS=conformance,greeter,bench,shop-auth,shop-search,shop-checkout,shop-membership,backlog
  start stateful 18901 --apps $APPS || exit 1
  start stateless 18902 --apps $APPS --stateless || exit 1

  conformance() {
    local out; out=$("$SHARED/tools/conformance/run.sh" http://127.0.0.1:18901/conformance/mcp 2>&1)
    local rc=$?; echo "$out"
    [[ $rc -eq 0 ]] && grep -qE '^32 passed, 0 failed' <<<"$out"
  }
  suite "MCP conformance (32 scenarios)" conformance

  check() { "$SHARED/tools/client-check/check.sh" "$@" >"$LOGDIR/check.out" 2>&1 || { cat "$LOGDIR/check.out"; return 1; }; tail -1 "$LOGDIR/check.out"; }
  for port_mode in "18901 stateful" "18902 stateless"; do
    set -- $port_mode
    suite "client-check conformance ($2)" check "http://127.0.0.1:$1/conformance/mcp" --call test_simple_text '{}'
    suite "client-check greeter ($2)" check "http://127.0.0.1:$1/greeter/mcp" --call greet_user '{"name":"Ada"}'
    suite "client-check bench ($2)" check "http://127.0.0.1:$1/bench/mcp" --call search_products '{"query":"a"}'
    suite "client-check shop-search ($2)" check "http://127.0.0.1:$1/shop-search/mcp" --call search_products '{"query":"fitness tracker"}'
    suite "client-check shop-auth ($2)" check "http://127.0.0.1:$1/shop-auth/mcp" --call create_shopping_session '{}'
    suite "client-check backlog ($2)" check "http://127.0.0.1:$1/backlog/mcp" \
      --call backlog_create '{"title":"Added by the TypeScript SDK","sprint":"S1"}' \
      --call backlog_list '{"status":["open"]}' --call backlog_progress '{}'
  done
  suite "client-check conformance (legacy SSE)" check http://127.0.0.1:18901/conformance/sse --sse --call test_simple_text '{}'
  suite "client-check greeter (legacy SSE)" check http://127.0.0.1:18901/greeter/sse --sse --call greet_user '{"name":"Ada"}'
  suite "client-check bench (legacy SSE)" check http://127.0.0.1:18901/bench/sse --sse --call search_products '{"query":"a"}'
  suite "client-check shop-search (legacy SSE)" check http://127.0.0.1:18901/shop-search/sse --sse --call search_products '{"query":"tent"}'
  suite "client-check backlog (legacy SSE)" check http://127.0.0.1:18901/backlog/sse --sse --call backlog_list '{}'
else
  echo "SKIPPED: the shared conformance and client-check suites ($SHARED/tools not found)"
fi

if [[ -x $SHARED/tools/conformance/run.sh ]]; then
  doctor() { # doctor URL: a built-in app must get a clean report
    "$BIN" doctor "$1"
  }
  for app in greeter conformance bench shop-auth shop-search shop-checkout shop-membership backlog; do
    suite "skyport doctor $app" doctor "http://127.0.0.1:18901/$app/mcp"
  done
fi

scaffold() { # an app from `skyport new` builds and passes its tests, as generated
  local dir; dir=$(mktemp -d)
  "$BIN" new demo-app --dir "$dir" --skyport-path "$ROOT/crates/skyport" || return 1
  # The workspace's lock and target dir: the same dependency versions, already built.
  cp "$ROOT/Cargo.lock" "$dir/demo-app/"
  (cd "$dir/demo-app" && export CARGO_TARGET_DIR=$ROOT/target \
    && cargo fmt --check && cargo clippy -q --all-targets -- -D warnings && cargo test -q 2>&1) || return 1
  rm -rf "$dir"
}
suite "skyport new: the generated app is fmt/clippy clean and passes its tests" scaffold

browser() {
  (cd tests/browser && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } \
    && TEST_SKYPORT_BIN=$BIN node --test --test-concurrency=1 ./*.test.mjs)
}
if [[ -x /usr/bin/chromium ]]; then
  suite "browser tests (chromium)" browser
else
  echo "SKIPPED: browser tests (/usr/bin/chromium is not installed: apt-get install chromium)"
fi

echo
if ((failed > 0)); then
  echo "failed suites: ${failures[*]}"
fi
echo "suites: $passed passed, $failed failed"
((failed == 0))
