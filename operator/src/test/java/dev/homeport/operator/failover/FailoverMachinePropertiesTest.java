package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Suspect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import dev.homeport.operator.drill.DrillRecords;
import dev.homeport.operator.topology.StatusMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random outages, partitions, flapping, approvals, clock jitter and drills (started, stopped, slow
 * to catch up or to verify, interleaved with the outages) against the three-region topology; the
 * machine's safety rules are checked after every step, and liveness at the end: every region Active
 * and every drill ended.
 */
class FailoverMachinePropertiesTest {

  private static final Set<RegionPhase> OWN_KEYS = EnumSet.of(Active, Suspect);
  private static final Set<RegionPhase> FAILING_OVER = EnumSet.of(Fenced, FailedOver, Recovering);
  private static final List<String> NAMES = List.of("mumbai", "frankfurt", "singapore");
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
  private static final int MAX_STEPS = 60;

  /** What happens to one region for the length of a segment. */
  enum Condition {
    /** Probes pass, lease writes land. */
    HEALTHY,
    /** Region dead or cut off: probes fail and lease writes fail. */
    DOWN,
    /** Front-door down, Redis reachable: probes fail, lease writes land. */
    FRONT_DOOR_DOWN,
    /** Probes pass but the region's Redis is cut off from the operator. */
    REDIS_CUT,
    /** Probes alternate between passing and failing; lease writes land. */
    FLAPPING,
    /** Probes pass; about one lease write in three fails. */
    FLAKY_LEASE,
    /** As in the segment before (healthy in the first), for outages longer than a segment. */
    UNCHANGED
  }

  record Segment(
      int steps,
      List<Condition> conditions,
      int failoverApprovals,
      int failbackApprovals,
      int jitterMillis,
      Drill drill) {}

  /** What happens to drills during a segment. */
  enum DrillAction {
    NONE,
    /** A drill is requested (until started or refused). */
    START,
    /** The running drill is stopped by hand (Aborted). */
    ABORT,
    /** The running drill is stopped by the caller as Failed (a phase timed out). */
    FAIL
  }

  /**
   * @param region index into NAMES of the region a START drills
   * @param holdMillis holdFor of a started drill
   * @param catchUpSteps steps in CatchingUp before the caller reports catch-up (0: no probe)
   * @param verifySteps steps in Verifying or VerifyingBack before every request is served
   */
  record Drill(DrillAction action, int region, long holdMillis, int catchUpSteps, int verifySteps) {
    static final Drill NONE = new Drill(DrillAction.NONE, 0, 0, 0, 0);
  }

  record Scenario(Policy policy, List<Segment> segments) {}

  @Property(tries = 500)
  void safeAtEveryStepAndAllActiveOnceHealthyLongEnough(@ForAll("scenarios") Scenario scenario) {
    Run run = new Run(scenario.policy());
    int step = 0;
    List<Condition> conditions = List.of(Condition.HEALTHY, Condition.HEALTHY, Condition.HEALTHY);
    segments:
    for (Segment segment : scenario.segments()) {
      List<Condition> previous = conditions;
      conditions =
          IntStream.range(0, NAMES.size())
              .mapToObj(
                  r ->
                      segment.conditions().get(r) == Condition.UNCHANGED
                          ? previous.get(r)
                          : segment.conditions().get(r))
              .toList();
      for (int i = 0; i < segment.steps(); i++, step++) {
        if (step == MAX_STEPS) {
          break segments;
        }
        run.drill(segment.drill(), i == 0);
        run.step(
            conditions,
            step % 2 == 1 ? segment.jitterMillis() : 0,
            bits(segment.failoverApprovals()),
            bits(segment.failbackApprovals()),
            step);
      }
    }
    Statistics.label("failed over").collect(run.reasons.contains("FailedOver"));
    collectDrillStatistics("", run);
    Statistics.label("retargeted").collect(run.reasons.contains("Retargeted"));
    Statistics.label("failed back").collect(run.reasons.contains("FailbackComplete"));
    Statistics.label("failback aborted").collect(run.reasons.contains("FailbackAborted"));
    Statistics.label("refused").collect(!run.refusals.isEmpty());
    // The invariants only mean something if the generator gets the machine there.
    Statistics.label("failed over").coverage(c -> c.check(true).percentage(p -> p >= 20));
    Statistics.label("failed back").coverage(c -> c.check(true).percentage(p -> p >= 8));

    run.healEverything();
  }

