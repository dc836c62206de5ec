package dev.homeport.frontdoor.proxy;

import dev.homeport.frontdoor.config.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Takes the routing key out of a request, from the configured source. */
final class KeyExtractor {

  /** A request whose bearer token does not verify: answered with 401, never routed. */
  static final class InvalidToken extends RuntimeException {
    InvalidToken(String message) {
      super(message);
    }
  }

  private final KeySource source;
  private final JWTAuth jwt;

  KeyExtractor(Vertx vertx, KeySource source) {
    this.source = source;
    this.jwt =
        source.kind() == KeySource.Kind.JWT
            ? JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(
                        new PubSecKeyOptions()
                            .setAlgorithm(source.jwtAlgorithm())
                            .setBuffer(source.jwtKey())))
            : null;
  }

  /** The key, or null when the request has none; fails with {@link InvalidToken}. */
  Future<String> extract(HttpServerRequest request) {
    return switch (source.kind()) {
      case HEADER -> Future.succeededFuture(blankToNull(request.getHeader(source.name())));
      case COOKIE -> {
        Cookie cookie = request.getCookie(source.name());
        yield Future.succeededFuture(cookie == null ? null : blankToNull(cookie.getValue()));
      }
      case PATH -> Future.succeededFuture(segment(request.path(), source.segment()));
      case JWT -> fromToken(request.getHeader("Authorization"));
    };
  }

  private Future<String> fromToken(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.succeededFuture(null);
    }
    return jwt.authenticate(new TokenCredentials(authorization.substring(7).trim()))
        .recover(
            e -> Future.failedFuture(new InvalidToken("bearer token rejected: " + e.getMessage())))
        .map(user -> blankToNull(user.principal().getString(source.name())));
  }

  static String segment(String path, int index) {
    if (path == null) {
      return null;
    }
    String[] parts = path.split("/");
    // parts[0] is the empty string before the leading slash.
    return index < parts.length ? blankToNull(parts[index]) : null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
