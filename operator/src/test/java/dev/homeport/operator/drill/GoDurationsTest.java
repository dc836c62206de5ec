package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.Durations;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationsTest {

  @Test
  void formatsAsGoAndKubernetesDoAndParsesBack() {
    assertThat(GoDurations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(GoDurations.format(Duration.ofMillis(120))).isEqualTo("120ms");
    assertThat(GoDurations.format(Duration.ofMillis(3200))).isEqualTo("3.2s");
    assertThat(GoDurations.format(Duration.ofMillis(4276))).isEqualTo("4.276s");
    assertThat(GoDurations.format(Duration.ofSeconds(65))).isEqualTo("1m5s");
    assertThat(GoDurations.format(Duration.ofMinutes(10))).isEqualTo("10m0s");
    assertThat(GoDurations.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    for (String text : new String[] {"120ms", "3.2s", "1m5s", "10m0s", "1h0m0s", "4.276s"}) {
      assertThat(GoDurations.format(Durations.parse(text))).isEqualTo(text);
    }
  }
}
