-- wrk script for the beacon benchmark: each request fires the next signed beacon path from the
-- file named by $WRK_URLS (one path per line); thread i of n takes every n-th line from line i.
local paths = {}
local index = 0
local step = 1
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("WRK_URLS")) do
    paths[#paths + 1] = line
  end
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  index = offset
  accepted = 0
  refused = 0
end

function request()
  local path = paths[index]
  index = index + step
  if index > #paths then index = offset end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 200 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    r = r + thread:get("refused")
  end
  io.write(string.format("BEACONS accepted=%d refused=%d\n", a, r))
end
