package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/** Puts the chart's CRDs and a namespace into the shared test API server (idempotent). */
final class TestCluster {

  private TestCluster() {}

  static void installCrdsAndNamespace(TestKubeApiServer server, String namespace) {
    expectSuccess(server.kubectl("apply", "-f", Helm.chart().resolve("crds").toString()));
    expectSuccess(
        server.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev",
            "crd/homeassignments.homeport.dev"));
    server
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(NonDeletingOperation::update);
  }

  static CommandResult expectSuccess(CommandResult result) {
    assertThat(result.succeeded()).as("%s", result).isTrue();
    return result;
  }
}
