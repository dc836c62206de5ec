package dev.homeport.bench.crdt;

import dev.homeport.frontdoor.FrontDoor;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.crdt.CrdtService;
import io.lettuce.core.RedisClient;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part 3, the Java API: a front-door started in this process ({@link FrontDoor#start}) and two
 * threads incrementing 100 counters through {@link CrdtService#increment}, each with at most 20,000
 * increments unanswered, for a warm-up and then a measured period. Prints one line: increments
 * acknowledged, seconds, failures and the HINCRBY commands Redis ran meanwhile (the batching).
 *
 * <p>{@code java -cp homeport-bench.jar dev.homeport.bench.crdt.JavaApiLoad <redisUri>
 * <warmupSeconds> <seconds>}
 */
public final class JavaApiLoad {

  /** The marker of the result line. */
  public static final String MARKER = "homeport-crdt-java ";

  private static final int THREADS = 2;
  private static final int WINDOW = 20_000;
  private static final int COUNTERS = 100;

  private JavaApiLoad() {}

  public static void main(String[] args) throws Exception {
    String redisUri = args[0];
    int warmup = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    Vertx vertx = Vertx.vertx();
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            """
            region: a
            redis: {uri: %s}
            backend: http://127.0.0.1:1
            listen: {host: 127.0.0.1, public: 0, admin: 0}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: orders, path: /orders, policy: home, onHomeDown: reject}
            lease: {required: false}
            timeouts: {drain: 5s}
            secrets: {internal: bench-internal-secret-0001, admin: bench-admin-token-000001}
            """
                .formatted(redisUri),
            Map.of());
    FrontDoor frontDoor = FrontDoor.start(vertx, config).await();
    RedisClient client = RedisClient.create(redisUri);
    try (var redis = client.connect()) {
      drive(frontDoor.crdt(), warmup);
      long hincrbyBefore = hincrbys(redis.sync().info("commandstats"));
      long started = System.nanoTime();
      long[] counts = drive(frontDoor.crdt(), seconds);
      double elapsed = (System.nanoTime() - started) / 1e9;
      long hincrbys = hincrbys(redis.sync().info("commandstats")) - hincrbyBefore;
      System.out.printf(
          "%sincrements=%d seconds=%.3f failed=%d hincrby=%d%n",
          MARKER, counts[0], elapsed, counts[1], hincrbys);
    } finally {
      client.shutdown();
      frontDoor.stop().await();
      vertx.close().await();
    }
    System.exit(0);
  }

  /** Increments for {@code seconds}; returns {acknowledged, failed}. */
  private static long[] drive(CrdtService crdt, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int offset = t;
      Thread thread =
          new Thread(
              () -> {
                Semaphore window = new Semaphore(WINDOW);
                int i = offset;
                while (System.nanoTime() < deadline) {
                  window.acquireUninterruptibly();
                  crdt.increment("java-" + (i++ % COUNTERS), 1)
                      .whenComplete(
                          (state, error) -> {
                            (error == null ? acknowledged : failed).incrementAndGet();
                            window.release();
                          });
                }
                window.acquireUninterruptibly(WINDOW);
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return new long[] {acknowledged.get(), failed.get()};
  }

  static long hincrbys(String commandstats) {
    Matcher calls = Pattern.compile("cmdstat_hincrby:calls=([0-9]+)").matcher(commandstats);
    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
  }
}
