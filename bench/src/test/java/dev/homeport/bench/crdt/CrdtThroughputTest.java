package dev.homeport.bench.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.bench.controlplane.TablePublication;
import org.junit.jupiter.api.Test;

class CrdtThroughputTest {

  @Test
  void readsRedisBenchmarksQuietRate() {
    // redis-benchmark -q rewrites its progress line with carriage returns before the final one.
    String output =
        "HINCRBY {homeport:counter:redis-benchmark} a:p 1: rps=71234.0 (overall: 70000.0)\r"
            + "HINCRBY {homeport:counter:redis-benchmark} a:p 1: 81234.56 requests per second,"
            + " p50=0.271 msec\n";
    assertThat(CrdtThroughput.redisBenchmarkRate(output)).isEqualTo(81_234.56);
    assertThatThrownBy(() -> CrdtThroughput.redisBenchmarkRate("Could not connect"))
        .hasMessageContaining("no rate");
  }

  @Test
  void readsTheJavaApiLine() {
    var fields =
        CrdtThroughput.fields(
            "starting\nhomeport-crdt-java increments=5000000 seconds=10.002 failed=0 hincrby=20000\n",
            JavaApiLoad.MARKER);
    assertThat(fields)
        .containsEntry("increments", "5000000")
        .containsEntry("seconds", "10.002")
        .containsEntry("hincrby", "20000");
    assertThat(JavaApiLoad.hincrbys("cmdstat_get:calls=3\r\ncmdstat_hincrby:calls=42,usec=1"))
        .isEqualTo(42);
  }

  @Test
  void sumsTheReplicationBytesOfEveryPeer() {
    String metrics =
        "# TYPE homeport_crdt_replication_bytes_total counter\n"
            + "homeport_crdt_replication_bytes_total{peer=\"frankfurt\"} 1234.0\n"
            + "homeport_crdt_replication_bytes_total{peer=\"singapore\"} 1.5E3\n"
            + "homeport_crdt_replication_shipments_total{outcome=\"ok\",peer=\"frankfurt\"} 7.0\n";
    assertThat(CrdtConvergence.sumOfBytes(metrics)).isEqualTo(2_734.0);
  }

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(TablePublication.Result.percentile(sorted, 50)).isEqualTo(5);
    assertThat(TablePublication.Result.percentile(sorted, 99)).isEqualTo(10);
    assertThat(TablePublication.Result.percentile(sorted, 0)).isEqualTo(1);
    assertThat(TablePublication.Result.percentile(new long[0], 50)).isEqualTo(-1);
  }
}
