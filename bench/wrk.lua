-- wrk's script for the bench (bench/load.py writes its arguments after `--`):
--   wrk -t1 -cN -dS -s bench/wrk.lua BASE_URL -- METHOD PATH [LINES KIND CONTENT_TYPE DELAY_MS]
-- Without LINES every request is the same one. KIND "cookie": each request sends the next line
-- of LINES as its Cookie header; "body": as its body, with CONTENT_TYPE. DELAY_MS > 0: each
-- connection waits that long before its next request (the paced probe).
-- done() prints one line, BENCHJSON {...} with latencies in µs: what bench/pyload.py prints.

local lines, next_line, kind, content_type = {}, 1, nil, nil

local function rotate()
  local line = lines[next_line]
  next_line = next_line % #lines + 1
  if kind == "cookie" then
    return wrk.format(nil, nil, { ["Cookie"] = line })
  end
  return wrk.format(nil, nil, { ["Content-Type"] = content_type }, line)
end

function init(args)
  wrk.method, wrk.path = args[1], args[2]
  if args[3] then
    kind, content_type = args[4], args[5]
    for line in io.lines(args[3]) do
      if #line > 0 then lines[#lines + 1] = line end
    end
    if #lines == 0 then error("wrk.lua: no line in " .. args[3]) end
    request = rotate -- wrk asks for each request only when request() exists
  end
  local delay_ms = tonumber(args[6] or "0")
  if delay_ms > 0 then
    delay = function() return delay_ms end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_status":%d,"err_timeout":%d,"lat_mean_us":%.1f,"lat_stdev_us":%.1f,' ..
    '"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency.mean, latency.stdev, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
