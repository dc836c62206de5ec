package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.testkit.CommandResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chart rendered by the real helm: lint, toggles and the hardened defaults. */
class ChartTemplateTest {

  private static final String FRONT_DOOR = "homeport-frankfurt-frontdoor";
  private static final String OPERATOR = "homeport-mumbai-operator";

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt", "singapore"})
  void lintIsCleanForEveryExampleRegion(String region) {
    CommandResult lint =
        Helm.run(
            List.of(
                "lint",
                Helm.chart().toString(),
                "--strict",
                "--values",
                Helm.example(region).toString()));

    assertThat(lint.succeeded()).as("%s", lint).isTrue();
    assertThat(lint.output()).contains("0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt", "singapore"})
  void theFrontDoorAcceptsTheConfigurationTheChartWrites(String region) {
    Rendered rendered = Helm.render(region);
    String file =
        rendered
            .one(ConfigMap.class, "homeport-" + region + "-frontdoor")
            .getData()
            .get("frontdoor.yaml");

    // The Secrets' values come as environment variables, exactly as in the pod.
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            file,
            Map.of(
                "HOMEPORT_INTERNAL_SECRET", "internal-secret-of-16+",
                "HOMEPORT_ADMIN_TOKEN", "admin-token-of-16+chars",
                "HOMEPORT_REDIS_URI", "redis://redis:6379"));

