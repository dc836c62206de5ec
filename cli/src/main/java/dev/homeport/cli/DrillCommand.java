package dev.homeport.cli;

import dev.homeport.cli.format.DrillReport;
import dev.homeport.cli.format.Durations;
import dev.homeport.cli.format.Json;
import dev.homeport.cli.kube.Cluster;
import dev.homeport.cli.kube.DrillView;
import dev.homeport.cli.kube.Topology;
import dev.homeport.crds.v1alpha1.Validation;
import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl homeport drill start|status|abort|report}: planned failovers of one region,
 * guard-railed by the operator, which records each in the RegionTopology's {@code status.drills[]}.
 */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description = {
      "Failover drills: fail a region over to its peer on purpose, verify with synthetic"
          + " requests, hold, fail back, and keep a report (RTO, RPO proxy, errors).",
      "",
      "The operator refuses a drill while another region is failed over or another drill runs,"
          + " inside a blocked window of spec.drillPolicy, or when the peer lacks capacity; it"
          + " aborts one (failing back at once) when spec.drillPolicy.abortIf thresholds are"
          + " crossed."
    },
    subcommands = {
      DrillCommand.Start.class,
      DrillCommand.Status.class,
      DrillCommand.Abort.class,
      DrillCommand.Report.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  kubectl homeport drill start frankfurt --hold 10m --id Q4-2026 --wait 30m",
      "  kubectl homeport drill status",
      "  kubectl homeport drill abort",
      "  kubectl homeport drill report Q4-2026 --format md > drill-Q4-2026.md"
    })
final class DrillCommand implements Runnable {

  /** The annotation that asks the operator to abort the running drill of that id. */
  static final String ABORT_DRILL = "homeport.dev/abort-drill";

  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** One line about a running drill, for {@code status}. */
  static String runningLine(DrillView drill, Instant now) {
    StringBuilder line =
        new StringBuilder("Drill ")
            .append(drill.id())
            .append(" is ")
            .append(drill.state())
            .append(": ")
            .append(drill.region())
            .append(" -> ")
            .append(drill.peer() == null ? "its peer" : drill.peer());
    Instant started = Durations.instant(drill.startedAt());
    if (started != null) {
      line.append(", started ").append(Durations.ago(started, now));
    }
    Instant holdUntil = Durations.instant(drill.holdUntil());
    if (holdUntil != null) {
      line.append(", holds until ")
          .append(drill.holdUntil())
          .append(" (")
          .append(Durations.expiry(holdUntil, now))
          .append(')');
    }
    if (drill.rto() != null) {
      line.append(", RTO ").append(drill.rto());
    }
    return line.toString();
  }

