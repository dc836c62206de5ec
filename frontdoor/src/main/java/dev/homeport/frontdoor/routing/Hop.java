package dev.homeport.frontdoor.routing;

import java.util.Objects;

/**
 * How a request that another region's front-door proxied here arrived: which region sent it, the
 * routing epoch that region decided by, and how many front-doors have proxied it so far. Read only
 * from a hop authenticated with the internal secret.
 *
 * @param from the region whose front-door proxied the request here
 * @param epoch the epoch of the routing table {@code from} decided by; {@link #UNKNOWN_EPOCH} when
 *     the request does not say (a front-door that predates the header)
 * @param count how many front-doors have proxied the request, the one that sent it here included
 */
public record Hop(String from, long epoch, int count) {

  /** The epoch of a hop whose sender did not say which table it routed by. */
  public static final long UNKNOWN_EPOCH = -1;

  public Hop {
    Objects.requireNonNull(from, "from");
    if (count < 1) {
      throw new IllegalArgumentException("a hop counts at least 1 front-door, not " + count);
    }
  }
}
