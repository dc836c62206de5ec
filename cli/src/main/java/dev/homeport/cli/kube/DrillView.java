package dev.homeport.cli.kube;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code status.drills[]}, read from the object's JSON rather than through the typed
 * {@code DrillRecord}: a plugin older than the operator still shows (and {@code drill report
 * --format json} still prints) every field the operator wrote, and a missing field is simply
 * absent.
 */
public final class DrillView {

  /** The drill is still going on. */
  public static final String RUNNING = "Running";

  private final Map<String, Object> fields;

  public DrillView(Map<String, Object> fields) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** The record exactly as stored. */
  public Map<String, Object> fields() {
    return fields;
  }

  public String id() {
    return text("id");
  }

  public String region() {
    return text("region");
  }

  public String peer() {
    return text("peer");
  }

  /** Running, Succeeded, Aborted, Refused or Failed. */
  public String result() {
    return text("result");
  }

  /** The step a running drill is in: PreChecks, Fencing, CatchingUp, Verifying, Holding … */
  public String phase() {
    return text("phase");
  }

  /**
   * While Running: the result it will end with once stopped early (Aborted or Failed) and failing
   * back.
   */
  public String pendingResult() {
    return text("pendingResult");
  }

  /** How long the peer serves the region's keys, from spec.drill.holdFor. */
  public String holdFor() {
    return text("holdFor");
  }

  public String startedAt() {
    return text("startedAt");
  }

  public String finishedAt() {
    return text("finishedAt");
  }

  public String holdUntil() {
    return text("holdUntil");
  }

  public String rto() {
    return text("rto");
  }

  /** The RPO proxy: replication lag measured at the cut-over. */
  public String rpo() {
    return text("rpo");
  }

  /**
   * The region's writes the peer had not applied at the cut: a count ({@code 12 writes}), or a
   * duration when an operator reports it as one.
   */
  public String replicationLag() {
    Object value = fields.get("replicationLag");
    return value instanceof Number ? value + " writes" : text("replicationLag");
  }

  /** p99 latency of the synthetic requests. */
  public String p99Latency() {
    return text("p99Latency");
  }

  public Long errors() {
    return number("errors");
  }

  public Long syntheticRequests() {
    return number("syntheticRequests");
  }

  /** The routing epochs the drill went through, e.g. {@code 41→42→44}. */
  public String epochs() {
    return text("epochs");
  }

  public String reason() {
    return text("reason");
  }

  public boolean running() {
    return RUNNING.equals(result());
  }

  /**
   * The result, with the phase while it runs: {@code Running (Holding)}, {@code Running
   * (FailingBack, ending Aborted)}.
   */
  public String state() {
    String result = result() == null ? "Unknown" : result();
    if (!running() || (phase() == null && pendingResult() == null)) {
      return result;
    }
    StringBuilder state = new StringBuilder(result).append(" (");
    if (phase() != null) {
      state.append(phase());
    }
    if (pendingResult() != null) {
      state.append(phase() != null ? ", " : "").append("ending ").append(pendingResult());
    }
    return state.append(')').toString();
  }

  private String text(String field) {
    Object value = fields.get(field);
    return value == null ? null : String.valueOf(value);
  }

  private Long number(String field) {
    Object value = fields.get(field);
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String string) {
      try {
        return Long.parseLong(string);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
