package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  @Test
  void bringUpAfterACrashStopsWhatTheCrashedRunLeft(@TempDir Path state) throws Exception {
    Path log = state.resolve("crashed-run.log");
    Process crashed =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LocalSystem.class.getName(),
                "up",
                "--state-dir",
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> Files.readString(log).contains("Press Ctrl-C"));
    } finally {
      crashed.destroyForcibly().waitFor();
    }

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    LocalSystem.Up up = new LocalSystem.Up(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int exit = new CommandLine(up).execute("--smoke", "--state-dir", state.toString());

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(output).isZero();
    assertThat(output.lines().filter(line -> line.contains("left by an earlier run")))
        .as("etcd, kube-apiserver and three redis-servers of the crashed run")
        .hasSize(5);
    assertThat(output).contains("Homeport local system is ready.");
  }
}
