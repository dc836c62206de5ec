package dev.homeport.operator.drill;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Durations;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import dev.homeport.operator.failover.DrillEvent;
import dev.homeport.operator.failover.DrillProgress;
import dev.homeport.operator.failover.DrillRequest;
import dev.homeport.operator.failover.DrillState;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.failover.Step;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.failover.Transition;
import dev.homeport.operator.region.RegionLink;
import dev.homeport.operator.rehome.ReplicationWatermark;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drills of one RegionTopology, between reconciles: their reports ({@code status.drills[]}) and
 * the measurements of the running one. Before each machine step it turns {@code spec.drill}, {@code
 * spec.drillPolicy} and the abort annotation into the machine's drill inputs (refusing drills the
 * machine need not see: invalid policy, blocked window); after each step it records what the
 * machine did, then measures the phase the drill is now in (replication catch-up, synthetic
 * requests, users' requests in the front-doors' metrics, abort thresholds, timeouts) for the next
 * step.
 *
 * <p>Not thread-safe: a topology is reconciled by one thread at a time.
 */
public final class Drills {

  /** Annotation that aborts the running drill whose id it names. */
  public static final String ABORT_ANNOTATION = "homeport.dev/abort-drill";

  private static final Logger log = LoggerFactory.getLogger(Drills.class);

  /** Between the rounds of synthetic requests of one verification task. */
  private static final Duration ROUND_PAUSE = Duration.ofMillis(50);

  /** The drill's note when the front-doors' metrics cannot be read for want of a token. */
  public static final String NO_TOKEN_NOTE =
      "front-door metrics were not read: the operator has no front-door admin token ("
          + FrontDoorMetricsReader.TOKEN_VARIABLE
          + " is not set); abortIf judged the synthetic requests only";

  /** Receives the Kubernetes Events of drills. */
  @FunctionalInterface
  public interface EventSink {
    void event(String reason, String message, String type);
  }

  /** What this operator measured of the running drill; lost on restart, rebuilt from its record. */
  private static final class Measure {
    final String id;
    final SyntheticStats stats = new SyntheticStats();
    List<String> keys;
    DrillPhase phase;
    Instant phaseSeenAt;
    long countFromEpoch;
    Long fencePosition;
    Long lagAtCut;
    Instant cutAt;
    Duration rpo;
    Duration rto;
    String waitingFor;
    final Set<String> notes = new LinkedHashSet<>();

    /** The I/O under way for the drill; taken in by the next {@link #measure} once done. */
    CompletableFuture<Found> task;

    /**
     * Users' requests through the front-doors since the flip; opened on entering Verifying (or on
     * resuming in Holding), null before and once closed.
     */
    FrontDoorWindow window;

    boolean windowClosed;

    /** The read of every front-door's metrics under way; taken in like {@link #task}. */
    CompletableFuture<List<FrontDoorMetricsReader.Read>> metricsTask;

    Instant nextMetricsRead = Instant.EPOCH;

    /** Regions whose metrics could not be read, already noted. */
    final Set<String> unread = new HashSet<>();

    // Results for the next machine step, valid while the drill is still in `phase`.
    boolean caughtUp;
    boolean verified;
    DrillProgress.Stop stop;

    Measure(String id) {
      this.id = id;
    }

    void enter(DrillPhase next, Instant now) {
      phase = next;
      phaseSeenAt = now;
      caughtUp = false;
      verified = false;
      stop = null;
      waitingFor = null;
    }
  }

  private final Clock clock;
  private final DrillMetrics metrics;
  private final SyntheticProbe probe;
  private final ReplicationWatermark watermark;
  private final FrontDoorMetricsReader frontDoorMetrics;
  private final Executor io;
  private final List<DrillRecord> records;
  private DrillSettings lastSettings;
  private Measure measure;

  private Drills(
      Clock clock,
      DrillMetrics metrics,
      SyntheticProbe probe,
      ReplicationWatermark watermark,
      FrontDoorMetricsReader frontDoorMetrics,
      Executor io,
      List<DrillRecord> records) {
    this.clock = clock;
    this.metrics = metrics;
    this.probe = probe;
    this.watermark = watermark;
    this.frontDoorMetrics = frontDoorMetrics;
    this.io = io;
    this.records = records;
  }

