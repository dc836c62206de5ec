package dev.homeport.frontdoor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a front-door needs, loaded once at start from one YAML file plus environment
 * overrides, and checked up front: an invalid value stops start-up with a message naming the key.
 *
 * @param region this front-door's region, as named in the RegionTopology
 * @param redisUri the region's Redis (Lettuce URI: redis://, rediss://, redis-sentinel://)
 * @param redisCluster whether that URI names a Redis Cluster seed node
 * @param backend the local application the front-door serves requests for
 * @param listenHost address both ports listen on
 * @param publicPort port for application traffic and other regions' proxied requests
 * @param adminPort port for health, metrics and admin endpoints (token-protected)
 * @param keySource where the routing key of a request comes from
 * @param routes routes, longest prefix first; every request must match one
 * @param cacheMaxEntries most home resolutions cached
 * @param cacheRefreshAfter age after which a cached home is refreshed in the background
 * @param cacheExpireAfter age after which a cached home is no longer used without a reload
 * @param connectTimeout connect timeout per hop
 * @param requestTimeout idle timeout of a proxied request per hop
 * @param idempotentRetries retries of a failed hop, for safe methods only
 * @param drainTimeout how long a graceful shutdown waits for in-flight requests
 * @param tablePollInterval how often the routing table and lease are re-read even without a message
 * @param leaseRequired whether home writes need this region's lease (false only without an
 *     operator)
 * @param internalSecret shared secret on internal (region-to-region) requests
 * @param adminToken bearer token for the admin port
 * @param peers other regions' front-doors (their public ports) as reached from this region, by
 *     region name; each overrides the routing table's URL of that region for proxied requests and
 *     CRDT replication alike (private links, meshes, a fault-injection proxy per link)
 * @param crdt CRDT counters, registers and their replication
 */
