package dev.homeport.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.homeport.cli.kube.Cluster;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code kubectl homeport}: the root command, its cluster options (accepted before or after the
 * subcommand, like kubectl's) and the mapping of failures to messages and exit codes.
 */
@Command(
    name = "kubectl homeport",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Operate a Homeport estate: region status, failover and failback approvals, re-homing of"
          + " keys and failover drills.",
      "",
      "Uses your kubeconfig like kubectl: KUBECONFIG or ~/.kube/config, the current context or"
          + " --context. Install by putting kubectl-homeport on your PATH."
    },
    subcommands = {
      StatusCommand.class,
      ApprovalCommand.Failover.class,
      ApprovalCommand.Failback.class,
      RehomeCommand.class,
      DrillCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  kubectl homeport status",
      "  kubectl homeport failover frankfurt --approve --wait 5m",
      "  kubectl homeport rehome --keys tenant-42 --to frankfurt",
      "  kubectl homeport drill start frankfurt --hold 10m --id Q4-2026 --wait 30m",
      "  kubectl homeport drill report Q4-2026 --format md"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:the operation failed or was refused (by the plugin, the operator or the API server)",
      "2:bad usage or input (a missing --approve, an unknown region, an invalid option)",
      "3:cannot reach the cluster, or the object is not there (topology, drill)"
    })
public final class Main implements Runnable {

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "<file>",
      description = "Kubeconfig file (default: KUBECONFIG, else ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "<name>",
      description = "Kubeconfig context to use (default: the current context).")
  String context;

  @Option(
      names = "--topology",
      scope = ScopeType.INHERIT,
      paramLabel = "<name>",
      defaultValue = "global",
      description = "The RegionTopology to act on (default: ${DEFAULT-VALUE}).")
  String topology;

  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      paramLabel = "<namespace>",
      description =
          "Namespace of HomeAssignments (default: the context's namespace, else default).")
  String namespace;

  @CommandLine.Spec CommandSpec spec;

  private final Clock clock;

  public Main() {
    this(Clock.systemUTC());
  }

  /** With a clock of the test's choosing, for the times the commands print and generate. */
  public Main(Clock clock) {
    this.clock = clock;
  }

  public static void main(String[] args) {
    CommandLine commandLine = commandLine(new Main());
    // UTF-8 whatever the locale, as kubectl writes: records carry text such as "41→42→44".
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(System.out, UTF_8), true));
    commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, UTF_8), true));
    System.exit(commandLine.execute(args));
  }

  /** The command line of {@code main} with its failure handling, for tests to run in process. */
  public static CommandLine commandLine(Main main) {
    CommandLine commandLine = new CommandLine(main);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(Main::handle);
    commandLine.setParameterExceptionHandler(Main::badUsage);
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The root command of a subcommand's spec. */
  static Main of(CommandSpec spec) {
    return (Main) spec.root().userObject();
  }

  /** Connects with the cluster options given on the command line. */
  Cluster connect() {
    return Cluster.connect(kubeconfig, context, namespace, topology);
  }

  Clock clock() {
    return clock;
  }

  /** Like kubectl: the error and where to find the usage, not the whole usage. */
  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("error: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.printf("See '%s --help' for usage.%n", commandLine.getCommandSpec().qualifiedName());
    err.flush();
    return ExitCode.USAGE;
  }

  private static int handle(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    CliException failure;
    if (e instanceof CliException cli) {
      failure = cli;
    } else if (e instanceof KubernetesClientException kube) {
      failure = new CliException(ExitCode.FAILED, kube.getMessage(), kube);
    } else if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      failure = new CliException(ExitCode.FAILED, "interrupted");
    } else {
      failure = new CliException(ExitCode.FAILED, "unexpected failure: " + e, e);
    }
    commandLine.getErr().println("error: " + failure.getMessage());
    commandLine.getErr().flush();
    return failure.exitCode();
  }

  /** The build's version, from a resource Maven writes at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties build = new java.util.Properties();
      try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          build.load(in);
        }
      }
      return new String[] {"kubectl-homeport " + build.getProperty("version", "(unknown version)")};
    }
  }
}
