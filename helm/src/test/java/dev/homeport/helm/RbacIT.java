package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's RBAC from the chart, against the real API server (which authorizes with RBAC): its
 * ServiceAccount may do what the operator does — shown by running the real operator under it,
 * through impersonation — and is refused what it does not need.
 */
@ExtendWith(KubeApiServerExtension.class)
class RbacIT {

  private static final String NAMESPACE = Helm.NAMESPACE;
  private static final String SERVICE_ACCOUNT = "homeport-mumbai-operator";
  private static final String AS =
      "--as=system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
  private static final String TENANTS = "tenants";

  @BeforeAll
  static void applyTheChartsRbac(TestKubeApiServer server) {
    TestCluster.installCrdsAndNamespace(server, NAMESPACE);
    TestCluster.installCrdsAndNamespace(server, TENANTS);
    KubernetesClient admin = server.client();
    Rendered rendered = Helm.render("mumbai", "operator.secretNamespaces={" + NAMESPACE + "}");
    List<HasMetadata> rbac = new ArrayList<>();
    rbac.addAll(rendered.all(ServiceAccount.class));
    rbac.addAll(rendered.all(ClusterRole.class));
    rbac.addAll(rendered.all(ClusterRoleBinding.class));
    rbac.addAll(rendered.all(Role.class));
    rbac.addAll(rendered.all(RoleBinding.class));
    for (HasMetadata object : rbac) {
      if (object.getMetadata().getNamespace() == null
          && !(object instanceof ClusterRole)
          && !(object instanceof ClusterRoleBinding)) {
        object.getMetadata().setNamespace(NAMESPACE);
      }
      admin.resource(object).createOr(NonDeletingOperation::update);
    }
    for (String secret : List.of("homeport-redis-mumbai", "unrelated")) {
      admin
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(secret)
                  .withNamespace(NAMESPACE)
                  .endMetadata()
                  .withStringData(Map.of("url", "redis://127.0.0.1:1"))
                  .build())
          .createOr(NonDeletingOperation::update);
    }
  }

  @Test
  void operatorMayDoWhatItDoes(TestKubeApiServer server) {
    assertAllowed(server, "list", "regiontopologies.homeport.dev");
    assertAllowed(server, "watch", "regiontopologies.homeport.dev");
    assertAllowed(server, "patch", "regiontopologies.homeport.dev");
    assertAllowed(server, "patch", "regiontopologies.homeport.dev", "--subresource=status");
    assertAllowed(server, "update", "regiontopologies.homeport.dev", "--subresource=finalizers");
    assertAllowed(server, "list", "homeassignments.homeport.dev", "--all-namespaces");
    assertAllowed(server, "watch", "homeassignments.homeport.dev", "--all-namespaces");
    assertAllowed(server, "get", "homeassignments.homeport.dev", "-n", TENANTS);
    assertAllowed(
        server, "patch", "homeassignments.homeport.dev", "-n", TENANTS, "--subresource=status");
    assertAllowed(
        server,
        "update",
        "homeassignments.homeport.dev",
        "-n",
        TENANTS,
        "--subresource=finalizers");
    assertAllowed(server, "create", "events", "-n", "default");
    assertAllowed(server, "create", "events", "-n", TENANTS);
    assertAllowed(server, "get", "secrets/homeport-redis-mumbai", "-n", NAMESPACE);
    assertAllowed(server, "create", "leases.coordination.k8s.io", "-n", NAMESPACE);
    assertAllowed(server, "get", "leases.coordination.k8s.io/homeport-operator", "-n", NAMESPACE);
    assertAllowed(
        server, "update", "leases.coordination.k8s.io/homeport-operator", "-n", NAMESPACE);
  }

  @Test
  void operatorIsRefusedWhatItDoesNotNeed(TestKubeApiServer server) {
    assertRefused(server, "get", "secrets/unrelated", "-n", NAMESPACE);
    assertRefused(server, "list", "secrets", "-n", NAMESPACE);
    assertRefused(server, "delete", "secrets/homeport-redis-mumbai", "-n", NAMESPACE);
    assertRefused(server, "get", "secrets/homeport-redis-mumbai", "-n", TENANTS);
    assertRefused(server, "create", "deployments.apps", "-n", NAMESPACE);
    assertRefused(server, "list", "pods", "--all-namespaces");
    assertRefused(server, "create", "regiontopologies.homeport.dev");
    assertRefused(server, "delete", "homeassignments.homeport.dev", "-n", TENANTS);
    assertRefused(server, "update", "regiontopologies.homeport.dev");
    assertRefused(server, "update", "leases.coordination.k8s.io/someone-elses", "-n", NAMESPACE);
    assertRefused(server, "create", "leases.coordination.k8s.io", "-n", TENANTS);
    assertRefused(server, "delete", "events", "-n", "default");
  }

  @Test
  void theRealOperatorWorksUnderTheChartsServiceAccount(TestKubeApiServer server) {
    KubernetesClient admin = server.client();
    Config config = Config.fromKubeconfig(server.kubeConfigYaml());
    config.setImpersonateUsername("system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT);
    config.setImpersonateGroups(
        "system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated");
    try (RedisServer redis = RedisServer.start();
        KubernetesClient asOperator = new KubernetesClientBuilder().withConfig(config).build();
        HomeportOperator operator =
            new HomeportOperator(asOperator, "homeport-operator", NAMESPACE)) {
      admin
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("homeport-redis-mumbai")
                  .withNamespace(NAMESPACE)
                  .endMetadata()
                  .withStringData(Map.of("url", redis.uri()))
                  .build())
          .createOr(NonDeletingOperation::update);
      operator.start();

      admin.resource(topology(redis.uri())).serverSideApply();
      admin
          .resource(
              """
              apiVersion: homeport.dev/v1alpha1
              kind: HomeAssignment
              metadata:
                name: acme-to-frankfurt
                namespace: tenants
              spec:
                subject:
                  keys: [tenant-acme]
                toRegion: frankfurt
                reason: RBAC test
              """)
          .serverSideApply();

      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                // Leader election: the Lease exists and names its holder.
                Lease lease =
                    admin.leases().inNamespace(NAMESPACE).withName("homeport-operator").get();
                assertThat(lease).isNotNull();
                assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
                // Finalizers patched in, status patched, Secret read (mumbai is probed through it).
                RegionTopology topology =
                    admin.resources(RegionTopology.class).withName("rbac-test").get();
                assertThat(topology.getMetadata().getFinalizers()).isNotEmpty();
                assertThat(topology.getStatus()).isNotNull();
                assertThat(topology.getStatus().getConditions()).isNotEmpty();
                HomeAssignment assignment =
                    admin
                        .resources(HomeAssignment.class)
                        .inNamespace(TENANTS)
                        .withName("acme-to-frankfurt")
                        .get();
                assertThat(assignment.getMetadata().getFinalizers()).isNotEmpty();
                assertThat(assignment.getStatus()).isNotNull();
                assertThat(assignment.getStatus().getPhase()).isNotNull();
                // Events created, in default for the cluster-scoped topology and next to the
                // assignment.
                assertThat(admin.v1().events().inNamespace("default").list().getItems())
                    .anySatisfy(
                        e -> assertThat(e.getInvolvedObject().getName()).isEqualTo("rbac-test"));
                assertThat(admin.v1().events().inNamespace(TENANTS).list().getItems())
                    .anySatisfy(
                        e ->
                            assertThat(e.getInvolvedObject().getName())
                                .isEqualTo("acme-to-frankfurt"));
              });
      assertThat(operator.ready()).isTrue();
    }
  }

  /** Three regions; mumbai's Redis URL comes from the Secret the operator may read. */
  private static String topology(String mumbaiRedis) {
    return """
        apiVersion: homeport.dev/v1alpha1
        kind: RegionTopology
        metadata:
          name: rbac-test
        spec:
          regions:
            - name: mumbai
              residency: in
              acceptsResidency: [eu]
              frontDoor: {url: "http://127.0.0.1:1", adminUrl: "http://127.0.0.1:1"}
              redis:
                secretRef: {name: homeport-redis-mumbai, namespace: %s, key: url}
              failoverPeers: [frankfurt]
            - name: frankfurt
              residency: eu
              acceptsResidency: [in]
              frontDoor: {url: "http://127.0.0.1:2", adminUrl: "http://127.0.0.1:2"}
              redis: {url: "%s"}
              failoverPeers: [mumbai]
          failover:
            mode: Manual
            probeInterval: 500ms
        """
        .formatted(NAMESPACE, mumbaiRedis);
  }

  private static void assertAllowed(TestKubeApiServer server, String verb, String... what) {
    CommandResult result = canI(server, verb, what);
    assertThat(result.stdout().trim()).as("%s", result).isEqualTo("yes");
  }

  private static void assertRefused(TestKubeApiServer server, String verb, String... what) {
    CommandResult result = canI(server, verb, what);
    assertThat(result.stdout().trim()).as("%s", result).isEqualTo("no");
  }

  private static CommandResult canI(TestKubeApiServer server, String verb, String... what) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", verb));
    args.addAll(List.of(what));
    args.add(AS);
    return server.kubectl(args.toArray(String[]::new));
  }
}
