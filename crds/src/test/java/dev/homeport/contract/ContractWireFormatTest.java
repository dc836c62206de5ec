package dev.homeport.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes the operator writes and the front-doors read. A failure here means the wire format
 * changed: both sides of every region must then be upgraded together, so change it only on purpose.
 */
class ContractWireFormatTest {

  private static final String TABLE_JSON =
      "{\"epoch\":7,\"buckets\":4096,"
          + "\"regions\":{"
          + "\"frankfurt\":{\"phase\":\"FailedOver\",\"servedBy\":\"singapore\","
          + "\"url\":\"http://127.0.0.1:18082\",\"residency\":\"eu\"},"
          + "\"mumbai\":{\"phase\":\"Active\",\"url\":\"http://127.0.0.1:18081\",\"residency\":\"in\"}},"
          + "\"bucketMap\":[{\"from\":0,\"to\":2047,\"region\":\"mumbai\"},"
          + "{\"from\":2048,\"to\":4095,\"region\":\"frankfurt\"}],"
          + "\"publishedAt\":\"2026-11-21T10:00:00Z\"}";

  private static RoutingTable table() {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    regions.put(
        "mumbai", new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:18081", "in"));
    regions.put(
        "frankfurt",
        new RegionRoute(RegionPhase.FailedOver, "singapore", "http://127.0.0.1:18082", "eu"));
    return new RoutingTable(
        7,
        4096,
        regions,
        List.of(
            new BucketAssignment(0, 2047, "mumbai"), new BucketAssignment(2048, 4095, "frankfurt")),
        "2026-11-21T10:00:00Z");
  }

  @Test
  void routingTableWireFormat() {
    assertThat(ContractJson.write(table())).isEqualTo(TABLE_JSON);
    assertThat(ContractJson.read(TABLE_JSON, RoutingTable.class)).isEqualTo(table());
  }

  @Test
  void directoryEntryWireFormat() {
    DirectoryEntry entry = DirectoryEntry.fenced("frankfurt", 12, "tenants/acme-to-frankfurt");
    String json =
        "{\"home\":\"frankfurt\",\"fenced\":true,\"epoch\":12,"
            + "\"movedBy\":\"tenants/acme-to-frankfurt\"}";
    assertThat(ContractJson.write(entry)).isEqualTo(json);
    assertThat(ContractJson.read(json, DirectoryEntry.class)).isEqualTo(entry);
    assertThat(ContractJson.write(DirectoryEntry.settled("mumbai", 13)))
        .isEqualTo("{\"home\":\"mumbai\",\"fenced\":false,\"epoch\":13}");
  }

  @Test
  void barrierWireFormat() {
    DirectoryBarrier barrier =
        DirectoryBarrier.forKeys("b-1", List.of("user-1", "user-2"), "2026-11-21T10:00:02Z");
    String json =
        "{\"id\":\"b-1\",\"keys\":[\"user-1\",\"user-2\"],"
            + "\"requestedAt\":\"2026-11-21T10:00:02Z\"}";
    assertThat(ContractJson.write(barrier)).isEqualTo(json);
    assertThat(ContractJson.read(json, DirectoryBarrier.class)).isEqualTo(barrier);
    DirectoryBarrier buckets =
        DirectoryBarrier.forBuckets("b-2", List.of(7, 8, 9), "2026-11-21T10:00:02Z");
    String bucketsJson =
        "{\"id\":\"b-2\",\"requestedAt\":\"2026-11-21T10:00:02Z\",\"buckets\":[7,8,9]}";
    assertThat(ContractJson.write(buckets)).isEqualTo(bucketsJson);
    DirectoryBarrier read = ContractJson.read(bucketsJson, DirectoryBarrier.class);
    assertThat(read.isForBuckets()).isTrue();
    assertThat(read.buckets()).containsExactly(7, 8, 9);
    assertThat(ContractJson.read(json, DirectoryBarrier.class).isForBuckets()).isFalse();
    BarrierAck ack = new BarrierAck("mumbai-7f3a", 2, 4);
    String ackJson = "{\"instance\":\"mumbai-7f3a\",\"keys\":2,\"waitedMillis\":4}";
    assertThat(ContractJson.write(ack)).isEqualTo(ackJson);
    assertThat(ContractJson.read(ackJson, BarrierAck.class)).isEqualTo(ack);
  }

  @Test
  void leaseWireFormat() {
    Lease lease = new Lease("mumbai", 41, 6000, "2026-11-21T10:00:02Z");
    String json =
        "{\"region\":\"mumbai\",\"renewal\":41,\"durationMillis\":6000,"
            + "\"renewedAt\":\"2026-11-21T10:00:02Z\"}";
    assertThat(ContractJson.write(lease)).isEqualTo(json);
    assertThat(ContractJson.read(json, Lease.class)).isEqualTo(lease);
  }

  @Test
  void redisKeyLayout() {
    assertThat(RedisKeys.ROUTING_TABLE).isEqualTo("{homeport}:routing:table");
    assertThat(RedisKeys.ROUTING_CHANNEL).isEqualTo("{homeport}:routing:published");
    assertThat(RedisKeys.DIRECTORY_CHANNEL).isEqualTo("{homeport}:directory:changed");
    assertThat(RedisKeys.directory("tenant-acme")).isEqualTo("{homeport}:directory:tenant-acme");
    assertThat(RedisKeys.lease("mumbai")).isEqualTo("{homeport}:lease:mumbai");
    assertThat(RedisKeys.FRONT_DOORS).isEqualTo("{homeport}:frontdoors");
    assertThat(RedisKeys.BARRIER_CHANNEL).isEqualTo("{homeport}:barrier:requested");
    assertThat(RedisKeys.barrier("b-1")).isEqualTo("{homeport}:barrier:b-1");
    assertThat(RedisKeys.barrierAcks("b-1")).isEqualTo("{homeport}:barrier:b-1:acks");
  }

  @Test
  void newerWritersFieldsAreIgnoredAndGarbageIsNamed() {
    String withExtra = "{\"home\":\"mumbai\",\"fenced\":false,\"epoch\":3,\"shard\":\"s-1\"}";
    assertThat(ContractJson.read(withExtra, DirectoryEntry.class))
        .isEqualTo(DirectoryEntry.settled("mumbai", 3));
    assertThatThrownBy(() -> ContractJson.read("{not json", RoutingTable.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Not a valid RoutingTable document");
  }
}
