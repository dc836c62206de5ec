package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Suspect;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides, from the persisted state and one observation, every region's next phase: the single
 * decider of failover and failback. Pure: no I/O, no clock, no mutable state; the same inputs
 * always give the same step, so a restarted operator resumes from the persisted state.
 *
 * <p>Phases: {@code Active} → {@code Suspect} (failureThreshold failed probes) → {@code Fenced} (2
 * × failureThreshold, the rules allow it, a peer is eligible and, in Manual mode, approved; the
 * lease is no longer renewed) → {@code FailedOver} (once the last lease write + leaseDuration +
 * skewMargin has passed, {@code servedBy} = peer) → {@code Recovering} (healthy for stableFor,
 * approved in Manual failback mode, and the caller reports the region's application caught up with
 * the writes the peer took for it, or that it cannot tell (no replication probe) or was told not to
 * wait; nobody serves the keys) → {@code Active} (once every front-door has had leaseDuration +
 * skewMargin to see that the peer no longer serves them). While the region waits for catch-up the
 * peer keeps serving its keys; past catchUpTimeout the wait is reported as a warning and goes on.
 *
 * <p>A drill ({@code spec.drill}) is a planned failover of a healthy region through the same phases
 * and the same safety rules: pre-checks (the region and every other region Active, an eligible peer
 * by the rules above, minActiveRegions and maxConcurrentFailovers) → {@code Fenced} (drill phase
 * {@code Fencing}, then {@code CatchingUp} once the lease has run out with margin) → {@code
 * FailedOver} once the caller reports the peer caught up ({@code Verifying}, then {@code Holding}
 * for holdFor once the caller reports every synthetic request served by the peer) → {@code
 * Recovering} ({@code FailingBack}: the drill is the failback's approval, and the automatic
 * failback rule never ends a hold early) → {@code Active} ({@code VerifyingBack}, until the caller
 * reports the region serving its keys again). Stopped before the flip, the region simply gets its
 * lease back; after it, it fails back at once. A real failure of the region, of the peer or of
 * another region ends the drill and leaves the regions to the rules above.
 *
 * <p>Within a step the regions are handled in policy order and in three passes, each seeing the
 * decisions of the one before: health-only changes first (a region turning Suspect is no longer an
 * eligible peer), then the running drill and the regions already failing over or back (their claims
 * on peers and on maxConcurrentFailovers come first), then new failovers and, last, a new drill. A
 * region changes phase at most once per step.
 */
public final class FailoverMachine {

  /** Phases whose region serves its own keys and holds its lease. */
  private static final Set<RegionPhase> OWN_KEYS = EnumSet.of(Active, Suspect);

  /** Phases that count against maxConcurrentFailovers. */
  private static final Set<RegionPhase> FAILING_OVER = EnumSet.of(Fenced, FailedOver, Recovering);

  private final Policy policy;
  private final Map<String, RegionPolicy> regions;
  private final Duration fenceWait;

  public FailoverMachine(Policy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    Map<String, RegionPolicy> byName = new LinkedHashMap<>();
    for (RegionPolicy region : policy.regions()) {
      byName.put(region.name(), region);
    }
    this.regions = Collections.unmodifiableMap(byName);
    this.fenceWait = policy.leaseDuration().plus(policy.skewMargin());
  }

  /** The policy this machine decides by. */
  public Policy policy() {
    return policy;
  }

