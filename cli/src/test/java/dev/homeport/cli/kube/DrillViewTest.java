package dev.homeport.cli.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillViewTest {

  @Test
  void theStateShowsThePhaseAndTheResultARunningDrillWillEndWith() {
    assertThat(new DrillView(Map.of("result", "Running", "phase", "Holding")).state())
        .isEqualTo("Running (Holding)");
    assertThat(
            new DrillView(
                    Map.of("result", "Running", "phase", "FailingBack", "pendingResult", "Aborted"))
                .state())
        .isEqualTo("Running (FailingBack, ending Aborted)");
    assertThat(new DrillView(Map.of("result", "Running")).state()).isEqualTo("Running");
    assertThat(new DrillView(Map.of("result", "Succeeded", "phase", "VerifyingBack")).state())
        .isEqualTo("Succeeded");
    assertThat(new DrillView(Map.of()).state()).isEqualTo("Unknown");
  }

  @Test
  void numbersAreReadWhetherStoredAsNumbersOrText() {
    DrillView drill =
        new DrillView(Map.of("errors", 3, "syntheticRequests", "1200", "replicationLag", 0));

    assertThat(drill.errors()).isEqualTo(3L);
    assertThat(drill.syntheticRequests()).isEqualTo(1200L);
    assertThat(drill.replicationLag()).isEqualTo("0 writes");
    assertThat(new DrillView(Map.of("replicationLag", "150ms")).replicationLag())
        .isEqualTo("150ms");
  }
}
