package dev.homeport.bench;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three regions on loopback, each with its own {@code redis-server} and front-door process (pinned
 * to one core), reaching each other at the routing table's URLs: the set-up of the control-plane
 * and convergence benchmarks. Starts routing by epoch 1.
 */
public final class ThreeRegions implements AutoCloseable {

  public static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  public static final String ADMIN_TOKEN = "bench-admin-token-000001";

  private final Processes processes;
  private final Map<String, RedisServer> redis = new LinkedHashMap<>();
  private final Map<String, StatefulRedisConnection<String, String>> connections =
      new LinkedHashMap<>();
  private final List<RedisClient> clients = new ArrayList<>();
  private final Map<String, Integer> publicPorts = new LinkedHashMap<>();
  private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
  private final List<String> commands = new ArrayList<>();

  public ThreeRegions(Path workDir, Path frontDoorJar, int serverCore) throws IOException {
    Files.createDirectories(workDir);
    processes = new Processes(workDir.resolve("logs"));
    try {
      for (String region : REGIONS) {
        RedisServer server = RedisServer.start();
        redis.put(region, server);
        RedisClient client = RedisClient.create(server.uri());
        clients.add(client);
        connections.put(region, client.connect());
        publicPorts.put(region, Processes.freePort());
        adminPorts.put(region, Processes.freePort());
      }
      RoutingTable first = table(1);
      for (String region : REGIONS) {
        connections.get(region).sync().set(RedisKeys.ROUTING_TABLE, ContractJson.write(first));
      }
      List<Process> frontDoors = new ArrayList<>();
      for (String region : REGIONS) {
        Path config = workDir.resolve("frontdoor-" + region + ".yaml");
        Files.writeString(
            config,
            """
            region: %s
            redis: {uri: %s}
            backend: http://127.0.0.1:1
            listen: {host: 127.0.0.1, public: %d, admin: %d}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: orders, path: /orders, policy: home, onHomeDown: reject}
            lease: {required: false}
            timeouts: {drain: 1s}
            secrets: {internal: bench-internal-secret-0001, admin: %s}
            """
                .formatted(
                    region,
                    redis.get(region).uri(),
                    publicPorts.get(region),
                    adminPorts.get(region),
                    ADMIN_TOKEN));
        List<String> command =
            List.of(
                "taskset",
                "-c",
                Integer.toString(serverCore),
                "java",
                "-jar",
                frontDoorJar.toString(),
                "--config",
                config.toString());
        commands.add(Processes.shell(command));
        frontDoors.add(processes.start("frontdoor-" + region, command));
      }
      for (int i = 0; i < REGIONS.size(); i++) {
        processes.awaitHttp(
            "frontdoor-" + REGIONS.get(i),
            frontDoors.get(i),
            adminUrl(REGIONS.get(i)) + "/readyz",
            Duration.ofSeconds(60));
      }
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  /** A routing table of the three regions at their front-doors, 4096 buckets in three ranges. */
  public RoutingTable table(long epoch) {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    publicPorts.forEach(
        (region, port) ->
            regions.put(
                region,
                new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:" + port, "bench")));
    return new RoutingTable(
        epoch,
        4096,
        regions,
        List.of(
            new BucketAssignment(0, 1364, REGIONS.get(0)),
            new BucketAssignment(1365, 2729, REGIONS.get(1)),
            new BucketAssignment(2730, 4095, REGIONS.get(2))),
        Instant.now().toString());
  }

  public RedisServer redis(String region) {
    return redis.get(region);
  }

  /** A connection to the region's Redis, for reading what the front-doors wrote. */
  public StatefulRedisConnection<String, String> connection(String region) {
    return connections.get(region);
  }

  public String publicUrl(String region) {
    return "http://127.0.0.1:" + publicPorts.get(region);
  }

  public String adminUrl(String region) {
    return "http://127.0.0.1:" + adminPorts.get(region);
  }

  /** The exact commands the front-doors run with. */
  public List<String> commands() {
    return commands;
  }

  @Override
  public void close() {
    processes.close();
    connections.values().forEach(StatefulRedisConnection::close);
    clients.forEach(RedisClient::shutdown);
    redis.values().forEach(RedisServer::close);
  }
}
