-- wrk script for bench/load.sh: every request is GET /feed/<random user id in [0, users)>, users given after
-- `--` on the wrk command line. done() prints one machine-readable line that load.sh parses (wrk's own summary
-- has no p99.9 and rounds its units).
local users = 1

function init(args)
  users = tonumber(args[1]) or 1
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/feed/" .. math.random(0, users - 1))
end

function done(summary, latency, requests)
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%d p99_us=%d p999_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
