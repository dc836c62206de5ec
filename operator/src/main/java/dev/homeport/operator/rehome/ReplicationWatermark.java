package dev.homeport.operator.rehome;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The application's replication position, read from the endpoint a region names in {@code
 * spec.regions[].replicationProbe}. The endpoint answers {@code GET} with JSON {@code {"position":
 * <this region's write position>, "applied": {"<region>": <position of that region's writes applied
 * here>, ...}}}. Draining a key from {@code old} to {@code new} reads {@code old}'s position after
 * the fence and waits until {@code new} reports {@code applied[old]} at or past it. Moving buckets
 * also asks it how many keys each bucket holds, to pace the move. A drill waits the same way: after
 * the drilled region's lease has run out, until its peer has applied its writes up to its position
 * ({@link #catchUp}). A failback waits the other way round: until the returning region has applied
 * the writes its peer took for it, up to the peer's position when the failback started.
 */
public final class ReplicationWatermark {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  /** The write position the region's application reports. */
  public long position(String probeUrl) throws IOException, InterruptedException {
    return read(probeUrl).path("position").asLong();
  }

  /**
   * How far the region's application has applied {@code source}'s writes; -1 if it does not say.
   */
  public long applied(String probeUrl, String source) throws IOException, InterruptedException {
    JsonNode applied = read(probeUrl).path("applied").path(source);
    return applied.isNumber() ? applied.asLong() : -1;
  }

  /**
   * One catch-up reading: {@code source}'s position from {@code sourceProbe} (only when {@code
   * readPosition}), then how far {@code targetProbe}'s application has applied {@code source}'s
   * writes. Never throws: a failed read is reported in {@link CatchUpReading#error()}.
   */
  public CatchUpReading catchUp(
      String sourceProbe, boolean readPosition, String targetProbe, String source, Clock clock) {
    Long position = null;
    Instant positionAt = null;
    try {
      if (readPosition) {
        position = position(sourceProbe);
        positionAt = clock.instant();
      }
      long applied = applied(targetProbe, source);
      return new CatchUpReading(position, positionAt, applied, clock.instant(), null);
    } catch (IOException e) {
      return new CatchUpReading(
          position, positionAt, -1, null, "the replication probe failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new CatchUpReading(position, positionAt, -1, null, "interrupted");
    }
  }

  /**
   * What one {@link #catchUp} found.
   *
   * @param position the source's position; null when not read (or its read failed)
   * @param positionAt when it was read
   * @param applied how far the target has applied the source's writes; -1 if unknown
   * @param appliedAt when that was read; null if it failed
   * @param error why a read failed, for people; null when both succeeded
   */
  public record CatchUpReading(
      Long position, Instant positionAt, long applied, Instant appliedAt, String error) {}

  /** For people: how far {@code target} has applied {@code source}'s writes of {@code position}. */
  public static String progress(String target, String source, long applied, long position) {
    return applied < 0
        ? String.format("%s's replicationProbe does not report applied[%s]", target, source)
        : String.format(
            "%s has applied %s's writes up to %d of %d", target, source, applied, position);
  }

  /**
   * How many keys the region's application holds in each bucket, asked as {@code GET
   * <probe>?buckets=<count>} and answered in {@code "bucketKeys": {"<bucket>": <keys>, ...}} (a
   * bucket left out holds none; buckets are {@link dev.homeport.contract.KeyHash}'s). Null when the
   * application does not report them.
   */
  Map<Integer, Long> bucketKeys(String probeUrl, int buckets)
      throws IOException, InterruptedException {
    String url = probeUrl + (probeUrl.contains("?") ? "&" : "?") + "buckets=" + buckets;
    JsonNode counts = read(url).path("bucketKeys");
    if (!counts.isObject()) {
      return null;
    }
    Map<Integer, Long> keys = new HashMap<>();
    counts
        .fields()
        .forEachRemaining(
            field -> keys.put(Integer.valueOf(field.getKey()), field.getValue().asLong()));
    return keys;
  }

  private JsonNode read(String probeUrl) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(probeUrl))
                .timeout(Duration.ofSeconds(1))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("replication probe " + probeUrl + " answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }
}
