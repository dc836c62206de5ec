-- Records an oversell of the bounded counter KEYS[1] once: when its merged value is below the floor
-- by more than already reported (KEYS[2]), appends a compensation event for the difference to the
-- stream KEYS[3]; once the value is back at or above the floor the reported amount resets.
-- ARGV: floor, counter name, this region, now (Unix ms), stream length cap.
-- Atomic, so front-door replicas of one region never record the same oversell twice.
-- Returns the amount newly reported (0 when none).
local fields = redis.call('HGETALL', KEYS[1])
local value = 0
local vector = {}
for i = 1, #fields, 2 do
  vector[fields[i]] = tonumber(fields[i + 1])
  if string.sub(fields[i], -2) == ':p' then
    value = value + tonumber(fields[i + 1])
  else
    value = value - tonumber(fields[i + 1])
  end
end
local oversold = tonumber(ARGV[1]) - value
if oversold <= 0 then
  redis.call('DEL', KEYS[2])
  return 0
end
local reported = tonumber(redis.call('GET', KEYS[2]) or '0')
if oversold <= reported then
  return 0
end
redis.call('SET', KEYS[2], string.format('%d', oversold))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*',
  'counter', ARGV[2],
  'compensate', string.format('%d', oversold - reported),
  'oversold', string.format('%d', oversold),
  'value', string.format('%d', value),
  'floor', ARGV[1],
  'detectedBy', ARGV[3],
  'detectedAt', ARGV[4],
  'vector', cjson.encode(vector))
return oversold - reported
