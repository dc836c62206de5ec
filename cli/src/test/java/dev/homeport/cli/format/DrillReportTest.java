package dev.homeport.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.cli.kube.DrillView;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillReportTest {

  @Test
  void aFinishedDrillIsATitledTableOfEveryField() {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("id", "Q4-2026");
    record.put("region", "frankfurt");
    record.put("peer", "singapore");
    record.put("result", "Succeeded");
    record.put("phase", "VerifyingBack");
    record.put("startedAt", "2026-10-01T09:00:00Z");
    record.put("finishedAt", "2026-10-01T09:10:41Z");
    record.put("holdFor", "10m");
    record.put("rto", "2.4s");
    record.put("rpo", "120ms");
    record.put("replicationLag", 12);
    record.put("errors", 0);
    record.put("syntheticRequests", 1200);
    record.put("p99Latency", "35ms");
    record.put("epochs", "41→42→44");

    assertThat(DrillReport.markdown(new DrillView(record)))
        .isEqualTo(
            """
            ## Failover drill Q4-2026

            | | |
            | --- | --- |
            | Region | frankfurt |
            | Peer | singapore |
            | Result | Succeeded |
            | Started | 2026-10-01T09:00:00Z |
            | Finished | 2026-10-01T09:10:41Z |
            | Hold | 10m |
            | Duration | 10m41s |
            | RTO | 2.4s |
            | RPO proxy | 120ms |
            | Replication lag at the cut | 12 writes |
            | Errors | 0 |
            | Synthetic requests | 1200 |
            | p99 latency | 35ms |
            | Routing epochs | 41→42→44 |
            | Reason | - |
            """);
  }

  @Test
  void missingFieldsAreDashesAndPipesInTheReasonAreEscaped() {
    String md =
        DrillReport.markdown(
            new DrillView(
                Map.of(
                    "id",
                    "R1",
                    "result",
                    "Refused",
                    "reason",
                    "inside blocked window | freeze\nuntil Monday")));

    assertThat(md)
        .contains("| Result | Refused |")
        .contains("| Peer | - |")
        .contains("| Duration | - |")
        .contains("| Reason | inside blocked window \\| freeze until Monday |");
  }
}
