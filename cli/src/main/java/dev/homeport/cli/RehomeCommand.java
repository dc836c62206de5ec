package dev.homeport.cli;

import dev.homeport.cli.format.Durations;
import dev.homeport.cli.kube.Cluster;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.Validation;
import dev.homeport.crds.v1alpha1.spec.HomeAssignmentSpec;
import dev.homeport.crds.v1alpha1.spec.Subject;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kubectl homeport rehome}: moves keys or bucket ranges to a new home region. */
@Command(
    name = "rehome",
    mixinStandardHelpOptions = true,
    description = {
      "Move routing keys (or whole bucket ranges) to a new home region by creating a"
          + " HomeAssignment. The operator fences the keys, waits for replication to catch up and"
          + " switches their home, batch by batch, without losing a write; a batch that cannot"
          + " switch within --max-write-unavailability rolls back.",
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  kubectl homeport rehome --keys tenant-42,tenant-43 --to frankfurt --reason relocated",
      "  kubectl homeport rehome --buckets 0-511 --to singapore --rate 5000 --wait 30m",
      "  kubectl homeport rehome -n shop --keys user-7 --to mumbai --wait 2m"
    })
final class RehomeCommand implements Callable<Integer> {

  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private static final Set<HomeAssignmentPhase> FAILED =
      EnumSet.of(HomeAssignmentPhase.Failed, HomeAssignmentPhase.RolledBack);

  /** Exactly one of --keys and --buckets. */
  static final class What {
    @Option(
        names = "--keys",
        split = ",",
        paramLabel = "<key>",
        required = true,
        description = "Routing keys to move (user, tenant or merchant ids), comma-separated.")
    List<String> keys;

    @Option(
        names = "--buckets",
        split = ",",
        paramLabel = "<range>",
        required = true,
        description = "Buckets or inclusive bucket ranges to move, e.g. 0-511,700.")
    List<String> buckets;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "<region>",
      description = "The new home region; it must be Active.")
  String to;

  @Option(
      names = "--name",
      paramLabel = "<name>",
      description = "Name of the HomeAssignment (default: rehome-<region>-<yyyyMMdd-HHmmss>).")
  String name;

  @Option(
      names = "--reason",
      paramLabel = "<text>",
      description = "Why the keys move, for the audit trail.")
  String reason;

  @Option(
      names = "--rate",
      paramLabel = "<keys/s>",
      description = "Keys per second for bulk moves (operator default: 1000).")
  Integer rate;

  @Option(
      names = "--max-write-unavailability",
      paramLabel = "<duration>",
      description =
          "Longest a key may refuse writes while it moves, e.g. 2s (operator default: 2s).")
  String maxWriteUnavailability;

