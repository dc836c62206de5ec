package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three-region topology of the examples (mumbai/in, frankfurt/eu, singapore/sg) and a small
 * simulated caller that feeds the machine one probe round per probeInterval.
 */
final class FailoverFixtures {

  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
  static final Duration SKEW = Duration.ofSeconds(1);
  static final int THRESHOLD = 3;

  static RegionPolicy mumbai() {
    return new RegionPolicy("mumbai", "in", Set.of("sg"), List.of("singapore"), 100);
  }

  static RegionPolicy frankfurt() {
    return new RegionPolicy("frankfurt", "eu", Set.of("sg"), List.of("singapore"), 100);
  }

  static RegionPolicy singapore() {
    return new RegionPolicy(
        "singapore", "sg", Set.of("in", "eu"), List.of("mumbai", "frankfurt"), 150);
  }

  /** Policy values with the examples' defaults, changed one at a time by the tests. */
  static final class PolicyBuilder {
    ApprovalMode mode = ApprovalMode.Automatic;
    int minActiveRegions = 1;
    int maxConcurrentFailovers = 2;
    ApprovalMode failbackMode = ApprovalMode.Automatic;
    Duration stableFor = Duration.ofSeconds(5);
    Duration catchUpTimeout = Policy.DEFAULT_CATCH_UP_TIMEOUT;
    List<RegionPolicy> regions = List.of(mumbai(), frankfurt(), singapore());

    PolicyBuilder mode(ApprovalMode value) {
      mode = value;
      return this;
    }

    PolicyBuilder minActiveRegions(int value) {
      minActiveRegions = value;
      return this;
    }

    PolicyBuilder maxConcurrentFailovers(int value) {
      maxConcurrentFailovers = value;
      return this;
    }

    PolicyBuilder failbackMode(ApprovalMode value) {
      failbackMode = value;
      return this;
    }

    PolicyBuilder stableFor(Duration value) {
      stableFor = value;
      return this;
    }

    PolicyBuilder catchUpTimeout(Duration value) {
      catchUpTimeout = value;
      return this;
    }

    PolicyBuilder regions(RegionPolicy... value) {
      regions = List.of(value);
      return this;
    }

    Policy build() {
      return new Policy(
          mode,
          LEASE,
          PROBE_INTERVAL,
          THRESHOLD,
          SKEW,
          minActiveRegions,
          maxConcurrentFailovers,
          failbackMode,
          stableFor,
          regions,
          catchUpTimeout);
    }
  }

  static PolicyBuilder policy() {
    return new PolicyBuilder();
  }

  /**
   * A caller: every tick advances the clock by probeInterval, probes every region, and reports a
   * lease write at that time for every region the previous step said to renew, unless its Redis is
   * cut off.
   */
  static final class Sim {
    final Policy policy;
    final FailoverMachine machine;
    TopologyState state;
    Instant now = T0;
    Set<String> leaseHolders;
    Step last;
    final Set<String> probesFail = new HashSet<>();
    final Set<String> leaseWritesFail = new HashSet<>();
    final Set<String> failoverApprovals = new HashSet<>();
    final Set<String> failbackApprovals = new HashSet<>();
    final Map<String, Instant> lastLeaseWrite = new HashMap<>();
    final List<DrillEvent> drillEvents = new ArrayList<>();
    final List<Transition> transitions = new ArrayList<>();

    /** The drill asked for, passed on every tick until it has an event that ends it. */
    DrillRequest drillRequest;

    /** What the caller reports about the running drill on the next tick only. */
    DrillProgress drillProgress;

    /** Reported on every tick: the region has no replication probe, catching up is immediate. */
    boolean alwaysCaughtUp;

    /**
     * Failback catch-up readings reported on every tick, by region. A failed-over region without
     * one is reported {@code UNPROBED} (no replication probe) unless {@link #catchUpMeasured}.
     */
    final Map<String, FailbackCatchUp> catchUps = new HashMap<>();

    /** Whether failed-over regions without a reading in {@link #catchUps} are reported none. */
    boolean catchUpMeasured;

    int ticks;

    Sim(Policy policy) {
      this(policy, TopologyState.initial(policy, T0));
    }

    Sim(Policy policy, TopologyState state) {
      this.policy = policy;
      this.machine = new FailoverMachine(policy);
      this.state = state;
      this.leaseHolders = Set.copyOf(state.regions().keySet());
    }

    Step tick() {
      now = now.plus(PROBE_INTERVAL);
      ticks++;
      Map<String, Probe> probes = new LinkedHashMap<>();
      for (RegionPolicy region : policy.regions()) {
        boolean healthy = !probesFail.contains(region.name());
        probes.put(
            region.name(), new Probe(healthy, healthy ? "ok" : "healthz: connection refused"));
      }
      Map<String, Instant> writes = new HashMap<>();
      for (String holder : leaseHolders) {
        if (!leaseWritesFail.contains(holder)) {
          writes.put(holder, now);
          lastLeaseWrite.put(holder, now);
        }
      }
      DrillProgress progress =
          drillProgress != null
              ? drillProgress
              : alwaysCaughtUp ? new DrillProgress(null, true, false) : DrillProgress.NONE;
      drillProgress = null;
      Map<String, FailbackCatchUp> readings = new HashMap<>(catchUps);
      if (!catchUpMeasured) {
        state
            .regions()
            .forEach(
                (name, region) -> {
                  if (region.servedBy() != null && !readings.containsKey(name)) {
                    readings.put(
                        name,
                        new FailbackCatchUp(
                            region.servedBy(),
                            FailbackCatchUp.Status.UNPROBED,
                            null,
                            "no replicationProbe on " + name));
                  }
                });
      }
      last =
          machine.step(
              state,
              new Observation(
                  now,
                  probes,
                  writes,
                  Set.copyOf(failoverApprovals),
                  Set.copyOf(failbackApprovals),
                  drillRequest,
                  progress,
                  readings));
      state = last.next();
      leaseHolders = last.leaseHolders();
      drillEvents.addAll(last.drillEvents());
      transitions.addAll(last.transitions());
      if (drillRequest != null
          && last.drillEvents().stream()
              .anyMatch(
                  e ->
                      e.drill().id().equals(drillRequest.id())
                          && (e.kind() == DrillEvent.Kind.ENDED
                              || e.kind() == DrillEvent.Kind.REFUSED))) {
        drillRequest = null;
      }
      return last;
    }

    /** Ticks until tick {@code n}, at {@code T0 + n × probeInterval}; returns the last step. */
    Step tickTo(int n) {
      if (ticks >= n) {
        throw new IllegalStateException("already at tick " + ticks + ", not before " + n);
      }
      while (ticks < n) {
        tick();
      }
      return last;
    }

    RegionState region(String name) {
      return state.regions().get(name);
    }
  }

  private FailoverFixtures() {}
}
