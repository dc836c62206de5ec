package dev.homeport.operator.failover;

import static dev.homeport.crds.v1alpha1.status.RegionPhase.Active;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.FailedOver;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Fenced;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Recovering;
import static dev.homeport.crds.v1alpha1.status.RegionPhase.Suspect;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
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
 * skewMargin has passed, {@code servedBy} = peer) → {@code Recovering} (healthy for stableFor, and
 * approved in Manual failback mode; nobody serves the keys) → {@code Active} (once every front-door
 * has had leaseDuration + skewMargin to see that the peer no longer serves them).
 *
 * <p>Within a step the regions are handled in policy order and in three passes, each seeing the
 * decisions of the one before: health-only changes first (a region turning Suspect is no longer an
 * eligible peer), then regions already failing over or back (their claims on peers and on
 * maxConcurrentFailovers come first), then new failovers. A region changes phase at most once per
 * step.
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
    private boolean membershipChanged;

    Round(TopologyState current, Observation observation) {
      this.current = current;
      this.observation = observation;
      this.now = observation.now();
    }

    Step run() {
      observe();
      for (String name : regions.keySet()) {
        reactToHealth(work.get(name));
      }
      for (String name : regions.keySet()) {
        if (!changed.contains(name)) {
          continueFailoverOrFailback(work.get(name));
        }
      }
      for (String name : regions.keySet()) {
        if (!changed.contains(name)) {
          considerFailover(work.get(name));
        }
      }
      boolean publish = membershipChanged || !transitions.isEmpty();
      long epoch = publish ? current.epoch() + 1 : current.epoch();
      Set<String> leaseHolders = new LinkedHashSet<>();
      work.forEach(
          (name, state) -> {
            if (OWN_KEYS.contains(state.phase())) {
              leaseHolders.add(name);
            }
          });
      return new Step(new TopologyState(epoch, work), leaseHolders, publish, transitions, refusals);
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
          if (healthyNow.contains(name)) {
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

    /** Rule 4: fail back once stable; otherwise keep the keys with a peer that still serves. */
    private void failBackOrRetarget(RegionState state) {
      String name = state.name();
      if (state.healthySince() != null
          && !now.isBefore(state.healthySince().plus(policy.stableFor()))) {
        if (policy.failbackMode() == ApprovalMode.Manual
            && !observation.failbackApprovals().contains(name)) {
          refuse(
              state,
              "AwaitingFailbackApproval",
              String.format(
                  "%s has been healthy since %s (stableFor %s); failing back from %s waits for"
                      + " approval (failback mode Manual): kubectl homeport failback %s --approve",
                  name,
                  state.healthySince(),
                  format(policy.stableFor()),
                  orNone(state.servedBy()),
                  name));
          state = work.get(name);
        } else {
          move(
              state,
              Recovering,
              null,
              state.servedBy(),
              "Failback",
              String.format(
                  "%s has been healthy since %s (stableFor %s): %s stops serving its keys, and %s"
                      + " takes them back at %s, once every front-door has seen that (leaseDuration"
                      + " %s + skewMargin %s)",
                  name,
                  state.healthySince(),
                  format(policy.stableFor()),
                  orNone(state.servedBy()),
                  name,
                  fenceDeadline(now),
                  format(policy.leaseDuration()),
                  format(policy.skewMargin())));
          return;
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
      refusals.add(new Refusal(state.name(), reason, message));
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
