package dev.homeport.frontdoor;

import dev.homeport.frontdoor.admin.AdminApi;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.crdt.CounterStore;
import dev.homeport.frontdoor.crdt.CrdtApi;
import dev.homeport.frontdoor.crdt.CrdtService;
import dev.homeport.frontdoor.crdt.GlobalQuota;
import dev.homeport.frontdoor.crdt.Replication;
import dev.homeport.frontdoor.lease.LeaseWatcher;
import dev.homeport.frontdoor.proxy.RoutingInterceptor;
import dev.homeport.frontdoor.proxy.Target;
import dev.homeport.frontdoor.routing.BucketOverrides;
import dev.homeport.frontdoor.routing.DirectoryBarriers;
import dev.homeport.frontdoor.routing.HomeDirectory;
import dev.homeport.frontdoor.routing.InflightWrites;
import dev.homeport.frontdoor.routing.InstanceRegistration;
import dev.homeport.frontdoor.routing.PeerUrls;
import dev.homeport.frontdoor.routing.RedisControlStore;
import dev.homeport.frontdoor.routing.RoutingState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One region's front-door: the public proxy port and the admin port, and what feeds them. */
public final class FrontDoor {

  private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);

  /** How often this instance renews its entry among the region's live front-doors. */
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /**
   * How long a directory barrier waits for writes in flight; then the operator rolls the move back.
   */
  private static final Duration BARRIER_GIVE_UP = Duration.ofSeconds(30);

  private final FrontDoorConfig config;
  private final Vertx vertx;
  private final String instance;
  private final PeerUrls peers;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private RedisControlStore store;
  private CrdtService crdt;
  private HttpClientAgent replicationClient;
  private HomeDirectory directory;
  private BucketOverrides buckets;
  private InflightWrites writes;
  private DirectoryBarriers barriers;
  private InstanceRegistration registration;
  private RoutingState routing;
  private LeaseWatcher lease;
  private HttpClientAgent client;
  private HttpServer publicServer;
  private HttpServer adminServer;
  private long routingTimer = -1;
  private long leaseTimer = -1;
  private volatile boolean stopped;

  private FrontDoor(FrontDoorConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
    this.instance = InstanceRegistration.newId(config.region());
    this.peers = new PeerUrls(config.region(), config.peers());
  }

  /** Starts a front-door: connects to Redis, loads the routing table and opens both ports. */
  public static Future<FrontDoor> start(Vertx vertx, FrontDoorConfig config) {
    FrontDoor frontDoor = new FrontDoor(config, vertx);
    return vertx
        .executeBlocking(frontDoor::connect)
        .compose(v -> frontDoor.listen())
        .map(frontDoor)
        .onFailure(e -> frontDoor.stop());
  }

  private Void connect() {
    store =
        RedisControlStore.connect(
            config.redisUri(), config.redisCluster(), config.connectTimeout(), registry);
    routing = new RoutingState(store, System::nanoTime, epoch -> directory.invalidateAll());
    buckets =
        new BucketOverrides(
            store, () -> routing.snapshot().map(table -> table.table().buckets()).orElse(0));
    directory =
        new HomeDirectory(
            store,
            buckets,
            config.cacheMaxEntries(),
            config.cacheRefreshAfter(),
            config.cacheExpireAfter());
    writes = new InflightWrites(registry);
    barriers =
        new DirectoryBarriers(
            instance, store, directory, buckets, writes, vertx, BARRIER_GIVE_UP, registry);
    lease = new LeaseWatcher(store, config.region(), System::nanoTime, config.leaseRequired());
    Gauge.builder("homeport.directory.buckets.moved", buckets, BucketOverrides::size)
        .description("Buckets with an entry of their own: moved away from placement, or moving")
        .register(registry);
    store
        .subscribe(
            epoch -> routing.reload(), directory::invalidate, buckets::changed, barriers::requested)
        .toCompletableFuture()
        .join();
    routing.reload().toCompletableFuture().join();
    buckets.reload().toCompletableFuture().join();
    lease.poll().toCompletableFuture().join();
    // Registered before it serves, and listening for barriers before it is registered: the
    // operator waits for the barrier acknowledgements of every registered instance.
    registration = new InstanceRegistration(instance, store, vertx, HEARTBEAT_INTERVAL);
    registration.start().toCompletableFuture().join();

    RedisControlStore.DataConnection data = store.openDataConnection(true);
    RedisControlStore.DataConnection batches = store.openDataConnection(false);
    CounterStore counters = new CounterStore(data.commands(), config.region());
    crdt =
        new CrdtService(
            config.region(),
            config.crdt(),
            counters,
            new CounterStore(batches.commands(), config.region()),
            batches.connection(),
            this::regionNames,
            registry);
    replicationClient = httpClient(4);
    crdt.start(
        new Replication(
            config.region(),
            config.crdt(),
            config.internalSecret(),
            counters,
            vertx,
            replicationClient,
            this::peerUrls,
            registry));

    CaffeineCacheMetrics.monitor(registry, directory.cache(), "homeport.directory");
    Gauge.builder("homeport.routing.epoch", routing, RoutingState::epoch)
        .description("Epoch of the routing table this front-door routes by")
        .register(registry);
    // Several instances answer behind one admin Service: a reader that compares two scrapes (the
    // operator, during a drill) must know whether both came from the same process.
    Gauge.builder("homeport.frontdoor.instance", () -> 1)
        .description("Always 1; its id tag names this front-door instance")
        .tag("id", instance)
        .register(registry);
    Gauge.builder(
            "homeport.routing.table.unconfirmed.seconds",
            routing,
            r -> r.staleNanos() < 0 ? Double.NaN : r.staleNanos() / 1e9)
        .description("Seconds since Redis last confirmed the routing table")
        .register(registry);
    Gauge.builder(
            "homeport.lease.age.seconds",
            lease,
            l -> l.ageNanos() < 0 ? Double.NaN : l.ageNanos() / 1e9)
        .description("Seconds since this region's lease renewal was last seen")
        .register(registry);
    Gauge.builder("homeport.lease.held", lease, l -> l.held() ? 1 : 0)
        .description("1 while this region may take home writes")
        .register(registry);

    client = httpClient(256);
    return null;
  }

  /** A keep-alive HTTP client with the configured connect timeout, up to {@code connections}. */
  private HttpClientAgent httpClient(int connections) {
    return vertx
        .httpClientBuilder()
        .with(
            new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(connections))
        .build();
  }

  private Future<Void> listen() {
    HttpProxy proxy = HttpProxy.reverseProxy(client);
    proxy.origin(this::originRequest);
    proxy.addInterceptor(
        new RoutingInterceptor(
            config,
            vertx,
            routing,
            directory,
            writes,
            lease,
            new GlobalQuota(crdt, System::currentTimeMillis, registry),
            peers,
            registry));
    Router crdtApi =
        new CrdtApi(crdt, config.internalSecret(), config.crdt().apiToken()).router(vertx);
    routingTimer =
        vertx.setPeriodic(
            config.tablePollInterval().toMillis(),
            id -> {
              routing.reload();
              buckets
                  .reload()
                  .exceptionally(
                      e -> {
                        log.debug("Cannot reload the bucket entries: {}", e.toString());
                        return null;
                      });
            });
    scheduleLeasePoll();
    AdminApi admin = new AdminApi(config, instance, routing, lease, registry, () -> stopped);
    return vertx
        .createHttpServer(
            new HttpServerOptions().setHost(config.listenHost()).setPort(config.publicPort()))
        .requestHandler(
            request -> {
              if (CrdtApi.serves(request.path())) {
                crdtApi.handle(request);
              } else {
                proxy.handle(request);
              }
            })
        .listen()
        .compose(
            server -> {
              publicServer = server;
              return vertx
                  .createHttpServer(
                      new HttpServerOptions()
                          .setHost(config.listenHost())
                          .setPort(config.adminPort()))
                  .requestHandler(admin.router(vertx))
                  .listen();
            })
        .map(
            server -> {
              adminServer = server;
              log.info(
                  "Front-door {} (instance {}) listening on {}:{} (admin {}), routing epoch {},"
                      + " lease {}",
                  config.region(),
                  instance,
                  config.listenHost(),
                  publicServer.actualPort(),
                  adminServer.actualPort(),
                  routing.epoch(),
                  lease.held() ? "held" : "not held");
              return null;
            });
  }

  /** Polls the lease at least six times per lease period, so expiry is noticed promptly. */
  private void scheduleLeasePoll() {
    if (stopped) {
      return;
    }
    long delay = config.tablePollInterval().toMillis();
    if (lease.durationNanos() > 0) {
      delay = Math.min(delay, lease.durationNanos() / 6_000_000);
    }
    leaseTimer =
        vertx.setTimer(
            Math.max(delay, 20), id -> lease.poll().whenComplete((v, e) -> scheduleLeasePoll()));
  }

  /** Connects to the target the pipeline chose; connection failures of safe methods are retried. */
  private Future<HttpClientRequest> originRequest(ProxyContext context) {
    Target target = context.get(RoutingInterceptor.TARGET, Target.class);
    var options =
        target.requestOptions(
            config.connectTimeout().toMillis(), config.requestTimeout().toMillis());
    boolean safe = Route.SAFE_METHODS.contains(context.request().getMethod().name());
    Future<HttpClientRequest> attempt = client.request(options);
    for (int retry = 0; safe && retry < config.idempotentRetries(); retry++) {
      attempt = attempt.recover(error -> client.request(options));
    }
    return attempt;
  }

  /** Every region in the routing table, for the CRDT service. */
  private List<String> regionNames() {
    return routing
        .snapshot()
        .map(snapshot -> List.copyOf(snapshot.table().regions().keySet()))
        .orElse(List.of());
  }

  /** Where to ship CRDT state: where requests are proxied to, by the current routing table. */
  private Map<String, URI> peerUrls() {
    return peers.all(routing.snapshot().orElse(null));
  }

  /** The CRDT service, for the Java API (embedding) and benchmarks. */
  public CrdtService crdt() {
    return crdt;
  }

  /** This instance's id, as registered among the region's live front-doors. */
  public String instance() {
    return instance;
  }

  /** The admin port's actual port (useful when configured as 0). */
  public int adminPort() {
    return adminServer.actualPort();
  }

  /** The public port's actual port. */
  public int publicPort() {
    return publicServer.actualPort();
  }

  /** Stops accepting, lets in-flight requests finish (up to the drain timeout), then closes. */
  public Future<Void> stop() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    vertx.cancelTimer(routingTimer);
    vertx.cancelTimer(leaseTimer);
    long drainMillis = config.drainTimeout().toMillis();
    Future<Void> publicDone =
        publicServer == null
            ? Future.succeededFuture()
            : publicServer.shutdown(drainMillis, TimeUnit.MILLISECONDS);
    return publicDone
        // Every write has been answered (or the drain timed out): only now may the operator stop
        // waiting for this instance's barrier acknowledgements.
        .eventually(
            () ->
                registration == null
                    ? Future.succeededFuture()
                    : Future.fromCompletionStage(registration.withdraw()))
        .andThen(
            ar -> {
              if (barriers != null) {
                barriers.close();
              }
            })
        // Increments answered during the drain are in Redis; now write any still waiting and
        // ship what peers lack before the connections go.
        .eventually(
            () -> crdt == null ? Future.succeededFuture() : crdt.close(config.drainTimeout()))
        .eventually(() -> adminServer == null ? Future.succeededFuture() : adminServer.close())
        .eventually(() -> client == null ? Future.succeededFuture() : client.close())
        .eventually(
            () -> replicationClient == null ? Future.succeededFuture() : replicationClient.close())
        .eventually(
            () ->
                vertx.executeBlocking(
                    () -> {
                      if (store != null) {
                        store.close();
                      }
                      registry.close();
                      return null;
                    }))
        .onComplete(ar -> log.info("Front-door {} stopped", config.region()));
  }
}
