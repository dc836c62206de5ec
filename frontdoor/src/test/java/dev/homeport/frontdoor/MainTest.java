package dev.homeport.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new CommandLine(new Main(new PrintStream(err, true, StandardCharsets.UTF_8)))
        .execute(args);
  }

  @Test
  void aRouteWithoutPolicyRefusesToStart(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("mumbai.yaml");
    Files.writeString(
        config, Files.readString(Path.of("config/mumbai.yaml")).replace("    policy: local\n", ""));

    assertThat(run("--config", config.toString())).isEqualTo(Main.BAD_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("routes[2].policy is missing")
        .contains("there is no implicit last-writer-wins");
  }

  @Test
  void aMissingConfigFileRefusesToStart() {
    assertThat(run("--config", "config/absent.yaml")).isEqualTo(Main.BAD_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("file config/absent.yaml does not exist");
  }
}
