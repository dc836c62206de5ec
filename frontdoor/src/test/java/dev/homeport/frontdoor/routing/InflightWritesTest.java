package dev.homeport.frontdoor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

class InflightWritesTest {

  private static final List<String> KEYS = List.of("user-1", "user-2", "user-3");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InflightWrites writes = new InflightWrites(registry);

  private double gauge() {
    return registry.get("homeport.writes.inflight").gauge().value();
  }

  @Test
  void aWriteBegunBeforeTheMarkHoldsItsKeyUntilItEnds() {
    long ticket = writes.begin("user-1");
    long mark = writes.mark();
    assertThat(writes.drained(List.of("user-1"), mark)).isFalse();
    assertThat(writes.inFlight(List.of("user-1", "user-2"), mark)).containsExactly("user-1");
    assertThat(gauge()).isEqualTo(1);

    writes.end(ticket);
    assertThat(writes.drained(List.of("user-1"), mark)).isTrue();
    assertThat(writes.inFlight(List.of("user-1"), mark)).isEmpty();
    assertThat(gauge()).isZero();
  }

  @Test
  void writesBegunAfterTheMarkOrForOtherKeysDoNotHoldIt() {
    writes.begin("user-2");
    long mark = writes.mark();
    writes.begin("user-1");
    assertThat(writes.drained(Set.of("user-1"), mark))
        .as("user-1's write began after the mark, so it looked up afresh")
        .isTrue();
    assertThat(writes.drained(Set.of("user-1", "user-2"), mark)).isFalse();
    assertThat(writes.drained(Set.of(), mark)).isTrue();
    assertThat(gauge()).isEqualTo(2);
  }

  @Test
  void endingTwiceEndsOnlyThatWrite() {
    long first = writes.begin("user-1");
    long second = writes.begin("user-1");
    writes.end(first);
    writes.end(first);
    assertThat(writes.drained(List.of("user-1"), writes.mark())).isFalse();
    assertThat(writes.size()).isEqualTo(1);
    writes.end(second);
    assertThat(writes.size()).isZero();
  }

  @Test
  void theMarkIsTheNextTicket() {
    long mark = writes.mark();
    assertThat(writes.begin("user-1")).isEqualTo(mark);
    assertThat(writes.mark()).isEqualTo(mark + 1);
    assertThat(writes.begin("user-2")).isGreaterThan(mark);
  }

  @Test
  void aWriteWithoutAKeyIsAMistake() {
    assertThatThrownBy(() -> writes.begin(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("routing key");
  }

  @Test
  void concurrentWritesAllEndAndTheGaugeReturnsToZero() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 20_000; i++) {
                    String key = KEYS.get(ThreadLocalRandom.current().nextInt(KEYS.size()));
                    long ticket = writes.begin(key);
                    assertThat(writes.drained(Set.of(key), ticket + 1)).isFalse();
                    writes.end(ticket);
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(writes.size()).isZero();
    assertThat(gauge()).isZero();
    assertThat(writes.mark()).isEqualTo(8 * 20_000);
  }

  /** One step of a client of the registry. */
  sealed interface Step permits Begin, End, Check {}

  record Begin(int key) implements Step {}

  /** Ends the {@code index}-th ticket handed out so far (modulo), possibly again. */
  record End(int index) implements Step {}

  /** Takes a mark now, then checks every subset of keys against it after the later steps. */
  record Check() implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> begin = Arbitraries.integers().between(0, KEYS.size() - 1).map(Begin::new);
    Arbitrary<Step> end = Arbitraries.integers().between(0, 60).map(End::new);
    return Arbitraries.frequencyOf(
            Tuple.of(4, begin), Tuple.of(4, end), Tuple.of(1, Arbitraries.just(new Check())))
        .list()
        .ofMaxSize(60);
  }

  /**
   * Against a model that remembers every write: a mark is drained for some keys exactly when every
   * write for them ticketed before the mark has ended, however begins, ends and marks interleave.
   */
  @Property(tries = 300)
  void drainedMeansEveryEarlierWriteForTheKeysHasEnded(@ForAll("steps") List<Step> steps) {
    InflightWrites registry = new InflightWrites(new SimpleMeterRegistry());
    List<Long> tickets = new ArrayList<>();
    List<String> keyOf = new ArrayList<>();
    Set<Long> ended = new HashSet<>();
    List<Long> marks = new ArrayList<>();
    for (Step step : steps) {
      if (step instanceof Begin begin) {
        tickets.add(registry.begin(KEYS.get(begin.key())));
        keyOf.add(KEYS.get(begin.key()));
      } else if (step instanceof End end && !tickets.isEmpty()) {
        long ticket = tickets.get(end.index() % tickets.size());
        registry.end(ticket);
        ended.add(ticket);
      } else if (step instanceof Check) {
        marks.add(registry.mark());
      }
      for (long mark : marks) {
        for (int subset = 0; subset < 1 << KEYS.size(); subset++) {
          Set<String> keys = new HashSet<>();
          for (int k = 0; k < KEYS.size(); k++) {
            if ((subset & 1 << k) != 0) {
              keys.add(KEYS.get(k));
            }
          }
          boolean expected = true;
          for (int i = 0; i < tickets.size(); i++) {
            if (tickets.get(i) < mark
                && keys.contains(keyOf.get(i))
                && !ended.contains(tickets.get(i))) {
              expected = false;
            }
          }
          assertThat(registry.drained(keys, mark)).isEqualTo(expected);
          assertThat(registry.inFlight(keys, mark).isEmpty()).isEqualTo(expected);
        }
      }
    }
    assertThat(registry.size()).isEqualTo(tickets.size() - ended.size());
  }
}
