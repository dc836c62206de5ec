package dev.homeport.cli.format;

import dev.homeport.cli.kube.DrillView;
import java.time.Duration;
import java.time.Instant;

/** A drill record as a Markdown section, for runbooks, tickets and audit trails. */
public final class DrillReport {

  private DrillReport() {}

  /** A titled section with one table row per field; absent fields print as {@code -}. */
  public static String markdown(DrillView drill) {
    StringBuilder md = new StringBuilder();
    md.append("## Failover drill ").append(cell(drill.id())).append("\n\n");
    md.append("| | |\n| --- | --- |\n");
    row(md, "Region", drill.region());
    row(md, "Peer", drill.peer());
    row(md, "Result", drill.state());
    row(md, "Started", drill.startedAt());
    row(md, "Finished", drill.finishedAt());
    row(md, "Hold", drill.holdFor());
    row(md, "Duration", took(drill));
    row(md, "RTO", drill.rto());
    row(md, "RPO proxy", drill.rpo());
    row(md, "Replication lag at the cut", drill.replicationLag());
    row(md, "Errors", drill.errors());
    row(md, "Synthetic requests", drill.syntheticRequests());
    row(md, "p99 latency", drill.p99Latency());
    row(md, "Routing epochs", drill.epochs());
    row(md, "Reason", drill.reason());
    return md.toString();
  }

  /** From start to finish, when both are known. */
  static String took(DrillView drill) {
    Instant started = Durations.instant(drill.startedAt());
    Instant finished = Durations.instant(drill.finishedAt());
    if (started == null || finished == null || finished.isBefore(started)) {
      return null;
    }
    return Durations.human(Duration.between(started, finished));
  }

  private static void row(StringBuilder md, String field, Object value) {
    md.append("| ").append(field).append(" | ").append(cell(value)).append(" |\n");
  }

  /** A table cell: one line, pipes escaped, {@code -} when empty. */
  static String cell(Object value) {
    if (value == null || String.valueOf(value).isBlank()) {
      return "-";
    }
    return String.valueOf(value).replaceAll("\\s+", " ").trim().replace("|", "\\|");
  }
}