  /** Computes the next state from the current one and what was observed since. */
  public Step step(TopologyState current, Observation observation) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(observation, "observation");
    return new Round(current, observation).run();
  }

  /** One step's working state; discarded afterwards. */
  private final class Round {
    private final TopologyState current;
    private final Observation observation;
    private final Instant now;
    private final Map<String, RegionState> work = new LinkedHashMap<>();
    private final Map<String, Integer> failuresBefore = new HashMap<>();
    private final Set<String> healthyNow = new HashSet<>();
    private final Set<String> changed = new HashSet<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private final List<DrillEvent> drillEvents = new ArrayList<>();
    private final DrillProgress progress;
    private boolean membershipChanged;

    /** The running drill as this step leaves it; null once it has ended. */
    private DrillState drill;

    /** The drill that ended in this step, whose request must not start it again. */
    private String endedDrill;

    Round(TopologyState current, Observation observation) {
      this.current = current;
      this.observation = observation;
      this.now = observation.now();
      this.drill = current.drill();
      this.progress = observation.drillProgress();
    }

    Step run() {
      observe();
      for (String name : regions.keySet()) {
        reactToHealth(work.get(name));
      }
      driveDrill();
      for (String name : regions.keySet()) {
        if (!changed.contains(name) && !heldByDrill(name)) {
          continueFailoverOrFailback(work.get(name));
        }
      }
      settleFailback();
      for (String name : regions.keySet()) {
        if (!changed.contains(name)) {
          considerFailover(work.get(name));
        }
      }
      considerDrill();
      boolean publish = membershipChanged || !transitions.isEmpty();
      long epoch = publish ? current.epoch() + 1 : current.epoch();
      Set<String> leaseHolders = new LinkedHashSet<>();
      work.forEach(
          (name, state) -> {
            if (OWN_KEYS.contains(state.phase())) {
              leaseHolders.add(name);
            }
          });
      return new Step(
          new TopologyState(epoch, work, drill),
          leaseHolders,
          publish,
          transitions,
          refusals,
          drillEvents);
    }

    /** Rule 1: probe and lease bookkeeping; regions join and leave with the policy. */
    private void observe() {
      for (String name : current.regions().keySet()) {
        if (!regions.containsKey(name)) {
          membershipChanged = true;
        }
      }
      for (String name : regions.keySet()) {
        RegionState state = current.regions().get(name);
        if (state == null) {
          membershipChanged = true;
          state =
              new RegionState(
                  name,
                  Active,
                  null,
                  null,
                  0,
                  null,
                  null,
                  null,
                  now,
                  name + " joined the topology Active, serving its own keys");
        }
        Probe probe = observation.probes().get(name);
        boolean healthy = probe != null && probe.healthy();
        if (healthy) {
          healthyNow.add(name);
        }
        failuresBefore.put(name, state.consecutiveFailures());
        int failures =
            healthy
                ? 0
                : state.consecutiveFailures() == Integer.MAX_VALUE
                    ? Integer.MAX_VALUE
                    : state.consecutiveFailures() + 1;
        Instant write = observation.leaseWrites().get(name);
        Instant leaseRenewedAt =
            write != null
                    && (state.leaseRenewedAt() == null || write.isAfter(state.leaseRenewedAt()))
                ? write
                : state.leaseRenewedAt();
        work.put(
            name,
            new RegionState(
                name,
                state.phase(),
                state.servedBy(),
                state.failoverTarget(),
                failures,
                healthy ? now : state.lastHealthy(),
                healthy ? (state.healthySince() != null ? state.healthySince() : now) : null,
                leaseRenewedAt,
                // A state without phaseSince (hand-edited status) restarts its phase's clock.
                state.phaseSince() != null ? state.phaseSince() : now,
                state.message()));
      }
    }

    /** Pass 1: changes that depend only on the region's own probes. */
    private void reactToHealth(RegionState state) {
      String name = state.name();
      int threshold = policy.failureThreshold();
      switch (state.phase()) {
        case Active -> {
          if (state.consecutiveFailures() >= threshold) {
            move(
                state,
                Suspect,
                null,
                null,
                "ProbesFailing",
                String.format(
                    "%s failed %d consecutive probes (failureThreshold %d), last healthy %s; it keeps"
                        + " its lease and serves its own keys, and fails over after %d. Last"
                        + " probe: %s",
                    name,
                    state.consecutiveFailures(),
                    threshold,
                    lastHealthy(state),
                    2 * threshold,
                    probeDetail(name)));
          }
        }
        case Suspect -> {
          if (healthyNow.contains(name)) {
            move(
                state,
                Active,
                null,
                null,
                "Recovered",
                String.format(
                    "%s answered its probe again after %d failed probes; it is Active",
                    name, failuresBefore.get(name)));
          }
        }
        case Fenced -> {
          // A drill fences a healthy region on purpose; the drill decides when it gets its lease
          // back.
          if (healthyNow.contains(name) && !drillFences(name)) {
            move(
                state,
                Active,
                null,
                null,
                "RecoveredBeforeFailover",
                String.format(
                    "%s answered its probe again while fenced, before its keys moved to %s; the"
                        + " failover is called off and its lease is renewed again",
                    name, orNone(state.failoverTarget())));
          }
        }
        default -> {
          // FailedOver and Recovering need the other regions (pass 2); Draining is not driven by
          // this machine and is left as it is.
        }
      }
    }

    /** Pass 2: regions already fenced, failed over or failing back. */
    private void continueFailoverOrFailback(RegionState state) {
      switch (state.phase()) {
        case Fenced -> completeFailover(state);
        case FailedOver -> failBackOrRetarget(state);
        case Recovering -> completeFailback(state);
        default -> {
          // Active and Suspect are pass 1 and 3; Draining is left alone.
        }
      }
    }

    /** Pass 3, rule 2: a Suspect region past 2 × failureThreshold is fenced if the rules allow. */
    private void considerFailover(RegionState state) {
      String name = state.name();
      if (state.phase() != Suspect || state.consecutiveFailures() < 2 * policy.failureThreshold()) {
        return;
      }
      String why =
          String.format(
              "%s failed %d consecutive probes (2 × failureThreshold %d)",
              name, state.consecutiveFailures(), policy.failureThreshold());

      List<String> failingOver = namesIn(FAILING_OVER);
      if (failingOver.size() >= policy.maxConcurrentFailovers()) {
        refuse(
            state,
            "MaxConcurrentFailovers",
            String.format(
                "%s but is not failed over: %d region(s) are already failed over or failing over"
                    + " (%s) and maxConcurrentFailovers is %d; it stays Suspect and keeps its lease",
                why,
                failingOver.size(),
                failingOver.isEmpty() ? "none" : String.join(", ", failingOver),
                policy.maxConcurrentFailovers()));
        return;
      }
      List<String> others = namesIn(OWN_KEYS);
      others.remove(name);
      if (others.size() < policy.minActiveRegions()) {
        refuse(
            state,
            "MinActiveRegions",
            String.format(
                "%s but is not failed over: only %d other region(s) would still serve their own"
                    + " keys (%s) and minActiveRegions is %d; it stays Suspect and keeps its lease",
                why,
                others.size(),
                others.isEmpty() ? "none" : String.join(", ", others),
                policy.minActiveRegions()));
        return;
      }
      Choice choice = choosePeer(state, null);
      if (choice.peer() == null) {
        refuse(
            state,
            "NoEligiblePeer",
            String.format(
                "%s but is not failed over: %s; it stays Suspect and keeps its lease",
                why, choice.why()));
        return;
      }
      if (policy.mode() == ApprovalMode.Manual && !observation.failoverApprovals().contains(name)) {
        refuse(
            state,
            "AwaitingApproval",
            String.format(
                "%s; failing it over to %s waits for approval (failover mode Manual):"
                    + " kubectl homeport failover %s --approve",
                why, choice.peer(), name));
        return;
      }
      move(
          state,
          Fenced,
          null,
          choice.peer(),
          "FailoverStarted",
          String.format(
              "%s: its lease is no longer renewed (last renewal %s) and %s takes its keys once the"
                  + " lease has run out, at %s (leaseDuration %s + skewMargin %s)",
              why,
              orNever(state.leaseRenewedAt()),
              choice.peer(),
              fenceDeadline(state.leaseRenewedAt() != null ? state.leaseRenewedAt() : now),
              format(policy.leaseDuration()),
              format(policy.skewMargin())));
    }

    /** Rule 3: a Fenced region's keys move to the peer once its lease has certainly run out. */
    private void completeFailover(RegionState state) {
      String name = state.name();
      Instant lastLease =
          state.leaseRenewedAt() != null ? state.leaseRenewedAt() : state.phaseSince();
      Instant deadline = fenceDeadline(lastLease);
      if (now.isBefore(deadline)) {
        return;
      }
      Choice choice = choosePeer(state, state.failoverTarget());
      if (choice.peer() == null) {
        refuse(
            state.failoverTarget() == null ? state : withTarget(state, null),
            "NoEligiblePeer",
            String.format(
                "%s is fenced and its lease ran out at %s, but its keys have nowhere to go: %s;"
                    + " they stay unavailable for writes until a peer is eligible or %s recovers",
                name, deadline, choice.why(), name));
        return;
      }
      String changedTarget =
          state.failoverTarget() != null && !state.failoverTarget().equals(choice.peer())
              ? String.format(" (not %s: %s)", state.failoverTarget(), choice.why())
              : "";
      move(
          state,
          FailedOver,
          choice.peer(),
          choice.peer(),
          "FailedOver",
          String.format(
              "%s's keys are served by %s%s: its lease, last renewed %s, ran out with margin at %s"
                  + " (leaseDuration %s + skewMargin %s); %s failed %d consecutive probes",
              name,
              choice.peer(),
              changedTarget,
              orNever(state.leaseRenewedAt()),
              deadline,
              format(policy.leaseDuration()),
              format(policy.skewMargin()),
              name,
              state.consecutiveFailures()));
    }

    /**
     * Rule 4: fail back once stable, approved (Manual failback mode) and caught up with the peer;
     * otherwise keep the keys with a peer that still serves.
     */
    private void failBackOrRetarget(RegionState state) {
      String name = state.name();
      if (state.healthySince() != null
          && !now.isBefore(state.healthySince().plus(policy.stableFor()))) {
        String stable =
            String.format(
                "%s has been healthy since %s (stableFor %s)",
                name, state.healthySince(), format(policy.stableFor()));
        if (policy.failbackMode() == ApprovalMode.Manual
            && !observation.failbackApprovals().contains(name)) {
          refuse(
              state,
              "AwaitingFailbackApproval",
              String.format(
                  "%s; failing back from %s waits for approval (failback mode Manual):"
                      + " kubectl homeport failback %s --approve",
                  stable, orNone(state.servedBy()), name));
          state = work.get(name);
        } else {
          String caughtUp = caughtUp(state, stable);
          if (caughtUp != null) {
            move(
                state,
                Recovering,
                null,
                state.servedBy(),
                "Failback",
                String.format(
                    "%s: %s stops serving its keys, and %s takes them back at %s, once every"
                        + " front-door has seen that (leaseDuration %s + skewMargin %s); %s",
                    stable,
                    orNone(state.servedBy()),
                    name,
                    fenceDeadline(now),
                    format(policy.leaseDuration()),
                    format(policy.skewMargin()),
                    caughtUp));
            return;
          }
          state = work.get(name);
        }
      }

      String peer = state.servedBy();
      RegionState peerState = peer == null ? null : work.get(peer);
      if (peerState != null && OWN_KEYS.contains(peerState.phase())) {
        return;
      }
      if (peerState != null && !leaseRunOut(peerState)) {
        // The peer still holds a lease it may write the keys under; moving them now would give
        // them two writers. It has stopped being renewed, so this resolves within leaseDuration.
        return;
      }
      if (peerState != null && peerState.phase() == Fenced) {
        // A Fenced peer that answers again gets its lease back at once, and its front-doors may
        // not yet have seen the keys move away from it: it would write them beside the new peer.
        // Wait until it is failed over (its lease then returns only through Recovering) or back.
        return;
      }
      Choice choice = choosePeer(state, null);
      if (choice.peer() == null || !leaseRunOut(state)) {
        refuse(
            state,
            "NoEligiblePeer",
            String.format(
                "%s's keys are served by %s, which is %s, and cannot move: %s",
                name,
                orNone(peer),
                peerState == null ? "not in the topology" : peerState.phase().toString(),
                choice.peer() == null ? choice.why() : name + "'s own lease has not run out"));
        return;
      }
      if (peerState != null && peerState.phase() == Recovering) {
        // The old peer's lease returns once its front-doors have had fenceWait to see that no
        // region is served by it any more: its Recovering clock restarts with this move.
        work.put(peer, peerState.withPhaseSince(now));
      }
      move(
          state,
          FailedOver,
          choice.peer(),
          choice.peer(),
          "Retargeted",
          String.format(
              "%s's keys moved from %s, which is %s, to %s",
              name,
              orNone(peer),
              peerState == null ? "not in the topology" : peerState.phase().toString(),
              choice.peer()));
    }

    /**
     * Whether a failback of {@code state} may go ahead as far as replication goes: what the
     * Failback transition says about it, or null when the failback waits (a refusal says why: a
     * Normal one while within catchUpTimeout, a Warning past it). The keys stay with the peer while
     * it waits, so waiting costs no availability.
     */
    private String caughtUp(RegionState state, String stable) {
      String name = state.name();
      String peer = orNone(state.servedBy());
      FailbackCatchUp reading = observation.failbackCatchUps().get(name);
      if (reading != null && !reading.peer().equals(state.servedBy())) {
        reading = null;
      }
      if (reading != null) {
        switch (reading.status()) {
          case CAUGHT_UP -> {
            return String.format(
                "%s's application has caught up with %s's writes: %s",
                name, peer, reading.detail());
          }
          case UNPROBED -> {
            return "the failback did not wait for replication: " + reading.detail();
          }
          case SKIPPED -> {
            return "the failback did not wait for replication catch-up: " + reading.detail();
          }
          default -> {
            // WAITING: below.
          }
        }
      }
      Instant since = reading == null ? null : reading.since();
      String figures =
          reading == null ? "no reading of the replicationProbes yet" : reading.detail();
      if (since != null && !now.isBefore(since.plus(policy.catchUpTimeout()))) {
        refuse(
            state,
            "FailbackCatchUpTimedOut",
            String.format(
                "%s but does not fail back: its application has not caught up with the writes %s"
                    + " took for it within %s (spec.failover.failback.catchUpTimeout, waiting"
                    + " since %s): %s. Its keys stay with %s, which keeps serving them. Find out"
                    + " why replication from %s to %s lags (the failback goes ahead once it has"
                    + " caught up), or fail back without waiting, accepting that %s may serve stale"
                    + " data and overwrite %s's writes not yet applied there: kubectl homeport"
                    + " failback %s --approve --skip-catch-up",
                stable,
                peer,
                format(policy.catchUpTimeout()),
                since,
                figures,
                peer,
                peer,
                name,
                name,
                peer,
                name),
            true);
      } else {
        refuse(
            state,
            "AwaitingFailbackCatchUp",
            String.format(
                "%s; failing back from %s waits until %s's application has applied the writes %s"
                    + " took for it, up to the position %s reported when the failback started"
                    + " (replicationProbe)%s: %s; %s keeps serving its keys meanwhile",
                stable,
                peer,
                name,
                peer,
                peer,
                since == null
                    ? ""
                    : String.format(
                        ", waiting since %s, at most catchUpTimeout %s",
                        since, format(policy.catchUpTimeout())),
                figures,
                peer),
            false);
      }
      return null;
    }

    /** Rule 5: finish a failback once no front-door routes to the old peer; abort if it fails. */
    private void completeFailback(RegionState state) {
      String name = state.name();
      Instant routesSettled = fenceDeadline(state.phaseSince());
      if (state.consecutiveFailures() >= policy.failureThreshold()) {
        String previous = state.failoverTarget();
        Choice choice = choosePeer(state, previous);
        if (choice.peer() == null || !leaseRunOut(state)) {
          refuse(
              state,
              "NoEligiblePeer",
              String.format(
                  "%s failed %d consecutive probes while failing back and nobody serves its keys:"
                      + " %s",
                  name,
                  state.consecutiveFailures(),
                  choice.peer() == null ? choice.why() : name + "'s own lease has not run out"));
          return;
        }
        if (!choice.peer().equals(previous) && now.isBefore(routesSettled)) {
          // Front-doors may still route the keys to the previous peer until routesSettled; a
          // different peer now would make two writers.
          return;
        }
        move(
            state,
            FailedOver,
            choice.peer(),
            choice.peer(),
            "FailbackAborted",
            String.format(
                "%s failed %d consecutive probes (failureThreshold %d) while failing back; its keys"
                    + " are served by %s again",
                name, state.consecutiveFailures(), policy.failureThreshold(), choice.peer()));
        return;
      }
      if (!now.isBefore(routesSettled)) {
        move(
            state,
            Active,
            null,
            null,
            "FailbackComplete",
            String.format(
                "%s is Active again and its lease is renewed: since %s no region serves its keys,"
                    + " and every front-door has had leaseDuration %s + skewMargin %s to see that",
                name,
                state.phaseSince(),
                format(policy.leaseDuration()),
                format(policy.skewMargin())));
      }
    }

    /** Whether the running drill fences {@code name} before its keys move to the peer. */
    private boolean drillFences(String name) {
      return drill != null && drill.region().equals(name) && beforeFlip(drill.phase());
    }

    /**
     * Whether the running drill, not the failover rules, decides {@code name}'s next phase: from
     * the fence until the failback starts, so that neither the automatic failback rule nor a
     * retarget ends a hold early.
     */
    private boolean heldByDrill(String name) {
      return drill != null
          && drill.region().equals(name)
          && (beforeFlip(drill.phase()) || afterFlip(drill.phase()));
    }

    /** Pass 2, drill: ends, stops or advances the running drill. */
    private void driveDrill() {
      if (drill == null) {
        return;
      }
      String name = drill.region();
      RegionState region = work.get(name);
      if (region == null || !regions.containsKey(drill.peer())) {
        endDrill(
            DrillResult.Failed,
            String.format(
                "%s left the topology during the drill", region == null ? name : drill.peer()));
        return;
      }
      DrillPhase phase = drill.phase();
      int threshold = policy.failureThreshold();
      if (region.consecutiveFailures() >= threshold) {
        endDrill(
            DrillResult.Failed,
            String.format(
                "%s failed %d consecutive probes (failureThreshold %d) during the drill, while"
                    + " %s; the failover rules take over: %s",
                name, region.consecutiveFailures(), threshold, phase, whatTheRulesDo(region)));
        return;
      }
      RegionPhase expected = regionPhaseIn(phase);
      if (region.phase() != expected) {
        // Only a hand-edited status gets here: the drill cannot know what was undone.
        endDrill(
            DrillResult.Failed,
            String.format(
                "%s is %s, but a drill in phase %s needs it %s; the failover rules take over",
                name, region.phase(), phase, expected));
        return;
      }
      DrillProgress.Stop stop = null;
      if (beforeFlip(phase) || afterFlip(phase)) {
        RegionState peer = work.get(drill.peer());
        if (peer.phase() != Active || peer.consecutiveFailures() >= threshold) {
          stop =
              new DrillProgress.Stop(
                  DrillResult.Failed,
                  String.format(
                      "peer %s %s during the drill (failureThreshold %d)",
                      drill.peer(),
                      peer.phase() != Active
                          ? "turned " + peer.phase()
                          : "failed " + peer.consecutiveFailures() + " consecutive probes",
                      threshold));
        } else {
          String outage = realOutage();
          if (outage != null) {
            stop =
                new DrillProgress.Stop(
                    DrillResult.Aborted,
                    outage + ": a real outage takes precedence over the drill");
          }
        }
      }
      if (stop == null) {
        stop = progress.stop();
      }
      if (stop != null) {
        stopDrill(region, stop);
      } else {
        advanceDrill(region);
      }
    }

    /** Before the flip the region gets its lease back; after it, it fails back at once. */
    private void stopDrill(RegionState region, DrillProgress.Stop stop) {
      switch (drill.phase()) {
        case Fencing, CatchingUp -> {
          callOff(region, stop.reason());
          endDrill(stop.result(), stop.reason());
        }
        case Verifying, Holding -> {
          failBackForDrill(region, "the drill was stopped: " + stop.reason());
          drill = drill.endingAs(stop.result(), stop.reason()).inPhase(DrillPhase.FailingBack, now);
          drillEvents.add(
              new DrillEvent(
                  DrillEvent.Kind.STOPPING,
                  drill,
                  String.format(
                      "drill %s is stopped (%s): %s; %s fails back at once",
                      drill.id(), stop.result(), stop.reason(), drill.region())));
        }
        case FailingBack -> {
          if (!drill.stopping()) {
            drill = drill.endingAs(stop.result(), stop.reason());
            drillEvents.add(
                new DrillEvent(
                    DrillEvent.Kind.STOPPING,
                    drill,
                    String.format(
                        "drill %s is stopped (%s) while %s fails back: %s",
                        drill.id(), stop.result(), drill.region(), stop.reason())));
          }
        }
        default -> {
          // VerifyingBack: the region serves its keys again; nothing is left to undo.
          if (drill.stopping()) {
            endDrill(drill.result(), drill.reason() + "; then: " + stop.reason());
          } else {
            endDrill(stop.result(), stop.reason());
          }
        }
      }
    }

    private void advanceDrill(RegionState region) {
      String name = region.name();
      switch (drill.phase()) {
        case Fencing, CatchingUp -> {
          Instant lastLease =
              region.leaseRenewedAt() != null ? region.leaseRenewedAt() : region.phaseSince();
          Instant deadline = fenceDeadline(lastLease);
          if (now.isBefore(deadline)) {
            return;
          }
          if (!progress.caughtUp()) {
            if (drill.phase() == DrillPhase.Fencing) {
              drillPhase(
                  DrillPhase.CatchingUp,
                  String.format(
                      "%s's lease, last renewed %s, ran out with margin at %s; waiting until %s"
                          + " has applied its writes up to the fence",
                      name, orNever(region.leaseRenewedAt()), deadline, drill.peer()));
            }
            return;
          }
          String whyNot = whyNotEligible(regions.get(name), drill.peer(), true);
          if (whyNot != null) {
            String why =
                String.format(
                    "peer %s can no longer take %s's keys: it %s", drill.peer(), name, whyNot);
            callOff(region, why);
            endDrill(DrillResult.Failed, why);
            return;
          }
          move(
              region,
              FailedOver,
              drill.peer(),
              drill.peer(),
              "DrillFlipped",
              String.format(
                  "drill %s: %s's keys are served by %s: its lease, last renewed %s, ran out with"
                      + " margin at %s (leaseDuration %s + skewMargin %s) and %s has applied its"
                      + " writes",
                  drill.id(),
                  name,
                  drill.peer(),
                  orNever(region.leaseRenewedAt()),
                  deadline,
                  format(policy.leaseDuration()),
                  format(policy.skewMargin()),
                  drill.peer()));
          drillPhase(
              DrillPhase.Verifying,
              String.format(
                  "%s serves %s's keys; verifying with synthetic requests through every"
                      + " front-door",
                  drill.peer(), name));
        }
        case Verifying -> {
          if (progress.verified()) {
            drill = drill.holdingUntil(now.plus(drill.holdFor()), now);
            drillEvents.add(
                new DrillEvent(
                    DrillEvent.Kind.PHASE,
                    drill,
                    String.format(
                        "every synthetic request for %s's keys is served by %s; holding until %s"
                            + " (holdFor %s)",
                        name, drill.peer(), drill.holdUntil(), format(drill.holdFor()))));
          }
        }
        case Holding -> {
          if (!now.isBefore(drill.holdUntil())) {
            failBackForDrill(region, "held for " + format(drill.holdFor()));
            drillPhase(
                DrillPhase.FailingBack,
                String.format(
                    "%s held %s's keys for %s; %s fails back",
                    drill.peer(), name, format(drill.holdFor()), name));
          }
        }
        case VerifyingBack -> {
          if (progress.verified()) {
            endDrill(drill.stopping() ? drill.result() : DrillResult.Succeeded, drill.reason());
          }
        }
        default -> {
          // FailingBack: the failback rule completes it in pass 2 (settleFailback).
        }
      }
    }

    /** After pass 2: a drill's failback that completed, or that a failure turned around. */
    private void settleFailback() {
      if (drill == null || drill.phase() != DrillPhase.FailingBack) {
        return;
      }
      RegionState region = work.get(drill.region());
      if (region.phase() == Active) {
        drillPhase(
            DrillPhase.VerifyingBack,
            String.format(
                "%s serves its keys again; verifying with synthetic requests through every"
                    + " front-door",
                region.name()));
      } else if (region.phase() != Recovering) {
        endDrill(
            DrillResult.Failed,
            String.format(
                "%s's failback did not complete: it is %s%s; the failover rules take over",
                region.name(),
                region.phase(),
                region.servedBy() == null ? "" : ", served by " + region.servedBy()));
      }
    }

    /** Pass 3, last: starts a requested drill if every pre-check passes, else refuses it. */
    private void considerDrill() {
      DrillRequest request = observation.drillRequest();
      if (request == null || request.id().equals(endedDrill)) {
        return;
      }
      if (drill != null) {
        if (!drill.id().equals(request.id())) {
          refuseDrill(
              request,
              String.format(
                  "drill %s is still running on %s (phase %s); start %s once it has ended, or"
                      + " abort it first (kubectl homeport drill abort)",
                  drill.id(), drill.region(), drill.phase(), request.id()));
        }
        return;
      }
      String name = request.region();
      RegionPolicy regionPolicy = regions.get(name);
      if (regionPolicy == null) {
        refuseDrill(
            request,
            String.format(
                "%s is not a region of the topology; name one of spec.regions (%s)",
                name, String.join(", ", regions.keySet())));
        return;
      }
      RegionState region = work.get(name);
      if (region.phase() != Active || changed.contains(name)) {
        refuseDrill(
            request,
            String.format(
                "%s is %s, not Active (%s); a drill fails over a healthy region: start it once %s"
                    + " is Active",
                name, region.phase(), region.message(), name));
        return;
      }
      if (!healthyNow.contains(name)) {
        refuseDrill(
            request,
            String.format(
                "%s did not answer its last probe (%s); start the drill once it answers",
                name, probeDetail(name)));
        return;
      }
      List<String> busy = new ArrayList<>();
      work.forEach(
          (other, state) -> {
            if (!other.equals(name) && state.phase() != Active) {
              busy.add(
                  other
                      + " is "
                      + state.phase()
                      + (state.servedBy() != null ? " (served by " + state.servedBy() + ")" : "")
                      + (state.phase() == Suspect
                          ? " (" + state.consecutiveFailures() + " failed probes)"
                          : ""));
            }
          });
      if (!busy.isEmpty()) {
        refuseDrill(
            request,
            String.format(
                "another failover or drill is under way: %s; a drill runs only while every region"
                    + " is Active: start it once they are (kubectl homeport status)",
                String.join(", ", busy)));
        return;
      }
      List<String> failingOver = namesIn(FAILING_OVER);
      if (failingOver.size() >= policy.maxConcurrentFailovers()) {
        refuseDrill(
            request,
            String.format(
                "failing %s over would exceed maxConcurrentFailovers %d (%d failing over now);"
                    + " raise spec.failover.maxConcurrentFailovers",
                name, policy.maxConcurrentFailovers(), failingOver.size()));
        return;
      }
      List<String> others = namesIn(OWN_KEYS);
      others.remove(name);
      if (others.size() < policy.minActiveRegions()) {
        refuseDrill(
            request,
            String.format(
                "failing %s over would leave %d region(s) serving their own keys (%s) and"
                    + " minActiveRegions is %d; lower spec.failover.minActiveRegions or add a"
                    + " region",
                name,
                others.size(),
                others.isEmpty() ? "none" : String.join(", ", others),
                policy.minActiveRegions()));
        return;
      }
      String peer = null;
      List<String> skipped = new ArrayList<>();
      for (String candidate : regionPolicy.failoverPeers()) {
        String whyNot = whyNotEligible(regionPolicy, candidate, true);
        if (whyNot == null && !healthyNow.contains(candidate)) {
          whyNot = "did not answer its last probe (" + probeDetail(candidate) + ")";
        }
        if (whyNot == null) {
          peer = candidate;
          break;
        }
        skipped.add(candidate + " " + whyNot);
      }
      if (peer == null) {
        refuseDrill(
            request,
            regionPolicy.failoverPeers().isEmpty()
                ? String.format(
                    "%s lists no failoverPeers; add a peer to its spec.regions[].failoverPeers",
                    name)
                : String.format(
                    "no failover peer can take %s's keys: %s; give a peer headroom"
                        + " (capacityWeight) or wait until it serves fewer regions",
                    name, String.join("; ", skipped)));
        return;
      }
      Instant deadline =
          fenceDeadline(region.leaseRenewedAt() != null ? region.leaseRenewedAt() : now);
      String message =
          String.format(
              "drill %s: %s's lease is no longer renewed (last renewal %s); %s takes its keys"
                  + " once the lease has run out, at %s (leaseDuration %s + skewMargin %s), and"
                  + " has applied its writes%s; then it holds them for %s and %s fails back",
              request.id(),
              name,
              orNever(region.leaseRenewedAt()),
              peer,
              deadline,
              format(policy.leaseDuration()),
              format(policy.skewMargin()),
              skipped.isEmpty() ? "" : " (skipped: " + String.join("; ", skipped) + ")",
              format(request.holdFor()),
              name);
      move(region, Fenced, null, peer, "DrillFenced", message);
      drill =
          new DrillState(
              request.id(),
              name,
              peer,
              DrillPhase.Fencing,
              DrillResult.Running,
              null,
              now,
              now,
              request.holdFor(),
              null);
      drillEvents.add(new DrillEvent(DrillEvent.Kind.STARTED, drill, message));
    }

    /** Another region in real trouble, or null: its failover must not wait behind a drill. */
    private String realOutage() {
      for (RegionState state : work.values()) {
        String name = state.name();
        if (name.equals(drill.region()) || name.equals(drill.peer())) {
          continue;
        }
        if (FAILING_OVER.contains(state.phase())) {
          return name + " is " + state.phase();
        }
        if (state.phase() == Suspect
            && state.consecutiveFailures() >= 2 * policy.failureThreshold()) {
          return String.format(
              "%s failed %d consecutive probes (2 × failureThreshold %d)",
              name, state.consecutiveFailures(), policy.failureThreshold());
        }
      }
      return null;
    }

    /** For a drill that ends by a failure of its region: what the failover rules do next. */
    private String whatTheRulesDo(RegionState region) {
      return switch (region.phase()) {
        case Fenced ->
            String.format(
                "its lease stays unrenewed, and its keys move to a peer once the lease has run"
                    + " out, unless it answers again first");
        case FailedOver ->
            String.format(
                "its keys stay with %s until it has been healthy for stableFor %s (failback %s)",
                orNone(region.servedBy()), format(policy.stableFor()), policy.failbackMode());
        case Recovering -> "its failback is aborted and a peer serves its keys again";
        default -> "it is " + region.phase() + " and fails over like any region";
      };
    }

    /** Before the flip: the region gets its lease back; its keys never moved. */
    private void callOff(RegionState region, String why) {
      move(
          region,
          Active,
          null,
          null,
          "DrillCalledOff",
          String.format(
              "drill %s called off before %s took %s's keys (%s); %s's lease is renewed again and"
                  + " its keys never moved",
              drill.id(), drill.peer(), region.name(), why, region.name()));
    }

    /** The drill's failback: the peer stops serving, the region returns once routes settle. */
    private void failBackForDrill(RegionState region, String why) {
      move(
          region,
          Recovering,
          null,
          region.servedBy(),
          "DrillFailback",
          String.format(
              "drill %s: %s stops serving %s's keys (%s), and %s takes them back at %s, once every"
                  + " front-door has seen that (leaseDuration %s + skewMargin %s)",
              drill.id(),
              orNone(region.servedBy()),
              region.name(),
              why,
              region.name(),
              fenceDeadline(now),
              format(policy.leaseDuration()),
              format(policy.skewMargin())));
    }

    private void drillPhase(DrillPhase next, String message) {
      drill = drill.inPhase(next, now);
      drillEvents.add(new DrillEvent(DrillEvent.Kind.PHASE, drill, message));
    }

    private void endDrill(DrillResult result, String reason) {
      DrillState ended = drill.endingAs(result, reason);
      drillEvents.add(
          new DrillEvent(
              DrillEvent.Kind.ENDED,
              ended,
              String.format(
                  "drill %s on %s %s%s",
                  ended.id(), ended.region(), result, reason == null ? "" : ": " + reason)));
      endedDrill = ended.id();
      drill = null;
    }

    private void refuseDrill(DrillRequest request, String why) {
      DrillState refused =
          new DrillState(
              request.id(),
              request.region(),
              null,
              DrillPhase.PreChecks,
              DrillResult.Refused,
              why,
              now,
              now,
              request.holdFor(),
              null);
      drillEvents.add(
          new DrillEvent(
              DrillEvent.Kind.REFUSED,
              refused,
              String.format("drill %s on %s refused: %s", request.id(), request.region(), why)));
    }

    /**
     * The first peer in {@code failoverPeers} order (the preferred one first, if still listed) that
     * is Active, accepts the region's residency and has capacity; or null and why none is.
     */
    private Choice choosePeer(RegionState state, String preferred) {
      RegionPolicy region = regions.get(state.name());
      List<String> candidates = new ArrayList<>();
      if (preferred != null && region.failoverPeers().contains(preferred)) {
        candidates.add(preferred);
      }
      for (String peer : region.failoverPeers()) {
        if (!candidates.contains(peer)) {
          candidates.add(peer);
        }
      }
      if (candidates.isEmpty()) {
        return new Choice(null, region.name() + " lists no failoverPeers");
      }
      List<String> skipped = new ArrayList<>();
      for (String peer : candidates) {
        String whyNot = whyNotEligible(region, peer);
        if (whyNot == null) {
          return new Choice(peer, String.join("; ", skipped));
        }
        skipped.add(peer + " " + whyNot);
      }
      return new Choice(null, "no failover peer is eligible: " + String.join("; ", skipped));
    }

    /** Null if {@code peer} may take {@code region}'s keys now, else the reason it may not. */
    private String whyNotEligible(RegionPolicy region, String peer) {
      return whyNotEligible(region, peer, false);
    }

    /**
     * As {@link #whyNotEligible(RegionPolicy, String)}; {@code planned}: a drill, which also needs
     * headroom for all of the region's keys when the peer serves nobody else (an outage takes an
     * overloaded peer over none, a drill does not choose one).
     */
    private String whyNotEligible(RegionPolicy region, String peer, boolean planned) {
      if (peer.equals(region.name())) {
        return "is the region itself";
      }
      RegionPolicy peerPolicy = regions.get(peer);
      if (peerPolicy == null) {
        return "is not a region of the topology";
      }
      RegionState peerState = work.get(peer);
      if (peerState.phase() != Active) {
        return "is " + peerState.phase() + ", not Active";
      }
      if (!peerPolicy.accepts(region.residency())) {
        return String.format(
            "has residency %s and does not accept %s", peerPolicy.residency(), region.residency());
      }
      if (peerPolicy.capacityWeight() <= 0) {
        return "has capacityWeight 0";
      }
      Map<String, Integer> served = new LinkedHashMap<>();
      work.forEach(
          (other, otherState) -> {
            if (!other.equals(region.name()) && serves(otherState, peer)) {
              served.put(other, regions.get(other).capacityWeight());
            }
          });
      int load = served.values().stream().mapToInt(Integer::intValue).sum();
      if (served.isEmpty() && planned && peerPolicy.capacityWeight() < region.capacityWeight()) {
        return String.format(
            "has capacityWeight %d, less than %s's %d: no headroom for all of its keys",
            peerPolicy.capacityWeight(), region.name(), region.capacityWeight());
      }
      if (!served.isEmpty() && peerPolicy.capacityWeight() < load + region.capacityWeight()) {
        return String.format(
            "has capacityWeight %d and already serves or is about to serve %s; adding %s (%d)"
                + " would need %d",
            peerPolicy.capacityWeight(),
            served.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", ")),
            region.name(),
            region.capacityWeight(),
            load + region.capacityWeight());
      }
      return null;
    }

    /** Whether {@code other}'s keys are, or are about to be, served by {@code peer}. */
    private boolean serves(RegionState other, String peer) {
      return (other.phase() == FailedOver && peer.equals(other.servedBy()))
          || (other.phase() == Fenced && peer.equals(other.failoverTarget()));
    }

    /** Whether a region that no longer holds its lease can no longer write under it. */
    private boolean leaseRunOut(RegionState state) {
      if (OWN_KEYS.contains(state.phase())) {
        return false;
      }
      Instant last = state.leaseRenewedAt();
      if (last == null) {
        last = state.phase() == Fenced ? state.phaseSince() : null;
      }
      return last == null || !now.isBefore(fenceDeadline(last));
    }

    private Instant fenceDeadline(Instant from) {
      return from.plus(fenceWait);
    }

    private List<String> namesIn(Set<RegionPhase> phases) {
      List<String> names = new ArrayList<>();
      work.forEach(
          (name, state) -> {
            if (phases.contains(state.phase())) {
              names.add(name);
            }
          });
      return names;
    }

    private void move(
        RegionState state,
        RegionPhase to,
        String servedBy,
        String failoverTarget,
        String reason,
        String message) {
      boolean phaseChanges = state.phase() != to;
      work.put(
          state.name(),
          new RegionState(
              state.name(),
              to,
              servedBy,
              failoverTarget,
              state.consecutiveFailures(),
              state.lastHealthy(),
              state.healthySince(),
              state.leaseRenewedAt(),
              phaseChanges ? now : state.phaseSince(),
              message));
      changed.add(state.name());
      transitions.add(new Transition(state.name(), state.phase(), to, servedBy, reason, message));
    }

    private void refuse(RegionState state, String reason, String message) {
      refuse(state, reason, message, true);
    }

    private void refuse(RegionState state, String reason, String message, boolean warning) {
      work.put(
          state.name(),
          new RegionState(
              state.name(),
              state.phase(),
              state.servedBy(),
              state.failoverTarget(),
              state.consecutiveFailures(),
              state.lastHealthy(),
              state.healthySince(),
              state.leaseRenewedAt(),
              state.phaseSince(),
              message));
      refusals.add(new Refusal(state.name(), reason, message, warning));
    }

    private RegionState withTarget(RegionState state, String failoverTarget) {
      return new RegionState(
          state.name(),
          state.phase(),
          state.servedBy(),
          failoverTarget,
          state.consecutiveFailures(),
          state.lastHealthy(),
          state.healthySince(),
          state.leaseRenewedAt(),
          state.phaseSince(),
          state.message());
    }

    private String probeDetail(String name) {
      Probe probe = observation.probes().get(name);
      if (probe == null) {
        return "no probe result";
      }
      return probe.detail() == null || probe.detail().isBlank() ? "no detail" : probe.detail();
    }
  }

  /** The phase the drilled region is in while its drill is in {@code phase}. */
  static RegionPhase regionPhaseIn(DrillPhase phase) {
    return switch (phase) {
      case Fencing, CatchingUp -> Fenced;
      case Verifying, Holding -> FailedOver;
      case FailingBack -> Recovering;
      default -> Active;
    };
  }

  private static boolean beforeFlip(DrillPhase phase) {
    return phase == DrillPhase.Fencing || phase == DrillPhase.CatchingUp;
  }

  private static boolean afterFlip(DrillPhase phase) {
    return phase == DrillPhase.Verifying || phase == DrillPhase.Holding;
  }

  /** A chosen peer (or null) and, for people, why the peers before it were skipped. */
  private record Choice(String peer, String why) {}

  private static String lastHealthy(RegionState state) {
    return state.lastHealthy() == null ? "never" : "at " + state.lastHealthy();
  }

  private static String orNever(Instant instant) {
    return instant == null ? "never" : "at " + instant;
  }

  private static String orNone(String region) {
    return region == null ? "no region" : region;
  }

  /** "2s", "1.5s", "500ms": durations as people write them in the spec. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return String.format(Locale.ROOT, "%.3fs", millis / 1000.0).replaceAll("0+s$", "s");
  }
}
