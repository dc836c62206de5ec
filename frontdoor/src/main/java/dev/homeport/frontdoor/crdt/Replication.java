package dev.homeport.frontdoor.crdt;

import dev.homeport.frontdoor.config.CrdtSettings;
import dev.homeport.frontdoor.crdt.ReplicationBacklog.Item;
import dev.homeport.frontdoor.crdt.ReplicationBacklog.Kind;
import dev.homeport.frontdoor.proxy.Headers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships changed counters and registers to every peer region's front-door, batched, on a fixed
 * interval: delta-state replication with a backlog per peer. A shipment that fails goes back into
 * the backlog (merges are idempotent, so retries are safe); a peer that answers again after failing
 * gets everything in full (anti-entropy), as does every peer at start and periodically.
 */
public final class Replication {

  /** The path peers accept shipments on. */
  public static final String MERGE_PATH = "/internal/v1/crdt/merge";

  private static final Logger log = LoggerFactory.getLogger(Replication.class);

  /** One peer region: its backlog and how shipping to it goes. */
  final class Peer {
    final String region;
    final ReplicationBacklog backlog = new ReplicationBacklog(100_000);
    final AtomicBoolean sending = new AtomicBoolean();
    final Counter shippedOk;
    final Counter shippedFailed;
    final Counter bytes;
    volatile URI url;
    volatile boolean up = true;
    volatile long lastSentNanos;
    volatile String lastError;

    Peer(String region, URI url) {
      this.region = region;
      this.url = url;
      this.shippedOk = shipments(region, "ok");
      this.shippedFailed = shipments(region, "failed");
      this.bytes =
          Counter.builder("homeport.crdt.replication.bytes")
              .description("Bytes of CRDT state shipped to a peer region")
              .baseUnit("bytes")
              .tag("peer", region)
              .register(registry);
      Gauge.builder(
              "homeport.crdt.replication.lag.seconds",
              backlog,
              b -> b.lagNanos(System.nanoTime()) / 1e9)
          .description("Age of the oldest change a peer region has not acknowledged")
          .tag("peer", region)
          .register(registry);
      Gauge.builder("homeport.crdt.replication.backlog", backlog, ReplicationBacklog::backlog)
          .description("Counters and registers changed but not yet acknowledged by a peer")
          .tag("peer", region)
          .register(registry);
      Gauge.builder("homeport.crdt.replication.peer.up", this, p -> p.up ? 1 : 0)
          .description("1 while the last shipment to a peer region succeeded")
          .tag("peer", region)
          .register(registry);
    }
  }

  private final String region;
  private final CrdtSettings settings;
  private final String internalSecret;
  private final CounterStore store;
  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Supplier<Map<String, URI>> peerUrls;
  private final MeterRegistry registry;
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();
  private long shipTimer = -1;
  private long antiEntropyTimer = -1;

  /**
   * @param peerUrls the other regions' front-door URLs, as the routing table and configuration
   *     currently say
   */
  public Replication(
      String region,
      CrdtSettings settings,
      String internalSecret,
      CounterStore store,
      Vertx vertx,
      HttpClientAgent client,
      Supplier<Map<String, URI>> peerUrls,
      MeterRegistry registry) {
    this.region = region;
    this.settings = settings;
    this.internalSecret = internalSecret;
    this.store = store;
    this.vertx = vertx;
    this.client = client;
    this.peerUrls = peerUrls;
    this.registry = registry;
  }

  /** Starts shipping; every known peer first gets a full sync. */
  public void start() {
    refreshPeers();
    shipTimer = vertx.setPeriodic(settings.replicationInterval().toMillis(), id -> shipAll());
    antiEntropyTimer =
        vertx.setPeriodic(
            settings.antiEntropyInterval().toMillis(),
            id -> peers.values().forEach(peer -> resync(peer, "periodic anti-entropy")));
  }

  /** Notes a change to ship to every peer except {@code source} (the region it came from). */
  public void changed(Kind kind, String name, String source) {
    Item item = new Item(kind, name);
    long now = System.nanoTime();
    for (Peer peer : peers.values()) {
      if (!peer.region.equals(source)) {
        peer.backlog.mark(item, now);
      }
    }
  }

