package dev.homeport.e2e;

import dev.homeport.contract.KeyHash;
import dev.homeport.e2e.history.AppliedWrite;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The sample application behind each region's front-door: it stores per-user data (the writes each
 * user made), replicates it to the other regions asynchronously with a configurable lag, and
 * reports its replication position for the operator's drain and pacing ({@code GET /replication},
 * with the keys stored per bucket when asked {@code ?buckets=<n>}).
 *
 * <ul>
 *   <li>{@code POST|PUT /…} with {@code X-User-Id} and a unique {@code X-Write-Id}: applies a write
 *       for that user and answers the region's name.
 *   <li>{@code GET /…} with {@code X-User-Id}: what this region holds for the user, {@code
 *       {"region":…,"key":…,"writes":n,"last":id}} (its own writes plus those replicated to it).
 * </ul>
 *
 * Every applied write goes to a listener (the history the checker reads); the backends also count
 * duplicates and writes a region applied for a key before it had applied every write another region
 * had taken for that key (what a drain must prevent).
 */
public final class SampleBackends {

  private final List<String> regions;
  private final Vertx vertx;
  private final Consumer<AppliedWrite> listener;
  private final Map<String, List<AppliedWrite>> logs = new HashMap<>();
  private final Map<String, Integer> shipped = new HashMap<>(); // "from>to" → log prefix applied
  private final Map<String, Map<String, Integer>> local = new HashMap<>(); // region → key → count
  private final Map<String, Map<String, Integer>> replicated = new HashMap<>(); // "from>to" → ...
  private final Map<String, Map<String, String>> last = new HashMap<>(); // region → key → id
  private final Map<String, AppliedWrite> byId = new ConcurrentHashMap<>();
  private final Set<String> keys = ConcurrentHashMap.newKeySet(); // every key stored, replicated
  private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private final AtomicInteger duplicates = new AtomicInteger();
  private final List<String> staleWrites = new ArrayList<>();
  private volatile long lagMillis = 100;
  private final Map<String, Integer> failing = new ConcurrentHashMap<>(); // region → status

  /**
   * Starts one backend per region on the given loopback ports (0: any free port), replicating every
   * 10 ms.
   */
  public SampleBackends(Vertx vertx, Map<String, Integer> ports, Consumer<AppliedWrite> listener) {
    this.vertx = vertx;
    this.regions = List.copyOf(ports.keySet());
    this.listener = listener;
    for (String region : regions) {
      logs.put(region, new ArrayList<>());
      local.put(region, new HashMap<>());
      last.put(region, new HashMap<>());
      for (String to : regions) {
        shipped.put(region + ">" + to, 0);
        replicated.put(region + ">" + to, new HashMap<>());
      }
      this.ports.put(region, ports.get(region));
      start(region);
    }
    vertx.setPeriodic(10, id -> replicate());
  }

  /** Starts (or starts again) the backend of {@code region} on its port. */
  public void start(String region) {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(request -> handle(region, request))
            .listen(ports.get(region), "127.0.0.1")
            .await();
    ports.put(region, server.actualPort());
    servers.put(region, server);
  }

  /** Stops the backend of {@code region}, as when its region goes down; its data stays. */
  public void stop(String region) {
    HttpServer server = servers.remove(region);
    if (server != null) {
      server.close().await();
    }
  }

  public int port(String region) {
    return ports.get(region);
  }

  /**
   * Makes the application of {@code region} answer every request but {@code /replication} with
   * {@code status} and apply nothing, as a broken deployment would, until {@link #heal}.
   */
  public void fail(String region, int status) {
    if (status < 500 || status > 599) {
      throw new IllegalArgumentException("an injected failure is a 5xx status, not " + status);
    }
    failing.put(region, status);
  }

  /** Ends what {@link #fail} injected into {@code region}'s application. */
  public void heal(String region) {
    failing.remove(region);
  }

  /** Replication lag; {@link Long#MAX_VALUE} stops replication. */
  public void lag(long millis) {
    this.lagMillis = millis;
  }

