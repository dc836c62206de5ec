package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Suspect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
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
 * Random outages, partitions, flapping, approvals and clock jitter against the three-region
 * topology; the machine's safety rules are checked after every step, and liveness at the end.
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
      int jitterMillis) {}

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
        run.step(
            conditions,
            step % 2 == 1 ? segment.jitterMillis() : 0,
            bits(segment.failoverApprovals()),
            bits(segment.failbackApprovals()),
            step);
      }
    }
    Statistics.label("failed over").collect(run.reasons.contains("FailedOver"));
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
   * Overlapping outages in a topology where every region may serve every other, so that a peer
   * serving a failed-over region fails in turn and the keys must move again.
   */
  @Property(tries = 500)
  void safeAndLiveThroughCascadingOutages(@ForAll("cascades") Cascade cascade) {
    Run run = new Run(cascade.policy());
    for (int step = 0; step < MAX_STEPS; step++) {
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
    Statistics.label("cascade retargeted").coverage(c -> c.check(true).percentage(p -> p >= 4));
    Statistics.label("cascade failback aborted")
        .coverage(c -> c.check(true).percentage(p -> p >= 1));

    run.healEverything();
  }

  record Outage(int start, int length, Condition kind) {}

  /** {@code outages}: per region, in NAMES order, when it is out and how. */
  record Cascade(Policy policy, List<List<Outage>> outages, int jitterMillis) {}

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
    return Combinators.combine(
            policy,
            outage.list().ofMinSize(1).ofMaxSize(3).list().ofSize(NAMES.size()),
            Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(-200, 400))))
        .as(Cascade::new);
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
          failbackApprovals);
    }

    /** (vii): with every probe healthy and every approval given, all regions end up Active. */
    void healEverything() {
      long settle = policy.stableFor().plus(fenceWait).toMillis() / PROBE_INTERVAL.toMillis() + 4;
      Map<String, Probe> healthy = new HashMap<>();
      NAMES.forEach(name -> healthy.put(name, new Probe(true, "ok")));
      for (int i = 0; i < settle; i++) {
        observe(
            PROBE_INTERVAL.toMillis(),
            healthy,
            Set.copyOf(NAMES),
            Set.copyOf(NAMES),
            Set.copyOf(NAMES));
      }
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
        Set<String> failbackApprovals) {
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
          new Observation(now, probes, writes, failoverApprovals, failbackApprovals);
      TopologyState before = state;
      Step step = machine.step(before, observation);
      check(before, step, observation);
      step.transitions().forEach(t -> reasons.add(t.reason()));
      step.refusals().forEach(r -> refusals.add(r.reason()));
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
          if (policy.mode() == ApprovalMode.Manual) {
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
        if (t.from() == FailedOver && t.to() == Recovering) {
          Instant since = healthySince.get(t.region());
          assertThat(since).as(context).isNotNull();
          assertThat(Duration.between(since, now))
              .as("%s failed back too early; %s", t.region(), context)
              .isGreaterThanOrEqualTo(policy.stableFor());
          if (policy.failbackMode() == ApprovalMode.Manual) {
            assertThat(observation.failbackApprovals()).as(context).contains(t.region());
          }
        }
        if (t.from() == Recovering && t.to() == Active) {
          assertThat(now)
              .as(context)
              .isAfterOrEqualTo(before.regions().get(t.region()).phaseSince().plus(fenceWait));
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
                    Tuple.of(1, Arbitraries.integers().between(-200, 400))))
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
