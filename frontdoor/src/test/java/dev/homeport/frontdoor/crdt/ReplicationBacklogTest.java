package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.frontdoor.crdt.ReplicationBacklog.Item;
import dev.homeport.frontdoor.crdt.ReplicationBacklog.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ReplicationBacklogTest {

  private static final List<String> COUNTERS = List.of("likes", "views", "stock:sku-1");

  /** What happens to one shipment on the way. */
  enum Fate {
    DELIVERED,
    LOST,
    /** The peer merged it but the answer was lost: the sender retries a shipment already in. */
    ANSWER_LOST,
    DELIVERED_TWICE
  }

  sealed interface Step permits Increment, Ship, Resync {}

  record Increment(int counter, long delta) implements Step {}

  record Ship(int max, Fate fate) implements Step {}

  record Resync() implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> increment =
        Arbitraries.integers()
            .between(0, COUNTERS.size() - 1)
            .flatMap(
                c ->
                    Arbitraries.longs()
                        .between(-50, 50)
                        .filter(d -> d != 0)
                        .map(d -> (Step) new Increment(c, d)));
    Arbitrary<Step> ship =
        Arbitraries.integers()
            .between(1, 3)
            .flatMap(max -> Arbitraries.of(Fate.class).map(fate -> (Step) new Ship(max, fate)));
    Arbitrary<Step> resync = Arbitraries.just(new Resync());
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, increment),
            net.jqwik.api.Tuple.of(4, ship),
            net.jqwik.api.Tuple.of(1, resync))
        .list()
        .ofMaxSize(80);
  }

  /**
   * Whatever the peer loses, receives twice or never acknowledges, once shipments get through again
   * the peer holds exactly the sender's state, and the backlog is empty.
   */
  @Property(tries = 500)
  void anyLossDuplicationOrLostAnswerConvergesToTheSendersState(@ForAll("steps") List<Step> steps) {
    ReplicationBacklog backlog = new ReplicationBacklog(2);
    Map<String, PnCounter> sender = new HashMap<>();
    Map<String, PnCounter> peer = new HashMap<>();
    long now = 0;
    for (Step step : steps) {
      now += 1_000;
      if (step instanceof Increment inc) {
        String name = COUNTERS.get(inc.counter());
        sender.merge(name, PnCounter.empty().add("mumbai", inc.delta()), (a, b) -> add(a, inc));
        backlog.mark(new Item(Kind.COUNTER, name), now);
      } else if (step instanceof Ship ship) {
        ship(backlog, sender, peer, ship.max(), ship.fate());
      } else {
        backlog.resync(sender.keySet().stream().map(n -> new Item(Kind.COUNTER, n)).toList(), now);
      }
    }
    for (int round = 0; backlog.backlog() > 0; round++) {
      assertThat(round).as("drains").isLessThan(1_000);
      ship(backlog, sender, peer, 2, Fate.DELIVERED);
    }
    assertThat(peer).isEqualTo(sender);
    assertThat(backlog.lagNanos(now)).isZero();
  }

  private static PnCounter add(PnCounter counter, Increment inc) {
    return counter.add("mumbai", inc.delta());
  }

  private static void ship(
      ReplicationBacklog backlog,
      Map<String, PnCounter> sender,
      Map<String, PnCounter> peer,
      int max,
      Fate fate) {
    List<Item> items = backlog.take(max);
    Map<String, PnCounter> shipped = new LinkedHashMap<>();
    for (Item item : items) {
      PnCounter delta = backlog.delta(item.name(), sender.get(item.name()));
      if (!delta.slots().isEmpty()) {
        shipped.put(item.name(), delta);
      }
    }
    if (fate != Fate.LOST) {
      for (int times = fate == Fate.DELIVERED_TWICE ? 2 : 1; times > 0; times--) {
        shipped.forEach((name, delta) -> peer.merge(name, delta, PnCounter::merge));
      }
    }
    if (fate == Fate.DELIVERED || fate == Fate.DELIVERED_TWICE) {
      backlog.acknowledged(items, shipped);
    } else {
      backlog.failed(items);
    }
  }

  @Test
  void onlySlotsAboveWhatThePeerAcknowledgedAreShipped() {
    ReplicationBacklog backlog = new ReplicationBacklog(10);
    PnCounter state = PnCounter.empty().add("mumbai", 5).add("frankfurt", 7);
    Item likes = new Item(Kind.COUNTER, "likes");
    backlog.mark(likes, 0);
    assertThat(backlog.take(10)).containsExactly(likes);
    assertThat(backlog.delta("likes", state)).isEqualTo(state);
    backlog.acknowledged(List.of(likes), Map.of("likes", state));

    PnCounter next = state.add("mumbai", 1);
    assertThat(backlog.delta("likes", next).slots()).containsOnlyKeys("mumbai:p");
  }

  @Test
  void aChangeDuringAShipmentIsShippedAgainAndLagCountsFromTheOldestChange() {
    ReplicationBacklog backlog = new ReplicationBacklog(10);
    Item likes = new Item(Kind.COUNTER, "likes");
    Item theme = new Item(Kind.REGISTER, "theme");
    backlog.mark(likes, 100);
    backlog.mark(theme, 300);
    assertThat(backlog.take(1)).containsExactly(likes);
    backlog.mark(likes, 400); // changed again while in flight
    assertThat(backlog.take(10)).as("not twice in flight").containsExactly(theme);
    assertThat(backlog.lagNanos(1_000)).isEqualTo(900);
    assertThat(backlog.backlog()).isEqualTo(2);

    backlog.failed(List.of(theme));
    backlog.acknowledged(List.of(likes), Map.of());
    assertThat(backlog.lagNanos(1_000)).as("theme since 300").isEqualTo(700);
    assertThat(backlog.take(10)).containsExactlyInAnyOrder(likes, theme);
    backlog.acknowledged(List.of(likes, theme), Map.of());
    assertThat(backlog.backlog()).isZero();
    assertThat(backlog.lagNanos(2_000)).isZero();
  }
}
