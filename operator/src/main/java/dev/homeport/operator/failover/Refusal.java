package dev.homeport.operator.failover;

/**
 * Something the machine would have done but did not, and why; worth an Event.
 *
 * @param region the region concerned
 * @param reason CamelCase reason, e.g. {@code MinActiveRegions}, {@code NoEligiblePeer}
 * @param message what was refused, why, and what would unblock it
 * @param warning whether it is worth a Warning Event (true) or a Normal one: an expected wait that
 *     ends by itself, such as a failback waiting for replication catch-up
 */
public record Refusal(String region, String reason, String message, boolean warning) {

  /** A refusal worth a Warning Event. */
  public Refusal(String region, String reason, String message) {
    this(region, reason, message, true);
  }
}