public record FrontDoorConfig(
    String region,
    String redisUri,
    boolean redisCluster,
    URI backend,
    String listenHost,
    int publicPort,
    int adminPort,
    KeySource keySource,
    List<Route> routes,
    int cacheMaxEntries,
    Duration cacheRefreshAfter,
    Duration cacheExpireAfter,
    Duration connectTimeout,
    Duration requestTimeout,
    int idempotentRetries,
    Duration drainTimeout,
    Duration tablePollInterval,
    boolean leaseRequired,
    String internalSecret,
    String adminToken,
    Map<String, URI> peers,
    CrdtSettings crdt) {

  /** Path prefixes the front-door serves itself (the CRDT API); no route may cover them. */
  public static final List<String> RESERVED_PREFIXES =
      List.of("/v1/counters/", "/v1/registers/", "/internal/");

  /** Environment variables that override single keys, for secrets and per-pod values. */
  static final Map<String, String> ENV_OVERRIDES =
      Map.of(
          "HOMEPORT_REGION", "region",
          "HOMEPORT_REDIS_URI", "redis.uri",
          "HOMEPORT_BACKEND_URL", "backend",
          "HOMEPORT_LISTEN_HOST", "listen.host",
          "HOMEPORT_PUBLIC_PORT", "listen.public",
          "HOMEPORT_ADMIN_PORT", "listen.admin",
          "HOMEPORT_INTERNAL_SECRET", "secrets.internal",
          "HOMEPORT_ADMIN_TOKEN", "secrets.admin",
          "HOMEPORT_CRDT_API_TOKEN", "crdt.apiToken");

  private static final String REGION_PATTERN = "[a-z]([-a-z0-9]{0,30}[a-z0-9])?";

  /** Loads and checks a configuration file, with overrides from the process environment. */
  public static FrontDoorConfig load(Path file) {
    return load(file, System.getenv());
  }

  static FrontDoorConfig load(Path file, Map<String, String> env) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("front-door config: file " + file + " does not exist");
    }
    try {
      return parse(Files.readString(file), env);
    } catch (IOException e) {
      throw new ConfigException("front-door config: cannot read " + file + ": " + e, e);
    }
  }

  /** Parses and checks configuration text, with the given environment overrides. */
  public static FrontDoorConfig parse(String yaml, Map<String, String> env) {
    JsonNode tree;
    try {
      tree = new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new ConfigException("front-door config: not valid YAML: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new ConfigException("front-door config: expected a YAML mapping at the top level");
    }
    applyOverrides((ObjectNode) tree, env);

    Node root =
        new Node(tree, "")
            .onlyKeys(
                "region",
                "redis",
                "backend",
                "listen",
                "routingKey",
                "routes",
                "cache",
                "timeouts",
                "retries",
                "routingTable",
                "lease",
                "secrets",
                "peers",
                "crdt");
    String region = root.text("region", "name this front-door's region, e.g. region: mumbai");
    if (!region.matches(REGION_PATTERN)) {
      throw root.child("region")
          .fail("is '" + region + "'; a region name is a DNS label such as mumbai");
    }

    Node redis = root.child("redis").onlyKeys("uri", "cluster");
    String redisUri = redis.text("uri", "give the region's Redis, e.g. redis://127.0.0.1:6379");
    if (!redisUri.matches("(redis|rediss|redis-sentinel|rediss-sentinel|redis-socket)://\\S+")) {
      throw redis
          .child("uri")
          .fail(
              "is '"
                  + redisUri
                  + "'; use a Redis URI: redis://, rediss:// or redis-sentinel://host:port");
    }

    Node listen = root.child("listen").onlyKeys("host", "public", "admin");
    // Port 0 picks a free port (tests); the front-door reports the one it got.
    int publicPort = listen.integer("public", 8080, 0, 65535);
    int adminPort = listen.integer("admin", 8081, 0, 65535);
    if (publicPort == adminPort && publicPort != 0) {
      throw listen.child("admin").fail("must differ from listen.public (" + publicPort + ")");
    }

    Node timeouts = root.child("timeouts").onlyKeys("connect", "request", "drain");
    Node cache = root.child("cache").onlyKeys("maxEntries", "refreshAfter", "expireAfter");
    Duration refreshAfter = cache.duration("refreshAfter", "30s", Duration.ofMillis(100));
    Duration expireAfter = cache.duration("expireAfter", "10m", Duration.ofSeconds(1));
    if (expireAfter.compareTo(refreshAfter) <= 0) {
      throw cache.child("expireAfter").fail("must be longer than cache.refreshAfter");
    }

    Node secrets = root.child("secrets").onlyKeys("internal", "admin");
    String internalSecret =
        secrets.text(
            "internal", "set a shared secret of 16+ characters (or HOMEPORT_INTERNAL_SECRET)");
    if (internalSecret.length() < 16) {
      throw secrets.child("internal").fail("is too short; use at least 16 characters");
    }
    String adminToken =
        secrets.text("admin", "set a bearer token of 16+ characters (or HOMEPORT_ADMIN_TOKEN)");
    if (adminToken.length() < 16) {
      throw secrets.child("admin").fail("is too short; use at least 16 characters");
    }

    return new FrontDoorConfig(
        region,
        redisUri,
        redis.bool("cluster", false),
        root.httpUrl("backend", "give the local application's URL, e.g. http://127.0.0.1:9000"),
        listen.text("host", "127.0.0.1", "give an address to listen on, e.g. 0.0.0.0"),
        publicPort,
        adminPort,
        keySource(root.child("routingKey")),
        routes(root),
        cache.integer("maxEntries", 100_000, 1, 50_000_000),
        refreshAfter,
        expireAfter,
        timeouts.duration("connect", "1s", Duration.ofMillis(10)),
        timeouts.duration("request", "10s", Duration.ofMillis(10)),
        root.integer("retries", 1, 0, 5),
        timeouts.duration("drain", "10s", Duration.ZERO),
        root.child("routingTable")
            .onlyKeys("pollInterval")
            .duration("pollInterval", "2s", Duration.ofMillis(50)),
        root.child("lease").onlyKeys("required").bool("required", true),
        internalSecret,
        adminToken,
        peers(root.child("peers"), region),
        crdt(root.child("crdt")));
  }

  private static Map<String, URI> peers(Node node, String region) {
    Map<String, URI> peers = new TreeMap<>();
    for (String peer : node.keys()) {
      if (!peer.matches(REGION_PATTERN)) {
        throw node.child(peer)
            .fail("is not a region name; a region name is a DNS label such as frankfurt");
      }
      if (peer.equals(region)) {
        throw node.child(peer)
            .fail(
                "names this front-door's own region; list only the other regions, e.g."
                    + " frankfurt: http://10.1.2.3:8080");
      }
      peers.put(
          peer,
          node.httpUrl(
              peer, "give the URL of that region's public front-door port as reached from here"));
    }
    return Map.copyOf(peers);
  }

  private static CrdtSettings crdt(Node node) {
    if (node.keys().contains("peers")) {
      // Asked before the unknown-key check, so that an old file is told where the key went.
      throw node.child("peers")
          .fail(
              "has moved: write the mapping as the top-level key peers, which overrides the"
                  + " routing table's URLs for proxied requests as well as for replication");
    }
    node.onlyKeys(
        "flushInterval",
        "replicationInterval",
        "heartbeat",
        "antiEntropyInterval",
        "batchMax",
        "maxSkew",
        "bounded",
        "apiToken");
    Duration flush = node.duration("flushInterval", "2ms", Duration.ofMillis(1));
    if (flush.compareTo(Duration.ofSeconds(1)) > 0) {
      throw node.child("flushInterval").fail("is over 1s; acknowledged increments wait that long");
    }
    Duration replication = node.duration("replicationInterval", "50ms", Duration.ofMillis(5));
    Duration heartbeat = node.duration("heartbeat", "1s", Duration.ofMillis(10));
    if (heartbeat.compareTo(replication) < 0) {
      throw node.child("heartbeat").fail("must be at least crdt.replicationInterval");
    }
    List<BoundedCounter> bounded = new ArrayList<>();
    for (Node item : node.list("bounded")) {
      item.onlyKeys("prefix", "floor", "compensatedBy");
      String prefix = item.text("prefix", "give the counter name prefix, e.g. prefix: stock:");
      if (!prefix.matches(COUNTER_NAME_CHARS + "{1,100}")) {
        throw item.child("prefix").fail("is '" + prefix + "'; use letters, digits and . _ : -");
      }
      String compensatedBy = item.text("compensatedBy", null, "name a region, e.g. mumbai");
      if (compensatedBy != null && !compensatedBy.matches(REGION_PATTERN)) {
        throw item.child("compensatedBy").fail("is '" + compensatedBy + "'; name a region");
      }
      bounded.add(
          new BoundedCounter(
              prefix, item.longInteger("floor", 0, -(1L << 53), 1L << 53), compensatedBy));
    }
    String apiToken = node.text("apiToken", null, "set a bearer token of 16+ characters");
    if (apiToken != null && apiToken.length() < 16) {
      throw node.child("apiToken").fail("is too short; use at least 16 characters");
    }
    return new CrdtSettings(
        flush,
        replication,
        heartbeat,
        node.duration("antiEntropyInterval", "10m", Duration.ofSeconds(1)),
        node.integer("batchMax", 500, 1, 10_000),
        node.duration("maxSkew", "5s", Duration.ofMillis(1)),
        List.copyOf(bounded),
        apiToken);
  }

  /** Characters allowed in counter and register names. */
  public static final String COUNTER_NAME_CHARS = "[A-Za-z0-9._:-]";

  private static KeySource keySource(Node node) {
    node.onlyKeys("from", "name", "segment", "jwt");
    String from = node.text("from", "choose header, cookie, path or jwt");
    return switch (from) {
      case "header" ->
          new KeySource(
              KeySource.Kind.HEADER,
              node.text("name", "name the header, e.g. name: X-User-Id"),
              0,
              null,
              null);
      case "cookie" ->
          new KeySource(
              KeySource.Kind.COOKIE,
              node.text("name", "name the cookie, e.g. name: uid"),
              0,
              null,
              null);
      case "path" ->
          new KeySource(KeySource.Kind.PATH, null, node.integer("segment", 1, 1, 64), null, null);
      case "jwt" -> {
        Node jwt = node.child("jwt").onlyKeys("algorithm", "key");
        String algorithm = jwt.text("algorithm", "HS256", "choose HS256, RS256 or ES256");
        if (!Set.of("HS256", "HS384", "HS512", "RS256", "ES256").contains(algorithm)) {
          throw jwt.child("algorithm").fail("is '" + algorithm + "'; choose HS256, RS256 or ES256");
        }
        yield new KeySource(
            KeySource.Kind.JWT,
            node.text("name", "sub", "name the claim holding the key, e.g. sub"),
            0,
            algorithm,
            jwt.text("key", "give the HMAC secret or the PEM public key that signs the tokens"));
      }
      default ->
          throw node.child("from").fail("is '" + from + "'; choose header, cookie, path or jwt");
    };
  }

  private static List<Route> routes(Node root) {
    List<Node> nodes = root.list("routes");
    if (nodes.isEmpty()) {
      throw root.child("routes").fail("must list at least one route; every request needs one");
    }
    List<Route> routes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> prefixes = new HashSet<>();
    for (Node node : nodes) {
      node.onlyKeys("name", "path", "policy", "onHomeDown", "noKey", "quota");
      String name = node.text("name", "give the route a short name, e.g. orders");
      if (!name.matches("[A-Za-z0-9._-]{1,63}")) {
        throw node.child("name").fail("is '" + name + "'; use up to 63 letters, digits and . _ -");
      }
      if (!names.add(name)) {
        throw node.child("name").fail("'" + name + "' is used by another route; names are unique");
      }
      String path = node.text("path", "give the path prefix the route covers, e.g. /orders");
      if (!path.startsWith("/")) {
        throw node.child("path").fail("is '" + path + "'; a path prefix starts with /");
      }
      for (String reserved : RESERVED_PREFIXES) {
        if ((path.endsWith("/") ? path : path + "/").startsWith(reserved)) {
          throw node.child("path")
              .fail("'" + path + "' overlaps " + reserved + ", which the front-door serves itself");
        }
      }
      if (!prefixes.add(path)) {
        throw node.child("path").fail("'" + path + "' is covered by another route already");
      }
      String policyText =
          node.text(
              "policy",
              "declare how concurrent writes are resolved: home, home-reads-local or local"
                  + " (there is no implicit last-writer-wins)");
      RoutePolicy policy = RoutePolicy.fromWire(policyText);
      if (policy == null) {
        throw node.child("policy")
            .fail("is '" + policyText + "'; choose home, home-reads-local or local");
      }
      String onHomeDownText = node.text("onHomeDown", "peer", "choose peer, read-only or reject");
      OnHomeDown onHomeDown = OnHomeDown.fromWire(onHomeDownText);
      if (onHomeDown == null) {
        throw node.child("onHomeDown")
            .fail("is '" + onHomeDownText + "'; choose peer, read-only or reject");
      }
      String noKey = node.text("noKey", "reject", "choose local or reject");
      if (!noKey.equals("local") && !noKey.equals("reject")) {
        throw node.child("noKey").fail("is '" + noKey + "'; choose local or reject");
      }
      Quota quota = null;
      if (node.has("quota")) {
        Node quotaNode = node.child("quota").onlyKeys("limit", "window");
        quota =
            new Quota(
                quotaNode.longInteger("limit", 0, 1, 1L << 40),
                quotaNode.duration("window", "1m", Duration.ofSeconds(1)));
        if (!quotaNode.has("limit")) {
          throw quotaNode.child("limit").fail("is missing: give requests per key per window");
        }
      }
      routes.add(new Route(name, path, policy, onHomeDown, noKey.equals("reject"), quota));
    }
    routes.sort(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed());
    return List.copyOf(routes);
  }

  private static void applyOverrides(ObjectNode tree, Map<String, String> env) {
    for (Map.Entry<String, String> override : ENV_OVERRIDES.entrySet()) {
      String value = env.get(override.getKey());
      if (value == null || value.isBlank()) {
        continue;
      }
      String[] path = override.getValue().split("\\.");
      ObjectNode parent = tree;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode next = parent.get(path[i]);
        parent = next instanceof ObjectNode object ? object : parent.putObject(path[i]);
      }
      parent.put(path[path.length - 1], value);
    }
  }

  /** The route serving {@code path}, longest prefix first; null when none does. */
  public Route routeFor(String path) {
    for (Route route : routes) {
      if (route.matches(path)) {
        return route;
      }
    }
    return null;
  }
}