  /**
   * The drills as the status records them. A Running record other than {@code running} (the drill
   * the machine resumed) ends Failed: a restarted operator cannot tell what it had done.
   */
  public static Drills resume(
      RegionTopologyStatus status,
      TopologyState state,
      Instant now,
      Clock clock,
      DrillMetrics metrics,
      SyntheticProbe probe,
      ReplicationWatermark watermark,
      FrontDoorMetricsReader frontDoorMetrics,
      Executor io) {
    List<DrillRecord> records =
        status == null || status.getDrills() == null
            ? new ArrayList<>()
            : new ArrayList<>(status.getDrills());
    Drills drills = new Drills(clock, metrics, probe, watermark, frontDoorMetrics, io, records);
    DrillState running = state.drill();
    for (DrillRecord record : records) {
      if (record.getResult() != DrillResult.Running
          || (running != null && running.id().equals(record.getId()))) {
        continue;
      }
      record.setResult(DrillResult.Failed);
      record.setPendingResult(null);
      record.setFinishedAt(now.toString());
      record.setReason(
          String.format(
              "the operator restarted and could not resume the drill from its record (phase %s);"
                  + " the failover rules decide for its region from here",
              record.getPhase()));
      metrics.ended(DrillResult.Failed);
    }
    if (running != null) {
      DrillRecord record = DrillRecords.running(records, running.id());
      Measure measure = new Measure(running.id());
      measure.stats.resume(
          record.getSyntheticRequests() == null ? 0 : record.getSyntheticRequests(),
          record.getErrors() == null ? 0 : record.getErrors());
      measure.countFromEpoch = lastEpoch(record.getEpochs(), state.epoch());
      if (record.getNotes() != null) {
        measure.notes.addAll(record.getNotes());
      }
      drills.measure = measure;
      metrics.running(running.region(), true);
      log.info(
          "Resuming drill {} on {} in phase {}; the wait for its lease restarts now",
          running.id(),
          running.region(),
          running.phase());
    }
    return drills;
  }

  /** The reports for {@code status.drills[]}, newest last. */
  public List<DrillRecord> records() {
    return DrillRecords.bounded(records);
  }

  /**
   * The drill to offer the machine: {@code spec.drill} unless it already has a finished record.
   * Drills the machine need not see are refused here: an invalid {@code spec.drillPolicy} or
   * holdFor, a blocked window, or an abort requested before the drill started.
   *
   * @param settingsError why {@code spec.drillPolicy} cannot be used; null when it can
   */
  public DrillRequest request(
      RegionTopology topology,
      DrillSettings settings,
      String settingsError,
      TopologyState state,
      Instant now,
      EventSink events) {
    DrillSpec spec = topology.getSpec().getDrill();
    if (spec == null || spec.getId() == null || spec.getRegion() == null) {
      return null;
    }
    String id = spec.getId();
    if (DrillRecords.finished(records, id)
        || (state.drill() != null && state.drill().id().equals(id))) {
      return null;
    }
    String refusal = settingsError;
    Duration holdFor = DrillSettings.DEFAULT_HOLD;
    try {
      holdFor = DrillSettings.holdFor(spec);
    } catch (IllegalArgumentException e) {
      refusal = refusal == null ? e.getMessage() : refusal;
    }
    if (state.drill() != null) {
      // The machine refuses it, naming the running drill.
      return new DrillRequest(id, spec.getRegion(), holdFor);
    }
    if (id.equals(annotation(topology, ABORT_ANNOTATION))) {
      DrillState aborted =
          unstarted(
              spec,
              holdFor,
              now,
              DrillResult.Aborted,
              String.format(
                  "aborted before it started (annotation %s: %s); nothing was changed",
                  ABORT_ANNOTATION, id));
      DrillRecord record = DrillRecords.of(aborted);
      DrillRecords.end(record, aborted, now);
      add(record);
      metrics.ended(DrillResult.Aborted);
      events.event("DrillAborted", DrillRecords.summary(record), "Warning");
      return null;
    }
    if (refusal != null) {
      refusal = "spec is invalid: " + refusal;
    } else if (settings != null) {
      refusal = BlockedWindows.covering(settings.blockedWindows(), now).orElse(null);
    }
    if (refusal != null) {
      refuse(unstarted(spec, holdFor, now, DrillResult.Refused, refusal), events);
      return null;
    }
    return new DrillRequest(id, spec.getRegion(), holdFor);
  }

