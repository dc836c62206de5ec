-- Publishes a routing table only over an older one (compare-and-set on the epoch), then announces
-- it. KEYS[1] the table, KEYS[2] the channel; ARGV[1] the new epoch, ARGV[2] the table's JSON.
-- Returns the epoch Redis holds afterwards.
local current = redis.call('GET', KEYS[1])
if current then
  local epoch = cjson.decode(current)['epoch']
  if epoch and tonumber(epoch) >= tonumber(ARGV[1]) then
    return tonumber(epoch)
  end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[1])
return tonumber(ARGV[1])
