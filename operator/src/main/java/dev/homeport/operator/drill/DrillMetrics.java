package dev.homeport.operator.drill;

import dev.homeport.crds.v1alpha1.status.DrillResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** The operator's drill meters, for the dashboard's drill panels. */
public final class DrillMetrics {

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<Double>> rto = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> running = new ConcurrentHashMap<>();

  public DrillMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A drill ended or was refused. */
  void ended(DrillResult result) {
    Counter.builder("homeport.operator.drills")
        .description("Drills by result: Succeeded, Aborted, Failed or Refused")
        .tag("result", result.name())
        .register(registry)
        .increment();
  }

  /** A drill's region is (1) or is no longer (0) under a drill. */
  void running(String region, boolean on) {
    running
        .computeIfAbsent(
            region,
            r -> {
              AtomicReference<Double> value = new AtomicReference<>(0.0);
              Gauge.builder("homeport.operator.drill.running", value, AtomicReference::get)
                  .description("1 while a drill fails the region over, else 0")
                  .tag("region", r)
                  .register(registry);
              return value;
            })
        .set(on ? 1.0 : 0.0);
  }

  /** A drill could not read the region's front-door metrics. */
  void frontDoorReadFailed(String region) {
    Counter.builder("homeport.operator.drill.frontdoor.reads.failed")
        .description("Reads of a region's front-door /metrics, for a drill's abortIf, that failed")
        .tag("region", region)
        .register(registry)
        .increment();
  }

  /** The RTO the last drill of the region measured. */
  void rto(String region, Duration measured) {
    rto.computeIfAbsent(
            region,
            r -> {
              AtomicReference<Double> value = new AtomicReference<>(0.0);
              Gauge.builder("homeport.operator.drill.rto.seconds", value, AtomicReference::get)
                  .description(
                      "RTO of the region's last drill: start until every synthetic request was"
                          + " served by the peer")
                  .tag("region", r)
                  .register(registry);
              return value;
            })
        .set(measured.toNanos() / 1e9);
  }
}