  /** The machine's inputs about the running drill: what {@link #measure} found, and aborts. */
  public DrillProgress progress(RegionTopology topology, TopologyState state) {
    DrillState drill = state.drill();
    if (drill == null) {
      return DrillProgress.NONE;
    }
    DrillProgress.Stop stop = null;
    if (!drill.stopping() && drill.id().equals(annotation(topology, ABORT_ANNOTATION))) {
      stop =
          new DrillProgress.Stop(
              DrillResult.Aborted,
              String.format("aborted by hand (annotation %s: %s)", ABORT_ANNOTATION, drill.id()));
    }
    Measure m = measure;
    if (m == null || !m.id.equals(drill.id()) || m.phase != drill.phase()) {
      return new DrillProgress(stop, false, false);
    }
    collect(m, drill);
    return new DrillProgress(stop != null ? stop : m.stop, m.caughtUp, m.verified);
  }

  /** Records what the machine did to drills in {@code step}: reports, Events, metrics. */
  public void record(Step step, long epochBefore, Instant now, EventSink events) {
    List<DrillEvent> ended = new ArrayList<>();
    for (DrillEvent event : step.drillEvents()) {
      DrillState drill = event.drill();
      switch (event.kind()) {
        case STARTED -> {
          DrillRecord record = DrillRecords.of(drill);
          record.setEpochs(epochBefore + "→" + step.next().epoch());
          add(record);
          measure = new Measure(drill.id());
          measure.countFromEpoch = step.next().epoch();
          metrics.running(drill.region(), true);
          log.info("Drill {} started: {}", drill.id(), event.message());
          events.event("DrillStarted", event.message(), "Normal");
        }
        case REFUSED -> refuse(drill, events);
        case PHASE, STOPPING -> {
          DrillRecord record = DrillRecords.running(records, drill.id());
          if (record != null) {
            DrillRecords.update(record, drill);
          }
          log.info("Drill {}: {}: {}", drill.id(), drill.phase(), event.message());
        }
        default -> ended.add(event);
      }
    }
    trackEpochs(step);
    for (DrillEvent event : ended) {
      DrillState drill = event.drill();
      DrillRecord record = DrillRecords.running(records, drill.id());
      if (record == null) {
        record = DrillRecords.of(drill);
        add(record);
      }
      if (measure != null && measure.id.equals(drill.id())) {
        write(record, measure);
      }
      DrillRecords.end(record, drill, now);
      metrics.ended(drill.result());
      metrics.running(drill.region(), false);
      String summary = DrillRecords.summary(record);
      log.info("{}", summary);
      events.event(
          "Drill" + drill.result(),
          summary,
          drill.result() == DrillResult.Succeeded ? "Normal" : "Warning");
      if (measure != null && measure.id.equals(drill.id())) {
        measure = null;
      }
    }
  }

  /**
   * Measures the phase the running drill is in now, for the next step. The I/O (replication probe,
   * synthetic requests, picking keys, the front-doors' metrics) runs on {@code io}, never on the
   * reconcile thread, so that a slow or unreachable front-door cannot hold up lease renewals; what
   * a finished task found is taken in here (abortIf and timeouts are judged here too), and the next
   * task is started.
   *
   * @param settings {@code spec.drillPolicy}; null when invalid (the last valid one is used)
   * @param bucketMap the routing table's bucket map ({@code status.bucketLayout}), from which the
   *     drill's synthetic keys are picked
   */
  public void measure(
      RegionTopology topology,
      DrillSettings settings,
      Policy policy,
      TopologyState state,
      Map<String, RegionLink> links,
      List<BucketAssignment> bucketMap) {
    DrillState drill = state.drill();
    if (drill == null) {
      return;
    }
    if (settings != null) {
      lastSettings = settings;
    }
    DrillSettings use = lastSettings != null ? lastSettings : DrillSettings.of(null);
    if (measure == null || !measure.id.equals(drill.id())) {
      measure = new Measure(drill.id());
      measure.countFromEpoch = state.epoch();
    }
    Measure m = measure;
    Instant now = clock.instant();
    if (m.phase != drill.phase()) {
      m.enter(drill.phase(), now);
    }
    collect(m, drill);
    String missing = missingProbes(topology.getSpec(), drill);
    if (missing != null
        && (drill.phase() == DrillPhase.Fencing || drill.phase() == DrillPhase.CatchingUp)) {
      m.notes.add(missing);
      m.caughtUp = true;
    }
    if (m.task == null && m.stop == null) {
      Work work = work(m, topology, drill, use, policy, links, bucketMap, missing);
      if (work != null) {
        m.task = CompletableFuture.supplyAsync(() -> run(work), io);
      }
    }
    readFrontDoors(m, topology.getSpec(), drill, policy, now);
    timeOut(m, drill, use, now);
    DrillRecord record = DrillRecords.running(records, drill.id());
    if (record != null) {
      write(record, m);
    }
  }

