package dev.homeport.e2e;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.spec.FailbackPolicy;
import dev.homeport.crds.v1alpha1.spec.FrontDoorEndpoints;
import dev.homeport.crds.v1alpha1.spec.RedisEndpoint;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.e2e.history.History;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import dev.homeport.testkit.ToxiproxyServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A whole active-active Homeport on one machine, on loopback: a management cluster (real
 * kube-apiserver + etcd) with the CRDs and the example {@code RegionTopology/global} applied, the
 * operator, and three regions, each with its own {@code redis-server}, front-door (its own process,
 * from its jar) and sample application ({@link SampleBackends}). Region-to-region traffic and the
 * operator's paths to the regions go through a {@link FaultLayer}. The README's bring-up and every
 * end-to-end scenario use this one fixture.
 */
public final class LocalSystem implements AutoCloseable {

  public static final String TOPOLOGY = "global";
  public static final String ADMIN_TOKEN = "local-admin-token-000001";

  /** Lease duration plus skew margin of {@link #fastFailover()}: the floor of a failover's RTO. */
  public static final Duration FAST_LEASE_AND_SKEW = Duration.ofSeconds(3);

  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

  /**
   * How to run it.
   *
   * @param stateDir where the kubeconfig, front-door configurations, logs and process ids go
   * @param out where progress is printed
   * @param examplePorts use the ports written in the example topology (the README's bring-up);
   *     otherwise free ports, so that tests never collide with a running bring-up
   * @param latency whether cross-region links add realistic round-trip times
   * @param operatorThroughFaultLayer whether the operator reaches the regions through the fault
   *     layer (so that it can be cut off from one); the example topology's addresses are then
   *     rewritten to the links
   * @param topology changes to the example topology before it is applied (timings for tests)
   * @param clockSkew how far ahead (or behind) each region's front-door clock runs, by region;
   *     applied with libfaketime (the Debian package faketime)
   * @param leaderElectionNamespace where the operator takes its leader-election Lease, as in a
   *     cluster (the namespace is created); null: the operator runs unelected
   * @param spareRegions regions laid out and given a sample application but left out of the
   *     topology, for a test to bring in (see {@link #startSpareRegion(String)})
   */
  public record Options(
      Path stateDir,
      PrintStream out,
      boolean examplePorts,
      boolean latency,
      boolean operatorThroughFaultLayer,
      Consumer<RegionTopologySpec> topology,
      Map<String, Duration> clockSkew,
      String leaderElectionNamespace,
      List<String> spareRegions) {

    /** The README's bring-up: the example exactly as written, with realistic latency. */
    public static Options bringUp(Path stateDir, PrintStream out) {
      return new Options(stateDir, out, true, true, false, spec -> {}, Map.of(), null, List.of());
    }

    /** For scenarios: free ports, the operator behind the fault layer, and the given timings. */
    public static Options scenario(Path stateDir, Consumer<RegionTopologySpec> topology) {
      return new Options(
          stateDir, System.out, false, true, true, topology, Map.of(), null, List.of());
    }

    /** The same with {@code region}'s front-door clock running {@code skew} ahead. */
    public Options withClockSkew(String region, Duration skew) {
      Map<String, Duration> skews = new LinkedHashMap<>(clockSkew);
      skews.put(region, skew);
      return new Options(
          stateDir,
          out,
          examplePorts,
          latency,
          operatorThroughFaultLayer,
          topology,
          skews,
          leaderElectionNamespace,
          spareRegions);
    }

    /** The same with the operator leader-elected through a Lease in {@code namespace}. */
    public Options withLeaderElection(String namespace) {
      return new Options(
          stateDir,
          out,
          examplePorts,
          latency,
          operatorThroughFaultLayer,
          topology,
          clockSkew,
          namespace,
          spareRegions);
    }

    /**
     * The same with a spare region {@code name}: its ports, sample application and fault-layer
     * links are set up at start, its Redis and front-door only by {@link
     * #startSpareRegion(String)}; it is not in the topology until a test adds it.
     */
    public Options withSpareRegion(String name) {
      List<String> spares = new ArrayList<>(spareRegions);
      spares.add(name);
      return new Options(
          stateDir,
          out,
          examplePorts,
          latency,
          operatorThroughFaultLayer,
          topology,
          clockSkew,
          leaderElectionNamespace,
          List.copyOf(spares));
    }
  }

