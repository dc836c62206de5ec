package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.crds.v1alpha1.spec.AbortIf;
import dev.homeport.crds.v1alpha1.spec.DrillPolicy;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrillSettingsTest {

  @Test
  void withoutAPolicyTheDefaultsOfTheContractApply() {
    DrillSettings settings = DrillSettings.of(null);
    assertThat(settings.blockedWindows()).isEmpty();
    assertThat(settings.errorRate()).isNull();
    assertThat(settings.p99Latency()).isNull();
    assertThat(settings.synthetic())
        .isEqualTo(new DrillSettings.Synthetic("/orders", "GET", "X-User-Id", 10));
    assertThat(settings.phaseTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(DrillSettings.holdFor(new DrillSpec("Q4", "mumbai", null)))
        .isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void abortThresholdsAreReadAsWritten() {
    DrillPolicy policy = new DrillPolicy();
    policy.setAbortIf(new AbortIf("0.05", "1.5s"));
    DrillSettings settings = DrillSettings.of(policy);
    assertThat(settings.errorRate()).isEqualTo(0.05);
    assertThat(settings.p99Latency()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void badValuesNameTheField() {
    DrillPolicy percent = new DrillPolicy();
    percent.setAbortIf(new AbortIf("5%", null));
    assertThatThrownBy(() -> DrillSettings.of(percent))
        .hasMessage(
            "spec.drillPolicy.abortIf.errorRate: \"5%\" is not a fraction between 0 and 1; write"
                + " 0.05 for 5 %");
    DrillPolicy slow = new DrillPolicy();
    slow.setAbortIf(new AbortIf(null, "fast"));
    assertThatThrownBy(() -> DrillSettings.of(slow))
        .hasMessage(
            "spec.drillPolicy.abortIf.p99Latency: \"fast\" is not a duration such as 2s or 10m");
    assertThatThrownBy(() -> DrillSettings.holdFor(new DrillSpec("Q4", "mumbai", "ten minutes")))
        .hasMessage("spec.drill.holdFor: \"ten minutes\" is not a duration such as 2s or 10m");
  }
}
