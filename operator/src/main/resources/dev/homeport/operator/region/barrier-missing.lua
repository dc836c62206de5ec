-- The live front-door instances that have not yet acknowledged a directory barrier. An instance is
-- live while its heartbeat is at most ARGV[1] milliseconds old by Redis's own clock (the clock the
-- instances stamp their heartbeats with). KEYS[1]: the instances hash; KEYS[2]: the barrier's
-- acknowledgements, kept ARGV[2] more milliseconds.
local now = redis.call('TIME')
local since = now[1] * 1000 + math.floor(now[2] / 1000) - tonumber(ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local missing = {}
for i = 1, #all, 2 do
  local beat = tonumber(all[i + 1])
  if beat and beat >= since and redis.call('HEXISTS', KEYS[2], all[i]) == 0 then
    table.insert(missing, all[i])
  end
end
return missing
