package dev.homeport.operator.topology;

import dev.homeport.contract.RedisKeys;
import dev.homeport.operator.region.ControlData;
import dev.homeport.operator.region.RegionLink;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every routed region's Redis holding the directory and bucket entries of earlier moves, for
 * one topology. A front-door resolves a key's home from its own region's Redis; one whose Redis
 * lost those entries routes moved keys by the bucket layout, to their old home, and a region that
 * holds its lease would then take writes for keys another region homes: two homes for one key.
 *
 * <p>The signal is a marker ({@link RedisKeys#DIRECTORY_MARKER}) the operator writes into a
 * region's Redis once that Redis is known to hold every entry: when the topology's regions are
 * first seen (none holds a marker: nothing was moved yet, or the topology predates markers), when a
 * region joins (after the copy), and when the entries are copied back. A Redis that answers without
 * it, while another region holds it, has lost its data: it restarted without persistence, was
 * replaced, or was flushed. The marker lives in the same Redis as the entries, so it is lost with
 * them whatever the cause and however fast Redis came back, and a restarted operator reads it again
 * rather than trusting its memory. While entries are copied back it reads {@code restoring
 * <token>}, and it becomes {@code held <token>} only if Redis still holds that value afterwards
 * (compare-and-set): a Redis that lost its data again meanwhile is not marked.
 *
 * <p>Until a region's marker is back, the reconciler renews no lease there and counts its probe as
 * failed, so the region does not fail back and an Active one is failed over to its peer if the copy
 * does not come soon. The copy waits while any HomeAssignment is unfinished, as a join does: a move
 * may have fenced keys in the lost Redis, and copying settled entries midway would leave them
 * unfenced there. Reads and copies run on an executor, never on the reconcile thread, except the
 * marker reads (one GET per region, bounded by the probe timeout). Not thread-safe: a topology is
 * reconciled by one thread at a time.
 */
final class DirectoryGuard {

  /** How long after a failed or waiting copy it is tried again. */
  static final Duration RETRY = Duration.ofSeconds(1);

  /** Longest time for reading every region's directory or copying it into a region. */
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

  private static final String HELD = "held ";
  private static final String RESTORING = "restoring ";

  /** A region found to have lost its directory in this reconcile. */
  record Lost(String region, String message) {}

  /** A region whose directory was copied back in this reconcile. */
  record Restored(String region, long keys, long buckets, List<String> from, String message) {}

  /**
   * What one check found.
   *
   * @param withheld the regions whose lease must not be renewed, each with why (for its probe and
   *     its status message)
   * @param lost regions found to have lost their directory now (for an Event, once)
   * @param restored regions whose directory was copied back now
   * @param marked regions marked as holding the directory without a copy (a new topology)
   */
  record Check(
      Map<String, String> withheld,
      List<Lost> lost,
      List<Restored> restored,
      List<String> marked) {}

  /** What a copy task found: null problem when the region's Redis holds the directory again. */
  private record Copy(String problem, long keys, long buckets, List<String> from) {}

  private final KubernetesClient client;
  private final Executor io;

  /** Regions whose Redis held the marker at the last answer. */
  private final Set<String> held = new HashSet<>();

  /** Regions whose Redis lost its directory, with why their lease is withheld. */
  private final Map<String, String> lost = new LinkedHashMap<>();

  private final Map<String, CompletableFuture<Copy>> copies = new HashMap<>();
  private final Map<String, Instant> tried = new HashMap<>();

  DirectoryGuard(KubernetesClient client, Executor io) {
    this.client = client;
    this.io = io;
  }

  /** Whether the region's Redis held the directory when it last answered: its lease may go out. */
  boolean holds(String region) {
    return held.contains(region) && !lost.containsKey(region);
  }

  /** Forgets a region that left the topology. */
  void forget(String region) {
    held.remove(region);
    lost.remove(region);
    copies.remove(region);
    tried.remove(region);
  }

  /**
   * Reads every routed region's marker, takes in finished copies and starts the copies now due.
   *
   * @param routed the routed regions
   * @param links the open links, by region
   * @param timeout how long the marker reads may take
   */
  Check check(List<String> routed, Map<String, RegionLink> links, Duration timeout, Instant now) {
    List<Restored> restored = new ArrayList<>();
    List<Lost> found = new ArrayList<>();
    List<String> marked = new ArrayList<>();
    held.retainAll(routed);
    lost.keySet().retainAll(routed);
    copies.keySet().retainAll(routed);
    tried.keySet().retainAll(routed);

    Map<String, CompletableFuture<String>> reads = new LinkedHashMap<>();
    for (String region : routed) {
      RegionLink link = links.get(region);
      if (link != null) {
        reads.put(
            region,
            link.directoryMarker()
                .toCompletableFuture()
                .thenApply(value -> value == null ? "" : value)
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> null));
      }
    }
    // Marker by region, "" where Redis holds none; absent where it did not answer.
    Map<String, String> markers = new LinkedHashMap<>();
    reads.forEach(
        (region, read) -> {
          String value = read.join();
          if (value != null) {
            markers.put(region, value);
          }
        });

    for (Map.Entry<String, CompletableFuture<Copy>> entry : new ArrayList<>(copies.entrySet())) {
      String region = entry.getKey();
      if (!entry.getValue().isDone()) {
        continue;
      }
      copies.remove(region);
      Copy copy = entry.getValue().join();
      if (copy.problem() == null) {
        lost.remove(region);
        held.add(region);
        markers.put(region, HELD);
        restored.add(
            new Restored(
                region,
                copy.keys(),
                copy.buckets(),
                copy.from(),
                "the Redis of region "
                    + region
                    + " holds the directory of moved keys and buckets again: "
                    + copy.keys()
                    + " directory and "
                    + copy.buckets()
                    + " bucket entries were copied into it from "
                    + String.join(", ", copy.from())
                    + "; its lease is renewed again once it is routed to its own keys"));
      } else {
        lost.put(region, withheld(region, copy.problem()));
      }
    }

    List<String> holding =
        markers.entrySet().stream()
            .filter(e -> e.getValue().startsWith(HELD))
            .map(Map.Entry::getKey)
            .toList();
    for (Map.Entry<String, String> marker : markers.entrySet()) {
      String region = marker.getKey();
      if (holding.isEmpty()
          && marker.getValue().isEmpty()
          && !held.contains(region)
          && !lost.containsKey(region)) {
        // No region holds the marker: a new topology, where nothing was moved yet, or one whose
        // regions were set up before markers. Each region holds what it holds; there is nothing
        // to copy from, so each is marked as it is. A region this operator saw holding the marker
        // is not: it lost its data.
        RegionLink link = links.get(region);
        try {
          if (await(
              link.replaceDirectoryMarker(null, HELD + UUID.randomUUID()).toCompletableFuture(),
              timeout)) {
            held.add(region);
            marked.add(region);
          }
        } catch (IllegalStateException e) {
          // Tried again at the next reconcile; until then its lease is not renewed.
        }
        continue;
      }
      if (marker.getValue().startsWith(HELD)) {
        // Only the operator marks a Redis, and only once it holds every entry.
        if (!copies.containsKey(region)) {
          lost.remove(region);
          held.add(region);
        }
        continue;
      }
      if (holding.isEmpty()) {
        held.remove(region);
        lost.putIfAbsent(
            region,
            withheld(
                region,
                "no region whose Redis holds the directory answers, so there is nothing to copy"
                    + " it from yet"));
        continue;
      }
      List<String> sources = holding.stream().filter(r -> !r.equals(region)).toList();
      if (!lost.containsKey(region)) {
        held.remove(region);
        String message =
            withheld(
                region, "the directory will be copied back from " + String.join(", ", sources));
        lost.put(region, message);
        found.add(
            new Lost(
                region,
                "the Redis of region "
                    + region
                    + " answers without the directory of moved keys and buckets (it came back"
                    + " empty or was flushed): its front-door would route moved keys to their old"
                    + " home. Its lease is no longer renewed, so its front-door refuses its home"
                    + " writes once the lease runs out, and it does not fail back, until the"
                    + " directory is copied back from "
                    + String.join(", ", sources)));
      }
      Instant last = tried.get(region);
      if (copies.containsKey(region) || (last != null && now.isBefore(last.plus(RETRY)))) {
        continue;
      }
      Map<String, RegionLink> from = new LinkedHashMap<>();
      sources.forEach(source -> from.put(source, links.get(source)));
      RegionLink target = links.get(region);
      tried.put(region, now);
      copies.put(
          region,
          CompletableFuture.supplyAsync(() -> copy(region, target, from), io)
              .exceptionally(e -> new Copy("the copy failed: " + e, 0, 0, List.of())));
    }
    return new Check(Map.copyOf(lost), found, restored, marked);
  }

  private Copy copy(String region, RegionLink target, Map<String, RegionLink> sources) {
    String moving;
    try {
      moving = RegionLifecycle.moving(client);
    } catch (RuntimeException e) {
      return problem("HomeAssignments cannot be listed: " + e.getMessage());
    }
    if (moving != null) {
      return problem(waitingFor(region, moving));
    }
    ControlData.Snapshot snapshot = ControlData.read(sources, true, IO_TIMEOUT);
    if (snapshot.answered().isEmpty()) {
      return problem(
          "no other region's Redis answers, so the directory cannot be copied from them: "
              + snapshot.failed());
    }
    String marker;
    ControlData.Copied copied;
    try {
      marker = beginCopy(target, IO_TIMEOUT);
      copied = ControlData.copySettled(target, snapshot, IO_TIMEOUT);
    } catch (IllegalStateException e) {
      return problem("the directory could not be copied into its Redis: " + e.getMessage());
    }
    // A move that began during the copy may have deleted an entry the copy then wrote back.
    try {
      moving = RegionLifecycle.moving(client);
    } catch (RuntimeException e) {
      return problem("HomeAssignments cannot be listed: " + e.getMessage());
    }
    if (moving != null) {
      return problem(waitingFor(region, moving));
    }
    try {
      completeCopy(target, marker, IO_TIMEOUT);
    } catch (IllegalStateException e) {
      return problem("its Redis " + e.getMessage());
    }
    return new Copy(null, copied.keys(), copied.buckets(), snapshot.answered());
  }

  /**
   * Marks {@code link}'s Redis as having the directory copied into it; returns the marker to hand
   * to {@link #completeCopy}.
   *
   * @throws IllegalStateException when Redis cannot be written in time
   */
  static String beginCopy(RegionLink link, Duration timeout) {
    String current = await(link.directoryMarker().toCompletableFuture(), timeout);
    String restoring = RESTORING + UUID.randomUUID();
    if (!await(link.replaceDirectoryMarker(current, restoring).toCompletableFuture(), timeout)) {
      throw new IllegalStateException("its directory marker changed while it was being set");
    }
    return restoring;
  }

  /**
   * Marks {@code link}'s Redis as holding the directory, if it still holds {@code restoring}.
   *
   * @throws IllegalStateException when it does not (it lost its data during the copy) or cannot be
   *     written in time
   */
  static void completeCopy(RegionLink link, String restoring, Duration timeout) {
    String done = HELD + restoring.substring(RESTORING.length());
    if (!await(link.replaceDirectoryMarker(restoring, done).toCompletableFuture(), timeout)) {
      throw new IllegalStateException(
          "lost its data again while the directory was copied into it; the copy is done again");
    }
  }

  private static Copy problem(String problem) {
    return new Copy(problem, 0, 0, List.of());
  }

  private static String withheld(String region, String why) {
    return "the Redis of "
        + region
        + " lost the directory of moved keys and buckets; its lease is withheld until it holds"
        + " them again: "
        + why;
  }

  private static String waitingFor(String region, String moving) {
    return "waiting for HomeAssignment "
        + moving
        + " to finish: it may have fenced keys in the Redis of "
        + region
        + " before that Redis lost them, and a copy made mid-move would leave them unfenced";
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("no answer within the time allowed");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
