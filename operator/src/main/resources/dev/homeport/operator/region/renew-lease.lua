-- Renews a region's write lease only while its Redis still holds the directory marker as 'held ...'.
-- A Redis that came back empty or was flushed since the operator last read the marker gets no
-- lease: its front-door would otherwise take writes for keys it no longer knows were moved away.
-- KEYS[1]: the lease; KEYS[2]: the directory marker. ARGV[1]: the lease document.
-- Returns 1 when the lease was written, 0 when the marker is missing or not 'held'.
local marker = redis.call('GET', KEYS[2])
if marker and string.sub(marker, 1, 5) == 'held ' then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
