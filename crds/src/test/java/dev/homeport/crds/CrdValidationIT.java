package dev.homeport.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CRDs as a real API server enforces them: examples accepted, bad input refused by field. */
@ExtendWith(KubeApiServerExtension.class)
class CrdValidationIT {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path CRDS = ProjectPaths.root().resolve("crds");

  private static TestKubeApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void installCrds(TestKubeApiServer apiServer) {
    server = apiServer;
    client = apiServer.client();
    expectSuccess(server.kubectl("apply", "-f", CRDS.toString()));
    expectSuccess(
        server.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev",
            "crd/homeassignments.homeport.dev"));
  }

  @Test
  void crdsAndExamplesPassServerSideDryRun() {
    CommandResult result =
        server.kubectl(
            "apply",
            "--dry-run=server",
            "-f",
            CRDS.toString(),
            "-f",
            CRDS.resolve("examples").toString());
    expectSuccess(result);
    assertThat(result.stdout())
        .contains("regiontopology.homeport.dev/global")
        .contains("homeassignment.homeport.dev/acme-to-frankfurt")
        .contains("homeassignment.homeport.dev/rebalance-mumbai-slice")
        .contains("(server dry run)");
  }

  @Test
  void examplesAreStoredWithDefaultsAndShownWithPrinterColumns() {
    expectSuccess(server.kubectl("apply", "-f", CRDS.resolve("examples").toString()));
    try {
      RegionTopology global = client.resources(RegionTopology.class).withName("global").get();
      assertThat(global.getSpec().getRegions()).hasSize(3);
      assertThat(global.getSpec().getRegions().get(0).getRedis().getMode().name())
          .as("defaulted by the schema")
          .isEqualTo("Standalone");
      assertThat(global.getSpec().getDrillPolicy().getPhaseTimeout())
          .as("defaulted by the schema")
          .isEqualTo("2m");
      assertThat(global.getSpec().getDrillPolicy().getSynthetic().getMethod().name())
          .as("defaulted by the schema")
          .isEqualTo("GET");
      assertThat(global.getSpec().getDrillPolicy().getAbortIf().getErrorRate()).isEqualTo("0.05");
      HomeAssignment buckets =
          client
              .resources(HomeAssignment.class)
              .inNamespace("default")
              .withName("rebalance-mumbai-slice")
              .get();
      assertThat(buckets.getSpec().getMaxWriteUnavailability()).isEqualTo("2s");

      RegionTopologyStatus status = new RegionTopologyStatus();
      status.setRoutingEpoch(42L);
      status.setSummary("mumbai:Active frankfurt:Active singapore:Active");
      status.setRegions(List.of(new RegionStatus("mumbai", RegionPhase.Active)));
      global.setStatus(status);
      client.resource(global).updateStatus();

      CommandResult topologies = server.kubectl("get", "regiontopologies");
      expectSuccess(topologies);
      assertThat(topologies.stdout().lines().findFirst().orElseThrow())
          .contains("NAME", "REGIONS", "EPOCH", "READY");
      assertThat(topologies.stdout()).contains("global", "mumbai:Active", "42");

      CommandResult shortName = server.kubectl("get", "rtopo", "global");
      expectSuccess(shortName);

      CommandResult assignments = server.kubectl("get", "homeassignments");
      expectSuccess(assignments);
      assertThat(assignments.stdout().lines().findFirst().orElseThrow())
          .contains("NAME", "TO", "PHASE", "MOVED", "TOTAL");
      assertThat(assignments.stdout()).contains("acme-to-frankfurt", "frankfurt");
    } finally {
      expectSuccess(
          server.kubectl("delete", "--wait=true", "-f", CRDS.resolve("examples").toString()));
    }
  }

  record Invalid(String name, String kind, List<Edit> edits, String field, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A change to a valid example: set (or, with a null value, remove) the node at a pointer. */
  record Edit(String pointer, Object value) {}

  static Edit set(String pointer, Object value) {
    return new Edit(pointer, value);
  }

  static Edit remove(String pointer) {
    return new Edit(pointer, null);
  }

  static Stream<Invalid> invalidResources() {
    String rt = "regiontopology-global.yaml";
    String ha = "homeassignment-tenant.yaml";
    String hb = "homeassignment-buckets.yaml";
    return Stream.of(
        new Invalid(
            "duplicate region name",
            rt,
            List.of(
                set("/spec/regions/1/name", "mumbai"),
                set("/spec/regions/1/failoverPeers", List.of())),
            "spec.regions",
            "region names must be unique"),
        new Invalid(
            "region lists itself as failover peer",
            rt,
            List.of(set("/spec/regions/0/failoverPeers", List.of("mumbai"))),
            "spec.regions[0].failoverPeers",
            "region mumbai lists itself in failoverPeers"),
        new Invalid(
            "unknown failover peer",
            rt,
            List.of(set("/spec/regions/0/failoverPeers", List.of("tokyo"))),
            "spec.regions",
            "every failoverPeers entry must name a region in spec.regions"),
        new Invalid(
            "failover peer listed twice",
            rt,
            List.of(set("/spec/regions/2/failoverPeers", List.of("mumbai", "mumbai"))),
            "spec.regions[2].failoverPeers",
            "lists a peer more than once"),
        new Invalid(
            "failover peer whose residency does not accept the keys",
            rt,
            List.of(set("/spec/regions/0/failoverPeers", List.of("frankfurt"))),
            "spec.regions",
            "names a peer whose residency does not accept the region's keys"),
        new Invalid(
            "region name not a DNS label",
            rt,
            List.of(set("/spec/regions/0/name", "Mumbai_1")),
            "spec.regions[0].name",
            "should match"),
        new Invalid(
            "no regions",
            rt,
            List.of(set("/spec/regions", List.of())),
            "spec.regions",
            "should have at least 1 items"),
        new Invalid(
            "front-door missing",
            rt,
            List.of(remove("/spec/regions/1/frontDoor")),
            "spec.regions[1].frontDoor",
            "Required value"),
        new Invalid(
            "front-door URL not http",
            rt,
            List.of(set("/spec/regions/0/frontDoor/url", "ftp://127.0.0.1:21")),
            "spec.regions[0].frontDoor.url",
            "should match"),
        new Invalid(
            "both redis url and secretRef",
            rt,
            List.of(
                set(
                    "/spec/regions/0/redis/secretRef",
                    Map.of("name", "redis-mumbai", "namespace", "homeport"))),
            "spec.regions[0].redis",
            "set exactly one of redis.url or redis.secretRef"),
        new Invalid(
            "redis URL with a foreign scheme",
            rt,
            List.of(set("/spec/regions/0/redis/url", "http://127.0.0.1:6379")),
            "spec.regions[0].redis.url",
            "should match"),
        new Invalid(
            "negative capacity weight",
            rt,
            List.of(set("/spec/regions/0/capacityWeight", -1)),
            "spec.regions[0].capacityWeight",
            "should be greater than or equal to 0"),
        new Invalid(
            "unknown failover mode",
            rt,
            List.of(set("/spec/failover/mode", "Sometimes")),
            "spec.failover.mode",
            "Unsupported value: \"Sometimes\""),
        new Invalid(
            "unknown region state",
            rt,
            List.of(set("/spec/regions/0/state", "Paused")),
            "spec.regions[0].state",
            "Unsupported value: \"Paused\""),
        new Invalid(
            "negative lease duration",
            rt,
            List.of(set("/spec/failover/leaseDuration", "-2s")),
            "spec.failover.leaseDuration",
            "should match"),
        new Invalid(
            "lease not longer than probe interval",
            rt,
            List.of(
                set("/spec/failover/leaseDuration", "1s"),
                set("/spec/failover/probeInterval", "2s")),
            "spec.failover.leaseDuration",
            "failover.leaseDuration (1s) must be longer than failover.probeInterval (2s)"),
        new Invalid(
            "failure threshold zero",
            rt,
            List.of(set("/spec/failover/failureThreshold", 0)),
            "spec.failover.failureThreshold",
            "should be greater than or equal to 1"),
        new Invalid(
            "more active regions required than exist",
            rt,
            List.of(set("/spec/failover/minActiveRegions", 4)),
            "spec.failover.minActiveRegions",
            "failover.minActiveRegions exceeds the number of regions"),
        new Invalid(
            "drill in an unknown region",
            rt,
            List.of(set("/spec/drill", Map.of("id", "Q4-2026", "region", "tokyo"))),
            "spec.drill.region",
            "drill.region tokyo is not a region of spec.regions"),
        new Invalid(
            "blocked window in both forms",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(
                        Map.of(
                            "start", "2026-12-20T00:00:00Z",
                            "end", "2027-01-04T00:00:00Z",
                            "days", List.of("Mon"))))),
            "spec.drillPolicy.blockedWindows[0]",
            "a blocked window is either once (start and end) or weekly"),
        new Invalid(
            "weekly blocked window without days",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(Map.of("from", "09:00", "to", "17:00")))),
            "spec.drillPolicy.blockedWindows[0]",
            "a blocked window is either once (start and end) or weekly"),
        new Invalid(
            "blocked window of no length",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(Map.of("days", List.of("Sat"), "from", "09:00", "to", "09:00")))),
            "spec.drillPolicy.blockedWindows[0].to",
            "blocked window from and to are equal"),
        new Invalid(
            "blocked window at an hour that does not exist",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(Map.of("days", List.of("Sat"), "from", "25:00", "to", "06:00")))),
            "spec.drillPolicy.blockedWindows[0].from",
            "should match"),
        new Invalid(
            "blocked window on an unknown day",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(Map.of("days", List.of("Funday"), "from", "09:00", "to", "17:00")))),
            "spec.drillPolicy.blockedWindows[0].days[0]",
            "Unsupported value: \"Funday\""),
        new Invalid(
            "blocked window start that is not RFC 3339",
            rt,
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(Map.of("start", "20 Dec 2026", "end", "2027-01-04T00:00:00Z")))),
            "spec.drillPolicy.blockedWindows[0].start",
            "should match"),
        new Invalid(
            "abort error rate as a percentage",
            rt,
            List.of(set("/spec/drillPolicy/abortIf/errorRate", "5%")),
            "spec.drillPolicy.abortIf.errorRate",
            "should match"),
        new Invalid(
            "abort latency that is not a duration",
            rt,
            List.of(set("/spec/drillPolicy/abortIf/p99Latency", "fast")),
            "spec.drillPolicy.abortIf.p99Latency",
            "should match"),
        new Invalid(
            "no synthetic keys",
            rt,
            List.of(set("/spec/drillPolicy/synthetic/keys", 0)),
            "spec.drillPolicy.synthetic.keys",
            "should be greater than or equal to 1"),
        new Invalid(
            "synthetic requests that delete",
            rt,
            List.of(set("/spec/drillPolicy/synthetic/method", "DELETE")),
            "spec.drillPolicy.synthetic.method",
            "Unsupported value: \"DELETE\""),
        new Invalid(
            "synthetic path that is not a path",
            rt,
            List.of(set("/spec/drillPolicy/synthetic/path", "orders")),
            "spec.drillPolicy.synthetic.path",
            "should match"),
        new Invalid(
            "drill hold that is not a duration",
            rt,
            List.of(
                set(
                    "/spec/drill",
                    Map.of("id", "Q4-2026", "region", "mumbai", "holdFor", "ten minutes"))),
            "spec.drill.holdFor",
            "should match"),
        new Invalid(
            "explicit placement without ranges",
            rt,
            List.of(set("/spec/placement/rule", "Explicit")),
            "spec.placement.ranges",
            "placement.rule Explicit needs placement.ranges"),
        new Invalid(
            "placement range that ends before it starts",
            rt,
            List.of(
                set("/spec/placement/rule", "Explicit"),
                set(
                    "/spec/placement/ranges",
                    List.of(Map.of("buckets", "512-0", "region", "mumbai")))),
            "spec.placement.ranges[0].buckets",
            "bucket range 512-0 ends before it starts"),
        new Invalid(
            "placement range naming a region not in spec.regions",
            rt,
            List.of(
                set("/spec/placement/rule", "Explicit"),
                set(
                    "/spec/placement/ranges",
                    List.of(
                        Map.of("buckets", "0-2047", "region", "mumbai"),
                        Map.of("buckets", "2048-4095", "region", "tokyo")))),
            "spec.placement.ranges",
            "placement.ranges names a region that is not in spec.regions"),
        new Invalid(
            "both keys and buckets",
            ha,
            List.of(set("/spec/subject/buckets", List.of("0-511"))),
            "spec.subject",
            "set exactly one of subject.keys"),
        new Invalid(
            "neither keys nor buckets",
            ha,
            List.of(remove("/spec/subject/keys")),
            "spec.subject",
            "set exactly one of subject.keys"),
        new Invalid(
            "malformed bucket range",
            hb,
            List.of(set("/spec/subject/buckets", List.of("0-"))),
            "spec.subject.buckets[0]",
            "should match"),
        new Invalid(
            "bucket range that ends before it starts",
            hb,
            List.of(set("/spec/subject/buckets", List.of("511-0"))),
            "spec.subject.buckets",
            "subject.buckets range 511-0 ends before it starts"),
        new Invalid(
            "routing key with a space",
            ha,
            List.of(set("/spec/subject/keys", List.of("tenant acme"))),
            "spec.subject.keys[0]",
            "should match"),
        new Invalid(
            "target region missing",
            ha,
            List.of(remove("/spec/toRegion")),
            "spec.toRegion",
            "Required value"),
        new Invalid(
            "target region not a DNS label",
            ha,
            List.of(set("/spec/toRegion", "Frankfurt")),
            "spec.toRegion",
            "should match"),
        new Invalid(
            "zero rate",
            hb,
            List.of(set("/spec/rate", 0)),
            "spec.rate",
            "should be greater than or equal to 1"),
        new Invalid(
            "negative write unavailability",
            ha,
            List.of(set("/spec/maxWriteUnavailability", "-1s")),
            "spec.maxWriteUnavailability",
            "should match"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidResources")
  void invalidResourceIsRejectedNamingTheField(Invalid invalid) throws IOException {
    GenericKubernetesResource resource = edited(invalid.kind(), invalid.edits());
    resource.getMetadata().setName("invalid-" + Math.abs(invalid.name().hashCode()));

    assertThatThrownBy(() -> client.resource(resource).dryRun().create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(
            e -> {
              KubernetesClientException error = (KubernetesClientException) e;
              assertThat(error.getCode()).isEqualTo(422);
              assertThat(error.getStatus().getMessage())
                  .contains(invalid.field() + ": ")
                  .contains(invalid.message());
            });
  }

  @Test
  void bothFormsOfBlockedWindowAndADrillAreAccepted() throws IOException {
    GenericKubernetesResource topology =
        edited(
            "regiontopology-global.yaml",
            List.of(
                set(
                    "/spec/drillPolicy/blockedWindows",
                    List.of(
                        Map.of(
                            "start", "2026-12-20T00:00:00Z",
                            "end", "2027-01-04T00:00:00+01:00",
                            "reason", "year-end freeze"),
                        Map.of(
                            "days", List.of("Fri"),
                            "from", "22:00",
                            "to", "06:00",
                            "timeZone", "Europe/Berlin",
                            "reason", "weekend batch jobs"))),
                set("/spec/drill", Map.of("id", "Q4-2026", "region", "mumbai", "holdFor", "10m"))));
    topology.getMetadata().setName("drill-policy-accepted");
    client.resource(topology).dryRun().create();
  }

  @Test
  void placementCannotChangeOnceCreated() throws IOException {
    GenericKubernetesResource topology = edited("regiontopology-global.yaml", List.of());
    topology.getMetadata().setName("placement-immutable");
    client.resource(topology).create();
    try {
      GenericKubernetesResource moved =
          edited("regiontopology-global.yaml", List.of(set("/spec/placement/buckets", 8192)));
      moved.getMetadata().setName("placement-immutable");
      assertThatThrownBy(() -> client.resource(moved).update())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("spec.placement: ")
          .hasMessageContaining("placement is immutable");
    } finally {
      client.resource(topology).delete();
    }
  }

  @Test
  void aRegionNamedByExplicitRangesMayLeaveSpecRegionsOnceCreated() throws IOException {
    List<Edit> explicit =
        List.of(
            set("/spec/placement/rule", "Explicit"),
            set(
                "/spec/placement/ranges",
                List.of(
                    Map.of("buckets", "0-2047", "region", "mumbai"),
                    Map.of("buckets", "2048-4095", "region", "frankfurt"))));
    GenericKubernetesResource topology = edited("regiontopology-global.yaml", explicit);
    topology.getMetadata().setName("explicit-leaves");
    client.resource(topology).create();
    try {
      // The ranges only seed status.bucketLayout; whether frankfurt may go is the operator's call.
      List<Edit> withoutFrankfurt = new ArrayList<>(explicit);
      withoutFrankfurt.add(remove("/spec/regions/1"));
      withoutFrankfurt.add(set("/spec/regions/1/failoverPeers", List.of("mumbai")));
      GenericKubernetesResource smaller = edited("regiontopology-global.yaml", withoutFrankfurt);
      smaller.getMetadata().setName("explicit-leaves");

      GenericKubernetesResource updated = client.resource(smaller).update();

      assertThat(updated.get("spec", "regions").toString()).doesNotContain("frankfurt");
    } finally {
      client.resource(topology).delete();
    }
  }

  @Test
  void homeAssignmentSpecCannotChangeOnceCreated() throws IOException {
    GenericKubernetesResource move = edited("homeassignment-tenant.yaml", List.of());
    move.getMetadata().setName("immutable-move");
    move.getMetadata().setNamespace("default");
    client.resource(move).create();
    try {
      GenericKubernetesResource retargeted =
          edited("homeassignment-tenant.yaml", List.of(set("/spec/toRegion", "singapore")));
      retargeted.getMetadata().setName("immutable-move");
      retargeted.getMetadata().setNamespace("default");
      assertThatThrownBy(() -> client.resource(retargeted).update())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("spec: ")
          .hasMessageContaining("spec is immutable");
    } finally {
      client.resource(move).delete();
    }
  }

  @Test
  void statusIsWrittenOnlyThroughTheStatusSubresource() throws IOException {
    HomeAssignment move =
        YAML.readValue(
            CRDS.resolve("examples/homeassignment-tenant.yaml").toFile(), HomeAssignment.class);
    move.getMetadata().setName("status-subresource");
    move.getMetadata().setNamespace("default");
    HomeAssignmentStatus forged = new HomeAssignmentStatus();
    forged.setPhase(HomeAssignmentPhase.Completed);
    move.setStatus(forged);

    HomeAssignment created = client.resource(move).create();
    try {
      assertThat(created.getStatus()).as("status ignored on create").isNull();

      created.setStatus(forged);
      HomeAssignment updated = client.resource(created).update();
      assertThat(updated.getStatus()).as("status ignored on a main-resource update").isNull();

      HomeAssignmentStatus real = new HomeAssignmentStatus();
      real.setPhase(HomeAssignmentPhase.Validating);
      updated.setStatus(real);
      HomeAssignment withStatus = client.resource(updated).updateStatus();
      assertThat(withStatus.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Validating);
      assertThat(withStatus.getSpec().getToRegion()).isEqualTo("frankfurt");

      HomeAssignment stored =
          client
              .resources(HomeAssignment.class)
              .inNamespace("default")
              .withName("status-subresource")
              .get();
      assertThat(stored.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Validating);
    } finally {
      client.resource(move).delete();
    }
  }

  private static GenericKubernetesResource edited(String example, List<Edit> edits)
      throws IOException {
    ObjectNode tree =
        (ObjectNode) YAML.readTree(CRDS.resolve("examples").resolve(example).toFile());
    for (Edit edit : edits) {
      int cut = edit.pointer().lastIndexOf('/');
      JsonNode parent = tree.at(edit.pointer().substring(0, cut));
      String field = edit.pointer().substring(cut + 1);
      if (parent instanceof ArrayNode array && edit.value() == null) {
        array.remove(Integer.parseInt(field));
        continue;
      }
      if (!(parent instanceof ObjectNode)) {
        throw new IllegalArgumentException("No object at " + edit.pointer().substring(0, cut));
      }
      if (edit.value() == null) {
        ((ObjectNode) parent).remove(field);
      } else {
        ((ObjectNode) parent).set(field, YAML.valueToTree(edit.value()));
      }
    }
    return YAML.treeToValue(tree, GenericKubernetesResource.class);
  }

  private static void expectSuccess(CommandResult result) {
    assertThat(result.succeeded()).as("%s", result).isTrue();
  }
}
