package dev.homeport.frontdoor.config;

/**
 * Where a request's routing key comes from.
 *
 * @param kind header, cookie, path segment or verified JWT claim
 * @param name header or cookie name, or the JWT claim (e.g. {@code sub})
 * @param segment for {@link Kind#PATH}: which path segment, counting from 1
 * @param jwtAlgorithm for {@link Kind#JWT}: the signature algorithm (HS256, RS256, ES256)
 * @param jwtKey for {@link Kind#JWT}: the HMAC secret or the PEM public key
 */
public record KeySource(Kind kind, String name, int segment, String jwtAlgorithm, String jwtKey) {

  /** The kinds of key source. */
  public enum Kind {
    HEADER,
    COOKIE,
    PATH,
    JWT
  }
}
