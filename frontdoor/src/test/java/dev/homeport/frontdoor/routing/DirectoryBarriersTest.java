package dev.homeport.frontdoor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RoutingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The barrier protocol steps against an in-memory control store and real Vert.x timers. */
class DirectoryBarriersTest {

  private static final String SELF = "mumbai-0000beef";
  private static final String KEY = "user-1";
  private static final String OTHER = "user-2";
  private static final int BUCKETS = 64;

  private final Vertx vertx = Vertx.vertx();
  private final MemoryStore store = new MemoryStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BucketOverrides buckets = new BucketOverrides(store, () -> BUCKETS);
  private final HomeDirectory directory =
      new HomeDirectory(store, buckets, 100, Duration.ofMinutes(5), Duration.ofMinutes(10));
  private final InflightWrites writes = new InflightWrites(registry);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private DirectoryBarriers barriers(Duration giveUpAfter) {
    return new DirectoryBarriers(
        SELF, store, directory, buckets, writes, vertx, giveUpAfter, registry);
  }

  private double outcomes(String outcome) {
    return registry.get("homeport.directory.barriers").tag("outcome", outcome).counter().count();
  }

  private Optional<DirectoryEntry> cached(String key) throws Exception {
    return directory.lookup(key).get();
  }

  @Test
  void dropsTheCachedEntryThenAcknowledgesOnceEarlierWritesForItsKeysHaveEnded() throws Exception {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    store.entries.put(KEY, DirectoryEntry.settled("mumbai", 1));
    assertThat(cached(KEY)).contains(DirectoryEntry.settled("mumbai", 1));
    store.entries.put(KEY, DirectoryEntry.fenced("mumbai", 2, "default/move"));
    assertThat(cached(KEY)).as("still cached").contains(DirectoryEntry.settled("mumbai", 1));
    long before = writes.begin(KEY);
    long unrelated = writes.begin(OTHER);

    store.barriers.put("b-1", DirectoryBarrier.forKeys("b-1", List.of(KEY), "t"));
    barriers.requested("b-1");
    assertThat(cached(KEY))
        .as("dropped at once, before the wait")
        .contains(DirectoryEntry.fenced("mumbai", 2, "default/move"));
    long after = writes.begin(KEY);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> store.ack("b-1", SELF) == null);

