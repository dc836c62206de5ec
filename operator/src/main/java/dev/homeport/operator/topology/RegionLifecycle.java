package dev.homeport.operator.topology;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.operator.failover.Probe;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.region.ControlData;
import dev.homeport.operator.region.Prober;
import dev.homeport.operator.region.RegionLink;
import dev.homeport.operator.routing.BucketLayouts;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Admits the regions added to spec.regions and releases the ones removed from it, for one topology.
 * Its reads and writes of the regions' Redis (whole directories) run on an executor, never on the
 * reconcile thread, which renews leases; each reconcile takes in what a finished task found and
 * starts the next one when it is due. The decisions are made on the reconcile thread, with the
 * state as it is then. Not thread-safe: a topology is reconciled by one thread at a time.
 *
 * <p>A region added to spec.regions joins the routing table once its front-door and Redis answer a
 * probe and its Redis holds the directory and bucket entries of earlier moves (copied from the
 * other regions, never over a newer entry), so that its front-door routes moved keys as the others
 * do. Moves write every region of spec.regions, so the copy waits until no HomeAssignment that may
 * have begun before the region was added is moving. It homes no bucket: the layout does not change.
 *
 * <p>A region removed from spec.regions leaves once {@link RegionRemovals} finds it homes nothing
 * and nothing uses it, judged from every routed region's Redis. Its layout ranges are then
 * re-pointed to where their bucket entries already send them, and it is routed, leased and probed
 * no more. Until then it stays, and the reconciler reports why.
 */
final class RegionLifecycle {

  /** How often a departing region's removal is checked again while it is refused. */
  static final Duration RECHECK = Duration.ofSeconds(5);

  /** How often the bucket entries are read for status (buckets each region homes). */
  static final Duration BUCKETS_READ = Duration.ofSeconds(5);

  /** Longest time for reading every region's directory or copying it into a joining region. */
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A region's standing while it joins or leaves, for the RegionsValid condition.
   *
   * @param problem whether a person may have to act (an Event and a warning are due), rather than a
   *     step still under way
   */
  record Notice(String region, String reason, String message, boolean problem) {}

  /** Something that happened, for an Event and the log. */
  record Change(String region, String reason, String message) {}

  /**
   * What one reconcile decided.
   *
   * @param membership the regions to route from now on
   * @param layout the bucket layout from now on
   * @param notices why joining or leaving regions are not done yet
   * @param changes regions that joined or left in this reconcile
   */
  record Outcome(
      Membership membership, BucketLayout layout, List<Notice> notices, List<Change> changes) {}

  /** What a join task found: null problem when the region's Redis holds the directory. */
  private record Joined(String url, String problem, long keys, long buckets, List<String> from) {}

  /** What a removal task read. */
  private record Read(
      ControlData.Snapshot snapshot, List<RegionRemovals.Move> moves, String error) {}

  private final KubernetesClient client;
  private final Prober prober;
  private final Executor io;
  private final Map<String, CompletableFuture<Joined>> joins = new HashMap<>();
  private final Map<String, CompletableFuture<Read>> removals = new HashMap<>();
  private final Map<String, Instant> removalStarted = new HashMap<>();
  private final Map<String, Instant> joinStarted = new HashMap<>();
  private final Map<String, Notice> standing = new LinkedHashMap<>();
  private CompletableFuture<Map<Integer, DirectoryEntry>> bucketsTask;
  private Instant bucketsStarted = Instant.EPOCH;
  private Map<Integer, DirectoryEntry> buckets;

  RegionLifecycle(KubernetesClient client, Prober prober, Executor io) {
    this.client = client;
    this.prober = prober;
    this.io = io;
  }

