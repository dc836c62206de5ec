package dev.homeport.operator.failover;

/**
 * Something the machine would have done but did not, and why; worth a warning Event.
 *
 * @param region the region concerned
 * @param reason CamelCase reason, e.g. {@code MinActiveRegions}, {@code NoEligiblePeer}
 * @param message what was refused, why, and what would unblock it
 */
public record Refusal(String region, String reason, String message) {}
