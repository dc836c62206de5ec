package dev.homeport.operator.drill;

import dev.homeport.contract.Durations;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.operator.failover.DrillState;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill reports in {@code status.drills[]}, and the running drill as the machine resumes it
 * from them. Pure.
 */
public final class DrillRecords {

  /** Records kept in {@code status.drills[]}, newest last. */
  public static final int KEEP = 20;

  private DrillRecords() {}

  /** The record of a running drill, or null. */
  public static DrillRecord running(List<DrillRecord> records, String id) {
    for (int i = records.size() - 1; i >= 0; i--) {
      DrillRecord record = records.get(i);
      if (id.equals(record.getId()) && record.getResult() == DrillResult.Running) {
        return record;
      }
    }
    return null;
  }

  /** Whether the drill {@code id} has a record of a drill that ended or was refused. */
  public static boolean finished(List<DrillRecord> records, String id) {
    return records.stream()
        .anyMatch(r -> id.equals(r.getId()) && r.getResult() != DrillResult.Running);
  }

  /**
   * The running drill to resume from the newest Running record; null when there is none or it
   * cannot be resumed (the caller ends it). A restarted operator cannot know when the fenced
   * region's lease was last written, so the wait for it restarts, and with it the catch-up.
   *
   * @param spec {@code spec.drill}, for holdFor when the record lacks it
   */
  public static DrillState resume(List<DrillRecord> records, DrillSpec spec, Instant now) {
    DrillRecord record = null;
    for (int i = records.size() - 1; i >= 0 && record == null; i--) {
      if (records.get(i).getResult() == DrillResult.Running) {
        record = records.get(i);
      }
    }
    if (!resumable(record)) {
      return null;
    }
    DrillPhase phase =
        record.getPhase() == DrillPhase.CatchingUp ? DrillPhase.Fencing : record.getPhase();
    Duration holdFor = Durations.parse(record.getHoldFor() == null ? "" : record.getHoldFor());
    if (holdFor == null) {
      holdFor =
          spec != null && record.getId().equals(spec.getId()) && spec.getHoldFor() != null
              ? Durations.parse(spec.getHoldFor())
              : null;
    }
    DrillResult pending = record.getPendingResult();
    return new DrillState(
        record.getId(),
        record.getRegion(),
        record.getPeer(),
        phase,
        pending == DrillResult.Aborted || pending == DrillResult.Failed
            ? pending
            : DrillResult.Running,
        record.getReason(),
        time(record.getStartedAt(), now),
        now,
        holdFor == null ? DrillSettings.DEFAULT_HOLD : holdFor,
        time(record.getHoldUntil(), null));
  }

  /** Whether a Running record holds what resuming its drill needs. */
  public static boolean resumable(DrillRecord record) {
    return record != null
        && record.getId() != null
        && record.getRegion() != null
        && record.getPeer() != null
        && record.getPhase() != null
        && record.getPhase() != DrillPhase.PreChecks
        && (record.getPhase() != DrillPhase.Holding || time(record.getHoldUntil(), null) != null);
  }

  /** A new record for a drill the machine started or refused. */
  public static DrillRecord of(DrillState drill) {
    DrillRecord record = new DrillRecord();
    record.setId(drill.id());
    record.setRegion(drill.region());
    record.setStartedAt(drill.startedAt().toString());
    record.setHoldFor(Durations.notation(drill.holdFor()));
    update(record, drill);
    return record;
  }

  /** Writes the machine's view of the drill into its record: Running, or Refused. */
  public static void update(DrillRecord record, DrillState drill) {
    record.setPeer(drill.peer());
    record.setPhase(drill.phase());
    record.setHoldUntil(drill.holdUntil() == null ? null : drill.holdUntil().toString());
    record.setReason(drill.reason());
    if (drill.result() == DrillResult.Refused) {
      record.setResult(DrillResult.Refused);
      record.setPendingResult(null);
      record.setFinishedAt(drill.startedAt().toString());
    } else {
      record.setResult(DrillResult.Running);
      record.setPendingResult(drill.stopping() ? drill.result() : null);
    }
  }

  /** Marks a record ended. */
  public static void end(DrillRecord record, DrillState ended, Instant now) {
    update(record, ended);
    record.setResult(ended.result());
    record.setPendingResult(null);
    record.setFinishedAt(now.toString());
  }

  /** The newest {@link #KEEP} records. */
  public static List<DrillRecord> bounded(List<DrillRecord> records) {
    return new ArrayList<>(records.subList(Math.max(0, records.size() - KEEP), records.size()));
  }

  /**
   * One line for an Event and for people: result, RTO, RPO, errors, reason.
   *
   * <p>e.g. {@code drill Q4-2026 on mumbai Succeeded: singapore served its keys after RTO 3.6s; RPO
   * 120ms (10 writes behind at the cut); held 10m and failed back; 0 of 1230 synthetic requests
   * failed, p99 35ms; epochs 41→42→43→44→45}
   */
  public static String summary(DrillRecord record) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                "drill %s on %s %s", record.getId(), record.getRegion(), record.getResult()));
    List<String> parts = new ArrayList<>();
    if (record.getResult() == DrillResult.Refused) {
      return line.append(": ").append(record.getReason()).toString();
    }
    if (record.getReason() != null) {
      parts.add(record.getReason());
    }
    boolean flipped =
        record.getPhase() != null
            && record.getPhase() != DrillPhase.PreChecks
            && record.getPhase() != DrillPhase.Fencing
            && record.getPhase() != DrillPhase.CatchingUp;
    if (record.getRto() != null) {
      parts.add(
          String.format(
              "%s served %s's keys after RTO %s",
              record.getPeer(), record.getRegion(), record.getRto()));
    } else if (!flipped) {
      parts.add(record.getRegion() + "'s keys never moved");
    } else {
      parts.add(record.getPeer() + " never served every synthetic request (no RTO)");
    }
    if (record.getRpo() != null) {
      parts.add(
          String.format(
              "RPO %s (%s writes behind at the cut)",
              record.getRpo(),
              record.getReplicationLag() == null ? "?" : record.getReplicationLag()));
    } else if (record.getReplicationLag() != null) {
      parts.add(
          String.format("%d writes behind at the cut, not caught up", record.getReplicationLag()));
    }
    if (record.getResult() == DrillResult.Succeeded && record.getHoldFor() != null) {
      parts.add("held " + record.getHoldFor() + ", failed back and verified");
    }
    if (record.getSyntheticRequests() != null && record.getSyntheticRequests() > 0) {
      parts.add(
          String.format(
              "%d of %d synthetic requests failed%s",
              record.getErrors() == null ? 0 : record.getErrors(),
              record.getSyntheticRequests(),
              record.getP99Latency() == null ? "" : ", p99 " + record.getP99Latency()));
    }
    if (record.getNotes() != null) {
      parts.addAll(record.getNotes());
    }
    if (record.getEpochs() != null) {
      parts.add("epochs " + record.getEpochs());
    }
    if (!parts.isEmpty()) {
      line.append(": ").append(String.join("; ", parts));
    }
    return line.toString();
  }

  private static Instant time(String text, Instant fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
