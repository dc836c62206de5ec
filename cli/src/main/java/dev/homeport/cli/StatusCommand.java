package dev.homeport.cli;

import dev.homeport.cli.format.Durations;
import dev.homeport.cli.format.Json;
import dev.homeport.cli.format.Tables;
import dev.homeport.cli.kube.Cluster;
import dev.homeport.cli.kube.DrillView;
import dev.homeport.cli.kube.Topology;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kubectl homeport status}: the regions of the topology, as the operator last saw them. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the regions of the topology: phase, how many buckets each homes, which region"
          + " serves their keys, write lease, last heartbeat, failed probes and the operator's"
          + " message; the routing epoch; conditions that need attention; the running drill.",
      "A region added to spec.regions shows as Joining until the operator routes it; one removed"
          + " from spec.regions shows (removing) until it homes nothing and leaves.",
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  kubectl homeport status",
      "  kubectl homeport status --context prod-mumbai -o yaml",
    })
final class StatusCommand implements Callable<Integer> {

  /** Output formats of {@code -o}. */
  enum Output {
    table,
    json,
    yaml
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "<format>",
      defaultValue = "table",
      description = "table (default), or the whole RegionTopology as json or yaml.")
  Output output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Main main = Main.of(spec);
    try (Cluster cluster = main.connect()) {
      Topology topology = cluster.topology();
      String text =
          switch (output) {
            case json -> Json.pretty(withoutManagedFields(cluster, topology));
            case yaml -> Json.yaml(withoutManagedFields(cluster, topology));
            case table -> render(topology, main.clock().instant());
          };
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
    }
    return ExitCode.OK;
  }

  /** The object as kubectl prints it, without the field managers' bookkeeping. */
  private static GenericKubernetesResource withoutManagedFields(
      Cluster cluster, Topology topology) {
    GenericKubernetesResource copy =
        cluster.client().getKubernetesSerialization().clone(topology.raw());
    copy.getMetadata().setManagedFields(null);
    return copy;
  }

  /** The status as people read it: header, region table, conditions that need attention, drill. */
  static String render(Topology topology, Instant now) {
    StringBuilder out = new StringBuilder();
    RegionTopologyStatus status = topology.status();
    out.append("RegionTopology ").append(topology.name());
    if (status == null) {
      out.append(
          "\nNo status yet: the operator has not reconciled this topology; is it running?\n");
    } else {
      out.append("   routing epoch ").append(orDash(status.getRoutingEpoch()));
      if (status.getSummary() != null && !status.getSummary().isBlank()) {
        out.append("   ").append(status.getSummary());
      }
      out.append('\n');
    }
    out.append('\n');

    Tables table =
        Tables.of(
            "NAME", "PHASE", "BUCKETS", "SERVED BY", "LEASE", "HEARTBEAT", "FAILURES", "MESSAGE");
    Set<String> names = new LinkedHashSet<>(topology.regionNames());
    if (status != null && status.getRegions() != null) {
      status.getRegions().forEach(r -> names.add(r.getName()));
    }
    for (String name : names) {
      Optional<RegionStatus> region = topology.regionStatus(name);
      table.row(
          name,
          phase(topology, name, region),
          region.map(RegionStatus::getHomedBuckets).orElse(null),
          region.map(RegionStatus::getServedBy).orElse(null),
          region
              .map(r -> Durations.instant(r.getLeaseExpiresAt()))
              .map(t -> Durations.expiry(t, now))
              .orElse(null),
          region
              .map(r -> Durations.instant(r.getLastHeartbeat()))
              .map(t -> Durations.ago(t, now))
              .orElse(null),
          region.map(RegionStatus::getConsecutiveFailures).orElse(null),
          region.map(RegionStatus::getMessage).orElse(null));
    }
    out.append(table.render());

    List<Condition> attention = attention(status);
    if (!attention.isEmpty()) {
      out.append("\nConditions that need attention:\n");
      for (Condition condition : attention) {
        out.append("  ").append(condition.getType()).append('=').append(condition.getStatus());
        if (condition.getReason() != null && !condition.getReason().isBlank()) {
          out.append(" (").append(condition.getReason()).append(')');
        }
        if (condition.getMessage() != null && !condition.getMessage().isBlank()) {
          out.append(": ").append(condition.getMessage());
        }
        out.append('\n');
      }
    }

    Optional<DrillView> running = topology.runningDrill();
    if (running.isPresent()) {
      out.append('\n').append(DrillCommand.runningLine(running.get(), now)).append('\n');
    } else {
      Optional<DrillSpec> pending = topology.pendingDrill();
      pending.ifPresent(
          drill ->
              out.append("\nDrill ")
                  .append(drill.getId())
                  .append(" of ")
                  .append(drill.getRegion())
                  .append(" is requested; the operator has not started it yet.\n"));
    }
    return out.toString();
  }

  /**
   * The region's phase as the operator wrote it; {@code Joining} for a region of spec.regions the
   * operator does not route yet, and {@code (removing)} after the phase of one removed from
   * spec.regions that is still routed.
   */
  private static String phase(Topology topology, String name, Optional<RegionStatus> region) {
    RegionTopologyStatus status = topology.status();
    if (region.isEmpty()
        && status != null
        && status.getAcceptedRegions() != null
        && topology.regionNames().contains(name)
        && status.getAcceptedRegions().stream().noneMatch(r -> name.equals(r.getName()))) {
      return "Joining";
    }
    String phase = topology.regionPhase(name).orElse(null);
    if (phase != null && region.map(RegionStatus::getRemovalPending).orElse(false)) {
      return phase + " (removing)";
    }
    return phase;
  }

  /**
   * Conditions not in their normal state. {@code Ready} and the {@code …Valid} conditions (such as
   * DrillPolicyValid) are normally True; every other condition (Degraded, FailoverInProgress,
   * FailoverRefused, DrillInProgress …) reports a problem or an activity when True.
   */
  static List<Condition> attention(RegionTopologyStatus status) {
    List<Condition> attention = new ArrayList<>();
    if (status == null || status.getConditions() == null) {
      return attention;
    }
    for (Condition condition : status.getConditions()) {
      String type = condition.getType() == null ? "" : condition.getType();
      boolean normallyTrue = type.equals("Ready") || type.endsWith("Valid");
      boolean isTrue = "True".equals(condition.getStatus());
      if (normallyTrue != isTrue) {
        attention.add(condition);
      }
    }
    return attention;
  }

  private static String orDash(Object value) {
    return value == null ? "-" : value.toString();
  }
}
