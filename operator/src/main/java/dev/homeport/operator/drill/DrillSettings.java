package dev.homeport.operator.drill;

import dev.homeport.contract.Durations;
import dev.homeport.crds.v1alpha1.spec.AbortIf;
import dev.homeport.crds.v1alpha1.spec.DrillPolicy;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.spec.SyntheticMethod;
import dev.homeport.crds.v1alpha1.spec.SyntheticRequests;
import java.time.Duration;
import java.util.List;

/**
 * {@code spec.drillPolicy}, read once per reconcile with the CRD's defaults applied.
 *
 * @param blockedWindows times when no drill may start
 * @param errorRate the share of failed synthetic requests that aborts a drill; null: none does
 * @param p99Latency the p99 latency of synthetic requests that aborts a drill; null: none does
 * @param synthetic how synthetic requests are sent
 * @param phaseTimeout longest catch-up or verification before the drill gives up
 */
public record DrillSettings(
    List<BlockedWindows.Window> blockedWindows,
    Double errorRate,
    Duration p99Latency,
    Synthetic synthetic,
    Duration phaseTimeout) {

  /** Defaults of {@code spec.drillPolicy}, as the CRD writes them. */
  public static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofMinutes(2);

  /** Default of {@code spec.drill.holdFor}. */
  public static final Duration DEFAULT_HOLD = Duration.ofMinutes(10);

  /**
   * How synthetic requests are sent.
   *
   * @param path requested on every front-door's public URL
   * @param method the HTTP method
   * @param keyHeader the header carrying the routing key
   * @param keys how many keys homed in the drilled region each round requests
   */
  public record Synthetic(String path, String method, String keyHeader, int keys) {}

  public DrillSettings {
    blockedWindows = List.copyOf(blockedWindows);
  }

  /**
   * Reads {@code spec.drillPolicy}.
   *
   * @throws IllegalArgumentException naming the field, the value and what to write instead
   */
  public static DrillSettings of(DrillPolicy policy) {
    DrillPolicy drills = policy == null ? new DrillPolicy() : policy;
    List<BlockedWindows.Window> windows = BlockedWindows.of(drills.getBlockedWindows());
    AbortIf abortIf = drills.getAbortIf() == null ? new AbortIf() : drills.getAbortIf();
    Double errorRate = null;
    if (abortIf.getErrorRate() != null) {
      try {
        errorRate = Double.valueOf(abortIf.getErrorRate());
      } catch (NumberFormatException e) {
        errorRate = Double.NaN;
      }
      if (errorRate.isNaN() || errorRate < 0 || errorRate > 1) {
        throw new IllegalArgumentException(
            String.format(
                "spec.drillPolicy.abortIf.errorRate: \"%s\" is not a fraction between 0 and 1;"
                    + " write 0.05 for 5 %%",
                abortIf.getErrorRate()));
      }
    }
    Duration p99 =
        abortIf.getP99Latency() == null
            ? null
            : duration("spec.drillPolicy.abortIf.p99Latency", abortIf.getP99Latency());
    SyntheticRequests synthetic =
        drills.getSynthetic() == null ? new SyntheticRequests() : drills.getSynthetic();
    String path = synthetic.getPath() == null ? "/orders" : synthetic.getPath();
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException(
          String.format(
              "spec.drillPolicy.synthetic.path: \"%s\" is not an absolute URL path such as"
                  + " /orders",
              path));
    }
    String keyHeader = synthetic.getKeyHeader() == null ? "X-User-Id" : synthetic.getKeyHeader();
    if (!keyHeader.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new IllegalArgumentException(
          String.format(
              "spec.drillPolicy.synthetic.keyHeader: \"%s\" is not a header name such as"
                  + " X-User-Id",
              keyHeader));
    }
    int keys = synthetic.getKeys() == null ? 10 : synthetic.getKeys();
    if (keys < 1 || keys > 1000) {
      throw new IllegalArgumentException(
          String.format("spec.drillPolicy.synthetic.keys: %d is not between 1 and 1000", keys));
    }
    SyntheticMethod method =
        synthetic.getMethod() == null ? SyntheticMethod.GET : synthetic.getMethod();
    Duration phaseTimeout =
        drills.getPhaseTimeout() == null
            ? DEFAULT_PHASE_TIMEOUT
            : duration("spec.drillPolicy.phaseTimeout", drills.getPhaseTimeout());
    if (phaseTimeout.isZero()) {
      throw new IllegalArgumentException(
          "spec.drillPolicy.phaseTimeout: 0s leaves no time to catch up or verify; use e.g. 2m");
    }
    return new DrillSettings(
        windows, errorRate, p99, new Synthetic(path, method.name(), keyHeader, keys), phaseTimeout);
  }

  /**
   * Reads {@code spec.drill.holdFor}.
   *
   * @throws IllegalArgumentException naming the field
   */
  public static Duration holdFor(DrillSpec drill) {
    return drill.getHoldFor() == null
        ? DEFAULT_HOLD
        : duration("spec.drill.holdFor", drill.getHoldFor());
  }

  static Duration duration(String field, String text) {
    Duration parsed = Durations.parse(text);
    if (parsed == null) {
      throw new IllegalArgumentException(
          String.format("%s: \"%s\" is not a duration such as 2s or 10m", field, text));
    }
    return parsed;
  }
}
