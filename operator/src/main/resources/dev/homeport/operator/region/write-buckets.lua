-- Writes bucket entries and announces each changed bucket, atomically per region.
-- KEYS[1]: the bucket entries hash. ARGV[1]: the channel; then pairs of ARGV: a bucket number and
-- its entry's JSON, or '' to delete it (the bucket goes back to the routing table's placement).
local count = (#ARGV - 1) / 2
for i = 1, count do
  local bucket = ARGV[2 * i]
  local json = ARGV[2 * i + 1]
  if json == '' then
    redis.call('HDEL', KEYS[1], bucket)
  else
    redis.call('HSET', KEYS[1], bucket, json)
  end
end
for i = 1, count do
  redis.call('PUBLISH', ARGV[1], ARGV[2 * i])
end
return count
