-- The front-door instances whose heartbeat is at most ARGV[1] milliseconds old, by Redis's own
-- clock (the clock the instances stamp their heartbeats with). KEYS[1]: the instances hash.
local now = redis.call('TIME')
local since = now[1] * 1000 + math.floor(now[2] / 1000) - tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local beat = tonumber(all[i + 1])
  if beat and beat >= since then
    table.insert(live, all[i])
  end
end
return live