  /**
   * The topology is gone: the I/O of its running drill is dropped and its region no longer counts
   * as drilled.
   */
  public void close(TopologyState state) {
    if (measure != null && measure.task != null) {
      measure.task.cancel(true);
    }
    if (measure != null && measure.metricsTask != null) {
      measure.metricsTask.cancel(true);
    }
    measure = null;
    if (state != null && state.drill() != null) {
      metrics.running(state.drill().region(), false);
    }
  }

  /** The {@code DrillInProgress} condition: whether a drill runs, its phase, and a summary. */
  public InProgress inProgress(TopologyState state) {
    DrillState drill = state.drill();
    if (drill == null) {
      DrillRecord last = records.isEmpty() ? null : records.get(records.size() - 1);
      return new InProgress(
          false, "Idle", last == null ? "no drill has run" : "last: " + DrillRecords.summary(last));
    }
    StringBuilder message =
        new StringBuilder(
            String.format(
                "drill %s on %s (peer %s) is %s since %s",
                drill.id(), drill.region(), drill.peer(), drill.phase(), drill.phaseSince()));
    if (drill.holdUntil() != null && drill.phase() == DrillPhase.Holding) {
      message.append(", holding until ").append(drill.holdUntil());
    }
    if (drill.stopping()) {
      message.append("; stopping (").append(drill.result()).append("): ").append(drill.reason());
    }
    Measure m = measure;
    if (m != null && m.id.equals(drill.id()) && m.waitingFor != null) {
      message.append("; waiting: ").append(m.waitingFor);
    }
    return new InProgress(true, drill.phase().name(), message.toString());
  }

  /**
   * The {@code DrillInProgress} condition's values.
   *
   * @param running whether a drill runs
   * @param reason its phase, or {@code Idle}
   * @param message for people
   */
  public record InProgress(boolean running, String reason, String message) {}

  /**
   * A string per record of what matters to readers, for deciding whether the status changed:
   * request counts and latencies alone wait for the next heartbeat write.
   */
  public static List<String> material(List<DrillRecord> records) {
    List<String> keys = new ArrayList<>();
    if (records != null) {
      for (DrillRecord r : records) {
        keys.add(
            String.join(
                "|",
                String.valueOf(r.getId()),
                String.valueOf(r.getResult()),
                String.valueOf(r.getPhase()),
                String.valueOf(r.getPendingResult()),
                String.valueOf(r.getPeer()),
                String.valueOf(r.getReason()),
                String.valueOf(r.getRto()),
                String.valueOf(r.getRpo()),
                String.valueOf(r.getReplicationLag()),
                String.valueOf(r.getHoldUntil()),
                String.valueOf(r.getFinishedAt()),
                String.valueOf(r.getEpochs()),
                String.valueOf(r.getNotes())));
      }
    }
    return keys;
  }

  private static DrillState unstarted(
      DrillSpec spec, Duration holdFor, Instant now, DrillResult result, String reason) {
    return new DrillState(
        spec.getId(),
        spec.getRegion(),
        null,
        DrillPhase.PreChecks,
        result,
        reason,
        now,
        now,
        holdFor,
        null);
  }

  private void refuse(DrillState refused, EventSink events) {
    DrillRecord record = DrillRecords.of(refused);
    add(record);
    metrics.ended(DrillResult.Refused);
    String summary = DrillRecords.summary(record);
    log.warn("{}", summary);
    events.event("DrillRefused", summary, "Warning");
  }

  private void add(DrillRecord record) {
    records.add(record);
    while (records.size() > DrillRecords.KEEP) {
      records.remove(0);
    }
  }

  /** Appends the epoch of a published table that changed the drilled region. */
  private void trackEpochs(Step step) {
    if (!step.publish()) {
      return;
    }
    Set<String> drillRegions = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (DrillEvent event : step.drillEvents()) {
      if (event.kind() != DrillEvent.Kind.REFUSED && event.kind() != DrillEvent.Kind.STARTED) {
        drillRegions.add(event.drill().region());
        ids.add(event.drill().id());
      }
    }
    DrillState running = step.next().drill();
    if (running != null) {
      drillRegions.add(running.region());
      ids.add(running.id());
    }
    boolean touched = false;
    for (Transition transition : step.transitions()) {
      touched |=
          drillRegions.contains(transition.region()) && !"DrillFenced".equals(transition.reason());
    }
    if (!touched) {
      return;
    }
    long epoch = step.next().epoch();
    for (String id : ids) {
      DrillRecord record = DrillRecords.running(records, id);
      if (record != null && !String.valueOf(record.getEpochs()).endsWith("→" + epoch)) {
        record.setEpochs(
            record.getEpochs() == null ? String.valueOf(epoch) : record.getEpochs() + "→" + epoch);
      }
      if (measure != null && measure.id.equals(id)) {
        measure.countFromEpoch = epoch;
      }
    }
  }

