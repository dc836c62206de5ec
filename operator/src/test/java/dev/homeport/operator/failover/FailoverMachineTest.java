package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Draining;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Suspect;
import static dev.homeport.operator.failover.FailoverFixtures.LEASE;
import static dev.homeport.operator.failover.FailoverFixtures.PROBE_INTERVAL;
import static dev.homeport.operator.failover.FailoverFixtures.SKEW;
import static dev.homeport.operator.failover.FailoverFixtures.T0;
import static dev.homeport.operator.failover.FailoverFixtures.frankfurt;
import static dev.homeport.operator.failover.FailoverFixtures.mumbai;
import static dev.homeport.operator.failover.FailoverFixtures.policy;
import static dev.homeport.operator.failover.FailoverFixtures.singapore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.operator.failover.FailoverFixtures.Sim;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FailoverMachineTest {

  @Test
  void aFreshTopologyIsAllActiveAtEpochZero() {
    Policy policy = policy().build();
    TopologyState initial = TopologyState.initial(policy, T0);

    assertThat(initial.epoch()).isZero();
    assertThat(initial.regions().keySet()).containsExactly("mumbai", "frankfurt", "singapore");
    assertThat(initial.regions().values())
        .allSatisfy(
            region -> {
              assertThat(region.phase()).isEqualTo(Active);
              assertThat(region.servedBy()).isNull();
              assertThat(region.phaseSince()).isEqualTo(T0);
            });

    Step step = new Sim(policy).tick();
    assertThat(step.publish()).isFalse();
    assertThat(step.next().epoch()).isZero();
    assertThat(step.leaseHolders()).containsExactly("mumbai", "frankfurt", "singapore");
  }

  @Nested
  class Probes {
    private final FailoverMachine machine = new FailoverMachine(policy().build());
    private final Instant t1 = T0.plus(PROBE_INTERVAL);
    private final Instant t2 = t1.plus(PROBE_INTERVAL);

    @Test
    void healthyResetsFailuresAndStartsAHealthyRunUnhealthyOrMissingCountsAsAFailure() {
      TopologyState start = TopologyState.initial(policy().build(), T0);
      Step first =
          machine.step(
              start,
              observation(
                  t1,
                  Map.of("mumbai", new Probe(true, "ok"), "frankfurt", new Probe(false, "timeout")),
                  Map.of()));
      Step second =
          machine.step(
              first.next(),
              observation(
                  t2,
                  Map.of("mumbai", new Probe(true, "ok"), "frankfurt", new Probe(true, "ok")),
                  Map.of()));

      RegionState mumbai = second.next().regions().get("mumbai");
      assertThat(mumbai.consecutiveFailures()).isZero();
      assertThat(mumbai.lastHealthy()).isEqualTo(t2);
      assertThat(mumbai.healthySince()).as("the run started at t1").isEqualTo(t1);

      RegionState frankfurtFirst = first.next().regions().get("frankfurt");
      assertThat(frankfurtFirst.consecutiveFailures()).isEqualTo(1);
      assertThat(frankfurtFirst.lastHealthy()).isNull();
      assertThat(frankfurtFirst.healthySince()).isNull();
      assertThat(second.next().regions().get("frankfurt").healthySince()).isEqualTo(t2);

      RegionState singapore = second.next().regions().get("singapore");
      assertThat(singapore.consecutiveFailures()).as("no probe is a failed probe").isEqualTo(2);
      assertThat(singapore.healthySince()).isNull();
    }

    @Test
    void leaseRenewedAtOnlyMovesForward() {
      TopologyState start = TopologyState.initial(policy().build(), T0);
      Step first = machine.step(start, observation(t1, healthyProbes(), Map.of("mumbai", t1)));
      Step second =
          machine.step(
              first.next(),
              observation(t2, healthyProbes(), Map.of("mumbai", T0, "frankfurt", t2)));

      assertThat(second.next().regions().get("mumbai").leaseRenewedAt()).isEqualTo(t1);
      assertThat(second.next().regions().get("frankfurt").leaseRenewedAt()).isEqualTo(t2);
      assertThat(second.next().regions().get("singapore").leaseRenewedAt()).isNull();
    }
  }

  @Nested
  class Failover {

    @Test
    void aDeadRegionIsSuspectAfterThreeFencedAfterSixAndFailedOverExactlyAtItsLeaseDeadline() {
      // The front-door is down but Redis answers: lease writes succeed until the region is fenced.
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");

      assertThat(sim.tickTo(2).next().regions().get("mumbai").phase()).isEqualTo(Active);

      Step suspect = sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);
      assertThat(suspect.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("ProbesFailing");
                assertThat(t.from()).isEqualTo(Active);
                assertThat(t.message()).contains("mumbai", "3 consecutive probes");
              });
      assertThat(suspect.leaseHolders()).as("a Suspect region keeps its lease").contains("mumbai");
      assertThat(suspect.publish()).isTrue();
      assertThat(suspect.next().epoch()).isEqualTo(1);

      assertThat(sim.tickTo(5).next().regions().get("mumbai").phase()).isEqualTo(Suspect);

      Step fenced = sim.tick();
      RegionState mumbai = sim.region("mumbai");
      assertThat(mumbai.phase()).isEqualTo(Fenced);
      assertThat(mumbai.failoverTarget()).isEqualTo("singapore");
      assertThat(mumbai.servedBy()).as("nobody serves it while its lease may be valid").isNull();
      assertThat(mumbai.leaseRenewedAt()).isEqualTo(T0.plusSeconds(3));
      assertThat(fenced.leaseHolders()).containsExactly("frankfurt", "singapore");
      assertThat(fenced.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).isEqualTo("FailoverStarted"));
      assertThat(fenced.next().epoch()).isEqualTo(2);

      // Last lease write at T0+3s: the deadline is T0+3s+2s+1s = T0+6s, tick 12.
      Step justBefore = sim.tickTo(11);
      assertThat(sim.now).isEqualTo(T0.plusMillis(5500));
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("mumbai").servedBy()).isNull();
      assertThat(justBefore.next().epoch()).isEqualTo(2);

      Step failedOver = sim.tick();
      assertThat(sim.now).isEqualTo(sim.lastLeaseWrite.get("mumbai").plus(LEASE).plus(SKEW));
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
      assertThat(failedOver.publish()).isTrue();
      assertThat(failedOver.next().epoch()).isEqualTo(3);
      assertThat(failedOver.leaseHolders()).containsExactly("frankfurt", "singapore");
      assertThat(failedOver.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("FailedOver");
                assertThat(t.servedBy()).isEqualTo("singapore");
                assertThat(t.message()).contains("mumbai", "singapore", "2025-01-01T00:00:06Z");
              });
    }

    @Test
    void aPartitionedRegionFailsOverAtItsLastSuccessfulLeaseWritePlusMargin() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.tickTo(2);
      sim.leaseWritesFail.add("mumbai"); // last write: tick 2, T0+1s

      sim.tickTo(6);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);

      sim.tickTo(7); // T0+3.5s
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      sim.tickTo(8); // T0+4s = T0+1s + 2s + 1s
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
    }

    @Test
    void withoutAnyKnownLeaseWriteTheWaitStartsWhenTheRegionIsFenced() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.leaseWritesFail.add("mumbai");

      sim.tickTo(6);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("mumbai").leaseRenewedAt()).isNull();
      sim.tickTo(11);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      sim.tickTo(12); // fenced at T0+3s, + 2s + 1s
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
    }

    @Test
    void aSuspectRegionThatAnswersAgainIsActive() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.tickTo(4);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);

      sim.probesFail.clear();
      Step step = sim.tick();

      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
      assertThat(step.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("Recovered");
                assertThat(t.message()).contains("after 4 failed probes");
              });
    }

    @Test
    void aFailoverThatWouldLeaveTooFewActiveRegionsIsRefused() {
      Sim sim = new Sim(policy().minActiveRegions(2).maxConcurrentFailovers(3).build());
      sim.probesFail.addAll(Set.of("mumbai", "frankfurt"));

      Step step = sim.tickTo(6);

      assertThat(sim.region("mumbai").phase())
          .as("frankfurt, though Suspect, still serves its own keys, so two remain")
          .isEqualTo(Fenced);
      assertThat(sim.region("frankfurt").phase()).isEqualTo(Suspect);
      assertThat(step.leaseHolders()).contains("frankfurt");
      assertThat(step.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.region()).isEqualTo("frankfurt");
                assertThat(r.reason()).isEqualTo("MinActiveRegions");
                assertThat(r.message())
                    .contains("only 1 other region(s)", "singapore", "minActiveRegions is 2");
              });
      assertThat(sim.region("frankfurt").message()).isEqualTo(step.refusals().get(0).message());

      sim.tickTo(40);
      assertThat(sim.region("frankfurt").phase()).isEqualTo(Suspect);
      assertThat(sim.last.refusals())
          .extracting(Refusal::reason)
          .containsExactly("MinActiveRegions");
    }

    @Test
    void noMoreThanMaxConcurrentFailoversAtOnce() {
      Sim sim =
          new Sim(
              policy()
                  .maxConcurrentFailovers(1)
                  .regions(mumbai(), frankfurt(), singaporeWithWeight(1000))
                  .build());
      sim.probesFail.add("mumbai");
      sim.tickTo(12);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);

      sim.probesFail.add("frankfurt");
      Step step = sim.tickTo(18);

      assertThat(sim.region("frankfurt").phase()).isEqualTo(Suspect);
      assertThat(step.leaseHolders()).contains("frankfurt");
      assertThat(step.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("MaxConcurrentFailovers");
                assertThat(r.message()).contains("(mumbai)", "maxConcurrentFailovers is 1");
              });
    }

    @Test
    void manualModeWaitsForApproval() {
      Sim sim = new Sim(policy().mode(ApprovalMode.Manual).build());
      sim.probesFail.add("mumbai");

      Step waiting = sim.tickTo(6);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);
      assertThat(waiting.leaseHolders()).contains("mumbai");
      assertThat(waiting.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("AwaitingApproval");
                assertThat(r.message()).contains("singapore", "--approve");
              });
      sim.tickTo(20);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);

      sim.failoverApprovals.add("mumbai");
      Step approved = sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(approved.refusals()).isEmpty();
    }

    @Test
    void aPeerTakesAnotherRegionOnlyWithinItsCapacity() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.tickTo(12);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");

      sim.probesFail.add("frankfurt");
      Step step = sim.tickTo(18);

      assertThat(sim.region("frankfurt").phase()).isEqualTo(Suspect);
      assertThat(step.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("NoEligiblePeer");
                assertThat(r.message())
                    .contains(
                        "singapore has capacityWeight 150 and already serves or is about to serve"
                            + " mumbai (100); adding frankfurt (100) would need 200");
              });
    }

    @Test
    void aPeerAboutToServeARegionHasThatCapacityReserved() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.addAll(Set.of("mumbai", "frankfurt"));

      Step step = sim.tickTo(6);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("frankfurt").phase()).isEqualTo(Suspect);
      assertThat(step.refusals()).extracting(Refusal::reason).containsExactly("NoEligiblePeer");
    }

    @Test
    void aPeerWithRoomForBothTakesBoth() {
      Sim sim = new Sim(policy().regions(mumbai(), frankfurt(), singaporeWithWeight(200)).build());
      sim.probesFail.addAll(Set.of("mumbai", "frankfurt"));

      Step step = sim.tickTo(12);

      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
      assertThat(sim.region("frankfurt").servedBy()).isEqualTo("singapore");
      assertThat(step.next().epoch())
          .as("Suspect, Fenced and FailedOver: one bump each")
          .isEqualTo(3);
    }

    @Test
    void peersOfAnotherResidencyAreSkippedAndTheMessageSaysWhy() {
      RegionPolicy mumbai = new RegionPolicy("mumbai", "in", Set.of(), List.of("frankfurt"), 100);
      Sim sim = new Sim(policy().regions(mumbai, frankfurt(), singapore()).build());
      sim.probesFail.add("mumbai");

      Step step = sim.tickTo(6);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);
      assertThat(step.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("NoEligiblePeer");
                assertThat(r.message())
                    .contains("frankfurt has residency eu and does not accept in");
              });
    }

    @Test
    void aSuspectPeerIsNotEligible() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.addAll(Set.of("mumbai", "singapore"));

      Step step = sim.tickTo(6);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);
      assertThat(step.refusals())
          .singleElement()
          .satisfies(r -> assertThat(r.message()).contains("singapore is Suspect, not Active"));
      assertThat(sim.region("singapore").phase()).isEqualTo(Fenced);
      assertThat(sim.region("singapore").failoverTarget())
          .as("mumbai is Suspect, so the next peer")
          .isEqualTo("frankfurt");
    }

    @Test
    void aFencedRegionThatAnswersAgainCallsTheFailoverOff() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.tickTo(6);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      long epoch = sim.state.epoch();

      sim.probesFail.clear();
      Step step = sim.tick();

      RegionState mumbai = sim.region("mumbai");
      assertThat(mumbai.phase()).isEqualTo(Active);
      assertThat(mumbai.failoverTarget()).isNull();
      assertThat(mumbai.servedBy()).isNull();
      assertThat(step.leaseHolders()).contains("mumbai");
      assertThat(step.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).isEqualTo("RecoveredBeforeFailover"));
      assertThat(step.next().epoch()).isEqualTo(epoch + 1);

      sim.tickTo(30);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
    }

    @Test
    void atTheDeadlineAFencedRegionChoosesAgainIfItsTargetIsNoLongerEligible() {
      RegionPolicy mumbai =
          new RegionPolicy("mumbai", "in", Set.of(), List.of("singapore", "frankfurt"), 100);
      RegionPolicy frankfurt =
          new RegionPolicy("frankfurt", "eu", Set.of("in", "sg"), List.of("singapore"), 100);
      Sim sim = new Sim(policy().regions(mumbai, frankfurt, singapore()).build());
      sim.probesFail.add("mumbai");
      sim.tickTo(6);
      assertThat(sim.region("mumbai").failoverTarget()).isEqualTo("singapore");

      sim.probesFail.add("singapore"); // Suspect from tick 9
      Step step = sim.tickTo(12);

      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("frankfurt");
      assertThat(step.transitions())
          .filteredOn(t -> t.region().equals("mumbai"))
          .singleElement()
          .satisfies(t -> assertThat(t.message()).contains("not singapore", "Suspect, not Active"));
    }

    @Test
    void aFencedRegionWithNoEligiblePeerLeftStaysFenced() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.tickTo(6);
      sim.probesFail.add("singapore");

      Step step = sim.tickTo(12);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("mumbai").servedBy()).isNull();
      assertThat(step.leaseHolders()).doesNotContain("mumbai");
      assertThat(step.refusals())
          .filteredOn(r -> r.region().equals("mumbai"))
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("NoEligiblePeer"));

      sim.probesFail.remove("singapore");
      sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
    }
  }

  @Nested
  class ServingPeerFails {
    private final RegionPolicy mumbai =
        new RegionPolicy("mumbai", "in", Set.of("sg"), List.of("singapore", "frankfurt"), 100);

    /** singapore failed over to mumbai at tick 12; mumbai then dies from tick 13. */
    private Sim singaporeServedByADyingMumbai(int frankfurtWeight) {
      RegionPolicy frankfurt =
          new RegionPolicy("frankfurt", "eu", Set.of("in", "sg"), List.of(), frankfurtWeight);
      Sim sim = new Sim(policy().regions(mumbai, frankfurt, singapore()).build());
      sim.probesFail.add("singapore");
      sim.tickTo(12);
      assertThat(sim.region("singapore").servedBy()).isEqualTo("mumbai");
      sim.probesFail.add("mumbai");
      sim.tickTo(18);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("mumbai").failoverTarget()).isEqualTo("frankfurt");
      return sim;
    }

    @Test
    void theKeysMoveToAnotherPeerOnceTheServingPeerCanNoLongerWrite() {
      Sim sim = singaporeServedByADyingMumbai(300);

      // mumbai's last lease write was at tick 18 (T0+9s): it may write until T0+12s, tick 24.
      sim.tickTo(23);
      assertThat(sim.region("singapore").servedBy()).isEqualTo("mumbai");

      long epoch = sim.state.epoch();
      Step step = sim.tick();
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("frankfurt");
      assertThat(sim.region("singapore").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("singapore").servedBy()).isEqualTo("frankfurt");
      assertThat(step.transitions())
          .extracting(Transition::region, Transition::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("mumbai", "FailedOver"),
              org.assertj.core.groups.Tuple.tuple("singapore", "Retargeted"));
      assertThat(step.next().epoch()).isEqualTo(epoch + 1);
    }

    @Test
    void withNowhereToGoTheKeysStayWithTheOldPeerAndTheRefusalSaysWhy() {
      Sim sim = singaporeServedByADyingMumbai(100);

      Step step = sim.tickTo(24);

      assertThat(sim.region("singapore").servedBy()).isEqualTo("mumbai");
      assertThat(step.refusals())
          .filteredOn(r -> r.region().equals("singapore"))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("NoEligiblePeer");
                assertThat(r.message()).contains("frankfurt has capacityWeight 100");
              });
    }
  }

  @Nested
  class Failback {

    /** mumbai failed over to singapore at tick 12 (T0+6s), healthy again from tick 13. */
    private Sim failedOverAndHealthyAgain(Policy policy) {
      Sim sim = new Sim(policy);
      sim.probesFail.add("mumbai");
      sim.tickTo(12);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      sim.probesFail.clear();
      return sim;
    }

    @Test
    void afterStableForTheRegionRecoversAndIsActiveOnceFrontDoorsHaveSeenIt() {
      Sim sim = failedOverAndHealthyAgain(policy().build());

      // Healthy since tick 13 (T0+6.5s); stableFor 5s: T0+11.5s, tick 23.
      sim.tickTo(22);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");

      long epoch = sim.state.epoch();
      Step recovering = sim.tick();
      RegionState mumbai = sim.region("mumbai");
      assertThat(mumbai.phase()).isEqualTo(Recovering);
      assertThat(mumbai.servedBy()).as("singapore stops serving").isNull();
      assertThat(recovering.leaseHolders()).doesNotContain("mumbai");
      assertThat(recovering.publish()).isTrue();
      assertThat(recovering.next().epoch()).isEqualTo(epoch + 1);
      assertThat(recovering.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).isEqualTo("Failback"));

      // Recovering since T0+11.5s; leaseDuration + skew: T0+14.5s, tick 29.
      sim.tickTo(28);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
      assertThat(sim.last.leaseHolders()).doesNotContain("mumbai");

      Step active = sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
      assertThat(sim.region("mumbai").failoverTarget()).isNull();
      assertThat(active.leaseHolders()).contains("mumbai");
      assertThat(active.publish()).isTrue();
      assertThat(active.next().epoch()).isEqualTo(epoch + 2);
      assertThat(active.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).isEqualTo("FailbackComplete"));
    }

    @Test
    void aFlappingRegionNeverFailsBack() {
      Sim sim = failedOverAndHealthyAgain(policy().build());

      for (int i = 0; i < 200; i++) {
        if (i % 2 == 0) {
          sim.probesFail.add("mumbai");
        } else {
          sim.probesFail.remove("mumbai");
        }
        Step step = sim.tick();
        assertThat(step.transitions()).isEmpty();
      }
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
    }

    @Test
    void aShortOutageRestartsTheStableForClock() {
      Sim sim = failedOverAndHealthyAgain(policy().build());
      sim.tickTo(20);
      sim.probesFail.add("mumbai");
      sim.tick(); // tick 21 fails: the healthy run restarts at tick 22 (T0+11s)
      sim.probesFail.clear();

      sim.tickTo(31);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      sim.tick(); // tick 32, T0+16s
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
    }

    @Test
    void manualFailbackWaitsForApproval() {
      Sim sim = failedOverAndHealthyAgain(policy().failbackMode(ApprovalMode.Manual).build());

      Step waiting = sim.tickTo(40);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(waiting.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("AwaitingFailbackApproval");
                assertThat(r.message()).contains("mumbai", "singapore", "stableFor 5s");
              });

      sim.failbackApprovals.add("mumbai");
      sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
    }

    @Test
    void withoutAReplicationProbeTheFailbackGoesAheadAndSaysItDidNotWait() {
      Sim sim = failedOverAndHealthyAgain(policy().build());

      Step recovering = sim.tickTo(23);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
      assertThat(recovering.transitions())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.message())
                      .contains(
                          "the failback did not wait for replication: no replicationProbe on"
                              + " mumbai"));
    }

    @Test
    void theFailbackWaitsForCatchUpWhileThePeerKeepsServingThenGoesAhead() {
      Sim sim = failedOverAndHealthyAgain(policy().build());
      sim.catchUpMeasured = true;

      // Due at tick 23 (stableFor 5s), but no reading yet.
      Step first = sim.tickTo(23);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(first.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("AwaitingFailbackCatchUp");
                assertThat(r.warning()).as("an expected wait: a Normal Event").isFalse();
                assertThat(r.message()).contains("no reading of the replicationProbes yet");
              });

      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore",
              FailbackCatchUp.Status.WAITING,
              sim.now,
              "mumbai has applied singapore's writes up to 1200 of 1500 (lag 300)"));
      long epoch = sim.state.epoch();
      Step waiting = sim.tickTo(40);
      RegionState mumbai = sim.region("mumbai");
      assertThat(mumbai.phase()).isEqualTo(FailedOver);
      assertThat(mumbai.servedBy()).as("no outage while it waits").isEqualTo("singapore");
      assertThat(waiting.leaseHolders()).doesNotContain("mumbai");
      assertThat(sim.state.epoch()).as("nothing published while it waits").isEqualTo(epoch);
      assertThat(sim.transitions).noneMatch(t -> t.reason().equals("Failback"));
      assertThat(waiting.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("AwaitingFailbackCatchUp");
                assertThat(r.warning()).isFalse();
                assertThat(r.message())
                    .contains(
                        "waits until mumbai's application has applied the writes singapore took"
                            + " for it",
                        "lag 300",
                        "at most catchUpTimeout 300s",
                        "singapore keeps serving its keys meanwhile");
              });
      assertThat(mumbai.message()).isEqualTo(waiting.refusals().get(0).message());

      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore",
              FailbackCatchUp.Status.CAUGHT_UP,
              sim.now,
              "mumbai has applied singapore's writes up to 1500 of 1500"));
      Step recovering = sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
      assertThat(sim.region("mumbai").servedBy()).isNull();
      assertThat(recovering.refusals()).isEmpty();
      assertThat(recovering.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("Failback");
                assertThat(t.message())
                    .contains(
                        "mumbai's application has caught up with singapore's writes: mumbai has"
                            + " applied singapore's writes up to 1500 of 1500");
              });
    }

    @Test
    void pastCatchUpTimeoutTheKeysStayWithThePeerAndAWarningSaysHowToProceed() {
      Sim sim = failedOverAndHealthyAgain(policy().catchUpTimeout(Duration.ofSeconds(3)).build());
      sim.catchUpMeasured = true;
      sim.tickTo(22);
      Instant since = sim.now.plus(PROBE_INTERVAL);
      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore",
              FailbackCatchUp.Status.WAITING,
              since,
              "mumbai has applied singapore's writes up to 1200 of 1500 (lag 300)"));

      // The wait began at tick 23; catchUpTimeout 3s: tick 29.
      Step before = sim.tickTo(28);
      assertThat(before.refusals())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("AwaitingFailbackCatchUp"));

      Step timedOut = sim.tick();
      RegionState mumbai = sim.region("mumbai");
      assertThat(mumbai.phase()).isEqualTo(FailedOver);
      assertThat(mumbai.servedBy()).isEqualTo("singapore");
      assertThat(timedOut.transitions()).isEmpty();
      assertThat(timedOut.leaseHolders()).doesNotContain("mumbai");
      assertThat(timedOut.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("FailbackCatchUpTimedOut");
                assertThat(r.warning()).isTrue();
                assertThat(r.message())
                    .contains(
                        "does not fail back",
                        "within 3s (spec.failover.failback.catchUpTimeout, waiting since " + since,
                        "lag 300",
                        "Its keys stay with singapore",
                        "kubectl homeport failback mumbai --approve --skip-catch-up");
              });

      sim.tickTo(60);
      assertThat(sim.region("mumbai").phase()).as("still waiting").isEqualTo(FailedOver);
      assertThat(sim.last.refusals())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("FailbackCatchUpTimedOut"));

      // The region's application catches up after all: the failback goes ahead.
      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore", FailbackCatchUp.Status.CAUGHT_UP, since, "up to 1800 of 1800"));
      sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
    }

    @Test
    void aPersonMaySkipTheCatchUpWait() {
      Sim sim = failedOverAndHealthyAgain(policy().build());
      sim.catchUpMeasured = true;
      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore",
              FailbackCatchUp.Status.SKIPPED,
              null,
              "skipped by hand (annotation homeport.dev/failback-skip-catch-up); lag 300"));

      Step recovering = sim.tickTo(23);

      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
      assertThat(recovering.transitions())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.message())
                      .contains(
                          "the failback did not wait for replication catch-up: skipped by hand"));
    }

    @Test
    void aReadingAgainstAnotherPeerCountsAsNone() {
      Sim sim = failedOverAndHealthyAgain(policy().build());
      sim.catchUpMeasured = true;
      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "frankfurt", FailbackCatchUp.Status.CAUGHT_UP, sim.now, "up to 10 of 10"));

      Step step = sim.tickTo(30);

      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(step.refusals())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("AwaitingFailbackCatchUp");
                assertThat(r.message()).contains("no reading of the replicationProbes yet");
              });
    }

    @Test
    void anApprovedManualFailbackStillWaitsForCatchUp() {
      Sim sim = failedOverAndHealthyAgain(policy().failbackMode(ApprovalMode.Manual).build());
      sim.catchUpMeasured = true;
      sim.failbackApprovals.add("mumbai");
      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore", FailbackCatchUp.Status.WAITING, sim.now, "up to 1 of 2 (lag 1)"));

      Step waiting = sim.tickTo(30);
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(waiting.refusals())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("AwaitingFailbackCatchUp"));

      sim.catchUps.put(
          "mumbai",
          new FailbackCatchUp(
              "singapore", FailbackCatchUp.Status.CAUGHT_UP, sim.now, "up to 2 of 2"));
      sim.tick();
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
    }

    @Test
    void failingAgainWhileRecoveringHandsTheKeysBackToThePeer() {
      Sim sim = failedOverAndHealthyAgain(policy().build());
      sim.tickTo(23);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);

      sim.probesFail.add("mumbai");
      sim.tickTo(25);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
      long epoch = sim.state.epoch();
      Step step = sim.tick();

      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
      assertThat(step.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).isEqualTo("FailbackAborted"));
      assertThat(step.next().epoch()).isEqualTo(epoch + 1);
    }
  }

  @Nested
  class Bookkeeping {

    @Test
    void regionsFollowThePolicy() {
      Policy policy = policy().build();
      Map<String, RegionState> regions = new LinkedHashMap<>();
      regions.put("mumbai", TopologyState.initial(policy, T0).regions().get("mumbai"));
      regions.put(
          "oldregion",
          new RegionState("oldregion", Active, null, null, 0, null, null, null, T0, "old"));
      TopologyState state = new TopologyState(7, regions);

      Step step = new FailoverMachine(policy).step(state, healthyAt(T0.plusSeconds(1)));

      assertThat(step.next().regions().keySet())
          .containsExactly("mumbai", "frankfurt", "singapore");
      assertThat(step.next().regions().get("frankfurt").phase()).isEqualTo(Active);
      assertThat(step.leaseHolders()).containsExactly("mumbai", "frankfurt", "singapore");
      assertThat(step.publish()).isTrue();
      assertThat(step.next().epoch()).isEqualTo(8);
    }

    @Test
    void severalChangesInOneStepBumpTheEpochOnce() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.addAll(Set.of("mumbai", "frankfurt"));

      Step step = sim.tickTo(3);

      assertThat(step.transitions()).hasSize(2);
      assertThat(step.next().epoch()).isEqualTo(1);
    }

    @Test
    void theMachineKeepsNoStateOfItsOwn() {
      Policy policy = policy().build();
      Sim one = new Sim(policy);
      Sim other = new Sim(policy);
      one.probesFail.add("mumbai");
      other.probesFail.add("mumbai");
      one.tickTo(40);
      for (int i = 0; i < 40; i++) {
        // A restarted operator: a new machine every step, resuming from the persisted state.
        Sim restarted = new Sim(policy, other.state);
        restarted.now = other.now;
        restarted.ticks = other.ticks;
        restarted.leaseHolders = other.leaseHolders;
        restarted.probesFail.add("mumbai");
        restarted.tick();
        other = restarted;
      }
      assertThat(other.state).isEqualTo(one.state);
    }

    @Test
    void inputsAreCopiedNotKeptOrChanged() {
      Policy policy = policy().build();
      TopologyState before = TopologyState.initial(policy, T0);
      Map<String, Probe> probes = new HashMap<>(healthyProbes());
      Observation observation =
          new Observation(T0.plusSeconds(1), probes, Map.of(), Set.of(), Set.of());
      probes.put("mumbai", new Probe(false, "changed after the fact"));

      Step step = new FailoverMachine(policy).step(before, observation);

      assertThat(observation.probes().get("mumbai").healthy()).isTrue();
      assertThat(before).isEqualTo(TopologyState.initial(policy, T0));
      assertThat(step.next().regions().get("mumbai").consecutiveFailures()).isZero();
    }

    @Test
    void aDrainingRegionIsLeftAloneAndIsNobodysPeer() {
      Policy policy = policy().build();
      Map<String, RegionState> regions =
          new LinkedHashMap<>(TopologyState.initial(policy, T0).regions());
      regions.put(
          "singapore",
          new RegionState("singapore", Draining, null, null, 0, null, null, null, T0, "draining"));
      Sim sim = new Sim(policy, new TopologyState(0, regions));
      sim.probesFail.addAll(Set.of("mumbai", "singapore"));

      Step step = sim.tickTo(30);

      assertThat(sim.region("singapore").phase()).isEqualTo(Draining);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Suspect);
      assertThat(step.leaseHolders()).containsExactly("mumbai", "frankfurt");
      assertThat(step.refusals())
          .singleElement()
          .satisfies(r -> assertThat(r.message()).contains("singapore is Draining, not Active"));
    }

    @Test
    void nonsensicalPoliciesAreRejectedWithTheField() {
      assertThatThrownBy(
              () ->
                  new Policy(
                      ApprovalMode.Automatic,
                      LEASE,
                      PROBE_INTERVAL,
                      0,
                      SKEW,
                      1,
                      1,
                      ApprovalMode.Automatic,
                      Duration.ZERO,
                      List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("failover.failureThreshold");
      assertThatThrownBy(
              () ->
                  new Policy(
                      ApprovalMode.Automatic,
                      Duration.ZERO,
                      PROBE_INTERVAL,
                      3,
                      SKEW,
                      1,
                      1,
                      ApprovalMode.Automatic,
                      Duration.ZERO,
                      List.of()))
          .hasMessageContaining("failover.leaseDuration must be positive");
      assertThatThrownBy(() -> policy().regions(mumbai(), mumbai()).build())
          .hasMessageContaining("region mumbai is listed twice");
      assertThatThrownBy(() -> new RegionPolicy("x", "eu", Set.of(), List.of(), -1))
          .hasMessageContaining("regions[x].capacityWeight");
    }

    @Test
    void durationsReadAsInTheSpec() {
      assertThat(FailoverMachine.format(Duration.ofMillis(500))).isEqualTo("500ms");
      assertThat(FailoverMachine.format(Duration.ofSeconds(2))).isEqualTo("2s");
      assertThat(FailoverMachine.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
  }

  private static RegionPolicy singaporeWithWeight(int weight) {
    RegionPolicy s = singapore();
    return new RegionPolicy(
        s.name(), s.residency(), s.acceptsResidency(), s.failoverPeers(), weight);
  }

  private static Map<String, Probe> healthyProbes() {
    return Map.of(
        "mumbai", new Probe(true, "ok"),
        "frankfurt", new Probe(true, "ok"),
        "singapore", new Probe(true, "ok"));
  }

  private static Observation healthyAt(Instant now) {
    return observation(now, healthyProbes(), Map.of());
  }

  private static Observation observation(
      Instant now, Map<String, Probe> probes, Map<String, Instant> leaseWrites) {
    return new Observation(now, probes, leaseWrites, Set.of(), Set.of());
  }
}
