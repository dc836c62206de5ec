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
  RolledBack;

  /** Whether the move is over, one way or the other: Completed, Failed or RolledBack. */
  public boolean finished() {
    return this == Completed || this == Failed || this == RolledBack;
  }
}
