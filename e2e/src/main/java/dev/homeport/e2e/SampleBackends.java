package dev.homeport.e2e;

import dev.homeport.contract.KeyHash;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One application backend per region, each with its own write log, replicated to the others
 * asynchronously with a configurable lag, and a replication-position endpoint ({@code GET
 * /replication}, with the keys stored per bucket when asked {@code ?buckets=<n>}) for the
 * operator's drain and pacing. Every write carries a unique {@code X-Write-Id}; the backends record
 * where and when each was applied, count duplicates, and count writes a region applied for a key
 * before it had applied every write another region had taken for that key.
 */
final class RecordingBackends {

  /** A write as a region's backend applied it. */
  record Applied(String writeId, String key, String region, long atNanos) {}

  private final List<String> regions;
  private final Map<String, List<Applied>> logs = new HashMap<>();
  private final Map<String, Integer> shipped = new HashMap<>(); // "from>to" → log prefix applied
  private final Map<String, Map<String, Integer>> local = new HashMap<>(); // region → key → count
  private final Map<String, Map<String, Integer>> replicated = new HashMap<>(); // "from>to" → ...
  private final Map<String, Applied> byId = new ConcurrentHashMap<>();
  private final Set<String> keys = ConcurrentHashMap.newKeySet(); // every key stored, replicated
  private final Map<String, HttpServer> servers = new HashMap<>();
  private final AtomicInteger duplicates = new AtomicInteger();
  private final List<String> staleWrites = new ArrayList<>();
  private volatile long lagMillis = 100;

  RecordingBackends(Vertx vertx, List<String> regions) {
    this.regions = regions;
    for (String region : regions) {
      logs.put(region, new ArrayList<>());
      local.put(region, new HashMap<>());
      for (String to : regions) {
        shipped.put(region + ">" + to, 0);
        replicated.put(region + ">" + to, new HashMap<>());
      }
      servers.put(
          region,
          vertx
              .createHttpServer()
              .requestHandler(
                  request -> {
                    if (request.path().equals("/replication")) {
                      String buckets = request.getParam("buckets");
                      JsonObject answer = position(region);
                      if (buckets != null) {
                        answer.put("bucketKeys", bucketKeys(Integer.parseInt(buckets)));
                      }
                      request.response().end(answer.encode());
                    } else if (request.method().name().equals("GET")) {
                      request.response().end(region);
                    } else {
                      apply(
                          region, request.getHeader("X-User-Id"), request.getHeader("X-Write-Id"));
                      request.response().end(region);
                    }
                  })
              .listen(0, "127.0.0.1")
              .await());
    }
    vertx.setPeriodic(10, id -> replicate());
  }

  int port(String region) {
    return servers.get(region).actualPort();
  }

  /** Replication lag; {@link Long#MAX_VALUE} stops replication. */
  void lag(long millis) {
    this.lagMillis = millis;
  }

  private synchronized void apply(String region, String key, String writeId) {
    Applied write = new Applied(writeId, key, region, System.nanoTime());
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
    keys.add(key);
  }

  private synchronized void replicate() {
    if (lagMillis == Long.MAX_VALUE) {
      return;
    }
    long due = System.nanoTime() - lagMillis * 1_000_000;
    for (String from : regions) {
      List<Applied> log = logs.get(from);
      for (String to : regions) {
        if (from.equals(to)) {
          continue;
        }
        String link = from + ">" + to;
        int next = shipped.get(link);
        while (next < log.size() && log.get(next).atNanos() <= due) {
          replicated.get(link).merge(log.get(next).key(), 1, Integer::sum);
          next++;
        }
        shipped.put(link, next);
      }
    }
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
  void preload(Collection<String> stored) {
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

  Applied applied(String writeId) {
    return byId.get(writeId);
  }

  synchronized List<Applied> writes() {
    List<Applied> all = new ArrayList<>();
    logs.values().forEach(all::addAll);
    return all;
  }

  int duplicates() {
    return duplicates.get();
  }

  synchronized List<String> staleWrites() {
    return List.copyOf(staleWrites);
  }
}
