package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.ToolCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The pinned helm binary (e2e/bin/helm.sh builds it) run against the chart in helm/homeport. */
final class Helm {

  static final String NAMESPACE = "homeport";

  private Helm() {}

  static Path chart() {
    return ProjectPaths.root().resolve("helm/homeport");
  }

  static Path example(String region) {
    return chart().resolve("examples/" + region + ".yaml");
  }

  /** The pinned helm ({@link ToolCache#helm()}). */
  static Path binary() {
    return ToolCache.helm();
  }

  static CommandResult run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(args);
    return CommandResult.run(command, ProjectPaths.root(), 120, TimeUnit.SECONDS);
  }

  /** {@code helm template homeport-<region>} with values files and {@code --set} arguments. */
  static CommandResult template(String region, List<Path> valuesFiles, List<String> sets) {
    List<String> args =
        new ArrayList<>(List.of("template", "homeport-" + region, chart().toString()));
    args.addAll(List.of("--namespace", NAMESPACE));
    for (Path file : valuesFiles) {
      args.addAll(List.of("--values", file.toString()));
    }
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    return run(args);
  }

  /** Renders an example region's chart, with extra {@code --set}s; fails the test if helm fails. */
  static Rendered render(String region, String... sets) {
    CommandResult result = template(region, List.of(example(region)), List.of(sets));
    assertThat(result.succeeded()).as("%s", result).isTrue();
    return Rendered.parse(result.stdout());
  }

  /** A values file in a temporary folder, for values the examples do not have. */
  static Path valuesFile(String yaml) {
    try {
      Path file = Files.createTempFile("homeport-values-", ".yaml");
      file.toFile().deleteOnExit();
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
