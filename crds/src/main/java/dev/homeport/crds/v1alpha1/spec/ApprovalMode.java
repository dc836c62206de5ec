package dev.homeport.crds.v1alpha1.spec;

/** Whether the operator acts by itself or waits for a person's approval. */
public enum ApprovalMode {
  /** The operator acts as soon as the rules allow. */
  Automatic,
  /** The operator reports what it would do and waits for an explicit approval. */
  Manual
}
