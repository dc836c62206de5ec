package dev.homeport.frontdoor.crdt;

/**
 * A last-writer-wins register for overwrite-shaped data (preferences): the value with the later
 * hybrid-logical-clock timestamp wins, the region breaking exact ties. Use it only where a route
 * declares last-writer-wins: concurrent writes lose all but one value by design.
 */
public record LwwRegister(String value, HlcTimestamp timestamp) {

  /** The register holding the later write; merge is commutative, associative and idempotent. */
  public LwwRegister merge(LwwRegister other) {
    if (other == null) {
      return this;
    }
    return other.timestamp.isAfter(timestamp) ? other : this;
  }
}
