package dev.homeport.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void formatsAsGoAndKubernetesDoAndParsesBack() {
    assertThat(Durations.notation(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.notation(Duration.ofMillis(120))).isEqualTo("120ms");
    assertThat(Durations.notation(Duration.ofMillis(3200))).isEqualTo("3.2s");
    assertThat(Durations.notation(Duration.ofMillis(4276))).isEqualTo("4.276s");
    assertThat(Durations.notation(Duration.ofSeconds(65))).isEqualTo("1m5s");
    assertThat(Durations.notation(Duration.ofMinutes(10))).isEqualTo("10m0s");
    assertThat(Durations.notation(Duration.ofHours(1))).isEqualTo("1h0m0s");
    for (String text : new String[] {"120ms", "3.2s", "1m5s", "10m0s", "1h0m0s", "4.276s"}) {
      assertThat(Durations.notation(Durations.parse(text))).isEqualTo(text);
    }
  }
}
