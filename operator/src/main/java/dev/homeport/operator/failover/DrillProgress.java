package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.DrillResult;
import java.util.Objects;

/**
 * What the caller found out about the running drill since the previous step, by the I/O the machine
 * does not do: the replication probe, the synthetic requests, abort thresholds and annotations.
 *
 * @param stop set to end the drill early: the result it ends with ({@code Aborted} or {@code
 *     Failed}) and why; before the flip the region simply gets its lease back, after it the region
 *     fails back at once
 * @param caughtUp in {@code CatchingUp}: the peer has applied the region's writes up to the
 *     position read after its lease ran out (always true when the region has no replication probe)
 * @param verified in {@code Verifying}: every synthetic request was served by the peer; in {@code
 *     VerifyingBack}: by the region itself
 */
public record DrillProgress(Stop stop, boolean caughtUp, boolean verified) {

  /** Nothing new. */
  public static final DrillProgress NONE = new DrillProgress(null, false, false);

  /** A request to end the running drill early. */
  public record Stop(DrillResult result, String reason) {
    public Stop {
      Objects.requireNonNull(result, "result");
      if (result != DrillResult.Aborted && result != DrillResult.Failed) {
        throw new IllegalArgumentException(
            String.format("a drill is stopped as Aborted or Failed, not %s", result));
      }
      Objects.requireNonNull(reason, "reason");
    }
  }
}
