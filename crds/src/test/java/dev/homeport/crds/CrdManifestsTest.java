package dev.homeport.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code crds/*.yaml} are the manifests users apply; they must be exactly what the
 * CRD generator makes of the model. After changing the model, regenerate them with
 *
 * <pre>
 * mvn -pl crds -am test -Dtest=CrdManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dhomeport.crds.write=true
 * </pre>
 */
class CrdManifestsTest {

  private static final String REGENERATE =
      "mvn -pl crds -am test -Dtest=CrdManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dhomeport.crds.write=true";

  private final Path committedDir = Paths.get(System.getProperty("homeport.crds.dir", "."));
  private final Path generatedDir =
      Paths.get(System.getProperty("homeport.crds.generated", "target/classes/META-INF/fabric8"));

  @Test
  void committedManifestsMatchTheModel() throws IOException {
    Map<String, String> generated = read(generatedDir, ".yml");
    assertThat(generated)
        .as("CRDs generated from the model in %s", generatedDir)
        .containsOnlyKeys("homeassignments.homeport.dev", "regiontopologies.homeport.dev");

    if (Boolean.getBoolean("homeport.crds.write")) {
      for (Map.Entry<String, String> crd : generated.entrySet()) {
        Files.writeString(
            committedDir.resolve(crd.getKey() + ".yaml"), crd.getValue(), StandardCharsets.UTF_8);
      }
    }

    Map<String, String> committed = read(committedDir, ".yaml");
    assertThat(committed.keySet())
        .as("CRD files in crds/ (stale or missing files); regenerate with: %s", REGENERATE)
        .isEqualTo(generated.keySet());
    for (String name : generated.keySet()) {
      assertThat(committed.get(name))
          .as(
              "crds/%s.yaml differs from the model: it was edited by hand or the model changed"
                  + " without regenerating. Regenerate with: %s",
              name, REGENERATE)
          .isEqualTo(generated.get(name));
    }
  }

  private static Map<String, String> read(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .filter(p -> p.getFileName().toString().contains(".homeport.dev"))
          .collect(
              Collectors.toMap(
                  p -> p.getFileName().toString().replaceAll("(-v1)?\\" + suffix + "$", ""),
                  CrdManifestsTest::content,
                  (a, b) -> a,
                  TreeMap::new));
    }
  }

  private static String content(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
