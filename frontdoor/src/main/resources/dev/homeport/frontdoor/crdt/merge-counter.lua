-- Merges a PN-counter state into the counter hash KEYS[1]: every slot takes the larger count.
-- ARGV holds slot/count pairs: <region>:p|n, decimal count. Counts are compared as decimal strings
-- (longer is larger, then lexically), which is exact for every 64-bit count, where Lua's doubles
-- would round above 2^53. Idempotent, commutative and associative, so deltas may arrive in any
-- order and any number of times. Returns the number of slots raised.
local raised = 0
for i = 1, #ARGV, 2 do
  local slot = ARGV[i]
  local incoming = ARGV[i + 1]
  local current = redis.call('HGET', KEYS[1], slot)
  if (not current) or #incoming > #current or (#incoming == #current and incoming > current) then
    redis.call('HSET', KEYS[1], slot, incoming)
    raised = raised + 1
  end
end
return raised
