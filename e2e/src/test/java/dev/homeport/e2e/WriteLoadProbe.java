package dev.homeport.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Single writes for assertions: the status a front-door answered, and the id of the last one. */
final class WriteLoadProbe {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final AtomicLong IDS = new AtomicLong();
  static volatile String lastId;

  private WriteLoadProbe() {}

  static int status(URI entry, String key) throws Exception {
    lastId = "probe-" + IDS.incrementAndGet();
    return post(HTTP, entry, key, lastId);
  }

  /** Sends write {@code id} for {@code key}; returns the status code. */
  static int post(HttpClient http, URI entry, String key, String id) throws Exception {
    return http.send(
            HttpRequest.newBuilder(entry)
                .timeout(Duration.ofSeconds(5))
                .header("X-User-Id", key)
                .header("X-Write-Id", id)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
