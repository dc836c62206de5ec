-- Writes directory entries and announces each changed routing key, atomically per region.
-- KEYS: the directory keys. ARGV[1]: the channel; ARGV[1 + i]: the routing key of KEYS[i];
-- ARGV[1 + #KEYS + i]: the entry's JSON for KEYS[i], or '' to delete it.
local count = #KEYS
for i = 1, count do
  local json = ARGV[1 + count + i]
  if json == '' then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], json)
  end
end
for i = 1, count do
  redis.call('PUBLISH', ARGV[1], ARGV[1 + i])
end
return count
