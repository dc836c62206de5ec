package dev.homeport.crds.v1alpha1.status;

/** Where a region stands, as the operator sees it. */
public enum RegionPhase {
  /** Healthy, holding its write lease, serving its own keys. */
  Active,
  /** Probes are failing; not yet acted upon. */
  Suspect,
  /** Its lease is no longer renewed; its front-door refuses writes for its keys. */
  Fenced,
  /** Its keys are served by the region in servedBy. */
  FailedOver,
  /** Healthy again after a failover, waiting out stableFor or approval before failback. */
  Recovering,
  /** Being emptied before removal. */
  Draining
}
