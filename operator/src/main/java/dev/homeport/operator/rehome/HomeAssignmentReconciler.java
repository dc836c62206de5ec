package dev.homeport.operator.rehome;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Durations;
import dev.homeport.contract.KeyHash;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.HomeAssignmentSpec;
import dev.homeport.crds.v1alpha1.spec.RedisMode;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionState;
import dev.homeport.crds.v1alpha1.spec.Subject;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.operator.Events;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.region.RedisUrls;
import dev.homeport.operator.region.RegionLink;
import dev.homeport.operator.rehome.Regions.Unfinished;
import dev.homeport.operator.routing.BucketLayouts;
import dev.homeport.operator.routing.BucketSpan;
import dev.homeport.operator.topology.Membership;
import dev.homeport.operator.topology.Policies;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves keys to a new home region, batch by batch, through the re-homing protocol:
 *
 * <ol>
 *   <li><b>Fencing</b>: every region's directory marks the batch's keys fenced (their home
 *       unchanged), then a barrier waits until every live front-door instance has dropped what it
 *       cached for them and finished the writes it had begun: from then on no front-door accepts a
 *       write for them.
 *   <li><b>Draining</b>: waits until the new home's application has applied the old home's writes
 *       up to the fence (the regions' {@code replicationProbe}; without one, no wait).
 *   <li><b>Switching</b>: writes the new home, unfenced, into every region's directory. After the
 *       barrier a front-door can only hold the fenced entry (refuses) or the new one (routes to the
 *       new home), so the old home can never take a write again.
 * </ol>
 *
 * Progress is in status before each step acts, so a restarted operator resumes where it stopped: a
 * batch that did not reach Switching within {@code maxWriteUnavailability} of its fence rolls back;
 * one that reached Switching always completes. Deleting an in-flight assignment does the same for
 * the batch in flight; batches already moved stay moved.
 */
@ControllerConfiguration(name = "homeassignment")
public final class HomeAssignmentReconciler
    implements Reconciler<HomeAssignment>, Cleaner<HomeAssignment>, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HomeAssignmentReconciler.class);

  private static final Set<HomeAssignmentPhase> MOVING =
      EnumSet.of(
          HomeAssignmentPhase.Validating,
          HomeAssignmentPhase.Fencing,
          HomeAssignmentPhase.Draining,
          HomeAssignmentPhase.Switching);

  /** Prefixes of the units moves claim, so a key and a bucket never share a claim. */
  private static final String KEY_CLAIM = "key:";

  private static final String BUCKET_CLAIM = "bucket:";

  /** How long a write that must reach every region keeps being retried in one reconcile. */
  private static final Duration ROLL_FORWARD = Duration.ofSeconds(10);

  private static final Duration RETRY = Duration.ofSeconds(5);
  private static final Duration DRAIN_POLL = Duration.ofMillis(20);

  private final KubernetesClient client;
  private final Clock clock;
  private final ReplicationWatermark watermark = new ReplicationWatermark();
  private final Map<String, RegionLink> links = new ConcurrentHashMap<>();

  /** By assignment (namespace/name): its newest status not yet handed to the API server. */
  private final Map<String, HomeAssignment> unwritten = new ConcurrentHashMap<>();

  /** By assignment (namespace/name): the status write that recorded its last moved batch. */
  private final Map<String, Future<?>> checkpoints = new ConcurrentHashMap<>();

  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "homeassignment-status-writer");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Units claimed by moves this operator validated: {@code key:<key>} or {@code bucket:<n>} →
   * assignment (namespace/name).
   */
  private final Map<String, String> claims = new HashMap<>();

  private final Counter movedKeys;
  private final Timer unavailability;
  private final MeterRegistry registry;

  public HomeAssignmentReconciler(KubernetesClient client, Clock clock, MeterRegistry registry) {
    this.client = client;
    this.clock = clock;
    this.registry = registry;
    this.movedKeys =
        Counter.builder("homeport.rehome.keys.moved")
            .description("Keys switched to a new home region")
            .register(registry);
    this.unavailability =
        Timer.builder("homeport.rehome.write.unavailability")
            .description("How long a batch of moving keys refused writes, fence to switch")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** What one reconcile knows about the topology it moves keys in. */
  private record Setting(
      RegionTopology topology, Regions regions, Map<String, RegionStatus> statuses, long epoch) {}

  @Override
  public UpdateControl<HomeAssignment> reconcile(
      HomeAssignment assignment, Context<HomeAssignment> context) {
    HomeAssignmentStatus status = status(assignment);
    HomeAssignmentPhase phase = status.getPhase();
    if (phase != null && phase.finished()) {
      return UpdateControl.noUpdate();
    }
    Setting setting;
    try {
      setting = setting();
    } catch (IllegalStateException | IllegalArgumentException e) {
      return waiting(assignment, "TopologyUnavailable", e.getMessage());
    }
    try {
      setting.regions().loadBuckets(deadline(ROLL_FORWARD));
      int next;
      Batches batches;
      if (phase == null
          || phase == HomeAssignmentPhase.Validating
          || status.getTotalBatches() == null) {
        batches = validate(assignment, setting);
        if (batches == null) {
          return UpdateControl.noUpdate();
        }
        next = 1;
      } else {
        batches = batches(assignment, setting, status.getTotalKeys());
        claim(ref(assignment), batches);
        next = resume(assignment, setting, batches);
        if (next < 0) {
          return UpdateControl.noUpdate();
        }
      }
      return move(assignment, setting, batches, next);
    } catch (Unfinished e) {
      log.warn("HomeAssignment {}: {}", ref(assignment), e.getMessage());
      status(assignment).setMessage(e.getMessage());
      patchStatus(assignment);
      return UpdateControl.<HomeAssignment>noUpdate().rescheduleAfter(RETRY);
    }
  }

  @Override
  public DeleteControl cleanup(HomeAssignment assignment, Context<HomeAssignment> context) {
    HomeAssignmentStatus status = assignment.getStatus();
    HomeAssignmentPhase phase = status == null ? null : status.getPhase();
    if (phase == HomeAssignmentPhase.Fencing
        || phase == HomeAssignmentPhase.Draining
        || phase == HomeAssignmentPhase.Switching) {
      try {
        Setting setting = setting();
        setting.regions().loadBuckets(deadline(ROLL_FORWARD));
        Batches batches = batches(assignment, setting, status.getTotalKeys());
        List<String> keys = batches.batch(status.getCurrentBatch());
        if (phase == HomeAssignmentPhase.Switching) {
          switchKeys(assignment, setting, batches.space(), keys, null, deadline(ROLL_FORWARD));
          event(
              assignment,
              "DeletedAfterSwitch",
              "deleted while switching batch "
                  + status.getCurrentBatch()
                  + ": its "
                  + keys.size()
                  + " "
                  + batches.space().many
                  + " completed their move to "
                  + assignment.getSpec().getToRegion()
                  + "; earlier batches stay moved",
              Events.NORMAL);
        } else {
          rollBack(assignment, setting, batches.space(), keys, deadline(ROLL_FORWARD));
          event(
              assignment,
              "DeletedRolledBack",
              "deleted while moving batch "
                  + status.getCurrentBatch()
                  + ": its "
                  + batches.space().many
                  + " went back to their old homes; "
                  + status.getMovedKeys()
                  + " keys of earlier batches stay at "
                  + assignment.getSpec().getToRegion(),
              Events.NORMAL);
        }
      } catch (Unfinished | IllegalStateException | IllegalArgumentException e) {
        log.warn(
            "HomeAssignment {} is being deleted but its batch in flight cannot be settled yet: {}",
            ref(assignment),
            e.getMessage());
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY);
      }
    }
    release(ref(assignment));
    return DeleteControl.defaultDelete();
  }

  @Override
  public void close() {
    writer.shutdown();
    links.values().forEach(RegionLink::close);
    links.clear();
  }

  // ---- Validation ----------------------------------------------------------------------------

  /**
   * Validates the move, claims its units and cuts its batches; null when the assignment failed
   * validation.
   */
  private Batches validate(HomeAssignment assignment, Setting setting) throws Unfinished {
    HomeAssignmentStatus status = status(assignment);
    Instant now = clock.instant();
    Subject subject = assignment.getSpec().getSubject();
    if (status.getPhase() != HomeAssignmentPhase.Validating) {
      status.setPhase(HomeAssignmentPhase.Validating);
      status.setPhaseStartedAt(now.toString());
      status.setStartedAt(now.toString());
      status.setObservedGeneration(assignment.getMetadata().getGeneration());
      status.setMessage("validating the target region, residency and overlapping moves");
      patchStatus(assignment);
      event(
          assignment,
          "Validating",
          "validating a move of "
              + (subject.getKeys() != null
                  ? subject.getKeys().size() + " keys"
                  : "buckets " + String.join(", ", subject.getBuckets()))
              + " to "
              + assignment.getSpec().getToRegion(),
          Events.NORMAL);
    }
    Batches batches;
    try {
      batches = batches(assignment, setting, null);
    } catch (IllegalArgumentException e) {
      return failed(assignment, "InvalidSubject", e.getMessage());
    }
    Space space = batches.space();
    List<String> units = batches.units();
    String problem = targetProblem(assignment.getSpec(), setting);
    String reason = "TargetUnavailable";
    Map<String, DirectoryEntry> entries = null;
    if (problem == null) {
      entries = setting.regions().entries(space, units, deadline(ROLL_FORWARD));
      problem = residencyProblem(assignment, setting, space, units, entries);
      reason = "ResidencyViolation";
    }
    if (problem == null) {
      synchronized (claims) {
        problem = overlapProblem(assignment, setting, batches);
        reason = "OverlappingMove";
        if (problem == null) {
          claim(ref(assignment), batches);
        }
      }
    }
    if (problem != null) {
      return failed(assignment, reason, problem);
    }
    String counted = "";
    if (space == Space.BUCKETS) {
      Long keys = countKeys(setting, units, entries);
      batches = batches(assignment, setting, keys);
      counted =
          keys != null
              ? "; the buckets hold " + keys + " keys, as the applications report them"
              : "; the applications report no key counts (replicationProbe ?buckets=), so"
                  + " spec.rate is read as buckets per second and totalKeys counts buckets";
    }
    setCondition(
        assignment,
        "Valid",
        "True",
        "Validated",
        "target "
            + assignment.getSpec().getToRegion()
            + " is Active and allows the "
            + space.many
            + "' residency"
            + counted);
    status.setTotalKeys(batches.totalKeys());
    status.setTotalBatches(batches.count());
    status.setBatchSize((int) batches.keysPerBatch());
    status.setUnitsPerBatch(batches.size());
    status.setMovedKeys(0L);
    status.setCurrentBatch(1);
    return batches;
  }

  private Batches failed(HomeAssignment assignment, String reason, String problem) {
    HomeAssignmentStatus status = status(assignment);
    status.setPhase(HomeAssignmentPhase.Failed);
    status.setFinishedAt(clock.instant().toString());
    status.setMessage(problem);
    setCondition(assignment, "Valid", "False", reason, problem);
    patchStatus(assignment);
    event(assignment, reason, problem, Events.WARNING);
    registry.counter("homeport.rehome.assignments", "outcome", "failed").increment();
    return null;
  }

  /**
   * The batches of the assignment's subject.
   *
   * @param totalKeys for buckets, the keys they hold as validation counted them (status.totalKeys);
   *     null when not counted
   * @throws IllegalArgumentException naming the field, for bucket ranges outside the topology
   */
  private static Batches batches(HomeAssignment assignment, Setting setting, Long totalKeys) {
    Subject subject = assignment.getSpec().getSubject();
    int rate = assignment.getSpec().getRate();
    // A move under way keeps the batches it was validated with (null before validation).
    Integer units =
        assignment.getStatus() == null || assignment.getStatus().getTotalBatches() == null
            ? null
            : assignment.getStatus().getUnitsPerBatch();
    if (subject.getKeys() != null) {
      return Batches.ofKeys(subject.getKeys(), rate, units);
    }
    return Batches.ofBuckets(
        buckets(subject.getBuckets(), setting.regions().buckets(), setting),
        totalKeys,
        rate,
        units);
  }

  /** Every bucket of {@code ranges} ("7", "0-511"), in order. */
  private static List<Integer> buckets(List<String> ranges, int count, Setting setting) {
    List<Integer> buckets = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      String range = ranges.get(i);
      BucketSpan span = BucketSpan.parse(range);
      if (span.to() >= count || span.from() > span.to()) {
        throw new IllegalArgumentException(
            "spec.subject.buckets["
                + i
                + "] ("
                + range
                + "): RegionTopology "
                + setting.topology().getMetadata().getName()
                + " has "
                + count
                + " buckets, 0-"
                + (count - 1));
      }
      for (int bucket = span.from(); bucket <= span.to(); bucket++) {
        buckets.add(bucket);
      }
    }
    return buckets;
  }

  /** The spec field a unit comes from, for messages: {@code spec.subject.keys[3] (user-9)}. */
  private static String field(HomeAssignment assignment, Space space, String unit) {
    Subject subject = assignment.getSpec().getSubject();
    if (space == Space.KEYS) {
      return "spec.subject.keys[" + subject.getKeys().indexOf(unit) + "] (" + unit + ")";
    }
    int bucket = Integer.parseInt(unit);
    List<String> ranges = subject.getBuckets();
    for (int i = 0; i < ranges.size(); i++) {
      if (BucketSpan.parse(ranges.get(i)).contains(bucket)) {
        return "spec.subject.buckets[" + i + "] (" + ranges.get(i) + "): bucket " + unit;
      }
    }
    return "bucket " + unit;
  }

  /**
   * The keys the buckets hold, summed from what each bucket's current home region's application
   * reports; null when one of them reports none.
   */
  private Long countKeys(Setting setting, List<String> units, Map<String, DirectoryEntry> entries)
      throws Unfinished {
    Map<String, List<Integer>> bySource = new TreeMap<>();
    for (String unit : units) {
      bySource
          .computeIfAbsent(
              setting.regions().home(Space.BUCKETS, unit, entries.get(unit)),
              home -> new ArrayList<>())
          .add(Integer.valueOf(unit));
    }
    long total = 0;
    for (Map.Entry<String, List<Integer>> source : bySource.entrySet()) {
      RegionSpec spec = setting.regions().spec(source.getKey());
      String probe = spec == null ? null : spec.getReplicationProbe();
      if (probe == null) {
        return null;
      }
      Map<Integer, Long> counts;
      try {
        counts = watermark.bucketKeys(probe, setting.regions().buckets());
      } catch (IOException e) {
        throw new Unfinished(
            source.getKey(),
            "region " + source.getKey() + ": cannot count the keys per bucket: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unfinished("interrupted while counting keys");
      }
      if (counts == null) {
        return null;
      }
      for (Integer bucket : source.getValue()) {
        total += counts.getOrDefault(bucket, 0L);
      }
    }
    return total;
  }

  private static String targetProblem(HomeAssignmentSpec spec, Setting setting) {
    String target = spec.getToRegion();
    RegionSpec region = setting.regions().spec(target);
    if (region != null && !regionNames(setting).contains(target)) {
      return "spec.toRegion: region "
          + target
          + " is being removed from RegionTopology "
          + setting.topology().getMetadata().getName()
          + " (it is no longer in spec.regions); keys move only to regions that stay: "
          + String.join(", ", regionNames(setting));
    }
    if (region == null) {
      return "spec.toRegion: region "
          + target
          + " is not in RegionTopology "
          + setting.topology().getMetadata().getName()
          + " (regions: "
          + String.join(", ", regionNames(setting))
          + ")";
    }
    if (region.getState() == RegionState.Draining) {
      return "spec.toRegion: region "
          + target
          + " is Draining (spec.regions[].state); a draining region takes no new homes";
    }
    RegionStatus status = setting.statuses().get(target);
    if (status == null || status.getPhase() != RegionPhase.Active || status.getServedBy() != null) {
      return "spec.toRegion: region "
          + target
          + " is "
          + (status == null
              ? "not yet observed by the operator"
              : status.getPhase()
                  + (status.getServedBy() == null
                      ? ""
                      : " (served by " + status.getServedBy() + ")"))
          + "; keys move only to an Active region that is not failed over";
    }
    return null;
  }

  private static String residencyProblem(
      HomeAssignment assignment,
      Setting setting,
      Space space,
      List<String> units,
      Map<String, DirectoryEntry> entries) {
    HomeAssignmentSpec spec = assignment.getSpec();
    RegionSpec target = setting.regions().spec(spec.getToRegion());
    Set<String> allowed = new TreeSet<>(target.getAcceptsResidency());
    allowed.add(target.getResidency());
    if (spec.getResidency() != null) {
      return allowed.contains(spec.getResidency())
          ? null
          : "spec.residency: residency "
              + spec.getResidency()
              + " does not allow region "
              + spec.getToRegion()
              + " (residency "
              + target.getResidency()
              + ", accepts "
              + target.getAcceptsResidency()
              + ")";
    }
    for (String unit : units) {
      String home = setting.regions().home(space, unit, entries.get(unit));
      RegionSpec homeSpec = setting.regions().spec(home);
      String residency = homeSpec == null ? null : homeSpec.getResidency();
      if (residency != null && !allowed.contains(residency)) {
        return field(assignment, space, unit)
            + ": its home "
            + home
            + " has residency "
            + residency
            + ", which region "
            + spec.getToRegion()
            + " does not allow (residency "
            + target.getResidency()
            + ", accepts "
            + target.getAcceptsResidency()
            + "); set spec.residency only if the "
            + space.many
            + "' data may leave "
            + residency;
      }
    }
    return null;
  }

  /**
   * A unit claimed by another move, in this process or (after a restart) in the API server. A
   * bucket move and a key move overlap when the key is in the bucket: the key's home may be the
   * bucket's.
   */
  private String overlapProblem(HomeAssignment assignment, Setting setting, Batches batches) {
    String self = ref(assignment);
    Map<String, String> others = new HashMap<>();
    claims.forEach(
        (claim, owner) -> {
          if (!owner.equals(self)) others.put(claim, owner);
        });
    for (HomeAssignment other :
        client.resources(HomeAssignment.class).inAnyNamespace().list().getItems()) {
      String otherRef = ref(other);
      if (otherRef.equals(self)
          || other.getStatus() == null
          || !MOVING.contains(other.getStatus().getPhase())) {
        continue;
      }
      try {
        for (String claim : claimsOf(batches(other, setting, null))) {
          others.putIfAbsent(claim, otherRef);
        }
      } catch (IllegalArgumentException e) {
        // its subject does not fit the topology: it fails its own validation and moves nothing
      }
    }
    Map<String, String> bucketsOfKeys = new HashMap<>();
    others.forEach(
        (claim, owner) -> {
          if (claim.startsWith(KEY_CLAIM)) {
            String key = claim.substring(KEY_CLAIM.length());
            bucketsOfKeys.putIfAbsent(
                BUCKET_CLAIM + KeyHash.bucket(key, setting.regions().buckets()), owner);
          }
        });
    Space space = batches.space();
    for (String unit : batches.units()) {
      String owner;
      String why = "";
      if (space == Space.KEYS) {
        owner = others.get(KEY_CLAIM + unit);
        if (owner == null) {
          int bucket = KeyHash.bucket(unit, setting.regions().buckets());
          owner = others.get(BUCKET_CLAIM + bucket);
          why = " (its bucket " + bucket + ")";
        }
      } else {
        owner = others.get(BUCKET_CLAIM + unit);
        if (owner == null) {
          owner = bucketsOfKeys.get(BUCKET_CLAIM + unit);
          why = " (a key in it)";
        }
      }
      if (owner != null) {
        return field(assignment, space, unit)
            + " is already moving"
            + why
            + " in HomeAssignment "
            + owner
            + "; wait until it finishes";
      }
    }
    return null;
  }

  private static List<String> claimsOf(Batches batches) {
    String prefix = batches.space() == Space.KEYS ? KEY_CLAIM : BUCKET_CLAIM;
    List<String> claimed = new ArrayList<>(batches.units().size());
    batches.units().forEach(unit -> claimed.add(prefix + unit));
    return claimed;
  }

  // ---- Moving ---------------------------------------------------------------------------------

  /**
   * Settles a batch left in flight by an earlier reconcile (an operator restart); returns the batch
   * to move next, or -1 when the assignment rolled back.
   */
  private int resume(HomeAssignment assignment, Setting setting, Batches batches)
      throws Unfinished {
    HomeAssignmentStatus status = status(assignment);
    int index = status.getCurrentBatch();
    List<String> keys = batches.batch(index);
    if (status.getPhase() == HomeAssignmentPhase.Switching) {
      finishSwitch(assignment, setting, batches, index, null, Instant.parse(status.getFencedAt()));
      return index + 1;
    }
    Instant fencedAt = status.getFencedAt() == null ? null : Instant.parse(status.getFencedAt());
    if (fencedAt != null && clock.instant().isAfter(fencedAt.plus(maxUnavailable(assignment)))) {
      rollBack(assignment, setting, batches.space(), keys, deadline(ROLL_FORWARD));
      finishRolledBack(
          assignment,
          batches,
          keys,
          "the operator resumed batch "
              + status.getCurrentBatch()
              + " after its fence had lasted longer than maxWriteUnavailability ("
              + assignment.getSpec().getMaxWriteUnavailability()
              + ")");
      return -1;
    }
    return index; // Pending between batches, or Fencing/Draining within the deadline: redo it
  }

  private UpdateControl<HomeAssignment> move(
      HomeAssignment assignment, Setting setting, Batches batches, int first) throws Unfinished {
    HomeAssignmentStatus status = status(assignment);
    if (status.getPhase() != null && status.getPhase().finished()) {
      return UpdateControl.noUpdate();
    }
    Instant started = Instant.parse(status.getStartedAt());
    for (int index = first; index <= batches.count(); index++) {
      if (deleted(assignment)) {
        return UpdateControl.noUpdate(); // cleanup settles the batch in flight
      }
      Instant due = started.plus(batches.earliestStart(index));
      Duration wait = Duration.between(clock.instant(), due);
      if (!wait.isNegative()) {
        Regions.pause(wait);
      }
      status.setCurrentBatch(index);
      if (!moveBatch(assignment, setting, batches, index)) {
        return UpdateControl.noUpdate();
      }
    }
    status.setPhase(HomeAssignmentPhase.Completed);
    status.setCurrentBatch(batches.count());
    Instant now = clock.instant();
    status.setPhaseStartedAt(now.toString());
    status.setFinishedAt(now.toString());
    status.setFencedAt(null);
    status.setMessage(
        status.getMovedKeys()
            + (batches.space() == Space.KEYS
                ? " keys"
                : " keys in " + batches.units().size() + " buckets")
            + " now home in "
            + assignment.getSpec().getToRegion()
            + "; longest write unavailability "
            + status.getWriteUnavailability());
    patchStatus(assignment);
    release(ref(assignment));
    event(assignment, "Completed", status.getMessage(), Events.NORMAL);
    registry.counter("homeport.rehome.assignments", "outcome", "completed").increment();
    return UpdateControl.noUpdate();
  }

  /** Moves one batch; false when it rolled back (the assignment is then finished). */
  private boolean moveBatch(HomeAssignment assignment, Setting setting, Batches batches, int index)
      throws Unfinished {
    HomeAssignmentStatus status = status(assignment);
    Space space = batches.space();
    List<String> keys = batches.batch(index);
    // A batch redone after a restart keeps the time of its first fence: the deadline stands.
    Instant fencedAt =
        status.getFencedAt() != null ? Instant.parse(status.getFencedAt()) : clock.instant();
    Instant deadline = fencedAt.plus(maxUnavailable(assignment));
    String self = ref(assignment);
    boolean first = index == 1;
    long[] timings = new long[3]; // since the fence write began: written, barrier, drained
    Map<String, DirectoryEntry> known = new HashMap<>(); // each key's entry as last written
    try {
      status.setFencedAt(fencedAt.toString());
      enter(
          assignment,
          HomeAssignmentPhase.Fencing,
          first,
          "fencing batch "
              + index
              + " of "
              + batches.count()
              + " ("
              + keys.size()
              + " "
              + space.many
              + ")");
      Map<String, DirectoryEntry> entries = setting.regions().entries(space, keys, deadline);
      known.putAll(entries);
      Map<String, DirectoryEntry> fences = new LinkedHashMap<>();
      Map<String, Set<String>> oldHomes = new HashMap<>();
      for (String key : keys) {
        DirectoryEntry entry = entries.get(key);
        if (entry != null && entry.fenced() && !self.equals(entry.movedBy())) {
          throw new Unfinished(
              space.one + " " + key + " is fenced by another move, " + entry.movedBy());
        }
        String home = setting.regions().home(space, key, entry);
        if (home.equals(assignment.getSpec().getToRegion()) && (entry == null || !entry.fenced())) {
          continue; // already home there
        }
        fences.put(key, DirectoryEntry.fenced(home, nextEpoch(setting, entry), self));
        oldHomes.computeIfAbsent(home, h -> new TreeSet<>()).add(key);
      }
      long start = System.nanoTime();
      setting.regions().write(space, fences, deadline);
      known.putAll(fences);
      timings[0] = System.nanoTime() - start;
      if (!fences.isEmpty()) {
        setting.regions().barrier(space, List.copyOf(fences.keySet()), deadline);
      }
      timings[1] = System.nanoTime() - start;

      enter(
          assignment,
          HomeAssignmentPhase.Draining,
          first,
          "draining batch "
              + index
              + ": waiting for replication from "
              + oldHomes.keySet()
              + " to "
              + assignment.getSpec().getToRegion());
      drain(assignment, setting, oldHomes.keySet(), deadline);
      timings[2] = System.nanoTime() - start;
    } catch (Unfinished e) {
      rollBack(assignment, setting, space, keys, deadline(ROLL_FORWARD));
      finishRolledBack(
          assignment,
          batches,
          keys,
          "batch "
              + index
              + " could not switch within maxWriteUnavailability ("
              + assignment.getSpec().getMaxWriteUnavailability()
              + "): "
              + e.getMessage());
      return false;
    }
    enter(
        assignment,
        HomeAssignmentPhase.Switching,
        first,
        "switching batch " + index + " to " + assignment.getSpec().getToRegion());
    finishSwitch(assignment, setting, batches, index, known, fencedAt);
    log.info(
        "HomeAssignment {} batch {}/{} ({} {}) moved: fenced at {} ms, barrier passed at {} ms,"
            + " drained at {} ms, switched at {} ms",
        self,
        index,
        batches.count(),
        keys.size(),
        space.many,
        timings[0] / 1_000_000,
        timings[1] / 1_000_000,
        timings[2] / 1_000_000,
        Duration.between(fencedAt, clock.instant()).toMillis());
    return true;
  }

  private void finishSwitch(
      HomeAssignment assignment,
      Setting setting,
      Batches batches,
      int index,
      Map<String, DirectoryEntry> fences,
      Instant fencedAt)
      throws Unfinished {
    HomeAssignmentStatus status = status(assignment);
    List<String> keys = batches.batch(index);
    switchKeys(assignment, setting, batches.space(), keys, fences, deadline(ROLL_FORWARD));
    Duration unavailable = Duration.between(fencedAt, clock.instant());
    unavailability.record(unavailable);
    movedKeys.increment(batches.keysBefore(index + 1) - batches.keysBefore(index));
    String longest = status.getWriteUnavailability();
    if (longest == null || Durations.parse(longest).compareTo(unavailable) < 0) {
      status.setWriteUnavailability(unavailable.toMillis() + "ms");
    }
    status.setMovedKeys(batches.keysBefore(index + 1));
    status.setFencedAt(null);
    if (index < batches.count()) {
      status.setPhase(HomeAssignmentPhase.Pending);
      status.setPhaseStartedAt(clock.instant().toString());
      status.setCurrentBatch(index + 1);
      status.setMessage(
          "batch "
              + index
              + " of "
              + batches.count()
              + " moved with "
              + unavailable.toMillis()
              + " ms of write unavailability; the next waits for spec.rate");
      // Behind, as every status write within a move: waiting here for the API server (which
      // rewrites the whole object, key list included) would hold up the next batch. The status
      // lags by one batch at most: the previous batch's write must have landed first. A restart
      // redoes from the batch the status names, and redoing a moved batch moves nothing.
      Future<?> previous = checkpoints.put(ref(assignment), patchStatusBehind(assignment));
      if (previous != null) {
        awaitWritten(previous);
      }
    }
  }

  private void drain(
      HomeAssignment assignment, Setting setting, Set<String> oldHomes, Instant deadline)
      throws Unfinished {
    String target = assignment.getSpec().getToRegion();
    String targetProbe = setting.regions().spec(target).getReplicationProbe();
    for (String old : oldHomes) {
      String oldProbe = setting.regions().spec(old).getReplicationProbe();
      if (oldProbe == null || targetProbe == null) {
        continue; // documented no-op: no replication watermark to wait for
      }
      try {
        long fence = watermark.position(oldProbe);
        while (watermark.applied(targetProbe, old) < fence) {
          if (clock.instant().isAfter(deadline)) {
            throw new Unfinished(
                "region "
                    + target
                    + " had not applied region "
                    + old
                    + "'s writes up to position "
                    + fence
                    + " (its replicationProbe)");
          }
          Regions.pause(DRAIN_POLL);
        }
      } catch (IOException e) {
        throw new Unfinished(
            "replication probe of region " + old + " or " + target + " failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unfinished("interrupted while draining");
      }
    }
  }

  /**
   * Every key of the batch takes the new home, unfenced, in every region; idempotent. The entry is
   * written even where it equals the bucket's region: its epoch, above the fence's, is what tells a
   * later rollback that the switch had begun.
   *
   * @param known the entries as this reconcile last wrote them, or null to read them
   */
  private void switchKeys(
      HomeAssignment assignment,
      Setting setting,
      Space space,
      List<String> keys,
      Map<String, DirectoryEntry> known,
      Instant deadline)
      throws Unfinished {
    String target = assignment.getSpec().getToRegion();
    Map<String, DirectoryEntry> entries =
        known != null ? known : setting.regions().entries(space, keys, deadline);
    Map<String, DirectoryEntry> settled = new LinkedHashMap<>();
    for (String key : keys) {
      settled.put(key, DirectoryEntry.settled(target, nextEpoch(setting, entries.get(key))));
    }
    setting.regions().write(space, settled, deadline);
  }

  /**
   * Keys still fenced by this assignment go back to their old home, unfenced; keys whose switch had
   * begun in some region (the new home, at a later epoch) complete it instead. Idempotent.
   */
  private void rollBack(
      HomeAssignment assignment, Setting setting, Space space, List<String> keys, Instant deadline)
      throws Unfinished {
    String self = ref(assignment);
    Map<String, DirectoryEntry> entries = setting.regions().entries(space, keys, deadline);
    Map<String, DirectoryEntry> restored = new LinkedHashMap<>();
    String target = assignment.getSpec().getToRegion();
    for (String key : keys) {
      DirectoryEntry entry = entries.get(key);
      if (entry != null && entry.fenced() && self.equals(entry.movedBy())) {
        restored.put(
            key,
            entry.home().equals(setting.regions().home(space, key, null))
                ? null
                : DirectoryEntry.settled(entry.home(), nextEpoch(setting, entry)));
      } else if (entry != null && !entry.fenced() && entry.home().equals(target)) {
        restored.put(key, entry);
      }
    }
    setting.regions().write(space, restored, deadline);
  }

  private void finishRolledBack(
      HomeAssignment assignment, Batches batches, List<String> keys, String why) {
    HomeAssignmentStatus status = status(assignment);
    Instant now = clock.instant();
    status.setPhase(HomeAssignmentPhase.RolledBack);
    status.setPhaseStartedAt(now.toString());
    status.setFinishedAt(now.toString());
    status.setFencedAt(null);
    String message =
        why
            + "; its "
            + keys.size()
            + " "
            + batches.space().many
            + " are back at their old homes"
            + (status.getMovedKeys() != null && status.getMovedKeys() > 0
                ? ", "
                    + status.getMovedKeys()
                    + " keys of earlier batches stay at "
                    + assignment.getSpec().getToRegion()
                : "");
    status.setMessage(message);
    setCondition(assignment, "RolledBack", "True", "Timeout", message);
    patchStatus(assignment);
    release(ref(assignment));
    event(assignment, "RolledBack", message, Events.WARNING);
    registry.counter("homeport.rehome.assignments", "outcome", "rolled_back").increment();
  }

  // ---- Helpers --------------------------------------------------------------------------------

  /**
   * Records a phase, behind and in order, so that writing status never lengthens a fence. Safety
   * does not rest on it: a restart reads the directory itself (fenced by this move, or switched at
   * a later epoch) and only uses the phase to know where to look.
   */
  private void enter(
      HomeAssignment assignment, HomeAssignmentPhase phase, boolean announce, String message) {
    HomeAssignmentStatus status = status(assignment);
    status.setPhase(phase);
    status.setPhaseStartedAt(clock.instant().toString());
    status.setMessage(message);
    patchStatusBehind(assignment);
    if (announce) {
      event(assignment, phase.name(), message, Events.NORMAL);
    }
  }

  private Setting setting() {
    List<RegionTopology> topologies = client.resources(RegionTopology.class).list().getItems();
    RegionTopology topology;
    if (topologies.size() == 1) {
      topology = topologies.get(0);
    } else {
      topology =
          topologies.stream()
              .filter(t -> "global".equals(t.getMetadata().getName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          topologies.isEmpty()
                              ? "no RegionTopology exists; create one before moving keys"
                              : "several RegionTopologies exist and none is named global; keys move within the one named global"));
    }
    Policy policy = Policies.of(topology.getSpec());
    BucketLayout layout =
        topology.getStatus() == null ? null : topology.getStatus().getBucketLayout();
    if (layout == null) {
      throw new IllegalStateException(
          "RegionTopology "
              + topology.getMetadata().getName()
              + " has no status.bucketLayout yet; the operator records it when it first"
              + " reconciles the topology");
    }
    // Every region whose front-doors may route: spec.regions (a joining region too, so that no
    // move it could miss begins once it is listed) and the regions removed from spec.regions that
    // are still routed until they home nothing (their front-doors must see fences and switches).
    List<RegionSpec> specRegions = topology.getSpec().getRegions();
    Membership membership =
        Membership.of(
            specRegions,
            topology.getStatus() == null ? null : topology.getStatus().getAcceptedRegions());
    List<RegionSpec> regions = new ArrayList<>(membership.accepted());
    regions.addAll(membership.joining());
    Map<String, RegionLink> regionLinks = new LinkedHashMap<>();
    Map<String, RegionSpec> specs = new LinkedHashMap<>();
    for (RegionSpec region : regions) {
      specs.put(region.getName(), region);
      String url =
          RedisUrls.resolve(client, region, membership.field(region.getName(), specRegions));
      boolean cluster = region.getRedis().getMode() == RedisMode.Cluster;
      try {
        regionLinks.put(
            region.getName(),
            links.computeIfAbsent(
                region.getName() + "\n" + url,
                k -> RegionLink.open(region.getName(), url, cluster, Duration.ofSeconds(2))));
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "cannot reach the Redis of region " + region.getName() + ": " + e.getMessage(), e);
      }
    }
    Map<String, RegionStatus> statuses = new HashMap<>();
    long epoch = 0;
    if (topology.getStatus() != null) {
      topology.getStatus().getRegions().forEach(r -> statuses.put(r.getName(), r));
      epoch =
          topology.getStatus().getRoutingEpoch() == null
              ? 0
              : topology.getStatus().getRoutingEpoch();
    }
    Regions view =
        new Regions(
            regionLinks,
            specs,
            BucketLayouts.bucketMap(layout),
            layout.getBuckets(),
            policy.leaseDuration().plus(policy.skewMargin()));
    return new Setting(topology, view, statuses, epoch);
  }

  private static long nextEpoch(Setting setting, DirectoryEntry previous) {
    return Math.max(setting.epoch(), previous == null ? 0 : previous.epoch() + 1);
  }

  private static List<String> regionNames(Setting setting) {
    List<String> names = new ArrayList<>();
    setting.topology().getSpec().getRegions().forEach(r -> names.add(r.getName()));
    return names;
  }

  private void claim(String owner, Batches batches) {
    synchronized (claims) {
      claimsOf(batches).forEach(claim -> claims.putIfAbsent(claim, owner));
    }
  }

  private void release(String owner) {
    checkpoints.remove(owner);
    synchronized (claims) {
      claims.values().removeIf(owner::equals);
    }
  }

  private boolean deleted(HomeAssignment assignment) {
    HomeAssignment current = client.resource(assignment).get();
    return current == null || current.getMetadata().getDeletionTimestamp() != null;
  }

  private Instant deadline(Duration from) {
    return clock.instant().plus(from);
  }

  private static Duration maxUnavailable(HomeAssignment assignment) {
    return Durations.parse(assignment.getSpec().getMaxWriteUnavailability());
  }

  private UpdateControl<HomeAssignment> waiting(
      HomeAssignment assignment, String reason, String message) {
    HomeAssignmentStatus status = status(assignment);
    if (status.getPhase() == null || !message.equals(status.getMessage())) {
      status.setPhase(status.getPhase() == null ? HomeAssignmentPhase.Pending : status.getPhase());
      status.setMessage(message);
      setCondition(assignment, "Valid", "Unknown", reason, message);
      patchStatus(assignment);
      event(assignment, reason, message, Events.WARNING);
    }
    return UpdateControl.<HomeAssignment>noUpdate().rescheduleAfter(Duration.ofSeconds(10));
  }

  private void setCondition(
      HomeAssignment assignment, String type, String value, String reason, String message) {
    HomeAssignmentStatus status = status(assignment);
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    Condition existing =
        conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    if (existing != null
        && existing.getStatus().equals(value)
        && existing.getReason().equals(reason)
        && existing.getMessage().equals(message)) {
      return;
    }
    conditions.remove(existing);
    conditions.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withLastTransitionTime(clock.instant().toString())
            .withObservedGeneration(assignment.getMetadata().getGeneration())
            .build());
    status.setConditions(conditions);
  }

  private static HomeAssignmentStatus status(HomeAssignment assignment) {
    if (assignment.getStatus() == null) {
      assignment.setStatus(new HomeAssignmentStatus());
    }
    return assignment.getStatus();
  }

  /** Writes the status and waits for it (merge patch, no resourceVersion: one leader writes). */
  private void patchStatus(HomeAssignment assignment) {
    awaitWritten(patchStatusBehind(assignment));
  }

  /**
   * Queues a status write; writes are applied one at a time, in the order they were queued. A write
   * still queued when a newer one for the same assignment arrives is skipped: each carries the
   * whole status, so the newer one says everything it would have. (Every write makes the API server
   * rewrite the whole object, key list included; a fast move queues several per batch.) The future
   * completes once this status, or a newer one, is written.
   */
  private Future<?> patchStatusBehind(HomeAssignment assignment) {
    HomeAssignment patch = new HomeAssignment();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(assignment.getMetadata().getName())
            .withNamespace(assignment.getMetadata().getNamespace())
            .build());
    patch.setStatus(client.getKubernetesSerialization().clone(assignment.getStatus()));
    String ref = ref(assignment);
    unwritten.put(ref, patch);
    return writer.submit(
        () -> {
          HomeAssignment latest = unwritten.remove(ref);
          if (latest != null) {
            client.resource(latest).patchStatus();
          }
        });
  }

  private static void awaitWritten(Future<?> written) {
    try {
      written.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing status", e);
    }
  }

  /** Events are recorded behind, off the path of a fenced batch. */
  private void event(HomeAssignment assignment, String reason, String message, String type) {
    Instant now = clock.instant();
    writer.execute(
        () ->
            Events.record(
                client,
                assignment,
                assignment.getMetadata().getNamespace(),
                reason,
                message,
                type,
                now));
  }

  private static String ref(HomeAssignment assignment) {
    return assignment.getMetadata().getNamespace() + "/" + assignment.getMetadata().getName();
  }
}
