package dev.homeport.frontdoor.config;

import java.time.Duration;
import java.util.List;

/**
 * How the front-door keeps CRDT counters and registers and replicates them to the other regions.
 *
 * @param flushInterval longest time an accepted increment waits in memory before its batch is
 *     written to Redis (and the caller answered)
 * @param replicationInterval how often changed counters and registers are shipped to each peer
 * @param heartbeat longest time between two shipments to a peer, empty ones included, so that the
 *     peer can tell "nothing changed" from "cut off"
 * @param antiEntropyInterval how often every counter and register is shipped to every peer in full,
 *     besides at start and whenever a peer comes back
 * @param batchMax most counters and registers in one shipment
 * @param maxSkew how far ahead of this region's clock a replicated register write may be stamped
 * @param bounded counters with a floor
 * @param apiToken bearer token required on the public counter and register API; null: open
 */
public record CrdtSettings(
    Duration flushInterval,
    Duration replicationInterval,
    Duration heartbeat,
    Duration antiEntropyInterval,
    int batchMax,
    Duration maxSkew,
    List<BoundedCounter> bounded,
    String apiToken) {

  /** The bounded-counter declaration covering {@code counter}, or null. */
  public BoundedCounter boundFor(String counter) {
    for (BoundedCounter bound : bounded) {
      if (bound.covers(counter)) {
        return bound;
      }
    }
    return null;
  }
}
