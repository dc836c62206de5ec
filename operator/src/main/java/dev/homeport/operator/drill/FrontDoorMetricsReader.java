package dev.homeport.operator.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads every region's front-door {@code /metrics} (its {@code spec.regions[].frontDoor.adminUrl}),
 * with the front-doors' admin bearer token, for a drill's abortIf on users' requests.
 */
public final class FrontDoorMetricsReader {

  /** The environment variable the operator takes the front-doors' admin token from. */
  public static final String TOKEN_VARIABLE = "HOMEPORT_FRONTDOOR_ADMIN_TOKEN";

  /** A front-door to read: its region and admin URL. */
  record Endpoint(String region, String adminUrl) {}

  /**
   * One front-door's read: what it said, or why it could not be read.
   *
   * @param metrics null when {@code error} is set
   * @param error for people, e.g. {@code /metrics answered 401 …}; null when read
   */
  record Read(String region, RequestMetrics metrics, String error) {}

  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /**
   * @param token the front-doors' admin token; null or blank: none, the metrics are not read
   */
  public FrontDoorMetricsReader(String token) {
    this.token = token == null || token.isBlank() ? null : token.strip();
  }

  /** Whether there is a token to read with. */
  public boolean configured() {
    return token != null;
  }

  /** Reads every front-door at once and waits for all; never throws. */
  List<Read> read(List<Endpoint> endpoints, Duration timeout) {
    List<CompletableFuture<Read>> reads = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      reads.add(read(endpoint, timeout));
    }
    List<Read> done = new ArrayList<>(reads.size());
    reads.forEach(r -> done.add(r.join()));
    return done;
  }

  private CompletableFuture<Read> read(Endpoint endpoint, Duration timeout) {
    if (token == null) {
      return CompletableFuture.completedFuture(
          new Read(endpoint.region(), null, "no front-door admin token"));
    }
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(endpoint.adminUrl()).resolve("/metrics"))
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .header("Accept", "text/plain")
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          new Read(endpoint.region(), null, "adminUrl is not a URL: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> answer(endpoint, response))
        .exceptionally(error -> new Read(endpoint.region(), null, reason(error)));
  }

  private static Read answer(FrontDoorMetricsReader.Endpoint endpoint, HttpResponse<String> r) {
    String region = endpoint.region();
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      return new Read(
          region,
          null,
          String.format(
              "%s/metrics answered %d: the operator's %s is not this front-door's admin token",
              endpoint.adminUrl(), r.statusCode(), TOKEN_VARIABLE));
    }
    if (r.statusCode() != 200) {
      return new Read(
          region,
          null,
          String.format("%s/metrics answered %d", endpoint.adminUrl(), r.statusCode()));
    }
    try {
      return new Read(
          region, RequestMetrics.of(PrometheusText.parse(r.body(), RequestMetrics::wanted)), null);
    } catch (IllegalArgumentException e) {
      return new Read(
          region,
          null,
          String.format(
              "%s/metrics is not Prometheus text: %s", endpoint.adminUrl(), e.getMessage()));
    }
  }

  private static String reason(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
