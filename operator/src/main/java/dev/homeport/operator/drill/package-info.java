/**
 * Planned failover drills, the I/O half: the {@link dev.homeport.operator.failover.FailoverMachine}
 * decides every phase change of a drill; this package reads {@code spec.drillPolicy}, refuses
 * drills in blocked windows, sends the synthetic requests that verify a drill through every
 * front-door, reads the replication probe, evaluates the abort thresholds, and keeps the report:
 * {@code status.drills[]}, Kubernetes Events and metrics.
 */
package dev.homeport.operator.drill;
