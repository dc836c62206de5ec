-- Copies directory entries into the Redis of a joining region, never over a newer entry: a key's
-- entry is written only where the region holds none or one of a lower epoch, and each key written is
-- announced. A move that writes the key meanwhile wins either way, since its epoch is higher.
-- KEYS: the directory keys. ARGV[1]: the channel; ARGV[1 + i]: the routing key of KEYS[i];
-- ARGV[1 + #KEYS + i]: the entry's JSON for KEYS[i]. Returns how many entries were written.
local count = #KEYS
local written = 0
for i = 1, count do
  local json = ARGV[1 + count + i]
  local current = redis.call('GET', KEYS[i])
  if not current
      or tonumber(cjson.decode(current)['epoch'] or 0) < tonumber(cjson.decode(json)['epoch'] or 0)
  then
    redis.call('SET', KEYS[i], json)
    redis.call('PUBLISH', ARGV[1], ARGV[1 + i])
    written = written + 1
  end
end
return written
