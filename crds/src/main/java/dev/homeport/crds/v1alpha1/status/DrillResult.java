package dev.homeport.crds.v1alpha1.status;

/** How a drill ended, or that it is still running. */
public enum DrillResult {
  Running,
  Succeeded,
  Aborted,
  Refused,
  Failed
}
