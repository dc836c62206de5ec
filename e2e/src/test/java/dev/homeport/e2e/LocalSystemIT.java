package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's bring-up command, run the way CI can: everything starts, is shown, and stops. */
class LocalSystemIT {

  @Test
  void bringUpInstallsTheCrdsAndStartsARedisPerRegion(@TempDir Path state) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    LocalSystem.Up up = new LocalSystem.Up(new PrintStream(printed, true, StandardCharsets.UTF_8));

    int exit = new CommandLine(up).execute("--smoke", "--state-dir", state.toString());

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(output).isZero();
    assertThat(output)
        .contains("customresourcedefinition.apiextensions.k8s.io/regiontopologies.homeport.dev")
        .contains("regiontopology.homeport.dev/global")
        .contains("redis=redis://127.0.0.1:16381")
        .contains("redis=redis://127.0.0.1:16382")
        .contains("redis=redis://127.0.0.1:16383")
        .contains("homeassignments.homeport.dev")
        .contains("Homeport local system is ready.")
        .contains("Stopped (smoke run).");
    assertThat(Files.exists(state.resolve("kubeconfig"))).isTrue();
    assertThat(Files.exists(state.resolve("pids"))).as("nothing left to clean").isFalse();
  }
}