  /** What a task is to find out, captured on the reconcile thread. */
  private record Work(
      String id,
      DrillPhase phase,
      String region,
      String expected,
      List<String> keys,
      KeysWanted keysWanted,
      String regionProbe,
      String peerProbe,
      boolean readFence,
      List<SyntheticProbe.FrontDoor> frontDoors,
      DrillSettings.Synthetic synthetic,
      Duration budget,
      Duration requestTimeout) {}

  /** How to pick the keys, when the drill has none yet. */
  private record KeysWanted(
      List<BucketAssignment> bucketMap, int buckets, int count, RegionLink link) {}

  /** What a task found, taken in on the reconcile thread. */
  private record Found(
      DrillPhase phase,
      List<String> keys,
      String keysNote,
      List<List<SyntheticProbe.Outcome>> rounds,
      Instant servedAt,
      String waitingFor,
      Long fencePosition,
      Instant cutAt,
      long applied,
      Instant appliedAt) {}

  /** The next task for the drill's phase, or null when the phase needs none now. */
  private Work work(
      Measure m,
      RegionTopology topology,
      DrillState drill,
      DrillSettings s,
      Policy policy,
      Map<String, RegionLink> links,
      List<BucketAssignment> bucketMap,
      String missingProbes) {
    RegionTopologySpec spec = topology.getSpec();
    DrillPhase phase = drill.phase();
    boolean catchUp = phase == DrillPhase.CatchingUp && !m.caughtUp && missingProbes == null;
    boolean verify =
        (phase == DrillPhase.Verifying || phase == DrillPhase.VerifyingBack) && !m.verified;
    boolean hold = phase == DrillPhase.Holding;
    if (!catchUp && !verify && !hold) {
      return null;
    }
    KeysWanted keysWanted = null;
    if (!catchUp && m.keys == null) {
      RegionLink link = links.get(drill.region());
      if (link == null && !links.isEmpty()) {
        link = links.values().iterator().next();
      }
      keysWanted =
          new KeysWanted(bucketMap, spec.getPlacement().getBuckets(), s.synthetic().keys(), link);
    }
    RegionSpec regionSpec = region(spec, drill.region());
    RegionSpec peerSpec = region(spec, drill.peer());
    return new Work(
        drill.id(),
        phase,
        drill.region(),
        phase == DrillPhase.VerifyingBack ? drill.region() : drill.peer(),
        m.keys,
        keysWanted,
        regionSpec == null ? null : regionSpec.getReplicationProbe(),
        peerSpec == null ? null : peerSpec.getReplicationProbe(),
        m.fencePosition == null,
        frontDoors(spec),
        s.synthetic(),
        verify ? policy.probeInterval() : Duration.ZERO,
        requestTimeout(policy));
  }

