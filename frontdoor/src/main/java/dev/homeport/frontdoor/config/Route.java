package dev.homeport.frontdoor.config;

import java.util.Set;

/**
 * A request path and how concurrent cross-region writes to it are resolved.
 *
 * @param name short name used in metrics, logs and the audit
 * @param pathPrefix requests whose path starts with this prefix (longest prefix wins)
 * @param policy home, home-reads-local or local; there is no implicit default
 * @param onHomeDown what to do when the key's home is fenced or down
 * @param rejectWithoutKey true: requests without a routing key get 400; false: served locally
 * @param quota global per-key request quota, or null for none
 */
public record Route(
    String name,
    String pathPrefix,
    RoutePolicy policy,
    OnHomeDown onHomeDown,
    boolean rejectWithoutKey,
    Quota quota) {

  /** HTTP methods that change nothing, so may be served by a non-home region or retried. */
  public static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  public boolean matches(String path) {
    return path.equals(pathPrefix)
        || path.startsWith(pathPrefix.endsWith("/") ? pathPrefix : pathPrefix + "/");
  }
}