  /**
   * Drills first: one started early on a mostly healthy topology, stopped or not, slow to catch up
   * or to verify, while outages hit the region, its peer or the third region at random times.
   */
  @Property(tries = 500)
  void drillsAmidOutagesNeverSplitTheBrainAndAlwaysEnd(@ForAll("drillRuns") DrillRun scenario) {
    Run run = new Run(scenario.policy());
    for (int step = 0; step < MAX_STEPS; step++) {
      if (scenario.restarts().contains(step)) {
        run.restart();
      }
      for (TimedDrill drill : scenario.drills()) {
        if (step >= drill.start() && step < drill.start() + drill.length()) {
          run.drill(drill.drill(), step == drill.start());
        }
      }
      List<Condition> conditions = new ArrayList<>();
      for (int r = 0; r < NAMES.size(); r++) {
        Condition condition = Condition.HEALTHY;
        for (RegionOutage outage : scenario.outages()) {
          if (outage.region() == r
              && step >= outage.outage().start()
              && step < outage.outage().start() + outage.outage().length()) {
            condition = outage.outage().kind();
          }
        }
        conditions.add(condition);
      }
      run.step(
          conditions,
          step % 3 == 0 ? scenario.jitterMillis() : 0,
          bits(scenario.failoverApprovals()),
          bits(scenario.failbackApprovals()),
          step);
    }
    collectDrillStatistics("", run);
    Statistics.label("restarted mid-drill").collect(run.restartsMidDrill > 0);
    Statistics.label("restarted mid-drill").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("drill started").coverage(c -> c.check(true).percentage(p -> p >= 50));
    Statistics.label("drill flipped").coverage(c -> c.check(true).percentage(p -> p >= 30));
    Statistics.label("drill succeeded").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("drill aborted").coverage(c -> c.check(true).percentage(p -> p >= 5));
    Statistics.label("drill failed").coverage(c -> c.check(true).percentage(p -> p >= 8));
    Statistics.label("drill refused").coverage(c -> c.check(true).percentage(p -> p >= 10));

    run.healEverything();
  }

  record RegionOutage(int region, Outage outage) {}

  /**
   * @param restarts steps before which the operator restarts: the state goes through the status
   *     (regions and the drill's record) and is resumed from it
   */
  record DrillRun(
      Policy policy,
      List<TimedDrill> drills,
      List<RegionOutage> outages,
      int jitterMillis,
      int failoverApprovals,
      int failbackApprovals,
      List<Integer> restarts) {}

