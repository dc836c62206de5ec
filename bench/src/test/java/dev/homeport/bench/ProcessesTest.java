package dev.homeport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessesTest {

  @Test
  void quotesOnlyWhatTheShellWouldSplitOrInterpret() {
    assertThat(
            Processes.shell(
                List.of(
                    "taskset",
                    "-c",
                    "1",
                    "wrk",
                    "-H",
                    "X-User-Id: user-1",
                    "http://127.0.0.1:1/a")))
        .isEqualTo("taskset -c 1 wrk -H 'X-User-Id: user-1' http://127.0.0.1:1/a");
    assertThat(Processes.shell(List.of("echo", "it's"))).isEqualTo("echo 'it'\\''s'");
  }
}
