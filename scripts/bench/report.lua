-- The RESULT line the bench scripts read: req/s and latency percentiles.
-- Loaded by the other scripts here with dofile (wrk runs from the repo root).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT req/s=%.0f p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms errors=%d\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
