package dev.homeport.operator.failover;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of one step, for the caller to execute.
 *
 * @param next the state to persist and feed into the next step
 * @param leaseHolders regions whose lease the caller must keep renewing (every leaseDuration/3);
 *     every other region's lease must not be renewed
 * @param publish the routing table changed (the epoch was bumped) and must be published
 * @param transitions the changes made, in the order they were made
 * @param refusals actions the rules held back
 * @param drillEvents what happened to drills, in order
 */
public record Step(
    TopologyState next,
    Set<String> leaseHolders,
    boolean publish,
    List<Transition> transitions,
    List<Refusal> refusals,
    List<DrillEvent> drillEvents) {

  public Step {
    Objects.requireNonNull(next, "next");
    leaseHolders =
        Collections.unmodifiableSet(
            new LinkedHashSet<>(Objects.requireNonNull(leaseHolders, "leaseHolders")));
    transitions = List.copyOf(Objects.requireNonNull(transitions, "transitions"));
    refusals = List.copyOf(Objects.requireNonNull(refusals, "refusals"));
    drillEvents = List.copyOf(Objects.requireNonNull(drillEvents, "drillEvents"));
  }
}
