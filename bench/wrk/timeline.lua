-- wrk script: GET the path in TIMELINE_PATH (default /api/v1/me/timeline) as a reader drawn at
-- random from the session tokens in TOKENS_FILE (one per line).
local path = os.getenv("TIMELINE_PATH") or "/api/v1/me/timeline"
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end
request = function()
  local t = tokens[math.random(1, #tokens)]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. t })
end