  /** Runs on {@code io}: reads the probe or sends rounds of synthetic requests. Never throws. */
  private Found run(Work work) {
    List<String> keys = work.keys();
    String keysNote = null;
    if (keys == null && work.keysWanted() != null) {
      KeysWanted wanted = work.keysWanted();
      Map<Integer, DirectoryEntry> moved = Map.of();
      Set<String> skip = new HashSet<>();
      if (wanted.link() != null) {
        try {
          moved = wanted.link().allBuckets().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
          keysNote = "bucket entries of moves could not be read; keys were picked by placement";
        }
      }
      keys =
          SyntheticKeys.homedIn(
              work.region(),
              wanted.bucketMap(),
              wanted.buckets(),
              moved,
              work.id(),
              wanted.count(),
              skip);
      if (wanted.link() != null && !keys.isEmpty()) {
        try {
          Map<String, DirectoryEntry> overrides =
              wanted.link().directory(keys).toCompletableFuture().get(2, TimeUnit.SECONDS);
          overrides.forEach(
              (key, entry) -> {
                if (entry != null && !entry.home().equals(work.region())) {
                  skip.add(key);
                }
              });
          if (!skip.isEmpty()) {
            keys =
                SyntheticKeys.homedIn(
                    work.region(),
                    wanted.bucketMap(),
                    wanted.buckets(),
                    moved,
                    work.id(),
                    wanted.count(),
                    skip);
          }
        } catch (Exception e) {
          keysNote = "directory entries could not be read; keys were picked by the bucket map";
        }
      }
    }
    if (work.phase() == DrillPhase.CatchingUp) {
      return catchUp(work);
    }
    List<List<SyntheticProbe.Outcome>> rounds = new ArrayList<>();
    if (keys == null || keys.isEmpty()) {
      return new Found(work.phase(), keys, keysNote, rounds, null, null, null, null, -1, null);
    }
    Instant end = clock.instant().plus(work.budget());
    Instant servedAt = null;
    String waitingFor = null;
    while (true) {
      List<SyntheticProbe.Outcome> round =
          probe.round(work.frontDoors(), keys, work.synthetic(), work.id(), work.requestTimeout());
      Instant done = clock.instant();
      rounds.add(round);
      List<SyntheticProbe.Outcome> unserved =
          round.stream().filter(o -> !o.servedBy(work.expected())).toList();
      if (unserved.isEmpty()) {
        servedAt = done;
        waitingFor = null;
        break;
      }
      waitingFor =
          String.format(
              "%d of %d synthetic requests not yet served by %s: %s",
              unserved.size(),
              round.size(),
              work.expected(),
              unserved.stream()
                  .limit(3)
                  .map(o -> o.key() + " " + o.describe())
                  .collect(Collectors.joining("; ")));
      // Failures are judged against abortIf on the reconcile thread; hand them over at once.
      boolean failures = round.stream().anyMatch(o -> !o.ok());
      if (failures || !done.plus(ROUND_PAUSE).isBefore(end)) {
        break;
      }
      pause(ROUND_PAUSE);
    }
    return new Found(
        work.phase(), keys, keysNote, rounds, servedAt, waitingFor, null, null, -1, null);
  }

  /** Reads the region's position at the cut (once) and how far the peer has applied it. */
  private Found catchUp(Work work) {
    // Once the region's lease has run out with margin its front-doors take no more writes, so its
    // position no longer moves: it is read once.
    ReplicationWatermark.CatchUpReading reading =
        watermark.catchUp(
            work.regionProbe(), work.readFence(), work.peerProbe(), work.region(), clock);
    return new Found(
        work.phase(),
        null,
        null,
        List.of(),
        null,
        reading.error(),
        reading.position(),
        reading.positionAt(),
        reading.applied(),
        reading.appliedAt());
  }

  /** Takes in what the drill's tasks found, once done. */
  private void collect(Measure m, DrillState drill) {
    DrillSettings settings = lastSettings != null ? lastSettings : DrillSettings.of(null);
    if (m.task != null && m.task.isDone()) {
      Found found = m.task.join();
      m.task = null;
      take(m, found, drill, settings);
    }
    if (m.metricsTask != null && m.metricsTask.isDone()) {
      List<FrontDoorMetricsReader.Read> reads =
          m.metricsTask.isCancelled() ? List.of() : m.metricsTask.join();
      m.metricsTask = null;
      if (m.window != null && inWindow(m.phase)) {
        takeReads(m, reads, drill, settings);
      }
    }
  }

  /** The phases in which abortIf applies: the keys are served by the peer. */
  private static boolean inWindow(DrillPhase phase) {
    return phase == DrillPhase.Verifying || phase == DrillPhase.Holding;
  }

  /**
   * Opens, reads and closes the window of the front-doors' metrics. The reads run on {@code io}
   * like the synthetic rounds, one at a time, at most once per probe interval; {@link #collect}
   * takes them in and judges abortIf on them.
   */
  private void readFrontDoors(
      Measure m, RegionTopologySpec spec, DrillState drill, Policy policy, Instant now) {
    if (!inWindow(drill.phase())) {
      if (m.window != null) {
        String summary = m.window.summary();
        if (summary != null) {
          m.notes.add(summary);
        }
        m.window = null;
        m.windowClosed = true;
      }
      return;
    }
    if (m.window == null && !m.windowClosed) {
      // countFromEpoch is the flip's epoch by now: the table that moved the drilled region's keys.
      m.window = new FrontDoorWindow(m.countFromEpoch);
      if (!frontDoorMetrics.configured()) {
        m.notes.add(NO_TOKEN_NOTE);
      }
    }
    if (m.window == null
        || !frontDoorMetrics.configured()
        || m.metricsTask != null
        || m.stop != null
        || now.isBefore(m.nextMetricsRead)) {
      return;
    }
    List<FrontDoorMetricsReader.Endpoint> endpoints = new ArrayList<>();
    for (RegionSpec region : spec.getRegions()) {
      endpoints.add(
          new FrontDoorMetricsReader.Endpoint(
              region.getName(), region.getFrontDoor().getAdminUrl()));
    }
    Duration timeout = requestTimeout(policy);
    m.nextMetricsRead = now.plus(policy.probeInterval());
    m.metricsTask =
        CompletableFuture.supplyAsync(() -> frontDoorMetrics.read(endpoints, timeout), io);
  }

