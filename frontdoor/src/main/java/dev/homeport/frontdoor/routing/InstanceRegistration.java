package dev.homeport.frontdoor.routing;

import dev.homeport.contract.RedisKeys;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this front-door instance in its region's {@link RedisKeys#FRONT_DOORS}: a heartbeat (the
 * wall-clock time) at start and then every {@code interval}, and its removal on a graceful stop.
 * The operator waits for a directory barrier's acknowledgement from exactly the instances whose
 * heartbeat is recent, so an instance registers before it serves and withdraws only after its last
 * write has been answered. It never touches another instance's entry.
 */
public final class InstanceRegistration {

  private static final Logger log = LoggerFactory.getLogger(InstanceRegistration.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final ControlStore store;
  private final Vertx vertx;
  private final Duration interval;
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private long timer = -1;
  private boolean withdrawn;

  public InstanceRegistration(String id, ControlStore store, Vertx vertx, Duration interval) {
    this.id = id;
    this.store = store;
    this.vertx = vertx;
    this.interval = interval;
  }

  /** A new instance id: the region and 8 random hex digits, e.g. {@code mumbai-7f3a09c1}. */
  public static String newId(String region) {
    return region + "-" + HexFormat.of().toHexDigits(RANDOM.nextInt());
  }

  public String id() {
    return id;
  }

  /**
   * Sends the first heartbeat, then one every interval. The returned stage completes when the first
   * is recorded, and fails when it cannot be: an instance the operator does not know about must not
   * serve.
   */
  public CompletionStage<Void> start() {
    return store
        .heartbeat(id)
        .thenRun(
            () -> {
              log.info("Front-door instance {} registered in {}", id, RedisKeys.FRONT_DOORS);
              synchronized (this) {
                if (!withdrawn) {
                  timer = vertx.setPeriodic(interval.toMillis(), tick -> beat());
                }
              }
            });
  }

  private synchronized void beat() {
    // Under the lock, so that no heartbeat can be sent after the removal and re-add the entry.
    if (withdrawn) {
      return;
    }
    store
        .heartbeat(id)
        .whenComplete(
            (v, error) -> {
              if (error == null) {
                if (lastError.getAndSet(null) != null) {
                  log.info("Front-door instance {} sends heartbeats again", id);
                }
                return;
              }
              String message = error.getClass().getSimpleName() + ": " + error.getMessage();
              if (lastError.getAndSet(message) == null) {
                log.warn(
                    "Cannot send the heartbeat of front-door instance {}: {}; retrying every {} ms"
                        + " (the operator counts the instance as gone once it is stale)",
                    id,
                    message,
                    interval.toMillis());
              }
            });
  }

  /** Stops the heartbeats and removes this instance's entry; never fails. */
  public synchronized CompletionStage<Void> withdraw() {
    withdrawn = true;
    vertx.cancelTimer(timer);
    return store
        .deregister(id)
        .handle(
            (v, error) -> {
              if (error != null) {
                log.warn(
                    "Cannot remove front-door instance {} from {}: {}; the operator counts it as"
                        + " gone once its heartbeat is stale",
                    id,
                    RedisKeys.FRONT_DOORS,
                    error.toString());
              }
              return null;
            });
  }
}
