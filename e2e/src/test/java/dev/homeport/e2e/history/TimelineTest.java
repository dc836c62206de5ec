package dev.homeport.e2e.history;

import static dev.homeport.e2e.history.Ops.ms;
import static dev.homeport.e2e.history.Ops.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.e2e.history.ClientOp.Outcome;
import dev.homeport.e2e.history.Timeline.Slice;
import dev.homeport.e2e.history.Timeline.Window;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimelineTest {

  @Test
  void slicesCountEachOutcomeWhereTheRequestWasSent() {
    List<ClientOp> ops =
        List.of(
            write("w1", "a", Outcome.ACK, "mumbai", 0, 5),
            write("w2", "b", Outcome.ACK, "frankfurt", 100, 105),
            write("w3", "c", Outcome.REFUSED, null, 260, 261),
            // Sent in the second slice, timed out in the fourth: counted in the second.
            write("w4", "d", Outcome.ERROR, null, 300, 900),
            write("w5", "e", Outcome.ACK, "mumbai", 600, 601),
            write("w6", "f", Outcome.ACK, null, 700, 701));

    Timeline timeline = Timeline.of(ops);

    assertThat(timeline.slice()).isEqualTo(Duration.ofMillis(250));
    assertThat(timeline.originNanos()).isEqualTo(ms(0));
    assertThat(timeline.endNanos()).isEqualTo(ms(900));
    assertThat(timeline.slices())
        .containsExactly(
            new Slice(ms(0), Map.of("mumbai", 1, "frankfurt", 1), 0, 0),
            new Slice(ms(250), Map.of(), 1, 1),
            new Slice(ms(500), Map.of("mumbai", 1, Timeline.UNATTRIBUTED, 1), 0, 0));
    assertThat(timeline.regions()).containsExactly("frankfurt", "mumbai", "unattributed");
    assertThat(timeline.slices().get(1).total()).isEqualTo(2);
  }

  @Test
  void aGivenOriginLeavesEarlierRequestsOutAndSlicesFromThere() {
    List<ClientOp> ops =
        List.of(
            write("w1", "a", Outcome.ACK, "mumbai", 0, 1),
            write("w2", "a", Outcome.ACK, "mumbai", 1_050, 1_051));

    Timeline timeline = Timeline.of(ops, Duration.ofMillis(100), ms(1_000));

    assertThat(timeline.slices()).containsExactly(new Slice(ms(1_000), Map.of("mumbai", 1), 0, 0));
  }

  @Test
  void windowsRunFromAKeysFirstFailedWriteToItsNextAcknowledgedOne() {
    List<ClientOp> ops =
        List.of(
            write("a1", "a", Outcome.ACK, "mumbai", 0, 10),
            write("a2", "a", Outcome.REFUSED, null, 15, 20),
            write("a3", "a", Outcome.ERROR, null, 22, 30),
            write("a4", "a", Outcome.ACK, "frankfurt", 110, 120),
            write("b1", "b", Outcome.REFUSED, null, 45, 50),
            write("b2", "b", Outcome.ACK, "frankfurt", 55, 60),
            write("c1", "c", Outcome.REFUSED, null, 499, 500),
            write("d1", "d", Outcome.ACK, "mumbai", 800, 900));

    Timeline timeline = Timeline.of(ops);

    assertThat(timeline.windows())
        .containsExactly(
            new Window("a", ms(20), ms(120), true),
            new Window("b", ms(50), ms(60), true),
            new Window("c", ms(500), ms(900), false));
    assertThat(timeline.windowP50()).isEqualTo(Duration.ofMillis(100));
    assertThat(timeline.windowP99()).isEqualTo(Duration.ofMillis(400));
    assertThat(timeline.windowMax()).isEqualTo(Duration.ofMillis(400));
    assertThat(timeline.windowPercentile(0)).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void withoutFailuresThereAreNoWindows() {
    Timeline timeline = Timeline.of(List.of(write("w1", "a", Outcome.ACK, "mumbai", 0, 1)));

    assertThat(timeline.windows()).isEmpty();
    assertThat(timeline.windowMax()).isEqualTo(Duration.ZERO);
  }

  @Test
  void recoveryIsTheFirstAcknowledgementSentAfterTheLastFailure() {
    List<ClientOp> ops =
        List.of(
            write("m0", "a", Outcome.ACK, "mumbai", 900, 910),
            write("m1", "a", Outcome.ERROR, null, 1_000, 3_000),
            // Sent before the last failure: does not end the outage.
            write("m2", "b", Outcome.ACK, "frankfurt", 1_100, 1_110),
            write("m3", "a", Outcome.REFUSED, null, 1_200, 1_201),
            write("m4", "c", Outcome.ACK, "frankfurt", 1_500, 1_520),
            write("m5", "a", Outcome.ACK, "frankfurt", 1_600, 1_610),
            // Not matching: ignored.
            write("s1", "z", Outcome.ERROR, null, 2_000, 2_001));
    Timeline timeline = Timeline.of(ops);

    Optional<Duration> rto = timeline.rto(ms(1_000), op -> !op.key().equals("z"));

    assertThat(rto).contains(Duration.ofMillis(520));
    assertThat(timeline.rto(ms(1_300), op -> !op.key().equals("z"))).contains(Duration.ZERO);
    assertThat(timeline.rto(ms(1_000), op -> true)).isEmpty();
  }
}
