-- wrk script: tools/call search_products on a stateless MCP endpoint, cycling
-- through a fixed mix of realistic shop queries (one word, two words, typos,
-- filters, sorts, browsing). TOOL_ARGS=bench sends the peer benchmark's
-- fixed request ({query:"a", limit:10}) instead, for the bench app.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

local shop = {
  '{"query":"fitness tracker"}',
  '{"query":"coffee"}',
  '{"query":"wireless headphones","sort":"rating"}',
  '{"query":"fitnes trakcer"}',
  '{"query":"blender","max_price_cents":10000}',
  '{"query":"tent","min_rating":4.5}',
  '{"query":"","category":"kitchen","sort":"price_low_to_high"}',
  '{"query":"lamp","page":2}',
  '{"query":"yoga mat","sort":"reviews"}',
  '{"query":"kids toy","page_size":24}',
}
local bodies = {}
if os.getenv("TOOL_ARGS") == "bench" then
  bodies[1] = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_products","arguments":{"query":"a","limit":10}}}'
else
  for i, args in ipairs(shop) do
    bodies[i] = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_products","arguments":' .. args .. '}}'
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end

dofile("scripts/bench/report.lua")
