package dev.homeport.crds.v1alpha1.spec;

/** The state a user asks for a region; the operator derives the phase from it and from health. */
public enum RegionState {
  /** The region serves the keys homed in it. */
  Active,
  /** The region is being emptied (planned removal); no new keys are homed in it. */
  Draining
}
