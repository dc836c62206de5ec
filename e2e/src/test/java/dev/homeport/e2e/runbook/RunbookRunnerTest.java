package dev.homeport.e2e.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against bash itself: no servers. */
class RunbookRunnerTest {

  @TempDir Path dir;

  private RunbookRunner runner() {
    return RunbookRunner.builder(dir).blockTimeout(Duration.ofSeconds(20)).build();
  }

  @Test
  void variablesAndFunctionsCarryOverFromBlockToBlockAndTheEnvironmentOverridesDefaults() {
    RunbookPage page =
        RunbookPage.parse(
            "vars.md",
            """
            ```sh
            : "${REGION:=mumbai}"
            : "${PEER:=singapore}"
            hosts=(a b)
            greet() { echo "hello $1"; }
            ```

            ```sh
            echo "$REGION -> $PEER, ${#hosts[@]} hosts"
            greet "$REGION"
            ```
            """);

    RunbookRunner.Result result = runner().run(page, Map.of("REGION", "frankfurt"));

    assertThat(result.output(2)).isEqualTo("frankfurt -> singapore, 2 hosts\nhello frankfurt\n");
    assertThat(result.log())
        .content(StandardCharsets.UTF_8)
        .contains("=== vars.md, command block 2 of 2 (line 9)")
        .contains("$ greet \"$REGION\"")
        .contains("--- exit 0");
  }

  @Test
  void blocksRunInThePagesWorkDirectoryWithTheToolsFirstOnPath() throws Exception {
    Path tool = dir.resolve("fake-kubectl");
    Files.writeString(tool, "#!/bin/sh\necho \"fake kubectl $*\"\n");
    tool.toFile().setExecutable(true);
    RunbookPage page =
        RunbookPage.parse("tools.md", "```sh\nkubectl get pods\necho report > report.md\n```\n");

    RunbookRunner.Result result =
        RunbookRunner.builder(dir).tool("kubectl", tool).build().run(page, Map.of());

    assertThat(result.output()).isEqualTo("fake kubectl get pods\n");
    assertThat(dir.resolve("tools/report.md")).hasContent("report");
  }

  @Test
  void aFailingCommandIsReportedWithThePageBlockLineCommandAndOutput() {
    RunbookPage page =
        RunbookPage.parse(
            "drill.md",
            """
            # Drill

            ```sh
            echo fine
            ```

            ```sh
            echo "checking"
            false | cat
            echo "never printed"
            ```
            """);

    assertThatThrownBy(() -> runner().run(page, Map.of()))
        .isInstanceOfSatisfying(
            RunbookFailure.class,
            failure -> {
              assertThat(failure.page()).isEqualTo("drill.md");
              assertThat(failure.block()).isEqualTo(2);
              assertThat(failure.line()).isEqualTo(9);
            })
        .hasMessageContaining(
            "Runbook drill.md, command block 2 of 2 (line 8) failed: exit status 1 at line 9")
        .hasMessageContaining("  > false | cat")
        .hasMessageEndingWith(
            "Output (last 60 lines; the whole run is in %s):%n  checking%n"
                .formatted(dir.resolve("drill.log")));
  }

  @Test
  void anUnsetRequiredVariableFailsTheBlock() {
    RunbookPage page =
        RunbookPage.parse(
            "token.md", "```sh\n: \"${ADMIN_TOKEN:?set ADMIN_TOKEN}\"\necho after\n```\n");

    assertThatThrownBy(() -> runner().run(page, Map.of()))
        .isInstanceOf(RunbookFailure.class)
        .hasMessageContaining("failed: exit status 1 at line 2")
        .hasMessageContaining("  > : \"${ADMIN_TOKEN:?set ADMIN_TOKEN}\"")
        .hasMessageEndingWith("line 1: ADMIN_TOKEN: set ADMIN_TOKEN\n");
  }

  @Test
  void aBlockRunningPastTheTimeOutIsKilledWithItsChildren() {
    RunbookPage page = RunbookPage.parse("slow.md", "```sh\necho start\nsleep 30 | cat\n```\n");
    long started = System.nanoTime();

    assertThatThrownBy(
            () ->
                RunbookRunner.builder(dir)
                    .blockTimeout(Duration.ofSeconds(1))
                    .build()
                    .run(page, Map.of()))
        .isInstanceOf(RunbookFailure.class)
        .hasMessageContaining("failed: timed out after 1.0s")
        .hasMessageContaining("start");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void standInsRunAfterTheBlockTheyFollowAndBeforeTheNext() {
    RunbookPage page =
        RunbookPage.parse(
            "op.md",
            """
            ```sh
            echo restart > restarted
            ```
            ```sh
            cat started
            ```
            """);
    List<String> order = new ArrayList<>();

    RunbookRunner.Result result =
        runner()
            .run(
                page,
                Map.of(),
                StandIn.after(
                    "> restarted",
                    "start the process",
                    () -> {
                      order.add("stand-in");
                      Files.writeString(dir.resolve("op/started"), "process started\n");
                    }));

    assertThat(order).containsExactly("stand-in");
    assertThat(result.output(2)).isEqualTo("process started\n");
    assertThat(result.log())
        .content(StandardCharsets.UTF_8)
        .contains("--- stand-in on the local system: start the process");
  }

  @Test
  void aStandInMustFollowExactlyOneBlock() {
    RunbookPage page = RunbookPage.parse("op.md", "```sh\necho a\n```\n```sh\necho a\n```\n");

    assertThatThrownBy(() -> runner().run(page, Map.of(), StandIn.after("echo b", "x", () -> {})))
        .isInstanceOf(RunbookFailure.class)
        .hasMessageContaining("which none of op.md's command blocks contain");
    assertThatThrownBy(() -> runner().run(page, Map.of(), StandIn.after("echo a", "x", () -> {})))
        .isInstanceOf(RunbookFailure.class)
        .hasMessageContaining("which 2 ([line 2, line 5]) of op.md's command blocks contain");
  }

  @Test
  void aFailingStandInFailsTheRunAtItsBlock() {
    RunbookPage page = RunbookPage.parse("op.md", "```sh\necho a\n```\n```sh\necho b\n```\n");

    assertThatThrownBy(
            () ->
                runner()
                    .run(
                        page,
                        Map.of(),
                        StandIn.after(
                            "echo a",
                            "start the operator",
                            () -> {
                              throw new IllegalStateException("operator exited");
                            })))
        .isInstanceOfSatisfying(RunbookFailure.class, f -> assertThat(f.block()).isEqualTo(1))
        .hasMessageContaining("the test's stand-in for it (start the operator) failed")
        .hasMessageContaining("operator exited");
  }
}
