package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** values.schema.json stops helm (install, template, lint) on bad values, naming the value. */
class ValuesSchemaTest {

  @Test
  void aMissingRegionNameIsRefused() throws IOException {
    Path values = Helm.valuesFile(exampleWithout("region: frankfurt"));

    CommandResult result = Helm.template("frankfurt", List.of(values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr())
        .contains("values don't meet the specifications of the schema")
        .contains("at '': missing property 'region'");
  }

  @Test
  void aRegionNameThatIsNotADnsLabelIsRefused() throws IOException {
    Path values = Helm.valuesFile(exampleWithout("region: frankfurt") + "\nregion: Frankfurt_1\n");

    CommandResult result = Helm.template("frankfurt", List.of(values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr()).contains("at '/region': 'Frankfurt_1' does not match pattern");
  }

  @Test
  void aWrongTypeIsRefusedNamingTheValue() {
    Path values = Helm.valuesFile("frontDoor:\n  replicas: three\n");

    CommandResult result =
        Helm.template("frankfurt", List.of(Helm.example("frankfurt"), values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr()).contains("at '/frontDoor/replicas': got string, want integer");
  }

  @Test
  void lintRefusesWhatInstallWouldRefuse() {
    Path values = Helm.valuesFile("operator:\n  enabled: \"yes\"\n");

    CommandResult lint =
        Helm.run(
            List.of(
                "lint",
                Helm.chart().toString(),
                "--values",
                Helm.example("mumbai").toString(),
                "--values",
                values.toString()));

    assertThat(lint.succeeded()).isFalse();
    assertThat(lint.output()).contains("at '/operator/enabled': got string, want boolean");
  }

  @Test
  void aRouteWithoutAPolicyIsRefused() {
    Path values =
        Helm.valuesFile(
            "frontDoor:\n  config:\n    routes:\n      - name: orders\n        path: /orders\n");

    CommandResult result =
        Helm.template("frankfurt", List.of(Helm.example("frankfurt"), values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr())
        .contains("at '/frontDoor/config/routes/0': missing property 'policy'");
  }

  @Test
  void aMisspelledKeyIsRefusedRatherThanIgnored() {
    Path values = Helm.valuesFile("fronDoor:\n  replicas: 3\n");

    CommandResult result =
        Helm.template("frankfurt", List.of(Helm.example("frankfurt"), values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr()).contains("additional properties 'fronDoor' not allowed");
  }

  @Test
  void anEnabledFrontDoorNeedsItsBackendAndSecret() {
    Path values = Helm.valuesFile("region: frankfurt\n");

    CommandResult result = Helm.template("frankfurt", List.of(values), List.of());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.stderr())
        .contains("at '/frontDoor/backend': minLength: got 0, want 1")
        .contains("at '/frontDoor/existingSecret': minLength: got 0, want 1")
        .contains("at '/frontDoor/config/routes': minItems: got 0, want 1");
  }

  private static String exampleWithout(String line) throws IOException {
    String example = Files.readString(Helm.example("frankfurt"));
    assertThat(example).contains(line);
    return example.replace(line + "\n", "");
  }
}
