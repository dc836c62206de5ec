package dev.homeport.crds.v1alpha1.spec;

/** How the initial bucket → region map is laid out. */
public enum PlacementRule {
  /** Buckets split into equal contiguous ranges, one per region, in the order of spec.regions. */
  Contiguous,
  /** Contiguous ranges sized by each region's capacityWeight. */
  Weighted,
  /** The ranges listed in spec.placement.ranges; every bucket must be covered. */
  Explicit
}
