package dev.homeport.cli;

import dev.homeport.cli.format.Durations;
import dev.homeport.cli.kube.Cluster;
import dev.homeport.cli.kube.Topology;
import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.spec.FailbackPolicy;
import dev.homeport.crds.v1alpha1.spec.FailoverPolicy;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl homeport failover|failback <region> --approve}: approvals for the operator's
 * Manual modes, given by adding the region to the comma-separated list in an annotation of the
 * RegionTopology (other regions' approvals are kept).
 */
abstract class ApprovalCommand implements Callable<Integer> {

  /** Regions whose failover a person approved (read by the operator). */
  static final String APPROVE_FAILOVER = "homeport.dev/approve-failover";

  /** Regions whose failback a person approved (read by the operator). */
  static final String APPROVE_FAILBACK = "homeport.dev/approve-failback";

  /** Regions whose failback need not wait for replication catch-up (read by the operator). */
  static final String SKIP_CATCH_UP = "homeport.dev/failback-skip-catch-up";

  @Parameters(index = "0", paramLabel = "<region>", description = "The region, as in spec.regions.")
  String region;

  @Option(
      names = "--approve",
      description = "Required: confirms that you want the operator to do this.")
  boolean approve;

  @Option(
      names = "--wait",
      paramLabel = "<duration>",
      converter = Waiting.DurationConverter.class,
      description =
          "Wait up to this long (e.g. 5m) for the region to get there, printing its phase"
              + " changes; exit 1 if it has not.")
  Duration wait;

  @Spec CommandSpec spec;

  /** {@code failover} or {@code failback}. */
  abstract String verb();

  abstract String annotation();

  /** Annotations besides {@link #annotation()} that the region is added to. */
  List<String> moreAnnotations() {
    return List.of();
  }

  /** What approving does, for the refusal without --approve. */
  abstract String consequence();

  /** What the operator does next, given the region as it stands. */
  abstract String plan(Topology topology);

  /** The approval mode in effect; Automatic means the operator does not wait for approvals. */
  abstract ApprovalMode mode(Topology topology);

  /** The option in spec.failover that sets the mode, for the note when it is Automatic. */
  abstract String modeField();

  /** Whether the region is where this command takes it. */
  abstract boolean arrived(RegionStatus region);

  /** Where this command takes the region, for messages. */
  abstract String destination();

  @Override
  public Integer call() throws InterruptedException {
    if (!approve) {
      throw CliException.of(
          ExitCode.USAGE,
          "%s of %s needs --approve: %s. To go ahead: kubectl homeport %s %s --approve",
          verb(),
          region,
          consequence(),
          verb(),
          region);
    }
    Main main = Main.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    try (Cluster cluster = main.connect()) {
      AtomicBoolean added = new AtomicBoolean();
      Topology topology =
          cluster.patchTopology(
              current -> {
                current.requireRegion(region);
                Map<String, String> changes = new LinkedHashMap<>();
                List<String> names = new ArrayList<>(List.of(annotation()));
                names.addAll(moreAnnotations());
                for (String name : names) {
                  List<String> approved = current.annotationList(name);
                  if (!approved.contains(region)) {
                    List<String> next = new ArrayList<>(approved);
                    next.add(region);
                    changes.put(name, String.join(",", next));
                  }
                }
                if (changes.isEmpty()) {
                  return null;
                }
                added.set(true);
                return Map.of("metadata", Map.of("annotations", changes));
              });
      String list = String.join(",", topology.annotationList(annotation()));
      out.printf(
          "%s the %s of %s: %s=%s on RegionTopology %s.%n",
          added.get() ? "Approved" : "Already approved",
          verb(),
          region,
          annotation(),
          list,
          topology.name());
      for (String more : moreAnnotations()) {
        out.printf(
            "%s=%s on RegionTopology %s.%n",
            more, String.join(",", topology.annotationList(more)), topology.name());
      }
      out.println(plan(topology));
      if (mode(topology) == ApprovalMode.Automatic) {
        out.printf(
            "Note: %s is Automatic, so the operator does not wait for this approval.%n",
            modeField());
      }
      refusal(topology).ifPresent(message -> out.println("The operator says: " + message));
      if (wait == null) {
        out.println("Watch it: kubectl homeport status");
        out.flush();
        return ExitCode.OK;
      }
      out.printf(
          "Waiting up to %s for %s to be %s...%n", Durations.human(wait), region, destination());
      out.flush();
      Optional<Topology> done =
          new Waiting<Topology>(wait, out)
              .until(
                  cluster::topology,
                  this::describe,
                  t -> t.regionStatus(region).map(this::arrived).orElse(false));
      if (done.isPresent()) {
        out.printf("%s is %s.%n", region, destination());
        out.flush();
        return ExitCode.OK;
      }
      Topology last = cluster.topology();
      throw CliException.of(
          ExitCode.FAILED,
          "%s is still %s after %s, not %s%s",
          region,
          phase(last),
          Durations.human(wait),
          destination(),
          refusal(last).map(m -> "; the operator says: " + m).orElse(""));
    }
  }

  /** The FailoverRefused condition's message, when it is True. */
  static Optional<String> refusal(Topology topology) {
    return topology
        .condition("FailoverRefused")
        .filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getMessage)
        .filter(m -> !m.isBlank());
  }

  /** The region's phase, whom it is served by and the operator's message, for --wait. */
  private String describe(Topology topology) {
    Optional<RegionStatus> status = topology.regionStatus(region);
    if (status.isEmpty()) {
      return region + ": no status yet";
    }
    RegionStatus r = status.get();
    StringBuilder text = new StringBuilder(region).append(' ').append(phase(topology));
    if (r.getServedBy() != null && !r.getServedBy().isBlank()) {
      text.append(" (served by ").append(r.getServedBy()).append(')');
    }
    if (r.getMessage() != null && !r.getMessage().isBlank()) {
      text.append(": ").append(r.getMessage());
    }
    return text.toString();
  }

  String phase(Topology topology) {
    return topology.regionPhase(region).orElse("without status");
  }

  static FailoverPolicy failoverPolicy(Topology topology) {
    return topology.typed().getSpec() == null ? null : topology.typed().getSpec().getFailover();
  }

  @Command(
      name = "failover",
      mixinStandardHelpOptions = true,
      description = {
        "Approve the failover of a region (failover mode Manual): adds it to the"
            + " homeport.dev/approve-failover annotation of the RegionTopology.",
        "",
        "The operator fails the region over only when its failover is due (its probes keep"
            + " failing): it stops renewing the region's write lease, waits for the lease to"
            + " expire, then lets the first healthy failover peer with capacity serve its keys."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  kubectl homeport failover frankfurt --approve",
        "  kubectl homeport failover frankfurt --approve --wait 5m"
      })
  static final class Failover extends ApprovalCommand {

    @Override
    String verb() {
      return "failover";
    }

    @Override
    String annotation() {
      return APPROVE_FAILOVER;
    }

    @Override
    String consequence() {
      return "the operator will fence the region and move its keys to a failover peer once its"
          + " probes keep failing";
    }

    @Override
    String plan(Topology topology) {
      List<String> peers =
          topology.regionSpec(region).map(RegionSpec::getFailoverPeers).orElse(List.of());
      return String.format(
          "%s is %s. When its failover is due, the operator stops renewing its write lease, waits"
              + " for the lease to expire, then lets its first healthy failover peer with capacity"
              + " (%s) serve its keys; a healthy region is not failed over.",
          region,
          phase(topology),
          peers == null || peers.isEmpty() ? "none listed" : String.join(", ", peers));
    }

    @Override
    ApprovalMode mode(Topology topology) {
      FailoverPolicy policy = failoverPolicy(topology);
      return policy == null || policy.getMode() == null ? ApprovalMode.Automatic : policy.getMode();
    }

    @Override
    String modeField() {
      return "spec.failover.mode";
    }

    @Override
    boolean arrived(RegionStatus status) {
      return status.getPhase() == RegionPhase.FailedOver;
    }

    @Override
    String destination() {
      return "FailedOver";
    }
  }

  @Command(
      name = "failback",
      mixinStandardHelpOptions = true,
      description = {
        "Approve the failback of a failed-over region (failback mode Manual): adds it to the"
            + " homeport.dev/approve-failback annotation of the RegionTopology.",
        "",
        "Once the region has passed every probe for failback.stableFor, and its application has"
            + " applied the writes its peer took for it (replicationProbe; at most"
            + " failback.catchUpTimeout, then a Warning and the wait goes on), the operator stops its"
            + " peer serving the region's keys (Recovering) and, after the lease wait, gives the"
            + " region its lease back (Active)."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  kubectl homeport failback frankfurt --approve",
        "  kubectl homeport failback frankfurt --approve --wait 10m",
        "  kubectl homeport failback frankfurt --approve --skip-catch-up"
      })
  static final class Failback extends ApprovalCommand {

    @Option(
        names = "--skip-catch-up",
        description =
            "Fail back without waiting for the region's application to apply the writes its peer"
                + " took for it (replicationProbe): it may then serve stale data and overwrite"
                + " writes it has not applied yet. Adds the region to the"
                + " homeport.dev/failback-skip-catch-up annotation.")
    boolean skipCatchUp;

    @Override
    List<String> moreAnnotations() {
      return skipCatchUp ? List.of(SKIP_CATCH_UP) : List.of();
    }

    @Override
    String verb() {
      return "failback";
    }

    @Override
    String annotation() {
      return APPROVE_FAILBACK;
    }

    @Override
    String consequence() {
      return "the operator will take the region's keys back from its peer once it has been"
          + " healthy for failback.stableFor";
    }

    @Override
    String plan(Topology topology) {
      FailbackPolicy failback = failback(topology);
      String stableFor =
          failback == null || failback.getStableFor() == null ? "5m" : failback.getStableFor();
      String servedBy = topology.regionStatus(region).map(RegionStatus::getServedBy).orElse(null);
      return String.format(
          "%s is %s%s. Once it has passed every probe for %s (failback.stableFor) and its"
              + " application has caught up with %s's writes%s, the operator stops %s serving its"
              + " keys (Recovering), then gives %s its lease back (Active).",
          region,
          phase(topology),
          servedBy == null || servedBy.isBlank() ? "" : " (served by " + servedBy + ")",
          stableFor,
          servedBy == null || servedBy.isBlank() ? "its peer" : servedBy,
          skipCatchUp ? " (not awaited: --skip-catch-up)" : " (replicationProbe)",
          servedBy == null || servedBy.isBlank() ? "its peer" : servedBy,
          region);
    }

    @Override
    ApprovalMode mode(Topology topology) {
      FailbackPolicy failback = failback(topology);
      return failback == null || failback.getMode() == null
          ? ApprovalMode.Manual
          : failback.getMode();
    }

    @Override
    String modeField() {
      return "spec.failover.failback.mode";
    }

    @Override
    boolean arrived(RegionStatus status) {
      return status.getPhase() == RegionPhase.Active
          && (status.getServedBy() == null || status.getServedBy().isBlank());
    }

    @Override
    String destination() {
      return "Active";
    }

    private static FailbackPolicy failback(Topology topology) {
      FailoverPolicy policy = failoverPolicy(topology);
      return policy == null ? null : policy.getFailback();
    }
  }
}