    writes.end(before);
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-1", SELF) != null);
    BarrierAck ack = store.ack("b-1", SELF);
    assertThat(ack.instance()).isEqualTo(SELF);
    assertThat(ack.keys()).isEqualTo(1);
    assertThat(ack.waitedMillis()).isGreaterThanOrEqualTo(200);
    assertThat(writes.size())
        .as("neither the later write nor the unrelated one held it")
        .isEqualTo(2);
    assertThat(outcomes("acked")).isEqualTo(1);
    assertThat(registry.get("homeport.directory.barrier.wait").timer().count()).isEqualTo(1);
    writes.end(after);
    writes.end(unrelated);
  }

  @Test
  void aBucketBarrierReloadsItsBucketsThenWaitsForEarlierWritesToKeysInThem() throws Exception {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    int bucket = buckets.bucketOf(KEY);
    String sameBucket = keyIn(bucket, KEY);
    String otherBucket = keyOutside(bucket);
    store.entries.put(OTHER, DirectoryEntry.settled("singapore", 1));
    assertThat(cached(KEY)).as("placement decides").isEmpty();
    store.buckets.put(bucket, DirectoryEntry.fenced("mumbai", 3, "default/buckets"));
    assertThat(cached(KEY)).as("not reloaded yet").isEmpty();
    long before = writes.begin(sameBucket);
    long unrelated = writes.begin(otherBucket);

    store.barriers.put("b-6", DirectoryBarrier.forBuckets("b-6", List.of(bucket), "t"));
    barriers.requested("b-6");
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> cached(KEY).equals(Optional.of(store.buckets.get(bucket))));
    assertThat(directory.bucketEntry(sameBucket)).isEqualTo(store.buckets.get(bucket));
    assertThat(cached(OTHER))
        .as("a key's own entry comes before its bucket's")
        .contains(DirectoryEntry.settled("singapore", 1));
    await()
        .during(Duration.ofMillis(150))
        .atMost(Duration.ofSeconds(2))
        .until(() -> store.ack("b-6", SELF) == null);

    writes.end(before);
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-6", SELF) != null);
    assertThat(store.ack("b-6", SELF).keys()).as("buckets named").isEqualTo(1);
    assertThat(writes.size()).as("the write to another bucket did not hold it").isEqualTo(1);
    writes.end(unrelated);
  }

  private String keyIn(int bucket, String except) {
    for (int i = 0; ; i++) {
      String key = "user-" + i;
      if (!key.equals(except) && buckets.bucketOf(key) == bucket) {
        return key;
      }
    }
  }

  private String keyOutside(int bucket) {
    for (int i = 0; ; i++) {
      String key = "user-" + i;
      if (buckets.bucketOf(key) != bucket) {
        return key;
      }
    }
  }

  @Test
  void repeatedAnnouncementsOfAnOpenOrAcknowledgedBarrierChangeNothing() {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    long write = writes.begin(KEY);
    store.barriers.put("b-2", DirectoryBarrier.forKeys("b-2", List.of(KEY, OTHER), "t"));
    for (int i = 0; i < 5; i++) {
      barriers.requested("b-2");
    }
    writes.end(write);
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-2", SELF) != null);
    barriers.requested("b-2");
    barriers.requested("b-2");
    await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(1))
        .until(() -> store.acknowledgements.get() == 1);
    assertThat(outcomes("acked")).isEqualTo(1);
    assertThat(store.ack("b-2", SELF).keys()).isEqualTo(2);
  }

  @Test
  void anExpiredBarrierIsIgnoredAndLeavesTheCacheAlone() throws Exception {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    store.entries.put(KEY, DirectoryEntry.settled("mumbai", 1));
    cached(KEY);
    store.entries.put(KEY, DirectoryEntry.settled("frankfurt", 2));

    barriers.requested("b-gone");
    await().atMost(Duration.ofSeconds(2)).until(() -> outcomes("expired") == 1);
    assertThat(store.acknowledgements.get()).isZero();
    assertThat(cached(KEY)).contains(DirectoryEntry.settled("mumbai", 1));
  }

  @Test
  void aBarrierWhoseWritesOutlastTheGiveUpTimeIsNotAcknowledged() {
    DirectoryBarriers barriers = barriers(Duration.ofMillis(150));
    long stuck = writes.begin(KEY);
    store.barriers.put("b-3", DirectoryBarrier.forKeys("b-3", List.of(KEY), "t"));
    barriers.requested("b-3");
    await().atMost(Duration.ofSeconds(2)).until(() -> outcomes("gave_up") == 1);
    writes.end(stuck);
    await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(1))
        .until(() -> store.ack("b-3", SELF) == null);
    assertThat(outcomes("acked")).isZero();
  }

  @Test
  void barriersWaitIndependently() {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    long held = writes.begin(KEY);
    store.barriers.put("b-held", DirectoryBarrier.forKeys("b-held", List.of(KEY), "t"));
    store.barriers.put("b-free", DirectoryBarrier.forKeys("b-free", List.of(OTHER), "t"));
    barriers.requested("b-held");
    barriers.requested("b-free");
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-free", SELF) != null);
    assertThat(store.ack("b-held", SELF)).isNull();
    writes.end(held);
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-held", SELF) != null);
  }

  @Test
  void aFailedReadIsHandledAgainWhenTheOperatorRepeatsTheBarrier() {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    store.barriers.put("b-4", DirectoryBarrier.forKeys("b-4", List.of(KEY), "t"));
    store.failNextRead = true;
    barriers.requested("b-4");
    await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(1))
        .until(() -> store.ack("b-4", SELF) == null);
    barriers.requested("b-4");
    await().atMost(Duration.ofSeconds(2)).until(() -> store.ack("b-4", SELF) != null);
  }

  @Test
  void afterCloseNoBarrierIsAcknowledged() {
    DirectoryBarriers barriers = barriers(Duration.ofSeconds(30));
    long held = writes.begin(KEY);
    store.barriers.put("b-5", DirectoryBarrier.forKeys("b-5", List.of(KEY), "t"));
    barriers.requested("b-5");
    barriers.close();
    writes.end(held);
    barriers.requested("b-5");
    await()
        .during(Duration.ofMillis(100))
        .atMost(Duration.ofSeconds(1))
        .until(() -> store.ack("b-5", SELF) == null);
  }

  /** The control data of one region, in memory. */
  private static final class MemoryStore implements ControlStore {

    final Map<String, DirectoryEntry> entries = new ConcurrentHashMap<>();
    final Map<Integer, DirectoryEntry> buckets = new ConcurrentHashMap<>();
    final Map<String, DirectoryBarrier> barriers = new ConcurrentHashMap<>();
    final Map<String, Map<String, BarrierAck>> acks = new ConcurrentHashMap<>();
    final AtomicInteger acknowledgements = new AtomicInteger();
    volatile boolean failNextRead;

    BarrierAck ack(String id, String instance) {
      return acks.getOrDefault(id, Map.of()).get(instance);
    }

    @Override
    public CompletionStage<Optional<RoutingTable>> routingTable() {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Optional<DirectoryEntry>> directory(String key) {
      return CompletableFuture.completedFuture(Optional.ofNullable(entries.get(key)));
    }

    @Override
    public CompletionStage<Optional<Lease>> lease(String region) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Optional<DirectoryBarrier>> barrier(String id) {
      if (failNextRead) {
        failNextRead = false;
        return CompletableFuture.failedFuture(new IllegalStateException("Redis is away"));
      }
      return CompletableFuture.completedFuture(Optional.ofNullable(barriers.get(id)));
    }

    @Override
    public CompletionStage<Boolean> acknowledged(String id, String instance) {
      return CompletableFuture.completedFuture(ack(id, instance) != null);
    }

    @Override
    public CompletionStage<Boolean> acknowledge(String id, BarrierAck ack) {
      if (!barriers.containsKey(id)) {
        return CompletableFuture.completedFuture(false);
      }
      acknowledgements.incrementAndGet();
      acks.computeIfAbsent(id, i -> new ConcurrentHashMap<>()).put(ack.instance(), ack);
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Void> heartbeat(String instance) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> deregister(String instance) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries() {
      return CompletableFuture.completedFuture(Map.copyOf(buckets));
    }

    @Override
    public CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries(List<Integer> wanted) {
      Map<Integer, DirectoryEntry> found = new HashMap<>();
      wanted.forEach(
          bucket -> {
            if (buckets.containsKey(bucket)) {
              found.put(bucket, buckets.get(bucket));
            }
          });
      return CompletableFuture.completedFuture(found);
    }

    @Override
    public CompletionStage<Void> subscribe(
        Consumer<Long> onEpoch,
        Consumer<String> onDirectoryChange,
        Consumer<String> onBucketChange,
        Consumer<String> onBarrier) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
  }
}
