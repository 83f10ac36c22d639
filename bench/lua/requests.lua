-- wrk script: cycles through a list of requests and prints the results as one JSON line.
-- Arguments (after --): <requests file> <api key>. Each line of the requests file is
-- METHOD<TAB>PATH[<TAB>JSON BODY]; a body is sent as application/json.
local requests = {}
local next_index = 1

function init(args)
  local list, key = args[1], args[2]
  for line in io.lines(list) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      -- wrk.format does not merge wrk.headers into a table it is given.
      local headers = { ["Host"] = wrk.headers["Host"], ["CSIQ-APIKEY"] = key }
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
  end
  assert(#requests > 0, "no requests in " .. list)
  -- Threads start at different places in the list.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
  next_index = (math.random(1, #requests) - 1) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
