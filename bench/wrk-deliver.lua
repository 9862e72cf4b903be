-- Sends pre-signed Whereby deliveries, one distinct event per request, in file order.
-- The file holds one delivery per line: "<Whereby-Signature value>\t<body>".
local requests = {}
local position = 0

function init(args)
  for line in io.lines(args[1]) do
    local tab = string.find(line, "\t", 1, true)
    local signature = string.sub(line, 1, tab - 1)
    local body = string.sub(line, tab + 1)
    requests[#requests + 1] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["Whereby-Signature"] = signature,
    }, body)
  end
end

function request()
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
