package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's bring-up command, run the way CI can: everything starts, is shown, and stops. */
class LocalSystemIT {

  @Test
  void bringUpStartsThreeRegionsThatServeEveryKeyAtItsHome(@TempDir Path state) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    HomeportLocal.Up up =
        new HomeportLocal.Up(new PrintStream(printed, true, StandardCharsets.UTF_8));

    int exit = new CommandLine(up).execute("--smoke", "--state-dir", state.toString());

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(output).isZero();
    assertThat(output)
        .contains("customresourcedefinition.apiextensions.k8s.io/regiontopologies.homeport.dev")
        .contains("regiontopology.homeport.dev/global created")
        .contains("redis redis://127.0.0.1:16381")
        .contains("front-door http://127.0.0.1:18082")
        .contains("application http://127.0.0.1:17083")
        .contains("Homeport local system is ready.")
        .contains("Stopped (smoke run).");
    // kubectl get regiontopologies: every region Active.
    assertThat(output)
        .containsPattern("global\\s.*mumbai:Active frankfurt:Active singapore:Active");
    // A write for a key of each region, sent to every front-door, is served by its home.
    for (String home : List.of("mumbai", "frankfurt", "singapore")) {
      assertThat(output.lines().filter(line -> line.contains("-> 200 served by " + home)))
          .as("writes for a key homed in " + home + " through all three front-doors")
          .hasSize(3);
    }
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
                HomeportLocal.class.getName(),
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
    HomeportLocal.Up up =
        new HomeportLocal.Up(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int exit = new CommandLine(up).execute("--smoke", "--state-dir", state.toString());

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(output).isZero();
    assertThat(output.lines().filter(line -> line.contains("left by an earlier run")))
        .as(
            "etcd, kube-apiserver, toxiproxy-server, three redis-servers, three front-doors and"
                + " the operator of the crashed run")
        .hasSize(10);
    assertThat(output).contains("Homeport local system is ready.");
  }
}
