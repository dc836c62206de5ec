-- Adds to this region's slot of a bounded counter KEYS[1] unless a decrement would take the value
-- this region can see below the floor. ARGV: slot, amount (positive), floor, 1 for a decrement.
-- The check and the HINCRBY run as one step, so front-door replicas of one region never oversell
-- between them; only concurrent decrements in different regions can, and the merge reports that.
-- Values are summed as Lua numbers: exact up to 2^53, ample for stock and seats.
-- Returns 1 (applied) or 0 (refused), then the counter's hash as field/value pairs.
local fields = redis.call('HGETALL', KEYS[1])
local value = 0
for i = 1, #fields, 2 do
  if string.sub(fields[i], -2) == ':p' then
    value = value + tonumber(fields[i + 1])
  else
    value = value - tonumber(fields[i + 1])
  end
end
local amount = tonumber(ARGV[2])
if ARGV[4] == '1' and value - amount < tonumber(ARGV[3]) then
  table.insert(fields, 1, 0)
  return fields
end
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
local result = redis.call('HGETALL', KEYS[1])
table.insert(result, 1, 1)
return result