  /**
   * Takes in finished tasks, admits and releases regions, and starts the tasks now due.
   *
   * @param spec spec.regions
   * @param links the open links, by region (accepted and joining regions)
   * @param probeTimeout timeout of a joining region's probe
   */
  Outcome advance(
      List<RegionSpec> spec,
      Membership membership,
      BucketLayout layout,
      TopologyState state,
      Map<String, RegionLink> links,
      Duration probeTimeout,
      Instant now) {
    List<Change> changes = new ArrayList<>();
    Membership given = membership;
    standing.keySet().removeIf(region -> !isJoiningOrLeaving(given, region));
    joins.keySet().removeIf(region -> given.joining().stream().noneMatch(r -> named(r, region)));
    joinStarted
        .keySet()
        .removeIf(region -> given.joining().stream().noneMatch(r -> named(r, region)));
    removals.keySet().removeIf(region -> !given.isLeaving(region));
    removalStarted.keySet().removeIf(region -> !given.isLeaving(region));

    for (RegionSpec joiner : membership.joining()) {
      String region = joiner.getName();
      RegionLink link = links.get(region);
      CompletableFuture<Joined> task = joins.get(region);
      if (task != null && task.isDone()) {
        joins.remove(region);
        Joined joined = task.join();
        if (joined.problem() == null && link != null && link.url().equals(joined.url())) {
          membership = membership.admit(region, spec);
          standing.remove(region);
          changes.add(
              new Change(
                  region,
                  "RegionAdded",
                  "region "
                      + region
                      + " joined the topology homing no bucket: it is in the routing table, probed"
                      + " and leased, and "
                      + joined.keys()
                      + " directory and "
                      + joined.buckets()
                      + " bucket entries of earlier moves were copied into its Redis (from "
                      + String.join(", ", joined.from())
                      + "). Keys and buckets reach it only by a HomeAssignment: kubectl"
                      + " homeport rehome --buckets <ranges> --to "
                      + region
                      + " (or --keys <keys>)"));
          continue;
        }
        if (joined.problem() != null) {
          standing.put(region, joining(region, joined.problem(), true));
        }
      }
      Instant tried = joinStarted.get(region);
      if (joins.containsKey(region) || (tried != null && now.isBefore(tried.plus(RECHECK)))) {
        standing.putIfAbsent(
            region,
            joining(
                region, "the directory of earlier moves is being copied into its Redis", false));
        continue;
      }
      if (link == null) {
        standing.put(
            region,
            joining(
                region,
                "its Redis ("
                    + membership.field(region, spec)
                    + ".redis) cannot be reached yet; it joins once it answers",
                true));
        continue;
      }
      Map<String, RegionLink> sources = new LinkedHashMap<>();
      for (String accepted : membership.acceptedNames()) {
        if (links.containsKey(accepted)) {
          sources.put(accepted, links.get(accepted));
        }
      }
      String field = membership.field(region, spec);
      String adminUrl = joiner.getFrontDoor().getAdminUrl();
      boolean anyAccepted = !membership.accepted().isEmpty();
      joinStarted.put(region, now);
      // A task never fails: what it found is taken in on the reconcile thread, which must not
      // throw (it renews every region's lease).
      joins.put(
          region,
          CompletableFuture.supplyAsync(
                  () -> join(region, field, adminUrl, link, sources, anyAccepted, probeTimeout), io)
              .exceptionally(e -> problem(link, "joining failed: " + e)));
      standing.putIfAbsent(
          region,
          joining(region, "the directory of earlier moves is being copied into its Redis", false));
    }

    for (RegionSpec leaver : membership.leaving()) {
      String region = leaver.getName();
      CompletableFuture<Read> task = removals.get(region);
      if (task != null && task.isDone()) {
        removals.remove(region);
        Read read = task.join();
        if (read.snapshot() != null) {
          buckets = read.snapshot().buckets();
        }
        if (read.error() != null) {
          standing.put(
              region,
              new Notice(
                  region,
                  "RemovalUnchecked",
                  "region "
                      + region
                      + " was removed from spec.regions, but whether it still homes keys cannot"
                      + " be checked: "
                      + read.error()
                      + "; it stays in the routing table, leased and probed, until the check can"
                      + " be made",
                  true));
        } else {
          Membership current = membership;
          List<RegionSpec> staying =
              current.accepted().stream().filter(r -> !current.isLeaving(r.getName())).toList();
          RegionRemovals.Verdict verdict;
          BucketLayout repointed = null;
          try {
            verdict =
                RegionRemovals.check(
                    new RegionRemovals.Facts(
                        region,
                        layout,
                        read.snapshot().buckets(),
                        read.snapshot().keys(),
                        state,
                        read.moves(),
                        staying,
                        leaver));
            if (verdict.clear()) {
              repointed =
                  BucketLayouts.repoint(
                      layout, region, read.snapshot().buckets(), state.epoch() + 1, now);
            }
          } catch (IllegalArgumentException e) {
            // A layout that cannot be read (status edited by hand) must not stop the reconcile,
            // which renews every region's lease.
            standing.put(
                region,
                new Notice(
                    region,
                    "RemovalUnchecked",
                    "region "
                        + region
                        + " was removed from spec.regions, but whether it still homes keys cannot"
                        + " be checked: status.bucketLayout cannot be used: "
                        + e.getMessage(),
                    true));
            continue;
          }
          if (repointed != null) {
            List<String> unknown = new ArrayList<>(BucketLayouts.regions(repointed));
            unknown.removeIf(
                name -> current.acceptedNames().contains(name) && !name.equals(region));
            if (unknown.isEmpty()) {
              String moved = moved(layout, repointed, region);
              layout = repointed;
              membership = membership.release(region);
              standing.remove(region);
              removalStarted.remove(region);
              changes.add(
                  new Change(
                      region,
                      "RegionRemoved",
                      "region "
                          + region
                          + " left the topology: it homed nothing"
                          + moved
                          + "; it is no longer in the routing table, leased or probed"));
              continue;
            }
            standing.put(
                region,
                new Notice(
                    region,
                    RegionRemovals.STILL_IN_USE,
                    "region "
                        + region
                        + " was removed from spec.regions, but bucket entries send its buckets to "
                        + String.join(", ", unknown)
                        + ", which the routing table does not list; move those buckets to a"
                        + " region of spec.regions",
                    true));
          } else {
            standing.put(region, new Notice(region, verdict.reason(), verdict.message(), true));
          }
        }
      }
      Instant started = removalStarted.get(region);
      if (!removals.containsKey(region)
          && (started == null || !now.isBefore(started.plus(RECHECK)))) {
        Map<String, RegionLink> routed = new LinkedHashMap<>();
        List<String> unlinked = new ArrayList<>();
        for (String accepted : membership.acceptedNames()) {
          if (links.containsKey(accepted)) {
            routed.put(accepted, links.get(accepted));
          } else {
            unlinked.add(accepted);
          }
        }
        removalStarted.put(region, now);
        removals.put(
            region,
            CompletableFuture.supplyAsync(() -> read(routed, unlinked), io)
                .exceptionally(e -> new Read(null, List.of(), "the check failed: " + e)));
      }
      standing.putIfAbsent(
          region,
          new Notice(
              region,
              "RegionLeaving",
              "region "
                  + region
                  + " was removed from spec.regions; checking that it homes nothing before it"
                  + " leaves the routing table",
              false));
    }

    readBuckets(membership, links, now);
    return new Outcome(membership, layout, List.copyOf(standing.values()), changes);
  }

