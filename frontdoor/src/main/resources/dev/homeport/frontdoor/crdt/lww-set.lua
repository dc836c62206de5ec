-- Writes a last-writer-wins register KEYS[1] if the write's hybrid-logical-clock timestamp is later
-- than the stored one: physical ms, then logical, then region name. ARGV: value, physical, logical,
-- region. Returns {1} when written, else {0, physical, logical, region, value} of the stored write,
-- so a local writer can advance its clock past it and stamp again.
local stored = redis.call('HMGET', KEYS[1], 'p', 'l', 'r', 'v')
if stored[1] then
  local sp, sl = tonumber(stored[1]), tonumber(stored[2])
  local p, l = tonumber(ARGV[2]), tonumber(ARGV[3])
  local later = p > sp or (p == sp and (l > sl or (l == sl and ARGV[4] > stored[3])))
  if not later then
    return {0, stored[1], stored[2], stored[3], stored[4]}
  end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'l', ARGV[3], 'r', ARGV[4])
return {1}
