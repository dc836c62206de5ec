package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.operator.failover.FailoverFixtures.LEASE;
import static dev.homeport.operator.failover.FailoverFixtures.PROBE_INTERVAL;
import static dev.homeport.operator.failover.FailoverFixtures.SKEW;
import static dev.homeport.operator.failover.FailoverFixtures.T0;
import static dev.homeport.operator.failover.FailoverFixtures.frankfurt;
import static dev.homeport.operator.failover.FailoverFixtures.mumbai;
import static dev.homeport.operator.failover.FailoverFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.operator.failover.FailoverFixtures.Sim;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Drills through the machine, one probe round per tick (leaseDuration 2s, skewMargin 1s,
 * probeInterval 500ms: a lease runs out with margin 6 ticks after its last renewal).
 */
class DrillMachineTest {

  private static final Duration HOLD = Duration.ofSeconds(2);
  private static final int FENCE_TICKS = (int) (LEASE.plus(SKEW).toMillis() / 500);

  private static DrillRequest drill(String id, String region) {
    return new DrillRequest(id, region, HOLD);
  }

  private static DrillProgress verified() {
    return new DrillProgress(null, true, true);
  }

  private static DrillProgress stop(DrillResult result, String why) {
    return new DrillProgress(new DrillProgress.Stop(result, why), true, false);
  }

  private static List<DrillEvent.Kind> kinds(Sim sim) {
    return sim.drillEvents.stream().map(DrillEvent::kind).toList();
  }

  private static DrillEvent last(Sim sim) {
    return sim.drillEvents.get(sim.drillEvents.size() - 1);
  }

  /** Ticks until the drill is in {@code phase}, at most {@code limit} ticks; returns the tick. */
  private static int until(Sim sim, DrillPhase phase, int limit) {
    for (int i = 0; i < limit; i++) {
      if (sim.state.drill() != null && sim.state.drill().phase() == phase) {
        return sim.ticks;
      }
      sim.tick();
    }
    throw new AssertionError("drill not in " + phase + " after " + limit + " ticks: " + sim.state);
  }

  @Nested
  class Happy {

    @Test
    void fenceWaitOutTheLeaseFlipHoldFailBackVerifyAndSucceed() {
      // Manual failback and no approval: the drill itself approves its failback.
      Sim sim = new Sim(policy().failbackMode(ApprovalMode.Manual).build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = drill("Q4-2026", "mumbai");

      Step started = sim.tick();
      assertThat(started.publish()).isTrue();
      assertThat(started.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.to()).isEqualTo(Fenced);
                assertThat(t.reason()).isEqualTo("DrillFenced");
              });
      assertThat(started.leaseHolders()).containsExactlyInAnyOrder("frankfurt", "singapore");
      assertThat(sim.region("mumbai").failoverTarget()).isEqualTo("singapore");
      assertThat(kinds(sim)).containsExactly(DrillEvent.Kind.STARTED);
      assertThat(last(sim).message())
          .contains("drill Q4-2026", "singapore takes its keys", "holds them for 2s");
      Instant lastRenewal = sim.lastLeaseWrite.get("mumbai");
      assertThat(lastRenewal).isEqualTo(T0.plus(PROBE_INTERVAL));

