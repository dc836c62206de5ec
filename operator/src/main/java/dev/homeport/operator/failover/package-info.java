/**
 * The failover state machine: a pure function from (persisted {@link
 * dev.homeport.operator.failover.TopologyState}, one {@link
 * dev.homeport.operator.failover.Observation}) to a {@link dev.homeport.operator.failover.Step}.
 *
 * <p>No I/O and no clock: the caller probes regions, writes leases, reads approvals and the time,
 * feeds them in, and executes what the step says (renew the leases of {@code leaseHolders}, publish
 * the routing table when {@code publish}, persist {@code next} in the CR status, record transitions
 * and refusals as Events). {@link dev.homeport.operator.failover.FailoverMachine} is the single
 * decider.
 *
 * <p>The safety invariant everything else bends around: a peer is made {@code servedBy} for a
 * region only once the region's last successful lease write + {@code leaseDuration} + {@code
 * skewMargin} has passed, so the old home has fenced itself before anyone else takes its keys.
 */
package dev.homeport.operator.failover;