  private void handle(String region, HttpServerRequest request) {
    if (request.path().equals("/replication")) {
      String buckets = request.getParam("buckets");
      JsonObject answer = position(region);
      if (buckets != null) {
        answer.put("bucketKeys", bucketKeys(Integer.parseInt(buckets)));
      }
      request.response().putHeader("Content-Type", "application/json").end(answer.encode());
      return;
    }
    Integer failure = failing.get(region);
    if (failure != null) {
      request
          .response()
          .setStatusCode(failure)
          .end("{\"error\":\"injected failure in " + region + "'s application\"}");
      return;
    }
    String key = request.getHeader("X-User-Id");
    if (request.method().name().equals("GET") || request.method().name().equals("HEAD")) {
      request
          .response()
          .putHeader("Content-Type", "application/json")
          .end(stored(region, key).encode());
      return;
    }
    String writeId = request.getHeader("X-Write-Id");
    if (key == null || writeId == null) {
      request
          .response()
          .setStatusCode(400)
          .end("{\"error\":\"send X-User-Id and a unique X-Write-Id with every write\"}");
      return;
    }
    request
        .body()
        .onComplete(
            ignored -> {
              apply(region, key, writeId);
              request.response().end(region);
            });
  }

  private synchronized void apply(String region, String key, String writeId) {
    AppliedWrite write = new AppliedWrite(writeId, key, region, System.nanoTime());
    listener.accept(write);
    if (byId.putIfAbsent(writeId, write) != null) {
      duplicates.incrementAndGet();
      return;
    }
    for (String other : regions) {
      if (other.equals(region)) {
        continue;
      }
      int taken = local.get(other).getOrDefault(key, 0);
      int seen = replicated.get(other + ">" + region).getOrDefault(key, 0);
      if (seen < taken) {
        staleWrites.add(
            region
                + " applied "
                + writeId
                + " for "
                + key
                + " having seen "
                + seen
                + " of "
                + taken
                + " writes taken by "
                + other);
      }
    }
    logs.get(region).add(write);
    local.get(region).merge(key, 1, Integer::sum);
    last.get(region).put(key, writeId);
    keys.add(key);
  }

  private synchronized void replicate() {
    if (lagMillis == Long.MAX_VALUE) {
      return;
    }
    long due = System.nanoTime() - lagMillis * 1_000_000;
    for (String from : regions) {
      List<AppliedWrite> log = logs.get(from);
      for (String to : regions) {
        if (from.equals(to)) {
          continue;
        }
        String link = from + ">" + to;
        int next = shipped.get(link);
        while (next < log.size() && log.get(next).atNanos() <= due) {
          replicated.get(link).merge(log.get(next).key(), 1, Integer::sum);
          last.get(to).put(log.get(next).key(), log.get(next).writeId());
          next++;
        }
        shipped.put(link, next);
      }
    }
  }

  private synchronized JsonObject stored(String region, String key) {
    int writes = local.get(region).getOrDefault(key, 0);
    for (String from : regions) {
      if (!from.equals(region)) {
        writes += replicated.get(from + ">" + region).getOrDefault(key, 0);
      }
    }
    return new JsonObject()
        .put("region", region)
        .put("key", key)
        .put("writes", writes)
        .put("last", last.get(region).get(key));
  }

  private synchronized JsonObject position(String region) {
    JsonObject applied = new JsonObject();
    for (String from : regions) {
      if (!from.equals(region)) {
        applied.put(from, shipped.get(from + ">" + region));
      }
    }
    return new JsonObject().put("position", logs.get(region).size()).put("applied", applied);
  }

  /** Stores data for {@code stored} as if written long ago, everywhere. */
  public void preload(Collection<String> stored) {
    keys.addAll(stored);
  }

  /** Keys stored per bucket ({@link KeyHash}), as the replication probe reports them. */
  private JsonObject bucketKeys(int buckets) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (String key : keys) {
      counts.merge(KeyHash.bucket(key, buckets), 1, Integer::sum);
    }
    JsonObject answer = new JsonObject();
    counts.forEach((bucket, count) -> answer.put(bucket.toString(), count));
    return answer;
  }

  /** The first application of write {@code writeId}, if any. */
  public AppliedWrite applied(String writeId) {
    return byId.get(writeId);
  }

  /** Every write applied first-time, in each region's order. */
  public synchronized List<AppliedWrite> writes() {
    List<AppliedWrite> all = new ArrayList<>();
    logs.values().forEach(all::addAll);
    return all;
  }

  public int duplicates() {
    return duplicates.get();
  }

  public synchronized List<String> staleWrites() {
    return List.copyOf(staleWrites);
  }

  /** Stops every backend. */
  public void close() {
    for (String region : regions) {
      stop(region);
    }
  }
}
