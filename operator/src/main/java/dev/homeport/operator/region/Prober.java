package dev.homeport.operator.region;

import dev.homeport.operator.failover.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Probes a region: its front-door's {@code /healthz} on the admin port and its Redis ({@code
 * PING}). Both must answer within the timeout for the region to count as healthy: a front-door that
 * cannot reach its Redis cannot take writes either.
 */
public final class Prober {

  private final HttpClient http;

  public Prober() {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
  }

  /**
   * Never fails: a failure is an unhealthy probe saying what failed, naming the spec field (e.g.
   * {@code spec.regions[0]}) whose endpoint it is.
   */
  public CompletableFuture<Probe> probe(
      String field, String adminUrl, RegionLink redis, Duration timeout) {
    CompletableFuture<String> frontDoor =
        http.sendAsync(
                HttpRequest.newBuilder(URI.create(adminUrl).resolve("/healthz"))
                    .timeout(timeout)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .thenApply(
                response ->
                    response.statusCode() == 200
                        ? null
                        : "front-door "
                            + field
                            + ".frontDoor.adminUrl "
                            + adminUrl
                            + " /healthz answered "
                            + response.statusCode())
            .exceptionally(
                error ->
                    "front-door "
                        + field
                        + ".frontDoor.adminUrl "
                        + adminUrl
                        + " unreachable: "
                        + reason(error));
    CompletableFuture<String> store =
        redis == null
            ? CompletableFuture.completedFuture("no connection to its Redis (" + field + ".redis)")
            : redis
                .ping()
                .toCompletableFuture()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(pong -> (String) null)
                .exceptionally(
                    error ->
                        "Redis "
                            + field
                            + ".redis "
                            + redis.url()
                            + " unreachable: "
                            + reason(error));
    return frontDoor.thenCombine(
        store,
        (door, db) -> {
          if (door == null && db == null) {
            return new Probe(true, "front-door and Redis answer");
          }
          return new Probe(false, door == null ? db : db == null ? door : door + "; " + db);
        });
  }

  private static String reason(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