  /**
   * Failover within seconds, for scenarios and benchmarks: leases of 2 s renewed every 500 ms, a
   * region fenced after three missed probes, a skew margin of 1 s, failback automatic after 5 s of
   * health. One active region suffices.
   */
  public static Consumer<RegionTopologySpec> fastFailover() {
    return spec -> {
      spec.getFailover().setLeaseDuration("2s");
      spec.getFailover().setProbeInterval("500ms");
      spec.getFailover().setFailureThreshold(3);
      spec.getFailover().setSkewMargin("1s");
      spec.getFailover().setMinActiveRegions(1);
      FailbackPolicy failback = new FailbackPolicy();
      failback.setMode(ApprovalMode.Automatic);
      failback.setStableFor("5s");
      spec.getFailover().setFailback(failback);
    };
  }

  private static final Path LIBFAKETIME =
      Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

  /** One region: its addresses and its processes. */
  public static final class Region {
    private final String name;
    private final int redisPort;
    private final int backendPort;
    private final int publicPort;
    private final int adminPort;
    private RedisServer redis;
    private ServiceProcess frontDoor;
    private int operatorAdminPort;
    private int operatorRedisPort;

    Region(String name, int redisPort, int backendPort, int publicPort, int adminPort) {
      this.name = name;
      this.redisPort = redisPort;
      this.backendPort = backendPort;
      this.publicPort = publicPort;
      this.adminPort = adminPort;
    }

    public String name() {
      return name;
    }

    /** The public front-door URL clients in this region use. */
    public URI url() {
      return URI.create("http://127.0.0.1:" + publicPort);
    }

    public URI adminUrl() {
      return URI.create("http://127.0.0.1:" + adminPort);
    }

    public String redisUri() {
      return "redis://127.0.0.1:" + redisPort;
    }

    public URI backendUrl() {
      return URI.create("http://127.0.0.1:" + backendPort);
    }

    public RedisServer redis() {
      return redis;
    }

    public ServiceProcess frontDoor() {
      return frontDoor;
    }
  }

  private final Options options;
  private final PrintStream out;
  private final Path state;
  private final StaleProcesses stale;
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final Map<String, Region> regions = new LinkedHashMap<>();
  private final Map<String, Region> spares = new LinkedHashMap<>();
  private final History history = new History();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private TestKubeApiServer api;
  private Vertx vertx;
  private SampleBackends backends;
  private FaultLayer faults;
  private ServiceProcess operator;
  private Path topologyFile;

  private LocalSystem(Options options) {
    this.options = options;
    this.out = options.out();
    this.state = options.stateDir();
    this.stale = new StaleProcesses(state.resolve("pids"));
  }

