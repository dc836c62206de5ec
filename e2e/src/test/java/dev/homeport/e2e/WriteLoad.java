package dev.homeport.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writers that send {@code POST /orders} for random keys through random front-doors. A write
 * refused because its key is fenced is retried every 10 ms (faster than Retry-After, to measure the
 * window finely) until it succeeds; the time from its first refusal to its success is the key's
 * write-unavailability window. Bounded by a deadline.
 */
final class WriteLoad implements AutoCloseable {

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final ExecutorService writers;
  private final AtomicBoolean stop = new AtomicBoolean();
  private static final AtomicLong LOADS = new AtomicLong();
  private final String prefix = "load" + LOADS.incrementAndGet() + "-";
  private final AtomicLong ids = new AtomicLong();
  final Map<String, String> acknowledged = new ConcurrentHashMap<>(); // write id → key
  final ConcurrentLinkedQueue<Long> windowsNanos = new ConcurrentLinkedQueue<>();
  final Map<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
  private final List<java.util.concurrent.Future<?>> running = new ArrayList<>();

  WriteLoad(List<URI> entries, List<String> keys, int threads, Duration atMost) {
    writers = Executors.newFixedThreadPool(threads);
    long end = System.nanoTime() + atMost.toNanos();
    for (int t = 0; t < threads; t++) {
      running.add(
          writers.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get() && System.nanoTime() < end) {
                  String key = keys.get(random.nextInt(keys.size()));
                  String id = prefix + ids.incrementAndGet();
                  long firstRefusal = 0;
                  while (System.nanoTime() < end) {
                    URI entry = entries.get(random.nextInt(entries.size()));
                    int status = post(entry, key, id);
                    if (status == 200) {
                      acknowledged.put(id, key);
                      if (firstRefusal != 0) {
                        windowsNanos.add(System.nanoTime() - firstRefusal);
                      }
                      break;
                    }
                    if (status == 503) {
                      firstRefusal = firstRefusal == 0 ? System.nanoTime() : firstRefusal;
                      pause(10);
                      continue;
                    }
                    failures.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    break;
                  }
                  pause(2);
                }
              }));
    }
  }

  private int post(URI entry, String key, String id) {
    try {
      return WriteLoadProbe.post(http, entry, key, id);
    } catch (Exception e) {
      return -1;
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Write-unavailability windows in milliseconds, sorted. */
  List<Double> windowsMillis() {
    return windowsNanos.stream().map(n -> n / 1e6).sorted().toList();
  }

  @Override
  public void close() throws Exception {
    stop.set(true);
    for (var future : running) {
      future.get(30, TimeUnit.SECONDS);
    }
    writers.shutdown();
  }
}
