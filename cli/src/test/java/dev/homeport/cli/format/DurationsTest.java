package dev.homeport.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DurationsTest {

  private static final Instant NOW = Instant.parse("2026-04-12T10:30:00Z");

  @Test
  void humanDurationsUseAtMostTwoUnits() {
    assertThat(Durations.human(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.human(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(Durations.human(Duration.ofMillis(12_900))).isEqualTo("12s");
    assertThat(Durations.human(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(Durations.human(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(Durations.human(Duration.ofSeconds(184))).isEqualTo("3m4s");
    assertThat(Durations.human(Duration.ofMinutes(60))).isEqualTo("1h");
    assertThat(Durations.human(Duration.ofMinutes(125))).isEqualTo("2h5m");
    assertThat(Durations.human(Duration.ofHours(76))).isEqualTo("3d4h");
    assertThat(Durations.human(Duration.ofDays(9))).isEqualTo("9d");
    assertThat(Durations.human(Duration.ofSeconds(-12))).isEqualTo("12s");
  }

  @Test
  void agesSayWhetherThePointHasPassed() {
    assertThat(Durations.ago(NOW.minusSeconds(12), NOW)).isEqualTo("12s ago");
    assertThat(Durations.ago(NOW.plusSeconds(3), NOW)).isEqualTo("in 3s");
    assertThat(Durations.ago(NOW, NOW)).isEqualTo("0s ago");
    assertThat(Durations.expiry(NOW.plusSeconds(8), NOW)).isEqualTo("in 8s");
    assertThat(Durations.expiry(NOW.minusSeconds(240), NOW)).isEqualTo("expired 4m ago");
  }

  @Test
  void parsesTheCustomResourcesNotationAndStatusInstants() {
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("3.2s")).isEqualTo(Duration.ofMillis(3200));
    assertThat(Durations.parse("10 minutes")).isNull();
    assertThat(Durations.parse("")).isNull();
    assertThat(Durations.instant("2026-04-12T10:30:00Z")).isEqualTo(NOW);
    assertThat(Durations.instant("2026-04-12T12:30:00+02:00")).isEqualTo(NOW);
    assertThat(Durations.instant("yesterday")).isNull();
    assertThat(Durations.instant(null)).isNull();
  }
}
