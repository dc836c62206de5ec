-- POST /v1/counters/http-<n>:increment over 100 counters, one increment per request.
wrk.method = "POST"
wrk.body = '{"delta": 1}'
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = (counter + 1) % 100
  return wrk.format(nil, "/v1/counters/http-" .. counter .. ":increment")
end