      // Never before lease + skew since the last renewal, even though catch-up is immediate.
      sim.tickTo(FENCE_TICKS);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.region("mumbai").servedBy()).isNull();
      Step flipped = sim.tick();
      assertThat(sim.now).isEqualTo(lastRenewal.plus(LEASE).plus(SKEW));
      assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
      assertThat(flipped.transitions()).extracting(Transition::reason).contains("DrillFlipped");
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.Verifying);

      // Not verified yet: no hold starts.
      sim.tick();
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.Verifying);
      sim.drillProgress = verified();
      sim.tick();
      DrillState holding = sim.state.drill();
      assertThat(holding.phase()).isEqualTo(DrillPhase.Holding);
      assertThat(holding.holdUntil()).isEqualTo(sim.now.plus(HOLD));

      int holdTicks = (int) (HOLD.toMillis() / PROBE_INTERVAL.toMillis());
      for (int i = 1; i < holdTicks; i++) {
        sim.tick();
        assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      }
      Step failingBack = sim.tick();
      assertThat(failingBack.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.to()).isEqualTo(Recovering);
                assertThat(t.reason()).isEqualTo("DrillFailback");
              });
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.FailingBack);
      Instant failbackAt = sim.now;

      until(sim, DrillPhase.VerifyingBack, FENCE_TICKS + 1);
      assertThat(sim.now).isEqualTo(failbackAt.plus(LEASE).plus(SKEW));
      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
      assertThat(sim.last.leaseHolders()).contains("mumbai");

      sim.tick();
      assertThat(sim.state.drill()).as("verifying back waits for the requests").isNotNull();
      sim.drillProgress = verified();
      sim.tick();
      assertThat(sim.state.drill()).isNull();
      assertThat(last(sim).kind()).isEqualTo(DrillEvent.Kind.ENDED);
      assertThat(last(sim).drill().result()).isEqualTo(DrillResult.Succeeded);
      assertThat(sim.state.epoch()).as("fence, flip, failback, back to Active").isEqualTo(4);
    }

    @Test
    void withAReplicationProbeTheFlipWaitsForCatchUp() {
      Sim sim = new Sim(policy().build());
      sim.drillRequest = drill("catch-up", "mumbai");
      sim.tick();
      sim.tickTo(FENCE_TICKS + 1);
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.CatchingUp);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      sim.tickTo(FENCE_TICKS + 5);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);

      sim.drillProgress = new DrillProgress(null, true, false);
      sim.tick();
      assertThat(sim.region("mumbai").servedBy()).isEqualTo("singapore");
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.Verifying);
    }

    @Test
    void automaticFailbackDoesNotEndAHoldEarly() {
      Sim sim =
          new Sim(policy().failbackMode(ApprovalMode.Automatic).stableFor(Duration.ZERO).build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = new DrillRequest("long-hold", "mumbai", Duration.ofMinutes(10));
      sim.tick();
      until(sim, DrillPhase.Verifying, FENCE_TICKS + 2);
      sim.drillProgress = verified();
      sim.tick();
      for (int i = 0; i < 40; i++) {
        sim.tick();
        assertThat(sim.region("mumbai").phase()).isEqualTo(FailedOver);
      }
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.Holding);
    }

    @Test
    void aFencedDrillRegionAnsweringItsProbesKeepsItsFence() {
      Sim sim = new Sim(policy().build());
      sim.drillRequest = drill("fenced", "mumbai");
      sim.tick();
      sim.tickTo(FENCE_TICKS + 4);
      assertThat(sim.region("mumbai").phase()).isEqualTo(Fenced);
      assertThat(sim.transitions)
          .extracting(Transition::reason)
          .doesNotContain("RecoveredBeforeFailover");
    }
  }

  @Nested
  class Stops {

    @Test
    void abortedBeforeTheFlipTheRegionGetsItsLeaseBackAndNeverMoves() {
      Sim sim = new Sim(policy().build());
      sim.drillRequest = drill("early", "mumbai");
      sim.tick();
      sim.tickTo(3);
      sim.drillProgress = stop(DrillResult.Aborted, "aborted by hand");
      Step aborted = sim.tick();

      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
      assertThat(aborted.leaseHolders()).contains("mumbai");
      assertThat(aborted.transitions()).extracting(Transition::reason).contains("DrillCalledOff");
      assertThat(sim.state.drill()).isNull();
      assertThat(last(sim).drill().result()).isEqualTo(DrillResult.Aborted);
      assertThat(last(sim).drill().reason()).isEqualTo("aborted by hand");
      assertThat(sim.transitions).noneMatch(t -> "singapore".equals(t.servedBy()));
    }

    @Test
    void abortedWhileHoldingItFailsBackAtOnceAndEndsAbortedOnceVerified() {
      Sim sim = new Sim(policy().build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = new DrillRequest("held", "mumbai", Duration.ofMinutes(10));
      sim.tick();
      until(sim, DrillPhase.Verifying, FENCE_TICKS + 2);
      sim.drillProgress = verified();
      sim.tick();
      sim.tick();

      sim.drillProgress =
          stop(DrillResult.Aborted, "errorRate 0.31 over 0.05 (31 of 100 synthetic requests)");
      Step stopped = sim.tick();
      assertThat(stopped.transitions()).extracting(Transition::to).containsExactly(Recovering);
      assertThat(sim.state.drill().phase()).isEqualTo(DrillPhase.FailingBack);
      assertThat(sim.state.drill().result()).isEqualTo(DrillResult.Aborted);
      assertThat(last(sim).kind()).isEqualTo(DrillEvent.Kind.STOPPING);

      until(sim, DrillPhase.VerifyingBack, FENCE_TICKS + 1);
      sim.drillProgress = verified();
      sim.tick();
      assertThat(last(sim).drill().result()).isEqualTo(DrillResult.Aborted);
      assertThat(last(sim).drill().reason()).startsWith("errorRate 0.31 over 0.05");
    }

    @Test
    void thePeerFailingDuringTheHoldFailsTheDrillAndFailsBack() {
      Sim sim = new Sim(policy().build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = new DrillRequest("peer-dies", "mumbai", Duration.ofMinutes(10));
      sim.tick();
      until(sim, DrillPhase.Verifying, FENCE_TICKS + 2);
      sim.drillProgress = verified();
      sim.tick();
      sim.probesFail.add("singapore");
      until(sim, DrillPhase.FailingBack, 5);
      assertThat(sim.state.drill().result()).isEqualTo(DrillResult.Failed);
      assertThat(sim.state.drill().reason()).contains("peer singapore");
      assertThat(sim.region("mumbai").phase()).isEqualTo(Recovering);
    }

    @Test
    void theRegionFailingDuringTheHoldEndsTheDrillAndTheFailoverRulesKeepItFailedOver() {
      Sim sim = new Sim(policy().failbackMode(ApprovalMode.Manual).build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = new DrillRequest("region-dies", "mumbai", Duration.ofMinutes(10));
      sim.tick();
      until(sim, DrillPhase.Verifying, FENCE_TICKS + 2);
      sim.drillProgress = verified();
      sim.tick();
      sim.probesFail.add("mumbai");
      sim.tick();
      sim.tick();
      sim.tick();
      assertThat(sim.state.drill()).isNull();
      assertThat(last(sim).drill().result()).isEqualTo(DrillResult.Failed);
      assertThat(last(sim).drill().reason())
          .contains("mumbai failed 3 consecutive probes", "its keys stay with singapore");
      sim.probesFail.clear();
      sim.tickTo(sim.ticks + 30);
      assertThat(sim.region("mumbai").phase())
          .as("Manual failback without approval")
          .isEqualTo(FailedOver);
    }

    @Test
    void aRealOutageElsewhereAbortsTheDrill() {
      Sim sim = new Sim(policy().maxConcurrentFailovers(1).build());
      sim.alwaysCaughtUp = true;
      sim.drillRequest = new DrillRequest("outage", "mumbai", Duration.ofMinutes(10));
      sim.tick();
      until(sim, DrillPhase.Verifying, FENCE_TICKS + 2);
      sim.drillProgress = verified();
      sim.tick();
      sim.probesFail.add("frankfurt");
      until(sim, DrillPhase.FailingBack, 7);
      assertThat(sim.state.drill().result()).isEqualTo(DrillResult.Aborted);
      assertThat(sim.state.drill().reason())
          .contains("frankfurt failed 6 consecutive probes", "a real outage takes precedence");
      // Once mumbai is back, frankfurt fails over to singapore.
      sim.drillProgress = verified();
      for (int i = 0; i < 30 && sim.region("frankfurt").phase() != FailedOver; i++) {
        if (sim.state.drill() != null && sim.state.drill().phase() == DrillPhase.VerifyingBack) {
          sim.drillProgress = verified();
        }
        sim.tick();
      }
      assertThat(sim.region("frankfurt").servedBy()).isEqualTo("singapore");
    }
  }

  @Nested
  class PreChecks {

    @Test
    void refusedWhileAnotherRegionIsFailedOverNamingItAndItsPhase() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("frankfurt");
      sim.tickTo(14);
      assertThat(sim.region("frankfurt").phase()).isEqualTo(FailedOver);
      sim.drillRequest = drill("busy", "mumbai");
      Step refused = sim.tick();

      assertThat(refused.transitions()).isEmpty();
      assertThat(last(sim).kind()).isEqualTo(DrillEvent.Kind.REFUSED);
      assertThat(last(sim).drill().result()).isEqualTo(DrillResult.Refused);
      assertThat(last(sim).message())
          .contains("frankfurt is FailedOver (served by singapore)", "every region is Active");
      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
      assertThat(sim.drillRequest).as("a refusal ends the request").isNull();
    }

    @Test
    void refusedWhenThePeerHasNoHeadroomSayingWhyEachPeerWasSkipped() {
      Sim sim =
          new Sim(
              policy()
                  .regions(
                      mumbai(),
                      frankfurt(),
                      new RegionPolicy(
                          "singapore", "sg", Set.of("in", "eu"), List.of("mumbai"), 50))
                  .build());
      sim.drillRequest = drill("small-peer", "mumbai");
      sim.tick();
      assertThat(last(sim).message())
          .contains(
              "no failover peer can take mumbai's keys",
              "singapore has capacityWeight 50, less than mumbai's 100");
    }

    @Test
    void refusedWhenMinActiveRegionsWouldBeBroken() {
      Sim sim = new Sim(policy().minActiveRegions(3).build());
      sim.drillRequest = drill("too-few", "mumbai");
      sim.tick();
      assertThat(last(sim).message()).contains("minActiveRegions is 3");
      assertThat(sim.region("mumbai").phase()).isEqualTo(Active);
    }

    @Test
    void aSecondDrillWhileOneRunsIsRefusedAndTheFirstGoesOn() {
      Sim sim = new Sim(policy().build());
      sim.drillRequest = drill("first", "mumbai");
      sim.tick();
      sim.drillRequest = drill("second", "frankfurt");
      sim.tick();
      assertThat(last(sim).kind()).isEqualTo(DrillEvent.Kind.REFUSED);
      assertThat(last(sim).message()).contains("drill first is still running on mumbai");
      assertThat(sim.state.drill().id()).isEqualTo("first");
      assertThat(sim.region("frankfurt").phase()).isEqualTo(Active);
    }

    @Test
    void aRegionThatDidNotAnswerItsLastProbeIsNotDrilled() {
      Sim sim = new Sim(policy().build());
      sim.probesFail.add("mumbai");
      sim.drillRequest = drill("unhealthy", "mumbai");
      sim.tick();
      assertThat(last(sim).message()).contains("mumbai did not answer its last probe");
    }
  }
}
