package dev.homeport.frontdoor.bench;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * The benchmarks' HTTP load: a number of closed loops, each sending its next request when the last
 * one answered, for a fixed time; latencies of 200 answers go into a histogram.
 */
public final class ClosedLoops {

  /** Answered with 200, and everything else (other statuses and failures). */
  public record Counts(long ok, long errors) {}

  private ClosedLoops() {}

  /**
   * Runs {@code loops} loops for {@code length}.
   *
   * @param request the request loop {@code i} sends, every time
   * @param body the request body, or null for none
   */
  public static Counts drive(
      HttpClientAgent client,
      int loops,
      Duration length,
      IntFunction<RequestOptions> request,
      String body,
      Histogram latency)
      throws Exception {
    long deadline = System.nanoTime() + length.toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CompletableFuture<?>[] running = new CompletableFuture<?>[loops];
    for (int i = 0; i < loops; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      running[i] = done;
      loop(client, request.apply(i), body, deadline, latency, ok, errors, done);
    }
    CompletableFuture.allOf(running).get();
    return new Counts(ok.get(), errors.get());
  }

  private static void loop(
      HttpClientAgent client,
      RequestOptions request,
      String body,
      long deadline,
      Histogram latency,
      AtomicLong ok,
      AtomicLong errors,
      CompletableFuture<Void> done) {
    if (System.nanoTime() > deadline) {
      done.complete(null);
      return;
    }
    long sent = System.nanoTime();
    client
        .request(new RequestOptions(request))
        .compose(
            outgoing ->
                (body == null ? outgoing.send() : outgoing.send(body))
                    .compose(response -> response.body().map(response.statusCode())))
        .onComplete(
            result -> {
              if (result.succeeded() && result.result() == 200) {
                ok.incrementAndGet();
                synchronized (latency) {
                  latency.recordValue(System.nanoTime() - sent);
                }
              } else {
                errors.incrementAndGet();
              }
              loop(client, request, body, deadline, latency, ok, errors, done);
            });
  }
}
