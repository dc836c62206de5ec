package dev.homeport.crds.v1alpha1.spec;

/** How the operator and front-door talk to a region's Redis. */
public enum RedisMode {
  /** One node, or a Sentinel-managed primary when the URI scheme is {@code redis-sentinel}. */
  Standalone,
  /** A Redis Cluster; the URI names a seed node. */
  Cluster
}
