package dev.homeport.crds.v1alpha1.status;

/** Where a drill stands; once it has ended, the last phase it reached. */
public enum DrillPhase {
  /** Checking that the region, its peer and the time allow a drill. */
  PreChecks,
  /** The region's lease is no longer renewed; waiting until it has run out with margin. */
  Fencing,
  /** The region is fenced; waiting until the peer has applied its writes up to the fence. */
  CatchingUp,
  /** The peer serves the region's keys; waiting until every synthetic request is served by it. */
  Verifying,
  /** The peer serves the region's keys for holdFor, under synthetic requests. */
  Holding,
  /** The peer has stopped serving the keys; the region gets its lease back. */
  FailingBack,
  /** The region serves its keys again; waiting until every synthetic request is served by it. */
  VerifyingBack
}
