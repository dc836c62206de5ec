package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.cli.kube.Topology;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The status table from a topology as read, without a server. */
class StatusRenderTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Instant NOW = Instant.parse("2026-04-12T10:30:00Z");

  private static Topology topology(String yaml) {
    return Topology.of(SERIALIZATION.unmarshal(yaml, GenericKubernetesResource.class));
  }

  @Test
  void regionsOnlyInStatusAreListedAfterThoseOfTheSpecAndAPendingDrillIsMentioned() {
    // Fields and phases of a newer operator (futureField, Drilling) are no reason to fail.
    Topology topology =
        topology(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata: {name: global}
            spec:
              regions: [{name: mumbai}, {name: frankfurt}]
              drill: {id: Q4-2026, region: frankfurt, holdFor: 10m}
              futureField: {enabled: true}
            status:
              routingEpoch: 3
              futureField: 7
              regions:
                - {name: frankfurt, phase: Recovering, lastHeartbeat: "2026-04-12T10:29:50Z"}
                - {name: oslo, phase: Drilling, futureField: x}
              conditions:
                - {type: Ready, status: "True", reason: AllRegionsActive, message: ok}
                - {type: FailoverInProgress, status: "False", reason: None, message: none}
                - {type: DrillInProgress, status: "False", reason: None, message: none}
                - {type: DrillPolicyValid, status: "True", reason: Valid, message: ok}
            """);

    String text = StatusCommand.render(topology, NOW);

    assertThat(text)
        .startsWith("RegionTopology global   routing epoch 3\n\n")
        .containsPattern(
            "(?m)^mumbai +- +- +- +- +- +- +-\nfrankfurt +Recovering +- +- +- +10s ago")
        .containsPattern("(?m)^oslo +Drilling")
        .doesNotContain("Conditions that need attention")
        .contains("Drill Q4-2026 of frankfurt is requested; the operator has not started it yet.");
  }

  @Test
  void bucketsHomedJoiningAndRemovingRegionsAreShown() {
    Topology topology =
        topology(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata: {name: global}
            spec:
              regions: [{name: mumbai}, {name: singapore}, {name: saopaulo}]
            status:
              routingEpoch: 12
              acceptedRegions: [{name: mumbai}, {name: singapore}, {name: frankfurt}]
              regions:
                - {name: mumbai, phase: Active, homedBuckets: 1365}
                - {name: singapore, phase: Active, homedBuckets: 1366}
                - {name: frankfurt, phase: Active, homedBuckets: 1365, removalPending: true}
              conditions:
                - type: RegionsValid
                  status: "False"
                  reason: RegionJoining,RegionStillHomesKeys
                  message: region frankfurt was removed from spec.regions but still homes buckets
            """);

    String text = StatusCommand.render(topology, NOW);

    assertThat(text)
        .containsPattern(
            "(?m)^NAME +PHASE +BUCKETS +SERVED BY +LEASE +HEARTBEAT +FAILURES +MESSAGE$")
        .containsPattern("(?m)^mumbai +Active +1365 +- ")
        .containsPattern("(?m)^singapore +Active +1366 +- ")
        .containsPattern("(?m)^saopaulo +Joining +- +- ")
        .containsPattern("(?m)^frankfurt +Active \\(removing\\) +1365 +- ")
        .contains(
            "  RegionsValid=False (RegionJoining,RegionStillHomesKeys): region frankfurt was"
                + " removed from spec.regions but still homes buckets");
  }

  @Test
  void conditionsNeedAttentionWhenTheyLeaveTheirNormalState() {
    Topology topology =
        topology(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata: {name: global}
            spec: {regions: [{name: mumbai}]}
            status:
              conditions:
                - {type: Ready, status: "True", reason: AllRegionsActive, message: ok}
                - {type: DrillPolicyValid, status: "False", reason: InvalidDrillPolicy, message: bad}
                - {type: DrillInProgress, status: "True", reason: Holding, message: drill Q4}
                - {type: Degraded, status: "False", reason: None, message: none}
            """);

    assertThat(StatusCommand.attention(topology.status()))
        .extracting(c -> c.getType())
        .containsExactly("DrillPolicyValid", "DrillInProgress");
  }
}
