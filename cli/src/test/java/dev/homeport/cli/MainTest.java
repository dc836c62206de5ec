package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.cli.PluginFixture.Run;
import org.junit.jupiter.api.Test;

/** What the plugin answers before it talks to a cluster: help, usage errors, exit codes. */
class MainTest {

  @Test
  void theTopLevelHelpListsTheCommandsAndTheExitCodes() {
    Run run = PluginFixture.runRaw("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Usage: kubectl homeport")
        .contains("status")
        .contains("failover")
        .contains("failback")
        .contains("rehome")
        .contains("drill")
        .contains("Exit codes:")
        .containsPattern("1 +the operation failed or was refused")
        .containsPattern("2 +bad usage or input")
        .containsPattern("3 +cannot reach the cluster, or the object is not there");
  }

  @Test
  void everyCommandHasHelpWithExamples() {
    for (String[] command :
        new String[][] {
          {"status"},
          {"failover"},
          {"failback"},
          {"rehome"},
          {"drill"},
          {"drill", "start"},
          {"drill", "status"},
          {"drill", "abort"},
          {"drill", "report"}
        }) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      Run run = PluginFixture.runRaw(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(run.out()).as(String.join(" ", args)).contains("Examples:");
    }
  }

  @Test
  void usageErrorsAreExitTwoWithAPointerToTheHelp() {
    Run missing = PluginFixture.runRaw("drill", "report");
    Run badWait = PluginFixture.runRaw("drill", "start", "frankfurt", "--wait", "soon");
    Run typo = PluginFixture.runRaw("statsu");

    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err())
        .contains("error: Missing required parameter: '<id>'")
        .contains("See 'kubectl homeport drill report --help' for usage.");
    assertThat(badWait.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(badWait.err()).contains("'soon' is not a duration; write it like 90s, 5m or 1h30m");
    assertThat(typo.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(typo.err()).contains("Did you mean: kubectl homeport status?");
  }

  @Test
  void failoverWithoutApproveIsRefusedBeforeAnythingIsContacted() {
    Run run = PluginFixture.runRaw("failover", "frankfurt", "--kubeconfig=/nonexistent");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .contains("error: failover of frankfurt needs --approve")
        .contains("kubectl homeport failover frankfurt --approve");
  }

  @Test
  void invalidDrillOptionsAreExitTwo() {
    Run hold = PluginFixture.runRaw("drill", "start", "frankfurt", "--hold", "ten minutes");
    Run id = PluginFixture.runRaw("drill", "start", "frankfurt", "--id", "Q4 2026");

    assertThat(hold.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(hold.err()).contains("--hold ten minutes is not a duration");
    assertThat(id.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(id.err()).contains("--id Q4 2026 is not a drill id");
  }

  @Test
  void aMissingKubeconfigFileIsExitTwo() {
    Run run = PluginFixture.runRaw("status", "--kubeconfig", "/nonexistent/config");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("--kubeconfig /nonexistent/config: no such file");
  }
}
