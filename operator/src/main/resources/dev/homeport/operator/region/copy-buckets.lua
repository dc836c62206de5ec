-- Copies bucket entries into the Redis of a joining region, never over a newer entry: a bucket's
-- entry is written only where the region holds none or one of a lower epoch, and each bucket
-- written is announced. KEYS[1]: the bucket entries hash. ARGV[1]: the channel; then pairs of ARGV:
-- a bucket number and its entry's JSON. Returns how many entries were written.
local count = (#ARGV - 1) / 2
local written = 0
for i = 1, count do
  local bucket = ARGV[2 * i]
  local json = ARGV[2 * i + 1]
  local current = redis.call('HGET', KEYS[1], bucket)
  if not current
      or tonumber(cjson.decode(current)['epoch'] or 0) < tonumber(cjson.decode(json)['epoch'] or 0)
  then
    redis.call('HSET', KEYS[1], bucket, json)
    redis.call('PUBLISH', ARGV[1], bucket)
    written = written + 1
  end
end
return written
