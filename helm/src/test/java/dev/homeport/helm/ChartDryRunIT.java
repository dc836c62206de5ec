package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code helm template} prints for each example region passes the real API server's validation
 * and admission ({@code kubectl apply --dry-run=server}), CRDs installed first.
 */
@ExtendWith(KubeApiServerExtension.class)
class ChartDryRunIT {

  @BeforeAll
  static void crds(TestKubeApiServer server) {
    TestCluster.installCrdsAndNamespace(server, Helm.NAMESPACE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt", "singapore"})
  void exampleRegionPassesServerSideDryRun(String region, TestKubeApiServer server)
      throws IOException {
    assertDryRunSucceeds(server, Helm.render(region));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt"})
  void optionalPartsPassServerSideDryRunToo(String region, TestKubeApiServer server)
      throws IOException {
    // Everything optional but the ServiceMonitor, whose CRD belongs to the Prometheus Operator.
    assertDryRunSucceeds(
        server,
        Helm.render(
            region,
            "bundledRedis.enabled=true",
            "frontDoor.redis.existingSecret=",
            "frontDoor.secretKeys.crdtApiToken=crdt",
            "operator.enabled=true"));
  }

  private static void assertDryRunSucceeds(TestKubeApiServer server, Rendered rendered)
      throws IOException {
    Path manifests = Files.createTempFile("homeport-chart-", ".yaml");
    try {
      Files.writeString(manifests, rendered.yaml());
      CommandResult apply =
          server.kubectl(
              "apply", "--dry-run=server", "-n", Helm.NAMESPACE, "-f", manifests.toString());

      assertThat(apply.succeeded()).as("%s", apply).isTrue();
      assertThat(apply.stdout().lines().filter(line -> line.endsWith("(server dry run)")))
          .as("%s", apply)
          .hasSize(rendered.objects().size());
    } finally {
      Files.deleteIfExists(manifests);
    }
  }
}
