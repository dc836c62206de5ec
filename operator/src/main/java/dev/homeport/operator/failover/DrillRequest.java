package dev.homeport.operator.failover;

import java.time.Duration;
import java.util.Objects;

/**
 * A drill someone asked for ({@code spec.drill}) that has no finished record yet. The machine
 * starts it if the pre-checks pass, refuses it otherwise, and ignores it while it runs.
 *
 * @param id the drill's identifier
 * @param region the region to fail over
 * @param holdFor how long the peer serves the region's keys once every synthetic request reaches it
 */
public record DrillRequest(String id, String region, Duration holdFor) {

  public DrillRequest {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("drill.id must not be blank");
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException(String.format("drill %s: region must not be blank", id));
    }
    Objects.requireNonNull(holdFor, "drill.holdFor");
    if (holdFor.isNegative()) {
      throw new IllegalArgumentException(
          String.format("drill %s: holdFor must not be negative, got %s", id, holdFor));
    }
  }
}
