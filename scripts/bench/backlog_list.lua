-- wrk script: tools/call backlog_list on a stateless MCP endpoint. LIST_ARGS
-- names one of the argument sets below (default: "page", the first page
-- of the whole backlog); "mix" cycles through all of them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

local sets = {
  page = '{}',
  status = '{"status":["open","blocked"]}',
  sprint = '{"sprint":"S3","sort":"priority"}',
  text = '{"text":"needle"}',
  deep = '{"sort":"created","offset":9980}',
  big = '{"limit":100}',
}
local order = { "page", "status", "sprint", "text", "deep", "big" }
local bodies = {}
local which = os.getenv("LIST_ARGS") or "page"
local chosen = which == "mix" and order or { which }
for i, name in ipairs(chosen) do
  bodies[i] = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"backlog_list","arguments":' .. sets[name] .. '}}'
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end

response = function(status, headers, body)
  if status ~= 200 or not body:find('"isError":false', 1, true) then
    wrk.thread:stop()
    io.stderr:write("unexpected answer: " .. status .. " " .. body:sub(1, 300) .. "\n")
  end
end

dofile("scripts/bench/report.lua")
