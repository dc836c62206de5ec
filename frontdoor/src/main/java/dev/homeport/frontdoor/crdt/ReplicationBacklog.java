package dev.homeport.frontdoor.crdt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one peer region has not yet acknowledged: the counters and registers changed since their
 * last acknowledged shipment, and, per counter, the state the peer acknowledged, so that only the
 * slots above it are shipped (delta-state replication). Shipments may be lost, repeated or
 * reordered: merges are idempotent, so a failed shipment is simply put back. Pure and thread-safe.
 */
public final class ReplicationBacklog {

  /** What changed: a counter or a register, by name. */
  public record Item(Kind kind, String name) {}

  public enum Kind {
    COUNTER,
    REGISTER
  }

  private final int ackedCapacity;

  /** Changed items not yet shipped, oldest change first, with when they first changed (ns). */
  private final LinkedHashMap<Item, Long> dirty = new LinkedHashMap<>();

  /** Items shipped and awaiting the peer's answer, with when they first changed (ns). */
  private final Map<Item, Long> inFlight = new LinkedHashMap<>();

  /** Per counter, the state the peer acknowledged; the least recently shipped are forgotten. */
  private final LinkedHashMap<String, PnCounter> acked;

  /**
   * @param ackedCapacity how many counters' acknowledged states to remember; a forgotten one is
   *     shipped whole next time, which is only more bytes
   */
  public ReplicationBacklog(int ackedCapacity) {
    if (ackedCapacity < 1) {
      throw new IllegalArgumentException("ackedCapacity must be positive, is " + ackedCapacity);
    }
    this.ackedCapacity = ackedCapacity;
    this.acked =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PnCounter> eldest) {
            return size() > ReplicationBacklog.this.ackedCapacity;
          }
        };
  }

  /** Notes that {@code item} changed at {@code nowNanos}. */
  public synchronized void mark(Item item, long nowNanos) {
    dirty.putIfAbsent(item, nowNanos);
  }

  /** Takes up to {@code max} changed items, oldest first, into a shipment. */
  public synchronized List<Item> take(int max) {
    List<Item> taken = new ArrayList<>(Math.min(max, dirty.size()));
    Iterator<Map.Entry<Item, Long>> oldest = dirty.entrySet().iterator();
    while (oldest.hasNext() && taken.size() < max) {
      Map.Entry<Item, Long> next = oldest.next();
      if (inFlight.containsKey(next.getKey())) {
        continue; // changed again while being shipped: ship it after that shipment is answered
      }
      taken.add(next.getKey());
      inFlight.put(next.getKey(), next.getValue());
      oldest.remove();
    }
    return taken;
  }

  /** The slots of {@code state} the peer has not acknowledged. */
  public synchronized PnCounter delta(String counter, PnCounter state) {
    PnCounter known = acked.get(counter);
    return known == null ? state : state.since(known);
  }

  /**
   * The peer acknowledged a shipment of {@code items}; {@code shipped} holds the counter states it
   * carried.
   */
  public synchronized void acknowledged(Collection<Item> items, Map<String, PnCounter> shipped) {
    for (Item item : items) {
      inFlight.remove(item);
    }
    shipped.forEach(
        (name, state) -> acked.merge(name, state, (before, after) -> before.merge(after)));
  }

  /** A shipment of {@code items} failed or was refused: they go back, keeping their age. */
  public synchronized void failed(Collection<Item> items) {
    for (Item item : items) {
      Long since = inFlight.remove(item);
      if (since != null) {
        dirty.merge(item, since, Math::min);
      }
    }
  }

  /**
   * Anti-entropy: forget what the peer acknowledged and ship {@code everything} again (at start,
   * when the peer comes back, and periodically).
   */
  public synchronized void resync(Collection<Item> everything, long nowNanos) {
    acked.clear();
    for (Item item : everything) {
      dirty.putIfAbsent(item, nowNanos);
    }
  }

  /** Items changed but not yet acknowledged (waiting or in flight). */
  public synchronized int backlog() {
    int waiting = dirty.size();
    for (Item item : inFlight.keySet()) {
      if (!dirty.containsKey(item)) {
        waiting++;
      }
    }
    return waiting;
  }

  /** Items waiting to be shipped (not in flight). */
  public synchronized int waiting() {
    int waiting = 0;
    for (Item item : dirty.keySet()) {
      if (!inFlight.containsKey(item)) {
        waiting++;
      }
    }
    return waiting;
  }

  /** Age of the oldest change the peer has not acknowledged; 0 when it has them all. */
  public synchronized long lagNanos(long nowNanos) {
    long oldest = Long.MAX_VALUE;
    for (long since : dirty.values()) {
      oldest = Math.min(oldest, since);
    }
    for (long since : inFlight.values()) {
      oldest = Math.min(oldest, since);
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, nowNanos - oldest);
  }
}
