-- wrk script: one stateless `tools/call` of the bench app's search_products,
-- for quick A/B runs of two builds on one machine (scripts/bench.sh runs the
-- full peer comparison):
--   taskset -c 0 skyport serve --apps bench --stateless --listen 127.0.0.1:19001 &
--   taskset -c 1 wrk -t1 -c16 -d10s -s scripts/wrk-tools-call.lua http://127.0.0.1:19001/mcp
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_products","arguments":{"query":"a","limit":10}}}'