  /** Starts everything and returns once every region is Active and every front-door ready. */
  public static LocalSystem start(Options options) {
    LocalSystem system = new LocalSystem(options);
    try {
      system.startAll();
      return system;
    } catch (Exception e) {
      system.close();
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
  }

  private void startAll() throws IOException {
    Path root = ProjectPaths.root();
    Files.createDirectories(state.resolve("logs"));
    stale.clean(out);

    out.println("Starting the management cluster (kube-apiserver + etcd) ...");
    api = TestKubeApiServer.start();
    running.push(api);
    stale.recordDescendants();
    Files.writeString(kubeconfig(), api.kubeConfigYaml(), StandardCharsets.UTF_8);
    show(api.kubectl("apply", "-f", root.resolve("crds").toString()));
    show(
        api.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev",
            "crd/homeassignments.homeport.dev"));

    RegionTopology topology = example(root);
    for (RegionSpec spec : topology.getSpec().getRegions()) {
      regions.put(spec.getName(), layout(spec));
    }
    for (String spare : options.spareRegions()) {
      spares.put(spare, new Region(spare, freePort(), freePort(), freePort(), freePort()));
    }

    out.println("Starting the fault layer (Toxiproxy) between the regions ...");
    ToxiproxyServer toxiproxy = ToxiproxyServer.start();
    faults = new FaultLayer(toxiproxy, options.latency());
    running.push(faults);
    stale.record(toxiproxy.pid());

    vertx = Vertx.vertx();
    running.push(() -> vertx.close().await());
    Map<String, Integer> backendPorts = new LinkedHashMap<>();
    regions.values().forEach(region -> backendPorts.put(region.name, region.backendPort));
    spares.values().forEach(region -> backendPorts.put(region.name, region.backendPort));
    backends = new SampleBackends(vertx, backendPorts, history::applied);
    running.push(backends::close);

    for (Region region : regions.values()) {
      out.println("Starting region " + region.name + ": redis-server, sample backend, front-door");
      region.redis = RedisServer.startOn(region.redisPort);
      running.push(region.redis);
      stale.record(region.redis.pid());
    }
    for (Region region : regions.values()) {
      region.frontDoor = startFrontDoor(root, region);
      running.push(region.frontDoor);
      stale.record(region.frontDoor.pid());
    }

    for (RegionSpec spec : topology.getSpec().getRegions()) {
      Region region = regions.get(spec.getName());
      int admin = region.adminPort;
      int redis = region.redisPort;
      if (options.operatorThroughFaultLayer()) {
        admin = faults.operatorLink(region.name, "admin", region.adminPort);
        redis = faults.operatorLink(region.name, "redis", region.redisPort);
      }
      spec.getFrontDoor().setUrl(region.url().toString());
      spec.getFrontDoor().setAdminUrl("http://127.0.0.1:" + admin);
      spec.getRedis().setUrl("redis://127.0.0.1:" + redis);
      spec.setReplicationProbe(region.backendUrl() + "/replication");
    }
    for (Region spare : spares.values()) {
      spare.operatorAdminPort = spare.adminPort;
      spare.operatorRedisPort = spare.redisPort;
      if (options.operatorThroughFaultLayer()) {
        spare.operatorAdminPort = faults.operatorLink(spare.name, "admin", spare.adminPort);
        spare.operatorRedisPort = faults.operatorLink(spare.name, "redis", spare.redisPort);
      }
    }
    options.topology().accept(topology.getSpec());
    topologyFile = state.resolve("regiontopology-" + TOPOLOGY + ".yaml");
    Files.writeString(topologyFile, Serialization.asYaml(topology), StandardCharsets.UTF_8);
    show(api.kubectl("apply", "-f", topologyFile.toString()));

    if (options.leaderElectionNamespace() != null) {
      show(api.kubectl("create", "namespace", options.leaderElectionNamespace()));
    }
    startOperator();
    out.println("Waiting for the operator to publish the routing table and grant the leases ...");
    awaitSummary(allActive(), READY_TIMEOUT);
    for (Region region : regions.values()) {
      region.frontDoor.awaitReady(READY_TIMEOUT);
    }
    awaitHomesServing(READY_TIMEOUT);
  }

  private RegionTopology example(Path root) throws IOException {
    try (InputStream in =
        Files.newInputStream(root.resolve("crds/examples/regiontopology-" + TOPOLOGY + ".yaml"))) {
      return Serialization.unmarshal(in, RegionTopology.class);
    }
  }

  private Region layout(RegionSpec spec) {
    if (options.examplePorts()) {
      return new Region(
          spec.getName(),
          URI.create(spec.getRedis().getUrl()).getPort(),
          URI.create(spec.getReplicationProbe()).getPort(),
          URI.create(spec.getFrontDoor().getUrl()).getPort(),
          URI.create(spec.getFrontDoor().getAdminUrl()).getPort());
    }
    return new Region(spec.getName(), freePort(), freePort(), freePort(), freePort());
  }

