package dev.homeport.frontdoor.config;

/**
 * Counters that must not go below a floor (stock, seats, credits). A region refuses a decrement
 * that would take its own view below the floor; concurrent decrements in several regions can still
 * take the merged value below it, and then the counter reports {@code oversold} and one region
 * appends a compensation event to its Redis stream for the application to act on (cancel, refund,
 * restock). Never a silent negative.
 *
 * @param prefix counters whose name starts with this are bounded
 * @param floor the lowest value the merged counter may take
 * @param compensatedBy the region that records compensation events; null: the region that sorts
 *     first among those in the routing table, so that exactly one region records each oversell
 */
public record BoundedCounter(String prefix, long floor, String compensatedBy) {

  public boolean covers(String counter) {
    return counter.startsWith(prefix);
  }
}
