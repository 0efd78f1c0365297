-- wrk script: GET /api/v1/articles/{id} for ids drawn uniformly from [ARTICLE_LO, ARTICLE_HI].
local lo = tonumber(os.getenv("ARTICLE_LO") or "1")
local hi = tonumber(os.getenv("ARTICLE_HI") or "1")
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end
request = function()
  return wrk.format("GET", "/api/v1/articles/" .. math.random(lo, hi))
end