    assertThat(config.region()).isEqualTo(region);
    assertThat(config.listenHost()).isEqualTo("0.0.0.0");
    assertThat(config.routes()).extracting(r -> r.name()).contains("orders", "profile", "feed");
    Container container = frontDoorContainer(rendered, "homeport-" + region + "-frontdoor");
    assertThat(port(container, "http")).isEqualTo(config.publicPort());
    assertThat(port(container, "admin")).isEqualTo(config.adminPort());
    assertThat(file).doesNotContain("secrets", "internal-secret", "admin-token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt"})
  void everyWorkloadIsHardened(String region) {
    Rendered rendered = Helm.render(region, "bundledRedis.enabled=true");

    List<Deployment> deployments = rendered.all(Deployment.class);
    assertThat(deployments).isNotEmpty();
    for (Deployment deployment : deployments) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      String name = deployment.getMetadata().getName();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .as(name)
          .isEqualTo("RuntimeDefault");
      for (Container container : pod.getContainers()) {
        var security = container.getSecurityContext();
        assertThat(security.getReadOnlyRootFilesystem()).as(name).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).as(name).isFalse();
        assertThat(security.getCapabilities().getDrop()).as(name).containsExactly("ALL");
        assertThat(container.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).as(name).containsKey("memory");
        assertThat(container.getLivenessProbe()).as(name).isNotNull();
        assertThat(container.getReadinessProbe()).as(name).isNotNull();
      }
    }
    for (String java : List.of("homeport-" + region + "-frontdoor", "homeport-mumbai-operator")) {
      if (region.equals("frankfurt") && java.contains("operator")) {
        continue;
      }
      PodSpec pod = rendered.one(Deployment.class, java).getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
      // A read-only root filesystem, so the JVM's scratch space is an emptyDir.
      assertThat(pod.getContainers().get(0).getVolumeMounts())
          .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
      assertThat(pod.getVolumes())
          .anySatisfy(
              volume -> {
                assertThat(volume.getName()).isEqualTo("tmp");
                assertThat(volume.getEmptyDir()).isNotNull();
              });
    }
  }

  @Test
  void frontDoorProbesTheEndpointsItServesOnItsAdminPort() {
    Container container = frontDoorContainer(Helm.render("frankfurt"), FRONT_DOOR);

    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(container.getArgs()).containsExactly("--config", "/etc/homeport/frontdoor.yaml");
  }

  @Test
  void publicAndAdminPortsHaveSeparateServices() {
    Rendered rendered = Helm.render("frankfurt");

    List<ServicePort> publicPorts = rendered.one(Service.class, FRONT_DOOR).getSpec().getPorts();
    List<ServicePort> adminPorts =
        rendered.one(Service.class, FRONT_DOOR + "-admin").getSpec().getPorts();
    assertThat(publicPorts)
        .singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    assertThat(adminPorts)
        .singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("admin"));
  }

  @Test
  void secretsAreReferencedNeverInlined() {
    Rendered rendered = Helm.render("mumbai");

    assertThat(rendered.all(Secret.class)).isEmpty();
    List<EnvVar> env = frontDoorContainer(rendered, "homeport-mumbai-frontdoor").getEnv();
    assertThat(env)
        .filteredOn(e -> e.getName().startsWith("HOMEPORT_"))
        .extracting(EnvVar::getName)
        .containsExactlyInAnyOrder(
            "HOMEPORT_INTERNAL_SECRET", "HOMEPORT_ADMIN_TOKEN", "HOMEPORT_REDIS_URI");
    assertThat(env)
        .filteredOn(e -> e.getName().startsWith("HOMEPORT_"))
        .allSatisfy(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isIn("homeport-frontdoor", "homeport-redis");
            });
  }

  @Test
  void operatorRunsOnlyWhereEnabledWithTwoLeaderElectedReplicas() {
    Rendered worker = Helm.render("frankfurt");
    assertThat(worker.names()).noneMatch(name -> name.contains("operator"));

    Rendered management = Helm.render("mumbai");
    Deployment operator = management.one(Deployment.class, OPERATOR);
    assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
    Container container = operator.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.namespace");
            });
    assertThat(container.getEnv())
        .as("drills read the front-doors' /metrics with their admin token")
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HOMEPORT_FRONTDOOR_ADMIN_TOKEN");
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo("homeport-frontdoor");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("admin");
            });
    Container frontDoor =
        management
            .one(Deployment.class, "homeport-mumbai-frontdoor")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(frontDoor.getEnv())
        .as("the same Secret key as the front-door's own admin token")
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HOMEPORT_ADMIN_TOKEN");
              assertThat(e.getValueFrom().getSecretKeyRef())
                  .isEqualTo(
                      container.getEnv().stream()
                          .filter(o -> o.getName().equals("HOMEPORT_FRONTDOOR_ADMIN_TOKEN"))
                          .findFirst()
                          .orElseThrow()
                          .getValueFrom()
                          .getSecretKeyRef());
            });
    Container renamedKey =
        Helm.render("mumbai", "frontDoor.secretKeys.admin=admin-token")
            .one(Deployment.class, OPERATOR)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(renamedKey.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HOMEPORT_FRONTDOOR_ADMIN_TOKEN");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("admin-token");
            });
    assertThat(container.getArgs()).contains("--leader-election-lease=homeport-operator");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(management.one(Role.class, OPERATOR + "-leader-election").getRules())
        .anySatisfy(rule -> assertThat(rule.getResources()).containsExactly("leases"));
    assertThat(management.one(ServiceAccount.class, OPERATOR)).isNotNull();
    assertThat(management.one(ClusterRole.class, OPERATOR)).isNotNull();
    assertThat(management.one(PodDisruptionBudget.class, OPERATOR)).isNotNull();
    assertThat(management.one(PodDisruptionBudget.class, "homeport-mumbai-frontdoor")).isNotNull();
  }

  @Test
  void anOperatorOnlyReleaseWithoutTheFrontDoorsSecretGetsNoAdminToken() {
    Rendered operatorOnly =
        Helm.render("mumbai", "frontDoor.enabled=false", "frontDoor.existingSecret=");
    assertThat(operatorOnly.names()).noneMatch(name -> name.endsWith("-frontdoor"));
    Container container =
        operatorOnly
            .one(Deployment.class, OPERATOR)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(Optional.ofNullable(container.getEnv()).orElse(List.of()))
        .noneMatch(e -> e.getName().equals("HOMEPORT_FRONTDOOR_ADMIN_TOKEN"));
  }

  @Test
  void operatorWithoutLeaderElectionRunsAloneAndHoldsNoLease() {
    CommandResult twoUnelected =
        Helm.template(
            "mumbai",
            List.of(Helm.example("mumbai")),
            List.of("operator.leaderElection.enabled=false"));
    assertThat(twoUnelected.succeeded()).isFalse();
    assertThat(twoUnelected.stderr())
        .contains(
            "operator.replicas: more than one replica needs operator.leaderElection.enabled=true");

    Rendered single =
        Helm.render("mumbai", "operator.leaderElection.enabled=false", "operator.replicas=1");
    Container container =
        single
            .one(Deployment.class, OPERATOR)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(Optional.ofNullable(container.getEnv()).orElse(List.of()))
        .noneMatch(e -> e.getName().equals("POD_NAMESPACE"));
    assertThat(single.all(Role.class))
        .noneMatch(r -> r.getMetadata().getName().endsWith("leader-election"));
  }

  @Test
  void serviceMonitorsOnlyWhenAskedForWithTheAdminTokenFromTheSecret() {
    assertThat(Helm.render("mumbai").kind("ServiceMonitor")).isEmpty();

    List<HasMetadata> monitors =
        Helm.render("mumbai", "metrics.serviceMonitor.enabled=true").kind("ServiceMonitor");

    assertThat(monitors)
        .extracting(m -> m.getMetadata().getName())
        .containsExactlyInAnyOrder("homeport-mumbai-frontdoor", "homeport-mumbai-operator");
    GenericKubernetesResource frontDoor =
        (GenericKubernetesResource)
            monitors.stream()
                .filter(m -> m.getMetadata().getName().endsWith("frontdoor"))
                .findFirst()
                .orElseThrow();
    Map<String, Object> credentials =
        frontDoor.get("spec", "endpoints", 0, "authorization", "credentials");
    assertThat(credentials)
        .containsEntry("name", "homeport-frontdoor")
        .containsEntry("key", "admin");
    assertThat((String) frontDoor.get("spec", "endpoints", 0, "port")).isEqualTo("admin");
  }

  @Test
  void bundledRedisOnlyWhenAskedForAndThenTheFrontDoorUsesIt() {
    assertThat(Helm.render("frankfurt").names()).noneMatch(name -> name.contains("redis"));

    Rendered rendered =
        Helm.render("frankfurt", "bundledRedis.enabled=true", "frontDoor.redis.existingSecret=");

    assertThat(rendered.one(Deployment.class, "homeport-frankfurt-redis")).isNotNull();
    assertThat(rendered.one(Service.class, "homeport-frankfurt-redis")).isNotNull();
    String file = rendered.one(ConfigMap.class, FRONT_DOOR).getData().get("frontdoor.yaml");
    assertThat(file).contains("uri: redis://homeport-frankfurt-redis:6379");
    assertThat(frontDoorContainer(rendered, FRONT_DOOR).getEnv())
        .noneMatch(e -> e.getName().equals("HOMEPORT_REDIS_URI"));
  }

  @Test
  void withoutAnyRedisTheChartRefusesToRender() {
    CommandResult result =
        Helm.template(
            "frankfurt",
            List.of(Helm.example("frankfurt")),
            List.of("frontDoor.redis.existingSecret="));

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr())
        .contains(
            "frontDoor.redis: give uri or existingSecret (this region's Redis), or set bundledRedis.enabled=true");
  }

  @Test
  void dashboardIsAGrafanaSidecarConfigMapUnlessTurnedOff() throws IOException {
    ConfigMap dashboard =
        Helm.render("frankfurt").one(ConfigMap.class, "homeport-frankfurt-dashboard");

    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("homeport.json"));
    assertThat(json.path("title").asText()).isEqualTo("Homeport");
    assertThat(json.path("panels").size()).isGreaterThan(10);

    assertThat(Helm.render("frankfurt", "dashboard.enabled=false").names())
        .noneMatch(name -> name.contains("dashboard"));
  }

  @Test
  void imagesDefaultToTheChartsAppVersionWhichIsTheProjectVersion() throws IOException {
    JsonNode chart =
        new YAMLMapper().readTree(Files.readString(Helm.chart().resolve("Chart.yaml")));
    String appVersion = chart.path("appVersion").asText();
    assertThat(appVersion).isEqualTo(System.getProperty("homeport.project.version", appVersion));

    Rendered defaults = Helm.render("mumbai");
    assertThat(frontDoorContainer(defaults, "homeport-mumbai-frontdoor").getImage())
        .isEqualTo("homeport/frontdoor:" + appVersion);
    assertThat(
            defaults
                .one(Deployment.class, OPERATOR)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("homeport/operator:" + appVersion);

    Rendered pinned =
        Helm.render(
            "mumbai",
            "frontDoor.image.repository=registry.example/team/frontdoor",
            "frontDoor.image.tag=1.2.3");
    assertThat(frontDoorContainer(pinned, "homeport-mumbai-frontdoor").getImage())
        .isEqualTo("registry.example/team/frontdoor:1.2.3");
  }

  private static Container frontDoorContainer(Rendered rendered, String name) {
    return rendered
        .one(Deployment.class, name)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  private static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getContainerPort();
  }
}
