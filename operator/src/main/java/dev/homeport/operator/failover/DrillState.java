package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The running drill, as the machine drives it. The caller persists it in the drill's status record,
 * so a restarted operator resumes it.
 *
 * @param id the drill's identifier
 * @param region the region failed over for the drill
 * @param peer the region serving its keys during the drill
 * @param phase where the drill stands (never {@code PreChecks}: those pass or fail in one step)
 * @param result {@code Running}; {@code Aborted} or {@code Failed} once stopped early and failing
 *     back; the final result in an {@link DrillEvent.Kind#ENDED} event
 * @param reason why the drill was stopped, refused or failed; null otherwise
 * @param startedAt when the drill started
 * @param phaseSince when the drill entered its phase
 * @param holdFor how long the peer serves the keys once verified
 * @param holdUntil when the hold ends; set in {@code Holding}
 */
public record DrillState(
    String id,
    String region,
    String peer,
    DrillPhase phase,
    DrillResult result,
    String reason,
    Instant startedAt,
    Instant phaseSince,
    Duration holdFor,
    Instant holdUntil) {

  public DrillState {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(phaseSince, "phaseSince");
    Objects.requireNonNull(holdFor, "holdFor");
    if (phase == DrillPhase.Holding && holdUntil == null) {
      throw new IllegalArgumentException(
          String.format("drill %s: a drill in phase Holding needs holdUntil", id));
    }
  }

  /** Whether the drill is being ended early (it still fails back first). */
  public boolean stopping() {
    return result != DrillResult.Running;
  }

  DrillState inPhase(DrillPhase next, Instant now) {
    return new DrillState(
        id, region, peer, next, result, reason, startedAt, now, holdFor, holdUntil);
  }

  DrillState holdingUntil(Instant until, Instant now) {
    return new DrillState(
        id, region, peer, DrillPhase.Holding, result, reason, startedAt, now, holdFor, until);
  }

  DrillState endingAs(DrillResult ending, String why) {
    return new DrillState(
        id, region, peer, phase, ending, why, startedAt, phaseSince, holdFor, holdUntil);
  }
}
