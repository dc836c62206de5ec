package dev.homeport.cli;

import dev.homeport.cli.format.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --wait}: reads an object until it reaches an end state or the time is up, printing each
 * change of its state with the time since the wait began.
 */
final class Waiting<T> {

  /** How often the object is read again. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final Duration timeout;
  private final PrintWriter out;

  Waiting(Duration timeout, PrintWriter out) {
    this.timeout = timeout;
    this.out = out;
  }

  /**
   * Reads until {@code done} holds.
   *
   * @param read reads the object (it may throw to stop waiting)
   * @param state what is printed when it changes, e.g. the phase and its message
   * @return the object in its end state, or empty when the time ran out
   */
  Optional<T> until(Supplier<T> read, Function<T, String> state, Predicate<T> done)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = null;
    while (true) {
      T value = read.get();
      String now = state.apply(value);
      if (!Objects.equals(now, last)) {
        Duration elapsed = Duration.ofSeconds((System.nanoTime() - start) / 1_000_000_000L);
        out.printf("[%5s] %s%n", Durations.human(elapsed), now);
        out.flush();
        last = now;
      }
      if (done.test(value)) {
        return Optional.of(value);
      }
      if (System.nanoTime() >= deadline) {
        return Optional.empty();
      }
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      Thread.sleep(Math.min(POLL_INTERVAL.toMillis(), left));
    }
  }

  /** Parses {@code --wait 5m}: a duration in the custom resources' notation. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration duration = Durations.parse(value);
      if (duration == null || duration.isZero()) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration; write it like 90s, 5m or 1h30m");
      }
      return duration;
    }
  }
}
