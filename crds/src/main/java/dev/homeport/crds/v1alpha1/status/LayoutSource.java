package dev.homeport.crds.v1alpha1.status;

/** Where the operator took a topology's bucket layout from when it fixed it. */
public enum LayoutSource {
  /** Computed from spec.placement over spec.regions as they were at the first reconcile. */
  Placement,
  /**
   * Taken from the bucket map of the routing table with the highest epoch in the regions' Redis:
   * the status had no layout (lost or restored object), but the regions were already routed.
   */
  RoutingTable
}
