package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

  private static final Duration MAX_SKEW = Duration.ofSeconds(30);

  @Test
  void aRegionWhoseClockLagsStillOrdersItsWriteAfterOneItHasSeen() {
    AtomicLong fastWall = new AtomicLong(1_000_000 + 10_000); // 10 s ahead
    AtomicLong slowWall = new AtomicLong(1_000_000);
    HybridLogicalClock fast = new HybridLogicalClock("frankfurt", fastWall::get, MAX_SKEW);
    HybridLogicalClock slow = new HybridLogicalClock("mumbai", slowWall::get, MAX_SKEW);

    LwwRegister first = new LwwRegister("dark", fast.now());
    slow.observe(first.timestamp());
    slowWall.addAndGet(5); // a real 5 ms later, still 10 s behind by the wall
    LwwRegister second = new LwwRegister("light", slow.now());

    assertThat(second.timestamp().isAfter(first.timestamp())).isTrue();
    assertThat(first.merge(second).value()).isEqualTo("light");
    assertThat(second.merge(first).value()).isEqualTo("light");
  }

  @Test
  void aTimestampBeyondTheSkewGuardIsRefusedWithAClearError() {
    HybridLogicalClock mumbai = new HybridLogicalClock("mumbai", () -> 1_000_000, MAX_SKEW);
    HlcTimestamp runaway = new HlcTimestamp(1_000_000 + 31_000, 0, "singapore");
    assertThatThrownBy(() -> mumbai.observe(runaway))
        .isInstanceOf(HybridLogicalClock.ClockSkewException.class)
        .hasMessage(
            "timestamp from region singapore is 31000 ms ahead of region mumbai's clock, over the"
                + " allowed skew of 30000 ms; fix that region's clock (NTP)");
    assertThat(mumbai.now().physicalMillis()).as("not dragged forward").isEqualTo(1_000_000);
  }

  @Test
  void timestampsNeverGoBackwardsWhenTheWallClockDoes() {
    AtomicLong wall = new AtomicLong(5_000);
    HybridLogicalClock clock = new HybridLogicalClock("mumbai", wall::get, MAX_SKEW);
    HlcTimestamp before = clock.now();
    wall.set(4_000);
    HlcTimestamp after = clock.now();
    assertThat(after.isAfter(before)).isTrue();
  }

  record Step(int region, long wallAdvance, boolean observeOther) {}

  @Provide
  Arbitrary<Step> step() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 1),
            Arbitraries.longs().between(-50, 50),
            Arbitraries.of(true, false))
        .as(Step::new);
  }

  /** With any skew within the guard, a write that has observed another always orders after it. */
  @Property(tries = 300)
  void causallyLaterWritesAlwaysWin(
      @ForAll @LongRange(min = -20_000, max = 20_000) long skew,
      @ForAll @Size(max = 40) List<@net.jqwik.api.From("step") Step> steps) {
    AtomicLong[] walls = {new AtomicLong(1_000_000), new AtomicLong(1_000_000 + skew)};
    HybridLogicalClock[] clocks = {
      new HybridLogicalClock("a", walls[0]::get, MAX_SKEW),
      new HybridLogicalClock("b", walls[1]::get, MAX_SKEW)
    };
    LwwRegister[] seen = {null, null};
    for (Step step : steps) {
      walls[step.region()].addAndGet(step.wallAdvance());
      int other = 1 - step.region();
      LwwRegister previous = seen[other];
      if (step.observeOther() && previous != null) {
        clocks[step.region()].observe(previous.timestamp());
      }
      LwwRegister write = new LwwRegister("v", clocks[step.region()].now());
      if (step.observeOther() && previous != null) {
        assertThat(write.merge(previous)).isSameAs(write);
        assertThat(previous.merge(write)).isSameAs(write);
      }
      seen[step.region()] = write;
    }
  }
}
