package dev.homeport.crds.v1alpha1.spec;

/** HTTP methods a drill's synthetic requests may use. */
public enum SyntheticMethod {
  GET,
  HEAD,
  POST,
  PUT
}
