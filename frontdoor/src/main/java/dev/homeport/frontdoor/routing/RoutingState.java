package dev.homeport.frontdoor.routing;

import dev.homeport.contract.RoutingTable;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table this front-door routes by. Only a table of a higher epoch replaces the current
 * one; when Redis is unreachable the last good table keeps serving (static stability) and {@link
 * #staleNanos()} says for how long it has not been confirmed.
 */
public final class RoutingState {

  private static final Logger log = LoggerFactory.getLogger(RoutingState.class);

  private final ControlStore store;
  private final LongSupplier nanoTime;
  private final LongConsumer onNewEpoch;
  private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>();
  private final AtomicLong lastConfirmed = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();

  /**
   * @param onNewEpoch called with the new epoch after a higher-epoch table replaced the current one
   */
  public RoutingState(ControlStore store, LongSupplier nanoTime, LongConsumer onNewEpoch) {
    this.store = store;
    this.nanoTime = nanoTime;
    this.onNewEpoch = onNewEpoch;
  }

  /** The table to route by; empty until one has been loaded. */
  public Optional<RoutingSnapshot> snapshot() {
    return Optional.ofNullable(current.get());
  }

  /** Reads the table from Redis and adopts it if its epoch is higher. Never fails. */
  public CompletionStage<Void> reload() {
    return store
        .routingTable()
        .handle(
            (table, error) -> {
              if (error != null) {
                String message = error.getClass().getSimpleName() + ": " + error.getMessage();
                if (!message.equals(lastError.getAndSet(message))) {
                  log.warn("Cannot read the routing table; routing by the last one: {}", message);
                }
                return null;
              }
              lastError.set(null);
              lastConfirmed.set(nanoTime.getAsLong());
              table.ifPresent(this::offer);
              return null;
            });
  }

  /** Adopts {@code table} if its epoch is higher than the current one; returns whether it did. */
  public boolean offer(RoutingTable table) {
    RoutingSnapshot candidate;
    try {
      candidate = RoutingSnapshot.of(table);
    } catch (IllegalArgumentException e) {
      log.error("Refusing routing table: {}", e.getMessage());
      return false;
    }
    while (true) {
      RoutingSnapshot existing = current.get();
      if (existing != null && existing.epoch() >= candidate.epoch()) {
        if (existing.epoch() > candidate.epoch()) {
          log.warn(
              "Ignoring routing table epoch {}: already routing by epoch {}",
              candidate.epoch(),
              existing.epoch());
        }
        return false;
      }
      if (current.compareAndSet(existing, candidate)) {
        log.info(
            "Routing by table epoch {} (was {})",
            candidate.epoch(),
            existing == null ? "none" : existing.epoch());
        onNewEpoch.accept(candidate.epoch());
        return true;
      }
    }
  }

  /** Epoch of the current table, or -1 before the first one. */
  public long epoch() {
    RoutingSnapshot snapshot = current.get();
    return snapshot == null ? -1 : snapshot.epoch();
  }

  /** Nanoseconds since Redis last answered a routing-table read; -1 if it never has. */
  public long staleNanos() {
    long confirmed = lastConfirmed.get();
    return confirmed == 0 ? -1 : nanoTime.getAsLong() - confirmed;
  }

  /** Why the last read failed, or null when it succeeded. */
  public String lastError() {
    return lastError.get();
  }
}
