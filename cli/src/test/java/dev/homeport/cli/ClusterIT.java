package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.cli.kube.Cluster;
import dev.homeport.cli.kube.Topology;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Read-modify-patch of the topology against concurrent writers, on a real API server. */
@ExtendWith(KubeApiServerExtension.class)
class ClusterIT {

  private static TestKubeApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void installCrds(TestKubeApiServer apiServer) {
    new PluginFixture(apiServer); // installs the CRDs
    server = apiServer;
    client = apiServer.client();
  }

  private static String topology(String name) {
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    apiVersion: homeport.dev/v1alpha1
                    kind: RegionTopology
                    metadata: {name: %s}
                    spec:
                      regions:
                        - name: mumbai
                          residency: in
                          frontDoor: {url: "http://127.0.0.1:1", adminUrl: "http://127.0.0.1:2"}
                          redis: {url: "redis://127.0.0.1:3"}
                    """
                        .formatted(name),
                    GenericKubernetesResource.class))
        .create();
    return name;
  }

  /** Another client annotating the topology, without looking at its resourceVersion. */
  private static void otherWriter(String topology, String key) {
    client
        .genericKubernetesResources("homeport.dev/v1alpha1", "RegionTopology")
        .withName(topology)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"x\"}}}");
  }

  @Test
  void aWriteBetweenReadAndPatchIsAConflictThatIsRetriedOnAFreshRead() {
    String name = topology("conflict-once");
    AtomicInteger reads = new AtomicInteger();
    try (Cluster cluster = Cluster.connect(server.kubeconfig(), null, null, name)) {
      Topology patched =
          cluster.patchTopology(
              current -> {
                if (reads.incrementAndGet() == 1) {
                  otherWriter(name, "example.com/other");
                }
                return Map.of("metadata", Map.of("annotations", Map.of("example.com/mine", "y")));
              });

      assertThat(reads).hasValue(2);
      assertThat(patched.raw().getMetadata().getAnnotations())
          .containsEntry("example.com/other", "x")
          .containsEntry("example.com/mine", "y");
    }
  }

  @Test
  void aTopologyThatKeepsChangingIsGivenUpOnWithExitOne() {
    String name = topology("conflict-always");
    AtomicInteger reads = new AtomicInteger();
    try (Cluster cluster = Cluster.connect(server.kubeconfig(), null, null, name)) {
      assertThatThrownBy(
              () ->
                  cluster.patchTopology(
                      current -> {
                        otherWriter(name, "example.com/other-" + reads.incrementAndGet());
                        return Map.of(
                            "metadata", Map.of("annotations", Map.of("example.com/mine", "y")));
                      }))
          .isInstanceOfSatisfying(
              CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
          .hasMessageContaining(
              "RegionTopology conflict-always changed during each of 5 attempts to update it");
      assertThat(reads).hasValue(5);
    }
  }
}
