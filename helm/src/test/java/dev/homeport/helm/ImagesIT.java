package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images {@code mvn package} builds with Jib and no Docker daemon (target/jib-image.tar in the
 * front-door and operator modules) are valid image tarballs, named as the chart refers to them,
 * running Java from the image itself as a non-root user.
 */
class ImagesIT {

  @ParameterizedTest
  @ValueSource(strings = {"frontdoor", "operator"})
  void imageTarballIsValidAndNamedAsTheChartRefersToIt(String module) throws Exception {
    Path tar = ProjectPaths.root().resolve(module + "/target/jib-image.tar");
    assertThat(tar)
        .as("build the images first: mvn -pl %s -am package -DskipTests", module)
        .isRegularFile();
    Path dir = Files.createTempDirectory("homeport-image-");
    expectSuccess(run(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()), dir));

    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertThat(manifest.size()).isEqualTo(1);
    JsonNode config =
        new ObjectMapper().readTree(dir.resolve(manifest.get(0).path("Config").asText()).toFile());

    // The chart's default image for this component is this image's name.
    JsonNode values = new YAMLMapper().readTree(Helm.chart().resolve("values.yaml").toFile());
    String appVersion =
        new YAMLMapper()
            .readTree(Helm.chart().resolve("Chart.yaml").toFile())
            .path("appVersion")
            .asText();
    String repository =
        values
            .path(module.equals("frontdoor") ? "frontDoor" : "operator")
            .path("image")
            .path("repository")
            .asText();
    assertThat(manifest.get(0).path("RepoTags").get(0).asText())
        .isEqualTo(repository + ":" + appVersion);

    assertThat(config.path("os").asText()).isEqualTo("linux");
    assertThat(config.path("config").path("User").asText()).isEqualTo("65532:65532");
    List<String> entrypoint = new ArrayList<>();
    config.path("config").path("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
    assertThat(entrypoint).startsWith("/opt/java/bin/java");
    assertThat(entrypoint).last().asString().startsWith("dev.homeport." + module);

    // Every layer is there and is what the config's diff_ids say (sha256 of the uncompressed tar).
    JsonNode layers = manifest.get(0).path("Layers");
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    assertThat(layers.size()).isEqualTo(diffIds.size()).isGreaterThan(1);
    for (int i = 0; i < layers.size(); i++) {
      assertThat("sha256:" + uncompressedSha256(dir.resolve(layers.get(i).asText())))
          .isEqualTo(diffIds.get(i).asText());
    }

    // The image brings its own Java and C library; the non-root user exists.
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    for (JsonNode layer : layers) {
      expectSuccess(
          run(
              List.of(
                  "tar", "-xzf", dir.resolve(layer.asText()).toString(), "-C", rootfs.toString()),
              dir));
    }
    assertThat(rootfs.resolve("opt/java/bin/java")).isExecutable();
    assertThat(rootfs.resolve("app/jib-classpath-file")).isRegularFile();
    assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains(":65532:65532:");
    assertThat(rootfs.resolve("lib64/ld-linux-x86-64.so.2")).exists();

    // Run the image's own entrypoint in its root filesystem, as its user (needs root to chroot).
    if (canChroot()) {
      Files.createDirectories(rootfs.resolve("proc"));
      List<String> command =
          new ArrayList<>(
              List.of(
                  "unshare",
                  "--mount",
                  "--pid",
                  "--fork",
                  "--mount-proc=" + rootfs.resolve("proc"),
                  "chroot",
                  "--userspec=65532:65532",
                  rootfs.toString()));
      command.addAll(entrypoint);
      command.add("--help");
      CommandResult help = run(command, dir);
      assertThat(help.succeeded()).as("%s", help).isTrue();
      assertThat(help.stdout()).contains("Usage: homeport-" + module);
    }
    expectSuccess(run(List.of("rm", "-rf", dir.toString()), ProjectPaths.root()));
  }

  private static boolean canChroot() {
    return "root".equals(System.getProperty("user.name"))
        && run(List.of("unshare", "--version"), ProjectPaths.root()).succeeded();
  }

  private static String uncompressedSha256(Path gzip) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in =
        new DigestInputStream(new GZIPInputStream(Files.newInputStream(gzip)), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static CommandResult run(List<String> command, Path dir) {
    return CommandResult.run(command, dir, 120, TimeUnit.SECONDS);
  }

  private static void expectSuccess(CommandResult result) {
    assertThat(result.succeeded()).as("%s", result).isTrue();
  }
}
