package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's crds/ are committed copies of the CRD manifests generated into crds/ (the one source,
 * itself generated from the Java model); this test fails on any drift.
 */
class ChartCrdsTest {

  private static final String FIX =
      "copy them again: cp crds/*.homeport.dev.yaml helm/homeport/crds/";

  @Test
  void chartCrdsAreTheGeneratedManifestsByteForByte() throws IOException {
    Path generated = ProjectPaths.root().resolve("crds");
    Path chart = Helm.chart().resolve("crds");

    List<String> generatedNames = manifests(generated);
    assertThat(generatedNames).isNotEmpty();
    assertThat(manifests(chart)).as(FIX).containsExactlyElementsOf(generatedNames);
    for (String name : generatedNames) {
      assertThat(Files.readString(chart.resolve(name)))
          .as("helm/homeport/crds/%s differs from crds/%s; %s", name, name, FIX)
          .isEqualTo(Files.readString(generated.resolve(name)));
    }
  }

  private static List<String> manifests(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }
}