  /**
   * A free port below Linux's ephemeral range (32768 and up). The ports are chosen before the
   * processes that bind them start; a port the kernel hands out for "any free port" (Toxiproxy's
   * links, other tests' servers) could otherwise be given away in between.
   */
  private static int freePort() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // in use: try another
      }
    }
    throw new IllegalStateException("No free loopback port found between 20000 and 32000");
  }

  /**
   * The region's front-door, configured by {@code frontdoor/config/<region>.yaml} with this run's
   * addresses, and with every other region reached through its fault-layer link.
   */
  private ServiceProcess startFrontDoor(Path root, Region region) throws IOException {
    boolean spare = spares.containsKey(region.name);
    // A spare region has no configuration of its own: the first region's, renamed, with its own
    // addresses (set below), as its chart values would be.
    String template = spare ? regions.keySet().iterator().next() : region.name;
    StringBuilder config =
        new StringBuilder(Files.readString(root.resolve("frontdoor/config/" + template + ".yaml")));
    config.append(
        "\n# Added by the local system: other regions are reached through the fault layer.\n");
    config.append("peers:\n");
    for (Region peer : regions.values()) {
      if (!peer.name.equals(region.name)) {
        int link = faults.regionLink(region.name, peer.name, peer.publicPort);
        config
            .append("  ")
            .append(peer.name)
            .append(": http://127.0.0.1:")
            .append(link)
            .append('\n');
      }
    }
    Path file = state.resolve("frontdoor-" + region.name + ".yaml");
    Files.writeString(file, config.toString(), StandardCharsets.UTF_8);
    Map<String, String> env = new LinkedHashMap<>();
    if (spare) {
      env.put("HOMEPORT_REGION", region.name);
    }
    env.put("HOMEPORT_REDIS_URI", region.redisUri());
    env.put("HOMEPORT_BACKEND_URL", region.backendUrl().toString());
    env.put("HOMEPORT_LISTEN_HOST", "127.0.0.1");
    env.put("HOMEPORT_PUBLIC_PORT", Integer.toString(region.publicPort));
    env.put("HOMEPORT_ADMIN_PORT", Integer.toString(region.adminPort));
    env.put("HOMEPORT_ADMIN_TOKEN", ADMIN_TOKEN);
    Duration skew = options.clockSkew().get(region.name);
    if (skew != null) {
      if (!Files.exists(LIBFAKETIME)) {
        throw new IllegalStateException(
            "A clock skew for "
                + region.name
                + " needs "
                + LIBFAKETIME
                + " (apt-get install faketime)");
      }
      // Only the wall clock is moved: the JVM's timers run on the monotonic clock.
      env.put("LD_PRELOAD", LIBFAKETIME.toString());
      env.put("FAKETIME", String.format("%+.3fs", skew.toMillis() / 1000.0));
      env.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }
    return ServiceProcess.start(
        "front-door " + region.name,
        root.resolve("frontdoor/target/homeport-frontdoor.jar"),
        List.of("--config", file.toString()),
        env,
        state.resolve("logs/frontdoor-" + region.name + ".log"),
        // Until the operator publishes a table into a spare's Redis it is alive but not ready.
        URI.create(region.adminUrl() + (spare ? "/healthz" : "/readyz")));
  }

  /**
   * Starts a spare region's Redis and front-door (what installing Homeport in a new region does),
   * returning once the front-door answers {@code /healthz}; it becomes ready when the operator
   * publishes a routing table into its Redis, after the region joins the topology.
   */
  public void startSpareRegion(String name) {
    Region region = spare(name);
    try {
      if (region.redis == null) {
        region.redis = RedisServer.startOn(region.redisPort);
        running.push(region.redis);
      } else if (!region.redis.isRunning()) {
        region.redis.restart();
      }
      stale.record(region.redis.pid());
      if (region.frontDoor == null) {
        region.frontDoor = startFrontDoor(ProjectPaths.root(), region);
        running.push(region.frontDoor);
      } else if (!region.frontDoor.isAlive()) {
        region.frontDoor.restart();
      }
      stale.record(region.frontDoor.pid());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start spare region " + name, e);
    }
    region.frontDoor.awaitReady(READY_TIMEOUT);
  }

  /** Stops a spare region's front-door (gracefully) and Redis, as uninstalling it does. */
  public void stopSpareRegion(String name) {
    Region region = spare(name);
    if (region.frontDoor != null) {
      region.frontDoor.stop(Duration.ofSeconds(15));
    }
    if (region.redis != null) {
      region.redis.kill();
    }
  }

  /**
   * A spare region as its entry in {@code spec.regions} would read: its addresses (as the operator
   * reaches them), replication probe, residency, failover peers and capacity weight.
   */
  public RegionSpec spareRegionSpec(String name, String residency, List<String> failoverPeers) {
    Region region = spare(name);
    RegionSpec spec = new RegionSpec();
    spec.setName(name);
    spec.setResidency(residency);
    FrontDoorEndpoints frontDoor = new FrontDoorEndpoints();
    frontDoor.setUrl(region.url().toString());
    frontDoor.setAdminUrl("http://127.0.0.1:" + region.operatorAdminPort);
    spec.setFrontDoor(frontDoor);
    RedisEndpoint redis = new RedisEndpoint();
    redis.setUrl("redis://127.0.0.1:" + region.operatorRedisPort);
    spec.setRedis(redis);
    spec.setReplicationProbe(region.backendUrl() + "/replication");
    spec.setFailoverPeers(List.copyOf(failoverPeers));
    spec.setCapacityWeight(100);
    return spec;
  }

  private Region spare(String name) {
    Region region = spares.get(name);
    if (region == null) {
      throw new IllegalArgumentException(
          "No spare region " + name + "; the local system has spares " + spares.keySet());
    }
    return region;
  }

  /** Starts the operator (again, after {@link #killOperator()}). */
  public void startOperator() {
    if (operator != null) {
      operator.restart();
    } else {
      int health = freePort();
      List<String> args =
          new ArrayList<>(
              List.of("--health-host", "127.0.0.1", "--health-port", Integer.toString(health)));
      if (options.leaderElectionNamespace() != null) {
        args.addAll(List.of("--leader-election-namespace", options.leaderElectionNamespace()));
      }
      operator =
          ServiceProcess.start(
              "operator",
              ProjectPaths.root().resolve("operator/target/homeport-operator.jar"),
              args,
              Map.of(
                  "KUBECONFIG",
                  kubeconfig().toString(),
                  // The drills' abortIf also reads the front-doors' request metrics.
                  "HOMEPORT_FRONTDOOR_ADMIN_TOKEN",
                  ADMIN_TOKEN),
              state.resolve("logs/operator.log"),
              URI.create("http://127.0.0.1:" + health + "/readyz"));
      running.push(operator);
    }
    stale.record(operator.pid());
  }

  /** Kills the operator (SIGKILL): nothing renews leases or publishes until it is started again. */
  public void killOperator() {
    operator.kill();
  }

  public ServiceProcess operator() {
    return operator;
  }

  /** Takes {@code region} down at once, as a region outage does: front-door, Redis, application. */
  public void kill(String name) {
    Region region = region(name);
    region.frontDoor.kill();
    region.redis.kill();
    backends.stop(name);
  }

  /** Brings a killed region back (its Redis empty, as after losing the machine). */
  public void restore(String name) {
    Region region = region(name);
    if (!region.redis.isRunning()) {
      region.redis.restart();
      stale.record(region.redis.pid());
    }
    backends.start(name);
    if (!region.frontDoor.isAlive()) {
      region.frontDoor.restart();
      stale.record(region.frontDoor.pid());
    }
  }

  /** Kills {@code region}'s Redis alone (SIGKILL); its front-door and application stay up. */
  public void killRedis(String name) {
    region(name).redis.kill();
  }

  /** Starts {@code region}'s Redis again, empty, on its port. */
  public void restartRedis(String name) {
    Region region = region(name);
    region.redis.restart();
    stale.record(region.redis.pid());
  }

  /** The kubeconfig of the management cluster, for kubectl and {@code kubectl homeport}. */
  public Path kubeconfig() {
    return state.resolve("kubeconfig");
  }

  public Path kubectlBinary() {
    return api.kubectlBinary();
  }

  public Path stateDir() {
    return state;
  }

  public Path topologyFile() {
    return topologyFile;
  }

  /** Runs the real kubectl against the management cluster. */
  public CommandResult kubectl(String... args) {
    return api.kubectl(args);
  }

  /**
   * Runs {@code kubectl homeport <args>} as a user does: kubectl finds the plugin's launcher
   * ({@code cli/target/kubectl-homeport}) on the PATH and passes it the management cluster's
   * kubeconfig.
   */
  public CommandResult plugin(String... args) {
    List<String> command = new ArrayList<>();
    command.add(kubectlBinary().toString());
    command.add("homeport");
    command.addAll(List.of(args));
    return CommandResult.run(
        command,
        ProjectPaths.root(),
        Map.of("PATH", pluginPath(), "KUBECONFIG", kubeconfig().toString()),
        180,
        TimeUnit.SECONDS);
  }

  /** A PATH with the plugin's launcher and kubectl in front of this process's. */
  public String pluginPath() {
    Path launcher = ProjectPaths.root().resolve("cli/target/kubectl-homeport");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException(
          launcher + " is missing: build the cli module first (mvn -pl cli -am package)");
    }
    return launcher.getParent()
        + File.pathSeparator
        + kubectlBinary().getParent()
        + File.pathSeparator
        + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
  }

  public KubernetesClient client() {
    return api.client();
  }

  public Map<String, Region> regions() {
    return regions;
  }

  public Region region(String name) {
    Region region = regions.containsKey(name) ? regions.get(name) : spares.get(name);
    if (region == null) {
      throw new IllegalArgumentException(
          "No region " + name + "; the local system has " + regions.keySet());
    }
    return region;
  }

  public List<String> regionNames() {
    return List.copyOf(regions.keySet());
  }

  public History history() {
    return history;
  }

  public SampleBackends backends() {
    return backends;
  }

  public FaultLayer faults() {
    return faults;
  }

  public RegionTopology topology() {
    return client().resources(RegionTopology.class).withName(TOPOLOGY).get();
  }

  /** The topology's status summary, e.g. {@code mumbai:Active frankfurt:Active …}. */
  public String summary() {
    RegionTopology topology = topology();
    return topology == null || topology.getStatus() == null
        ? ""
        : String.valueOf(topology.getStatus().getSummary());
  }

  /** The summary with every region Active. */
  public String allActive() {
    return regions.keySet().stream().map(name -> name + ":Active").collect(Collectors.joining(" "));
  }

  /** Waits until the topology's summary reads {@code expected}. */
  public void awaitSummary(String expected, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!summary().equals(expected)) {
      if (operator != null && !operator.isAlive() && operator.log() != null) {
        throw new IllegalStateException("The operator exited; see " + operator.log());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "RegionTopology/"
                + TOPOLOGY
                + " did not reach '"
                + expected
                + "' within "
                + max
                + " (it reads '"
                + summary()
                + "'); see "
                + state.resolve("logs"));
      }
      pause(200);
    }
  }

  /** The routing table a region's front-door holds now. */
  public RoutingTable routingTable(String name) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(region(name).adminUrl() + "/admin/routing"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "front-door " + name + " has no routing table: " + response.body());
    }
    return ContractJson.read(response.body(), RoutingTable.class);
  }

  /** The home of {@code key} by the table's placement (moved keys and buckets aside). */
  public static String placementHome(RoutingTable table, String key) {
    int bucket = KeyHash.bucket(key, table.buckets());
    for (BucketAssignment range : table.bucketMap()) {
      if (bucket >= range.from() && bucket <= range.to()) {
        return range.region();
      }
    }
    throw new IllegalStateException("bucket " + bucket + " of " + key + " is in no range");
  }

  /** {@code count} keys {@code prefix0, prefix1, …} whose placement home is {@code region}. */
  public List<String> keysHomedIn(String region, String prefix, int count) {
    RoutingTable table = routingTable(regions.keySet().iterator().next());
    List<String> keys = new ArrayList<>();
    int tries = Math.max(100_000, count * 1_000);
    for (int i = 0; keys.size() < count; i++) {
      if (i == tries) {
        throw new IllegalStateException(
            String.format(
                "%d keys %s… tried, %d homed in %s by the bucket map %s",
                tries, prefix, keys.size(), region, table.bucketMap()));
      }
      String key = prefix + i;
      if (placementHome(table, key).equals(region)) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** A write for {@code key} entering at region {@code entry}: the response, as is. */
  public HttpResponse<String> write(String entry, String key, String writeId) {
    return send(
        HttpRequest.newBuilder(URI.create(region(entry).url() + "/orders"))
            .timeout(Duration.ofSeconds(10))
            .header("X-User-Id", key)
            .header("X-Write-Id", writeId)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build());
  }

  /**
   * Waits until a key homed in each region, written through every front-door, is served by its
   * home.
   */
  private void awaitHomesServing(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    for (String home : regions.keySet()) {
      String key = keysHomedIn(home, "ready-check-", 1).get(0);
      for (String entry : regions.keySet()) {
        int attempt = 0;
        while (true) {
          HttpResponse<String> response =
              write(entry, key, "ready-" + key + "-" + entry + "-" + attempt++);
          String servedBy = response.headers().firstValue("X-Homeport-Region").orElse("");
          if (response.statusCode() == 200 && servedBy.equals(home)) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "A write for "
                    + key
                    + " (home "
                    + home
                    + ") through "
                    + entry
                    + " got "
                    + response.statusCode()
                    + " from "
                    + servedBy
                    + ": "
                    + response.body());
          }
          pause(200);
        }
      }
    }
  }

  /** A CRDT counter's value as region {@code name}'s front-door reports it now. */
  public long counter(String name, String counter) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(region(name).url() + "/v1/counters/" + counter))
                .timeout(Duration.ofSeconds(5))
                .build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "counter "
              + counter
              + " in "
              + name
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return new io.vertx.core.json.JsonObject(response.body()).getLong("value");
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  private void show(CommandResult result) {
    out.print(result.stdout());
    if (!result.succeeded()) {
      throw new IllegalStateException("Bring-up step failed: " + result);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // polling the API server or a front-door for a state
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** Regions other than {@code name}, plus the operator: everything a full partition cuts. */
  public Set<String> everythingBut(String name) {
    Set<String> others = new java.util.TreeSet<>(regions.keySet());
    others.remove(name);
    others.add("operator");
    return others;
  }

  /** Stops everything, the operator first, and forgets the recorded process ids. */
  @Override
  public void close() {
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        out.println("While stopping: " + e);
      }
    }
    stale.forgetQuietly();
  }
}
