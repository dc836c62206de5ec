package dev.homeport.frontdoor.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A PN-counter: for every region one grow-only slot of increments ({@code <region>:p}) and one of
 * decrements ({@code <region>:n}). A region only ever raises its own slots, so regions never race;
 * merging takes each slot's maximum, which is commutative, associative and idempotent, so states
 * may be exchanged in any order, any number of times. Its value is Σp − Σn. A G-counter is a
 * PN-counter that is never decremented. Immutable.
 */
public final class PnCounter {

  private static final PnCounter EMPTY = new PnCounter(Map.of());

  /** Slot name → count; counts only grow. */
  private final Map<String, Long> slots;

  private PnCounter(Map<String, Long> slots) {
    this.slots = slots;
  }

  public static PnCounter empty() {
    return EMPTY;
  }

  /**
   * A counter from stored slots.
   *
   * @throws IllegalArgumentException naming the slot when a name is not {@code <region>:p|n} or a
   *     count is negative
   */
  public static PnCounter of(Map<String, Long> slots) {
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> slot : slots.entrySet()) {
      checkSlot(slot.getKey());
      if (slot.getValue() == null || slot.getValue() < 0) {
        throw new IllegalArgumentException(
            "slot "
                + slot.getKey()
                + " has count "
                + slot.getValue()
                + "; counts are never negative");
      }
      if (slot.getValue() > 0) {
        copy.put(slot.getKey(), slot.getValue());
      }
    }
    return copy.isEmpty() ? EMPTY : new PnCounter(Collections.unmodifiableMap(copy));
  }

  /** The slot a region raises for increments ({@code positive}) or decrements. */
  public static String slot(String region, boolean positive) {
    return region + (positive ? ":p" : ":n");
  }

  /**
   * This counter after {@code region} added {@code delta} (negative: a decrement).
   *
   * @throws ArithmeticException when the slot would overflow a long
   */
  public PnCounter add(String region, long delta) {
    if (delta == 0) {
      return this;
    }
    if (delta == Long.MIN_VALUE) {
      throw new ArithmeticException("delta " + delta + " overflows a counter slot");
    }
    String slot = slot(region, delta > 0);
    long magnitude = Math.abs(delta);
    TreeMap<String, Long> next = new TreeMap<>(slots);
    next.put(slot, Math.addExact(slots.getOrDefault(slot, 0L), magnitude));
    return new PnCounter(Collections.unmodifiableMap(next));
  }

  /** Per-slot maximum of both states. */
  public PnCounter merge(PnCounter other) {
    if (other.slots.isEmpty() || other == this) {
      return this;
    }
    TreeMap<String, Long> merged = new TreeMap<>(slots);
    other.slots.forEach((slot, count) -> merged.merge(slot, count, Math::max));
    return new PnCounter(Collections.unmodifiableMap(merged));
  }

  /** This counter without {@code region}'s two slots. */
  public PnCounter withoutRegion(String region) {
    String increments = slot(region, true);
    String decrements = slot(region, false);
    if (!slots.containsKey(increments) && !slots.containsKey(decrements)) {
      return this;
    }
    TreeMap<String, Long> rest = new TreeMap<>(slots);
    rest.remove(increments);
    rest.remove(decrements);
    return rest.isEmpty() ? EMPTY : new PnCounter(Collections.unmodifiableMap(rest));
  }

  /** Σp − Σn. */
  public long value() {
    long value = 0;
    for (Map.Entry<String, Long> slot : slots.entrySet()) {
      value =
          slot.getKey().endsWith(":p")
              ? Math.addExact(value, slot.getValue())
              : Math.subtractExact(value, slot.getValue());
    }
    return value;
  }

  /**
   * The slots whose counts in this state exceed those in {@code acknowledged}: the delta to ship.
   */
  public PnCounter since(PnCounter acknowledged) {
    TreeMap<String, Long> delta = new TreeMap<>();
    slots.forEach(
        (slot, count) -> {
          if (count > acknowledged.slots.getOrDefault(slot, 0L)) {
            delta.put(slot, count);
          }
        });
    return delta.isEmpty() ? EMPTY : new PnCounter(Collections.unmodifiableMap(delta));
  }

  public Map<String, Long> slots() {
    return slots;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PnCounter other && slots.equals(other.slots);
  }

  @Override
  public int hashCode() {
    return slots.hashCode();
  }

  @Override
  public String toString() {
    return "PnCounter" + slots;
  }

  private static void checkSlot(String slot) {
    if (slot == null || !slot.matches("[a-z]([-a-z0-9]{0,30}[a-z0-9])?:[pn]")) {
      throw new IllegalArgumentException("slot '" + slot + "' is not <region>:p or <region>:n");
    }
  }
}