  /**
   * The bucket entries as last read, the latest of every routed region that answered; null before
   * the first read.
   */
  Map<Integer, DirectoryEntry> buckets() {
    return buckets;
  }

  /** Starts a read of the bucket entries when one is due, and takes in a finished one. */
  private void readBuckets(Membership membership, Map<String, RegionLink> links, Instant now) {
    if (bucketsTask != null && bucketsTask.isDone()) {
      Map<Integer, DirectoryEntry> read = bucketsTask.join();
      if (read != null) {
        buckets = read;
      }
      bucketsTask = null;
    }
    if (bucketsTask != null || now.isBefore(bucketsStarted.plus(BUCKETS_READ))) {
      return;
    }
    Map<String, RegionLink> routed = new LinkedHashMap<>();
    for (String accepted : membership.acceptedNames()) {
      if (links.containsKey(accepted)) {
        routed.put(accepted, links.get(accepted));
      }
    }
    bucketsStarted = now;
    bucketsTask =
        CompletableFuture.supplyAsync(
                () -> {
                  ControlData.Snapshot snapshot = ControlData.read(routed, false, IO_TIMEOUT);
                  return snapshot.answered().isEmpty() ? null : snapshot.buckets();
                },
                io)
            .exceptionally(e -> null);
  }

  private Joined join(
      String region,
      String field,
      String adminUrl,
      RegionLink link,
      Map<String, RegionLink> sources,
      boolean anyAccepted,
      Duration probeTimeout) {
    Probe probe = prober.probe(field, adminUrl, link, probeTimeout).join();
    if (!probe.healthy()) {
      return problem(link, "it does not answer its probe yet: " + probe.detail());
    }
    String moving;
    try {
      moving = moving();
    } catch (RuntimeException e) {
      return problem(link, "HomeAssignments cannot be listed: " + e.getMessage());
    }
    if (moving != null) {
      return problem(link, waitingFor(region, moving));
    }
    ControlData.Snapshot snapshot = ControlData.read(sources, true, IO_TIMEOUT);
    if (anyAccepted && snapshot.answered().isEmpty()) {
      return problem(
          link,
          "no routed region's Redis answers, so the directory cannot be copied into its Redis: "
              + snapshot.failed());
    }
    ControlData.Copied copied;
    String marker;
    try {
      marker = DirectoryGuard.beginCopy(link, IO_TIMEOUT);
      copied = ControlData.copySettled(link, snapshot, IO_TIMEOUT);
    } catch (IllegalStateException e) {
      return problem(
          link,
          "the directory could not be copied into its Redis ("
              + field
              + ".redis): "
              + e.getMessage());
    }
    // A move that began while the copy ran may have read the topology before the region was in it.
    try {
      moving = moving();
    } catch (RuntimeException e) {
      return problem(link, "HomeAssignments cannot be listed: " + e.getMessage());
    }
    if (moving != null) {
      return problem(link, waitingFor(region, moving));
    }
    try {
      DirectoryGuard.completeCopy(link, marker, IO_TIMEOUT);
    } catch (IllegalStateException e) {
      return problem(link, "its Redis (" + field + ".redis) " + e.getMessage());
    }
    return new Joined(link.url(), null, copied.keys(), copied.buckets(), snapshot.answered());
  }

