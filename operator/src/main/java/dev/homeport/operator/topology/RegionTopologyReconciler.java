package dev.homeport.operator.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.RedisMode;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.LayoutSource;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import dev.homeport.operator.Events;
import dev.homeport.operator.drill.DrillMetrics;
import dev.homeport.operator.drill.DrillSettings;
import dev.homeport.operator.drill.Drills;
import dev.homeport.operator.drill.FrontDoorMetricsReader;
import dev.homeport.operator.drill.SyntheticProbe;
import dev.homeport.operator.failover.FailoverMachine;
import dev.homeport.operator.failover.Observation;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.failover.Probe;
import dev.homeport.operator.failover.Refusal;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.Step;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.failover.Transition;
import dev.homeport.operator.region.Prober;
import dev.homeport.operator.region.RedisUrls;
import dev.homeport.operator.region.RegionLink;
import dev.homeport.operator.rehome.ReplicationWatermark;
import dev.homeport.operator.routing.BucketLayouts;
import dev.homeport.operator.routing.RoutingTables;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a RegionTopology on every probe interval: renews the leases of the regions that hold
 * one, probes every region, lets the {@link FailoverMachine} decide, publishes the routing table
 * into every reachable region's Redis (bringing back a region that missed epochs), and records
 * transitions as Events and status. Drills ({@code spec.drill}) go through the same machine; {@link
 * Drills} turns the spec, the abort annotation and its measurements (replication probe, synthetic
 * requests) into the machine's drill inputs and keeps the reports. The machine decides; this class
 * only observes and executes.
 *
 * <p>The routing table's bucket map is the topology's bucket layout, fixed at the first reconcile
 * and kept in {@code status.bucketLayout} ({@link BucketLayouts}); it is never laid out again from
 * spec.regions. The regions routed are {@code status.acceptedRegions}: {@link RegionLifecycle}
 * admits regions added to spec.regions and releases removed ones only once they home nothing.
 */