  /** The fields of a drill, one per line, those it has. */
  static String details(DrillView drill, Instant now) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(
        "Region", drill.region() + " -> " + (drill.peer() == null ? "its peer" : drill.peer()));
    Instant started = Durations.instant(drill.startedAt());
    if (started != null) {
      fields.put("Started", drill.startedAt() + " (" + Durations.ago(started, now) + ")");
      if (drill.running()) {
        fields.put("Elapsed", Durations.human(Duration.between(started, now)));
      }
    }
    Instant holdUntil = Durations.instant(drill.holdUntil());
    put(fields, "Hold", drill.holdFor());
    if (holdUntil != null && drill.running()) {
      fields.put("Hold until", drill.holdUntil() + " (" + Durations.expiry(holdUntil, now) + ")");
    }
    Instant finished = Durations.instant(drill.finishedAt());
    if (finished != null) {
      fields.put("Finished", drill.finishedAt() + " (" + Durations.ago(finished, now) + ")");
    }
    put(fields, drill.running() ? "RTO so far" : "RTO", drill.rto());
    put(fields, "RPO proxy", drill.rpo());
    put(fields, "Replication lag", drill.replicationLag());
    put(fields, "p99 latency", drill.p99Latency());
    if (drill.errors() != null || drill.syntheticRequests() != null) {
      fields.put(
          "Errors",
          (drill.errors() == null ? "-" : drill.errors().toString())
              + (drill.syntheticRequests() == null
                  ? ""
                  : " of " + drill.syntheticRequests() + " synthetic requests"));
    }
    put(fields, "Routing epochs", drill.epochs());
    put(fields, "Reason", drill.reason());
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
    StringBuilder text = new StringBuilder("Drill ").append(drill.id()).append(": ");
    text.append(drill.state()).append('\n');
    fields.forEach(
        (name, value) ->
            text.append("  ")
                .append(name)
                .append(':')
                .append(" ".repeat(width - name.length()))
                .append(value)
                .append('\n'));
    return text.toString();
  }

  private static void put(Map<String, String> fields, String name, String value) {
    if (value != null && !value.isBlank()) {
      fields.put(name, value);
    }
  }

  /** The newest drill, for messages: {@code Q3-2026 (Succeeded)}. */
  private static String last(Topology topology) {
    return topology
        .lastDrill()
        .map(d -> "; the last one was " + d.id() + " (" + d.state() + ")")
        .orElse("");
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Start a failover drill of a region: sets spec.drill on the RegionTopology. The operator"
            + " runs pre-checks, fences the region, waits for replication to catch up, lets its"
            + " peer serve its keys, verifies with synthetic requests, holds, fails back and"
            + " verifies again.",
        "",
        "Refused here when a drill is already running; the operator refuses it (see --wait) when"
            + " its pre-checks fail."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  kubectl homeport drill start frankfurt",
        "  kubectl homeport drill start frankfurt --hold 10m --id Q4-2026 --wait 30m"
      })
  static final class Start implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<region>", description = "The region to fail over.")
    String region;

    @Option(
        names = "--hold",
        paramLabel = "<duration>",
        defaultValue = "10m",
        description = "How long the peer serves the region's keys (default: ${DEFAULT-VALUE}).")
    String hold;

    @Option(
        names = "--id",
        paramLabel = "<id>",
        description =
            "Identifier of the drill and its report, e.g. Q4-2026 (default:"
                + " drill-<region>-<yyyyMMdd-HHmmss>).")
    String id;

    @Option(
        names = "--wait",
        paramLabel = "<duration>",
        converter = Waiting.DurationConverter.class,
        description =
            "Wait up to this long (e.g. 30m) for the drill to end, printing its phases; exit 0"
                + " when it Succeeded, 1 when it was Refused, Aborted or Failed (with the reason)"
                + " or is still running.")
    Duration wait;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      Main main = Main.of(spec);
      if (Durations.parse(hold) == null || !hold.matches(Validation.DURATION)) {
        throw CliException.of(
            ExitCode.USAGE, "--hold %s is not a duration; write it like 10m, 90s or 1h", hold);
      }
      String drillId =
          id != null ? id : "drill-" + region + "-" + ID_TIME.format(main.clock().instant());
      if (drillId.length() > 63 || !drillId.matches(Validation.DRILL_ID)) {
        throw CliException.of(
            ExitCode.USAGE,
            "--id %s is not a drill id: up to 63 letters, digits, '-', '_' or '.', starting and"
                + " ending with a letter or digit (e.g. Q4-2026)",
            drillId);
      }
      PrintWriter out = spec.commandLine().getOut();
      try (Cluster cluster = main.connect()) {
        AtomicBoolean requested = new AtomicBoolean();
        Topology topology =
            cluster.patchTopology(
                current -> {
                  current.requireRegion(region);
                  if (requested.get()
                      && current.drill(drillId).map(d -> region.equals(d.region())).orElse(false)) {
                    // An earlier attempt of this command landed although its answer did not
                    // (a timeout, then a conflict on the retry): the drill is this request's own.
                    return null;
                  }
                  Optional<DrillView> running = current.runningDrill();
                  if (running.isPresent()) {
                    throw CliException.of(
                        ExitCode.FAILED,
                        "%s; one drill at a time: wait for it to end (kubectl homeport drill"
                            + " status) or abort it (kubectl homeport drill abort)",
                        runningLine(running.get(), main.clock().instant()));
                  }
                  Optional<DrillView> earlier = current.drill(drillId);
                  if (earlier.isPresent()) {
                    throw CliException.of(
                        ExitCode.USAGE,
                        "drill id %s was already used (%s); the operator does not run an id"
                            + " twice: choose another --id",
                        drillId,
                        earlier.get().state());
                  }
                  Optional<DrillSpec> pending = current.pendingDrill();
                  if (pending.isPresent()) {
                    if (pending.get().getId().equals(drillId)
                        && region.equals(pending.get().getRegion())) {
                      return null;
                    }
                    throw CliException.of(
                        ExitCode.FAILED,
                        "drill %s of %s is requested and the operator has not started it yet; is"
                            + " the operator running? Check kubectl homeport status",
                        pending.get().getId(),
                        pending.get().getRegion());
                  }
                  requested.set(true);
                  Map<String, Object> drill = new LinkedHashMap<>();
                  drill.put("id", drillId);
                  drill.put("region", region);
                  drill.put("holdFor", hold);
                  return Map.of("spec", Map.of("drill", drill));
                });
        out.printf(
            "%s drill %s on RegionTopology %s: %s fails over to its peer, which serves its keys"
                + " for %s; then it fails back.%n",
            requested.get() ? "Requested" : "Already requested",
            drillId,
            topology.name(),
            region,
            hold);
        if (wait == null) {
          out.println("Follow it:  kubectl homeport drill status");
          out.println("Abort it:   kubectl homeport drill abort");
          out.println("Report:     kubectl homeport drill report " + drillId);
          out.flush();
          return ExitCode.OK;
        }
        out.flush();
        Optional<Topology> done =
            new Waiting<Topology>(wait, out)
                .until(
                    cluster::topology,
                    t ->
                        t.drill(drillId)
                            .map(DrillView::state)
                            .orElse("Requested: waiting for the operator to start it"),
                    t -> t.drill(drillId).map(d -> !d.running()).orElse(false));
        if (done.isEmpty()) {
          throw CliException.of(
              ExitCode.FAILED,
              "drill %s is still %s after %s; it goes on: follow it with kubectl homeport drill"
                  + " status or abort it with kubectl homeport drill abort",
              drillId,
              cluster.topology().drill(drillId).map(DrillView::state).orElse("not started"),
              Durations.human(wait));
        }
        DrillView drill = done.get().drill(drillId).orElseThrow();
        if (!"Succeeded".equals(drill.result())) {
          throw CliException.of(
              ExitCode.FAILED,
              "%s: %s",
              drill.result(),
              drill.reason() == null ? "the operator gave no reason" : drill.reason());
        }
        out.print(details(drill, main.clock().instant()));
        out.println("Report: kubectl homeport drill report " + drillId);
        out.flush();
        return ExitCode.OK;
      }
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Show the running drill (phase, elapsed, hold until, RTO so far), or the last one.",
      footerHeading = "%nExamples:%n",
      footer = {"  kubectl homeport drill status"})
  static final class Status implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Main main = Main.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (Cluster cluster = main.connect()) {
        Topology topology = cluster.topology();
        Instant now = main.clock().instant();
        Optional<DrillView> running = topology.runningDrill();
        Optional<DrillSpec> pending = topology.pendingDrill();
        if (running.isPresent()) {
          out.print(details(running.get(), now));
        } else if (pending.isPresent()) {
          out.printf(
              "Drill %s of %s is requested; the operator has not started it yet.%n",
              pending.get().getId(), pending.get().getRegion());
        } else if (topology.lastDrill().isPresent()) {
          out.println("No drill is running. The last one:");
          out.print(details(topology.lastDrill().get(), now));
        } else {
          out.printf(
              "No drills on RegionTopology %s yet. Start one: kubectl homeport drill start"
                  + " <region>%n",
              topology.name());
        }
        out.flush();
      }
      return ExitCode.OK;
    }
  }

  @Command(
      name = "abort",
      mixinStandardHelpOptions = true,
      description = {
        "Abort the running drill: sets the homeport.dev/abort-drill annotation. The operator fails"
            + " the region back at once and records why."
      },
      footerHeading = "%nExamples:%n",
      footer = {"  kubectl homeport drill abort", "  kubectl homeport drill abort --id Q4-2026"})
  static final class Abort implements Callable<Integer> {

    @Option(
        names = "--id",
        paramLabel = "<id>",
        description = "The drill to abort; refused unless it is the running one (default: it).")
    String id;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Main main = Main.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (Cluster cluster = main.connect()) {
        AtomicReference<DrillView> aborted = new AtomicReference<>();
        Topology topology =
            cluster.patchTopology(
                current -> {
                  DrillView running =
                      current
                          .runningDrill()
                          .orElseThrow(
                              () ->
                                  CliException.of(
                                      ExitCode.FAILED,
                                      "no drill is running on RegionTopology %s%s",
                                      current.name(),
                                      last(current)));
                  if (id != null && !id.equals(running.id())) {
                    throw CliException.of(
                        ExitCode.FAILED,
                        "drill %s is not running; the running drill is %s (abort it without"
                            + " --id)",
                        id,
                        running.id());
                  }
                  aborted.set(running);
                  return Map.of(
                      "metadata", Map.of("annotations", Map.of(ABORT_DRILL, running.id())));
                });
        DrillView drill = aborted.get();
        out.printf(
            "Asked the operator to abort drill %s (%s=%s on RegionTopology %s): it fails %s back"
                + " at once and records why.%n",
            drill.id(), ABORT_DRILL, drill.id(), topology.name(), drill.region());
        out.println("Follow it: kubectl homeport drill status");
        out.flush();
      }
      return ExitCode.OK;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "Print the report of a drill from status.drills: region, peer, result, times, RTO, RPO"
              + " proxy, replication lag, errors, synthetic requests, routing epochs, reason.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  kubectl homeport drill report Q4-2026",
        "  kubectl homeport drill report Q4-2026 --format json | jq .rto"
      })
  static final class Report implements Callable<Integer> {

    /** Formats of {@code --format}. */
    enum Format {
      md,
      json
    }

    @Parameters(index = "0", paramLabel = "<id>", description = "The drill's id.")
    String id;

    @Option(
        names = "--format",
        paramLabel = "<format>",
        defaultValue = "md",
        description = "md (Markdown, default) or json (the record as stored).")
    Format format;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Main main = Main.of(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (Cluster cluster = main.connect()) {
        Topology topology = cluster.topology();
        DrillView drill =
            topology
                .drill(id)
                .orElseThrow(
                    () -> {
                      List<String> ids = topology.drills().stream().map(DrillView::id).toList();
                      return CliException.of(
                          ExitCode.UNAVAILABLE,
                          "no drill %s in RegionTopology %s; recorded drills: %s",
                          id,
                          topology.name(),
                          ids.isEmpty() ? "none" : String.join(", ", ids));
                    });
        out.print(
            format == Format.json ? Json.pretty(drill.fields()) : DrillReport.markdown(drill));
        out.flush();
      }
      return ExitCode.OK;
    }
  }
}