  /** Peer regions currently shipped to. */
  public List<String> peers() {
    return List.copyOf(new java.util.TreeSet<>(peers.keySet()));
  }

  /** Seconds of lag per peer (the oldest change it has not acknowledged). */
  public Map<String, Double> lagSeconds() {
    Map<String, Double> lag = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (String name : peers()) {
      lag.put(name, peers.get(name).backlog.lagNanos(now) / 1e9);
    }
    return lag;
  }

  /** Changes not yet acknowledged, over all peers. */
  public int backlog() {
    return peers.values().stream().mapToInt(p -> p.backlog.backlog()).sum();
  }

  private void refreshPeers() {
    Map<String, URI> urls = peerUrls.get();
    for (Map.Entry<String, URI> entry : urls.entrySet()) {
      if (entry.getKey().equals(region)) {
        continue;
      }
      Peer existing = peers.get(entry.getKey());
      if (existing == null) {
        Peer peer = new Peer(entry.getKey(), entry.getValue());
        peers.put(peer.region, peer);
        resync(peer, "new peer");
      } else if (!entry.getValue().equals(existing.url)) {
        log.info("Peer {} now reached at {}", existing.region, entry.getValue());
        existing.url = entry.getValue();
      }
    }
  }

  private void resync(Peer peer, String why) {
    store
        .counterNames()
        .thenCombine(
            store.registerNames(),
            (counters, registers) -> {
              List<Item> items = new ArrayList<>(counters.size() + registers.size());
              counters.forEach(name -> items.add(new Item(Kind.COUNTER, name)));
              registers.forEach(name -> items.add(new Item(Kind.REGISTER, name)));
              peer.backlog.resync(items, System.nanoTime());
              log.info(
                  "Full sync to {} ({}): {} counters, {} registers",
                  peer.region,
                  why,
                  counters.size(),
                  registers.size());
              return null;
            })
        .exceptionally(
            error -> {
              log.warn(
                  "Cannot list counters for a full sync to {}: {}", peer.region, error.toString());
              return null;
            });
  }

  private void shipAll() {
    refreshPeers();
    for (Peer peer : peers.values()) {
      ship(peer, false);
    }
  }

