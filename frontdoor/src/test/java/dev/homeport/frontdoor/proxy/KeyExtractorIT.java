package dev.homeport.frontdoor.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.frontdoor.config.KeySource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routing keys taken from real HTTP requests on loopback, for every kind of source. */
class KeyExtractorIT {

  private static final String SECRET = "jwt-signing-secret-for-tests-0123456789";

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Serves one request through the extractor and returns what it made of it. */
  private String extract(KeySource source, String uri, Map<String, String> headers) {
    KeyExtractor extractor = new KeyExtractor(vertx, source);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    extractor
                        .extract(request)
                        .onComplete(
                            result ->
                                request
                                    .response()
                                    .end(
                                        result.succeeded()
                                            ? "key=" + result.result()
                                            : "error="
                                                + result.cause().getClass().getSimpleName())))
            .listen(0, "127.0.0.1")
            .await();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(server.actualPort())
            .setURI(uri);
    headers.forEach(options::putHeader);
    return vertx
        .createHttpClient()
        .request(options)
        .compose(request -> request.send().compose(response -> response.body()))
        .await()
        .toString();
  }

  @Test
  void fromAHeaderACookieOrAPathSegment() {
    assertThat(
            extract(
                new KeySource(KeySource.Kind.HEADER, "X-User-Id", 0, null, null),
                "/orders",
                Map.of("X-User-Id", "user-7")))
        .isEqualTo("key=user-7");
    assertThat(
            extract(
                new KeySource(KeySource.Kind.COOKIE, "uid", 0, null, null),
                "/orders",
                Map.of("Cookie", "theme=dark; uid=user-8")))
        .isEqualTo("key=user-8");
    assertThat(
            extract(
                new KeySource(KeySource.Kind.PATH, null, 2, null, null),
                "/tenants/acme/orders",
                Map.of()))
        .isEqualTo("key=acme");
    assertThat(
            extract(
                new KeySource(KeySource.Kind.HEADER, "X-User-Id", 0, null, null),
                "/orders",
                Map.of()))
        .isEqualTo("key=null");
  }

  @Test
  void fromAVerifiedJwtClaimOnly() {
    KeySource source = new KeySource(KeySource.Kind.JWT, "sub", 0, "HS256", SECRET);
    String good = sign(SECRET, "user-9");
    String forged = sign("another-secret-that-is-not-the-right-one", "user-9");

    assertThat(extract(source, "/orders", Map.of("Authorization", "Bearer " + good)))
        .isEqualTo("key=user-9");
    assertThat(extract(source, "/orders", Map.of("Authorization", "Bearer " + forged)))
        .isEqualTo("error=InvalidToken");
    assertThat(extract(source, "/orders", Map.of())).isEqualTo("key=null");
  }

  private String sign(String secret, String subject) {
    JWTAuth issuer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return issuer.generateToken(
        new JsonObject().put("sub", subject), new JWTOptions().setAlgorithm("HS256"));
  }
}
