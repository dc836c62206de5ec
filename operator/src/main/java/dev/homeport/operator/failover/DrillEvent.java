package dev.homeport.operator.failover;

import java.util.Objects;

/**
 * Something that happened to a drill in one step; the caller records it in the drill's report and,
 * for starts, refusals and ends, as a Kubernetes Event.
 *
 * @param kind what happened
 * @param drill the drill afterwards (for {@code ENDED}, with its final result; for {@code REFUSED},
 *     in phase {@code PreChecks} with result {@code Refused})
 * @param message one line for people, naming regions, times and what to do
 */
public record DrillEvent(Kind kind, DrillState drill, String message) {

  /** What happened to the drill. */
  public enum Kind {
    /** The pre-checks passed and the region was fenced. */
    STARTED,
    /** The pre-checks failed; nothing was changed. */
    REFUSED,
    /** The drill moved on to its next phase. */
    PHASE,
    /** The drill was stopped early and fails back first. */
    STOPPING,
    /** The drill is over: Succeeded, Aborted or Failed. */
    ENDED
  }

  public DrillEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(drill, "drill");
    Objects.requireNonNull(message, "message");
  }
}
