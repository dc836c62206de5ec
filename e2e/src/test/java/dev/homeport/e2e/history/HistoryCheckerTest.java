package dev.homeport.e2e.history;

import static dev.homeport.e2e.history.Ops.applied;
import static dev.homeport.e2e.history.Ops.increment;
import static dev.homeport.e2e.history.Ops.read;
import static dev.homeport.e2e.history.Ops.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.e2e.history.CheckResult.Anomaly;
import dev.homeport.e2e.history.CheckResult.CounterCheck;
import dev.homeport.e2e.history.ClientOp.Outcome;
import dev.homeport.e2e.history.HistoryChecker.Policy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryCheckerTest {

  private static final Policy STRICT = Policy.strict(Duration.ofSeconds(5));

  private final History history = new History();

  /** A write acknowledged as served by {@code region} and applied there 1 ms into the request. */
  private void acknowledgedWrite(String id, String key, String region, double startMs) {
    history.record(write(id, key, Outcome.ACK, region, startMs, startMs + 2));
    history.applied(applied(id, key, region, startMs + 1));
  }

  @Test
  void aHistoryWithoutAnomaliesIsClean() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    acknowledgedWrite("w2", "k1", "mumbai", 10);
    acknowledgedWrite("w3", "k2", "frankfurt", 20);
    history.record(read("r1", "k1", 2, 30, 31));
    history.record(increment("i1", "downloads", 5, Outcome.ACK, "mumbai", 40));
    for (String region : new String[] {"mumbai", "frankfurt", "singapore"}) {
      history.counterReading("downloads", region, 5);
    }

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.clean()).isTrue();
    assertThat(result.examples()).isEmpty();
    assertThat(result.acknowledgedWrites()).isEqualTo(3);
    assertThat(result.acknowledgedReads()).isEqualTo(1);
    assertThat(result.summary())
        .isEqualTo(
            "history: 3 writes acknowledged, 0 lost, 0 doubled, 0 phantom, 0 split-brain,"
                + " 0 misattributed, 0 unknown, 0 stale reads of 1,"
                + " counters exact (downloads=5 in 3 regions)");
  }

  @Test
  void anAcknowledgedWriteNoBackendAppliedIsLost() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    history.record(write("w2", "k1", Outcome.ACK, "mumbai", 10, 12.5));

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.lost()).isEqualTo(1);
    assertThat(result.clean()).isFalse();
    assertThat(result.examples(Anomaly.LOST))
        .containsExactly(
            "write w2 to key k1 acknowledged (200) by mumbai via mumbai at +12.5 ms, applied"
                + " nowhere");
  }

  @Test
  void writesThatEndedInErrorsAreUnknownWhetherAppliedOrNot() {
    history.record(write("w1", "k1", Outcome.ERROR, null, 0, 5000));
    history.record(write("w2", "k1", Outcome.ERROR, null, 10, 5010));
    history.applied(applied("w2", "k1", "mumbai", 11));

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.lost()).isZero();
    assertThat(result.phantom()).isZero();
    assertThat(result.unknown()).isEqualTo(2);
    assertThat(result.unknownApplied()).isEqualTo(1);
    assertThat(result.clean()).isTrue();
    assertThat(result.summary()).contains("2 unknown (1 applied)");
  }

  @Test
  void aWriteIdAppliedTwiceIsDoubled() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    history.applied(applied("w1", "k1", "frankfurt", 3));
    acknowledgedWrite("w2", "k1", "mumbai", 10);

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.doubled()).isEqualTo(1);
    assertThat(result.examples(Anomaly.DOUBLED))
        .containsExactly(
            "write w1 to key k1 applied 2 times: mumbai at +1.0 ms, frankfurt at +3.0 ms");
  }

  @Test
  void aRefusedWriteThatWasAppliedIsAPhantom() {
    history.record(write("w1", "k1", Outcome.REFUSED, null, 0, 1));
    history.applied(applied("w1", "k1", "singapore", 4));

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.phantom()).isEqualTo(1);
    assertThat(result.unknown()).isZero();
    assertThat(result.examples(Anomaly.PHANTOM))
        .containsExactly(
            "write w1 to key k1 refused (503) via mumbai at +1.0 ms, yet applied in singapore at"
                + " +4.0 ms");
  }

  @Test
  void aRefusedWriteRetriedUnderItsIdAndAcknowledgedIsNoPhantom() {
    history.record(write("w1", "k1", Outcome.REFUSED, null, 0, 1));
    history.record(write("w1", "k1", Outcome.ACK, "frankfurt", 20, 22));
    history.applied(applied("w1", "k1", "frankfurt", 21));

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.phantom()).isZero();
    assertThat(result.acknowledgedWrites()).isEqualTo(1);
    assertThat(result.clean()).isTrue();
  }

  @Test
  void aShortTenureBetweenTwoTenuresOfAnotherRegionIsSplitBrain() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    acknowledgedWrite("w2", "k1", "mumbai", 10);
    acknowledgedWrite("w3", "k1", "frankfurt", 20);
    acknowledgedWrite("w4", "k1", "frankfurt", 25);
    acknowledgedWrite("w5", "k1", "mumbai", 30);
    // Another key moving once is no overlap.
    acknowledgedWrite("w6", "k2", "mumbai", 0);
    acknowledgedWrite("w7", "k2", "singapore", 40);

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.splitBrain()).isEqualTo(1);
    assertThat(result.examples(Anomaly.SPLIT_BRAIN))
        .containsExactly(
            "key k1: frankfurt applied 2 write(s) (w3 … w4) at +21.0 ms..+26.0 ms while mumbai"
                + " applied w2 at +11.0 ms and w5 at +31.0 ms, away 20.0 ms < min tenure 5,000 ms");
  }

  @Test
  void interleavedWritesOfTwoRegionsCountEveryShortForeignTenure() {
    String[] regions = {"mumbai", "frankfurt", "mumbai", "frankfurt", "mumbai"};
    for (int i = 0; i < regions.length; i++) {
      acknowledgedWrite("w" + i, "k1", regions[i], i * 10);
    }

    CheckResult result = HistoryChecker.check(history, STRICT);

    // Tenures M F M F M: F between Ms twice, M between Fs once.
    assertThat(result.splitBrain()).isEqualTo(3);
  }

  @Test
  void aFailoverAndAFailbackAfterTheMinimumTenureAreNoSplitBrain() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    acknowledgedWrite("w2", "k1", "mumbai", 1_000);
    acknowledgedWrite("w3", "k1", "frankfurt", 2_000);
    acknowledgedWrite("w4", "k1", "frankfurt", 4_000);
    // mumbai's last write at +1,001 ms, its next at +6,001 ms: away exactly 5 s.
    acknowledgedWrite("w5", "k1", "mumbai", 6_000);

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.splitBrain()).isZero();
    assertThat(result.clean()).isTrue();
    assertThat(HistoryChecker.check(history, Policy.strict(Duration.ofMillis(5_001))).splitBrain())
        .isEqualTo(1);
  }

  @Test
  void aKeyMovingOnThroughThreeRegionsIsNoSplitBrain() {
    acknowledgedWrite("w1", "k1", "mumbai", 0);
    acknowledgedWrite("w2", "k1", "frankfurt", 10);
    acknowledgedWrite("w3", "k1", "singapore", 20);
    acknowledgedWrite("w4", "k1", "mumbai", 30);

    assertThat(HistoryChecker.check(history, STRICT).splitBrain()).isZero();
  }

  @Test
  void aWriteAppliedInAnotherRegionThanTheAcknowledgementNamedIsMisattributed() {
    history.record(write("w1", "k1", Outcome.ACK, "mumbai", 0, 2));
    history.applied(applied("w1", "k1", "frankfurt", 1));
    // Without a serving region the acknowledgement names nobody: not judged.
    history.record(write("w2", "k1", Outcome.ACK, null, 10, 12));
    history.applied(applied("w2", "k1", "singapore", 11));

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.misattributed()).isEqualTo(1);
    assertThat(result.examples(Anomaly.MISATTRIBUTED))
        .containsExactly(
            "write w1 to key k1 applied in frankfurt at +1.0 ms, but acknowledged as served by"
                + " mumbai");
  }

  @Test
  void aReadMissingAWriteAcknowledgedBeforeItStartedIsStale() {
    acknowledgedWrite("w1", "k1", "mumbai", 0); // acknowledged at +2 ms
    acknowledgedWrite("w2", "k1", "mumbai", 98); // acknowledged at +100 ms
    history.record(read("r1", "k1", 1, 200, 201));

    CheckResult strict = HistoryChecker.check(history, STRICT);

    assertThat(strict.staleReads()).isEqualTo(1);
    assertThat(strict.acknowledgedReads()).isEqualTo(1);
    assertThat(strict.examples(Anomaly.STALE_READ))
        .containsExactly(
            "read r1 of key k1 via frankfurt served by frankfurt at +200.0 ms saw 1 write(s), 2"
                + " acknowledged before +200.0 ms (bound 0 ms)");
    assertThat(strict.summary()).contains("1 stale reads of 1");
  }

  @Test
  void aReadWithinTheStaleReadBoundIsNotStale() {
    acknowledgedWrite("w1", "k1", "mumbai", 0); // acknowledged at +2 ms
    acknowledgedWrite("w2", "k1", "mumbai", 98); // acknowledged at +100 ms
    history.record(read("r1", "k1", 1, 200, 201));

    Policy bounded = new Policy(Duration.ofMillis(150), Duration.ofSeconds(5));

    assertThat(HistoryChecker.check(history, bounded).staleReads()).isZero();
    assertThat(HistoryChecker.check(history, new Policy(Duration.ofMillis(99), Duration.ZERO)))
        .extracting(CheckResult::staleReads)
        .isEqualTo(1);
  }

  @Test
  void aReadOverlappingAnAcknowledgementMayMissIt() {
    acknowledgedWrite("w1", "k1", "mumbai", 0); // acknowledged at +2 ms
    history.record(read("r1", "k1", 0, 1, 3));

    assertThat(HistoryChecker.check(history, STRICT).staleReads()).isZero();
  }

  @Test
  void countersMatchingTheAcknowledgedSumEverywhereAreExact() {
    history.record(increment("i1", "downloads", 5, Outcome.ACK, "mumbai", 0));
    history.record(increment("i2", "downloads", 3, Outcome.ACK, "frankfurt", 1));
    history.record(increment("i3", "downloads", -2, Outcome.ACK, "singapore", 2));
    history.record(increment("i4", "downloads", 100, Outcome.REFUSED, null, 3));
    history.counterReading("downloads", "mumbai", 6);
    history.counterReading("downloads", "frankfurt", 6);

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.counterMismatches()).isZero();
    assertThat(result.counters())
        .containsExactly(
            new CounterCheck("downloads", 6, 6, 6, Map.of("frankfurt", 6L, "mumbai", 6L)));
    assertThat(result.summary()).endsWith("counters exact (downloads=6 in 2 regions)");
  }

  @Test
  void aRegionShortOfTheAcknowledgedSumIsAMismatch() {
    history.record(increment("i1", "downloads", 5, Outcome.ACK, "mumbai", 0));
    history.record(increment("i2", "downloads", 3, Outcome.ACK, "frankfurt", 1));
    history.counterReading("downloads", "mumbai", 8);
    history.counterReading("downloads", "singapore", 5);

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.counterMismatches()).isEqualTo(1);
    assertThat(result.examples(Anomaly.COUNTER_MISMATCH))
        .containsExactly("counter downloads in singapore reads 5, expected 8 (short by 3)");
    assertThat(result.summary())
        .endsWith("counters off in 1 of 2 readings (downloads=8 in 2 regions)");
  }

  @Test
  void unknownIncrementsWidenTheAllowedIntervalInTheirOwnDirection() {
    history.record(increment("i1", "downloads", 10, Outcome.ACK, "mumbai", 0));
    history.record(increment("i2", "downloads", 4, Outcome.ERROR, null, 1));
    history.record(increment("i3", "downloads", -3, Outcome.ERROR, null, 2));
    history.counterReading("downloads", "mumbai", 7); // 10 - 3
    history.counterReading("downloads", "frankfurt", 14); // 10 + 4
    history.counterReading("downloads", "singapore", 11); // 10 + 4 - 3

    CheckResult within = HistoryChecker.check(history, STRICT);

    assertThat(within.counterMismatches()).isZero();
    assertThat(within.counters().get(0).lowest()).isEqualTo(7);
    assertThat(within.counters().get(0).highest()).isEqualTo(14);
    assertThat(within.summary())
        .endsWith("counters within their unknown increments (downloads=7..14 in 3 regions)");

    history.counterReading("downloads", "singapore", 6);
    history.counterReading("downloads", "frankfurt", 15);
    CheckResult outside = HistoryChecker.check(history, STRICT);

    assertThat(outside.counterMismatches()).isEqualTo(2);
    assertThat(outside.examples(Anomaly.COUNTER_MISMATCH))
        .containsExactly(
            "counter downloads in frankfurt reads 15, expected 7..14 (over by 1)",
            "counter downloads in singapore reads 6, expected 7..14 (short by 1)");
  }

  @Test
  void examplesStopAtTenWhileTheCountGoesOn() {
    for (int i = 0; i < 1_500; i++) {
      history.record(write("w" + i, "k" + i, Outcome.ACK, "mumbai", i, i + 1));
      if (i >= 15) {
        history.applied(applied("w" + i, "k" + i, "mumbai", i + 0.5));
      }
    }

    CheckResult result = HistoryChecker.check(history, STRICT);

    assertThat(result.lost()).isEqualTo(15);
    assertThat(result.examples(Anomaly.LOST)).hasSize(CheckResult.MAX_EXAMPLES);
    assertThat(result.examples(Anomaly.LOST).get(0)).startsWith("write w0 ");
    assertThat(result.summary()).startsWith("history: 1,500 writes acknowledged, 15 lost,");
  }

  @Test
  void aNegativePolicyDurationIsRefused() {
    assertThatThrownBy(() -> new Policy(Duration.ofMillis(-1), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("staleReadBound must not be negative, got PT-0.001S");
  }
}