  /** Takes in a read of every front-door: unread ones are noted, then abortIf is judged. */
  private void takeReads(
      Measure m, List<FrontDoorMetricsReader.Read> reads, DrillState drill, DrillSettings s) {
    for (FrontDoorMetricsReader.Read read : reads) {
      if (read.error() != null) {
        metrics.frontDoorReadFailed(read.region());
        if (m.unread.add(read.region())) {
          // Not an abort: whether the region is reachable is the health prober's to judge.
          m.notes.add(
              String.format(
                  "front-door metrics of %s could not be read (%s); its requests are missing from"
                      + " abortIf's figures while so",
                  read.region(), read.error()));
          log.warn(
              "Drill {}: cannot read the front-door metrics of {}: {}",
              drill.id(),
              read.region(),
              read.error());
        }
        continue;
      }
      String note = m.window.take(read.region(), read.metrics());
      if (note != null) {
        m.notes.add(note);
      }
    }
    if (m.stop == null) {
      String reason = m.window.crossed(s.errorRate(), s.p99Latency());
      if (reason != null) {
        m.stop = new DrillProgress.Stop(DrillResult.Aborted, reason);
        log.warn("Drill {} on {}: aborting: {}", drill.id(), drill.region(), reason);
      }
    }
  }

  /** Takes in what a task found: counts, verification, catch-up, abortIf. */
  private void take(Measure m, Found found, DrillState drill, DrillSettings s) {
    if (found.keys() != null && m.keys == null) {
      m.keys = found.keys();
      if (m.keys.isEmpty()) {
        m.stop =
            new DrillProgress.Stop(
                DrillResult.Failed,
                String.format(
                    "no key is homed in %s by the bucket map, so no synthetic request can verify"
                        + " the drill",
                    drill.region()));
      }
    }
    if (found.keysNote() != null) {
      m.notes.add(found.keysNote());
    }
    int roundSize = 0;
    for (List<SyntheticProbe.Outcome> round : found.rounds()) {
      m.stats.add(round, m.countFromEpoch);
      roundSize = round.size();
    }
    boolean current = found.phase() == m.phase;
    if (found.phase() == DrillPhase.CatchingUp) {
      if (found.fencePosition() != null && m.fencePosition == null) {
        m.fencePosition = found.fencePosition();
        m.cutAt = found.cutAt();
        m.lagAtCut = found.applied() < 0 ? null : Math.max(0, m.fencePosition - found.applied());
      }
      m.waitingFor = found.waitingFor();
      if (m.fencePosition != null && found.waitingFor() == null) {
        if (found.applied() >= m.fencePosition) {
          m.caughtUp = current;
          m.rpo = Duration.between(m.cutAt, found.appliedAt());
          m.waitingFor = null;
        } else {
          m.waitingFor =
              ReplicationWatermark.progress(
                  drill.peer(), drill.region(), found.applied(), m.fencePosition);
        }
      }
      return;
    }
    if (current) {
      m.waitingFor = found.waitingFor();
    }
    if (found.servedAt() != null && current) {
      m.verified = true;
      if (found.phase() == DrillPhase.Verifying) {
        m.rto = Duration.between(drill.startedAt(), found.servedAt());
        metrics.rto(drill.region(), m.rto);
      }
    }
    if ((m.phase == DrillPhase.Verifying || m.phase == DrillPhase.Holding) && m.stop == null) {
      m.stop = abortIfCrossed(m, s, roundSize);
    }
  }

