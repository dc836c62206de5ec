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
 * Sends a drill's synthetic requests: every key through every region's public front-door at once,
 * and reads which region served each ({@code X-Homeport-Region}).
 */
public final class SyntheticProbe {

  /** The response header naming the region whose backend served a request. */
  public static final String REGION_HEADER = "X-Homeport-Region";

  /** The response header with the routing epoch the ingress front-door decided by. */
  public static final String EPOCH_HEADER = "X-Homeport-Epoch";

  /** A front-door to send through: its region and public URL. */
  public record FrontDoor(String region, String url) {}

  /**
   * One synthetic request's outcome.
   *
   * @param via the region whose front-door it was sent to
   * @param key its routing key
   * @param status the HTTP status; 0 when no answer came
   * @param servedBy the region the response says served it; null when it does not say
   * @param epoch the routing epoch the front-door decided by; -1 when it does not say
   * @param latencyNanos from sending to the response headers (or the failure)
   * @param error why no answer came; null when one did
   */
  public record Outcome(
      String via,
      String key,
      int status,
      String servedBy,
      long epoch,
      long latencyNanos,
      String error) {

    /** A 2xx answer. */
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** A 2xx answer from {@code region}. */
    public boolean servedBy(String region) {
      return ok() && region.equals(servedBy);
    }

    /** For people: {@code 502 from singapore via frankfurt}, {@code no answer via mumbai (…)}. */
    public String describe() {
      if (status == 0) {
        return "no answer via " + via + " (" + error + ")";
      }
      return status
          + " from "
          + (servedBy == null ? "an unnamed region" : servedBy)
          + " via "
          + via;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** One round: every key through every front-door, concurrently; never throws. */
  public List<Outcome> round(
      List<FrontDoor> frontDoors,
      List<String> keys,
      DrillSettings.Synthetic synthetic,
      String drillId,
      Duration timeout) {
    List<CompletableFuture<Outcome>> sent = new ArrayList<>();
    for (FrontDoor frontDoor : frontDoors) {
      for (String key : keys) {
        sent.add(send(frontDoor, key, synthetic, drillId, timeout));
      }
    }
    List<Outcome> outcomes = new ArrayList<>(sent.size());
    sent.forEach(f -> outcomes.add(f.join()));
    return outcomes;
  }

  private CompletableFuture<Outcome> send(
      FrontDoor frontDoor,
      String key,
      DrillSettings.Synthetic synthetic,
      String drillId,
      Duration timeout) {
    long start = System.nanoTime();
    HttpRequest request;
    try {
      String base =
          frontDoor.url().endsWith("/")
              ? frontDoor.url().substring(0, frontDoor.url().length() - 1)
              : frontDoor.url();
      request =
          HttpRequest.newBuilder(URI.create(base + synthetic.path()))
              .timeout(timeout)
              .header(synthetic.keyHeader(), key)
              .header("User-Agent", "homeport-drill/" + drillId)
              .method(synthetic.method(), HttpRequest.BodyPublishers.noBody())
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          new Outcome(frontDoor.region(), key, 0, null, -1, 0, "bad URL: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(
            response ->
                new Outcome(
                    frontDoor.region(),
                    key,
                    response.statusCode(),
                    response.headers().firstValue(REGION_HEADER).orElse(null),
                    epoch(response.headers().firstValue(EPOCH_HEADER).orElse(null)),
                    System.nanoTime() - start,
                    null))
        .exceptionally(
            error ->
                new Outcome(
                    frontDoor.region(),
                    key,
                    0,
                    null,
                    -1,
                    System.nanoTime() - start,
                    reason(error)));
  }

  private static long epoch(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String reason(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
