package dev.homeport.frontdoor.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The writes this front-door has begun and not yet finished, by routing key, each with a ticket
 * from one increasing sequence. A {@link DirectoryBarriers directory barrier} takes a {@link #mark}
 * after dropping cached directory entries, then waits until every write ticketed before the mark
 * for its keys has ended: those are the only writes that may have acted on a dropped entry.
 *
 * <p>Beginning and ending a write costs one counter increment and one map update; the map holds
 * only writes in flight, so its size is bounded by the front-door's concurrency.
 */
public final class InflightWrites {

  private final AtomicLong sequence = new AtomicLong();
  private final Map<Long, String> writes = new ConcurrentHashMap<>();

  public InflightWrites(MeterRegistry registry) {
    Gauge.builder("homeport.writes.inflight", this, InflightWrites::size)
        .description("Writes for a routing key begun and not yet answered, refused or failed")
        .register(registry);
  }

  /** Notes that a write for {@code key} begins; returns its ticket, for {@link #end}. */
  public long begin(String key) {
    if (key == null) {
      throw new IllegalArgumentException("a write in flight needs its routing key; got null");
    }
    long ticket = sequence.getAndIncrement();
    writes.put(ticket, key);
    return ticket;
  }

  /** Notes that the write holding {@code ticket} has finished; ending it again does nothing. */
  public void end(long ticket) {
    writes.remove(ticket);
  }

  /**
   * The ticket the next write will get. Every write begun before this call holds a lower ticket. A
   * write that holds one but is not in flight yet when {@link #drained} looks has not looked up its
   * home either, so it reads the directory after whatever the caller dropped before the mark.
   */
  public long mark() {
    return sequence.get();
  }

  /** Whether no write for any of {@code keys} with a ticket below {@code mark} is in flight. */
  public boolean drained(Collection<String> keys, long mark) {
    return drained(asSet(keys)::contains, mark);
  }

  /** Whether no write for a key {@code affected} names with a ticket below {@code mark} is. */
  public boolean drained(Predicate<String> affected, long mark) {
    return inFlight(affected, mark).isEmpty();
  }

  /** Those of {@code keys} with a write ticketed below {@code mark} still in flight. */
  public Set<String> inFlight(Collection<String> keys, long mark) {
    return inFlight(asSet(keys)::contains, mark);
  }

  /** The keys {@code affected} names with a write ticketed below {@code mark} still in flight. */
  public Set<String> inFlight(Predicate<String> affected, long mark) {
    Set<String> busy = new LinkedHashSet<>();
    for (Map.Entry<Long, String> write : writes.entrySet()) {
      if (write.getKey() < mark && affected.test(write.getValue())) {
        busy.add(write.getValue());
      }
    }
    return busy;
  }

  private static Collection<String> asSet(Collection<String> keys) {
    return keys instanceof Set ? keys : Set.copyOf(keys);
  }

  /** How many writes are in flight. */
  public int size() {
    return writes.size();
  }
}
