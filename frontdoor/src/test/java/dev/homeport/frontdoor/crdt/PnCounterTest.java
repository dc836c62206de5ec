package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PnCounterTest {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");

  record Op(String region, long delta) {}

  /** A message: the sender's state after its first {@code upTo} operations, to a receiver. */
  record Delivery(int from, int to, int upTo) {}

  @Provide
  Arbitrary<Op> op() {
    return Combinators.combine(Arbitraries.of(REGIONS), Arbitraries.longs().between(-1_000, 1_000))
        .as(Op::new);
  }

  @Provide
  Arbitrary<PnCounter> counter() {
    return op().list().ofMaxSize(20).map(PnCounterTest::apply);
  }

  @Provide
  Arbitrary<Delivery> delivery() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 60))
        .as(Delivery::new);
  }

  private static PnCounter apply(List<Op> ops) {
    PnCounter counter = PnCounter.empty();
    for (Op op : ops) {
      counter = counter.add(op.region(), op.delta());
    }
    return counter;
  }

  @Property
  void mergeIsCommutative(@ForAll("counter") PnCounter a, @ForAll("counter") PnCounter b) {
    assertThat(a.merge(b)).isEqualTo(b.merge(a));
  }

  @Property
  void mergeIsAssociative(
      @ForAll("counter") PnCounter a,
      @ForAll("counter") PnCounter b,
      @ForAll("counter") PnCounter c) {
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property
  void mergeIsIdempotent(@ForAll("counter") PnCounter a, @ForAll("counter") PnCounter b) {
    assertThat(a.merge(a)).isEqualTo(a);
    assertThat(a.merge(b).merge(b)).isEqualTo(a.merge(b));
  }

  /**
   * Each region applies its own operations; deltas of intermediate states travel in any order, are
   * duplicated or lost; lost ones are resent at the end (anti-entropy). Every replica ends with the
   * value of applying every operation exactly once.
   */
  @Property(tries = 500)
  void anyDeliveryOrderDuplicationOrResendConverges(
      @ForAll @Size(max = 60) List<@net.jqwik.api.From("op") Op> ops,
      @ForAll @Size(max = 80) List<@net.jqwik.api.From("delivery") Delivery> deliveries) {
    Map<Integer, List<PnCounter>> history = new HashMap<>();
    for (int r = 0; r < REGIONS.size(); r++) {
      List<PnCounter> states = new ArrayList<>();
      PnCounter state = PnCounter.empty();
      states.add(state);
      for (Op op : ops) {
        if (op.region().equals(REGIONS.get(r))) {
          state = state.add(op.region(), op.delta());
          states.add(state);
        }
      }
      history.put(r, states);
    }
    PnCounter[] replicas = new PnCounter[REGIONS.size()];
    for (int r = 0; r < replicas.length; r++) {
      replicas[r] = history.get(r).get(history.get(r).size() - 1);
    }
    // In-flight deltas, in the generated (arbitrary) order, duplicates included.
    for (Delivery d : deliveries) {
      List<PnCounter> sent = history.get(d.from());
      PnCounter snapshot = sent.get(Math.min(d.upTo(), sent.size() - 1));
      PnCounter delta = snapshot.since(PnCounter.empty());
      replicas[d.to()] = replicas[d.to()].merge(delta);
    }
    // Anti-entropy after healing: every region resends its full state to every other.
    for (int from = 0; from < replicas.length; from++) {
      for (int to = 0; to < replicas.length; to++) {
        replicas[to] = replicas[to].merge(history.get(from).get(history.get(from).size() - 1));
      }
    }
    long expected = ops.stream().mapToLong(Op::delta).sum();
    for (PnCounter replica : replicas) {
      assertThat(replica).isEqualTo(replicas[0]);
      assertThat(replica.value()).isEqualTo(expected);
    }
  }

  @Property
  void theDeltaSinceAnAcknowledgedStateRestoresTheState(
      @ForAll("counter") PnCounter acknowledged,
      @ForAll @Size(max = 10) List<@net.jqwik.api.From("op") Op> more) {
    PnCounter now = acknowledged;
    for (Op op : more) {
      now = now.add(op.region(), op.delta());
    }
    PnCounter delta = now.since(acknowledged);
    assertThat(acknowledged.merge(delta)).isEqualTo(now);
    assertThat(delta.slots().size()).isLessThanOrEqualTo(now.slots().size());
  }

  @Test
  void valueIsPositivesMinusNegatives() {
    PnCounter counter = PnCounter.empty().add("mumbai", 5).add("frankfurt", -2).add("mumbai", -1);
    assertThat(counter.value()).isEqualTo(2);
    assertThat(counter.slots())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("mumbai:p", 5L, "mumbai:n", 1L, "frankfurt:n", 2L));
  }

  @Test
  void withoutARegionDropsBothItsSlotsAndKeepsTheOthers() {
    PnCounter counter =
        PnCounter.empty().add("mumbai", 5).add("mumbai", -1).add("frankfurt", 3).add("mumbai-2", 4);
    assertThat(counter.withoutRegion("mumbai").slots())
        .isEqualTo(Map.of("frankfurt:p", 3L, "mumbai-2:p", 4L));
    assertThat(counter.withoutRegion("singapore")).isSameAs(counter);
    assertThat(PnCounter.empty().add("mumbai", 1).withoutRegion("mumbai"))
        .isSameAs(PnCounter.empty());
  }

  @Test
  void storedSlotsAreChecked() {
    assertThatThrownBy(() -> PnCounter.of(Map.of("mumbai:x", 1L)))
        .hasMessage("slot 'mumbai:x' is not <region>:p or <region>:n");
    assertThatThrownBy(() -> PnCounter.of(Map.of("mumbai:p", -1L)))
        .hasMessageContaining("counts are never negative");
    assertThatThrownBy(() -> PnCounter.empty().add("mumbai", Long.MAX_VALUE).add("mumbai", 1))
        .isInstanceOf(ArithmeticException.class);
  }
}