  @Option(
      names = "--wait",
      paramLabel = "<duration>",
      converter = Waiting.DurationConverter.class,
      description =
          "Wait up to this long (e.g. 10m) for the move to finish, printing its progress; exit 0"
              + " when Completed, 1 when Failed or RolledBack or still moving.")
  Duration wait;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Main main = Main.of(spec);
    if (maxWriteUnavailability != null && Durations.parse(maxWriteUnavailability) == null) {
      throw CliException.of(
          ExitCode.USAGE,
          "--max-write-unavailability %s is not a duration; write it like 500ms, 2s or 1m",
          maxWriteUnavailability);
    }
    if (rate != null && rate < 1) {
      throw CliException.of(ExitCode.USAGE, "--rate %d must be at least 1 key per second", rate);
    }
    String objectName = name != null ? name : defaultName(to, main);
    if (!objectName.matches(Validation.OBJECT_NAME)) {
      throw CliException.of(
          ExitCode.USAGE,
          "--name %s is not a valid object name: use lower-case letters, digits, '-' and '.'",
          objectName);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Cluster cluster = main.connect()) {
      // The operator validates the target too; checking here names the regions at once.
      cluster.topology().requireRegion(to);
      HomeAssignment assignment = assignment(objectName, cluster.namespace());
      HomeAssignment created;
      try {
        created = cluster.homeAssignments().resource(assignment).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          throw CliException.of(
              ExitCode.FAILED,
              "HomeAssignment %s already exists in namespace %s; choose another --name",
              objectName,
              cluster.namespace());
        }
        throw cluster.failure(e, "HomeAssignment " + cluster.namespace() + "/" + objectName);
      }
      out.printf(
          "Created HomeAssignment %s/%s: %s -> %s.%n",
          cluster.namespace(), created.getMetadata().getName(), subject(), to);
      if (wait == null) {
        out.printf(
            "Follow it: kubectl get homeassignment -n %s %s -w%n",
            cluster.namespace(), created.getMetadata().getName());
        out.flush();
        return ExitCode.OK;
      }
      out.flush();
      Optional<HomeAssignment> done =
          new Waiting<HomeAssignment>(wait, out)
              .until(
                  () -> read(cluster, objectName),
                  RehomeCommand::progress,
                  a -> finished(a.getStatus()));
      if (done.isEmpty()) {
        HomeAssignmentStatus status = read(cluster, objectName).getStatus();
        throw CliException.of(
            ExitCode.FAILED,
            "HomeAssignment %s is still %s after %s; it keeps moving; follow it with kubectl get"
                + " homeassignment -n %s %s -w",
            objectName,
            status == null || status.getPhase() == null ? "Pending" : status.getPhase(),
            Durations.human(wait),
            cluster.namespace(),
            objectName);
      }
      HomeAssignmentStatus status = done.get().getStatus();
      if (FAILED.contains(status.getPhase())) {
        throw CliException.of(
            ExitCode.FAILED,
            "HomeAssignment %s %s: %s",
            objectName,
            status.getPhase(),
            status.getMessage() == null ? "no message" : status.getMessage());
      }
      out.printf(
          "Completed: %s keys moved to %s%s.%n",
          status.getMovedKeys() == null ? "all" : status.getMovedKeys(),
          to,
          status.getWriteUnavailability() == null
              ? ""
              : ", longest write unavailability " + status.getWriteUnavailability());
      out.flush();
      return ExitCode.OK;
    }
  }

  private HomeAssignment assignment(String objectName, String namespace) {
    HomeAssignmentSpec spec = new HomeAssignmentSpec();
    spec.setSubject(
        what.keys != null ? Subject.ofKeys(what.keys) : Subject.ofBuckets(what.buckets));
    spec.setToRegion(to);
    spec.setReason(reason);
    spec.setRate(rate);
    spec.setMaxWriteUnavailability(maxWriteUnavailability);
    HomeAssignment assignment = new HomeAssignment();
    assignment.setMetadata(
        new ObjectMetaBuilder().withName(objectName).withNamespace(namespace).build());
    assignment.setSpec(spec);
    return assignment;
  }

  private static String defaultName(String to, Main main) {
    return "rehome-" + to + "-" + NAME_TIME.format(main.clock().instant());
  }

  private String subject() {
    if (what.keys != null) {
      return what.keys.size() == 1 ? "key " + what.keys.get(0) : what.keys.size() + " keys";
    }
    return "buckets " + String.join(",", what.buckets);
  }

  private static HomeAssignment read(Cluster cluster, String name) {
    HomeAssignment assignment = cluster.call(() -> cluster.homeAssignments().withName(name).get());
    if (assignment == null) {
      throw CliException.of(
          ExitCode.UNAVAILABLE,
          "HomeAssignment %s/%s was deleted while waiting for it",
          cluster.namespace(),
          name);
    }
    return assignment;
  }

  private static boolean finished(HomeAssignmentStatus status) {
    return status != null
        && (status.getPhase() == HomeAssignmentPhase.Completed
            || FAILED.contains(status.getPhase()));
  }

  /** One line of progress: phase, batch, keys moved, message. */
  static String progress(HomeAssignment assignment) {
    HomeAssignmentStatus status = assignment.getStatus();
    if (status == null || status.getPhase() == null) {
      return "Pending: waiting for the operator";
    }
    StringBuilder line = new StringBuilder(status.getPhase().name());
    if (status.getCurrentBatch() != null && status.getTotalBatches() != null) {
      line.append(", batch ")
          .append(status.getCurrentBatch())
          .append('/')
          .append(status.getTotalBatches());
    }
    if (status.getMovedKeys() != null && status.getTotalKeys() != null) {
      line.append(", ")
          .append(status.getMovedKeys())
          .append('/')
          .append(status.getTotalKeys())
          .append(" keys moved");
    }
    if (status.getMessage() != null && !status.getMessage().isBlank()) {
      line.append(": ").append(status.getMessage());
    }
    return line.toString();
  }
}
