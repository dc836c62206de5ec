-- Prints one line the benchmark runner parses (WrkResult): wrk's own summary shows p50..p99
-- only, and p99.9 is one of the figures the report needs. Latencies are in microseconds.
done = function(summary, latency, requests)
  io.write(string.format(
    "homeport-wrk requests=%d duration_us=%d connect_errors=%d read_errors=%d"
      .. " write_errors=%d status_errors=%d timeouts=%d"
      .. " p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
