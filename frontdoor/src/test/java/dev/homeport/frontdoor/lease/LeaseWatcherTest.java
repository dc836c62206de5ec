package dev.homeport.frontdoor.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.Lease;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseWatcherTest {

  private static final long MS = 1_000_000;

  private final AtomicLong now = new AtomicLong(1_000 * MS);

  private LeaseWatcher watcher(boolean required) {
    // The store is never read here: observe() is fed directly.
    return new LeaseWatcher(null, "mumbai", now::get, required);
  }

  @Test
  void noLeaseIsHeldBeforeTheFirstRenewalIsSeen() {
    assertThat(watcher(true).held()).isFalse();
    assertThat(watcher(true).ageNanos()).isEqualTo(-1);
  }

  @Test
  void aLeaseLastsItsDurationFromWhenTheRenewalWasSeenHere() {
    LeaseWatcher lease = watcher(true);
    lease.observe(new Lease("mumbai", 1, 3_000, "2000-01-01T00:00:00Z"));
    now.addAndGet(2_999 * MS);
    assertThat(lease.held()).isTrue();
    now.addAndGet(1 * MS);
    assertThat(lease.held()).as("expired on this front-door's clock").isFalse();
  }

  @Test
  void onlyAChangedRenewalCounterExtendsTheLease() {
    LeaseWatcher lease = watcher(true);
    lease.observe(new Lease("mumbai", 7, 3_000, "t"));
    now.addAndGet(2_000 * MS);
    lease.observe(new Lease("mumbai", 7, 3_000, "t"));
    now.addAndGet(1_500 * MS);
    assertThat(lease.held()).as("re-reading the same renewal is not a renewal").isFalse();

    lease.observe(new Lease("mumbai", 8, 3_000, "t"));
    assertThat(lease.held()).isTrue();
    assertThat(lease.ageNanos()).isZero();
  }

  @Test
  void theOperatorsWallClockIsNeverConsulted() {
    LeaseWatcher lease = watcher(true);
    lease.observe(new Lease("mumbai", 1, 3_000, "1970-01-01T00:00:00Z"));
    assertThat(lease.held()).isTrue();
  }

  @Test
  void withoutAnOperatorTheLeaseCanBeSwitchedOff() {
    assertThat(watcher(false).held()).isTrue();
  }
}
