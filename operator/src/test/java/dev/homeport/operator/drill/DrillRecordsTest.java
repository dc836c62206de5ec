package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.operator.failover.DrillState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillRecordsTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant RESTART = T0.plusSeconds(5);

  private static DrillRecord running(DrillPhase phase) {
    DrillRecord record = new DrillRecord();
    record.setId("Q4-2026");
    record.setRegion("mumbai");
    record.setPeer("singapore");
    record.setResult(DrillResult.Running);
    record.setPhase(phase);
    record.setStartedAt(T0.toString());
    record.setHoldFor("10m0s");
    return record;
  }

  @Test
  void aRunningDrillResumesWithItsWaitRestartedFromTheRestart() {
    DrillRecord catchingUp = running(DrillPhase.CatchingUp);
    DrillState resumed = DrillRecords.resume(List.of(catchingUp), null, RESTART);

    assertThat(resumed.id()).isEqualTo("Q4-2026");
    assertThat(resumed.peer()).isEqualTo("singapore");
    assertThat(resumed.phase())
        .as("the catch-up is read again once the lease has run out since the restart")
        .isEqualTo(DrillPhase.Fencing);
    assertThat(resumed.startedAt()).isEqualTo(T0);
    assertThat(resumed.phaseSince()).isEqualTo(RESTART);
    assertThat(resumed.holdFor()).isEqualTo(Duration.ofMinutes(10));
    assertThat(resumed.result()).isEqualTo(DrillResult.Running);
  }

  @Test
  void aStoppedDrillResumesStoppingAndAHoldResumesItsEnd() {
    DrillRecord failingBack = running(DrillPhase.FailingBack);
    failingBack.setPendingResult(DrillResult.Aborted);
    failingBack.setReason("aborted by hand");
    DrillState stopping = DrillRecords.resume(List.of(failingBack), null, RESTART);
    assertThat(stopping.result()).isEqualTo(DrillResult.Aborted);
    assertThat(stopping.reason()).isEqualTo("aborted by hand");

    DrillRecord holding = running(DrillPhase.Holding);
    holding.setHoldUntil(T0.plusSeconds(600).toString());
    holding.setHoldFor(null);
    DrillState held =
        DrillRecords.resume(List.of(holding), new DrillSpec("Q4-2026", "mumbai", "15m"), RESTART);
    assertThat(held.holdUntil()).isEqualTo(T0.plusSeconds(600));
    assertThat(held.holdFor()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void recordsThatCannotBeResumedAreNot() {
    DrillRecord noPeer = running(DrillPhase.Fencing);
    noPeer.setPeer(null);
    assertThat(DrillRecords.resume(List.of(noPeer), null, RESTART)).isNull();
    DrillRecord holdingNoEnd = running(DrillPhase.Holding);
    assertThat(DrillRecords.resume(List.of(holdingNoEnd), null, RESTART)).isNull();
    DrillRecord ended = running(DrillPhase.VerifyingBack);
    ended.setResult(DrillResult.Succeeded);
    assertThat(DrillRecords.resume(List.of(ended), null, RESTART)).isNull();
  }

  @Test
  void theSummaryIsOneLineWithTheFiguresThatMatter() {
    DrillRecord done = running(DrillPhase.VerifyingBack);
    done.setResult(DrillResult.Succeeded);
    done.setRto("3.6s");
    done.setRpo("120ms");
    done.setReplicationLag(10L);
    done.setSyntheticRequests(1230L);
    done.setErrors(0L);
    done.setP99Latency("35ms");
    done.setEpochs("41→42→43→44→45");
    assertThat(DrillRecords.summary(done))
        .isEqualTo(
            "drill Q4-2026 on mumbai Succeeded: singapore served mumbai's keys after RTO 3.6s; RPO"
                + " 120ms (10 writes behind at the cut); held 10m0s, failed back and verified; 0"
                + " of 1230 synthetic requests failed, p99 35ms; epochs 41→42→43→44→45");

    DrillRecord early = running(DrillPhase.CatchingUp);
    early.setResult(DrillResult.Aborted);
    early.setReason("aborted by hand (annotation homeport.dev/abort-drill: Q4-2026)");
    early.setReplicationLag(990L);
    assertThat(DrillRecords.summary(early))
        .isEqualTo(
            "drill Q4-2026 on mumbai Aborted: aborted by hand (annotation"
                + " homeport.dev/abort-drill: Q4-2026); mumbai's keys never moved; 990 writes"
                + " behind at the cut, not caught up");
  }

  @Test
  void theHistoryKeepsTheNewestTwenty() {
    List<DrillRecord> records = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      DrillRecord record = running(DrillPhase.VerifyingBack);
      record.setId("d" + i);
      records.add(record);
    }
    assertThat(DrillRecords.bounded(records))
        .hasSize(20)
        .extracting(DrillRecord::getId)
        .startsWith("d5")
        .endsWith("d24");
  }
}
