package dev.homeport.crds.v1alpha1.status;

/** The steps of the re-homing protocol. */
public enum HomeAssignmentPhase {
  Pending,
  Validating,
  Fencing,
  Draining,
  Switching,
  Completed,
  Failed,
  RolledBack
}
