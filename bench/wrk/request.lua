-- wrk script for every benchmark target: the request comes from the environment and each
-- response is counted as filled when it is a 200 containing $WRK_FILL_MARKER (when set).
--   WRK_METHOD (GET), WRK_BODY (sent with Content-Type: application/json), WRK_FILL_MARKER
--   WRK_RATE_PER_CONN: when set, each connection waits an exponentially distributed time (mean
--   1/rate s) before each request, so all connections together offer Poisson arrivals at
--   connections x rate per second (many independent players) instead of a closed loop.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local marker = os.getenv("WRK_FILL_MARKER")
if marker == "" then marker = nil end

local rate = tonumber(os.getenv("WRK_RATE_PER_CONN") or "")
if rate and rate > 0 then
  function delay()
    return -math.log(1 - math.random()) * 1000 / rate
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  filled = 0
  unfilled = 0
end

function response(status, headers, body)
  if status == 200 and (marker == nil or string.find(body, marker, 1, true)) then
    filled = filled + 1
  else
    unfilled = unfilled + 1
  end
end

function done(summary, latency, requests)
  local f, u = 0, 0
  for _, thread in ipairs(threads) do
    f = f + thread:get("filled")
    u = u + thread:get("unfilled")
  end
  io.write(string.format("FILL %d %d\n", f, u))
end
