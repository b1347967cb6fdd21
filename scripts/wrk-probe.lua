-- wrk script: stateless `tools/call` of one probe tool (scripts/bench-store.sh).
-- TOOL selects it: counter_add (a store write), kv_get (a store read), or
-- search_products on the bench app (no store: the in-run reference).
local tool = os.getenv("TOOL") or "counter_add"
local args = {
  counter_add = '{"key":"bench","by":1}',
  kv_get = '{"key":"bench"}',
  search_products = '{"query":"a","limit":10}',
}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' .. tool .. '","arguments":' .. args[tool] .. '}}'
