package dev.homeport.e2e;

import dev.homeport.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network between the local regions, made to behave like one: every region-to-region path (a
 * front-door proxying to a key's home, CRDT shipments) and every path from the operator to a region
 * goes through its own Toxiproxy link. Cross-region links add half the pair's round-trip time in
 * each direction, with jitter; any region can be partitioned (traffic black-holed, as a real
 * partition does: connections hang rather than being refused) and healed.
 */
public final class FaultLayer implements AutoCloseable {

  /** Round-trip times between the local regions, roughly those of the real cities. */
  private static final Map<Set<String>, Duration> RTT =
      Map.of(
          Set.of("mumbai", "frankfurt"), Duration.ofMillis(90),
          Set.of("mumbai", "singapore"), Duration.ofMillis(70),
          Set.of("frankfurt", "singapore"), Duration.ofMillis(160));

  private static final Duration DEFAULT_RTT = Duration.ofMillis(100);
  private static final String PARTITION = "partition-";

  /** A link and the regions at its two ends ("operator" for the operator's side). */
  private record Link(String from, String to, Proxy proxy) {}

  private final ToxiproxyServer server;
  private final boolean latency;
  private final Map<String, Link> links = new LinkedHashMap<>();

  /**
   * @param latency whether cross-region links add their round-trip time (off for tests that measure
   *     something else and want every path fast)
   */
  public FaultLayer(ToxiproxyServer server, boolean latency) {
    this.server = server;
    this.latency = latency;
  }

  /** The round-trip time between two regions. */
  public static Duration rtt(String a, String b) {
    return RTT.getOrDefault(Set.of(a, b), DEFAULT_RTT);
  }

  /** A link from region {@code from} to {@code to}'s port; returns the port to dial instead. */
  public int regionLink(String from, String to, int port) {
    Proxy proxy = create(from + "-" + to, port);
    if (latency) {
      long half = rtt(from, to).toMillis() / 2;
      try {
        proxy.toxics().latency("rtt-up", ToxicDirection.UPSTREAM, half).setJitter(half / 10);
        proxy.toxics().latency("rtt-down", ToxicDirection.DOWNSTREAM, half).setJitter(half / 10);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not add latency to link " + from + "-" + to, e);
      }
    }
    links.put(from + "-" + to, new Link(from, to, proxy));
    return ToxiproxyServer.listenPort(proxy);
  }

  /**
   * A link from the operator to one of {@code region}'s ports ({@code what}: redis, admin, …);
   * returns the port to dial instead.
   */
  public int operatorLink(String region, String what, int port) {
    String name = "operator-" + region + "-" + what;
    Proxy proxy = create(name, port);
    links.put(name, new Link("operator", region, proxy));
    return ToxiproxyServer.listenPort(proxy);
  }

  private Proxy create(String name, int port) {
    if (links.containsKey(name)) {
      throw new IllegalStateException("Link " + name + " exists already");
    }
    return server.link(name, port);
  }

  /**
   * Cuts {@code region} off from every peer in {@code from} ("operator" included): data on links
   * between them is black-holed in both directions until {@link #heal(String)}.
   */
  public void partition(String region, Set<String> from) {
    for (Link link : between(region, from)) {
      try {
        if (link.proxy().toxics().getAll().stream()
            .noneMatch(toxic -> toxic.getName().startsWith(PARTITION))) {
          link.proxy().toxics().timeout(PARTITION + "up", ToxicDirection.UPSTREAM, 0);
          link.proxy().toxics().timeout(PARTITION + "down", ToxicDirection.DOWNSTREAM, 0);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Could not partition link " + link, e);
      }
    }
  }

  /** Ends every partition of {@code region}. */
  public void heal(String region) {
    for (Link link : between(region, null)) {
      try {
        for (var toxic : link.proxy().toxics().getAll()) {
          if (toxic.getName().startsWith(PARTITION)) {
            toxic.remove();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Could not heal link " + link, e);
      }
    }
  }

  private List<Link> between(String region, Set<String> others) {
    List<Link> found = new ArrayList<>();
    for (Link link : links.values()) {
      boolean touches = link.from().equals(region) || link.to().equals(region);
      String other = link.from().equals(region) ? link.to() : link.from();
      if (touches && (others == null || others.contains(other))) {
        found.add(link);
      }
    }
    return found;
  }

  /** The Toxiproxy server's process id, for the stale-process record. */
  public long pid() {
    return server.pid();
  }

  @Override
  public void close() {
    server.close();
  }
}