  @Provide
  Arbitrary<DrillRun> drillRuns() {
    Arbitrary<Drill> start =
        Combinators.combine(
                Arbitraries.integers().between(0, NAMES.size() - 1),
                Arbitraries.of(0L, 500L, 2_000L, 5_000L),
                Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 4)),
                Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 6)))
            .as(
                (region, hold, catchUp, verify) ->
                    new Drill(DrillAction.START, region, hold, catchUp, verify));
    Arbitrary<TimedDrill> first =
        Combinators.combine(Arbitraries.integers().between(0, 4), start)
            .as((at, drill) -> new TimedDrill(at, 1, drill));
    Arbitrary<Drill> stopOrStart =
        Combinators.combine(
                Arbitraries.frequency(
                    Tuple.of(3, DrillAction.START),
                    Tuple.of(3, DrillAction.ABORT),
                    Tuple.of(2, DrillAction.FAIL)),
                Arbitraries.integers().between(0, NAMES.size() - 1),
                Arbitraries.of(0L, 500L, 2_000L, 5_000L),
                Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 4)),
                Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 6)))
            .as(Drill::new);
    Arbitrary<TimedDrill> later =
        Combinators.combine(
                Arbitraries.integers().between(2, 50),
                Arbitraries.integers().between(1, 5),
                stopOrStart)
            .as(TimedDrill::new);
    Arbitrary<List<TimedDrill>> drills =
        Combinators.combine(first, later.list().ofMaxSize(3))
            .as(
                (head, tail) -> {
                  List<TimedDrill> all = new ArrayList<>(tail);
                  all.add(0, head);
                  return all;
                });
    Arbitrary<RegionOutage> outage =
        Combinators.combine(
                Arbitraries.integers().between(0, NAMES.size() - 1),
                Combinators.combine(
                        Arbitraries.integers().between(0, 50),
                        Arbitraries.integers().between(2, 25),
                        Arbitraries.frequency(
                            Tuple.of(2, Condition.DOWN),
                            Tuple.of(2, Condition.FRONT_DOOR_DOWN),
                            Tuple.of(1, Condition.REDIS_CUT),
                            Tuple.of(1, Condition.FLAPPING),
                            Tuple.of(1, Condition.FLAKY_LEASE)))
                    .as(Outage::new))
            .as(RegionOutage::new);
    Arbitrary<Policy> policy =
        Combinators.combine(
                Arbitraries.of(ApprovalMode.class),
                Arbitraries.of(ApprovalMode.class),
                Arbitraries.integers().between(1, 3),
                Arbitraries.of(0L, 1_000L),
                Arbitraries.of(0L, 500L, 2_000L),
                Arbitraries.frequency(Tuple.of(3, 1), Tuple.of(1, 2)),
                Arbitraries.frequency(Tuple.of(8, 150), Tuple.of(1, 50), Tuple.of(1, 0))
                    .list()
                    .ofSize(NAMES.size()),
                Arbitraries.of(Topology.class))
            .as(
                (mode, failback, threshold, skew, stableFor, maxConcurrent, weights, topology) ->
                    new Policy(
                        mode,
                        Duration.ofSeconds(1),
                        PROBE_INTERVAL,
                        threshold,
                        Duration.ofMillis(skew),
                        1,
                        maxConcurrent,
                        failback,
                        Duration.ofMillis(stableFor),
                        regions(weights, topology)));
    return Combinators.combine(
            policy,
            drills,
            outage.list().ofMaxSize(3),
            Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(-200, 400))),
            Arbitraries.integers().between(0, 7),
            Arbitraries.integers().between(0, 7),
            Arbitraries.integers().between(1, MAX_STEPS - 1).list().ofMaxSize(3))
        .as(DrillRun::new);
  }

  private static void collectDrillStatistics(String prefix, Run run) {
    Statistics.label(prefix + "drill started").collect(run.drillKinds.contains("STARTED"));
    Statistics.label(prefix + "drill refused").collect(run.drillKinds.contains("REFUSED"));
    Statistics.label(prefix + "drill flipped").collect(run.reasons.contains("DrillFlipped"));
    Statistics.label(prefix + "drill ended").collect(!run.drillResults.isEmpty());
    Statistics.label(prefix + "drill succeeded")
        .collect(run.drillResults.contains(DrillResult.Succeeded));
    Statistics.label(prefix + "drill aborted")
        .collect(run.drillResults.contains(DrillResult.Aborted));
    Statistics.label(prefix + "drill failed")
        .collect(run.drillResults.contains(DrillResult.Failed));
  }

  /**
   * Overlapping outages in a topology where every region may serve every other, so that a peer
   * serving a failed-over region fails in turn and the keys must move again.
   */
  @Property(tries = 500)
  void safeAndLiveThroughCascadingOutages(@ForAll("cascades") Cascade cascade) {
    Run run = new Run(cascade.policy());
    for (int step = 0; step < MAX_STEPS; step++) {
      for (TimedDrill drill : cascade.drills()) {
        if (step >= drill.start() && step < drill.start() + drill.length()) {
          run.drill(drill.drill(), step == drill.start());
        }
      }
      List<Condition> conditions = new ArrayList<>();
      for (List<Outage> outages : cascade.outages()) {
        Condition condition = Condition.HEALTHY;
        for (Outage outage : outages) {
          if (step >= outage.start() && step < outage.start() + outage.length()) {
            condition = outage.kind();
          }
        }
        conditions.add(condition);
      }
      run.step(
          conditions,
          step % 3 == 0 ? cascade.jitterMillis() : 0,
          Set.copyOf(NAMES),
          step % 4 == 0 ? Set.copyOf(NAMES) : Set.of(),
          step);
    }
    Statistics.label("cascade failed over").collect(run.reasons.contains("FailedOver"));
    Statistics.label("cascade retargeted").collect(run.reasons.contains("Retargeted"));
    Statistics.label("cascade failback aborted").collect(run.reasons.contains("FailbackAborted"));
    Statistics.label("cascade no eligible peer").collect(run.refusals.contains("NoEligiblePeer"));
    collectDrillStatistics("cascade ", run);
    Statistics.label("cascade retargeted").coverage(c -> c.check(true).percentage(p -> p >= 4));
    Statistics.label("cascade failback aborted")
        .coverage(c -> c.check(true).percentage(p -> p >= 1));

    run.healEverything();
  }

  record Outage(int start, int length, Condition kind) {}

  /** {@code outages}: per region, in NAMES order, when it is out and how. */
  record Cascade(
      Policy policy, List<List<Outage>> outages, int jitterMillis, List<TimedDrill> drills) {}

  /** A drill action held from step {@code start} for {@code length} steps. */
  record TimedDrill(int start, int length, Drill drill) {}

  @Provide
  Arbitrary<Cascade> cascades() {
    Arbitrary<Outage> outage =
        Combinators.combine(
                Arbitraries.integers().between(0, 45),
                Arbitraries.integers().between(3, 35),
                Arbitraries.frequency(
                    Tuple.of(2, Condition.DOWN),
                    Tuple.of(2, Condition.FRONT_DOOR_DOWN),
                    Tuple.of(1, Condition.FLAPPING)))
            .as(Outage::new);
    Arbitrary<Policy> policy =
        Combinators.combine(
                Arbitraries.of(ApprovalMode.class),
                Arbitraries.integers().between(1, 3),
                Arbitraries.of(0L, 1_000L),
                Arbitraries.of(0L, 500L, 2_000L),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(2, 3),
                Arbitraries.frequency(Tuple.of(3, 100), Tuple.of(1, 150), Tuple.of(2, 300))
                    .list()
                    .ofSize(NAMES.size()))
            .as(
                (failback, threshold, skew, stableFor, minActive, maxConcurrent, weights) ->
                    new Policy(
                        ApprovalMode.Automatic,
                        Duration.ofSeconds(1),
                        PROBE_INTERVAL,
                        threshold,
                        Duration.ofMillis(skew),
                        minActive,
                        maxConcurrent,
                        failback,
                        Duration.ofMillis(stableFor),
                        regions(weights, Topology.EVERYONE_FOR_EVERYONE)));
    Arbitrary<TimedDrill> timedDrill =
        Combinators.combine(
                Arbitraries.integers().between(0, 45),
                Arbitraries.integers().between(1, 30),
                drills())
            .as(TimedDrill::new);
    return Combinators.combine(
            policy,
            outage.list().ofMinSize(1).ofMaxSize(3).list().ofSize(NAMES.size()),
            Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(-200, 400))),
            timedDrill.list().ofMaxSize(3))
        .as(Cascade::new);
  }

  private static Arbitrary<Drill> drills() {
    return Combinators.combine(
            Arbitraries.frequency(
                Tuple.of(6, DrillAction.NONE),
                Tuple.of(4, DrillAction.START),
                Tuple.of(1, DrillAction.ABORT),
                Tuple.of(1, DrillAction.FAIL)),
            Arbitraries.integers().between(0, NAMES.size() - 1),
            Arbitraries.of(0L, 500L, 2_000L, 5_000L),
            Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 4)),
            Arbitraries.frequency(Tuple.of(2, 0), Tuple.of(1, 1), Tuple.of(1, 6)))
        .as(Drill::new);
  }

  /** One simulated caller feeding the machine and checking what it decides. */
  private static final class Run {
    private final Policy policy;
    private final Map<String, RegionPolicy> regions = new LinkedHashMap<>();
    private final Duration fenceWait;
    private final FailoverMachine machine;
    private TopologyState state;
    private Set<String> leaseHolders;
    private Instant now = FailoverFixtures.T0;
    private final Map<String, Instant> lastLeaseWrite = new HashMap<>();
    private final Map<String, Instant> healthySince = new HashMap<>();
    private final Set<String> reasons = new HashSet<>();
    private final Set<String> refusals = new HashSet<>();

    // The caller's side of drills, as the reconciler keeps it.
    private DrillRequest drillRequest;
    private final Map<String, Drill> drillSettings = new HashMap<>();
    private DrillProgress.Stop pendingStop;
    private int drillCount;
    private String phaseOf;
    private int stepsInPhase;
    private final Set<String> drillKinds = new HashSet<>();
    private final Set<DrillResult> drillResults = new HashSet<>();
    private final Set<String> startedDrills = new HashSet<>();
    private final Set<String> endedDrills = new HashSet<>();
    private int restartsMidDrill;

    /** When each failed-over region's catch-up wait with its peer began, by region and peer. */
    private final Map<String, Instant> catchUpSince = new HashMap<>();

    /** Failed-over regions report catch-up this many probe intervals after their wait began. */
    private static final int CATCH_UP_STEPS = 3;

    Run(Policy policy) {
      this.policy = policy;
      policy.regions().forEach(r -> regions.put(r.name(), r));
      this.fenceWait = policy.leaseDuration().plus(policy.skewMargin());
      this.machine = new FailoverMachine(policy);
      this.state = TopologyState.initial(policy, now);
      this.leaseHolders = Set.copyOf(state.regions().keySet());
    }

    void step(
        List<Condition> conditions,
        int jitter,
        Set<String> failoverApprovals,
        Set<String> failbackApprovals,
        int index) {
      Map<String, Probe> probes = new HashMap<>();
      Set<String> leaseWritesLand = new HashSet<>();
      for (int r = 0; r < NAMES.size(); r++) {
        String name = NAMES.get(r);
        Condition condition = conditions.get(r);
        boolean healthy =
            switch (condition) {
              case HEALTHY, REDIS_CUT, FLAKY_LEASE, UNCHANGED -> true;
              case DOWN, FRONT_DOOR_DOWN -> false;
              case FLAPPING -> index % 2 == 0;
            };
        boolean leaseLands =
            switch (condition) {
              case HEALTHY, FRONT_DOOR_DOWN, FLAPPING, UNCHANGED -> true;
              case DOWN, REDIS_CUT -> false;
              case FLAKY_LEASE -> (index * 7 + r) % 3 != 0;
            };
        probes.put(name, new Probe(healthy, condition.name()));
        if (leaseLands) {
          leaseWritesLand.add(name);
        }
      }
      observe(
          Math.max(1, PROBE_INTERVAL.toMillis() + jitter),
          probes,
          leaseWritesLand,
          failoverApprovals,
          failbackApprovals,
          false);
    }

    /**
     * The operator restarts: the state goes through the status as the reconciler writes it and is
     * resumed from it; what the caller measured of the drill is lost.
     */
    void restart() {
      RegionTopologyStatus status = new RegionTopologyStatus();
      status.setRoutingEpoch(state.epoch());
      status.setRegions(StatusMapper.regions(state, policy));
      if (state.drill() != null) {
        status.setDrills(List.of(DrillRecords.of(state.drill())));
        restartsMidDrill++;
      }
      state = StatusMapper.resume(status, policy, now, null);
      Set<String> holders = new HashSet<>();
      state
          .regions()
          .forEach(
              (name, region) -> {
                if (OWN_KEYS.contains(region.phase())) {
                  holders.add(name);
                }
              });
      leaseHolders = holders;
      phaseOf = null;
    }

    /** Applies a segment's drill action; {@code first}: on the segment's first step only. */
    void drill(Drill drill, boolean first) {
      if (!first) {
        return;
      }
      switch (drill.action()) {
        case START -> {
          if (drillRequest == null) {
            String id = "drill-" + ++drillCount;
            drillSettings.put(id, drill);
            drillRequest =
                new DrillRequest(
                    id, NAMES.get(drill.region()), Duration.ofMillis(drill.holdMillis()));
          }
        }
        case ABORT -> pendingStop = new DrillProgress.Stop(DrillResult.Aborted, "aborted by hand");
        case FAIL -> pendingStop = new DrillProgress.Stop(DrillResult.Failed, "a phase timed out");
        default -> {
          // NONE
        }
      }
    }

    /**
     * What the caller reports about failed-over regions' catch-up with their peers: waiting for
     * {@link #CATCH_UP_STEPS} probe intervals after the wait began, then caught up.
     */
    private Map<String, FailbackCatchUp> catchUps(boolean healing) {
      Map<String, FailbackCatchUp> readings = new HashMap<>();
      Set<String> waits = new HashSet<>();
      state
          .regions()
          .forEach(
              (name, region) -> {
                if (region.phase() != FailedOver || region.servedBy() == null) {
                  return;
                }
                String key = name + ">" + region.servedBy();
                waits.add(key);
                Instant since = catchUpSince.computeIfAbsent(key, k -> now);
                boolean caughtUp =
                    healing
                        || !now.isBefore(since.plus(PROBE_INTERVAL.multipliedBy(CATCH_UP_STEPS)));
                readings.put(
                    name,
                    new FailbackCatchUp(
                        region.servedBy(),
                        caughtUp
                            ? FailbackCatchUp.Status.CAUGHT_UP
                            : FailbackCatchUp.Status.WAITING,
                        since,
                        caughtUp ? "caught up" : "lag 10"));
              });
      catchUpSince.keySet().retainAll(waits);
      return readings;
    }

    /** What the caller reports about the running drill: probes and requests as configured. */
    private DrillProgress drillProgress(boolean healing) {
      DrillState drill = state.drill();
      DrillProgress.Stop stop = pendingStop;
      pendingStop = null;
      if (drill == null) {
        phaseOf = null;
        return DrillProgress.NONE;
      }
      String key = drill.id() + "/" + drill.phase();
      stepsInPhase = key.equals(phaseOf) ? stepsInPhase + 1 : 0;
      phaseOf = key;
      Drill settings = drillSettings.get(drill.id());
      boolean caughtUp =
          healing
              || settings.catchUpSteps() == 0
              || (drill.phase() == DrillPhase.CatchingUp
                  && stepsInPhase >= settings.catchUpSteps());
      boolean verified =
          (drill.phase() == DrillPhase.Verifying || drill.phase() == DrillPhase.VerifyingBack)
              && (healing || stepsInPhase >= settings.verifySteps());
      return new DrillProgress(healing ? null : stop, caughtUp, verified);
    }

    /**
     * (vii): with every probe healthy and every approval given, all regions end up Active and every
     * drill that started has ended.
     */
    void healEverything() {
      drillRequest = null;
      long settle =
          policy.stableFor().plus(Duration.ofSeconds(5)).plus(fenceWait.multipliedBy(3)).toMillis()
                  / PROBE_INTERVAL.toMillis()
              + 10;
      Map<String, Probe> healthy = new HashMap<>();
      NAMES.forEach(name -> healthy.put(name, new Probe(true, "ok")));
      for (int i = 0; i < settle; i++) {
        observe(
            PROBE_INTERVAL.toMillis(),
            healthy,
            Set.copyOf(NAMES),
            Set.copyOf(NAMES),
            Set.copyOf(NAMES),
            true);
      }
      assertThat(state.drill()).as("every drill ends: %s", state).isNull();
      assertThat(endedDrills).containsAll(startedDrills);
      assertThat(state.regions().values())
          .as("all regions Active again after %d healthy steps: %s", settle, state)
          .allSatisfy(
              region -> {
                assertThat(region.phase()).isEqualTo(Active);
                assertThat(region.servedBy()).isNull();
                assertThat(region.failoverTarget()).isNull();
              });
      assertThat(leaseHolders).containsExactlyInAnyOrderElementsOf(NAMES);
    }

    private void observe(
        long advanceMillis,
        Map<String, Probe> probes,
        Set<String> leaseWritesLand,
        Set<String> failoverApprovals,
        Set<String> failbackApprovals,
        boolean healing) {
      now = now.plusMillis(advanceMillis);
      // The caller renews only what the last step told it to; a write lands or fails.
      Map<String, Instant> writes = new HashMap<>();
      for (String holder : leaseHolders) {
        if (leaseWritesLand.contains(holder)) {
          writes.put(holder, now);
          lastLeaseWrite.put(holder, now);
        }
      }
      probes.forEach(
          (name, probe) -> {
            if (probe.healthy()) {
              healthySince.putIfAbsent(name, now);
            } else {
              healthySince.remove(name);
            }
          });
      Observation observation =
          new Observation(
              now,
              probes,
              writes,
              failoverApprovals,
              failbackApprovals,
              drillRequest,
              drillProgress(healing),
              catchUps(healing));
      TopologyState before = state;
      Step step = machine.step(before, observation);
      check(before, step, observation);
      step.transitions().forEach(t -> reasons.add(t.reason()));
      step.refusals().forEach(r -> refusals.add(r.reason()));
      for (DrillEvent event : step.drillEvents()) {
        drillKinds.add(event.kind().name());
        if (event.kind() == DrillEvent.Kind.STARTED) {
          startedDrills.add(event.drill().id());
        }
        if (event.kind() == DrillEvent.Kind.ENDED) {
          endedDrills.add(event.drill().id());
          drillResults.add(event.drill().result());
        }
        boolean over =
            event.kind() == DrillEvent.Kind.ENDED || event.kind() == DrillEvent.Kind.REFUSED;
        if (over && drillRequest != null && drillRequest.id().equals(event.drill().id())) {
          drillRequest = null;
        }
      }
      state = step.next();
      leaseHolders = step.leaseHolders();
    }

    private void check(TopologyState before, Step step, Observation observation) {
      Map<String, RegionState> next = step.next().regions();
      String context = String.format("at %s, before %s, step %s", now, before, step);

      // (i) no split brain.
      next.forEach(
          (name, region) -> {
            if (region.servedBy() == null) {
              return;
            }
            assertThat(region.phase())
                .as("servedBy only when FailedOver; " + context)
                .isEqualTo(FailedOver);
            assertThat(region.servedBy()).isNotEqualTo(name);
            Instant lastWrite = lastLeaseWrite.get(name);
            if (lastWrite != null) {
              assertThat(now)
                  .as(
                      "%s served by %s before its lease ran out; %s",
                      name, region.servedBy(), context)
                  .isAfterOrEqualTo(lastWrite.plus(fenceWait));
            }
            assertThat(step.leaseHolders())
                .as("%s holds its lease while %s serves it; %s", name, region.servedBy(), context)
                .doesNotContain(name);
          });
      Set<String> ownKeys = namesIn(next, OWN_KEYS);
      assertThat(step.leaseHolders()).containsExactlyInAnyOrderElementsOf(ownKeys);

      // (ii) minActiveRegions, for moves the machine made out of Active/Suspect.
      for (Transition t : step.transitions()) {
        assertThat(t.from()).as(context).isEqualTo(before.regions().get(t.region()).phase());
        assertThat(t.to()).as(context).isEqualTo(next.get(t.region()).phase());
        if (OWN_KEYS.contains(t.from()) && !OWN_KEYS.contains(t.to())) {
          assertThat(t.to()).isEqualTo(Fenced);
          assertThat(ownKeys.size())
              .as("fencing %s leaves too few active regions; %s", t.region(), context)
              .isGreaterThanOrEqualTo(policy.minActiveRegions());
          if (policy.mode() == ApprovalMode.Manual && !t.reason().equals("DrillFenced")) {
            // A drill is its own approval.
            assertThat(observation.failoverApprovals()).as(context).contains(t.region());
          }
        }
      }
      assertThat(step.transitions().stream().map(Transition::region).distinct().count())
          .as("one transition per region per step; " + context)
          .isEqualTo(step.transitions().size());

      // (iii) maxConcurrentFailovers.
      assertThat(namesIn(next, FAILING_OVER).size())
          .as(context)
          .isLessThanOrEqualTo(policy.maxConcurrentFailovers());

      // (iv) a new servedBy is a residency-compatible peer that is Active; capacity holds.
      next.forEach(
          (name, region) -> {
            RegionState was = before.regions().get(name);
            String peer = region.servedBy();
            if (peer == null || (was.phase() == FailedOver && peer.equals(was.servedBy()))) {
              return;
            }
            RegionPolicy home = regions.get(name);
            assertThat(home.failoverPeers()).as(context).contains(peer);
            assertThat(regions.get(peer).accepts(home.residency())).as(context).isTrue();
            assertThat(next.get(peer).phase()).as(context).isEqualTo(Active);
            if (was.servedBy() != null) {
              // The old peer must no longer be able to write under its own lease.
              assertThat(step.leaseHolders()).as(context).doesNotContain(was.servedBy());
              Instant peerWrite = lastLeaseWrite.get(was.servedBy());
              if (peerWrite != null) {
                assertThat(now).as(context).isAfterOrEqualTo(peerWrite.plus(fenceWait));
              }
            }
            if (was.phase() == Recovering && !peer.equals(was.failoverTarget())) {
              // Front-doors may still send the keys to the previous peer until this point.
              assertThat(now).as(context).isAfterOrEqualTo(was.phaseSince().plus(fenceWait));
            }
          });
      for (String peer : NAMES) {
        int load = 0;
        int count = 0;
        for (RegionState region : next.values()) {
          boolean serves =
              (region.phase() == FailedOver && peer.equals(region.servedBy()))
                  || (region.phase() == Fenced && peer.equals(region.failoverTarget()));
          if (serves) {
            load += regions.get(region.name()).capacityWeight();
            count++;
          }
        }
        int capacity = regions.get(peer).capacityWeight();
        if (count > 0) {
          assertThat(capacity).as(context).isPositive();
        }
        if (count > 1) {
          assertThat(capacity).as("%s overloaded; %s", peer, context).isGreaterThanOrEqualTo(load);
        }
      }

      // (v) epoch.
      assertThat(step.next().epoch())
          .as(context)
          .isEqualTo(before.epoch() + (step.publish() ? 1 : 0));
      assertThat(step.publish()).as(context).isEqualTo(!step.transitions().isEmpty());

      // (vi) failback only after stableFor of healthy probes; Recovering waits for front-doors.
      for (Transition t : step.transitions()) {
        if (t.from() == FailedOver && t.to() == Recovering && !t.reason().equals("DrillFailback")) {
          Instant since = healthySince.get(t.region());
          assertThat(since).as(context).isNotNull();
          assertThat(Duration.between(since, now))
              .as("%s failed back too early; %s", t.region(), context)
              .isGreaterThanOrEqualTo(policy.stableFor());
          if (policy.failbackMode() == ApprovalMode.Manual) {
            assertThat(observation.failbackApprovals()).as(context).contains(t.region());
          }
          FailbackCatchUp reading = observation.failbackCatchUps().get(t.region());
          assertThat(reading)
              .as("%s failed back without a catch-up reading; %s", t.region(), context)
              .isNotNull();
          assertThat(reading.allowsFailback())
              .as("%s failed back before catching up; %s", t.region(), context)
              .isTrue();
          assertThat(reading.peer())
              .as(context)
              .isEqualTo(before.regions().get(t.region()).servedBy());
        }
        if (t.from() == Recovering && t.to() == Active) {
          assertThat(now)
              .as(context)
              .isAfterOrEqualTo(before.regions().get(t.region()).phaseSince().plus(fenceWait));
        }
      }

      checkDrill(before, step, observation, context);
    }

    /** (viii) drills: the same rules, plus holds, catch-up and pre-checks. */
    private void checkDrill(
        TopologyState before, Step step, Observation observation, String context) {
      Map<String, RegionState> next = step.next().regions();
      DrillState was = before.drill();
      DrillState drill = step.next().drill();
      if (drill != null) {
        RegionState region = next.get(drill.region());
        assertThat(region.phase())
            .as("the drilled region's phase in drill phase %s; %s", drill.phase(), context)
            .isEqualTo(FailoverMachine.regionPhaseIn(drill.phase()));
        switch (drill.phase()) {
          case Fencing, CatchingUp ->
              assertThat(region.failoverTarget()).as(context).isEqualTo(drill.peer());
          case Verifying, Holding ->
              assertThat(region.servedBy()).as(context).isEqualTo(drill.peer());
          default -> {
            // The failback and after: nobody else serves the keys (checked by (i)).
          }
        }
        if (drill.phase() == DrillPhase.Holding) {
          assertThat(drill.holdUntil()).as(context).isNotNull();
        }
      }
      boolean stopped = observation.drillProgress().stop() != null;
      for (Transition t : step.transitions()) {
        if (t.reason().equals("DrillFlipped")) {
          assertThat(was).as(context).isNotNull();
          assertThat(was.phase()).as(context).isIn(DrillPhase.Fencing, DrillPhase.CatchingUp);
          assertThat(observation.drillProgress().caughtUp())
              .as("flipped before the peer caught up; %s", context)
              .isTrue();
          assertThat(stopped).as("flipped although stopped; %s", context).isFalse();
        }
        if (t.reason().equals("DrillFenced")) {
          next.forEach(
              (name, region) -> {
                if (!name.equals(t.region())) {
                  assertThat(region.phase())
                      .as("a drill started while %s was %s; %s", name, region.phase(), context)
                      .isEqualTo(Active);
                }
              });
          String peer = next.get(t.region()).failoverTarget();
          assertThat(regions.get(t.region()).failoverPeers()).as(context).contains(peer);
          assertThat(regions.get(peer).accepts(regions.get(t.region()).residency()))
              .as(context)
              .isTrue();
          assertThat(regions.get(peer).capacityWeight())
              .as("a drill's peer has headroom for all of the region's keys; %s", context)
              .isGreaterThanOrEqualTo(regions.get(t.region()).capacityWeight());
        }
        boolean drilledRegionHeld =
            was != null
                && t.region().equals(was.region())
                && (was.phase() == DrillPhase.Verifying || was.phase() == DrillPhase.Holding);
        if (drilledRegionHeld && t.from() == FailedOver) {
          assertThat(t.reason()).as(context).isEqualTo("DrillFailback");
          boolean holdOver = was.phase() == DrillPhase.Holding && !now.isBefore(was.holdUntil());
          boolean stopping = drill != null && drill.stopping();
          assertThat(holdOver || stopping)
              .as(
                  "%s failed back before its hold ended and without a stop; %s",
                  t.region(), context)
              .isTrue();
        }
        if (t.reason().equals("DrillFailback")) {
          assertThat(was).as(context).isNotNull();
          assertThat(t.region()).as(context).isEqualTo(was.region());
        }
      }
      if (was != null && drill == null) {
        assertThat(step.drillEvents())
            .as("a drill that is gone has ended; %s", context)
            .anyMatch(e -> e.kind() == DrillEvent.Kind.ENDED && e.drill().id().equals(was.id()));
      }
      for (DrillEvent event : step.drillEvents()) {
        if (event.kind() == DrillEvent.Kind.REFUSED) {
          assertThat(drill == null || !drill.id().equals(event.drill().id()))
              .as("a refused drill does not run; %s", context)
              .isTrue();
          assertThat(event.drill().result()).isEqualTo(DrillResult.Refused);
        }
        if (event.kind() == DrillEvent.Kind.ENDED) {
          assertThat(event.drill().result())
              .as(context)
              .isIn(DrillResult.Succeeded, DrillResult.Aborted, DrillResult.Failed);
        }
      }
    }
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Segment> segment =
        Combinators.combine(
                Arbitraries.integers().between(1, 20),
                Arbitraries.frequency(
                        Tuple.of(4, Condition.HEALTHY),
                        Tuple.of(2, Condition.DOWN),
                        Tuple.of(2, Condition.FRONT_DOOR_DOWN),
                        Tuple.of(1, Condition.REDIS_CUT),
                        Tuple.of(1, Condition.FLAPPING),
                        Tuple.of(1, Condition.FLAKY_LEASE),
                        Tuple.of(4, Condition.UNCHANGED))
                    .list()
                    .ofSize(NAMES.size()),
                Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 7),
                Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.just(0)),
                    Tuple.of(1, Arbitraries.integers().between(-200, 400))),
                drills())
            .as(Segment::new);
    return Combinators.combine(policies(), segment.list().ofMinSize(1).ofMaxSize(10))
        .as(Scenario::new);
  }

  private static Arbitrary<Policy> policies() {
    Arbitrary<List<RegionPolicy>> regions =
        Combinators.combine(
                Arbitraries.frequency(
                        Tuple.of(1, 0),
                        Tuple.of(1, 50),
                        Tuple.of(2, 100),
                        Tuple.of(2, 150),
                        Tuple.of(3, 300))
                    .list()
                    .ofSize(NAMES.size()),
                Arbitraries.of(Topology.class))
            .as(FailoverMachinePropertiesTest::regions);
    Arbitrary<Knobs> knobs =
        Combinators.combine(
                Arbitraries.of(ApprovalMode.class),
                Arbitraries.of(ApprovalMode.class),
                Arbitraries.integers().between(1, 3),
                Arbitraries.of(1_000L, 2_000L),
                Arbitraries.of(0L, 1_000L),
                Arbitraries.of(0L, 500L, 2_000L, 5_000L))
            .as(Knobs::new);
    return Combinators.combine(
            knobs,
            Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(4, 1), Tuple.of(1, 2), Tuple.of(1, 3)),
            Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(2, 1), Tuple.of(4, 2), Tuple.of(2, 3)),
            regions)
        .as(
            (k, minActive, maxConcurrent, rs) ->
                new Policy(
                    k.mode(),
                    Duration.ofMillis(k.leaseMillis()),
                    PROBE_INTERVAL,
                    k.failureThreshold(),
                    Duration.ofMillis(k.skewMillis()),
                    minActive,
                    maxConcurrent,
                    k.failbackMode(),
                    Duration.ofMillis(k.stableForMillis()),
                    rs));
  }

  record Knobs(
      ApprovalMode mode,
      ApprovalMode failbackMode,
      int failureThreshold,
      long leaseMillis,
      long skewMillis,
      long stableForMillis) {}

  /** Which regions may serve which. */
  enum Topology {
    /** As in the examples: mumbai and frankfurt fail over to singapore, singapore to either. */
    EXAMPLE,
    /** The examples' residencies, but every region lists both others, compatible or not. */
    LISTS_INCOMPATIBLE_PEERS,
    /** Every region accepts every residency and lists both others: the most retargeting. */
    EVERYONE_FOR_EVERYONE
  }

  private static List<RegionPolicy> regions(List<Integer> weights, Topology topology) {
    Set<String> all = Set.of("in", "eu", "sg");
    return switch (topology) {
      case EXAMPLE ->
          List.of(
              new RegionPolicy("mumbai", "in", Set.of("sg"), List.of("singapore"), weights.get(0)),
              new RegionPolicy(
                  "frankfurt", "eu", Set.of("sg"), List.of("singapore"), weights.get(1)),
              new RegionPolicy(
                  "singapore",
                  "sg",
                  Set.of("in", "eu"),
                  List.of("mumbai", "frankfurt"),
                  weights.get(2)));
      case LISTS_INCOMPATIBLE_PEERS ->
          List.of(
              new RegionPolicy(
                  "mumbai", "in", Set.of("sg"), List.of("frankfurt", "singapore"), weights.get(0)),
              new RegionPolicy(
                  "frankfurt", "eu", Set.of("sg"), List.of("mumbai", "singapore"), weights.get(1)),
              new RegionPolicy(
                  "singapore",
                  "sg",
                  Set.of("in", "eu"),
                  List.of("mumbai", "frankfurt"),
                  weights.get(2)));
      case EVERYONE_FOR_EVERYONE ->
          List.of(
              new RegionPolicy(
                  "mumbai", "in", all, List.of("singapore", "frankfurt"), weights.get(0)),
              new RegionPolicy(
                  "frankfurt", "eu", all, List.of("mumbai", "singapore"), weights.get(1)),
              new RegionPolicy(
                  "singapore", "sg", all, List.of("frankfurt", "mumbai"), weights.get(2)));
    };
  }

  private static Set<String> bits(int mask) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < NAMES.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        names.add(NAMES.get(i));
      }
    }
    return names;
  }

  private static Set<String> namesIn(Map<String, RegionState> regions, Set<RegionPhase> phases) {
    Set<String> names = new HashSet<>();
    regions.forEach(
        (name, region) -> {
          if (phases.contains(region.phase())) {
            names.add(name);
          }
        });
    return names;
  }
}
