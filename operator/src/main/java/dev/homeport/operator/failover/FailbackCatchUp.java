package dev.homeport.operator.failover;

import java.time.Instant;
import java.util.Objects;

/**
 * What the caller found out, by the replication probe the machine does not read, about a
 * failed-over region's catch-up with the peer serving its keys: whether the region's application
 * has applied the writes the peer took for it. A failback moves the keys back only once it has (or
 * once a person said not to wait), so that the region does not serve stale reads of them or take
 * writes on top of them.
 *
 * @param peer the peer measured against; a reading for another peer than the region's {@code
 *     servedBy} counts as none
 * @param status what was found
 * @param since when the wait started: when the peer's position it waits for was read; null for
 *     {@link Status#UNPROBED}
 * @param detail for people: the figures (applied, position, lag), why there is no probe, or why the
 *     wait was skipped
 */
public record FailbackCatchUp(String peer, Status status, Instant since, String detail) {

  /** What the caller found. */
  public enum Status {
    /** The region or its peer has no replication probe: the failback cannot wait for it. */
    UNPROBED,
    /** The region's application has not yet applied the peer's writes up to the position. */
    WAITING,
    /** The region's application has applied the peer's writes up to the position. */
    CAUGHT_UP,
    /** A person asked to fail back without waiting for catch-up. */
    SKIPPED
  }

  public FailbackCatchUp {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    if (since == null && (status == Status.WAITING || status == Status.CAUGHT_UP)) {
      throw new IllegalArgumentException(
          String.format("a %s catch-up reading against %s needs since", status, peer));
    }
  }

  /** Whether the failback may go ahead by this reading. */
  public boolean allowsFailback() {
    return status != Status.WAITING;
  }
}
