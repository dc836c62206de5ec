package dev.homeport.frontdoor.routing;

/** What the front-door does with one request. */
public sealed interface Decision {

  /** Why a request is served where it is; sent back in {@code X-Homeport-Served}. */
  enum Reason {
    /** Served by this region: it is the key's home, or the route is local. */
    LOCAL,
    /** A safe read of a home-reads-local route, served here though the home is elsewhere. */
    LOCAL_READ,
    /** Sent to the key's home region. */
    PROXIED,
    /** Sent to the region serving the key's failed-over home. */
    FAILOVER,
    /** Served here because this region serves the key's failed-over home. */
    FAILOVER_LOCAL,
    /**
     * Proxied a second time: the region that proxied it here routed by an older table, and this
     * region's newer one names another server. Seen only in this region's metrics and logs; the
     * entry front-door's reason is the one the client reads.
     */
    REROUTED;

    public String header() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** Serve through this region's backend. */
  record Local(Reason reason) implements Decision {}

  /** Proxy to another region's front-door; only regions of the routing table are ever named. */
  record Proxy(String region, String url, Reason reason) implements Decision {}

  /**
   * Refuse with {@code status}; {@code retryAfterSeconds} > 0 adds Retry-After (the condition is
   * expected to pass: a fence, a lease, a failover in progress).
   */
  record Refuse(int status, String outcome, String message, int retryAfterSeconds)
      implements Decision {}
}
