package dev.homeport.frontdoor.config;

/** How a route resolves concurrent writes across regions: its row of the conflict matrix. */
public enum RoutePolicy {
  /** Sticky: served only by the key's home region (or its servedBy region while failed over). */
  HOME("home", false, false, false, true),
  /** Writes go to the home; safe reads are served locally with a staleness header. */
  HOME_READS_LOCAL("home-reads-local", false, false, true, true),
  /** Any region serves it: the data is CRDT- or LWW-shaped and merges. */
  LOCAL("local", true, true, true, false);

  private final String wire;
  private final boolean keepsConcurrentWrites;
  private final boolean toleratesClockSkew;
  private final boolean survivesPartition;
  private final boolean crossRegionRttOnWrites;

  RoutePolicy(
      String wire,
      boolean keepsConcurrentWrites,
      boolean toleratesClockSkew,
      boolean survivesPartition,
      boolean crossRegionRttOnWrites) {
    this.wire = wire;
    this.keepsConcurrentWrites = keepsConcurrentWrites;
    this.toleratesClockSkew = toleratesClockSkew;
    this.survivesPartition = survivesPartition;
    this.crossRegionRttOnWrites = crossRegionRttOnWrites;
  }

  /** The name used in configuration files. */
  public String wire() {
    return wire;
  }

  /** Whether two regions' concurrent writes are both kept (true only for mergeable data). */
  public boolean keepsConcurrentWrites() {
    return keepsConcurrentWrites;
  }

  /** Whether correctness survives clock skew between regions. */
  public boolean toleratesClockSkew() {
    return toleratesClockSkew;
  }

  /** Whether a partitioned region keeps serving (some of) the route. */
  public boolean survivesPartition() {
    return survivesPartition;
  }

  /** Whether writes from a non-home region pay a cross-region round trip. */
  public boolean crossRegionRttOnWrites() {
    return crossRegionRttOnWrites;
  }

  static RoutePolicy fromWire(String value) {
    for (RoutePolicy policy : values()) {
      if (policy.wire.equals(value)) {
        return policy;
      }
    }
    return null;
  }
}
