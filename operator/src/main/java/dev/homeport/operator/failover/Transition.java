package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.RegionPhase;

/**
 * One change the machine made to a region's phase or {@code servedBy}; worth an Event and a status
 * history entry.
 *
 * @param region the region that changed
 * @param from its phase before
 * @param to its phase after (equal to {@code from} when only {@code servedBy} changed)
 * @param servedBy the region serving its keys afterwards; null when none
 * @param reason CamelCase reason, e.g. {@code ProbesFailing}, {@code FailedOver}
 * @param message what happened and why, naming regions, counts and times
 */
public record Transition(
    String region,
    RegionPhase from,
    RegionPhase to,
    String servedBy,
    String reason,
    String message) {}
