-- Merges a PN-counter state into the counter hash KEYS[1]: every slot takes the larger count.
-- ARGV[1] is the expiry (Unix milliseconds, 0 for none); then slot/count pairs: <region>:p|n,
-- decimal count. Counts are compared as decimal strings (longer is larger, then lexically), which is
-- exact for every 64-bit count, where Lua's doubles would round above 2^53. Idempotent, commutative
-- and associative, so deltas may arrive in any order and any number of times.
-- Returns the number of slots raised, then the merged hash as field/value pairs.
local raised = 0
for i = 2, #ARGV, 2 do
  local slot = ARGV[i]
  local incoming = ARGV[i + 1]
  local current = redis.call('HGET', KEYS[1], slot)
  if (not current) or #incoming > #current or (#incoming == #current and incoming > current) then
    redis.call('HSET', KEYS[1], slot, incoming)
    raised = raised + 1
  end
end
if ARGV[1] ~= '0' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
end
local result = redis.call('HGETALL', KEYS[1])
table.insert(result, 1, raised)
return result
