package dev.homeport.frontdoor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrontDoorConfigTest {

  private static final Path EXAMPLES = Path.of("config");

  private static String example() throws IOException {
    return Files.readString(EXAMPLES.resolve("mumbai.yaml"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt", "singapore"})
  void exampleConfigsLoad(String region) {
    FrontDoorConfig config = FrontDoorConfig.load(EXAMPLES.resolve(region + ".yaml"), Map.of());
    assertThat(config.region()).isEqualTo(region);
    assertThat(config.routes())
        .extracting(Route::name)
        .containsExactly("profile", "orders", "feed");
    assertThat(config.routeFor("/orders/42").policy()).isEqualTo(RoutePolicy.HOME);
    assertThat(config.routeFor("/ordersx")).isNull();
    assertThat(config.routeFor("/feed").rejectWithoutKey()).isFalse();
    assertThat(config.cacheRefreshAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keySource().kind()).isEqualTo(KeySource.Kind.HEADER);
  }

  @Test
  void environmentOverridesSingleKeys() throws IOException {
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            example(),
            Map.of(
                "HOMEPORT_REDIS_URI", "redis-sentinel://10.0.0.5:26379/0#primary",
                "HOMEPORT_PUBLIC_PORT", "28081",
                "HOMEPORT_ADMIN_TOKEN", "token-from-a-kubernetes-secret"));
    assertThat(config.redisUri()).isEqualTo("redis-sentinel://10.0.0.5:26379/0#primary");
    assertThat(config.publicPort()).isEqualTo(28081);
    assertThat(config.adminToken()).isEqualTo("token-from-a-kubernetes-secret");
  }

  @Test
  void aRouteWithoutPolicyStopsStartUp() throws IOException {
    String yaml = example().replace("    policy: local\n", "");
    assertThatThrownBy(() -> FrontDoorConfig.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "front-door config: routes[2].policy is missing: declare how concurrent writes are"
                + " resolved: home, home-reads-local or local (there is no implicit"
                + " last-writer-wins)");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "    policy: home\\n|    policy: lww\\n|routes[0].policy is 'lww'; choose home, home-reads-local or local",
        "region: mumbai|region: Mumbai|region is 'Mumbai'; a region name is a DNS label",
        "  uri: redis://127.0.0.1:16381|  uri: http://127.0.0.1:16381|redis.uri is 'http://127.0.0.1:16381'; use a Redis URI",
        "  admin: 19081|  admin: 18081|listen.admin must differ from listen.public (18081)",
        "  public: 18081|  public: 70000|listen.public is 70000; it must be from 0 to 65535",
        "  request: 10s|  request: ten seconds|timeouts.request is 'ten seconds', not a duration",
        "  refreshAfter: 30s|  refreshAfter: 20m|cache.expireAfter must be longer than cache.refreshAfter",
        "  from: header|  from: query|routingKey.from is 'query'; choose header, cookie, path or jwt",
        "    onHomeDown: peer|    onHomeDown: anywhere|routes[0].onHomeDown is 'anywhere'; choose peer, read-only or reject",
        "backend: http://127.0.0.1:17081|backend: 127.0.0.1:17081|backend is '127.0.0.1:17081', not an http(s) URL",
        "  internal: local-internal-secret-0001|  internal: short|secrets.internal is too short",
        "retries: 1|retry: 1|retry: unknown key 'retry'",
        "    path: /feed|    path: /orders|routes[2].path '/orders' is covered by another route already"
      })
  void aBadValueStopsStartUpNamingTheKey(String original, String replacement, String message)
      throws IOException {
    String yaml = example();
    assertThat(yaml).contains(original.replace("\\n", "\n"));
    String broken = yaml.replace(original.replace("\\n", "\n"), replacement.replace("\\n", "\n"));
    assertThatThrownBy(() -> FrontDoorConfig.parse(broken, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("front-door config: " + message);
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> FrontDoorConfig.load(Path.of("config/nowhere.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("front-door config: file config/nowhere.yaml does not exist");
  }

  @Test
  void durationsParseTheKubernetesNotation() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2.5s")).isEqualTo(Duration.ofMillis(2500));
    assertThat(Durations.parse("-1s")).isNull();
    assertThat(Durations.parse("10")).isNull();
  }
}