  /** Sends one shipment to {@code peer} if one is due; completes when it is answered. */
  private CompletionStage<Void> ship(Peer peer, boolean force) {
    if (peer.url == null || !peer.sending.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    long now = System.nanoTime();
    List<Item> items = peer.backlog.take(settings.batchMax());
    boolean heartbeatDue = now - peer.lastSentNanos >= settings.heartbeat().toNanos();
    if (items.isEmpty() && !heartbeatDue && !force) {
      peer.sending.set(false);
      return CompletableFuture.completedFuture(null);
    }
    return read(items)
        .thenCompose(
            states -> {
              Map<String, PnCounter> counters = new LinkedHashMap<>();
              states.counters.forEach(
                  (name, state) -> {
                    PnCounter delta = peer.backlog.delta(name, state);
                    if (!delta.slots().isEmpty()) {
                      counters.put(name, delta);
                    }
                  });
              MergeBatch batch =
                  new MergeBatch(
                      region,
                      System.currentTimeMillis(),
                      peer.backlog.waiting() == 0,
                      counters,
                      states.registers);
              return send(peer, batch)
                  .thenApply(
                      deferred -> {
                        List<Item> refused = new ArrayList<>();
                        List<Item> done = new ArrayList<>();
                        for (Item item : items) {
                          (item.kind() == Kind.REGISTER && deferred.contains(item.name())
                                  ? refused
                                  : done)
                              .add(item);
                        }
                        peer.backlog.acknowledged(done, counters);
                        peer.backlog.failed(refused);
                        return null;
                      });
            })
        .handle(
            (v, error) -> {
              peer.lastSentNanos = now;
              if (error != null) {
                peer.backlog.failed(items);
                peer.shippedFailed.increment();
                String message = String.valueOf(RedisScript.rootCause(error).getMessage());
                if (peer.up || !message.equals(peer.lastError)) {
                  log.warn(
                      "Cannot ship CRDT state to {} at {}; keeping {} changes for later: {}",
                      peer.region,
                      peer.url,
                      peer.backlog.backlog(),
                      message);
                }
                peer.lastError = message;
                peer.up = false;
              } else {
                peer.shippedOk.increment();
                if (!peer.up) {
                  log.info("Peer {} answers again", peer.region);
                  peer.up = true;
                  peer.lastError = null;
                  resync(peer, "peer came back");
                }
              }
              peer.sending.set(false);
              return null;
            });
  }

  private record States(Map<String, PnCounter> counters, Map<String, LwwRegister> registers) {}

  private CompletionStage<States> read(List<Item> items) {
    Map<String, CompletableFuture<PnCounter>> counters = new LinkedHashMap<>();
    Map<String, CompletableFuture<java.util.Optional<LwwRegister>>> registers =
        new LinkedHashMap<>();
    for (Item item : items) {
      if (item.kind() == Kind.COUNTER) {
        counters.put(item.name(), store.read(item.name()).toCompletableFuture());
      } else {
        registers.put(item.name(), store.readRegister(item.name()).toCompletableFuture());
      }
    }
    List<CompletableFuture<?>> all = new ArrayList<>(counters.values());
    all.addAll(registers.values());
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<String, PnCounter> counterStates = new LinkedHashMap<>();
              counters.forEach((name, state) -> counterStates.put(name, state.join()));
              Map<String, LwwRegister> registerStates = new LinkedHashMap<>();
              registers.forEach(
                  (name, state) -> state.join().ifPresent(r -> registerStates.put(name, r)));
              return new States(counterStates, registerStates);
            });
  }

  /** Posts a shipment; completes with the registers the peer deferred. */
  private CompletionStage<Set<String>> send(Peer peer, MergeBatch batch) {
    Buffer body = batch.toJson().toBuffer();
    URI url = peer.url;
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url.resolve(MERGE_PATH).toString())
            .setTimeout(Math.max(2_000, settings.heartbeat().toMillis() * 2))
            .putHeader("Content-Type", "application/json")
            .putHeader(Headers.HOP, region)
            .putHeader(Headers.AUTH, internalSecret);
    peer.bytes.increment(body.length());
    Future<Set<String>> answer =
        client
            .request(options)
            .compose(request -> request.send(body))
            .compose(
                response ->
                    response
                        .body()
                        .compose(
                            reply -> {
                              if (response.statusCode() != 200) {
                                return Future.failedFuture(
                                    new IllegalStateException(
                                        "HTTP " + response.statusCode() + ": " + reply));
                              }
                              Set<String> deferred = new HashSet<>();
                              JsonArray list =
                                  new JsonObject(reply).getJsonArray("deferred", new JsonArray());
                              for (int i = 0; i < list.size(); i++) {
                                deferred.add(list.getJsonObject(i).getString("register"));
                              }
                              return Future.succeededFuture(deferred);
                            }));
    return answer.toCompletionStage();
  }

  /**
   * Ships what is left to every peer that answers, until nothing is left or {@code timeout} passes
   * (graceful shutdown). What is not shipped stays in Redis and goes out with the full sync after
   * the next start.
   */
  public Future<Void> drain(Duration timeout) {
    cancelTimers();
    long deadline = System.nanoTime() + timeout.toNanos();
    Promise<Void> done = Promise.promise();
    drainStep(deadline, done);
    return done.future();
  }

  private void drainStep(long deadline, Promise<Void> done) {
    boolean left = false;
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (Peer peer : peers.values()) {
      if (peer.up && peer.backlog.backlog() > 0) {
        left = true;
        sent.add(ship(peer, true).toCompletableFuture());
      }
    }
    if (!left || System.nanoTime() > deadline) {
      done.complete();
      return;
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .whenComplete((v, e) -> vertx.setTimer(5, id -> drainStep(deadline, done)));
  }

  private void cancelTimers() {
    vertx.cancelTimer(shipTimer);
    vertx.cancelTimer(antiEntropyTimer);
  }

  private Counter shipments(String peer, String outcome) {
    return Counter.builder("homeport.crdt.replication.shipments")
        .description("Shipments of CRDT state to a peer region, by outcome")
        .tag("peer", peer)
        .tag("outcome", outcome)
        .register(registry);
  }
}