  /** A phase that waited past spec.drillPolicy.phaseTimeout gives up. */
  private void timeOut(Measure m, DrillState drill, DrillSettings s, Instant now) {
    if (m.stop != null || Duration.between(m.phaseSeenAt, now).compareTo(s.phaseTimeout()) <= 0) {
      return;
    }
    if (m.phase == DrillPhase.CatchingUp && !m.caughtUp) {
      m.stop =
          new DrillProgress.Stop(
              DrillResult.Failed,
              String.format(
                  "replication did not catch up within %s (spec.drillPolicy.phaseTimeout): %s",
                  Durations.notation(s.phaseTimeout()),
                  m.waitingFor == null ? "no answer from the replication probe" : m.waitingFor));
    } else if ((m.phase == DrillPhase.Verifying || m.phase == DrillPhase.VerifyingBack)
        && !m.verified) {
      String expected = m.phase == DrillPhase.Verifying ? drill.peer() : drill.region();
      m.stop =
          new DrillProgress.Stop(
              DrillResult.Failed,
              String.format(
                  "not every synthetic request was served by %s within %s"
                      + " (spec.drillPolicy.phaseTimeout): %s",
                  expected,
                  Durations.notation(s.phaseTimeout()),
                  m.waitingFor == null ? "no round has finished" : m.waitingFor));
    }
  }

  private DrillProgress.Stop abortIfCrossed(Measure m, DrillSettings s, int roundSize) {
    SyntheticStats stats = m.stats;
    if (stats.counted() < roundSize || stats.counted() == 0) {
      return null;
    }
    if (s.errorRate() != null && stats.errorRate() > s.errorRate()) {
      return new DrillProgress.Stop(
          DrillResult.Aborted,
          String.format(
              Locale.ROOT,
              "errorRate %.2f over %s (%d of %d synthetic requests failed: %s)",
              stats.errorRate(),
              BigDecimal.valueOf(s.errorRate()).stripTrailingZeros().toPlainString(),
              stats.errors(),
              stats.counted(),
              stats.errorSummary(3)));
    }
    Duration p99 = stats.p99();
    if (s.p99Latency() != null && p99 != null && p99.compareTo(s.p99Latency()) > 0) {
      return new DrillProgress.Stop(
          DrillResult.Aborted,
          String.format(
              "p99Latency %s over %s (p99 of %d synthetic requests)",
              Durations.notation(p99), Durations.notation(s.p99Latency()), stats.counted()));
    }
    return null;
  }

  private void write(DrillRecord record, Measure m) {
    record.setSyntheticRequests(m.stats.sent());
    record.setErrors(m.stats.errors());
    Duration p99 = m.stats.p99();
    if (p99 != null) {
      record.setP99Latency(Durations.notation(p99));
    }
    if (m.rto != null) {
      record.setRto(Durations.notation(m.rto));
    }
    if (m.rpo != null) {
      record.setRpo(Durations.notation(m.rpo));
    }
    if (m.lagAtCut != null) {
      record.setReplicationLag(m.lagAtCut);
    }
    record.setNotes(m.notes.isEmpty() ? null : new ArrayList<>(m.notes));
  }

  /** Why the drill does not wait for replication, or null when both regions have a probe. */
  private static String missingProbes(RegionTopologySpec spec, DrillState drill) {
    List<String> without = new ArrayList<>();
    for (String name : List.of(drill.region(), drill.peer())) {
      RegionSpec region = region(spec, name);
      if (region == null || region.getReplicationProbe() == null) {
        without.add(name);
      }
    }
    if (without.isEmpty()) {
      return null;
    }
    return String.format(
        "no replicationProbe on %s: the flip did not wait for replication and the RPO is not"
            + " measured",
        String.join(" and ", without));
  }

  private static RegionSpec region(RegionTopologySpec spec, String name) {
    return spec.getRegions().stream()
        .filter(r -> name.equals(r.getName()))
        .findFirst()
        .orElse(null);
  }

  private static List<SyntheticProbe.FrontDoor> frontDoors(RegionTopologySpec spec) {
    List<SyntheticProbe.FrontDoor> doors = new ArrayList<>();
    for (RegionSpec region : spec.getRegions()) {
      doors.add(new SyntheticProbe.FrontDoor(region.getName(), region.getFrontDoor().getUrl()));
    }
    return doors;
  }

  private static Duration requestTimeout(Policy policy) {
    Duration interval = policy.probeInterval();
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return interval.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : interval;
  }

  private static long lastEpoch(String epochs, long fallback) {
    if (epochs == null || epochs.isBlank()) {
      return fallback;
    }
    String[] parts = epochs.split("→");
    try {
      return Long.parseLong(parts[parts.length - 1].trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String annotation(RegionTopology topology, String name) {
    Map<String, String> annotations = topology.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(name);
    return value == null ? null : value.trim();
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
