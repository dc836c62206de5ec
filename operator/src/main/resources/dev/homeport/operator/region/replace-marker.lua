-- Replaces the directory marker only where Redis still holds the value expected ('' for none):
-- a Redis that lost its data while the directory was copied back no longer holds 'restoring ...',
-- and must not be marked as holding a directory it does not hold.
-- KEYS[1]: the marker. ARGV[1]: the value expected, or ''; ARGV[2]: the new value.
-- Returns 1 when it was replaced, 0 when Redis held something else.
local current = redis.call('GET', KEYS[1])
if (not current and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