  private static Joined problem(RegionLink link, String problem) {
    return new Joined(link.url(), problem, 0, 0, List.of());
  }

  private static String waitingFor(String region, String moving) {
    return "waiting for HomeAssignment "
        + moving
        + " to finish: a move that began before "
        + region
        + " was added does not write its Redis";
  }

  private Read read(Map<String, RegionLink> routed, List<String> unlinked) {
    if (!unlinked.isEmpty()) {
      return new Read(
          null, List.of(), "no connection to the Redis of " + String.join(", ", unlinked));
    }
    ControlData.Snapshot snapshot = ControlData.read(routed, true, IO_TIMEOUT);
    if (!snapshot.failed().isEmpty()) {
      List<String> failures = new ArrayList<>();
      snapshot
          .failed()
          .forEach((region, why) -> failures.add("the Redis of " + region + ": " + why));
      return new Read(snapshot, List.of(), String.join("; ", failures));
    }
    List<RegionRemovals.Move> moves;
    try {
      moves = unfinished();
    } catch (RuntimeException e) {
      return new Read(snapshot, List.of(), "HomeAssignments cannot be listed: " + e.getMessage());
    }
    return new Read(snapshot, moves, null);
  }

  /** The first HomeAssignment not finished (it may be moving keys), as namespace/name; or null. */
  private String moving() {
    return moving(client);
  }

  /** The first HomeAssignment not finished (it may be moving keys), as namespace/name; or null. */
  static String moving(KubernetesClient client) {
    List<RegionRemovals.Move> moves = unfinished(client);
    return moves.isEmpty() ? null : moves.get(0).ref();
  }

  private List<RegionRemovals.Move> unfinished() {
    return unfinished(client);
  }

  /**
   * Every HomeAssignment that has not finished, read from the API server (not a cache): one that
   * has not even started may already have read the topology.
   */
  private static List<RegionRemovals.Move> unfinished(KubernetesClient client) {
    List<RegionRemovals.Move> moves = new ArrayList<>();
    for (HomeAssignment assignment :
        client.resources(HomeAssignment.class).inAnyNamespace().list().getItems()) {
      HomeAssignmentPhase phase =
          assignment.getStatus() == null ? null : assignment.getStatus().getPhase();
      if (phase == null || !phase.finished()) {
        moves.add(
            new RegionRemovals.Move(
                assignment.getMetadata().getNamespace() + "/" + assignment.getMetadata().getName(),
                assignment.getSpec() == null ? null : assignment.getSpec().getToRegion()));
      }
    }
    return moves;
  }

  private static Notice joining(String region, String why, boolean problem) {
    return new Notice(
        region,
        "RegionJoining",
        "region " + region + " was added to spec.regions but is not routed yet: " + why,
        problem);
  }

  private static String moved(BucketLayout before, BucketLayout after, String region) {
    String[] was = BucketLayouts.homes(before);
    String[] now = BucketLayouts.homes(after);
    Map<String, List<Integer>> to = new java.util.TreeMap<>();
    for (int b = 0; b < was.length; b++) {
      if (region.equals(was[b])) {
        to.computeIfAbsent(now[b], r -> new ArrayList<>()).add(b);
      }
    }
    if (to.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    to.forEach(
        (home, list) -> parts.add(String.join(",", BucketLayouts.spans(list)) + " to " + home));
    return ", and its layout buckets were re-pointed to where their bucket entries already sent"
        + " them ("
        + String.join("; ", parts)
        + ")";
  }

  private static boolean isJoiningOrLeaving(Membership membership, String region) {
    return membership.isLeaving(region)
        || membership.joining().stream().anyMatch(r -> named(r, region));
  }

  private static boolean named(RegionSpec region, String name) {
    return region.getName().equals(name);
  }
}