@ControllerConfiguration(name = "regiontopology")
public final class RegionTopologyReconciler
    implements Reconciler<RegionTopology>, Cleaner<RegionTopology> {

  /** Annotation listing regions (comma-separated) whose failover an operator approved. */
  public static final String APPROVE_FAILOVER = "homeport.dev/approve-failover";

  /** Annotation listing regions (comma-separated) whose failback an operator approved. */
  public static final String APPROVE_FAILBACK = "homeport.dev/approve-failback";

  /**
   * Annotation listing regions (comma-separated) whose failback need not wait for their application
   * to catch up with the peer's writes.
   */
  public static final String SKIP_CATCH_UP = FailbackCatchUps.SKIP_CATCH_UP;

  /** Status heartbeats are written at most this often when nothing else changed. */
  static final Duration HEARTBEAT_WRITE_INTERVAL = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(RegionTopologyReconciler.class);

  /** What the operator keeps in memory per topology between reconciles. */
  private static final class Runtime {
    final Map<String, RegionLink> links = new HashMap<>();
    final Map<String, String> linkUrls = new HashMap<>();
    final Map<String, Instant> leaseWrites = new HashMap<>();
    final Map<String, Long> publishedEpoch = new HashMap<>();

    /**
     * Regions with a lease renewal that failed or timed out: it may still arrive, so none is sent
     * until the region answers a probe again (every renewal sent counts as held, see renewLeases).
     */
    final Set<String> renewalsInDoubt = new java.util.HashSet<>();

    /** The routing epoch a region must hold before its first renewal since it became a holder. */
    final Map<String, Long> grantedAt = new HashMap<>();

    /**
     * The highest routing epoch a region's Redis answered with that is newer than this operator's
     * (-1: none): a previous operator published it and stopped before writing its status.
     */
    long newerEpochHeld = -1;

    TopologyState state;
    Drills drills;
    FailbackCatchUps catchUps;

    /**
     * The regions routed, leased and probed (status.acceptedRegions); null until known. A region
     * removed from spec.regions keeps its spec here until it homes nothing. This copy is what lets
     * the operator keep reaching that region's Redis and front-door, also after its own restart:
     * the spec no longer has it, so the status must. The status is the operator's own record,
     * written by the one leader; it is lost only with the object, and then the region's lease runs
     * out and its front-door fences itself, which loses no write.
     */
    List<RegionSpec> accepted;

    /** status.bucketLayout; null until fixed. */
    BucketLayout layout;

    /** False while the layout names a region that is not routed: no table can be published. */
    boolean publishable = true;

    /** Why no table can be published; null while one can. */
    String layoutProblem;

    RegionLifecycle lifecycle;

    /** Whether each routed region's Redis holds the directory; copies it back where lost. */
    DirectoryGuard directory;

    /** Regions whose lease is withheld until their Redis holds the directory again, with why. */
    Map<String, String> directoryWithheld = Map.of();

    List<RegionLifecycle.Notice> notices = List.of();
    Set<String> warned = Set.of();
    Set<String> leaseHolders = Set.of();
    Set<String> refusals = Set.of();
    Instant lastStatusWrite = Instant.EPOCH;
  }

  private final KubernetesClient client;
  private final Clock clock;
  private final Prober prober = new Prober();
  private final Map<String, Runtime> runtimes = new ConcurrentHashMap<>();
  private final Counter transitions;
  private final Counter failovers;
  private final Counter refusals;
  private final Counter directoryLosses;
  private final Counter directoryRestores;
  private final DrillMetrics drillMetrics;
  private final FailbackCatchUps.Metrics catchUpMetrics;
  private final SyntheticProbe synthetic = new SyntheticProbe();
  private final ReplicationWatermark watermark = new ReplicationWatermark();
  private final FrontDoorMetricsReader frontDoorMetrics;

  /**
   * Drills' synthetic requests and replication reads, and failbacks' catch-up reads, off the
   * reconcile threads.
   */
  private final ExecutorService drillIo =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "homeport-drill-io");
            thread.setDaemon(true);
            return thread;
          });

  /** Joining and leaving regions' directory reads and copies, off the reconcile threads. */
  private final ExecutorService regionIo =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "homeport-region-io");
            thread.setDaemon(true);
            return thread;
          });

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param frontDoorAdminToken the front-doors' admin token, for drills to read their metrics;
   *     null: drills judge abortIf on their synthetic requests only
   */
  public RegionTopologyReconciler(
      KubernetesClient client, Clock clock, MeterRegistry registry, String frontDoorAdminToken) {
    this.client = client;
    this.clock = clock;
    this.frontDoorMetrics = new FrontDoorMetricsReader(frontDoorAdminToken);
    this.drillMetrics = new DrillMetrics(registry);
    this.catchUpMetrics = new FailbackCatchUps.Metrics(registry);
    this.transitions =
        Counter.builder("homeport.operator.region.transitions")
            .description("Region phase transitions decided by the operator")
            .register(registry);
    this.failovers =
        Counter.builder("homeport.operator.failovers")
            .description("Regions failed over to a peer")
            .register(registry);
    this.refusals =
        Counter.builder("homeport.operator.failover.refusals")
            .description("Failovers or failbacks refused by a safety rule or waiting for approval")
            .register(registry);
    this.directoryLosses =
        Counter.builder("homeport.operator.directory.losses")
            .description(
                "Regions whose Redis was found without the directory of moved keys and buckets")
            .register(registry);
    this.directoryRestores =
        Counter.builder("homeport.operator.directory.restores")
            .description("Regions whose Redis had the directory copied back from the other regions")
            .register(registry);
  }

  @Override
  public UpdateControl<RegionTopology> reconcile(
      RegionTopology topology, Context<RegionTopology> context) {
    Instant now = clock.instant();
    String name = topology.getMetadata().getName();
    RegionTopologySpec spec = topology.getSpec();
    Runtime runtime = runtimes.computeIfAbsent(name, n -> new Runtime());
    if (runtime.lifecycle == null) {
      runtime.lifecycle = new RegionLifecycle(client, prober, regionIo);
      runtime.directory = new DirectoryGuard(client, regionIo);
      RegionTopologyStatus recorded = topology.getStatus();
      runtime.accepted = recorded == null ? null : recorded.getAcceptedRegions();
      runtime.layout = recorded == null ? null : recorded.getBucketLayout();
    }
    Membership membership = Membership.of(spec.getRegions(), runtime.accepted);
    Policy policy;
    try {
      policy = Policies.of(spec, membership.accepted());
    } catch (IllegalArgumentException e) {
      return invalid(topology, e.getMessage(), now);
    }
    if (runtime.state == null) {
      runtime.state =
          StatusMapper.resume(topology.getStatus(), policy, now, topology.getSpec().getDrill());
      runtime.leaseHolders = holders(runtime.state);
      runtime.drills =
          Drills.resume(
              topology.getStatus(),
              runtime.state,
              now,
              clock,
              drillMetrics,
              synthetic,
              watermark,
              frontDoorMetrics,
              drillIo);
      runtime.catchUps = new FailbackCatchUps(clock, watermark, drillIo, catchUpMetrics);
    }
    List<String> configErrors = syncLinks(spec, membership, policy, runtime);
    BucketLayouts.Decision decision;
    try {
      Membership routedNow = membership;
      Policy timing = policy;
      decision =
          BucketLayouts.decide(
              runtime.layout,
              topology.getStatus() != null,
              spec.getPlacement(),
              routedNow.accepted(),
              () -> tables(runtime, routedNow, timing),
              runtime.state.epoch(),
              now);
    } catch (IllegalArgumentException e) {
      return invalid(topology, e.getMessage(), now);
    }
    if (!decision.fixed()) {
      log.warn("RegionTopology {}: {}", name, decision.message());
      return held(topology, "BucketLayoutPending", decision.message(), policy, now);
    }
    runtime.layout = decision.layout();
    if (decision.isNew()) {
      boolean adopted = runtime.layout.getSource() == LayoutSource.RoutingTable;
      if (adopted) {
        log.warn("RegionTopology {}: {}", name, decision.message());
      } else {
        log.info("RegionTopology {}: {}", name, decision.message());
      }
      event(
          topology,
          adopted ? "BucketLayoutAdopted" : "BucketLayoutFixed",
          decision.message(),
          adopted ? "Warning" : "Normal");
    }
    List<RegionSpec> acceptedBefore = membership.accepted();
    RegionLifecycle.Outcome outcome =
        runtime.lifecycle.advance(
            spec.getRegions(),
            membership,
            runtime.layout,
            runtime.state,
            runtime.links,
            probeTimeout(policy),
            now);
    membership = outcome.membership();
    runtime.layout = outcome.layout();
    runtime.accepted = membership.accepted();
    if (!names(acceptedBefore).equals(membership.acceptedNames())) {
      try {
        policy = Policies.of(spec, membership.accepted());
      } catch (IllegalArgumentException e) {
        return invalid(topology, e.getMessage(), now);
      }
      for (RegionSpec region : acceptedBefore) {
        if (!membership.acceptedNames().contains(region.getName())) {
          forget(runtime, region.getName());
        }
      }
    }
    for (RegionLifecycle.Change change : outcome.changes()) {
      log.info("RegionTopology {}: {}", name, change.message());
      event(topology, change.reason(), change.message(), "Normal");
    }
    notify(topology, runtime, outcome.notices());
    List<BucketAssignment> bucketMap = bucketMap(name, runtime, membership);
    RegionTopology routed = routed(topology, membership.accepted());
    DrillSettings drillSettings = null;
    String drillPolicyError = null;
    try {
      drillSettings = DrillSettings.of(topology.getSpec().getDrillPolicy());
    } catch (IllegalArgumentException e) {
      drillPolicyError = e.getMessage();
    }
    Drills.EventSink drillEvents =
        (reason, message, type) -> event(topology, reason, message, type);

    renewLeases(runtime, policy, now);
    Map<String, Probe> probes = probe(spec, membership, policy, runtime, configErrors);
    guardDirectories(topology, runtime, membership, policy, probes, now);
    Map<String, Instant> leaseWrites;
    synchronized (runtime) {
      probes.forEach(
          (region, probe) -> {
            if (probe.healthy()) {
              runtime.renewalsInDoubt.remove(region);
            }
          });
      leaseWrites = Map.copyOf(runtime.leaseWrites);
    }

    Observation observation =
        new Observation(
            now,
            probes,
            leaseWrites,
            approvals(topology, APPROVE_FAILOVER),
            approvals(topology, APPROVE_FAILBACK),
            runtime.drills.request(
                routed, drillSettings, drillPolicyError, runtime.state, now, drillEvents),
            runtime.drills.progress(routed, runtime.state),
            runtime.catchUps.readings(
                routed.getSpec(), runtime.state, approvals(topology, SKIP_CATCH_UP)));
    long epochBefore = runtime.state.epoch();
    Step step = new FailoverMachine(policy).step(runtime.state, observation);
    runtime.state = step.next();
    Set<String> newHolders = step.leaseHolders();
    Set<String> previousHolders = runtime.leaseHolders;
    boolean holdersGrew = !previousHolders.containsAll(newHolders);
    runtime.leaseHolders = newHolders;
    // The table goes out first: a region back to Active gets its lease at once, but only after its
    // Redis holds the routing that no longer sends another region's keys to it.
    long epoch =
        publish(
            membership.accepted(),
            runtime.layout.getBuckets(),
            bucketMap,
            runtime,
            now,
            policy.leaseDuration().dividedBy(3));
    if (holdersGrew) {
      synchronized (runtime) {
        newHolders.stream()
            .filter(region -> !previousHolders.contains(region))
            .forEach(region -> runtime.grantedAt.put(region, epoch));
      }
      renewLeases(runtime, policy, now);
    }
    record(topology, step, runtime);
    runtime.catchUps.follow(step, routed.getSpec(), policy);
    runtime.drills.record(step, epochBefore, clock.instant(), drillEvents);
    // Started right after the table went out, so that the RTO is not a probe interval late.
    runtime.drills.measure(routed, drillSettings, policy, runtime.state, runtime.links, bucketMap);

    RegionTopologyStatus status =
        status(topology, policy, runtime, membership, step, configErrors, drillPolicyError, now);
    // Counted from the start of this pass, which a slow or unreachable region may have lengthened.
    Duration next =
        max(
            min(policy.probeInterval(), policy.leaseDuration().dividedBy(3))
                .minus(Duration.between(now, clock.instant())),
            Duration.ofMillis(10));
    if (!materiallyEqual(topology.getStatus(), status)
        || Duration.between(runtime.lastStatusWrite, now).compareTo(HEARTBEAT_WRITE_INTERVAL) > 0) {
      runtime.lastStatusWrite = now;
      RegionTopology patch = new RegionTopology();
      patch.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
      patch.setStatus(status);
      return UpdateControl.patchStatus(patch).rescheduleAfter(next);
    }
    return UpdateControl.<RegionTopology>noUpdate().rescheduleAfter(next);
  }

  @Override
  public DeleteControl cleanup(RegionTopology topology, Context<RegionTopology> context) {
    Runtime runtime = runtimes.remove(topology.getMetadata().getName());
    if (runtime != null) {
      runtime.links.values().forEach(RegionLink::close);
      if (runtime.drills != null) {
        runtime.drills.close(runtime.state);
      }
      if (runtime.catchUps != null) {
        runtime.catchUps.close();
      }
    }
    return DeleteControl.defaultDelete();
  }

  /**
   * Opens a link to the Redis of every routed and every joining region; returns configuration
   * errors naming region and field.
   */
  private List<String> syncLinks(
      RegionTopologySpec spec, Membership membership, Policy policy, Runtime runtime) {
    List<String> errors = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<RegionSpec> regions = new ArrayList<>(membership.accepted());
    regions.addAll(membership.joining());
    for (RegionSpec region : regions) {
      names.add(region.getName());
      String url;
      try {
        url =
            RedisUrls.resolve(
                client, region, membership.field(region.getName(), spec.getRegions()));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
        closeLink(runtime, region.getName());
        continue;
      }
      if (url.equals(runtime.linkUrls.get(region.getName()))
          && runtime.links.containsKey(region.getName())) {
        continue;
      }
      closeLink(runtime, region.getName());
      try {
        boolean cluster = region.getRedis().getMode() == RedisMode.Cluster;
        Duration timeout = min(policy.probeInterval(), Duration.ofSeconds(2));
        runtime.links.put(
            region.getName(), RegionLink.open(region.getName(), url, cluster, timeout));
        runtime.linkUrls.put(region.getName(), url);
      } catch (RuntimeException e) {
        // Unreachable now: probes fail, and the link is retried on the next reconcile.
        log.debug("Cannot connect to the Redis of region {}: {}", region.getName(), e.toString());
      }
    }
    for (String linked : new ArrayList<>(runtime.links.keySet())) {
      if (!names.contains(linked)) {
        closeLink(runtime, linked);
      }
    }
    return errors;
  }

  private void closeLink(Runtime runtime, String region) {
    RegionLink link = runtime.links.remove(region);
    runtime.linkUrls.remove(region);
    synchronized (runtime) {
      runtime.publishedEpoch.remove(region);
    }
    if (link != null) {
      link.close();
    }
  }

  /** Renews, in each lease holder's own Redis, every lease older than a third of its duration. */
  /**
   * Sends a lease renewal to every holder whose last one is a third of the lease old (and, for a
   * region that just became a holder, whose Redis holds the table that made it one), without
   * waiting for slow regions: one unreachable region must not hold up the others' renewals. A
   * renewal counts as held from when it is sent, not when it is answered: one that times out may
   * still arrive and keep the region writing until it was sent + leaseDuration, so a failover waits
   * from there. After one fails, none is sent to that region until it answers a probe, lest an
   * unreachable region's wait be pushed on and on.
   */
  private void renewLeases(Runtime runtime, Policy policy, Instant now) {
    Duration every = policy.leaseDuration().dividedBy(3);
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (String region : runtime.leaseHolders) {
      RegionLink link = runtime.links.get(region);
      if (link == null) {
        continue;
      }
      Instant written = clock.instant();
      synchronized (runtime) {
        Instant last = runtime.leaseWrites.get(region);
        if (runtime.renewalsInDoubt.contains(region)
            || !runtime.directory.holds(region)
            || runtime.publishedEpoch.getOrDefault(region, -1L)
                < runtime.grantedAt.getOrDefault(region, -1L)
            || (last != null && Duration.between(last, now).compareTo(every) < 0)) {
          continue;
        }
        runtime.leaseWrites.merge(region, written, (a, b) -> a.isAfter(b) ? a : b);
      }
      writes.add(
          link.renewLease(written.toEpochMilli(), policy.leaseDuration(), written)
              .toCompletableFuture()
              .thenApply(
                  renewed -> {
                    if (!renewed) {
                      // Its Redis lost the directory marker since the last check: no lease was
                      // written; the next check finds the loss and has the directory copied back.
                      synchronized (runtime) {
                        runtime.renewalsInDoubt.add(region);
                      }
                    }
                    return renewed;
                  })
              .exceptionally(
                  e -> {
                    synchronized (runtime) {
                      runtime.renewalsInDoubt.add(region);
                    }
                    return null;
                  }));
    }
    awaitBriefly(writes, every);
  }

  /**
   * Finds the routed regions whose Redis lost the directory of moved keys and buckets and has it
   * copied back ({@link DirectoryGuard}). Until it is back such a region gets no lease renewal and
   * its probe counts as failed, with why: it does not fail back, and an Active region is failed
   * over to its peer like any failing one if the copy takes longer than 2 × failureThreshold
   * probes. Writes meanwhile: its front-door keeps the lease it was last given until that runs out
   * (at most leaseDuration, counted on its own clock, after the last renewal), and until then it
   * may still take a write for a moved key it now resolves to itself; once the lease runs out it
   * refuses every home write (503 + Retry-After), and other regions' front-doors proxy its keys to
   * it, where they are refused too, until it is failed over (its peer serves them) or its directory
   * is back and renewals resume. A lost directory is found at the first reconcile after Redis
   * answers without it, and the copy starts at once, so that window is short.
   */
  private void guardDirectories(
      RegionTopology topology,
      Runtime runtime,
      Membership membership,
      Policy policy,
      Map<String, Probe> probes,
      Instant now) {
    String name = topology.getMetadata().getName();
    DirectoryGuard.Check check =
        runtime.directory.check(
            membership.acceptedNames(), runtime.links, probeTimeout(policy), now);
    for (String region : check.marked()) {
      log.info(
          "RegionTopology {}: the Redis of region {} is marked as holding the directory of moved"
              + " keys and buckets",
          name,
          region);
    }
    for (DirectoryGuard.Lost lost : check.lost()) {
      directoryLosses.increment();
      log.warn("RegionTopology {}: {}", name, lost.message());
      event(topology, "DirectoryLost", lost.message(), "Warning");
      // The routing table goes out to it again, and its lease waits for that as for a new holder.
      synchronized (runtime) {
        runtime.publishedEpoch.remove(lost.region());
        runtime.grantedAt.put(lost.region(), runtime.state.epoch());
      }
    }
    for (DirectoryGuard.Restored restored : check.restored()) {
      directoryRestores.increment();
      log.warn("RegionTopology {}: {}", name, restored.message());
      event(topology, "DirectoryRestored", restored.message(), "Normal");
    }
    if (!check.withheld().equals(runtime.directoryWithheld)) {
      check
          .withheld()
          .forEach(
              (region, why) -> {
                if (!why.equals(runtime.directoryWithheld.get(region))) {
                  log.info("RegionTopology {}: region {}: {}", name, region, why);
                }
              });
    }
    runtime.directoryWithheld = check.withheld();
    check
        .withheld()
        .forEach(
            (region, why) -> {
              if (probes.containsKey(region)) {
                Probe probe = probes.get(region);
                probes.put(
                    region, new Probe(false, probe.healthy() ? why : probe.detail() + "; " + why));
              }
            });
    // Regions found holding the directory only now (the operator's first reconcile, a copy just
    // finished) get the renewal they were refused at the start of this pass.
    renewLeases(runtime, policy, now);
  }

  /**
   * Waits for {@code writes} at most half of {@code every}: long enough for regions that answer,
   * while writes to a region that does not answer finish in the background.
   */
  private static void awaitBriefly(List<CompletableFuture<?>> writes, Duration every) {
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, every.toMillis() / 2, java.util.concurrent.TimeUnit.MILLISECONDS)
        .join();
  }

  private static long published(Runtime runtime, String region) {
    synchronized (runtime) {
      return runtime.publishedEpoch.getOrDefault(region, -1L);
    }
  }

  /** Probes every routed region (not the joining ones: they are probed before they join). */
  private Map<String, Probe> probe(
      RegionTopologySpec spec,
      Membership membership,
      Policy policy,
      Runtime runtime,
      List<String> configErrors) {
    Duration timeout = probeTimeout(policy);
    Map<String, CompletableFuture<Probe>> running = new LinkedHashMap<>();
    for (RegionSpec region : membership.accepted()) {
      String configError =
          configErrors.stream()
              .filter(e -> e.startsWith("region " + region.getName() + ":"))
              .findFirst()
              .orElse(null);
      running.put(
          region.getName(),
          configError != null
              ? CompletableFuture.completedFuture(new Probe(false, configError))
              : prober.probe(
                  membership.field(region.getName(), spec.getRegions()),
                  region.getFrontDoor().getAdminUrl(),
                  runtime.links.get(region.getName()),
                  timeout));
    }
    Map<String, Probe> probes = new LinkedHashMap<>();
    running.forEach((region, probe) -> probes.put(region, probe.join()));
    return probes;
  }

  /**
   * Publishes the current table to every region whose Redis is behind it. When a region holds a
   * newer epoch than this operator's state (a previous operator published it but its status write
   * was lost), the state moves past it and the table goes out again: otherwise none of this
   * operator's tables would reach that region until its epoch caught up.
   */
  private long publish(
      List<RegionSpec> regions,
      int buckets,
      List<BucketAssignment> bucketMap,
      Runtime runtime,
      Instant now,
      Duration every) {
    if (!runtime.publishable) {
      return runtime.state.epoch();
    }
    long epoch = publishOnce(regions, buckets, bucketMap, runtime, now, every);
    long newer;
    synchronized (runtime) {
      newer = runtime.newerEpochHeld;
    }
    if (newer >= runtime.state.epoch()) {
      log.warn(
          "The regions hold routing epoch {}, newer than this operator's {}; publishing the"
              + " current table at epoch {}",
          newer,
          runtime.state.epoch(),
          newer + 1);
      runtime.state = runtime.state.withEpoch(newer + 1);
      epoch = publishOnce(regions, buckets, bucketMap, runtime, now, every);
    }
    return epoch;
  }

  /** Publishes to the routed regions only: a joining region gets its first table once it joins. */
  private long publishOnce(
      List<RegionSpec> regions,
      int buckets,
      List<BucketAssignment> bucketMap,
      Runtime runtime,
      Instant now,
      Duration every) {
    RoutingTable table = RoutingTables.of(regions, buckets, bucketMap, runtime.state, now);
    List<CompletableFuture<?>> writes = new ArrayList<>();
    Set<String> routed = new HashSet<>(names(regions));
    for (Map.Entry<String, RegionLink> link : runtime.links.entrySet()) {
      if (!routed.contains(link.getKey())) {
        continue;
      }
      long known = published(runtime, link.getKey());
      if (known >= table.epoch()) {
        continue;
      }
      writes.add(
          link.getValue()
              .publish(table)
              .toCompletableFuture()
              .thenAccept(
                  held -> {
                    synchronized (runtime) {
                      runtime.publishedEpoch.put(link.getKey(), held);
                      if (held > table.epoch()) {
                        runtime.newerEpochHeld = Math.max(runtime.newerEpochHeld, held);
                      }
                    }
                    if (held > table.epoch()) {
                      log.warn(
                          "Region {} holds routing epoch {}, newer than this operator's {}",
                          link.getKey(),
                          held,
                          table.epoch());
                    }
                  })
              .exceptionally(e -> null));
    }
    awaitBriefly(writes, every);
    return table.epoch();
  }

  /** Events for transitions and new refusals; metrics. */
  private void record(RegionTopology topology, Step step, Runtime runtime) {
    for (Transition transition : step.transitions()) {
      transitions.increment();
      if (transition.to() == RegionPhase.FailedOver) {
        failovers.increment();
      }
      log.info(
          "Region {}: {} -> {}{} ({}): {}",
          transition.region(),
          transition.from(),
          transition.to(),
          transition.servedBy() == null ? "" : ", served by " + transition.servedBy(),
          transition.reason(),
          transition.message());
      event(topology, transition.reason(), transition.message(), "Normal");
    }
    Set<String> current = new HashSet<>();
    for (Refusal refusal : step.refusals()) {
      String key = refusal.region() + "/" + refusal.reason();
      current.add(key);
      if (!runtime.refusals.contains(key)) {
        refusals.increment();
        if (refusal.warning()) {
          log.warn("Region {}: {}: {}", refusal.region(), refusal.reason(), refusal.message());
        } else {
          log.info("Region {}: {}: {}", refusal.region(), refusal.reason(), refusal.message());
        }
        event(
            topology,
            refusal.reason(),
            refusal.message(),
            refusal.warning() ? "Warning" : "Normal");
      }
    }
    runtime.refusals = current;
  }

  private void event(RegionTopology topology, String reason, String message, String type) {
    Events.record(client, topology, "default", reason, message, type, clock.instant());
  }

  private RegionTopologyStatus status(
      RegionTopology topology,
      Policy policy,
      Runtime runtime,
      Membership membership,
      Step step,
      List<String> configErrors,
      String drillPolicyError,
      Instant now) {
    RegionTopologyStatus previous =
        topology.getStatus() == null ? new RegionTopologyStatus() : topology.getStatus();
    RegionTopologyStatus status = new RegionTopologyStatus();
    long generation =
        topology.getMetadata().getGeneration() == null ? 0 : topology.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setRoutingEpoch(runtime.state.epoch());
    status.setBucketLayout(runtime.layout);
    status.setAcceptedRegions(membership.accepted());
    List<RegionStatus> regionStatuses = StatusMapper.regions(runtime.state, policy);
    Map<String, Integer> homed = homedBuckets(runtime);
    for (RegionStatus region : regionStatuses) {
      region.setHomedBuckets(homed == null ? null : homed.getOrDefault(region.getName(), 0));
      region.setRemovalPending(membership.isLeaving(region.getName()) ? Boolean.TRUE : null);
      String withheld = runtime.directoryWithheld.get(region.getName());
      if (withheld != null) {
        region.setMessage(withheld);
      }
    }
    status.setRegions(regionStatuses);
    status.setSummary(StatusMapper.summary(runtime.state));
    status.setDrills(runtime.drills.records());

    List<RegionState> regions = new ArrayList<>(runtime.state.regions().values());
    List<String> notActive =
        regions.stream()
            .filter(r -> r.phase() != RegionPhase.Active)
            .map(r -> r.name() + " " + r.phase())
            .toList();
    List<String> inProgress =
        regions.stream()
            .filter(r -> r.phase() == RegionPhase.Fenced || r.phase() == RegionPhase.Recovering)
            .map(r -> r.name() + " " + r.phase())
            .toList();
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            previous,
            "Ready",
            configErrors.isEmpty() && notActive.isEmpty(),
            configErrors.isEmpty()
                ? (notActive.isEmpty() ? "AllRegionsActive" : "RegionsNotActive")
                : "InvalidRegionConfig",
            configErrors.isEmpty()
                ? (notActive.isEmpty()
                    ? "every region serves its own keys"
                    : "not active: " + String.join(", ", notActive))
                : String.join("; ", configErrors),
            generation,
            now));
    conditions.add(
        condition(
            previous,
            "Degraded",
            !notActive.isEmpty() || !configErrors.isEmpty(),
            notActive.isEmpty()
                ? (configErrors.isEmpty() ? "AllRegionsActive" : "InvalidRegionConfig")
                : "RegionsNotActive",
            notActive.isEmpty() ? String.join("; ", configErrors) : String.join(", ", notActive),
            generation,
            now));
    conditions.add(
        condition(
            previous,
            "FailoverInProgress",
            !inProgress.isEmpty(),
            inProgress.isEmpty() ? "Idle" : "InProgress",
            String.join(", ", inProgress),
            generation,
            now));
    List<String> refused =
        step.refusals().stream()
            .map(r -> r.region() + ": " + r.message())
            .collect(Collectors.toList());
    conditions.add(
        condition(
            previous,
            "FailoverRefused",
            !refused.isEmpty(),
            refused.isEmpty()
                ? "None"
                : step.refusals().stream()
                    .map(Refusal::reason)
                    .distinct()
                    .collect(Collectors.joining(",")),
            String.join("; ", refused),
            generation,
            now));
    Drills.InProgress drill = runtime.drills.inProgress(runtime.state);
    conditions.add(
        condition(
            previous,
            "DrillInProgress",
            drill.running(),
            drill.reason(),
            drill.message(),
            generation,
            now));
    conditions.add(
        condition(
            previous,
            "DrillPolicyValid",
            drillPolicyError == null,
            drillPolicyError == null ? "Valid" : "InvalidDrillPolicy",
            drillPolicyError == null ? "spec.drillPolicy can be used" : drillPolicyError,
            generation,
            now));
    List<String> reasons = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    if (!runtime.publishable) {
      reasons.add("LayoutNamesUnknownRegion");
      messages.add(runtime.layoutProblem);
    }
    for (RegionLifecycle.Notice notice : runtime.notices) {
      if (!reasons.contains(notice.reason())) {
        reasons.add(notice.reason());
      }
      messages.add(notice.message());
    }
    conditions.add(
        condition(
            previous,
            "RegionsValid",
            reasons.isEmpty(),
            reasons.isEmpty() ? "AllRegionsRouted" : String.join(",", reasons),
            reasons.isEmpty()
                ? "every region of spec.regions is routed, and no region removed from it is"
                : String.join("; ", messages),
            generation,
            now));
    status.setConditions(conditions);
    return status;
  }

  /** Buckets each region homes: the layout and the bucket entries last read; null before then. */
  private static Map<String, Integer> homedBuckets(Runtime runtime) {
    var entries = runtime.lifecycle.buckets();
    if (entries == null || runtime.layout == null || !runtime.publishable) {
      return null;
    }
    return BucketLayouts.homedBuckets(runtime.layout, entries);
  }

  /**
   * The routing table's bucket map from the layout. A layout that names a region the operator does
   * not route (adopted from a table, or laid out from Explicit ranges naming a region that has left
   * spec.regions) cannot be published: front-doors refuse a table homing buckets in an unknown
   * region. Until that is fixed no table goes out and the RegionsValid condition says why.
   */
  private static List<BucketAssignment> bucketMap(
      String topology, Runtime runtime, Membership membership) {
    String problem;
    List<BucketAssignment> map = List.of();
    try {
      map = BucketLayouts.bucketMap(runtime.layout);
      List<String> unknown = new ArrayList<>(BucketLayouts.regions(runtime.layout));
      unknown.removeAll(membership.acceptedNames());
      problem =
          unknown.isEmpty()
              ? null
              : "status.bucketLayout homes buckets in "
                  + String.join(", ", unknown)
                  + ", which "
                  + (unknown.size() == 1 ? "is" : "are")
                  + " not in spec.regions; no routing table is published until "
                  + (unknown.size() == 1 ? "it is" : "they are")
                  + " added back (with front-door and Redis), after which "
                  + (unknown.size() == 1 ? "its" : "their")
                  + " buckets can be moved away and "
                  + (unknown.size() == 1 ? "it" : "they")
                  + " removed";
    } catch (IllegalArgumentException e) {
      problem = "status.bucketLayout cannot be used: " + e.getMessage();
    }
    if (problem != null && runtime.publishable) {
      log.error("RegionTopology {}: {}", topology, problem);
    }
    runtime.publishable = problem == null;
    runtime.layoutProblem = problem;
    return map;
  }

  /** The topology as the operator routes it: spec.regions replaced by the accepted regions. */
  private static RegionTopology routed(RegionTopology topology, List<RegionSpec> accepted) {
    RegionTopologySpec spec = topology.getSpec();
    RegionTopologySpec routed = new RegionTopologySpec();
    routed.setRegions(new ArrayList<>(accepted));
    routed.setPlacement(spec.getPlacement());
    routed.setFailover(spec.getFailover());
    routed.setDrill(spec.getDrill());
    routed.setDrillPolicy(spec.getDrillPolicy());
    RegionTopology view = new RegionTopology();
    view.setMetadata(topology.getMetadata());
    view.setSpec(routed);
    view.setStatus(topology.getStatus());
    return view;
  }

  /**
   * Each routed region's routing table, read at once: empty where its Redis holds none, absent
   * where it did not answer in time.
   */
  private Map<String, Optional<RoutingTable>> tables(
      Runtime runtime, Membership membership, Policy policy) {
    Map<String, CompletableFuture<Optional<RoutingTable>>> reads = new LinkedHashMap<>();
    for (String region : membership.acceptedNames()) {
      RegionLink link = runtime.links.get(region);
      if (link != null) {
        reads.put(region, link.routingTable().toCompletableFuture());
      }
    }
    long deadline = System.nanoTime() + probeTimeout(policy).toNanos();
    Map<String, Optional<RoutingTable>> answers = new LinkedHashMap<>();
    reads.forEach(
        (region, read) -> {
          try {
            answers.put(
                region,
                read.get(
                    Math.max(1, deadline - System.nanoTime()),
                    java.util.concurrent.TimeUnit.NANOSECONDS));
          } catch (Exception e) {
            log.debug("Cannot read the routing table of region {}: {}", region, e.toString());
          }
        });
    return answers;
  }

  /** Warns (log and Event) once about each problem of a joining or leaving region. */
  private void notify(
      RegionTopology topology, Runtime runtime, List<RegionLifecycle.Notice> notices) {
    runtime.notices = notices;
    Set<String> current = new HashSet<>();
    for (RegionLifecycle.Notice notice : notices) {
      if (!notice.problem()) {
        continue;
      }
      String key = notice.region() + "\n" + notice.reason() + "\n" + notice.message();
      current.add(key);
      if (!runtime.warned.contains(key)) {
        log.warn(
            "RegionTopology {}: region {}: {}: {}",
            topology.getMetadata().getName(),
            notice.region(),
            notice.reason(),
            notice.message());
        event(topology, notice.reason(), notice.message(), "Warning");
      }
    }
    runtime.warned = current;
  }

  /** Stops routing, leasing and probing a region that left. */
  private void forget(Runtime runtime, String region) {
    closeLink(runtime, region);
    runtime.directory.forget(region);
    synchronized (runtime) {
      runtime.leaseWrites.remove(region);
      runtime.grantedAt.remove(region);
      runtime.renewalsInDoubt.remove(region);
    }
  }

  private static Duration probeTimeout(Policy policy) {
    return min(policy.probeInterval(), Duration.ofSeconds(2));
  }

  private static List<String> names(List<RegionSpec> regions) {
    return regions.stream().map(RegionSpec::getName).toList();
  }

  /** A condition whose lastTransitionTime only moves when its status does. */
  private static Condition condition(
      RegionTopologyStatus previous,
      String type,
      boolean isTrue,
      String reason,
      String message,
      long generation,
      Instant now) {
    String value = isTrue ? "True" : "False";
    String since = now.toString();
    if (previous.getConditions() != null) {
      for (Condition old : previous.getConditions()) {
        if (type.equals(old.getType()) && value.equals(old.getStatus())) {
          since = old.getLastTransitionTime();
        }
      }
    }
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason.replaceAll("[^A-Za-z0-9_,]", ""))
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  /** Equal but for heartbeat times, which alone do not justify a write. */
  static boolean materiallyEqual(RegionTopologyStatus before, RegionTopologyStatus after) {
    if (before == null) {
      return false;
    }
    return Objects.equals(before.getRoutingEpoch(), after.getRoutingEpoch())
        && Objects.equals(before.getObservedGeneration(), after.getObservedGeneration())
        && Objects.equals(before.getSummary(), after.getSummary())
        && Objects.equals(strip(before), strip(after))
        && Objects.equals(Drills.material(before.getDrills()), Drills.material(after.getDrills()))
        && Objects.equals(before.getBucketLayout(), after.getBucketLayout())
        && Objects.equals(
            JSON.valueToTree(before.getAcceptedRegions()),
            JSON.valueToTree(after.getAcceptedRegions()))
        && Objects.equals(before.getConditions(), after.getConditions());
  }

  private static List<String> strip(RegionTopologyStatus status) {
    List<String> regions = new ArrayList<>();
    if (status.getRegions() != null) {
      status
          .getRegions()
          .forEach(
              r ->
                  regions.add(
                      String.join(
                          "|",
                          r.getName(),
                          String.valueOf(r.getPhase()),
                          String.valueOf(r.getServedBy()),
                          String.valueOf(r.getFailoverTarget()),
                          String.valueOf(r.getConsecutiveFailures()),
                          String.valueOf(r.getHealthySince() == null),
                          String.valueOf(r.getPhaseSince()),
                          String.valueOf(r.getMessage()),
                          String.valueOf(r.getHomedBuckets()),
                          String.valueOf(r.getRemovalPending()))));
    }
    return regions;
  }

  private UpdateControl<RegionTopology> invalid(
      RegionTopology topology, String message, Instant now) {
    log.error(
        "RegionTopology {} cannot be acted on: {}", topology.getMetadata().getName(), message);
    return standstill(topology, "InvalidSpec", message, now, Duration.ofSeconds(30));
  }

  /** Nothing is done until a condition outside the spec clears; tried again after a probe. */
  private UpdateControl<RegionTopology> held(
      RegionTopology topology, String reason, String message, Policy policy, Instant now) {
    return standstill(topology, reason, message, now, policy.probeInterval());
  }

  /**
   * Status with Ready=False for a reconcile that acts on nothing. What the operator has recorded
   * (regions, layout, accepted regions, drills) is written back as it is: the status is one patch,
   * and a field left out would be dropped.
   */
  private UpdateControl<RegionTopology> standstill(
      RegionTopology topology, String reason, String message, Instant now, Duration retry) {
    RegionTopologyStatus previous =
        topology.getStatus() == null ? new RegionTopologyStatus() : topology.getStatus();
    Runtime runtime = runtimes.get(topology.getMetadata().getName());
    RegionTopologyStatus status = new RegionTopologyStatus();
    status.setRegions(previous.getRegions());
    status.setRoutingEpoch(previous.getRoutingEpoch());
    status.setSummary(previous.getSummary());
    status.setDrills(previous.getDrills());
    status.setBucketLayout(
        runtime != null && runtime.layout != null ? runtime.layout : previous.getBucketLayout());
    status.setAcceptedRegions(
        runtime != null && runtime.accepted != null
            ? runtime.accepted
            : previous.getAcceptedRegions());
    long generation =
        topology.getMetadata().getGeneration() == null ? 0 : topology.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setConditions(
        List.of(condition(previous, "Ready", false, reason, message, generation, now)));
    RegionTopology patch = new RegionTopology();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(topology.getMetadata().getName())
            .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch).rescheduleAfter(retry);
  }

  private static Set<String> approvals(RegionTopology topology, String annotation) {
    Map<String, String> annotations = topology.getMetadata().getAnnotations();
    if (annotations == null || annotations.get(annotation) == null) {
      return Set.of();
    }
    return Arrays.stream(annotations.get(annotation).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  private static Set<String> holders(TopologyState state) {
    Set<String> holders = new HashSet<>();
    state
        .regions()
        .values()
        .forEach(
            r -> {
              if (r.phase() == RegionPhase.Active || r.phase() == RegionPhase.Suspect) {
                holders.add(r.name());
              }
            });
    return holders;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
