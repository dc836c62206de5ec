package dev.homeport.frontdoor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.contract.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

  /** The example with its {@code crdt:} section replaced by {@code crdt} (empty: none). */
  private static String exampleWithCrdt(String crdt) throws IOException {
    String yaml = example();
    int start = yaml.indexOf("\ncrdt:\n") + 1;
    int end = yaml.indexOf("\nsecrets:\n") + 1;
    assertThat(start).isPositive().isLessThan(end);
    return yaml.substring(0, start) + crdt + yaml.substring(end);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mumbai", "frankfurt", "singapore"})
  void exampleConfigsLoad(String region) {
    FrontDoorConfig config = FrontDoorConfig.load(EXAMPLES.resolve(region + ".yaml"), Map.of());
    assertThat(config.region()).isEqualTo(region);
    assertThat(config.routes())
        .extracting(Route::name)
        .containsExactly("profile", "orders", "search", "feed");
    assertThat(config.routeFor("/orders/42").policy()).isEqualTo(RoutePolicy.HOME);
    assertThat(config.routeFor("/ordersx")).isNull();
    assertThat(config.routeFor("/feed").rejectWithoutKey()).isFalse();
    assertThat(config.routeFor("/feed").quota()).isNull();
    Route search = config.routeFor("/search");
    assertThat(search.policy()).isEqualTo(RoutePolicy.LOCAL);
    assertThat(search.rejectWithoutKey()).isFalse();
    assertThat(search.quota()).isEqualTo(new Quota(600, Duration.ofMinutes(1)));
    assertThat(config.cacheRefreshAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keySource().kind()).isEqualTo(KeySource.Kind.HEADER);
    // The example spells out the defaults and declares one bounded counter; other regions are
    // reached at their URLs in the routing table.
    assertThat(config.peers()).isEmpty();
    assertThat(config.crdt())
        .isEqualTo(
            new CrdtSettings(
                Duration.ofMillis(2),
                Duration.ofMillis(50),
                Duration.ofSeconds(1),
                Duration.ofMinutes(10),
                500,
                Duration.ofSeconds(5),
                List.of(new BoundedCounter("stock:", 0, null)),
                null));
    assertThat(config.crdt().boundFor("stock:sku-42").floor()).isZero();
    assertThat(config.crdt().boundFor("likes:post-7")).isNull();
  }

  @Test
  void withoutACrdtSectionEveryCrdtSettingHasItsDefault() throws IOException {
    String yaml = exampleWithCrdt("");
    assertThat(yaml).doesNotContain("crdt:");
    FrontDoorConfig config = FrontDoorConfig.parse(yaml, Map.of());
    assertThat(config.crdt())
        .isEqualTo(
            new CrdtSettings(
                Duration.ofMillis(2),
                Duration.ofMillis(50),
                Duration.ofSeconds(1),
                Duration.ofMinutes(10),
                500,
                Duration.ofSeconds(5),
                List.of(),
                null));
    assertThat(config.crdt().boundFor("stock:sku-42")).isNull();
  }

  @Test
  void aFullCrdtSectionIsRead() throws IOException {
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            exampleWithCrdt(
                """
                crdt:
                  flushInterval: 5ms
                  replicationInterval: 100ms
                  heartbeat: 2s
                  antiEntropyInterval: 1h
                  batchMax: 1000
                  maxSkew: 500ms
                  bounded:
                    - {prefix: "stock:", floor: 0}
                    - {prefix: "seats.", floor: -5, compensatedBy: frankfurt}
                  apiToken: crdt-api-token-000001
                """),
            Map.of());
    assertThat(config.crdt())
        .isEqualTo(
            new CrdtSettings(
                Duration.ofMillis(5),
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                Duration.ofHours(1),
                1000,
                Duration.ofMillis(500),
                List.of(
                    new BoundedCounter("stock:", 0, null),
                    new BoundedCounter("seats.", -5, "frankfurt")),
                "crdt-api-token-000001"));
    assertThat(config.crdt().boundFor("seats.flight-9").compensatedBy()).isEqualTo("frankfurt");
  }

  @Test
  void peersOverrideTheRoutingTablesUrlsOfOtherRegions() throws IOException {
    String yaml =
        example()
            .replace(
                "\nsecrets:\n",
                """

                peers:
                  frankfurt: http://10.1.2.3:8080
                  singapore: https://fd.singapore.example:8443
                secrets:
                """);
    assertThat(FrontDoorConfig.parse(yaml, Map.of()).peers())
        .isEqualTo(
            Map.of(
                "frankfurt", URI.create("http://10.1.2.3:8080"),
                "singapore", URI.create("https://fd.singapore.example:8443")));
  }

  @Test
  void peersUnderCrdtStopStartUpSayingWhereTheyMoved() throws IOException {
    String yaml =
        exampleWithCrdt(
            """
            crdt:
              peers:
                frankfurt: http://10.1.2.3:8080
            """);
    assertThatThrownBy(() -> FrontDoorConfig.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "front-door config: crdt.peers has moved: write the mapping as the top-level key"
                + " peers, which overrides the routing table's URLs for proxied requests as well as"
                + " for replication");
  }

  @Test
  void aQuotaWindowDefaultsToOneMinute() throws IOException {
    String yaml = example().replace("quota: {limit: 600, window: 1m}", "quota: {limit: 5}");
    assertThat(FrontDoorConfig.parse(yaml, Map.of()).routeFor("/search").quota())
        .isEqualTo(new Quota(5, Duration.ofMinutes(1)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1", "/v1/countersx", "/internal-tools", "/v1/registry"})
  void aPathNextToAReservedPrefixIsFine(String path) throws IOException {
    String yaml = example().replace("    path: /search\n", "    path: " + path + "\n");
    assertThat(FrontDoorConfig.parse(yaml, Map.of()).routeFor(path + "/x").name())
        .isEqualTo("search");
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
        "    path: /feed|    path: /orders|routes[2].path '/orders' is covered by another route already",
        "  flushInterval: 2ms|  flushIntervall: 2ms|crdt.flushIntervall: unknown key 'flushIntervall'",
        "  flushInterval: 2ms|  flushInterval: 1.5s|crdt.flushInterval is over 1s; acknowledged increments wait that long",
        "  heartbeat: 1s|  heartbeat: 20ms|crdt.heartbeat must be at least crdt.replicationInterval",
        "\\nsecrets:\\n|\\npeers: {mumbai: http://127.0.0.1:18081}\\nsecrets:\\n|peers.mumbai names this front-door's own region; list only the other regions",
        "\\nsecrets:\\n|\\npeers: {Frankfurt: http://127.0.0.1:18082}\\nsecrets:\\n|peers.Frankfurt is not a region name; a region name is a DNS label",
        "\\nsecrets:\\n|\\npeers: {frankfurt: redis://127.0.0.1:16382}\\nsecrets:\\n|peers.frankfurt is 'redis://127.0.0.1:16382', not an http(s) URL: give the URL of that region's public front-door port",
        "\\nsecrets:\\n|\\npeers: [http://127.0.0.1:18082]\\nsecrets:\\n|peers must be a mapping",
        "  bounded:\\n|  peers: {frankfurt: http://127.0.0.1:18082}\\n  bounded:\\n|crdt.peers has moved: write the mapping as the top-level key peers",
        "    - prefix: \"stock:\"|    - prefix: \"stock/\"|crdt.bounded[0].prefix is 'stock/'; use letters, digits and . _ : -",
        "      floor: 0|      floor: 0\\n      compensatedBy: Frankfurt|crdt.bounded[0].compensatedBy is 'Frankfurt'; name a region",
        "  bounded:\\n|  apiToken: too-short-token\\n  bounded:\\n|crdt.apiToken is too short; use at least 16 characters",
        "quota: {limit: 600, window: 1m}|quota: {window: 1m}|routes[3].quota.limit is missing: give requests per key per window",
        "quota: {limit: 600, window: 1m}|quota: {limit: 0, window: 1m}|routes[3].quota.limit is 0; it must be from 1 to 1099511627776",
        "quota: {limit: 600, window: 1m}|quota: {limit: 600, window: 10ms}|routes[3].quota.window is 10ms; it must be at least 1.0s",
        "quota: {limit: 600, window: 1m}|quota: {limit: 600, burst: 10}|routes[3].quota.burst: unknown key 'burst'",
        "  - name: search|  - name: web search|routes[3].name is 'web search'; use up to 63 letters, digits and . _ -",
        "    path: /search\\n|    path: /v1/counters\\n|routes[3].path '/v1/counters' overlaps /v1/counters/, which the front-door serves itself",
        "    path: /search\\n|    path: /v1/registers/\\n|routes[3].path '/v1/registers/' overlaps /v1/registers/, which the front-door serves itself",
        "    path: /search\\n|    path: /internal/x\\n|routes[3].path '/internal/x' overlaps /internal/, which the front-door serves itself"
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
