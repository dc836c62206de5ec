package dev.homeport.frontdoor.routing;

import dev.homeport.contract.RegionRoute;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where this front-door reaches another region's front-door, for proxied requests and CRDT
 * replication alike: at the region's URL in the routing table, unless the configuration's {@code
 * peers} names the address that region is reached at from here (a private link, a mesh, a
 * fault-injection proxy per link). Pure: no I/O.
 */
public final class PeerUrls {

  private final String self;
  private final Map<String, URI> overrides;

  /**
   * @param self this front-door's region, never a peer of itself
   * @param overrides configured URLs by region name, taking precedence over the routing table's
   */
  public PeerUrls(String self, Map<String, URI> overrides) {
    this.self = self;
    this.overrides = Map.copyOf(overrides);
  }

  /**
   * The URL to reach {@code region} at; null when neither the configuration nor the routing table
   * gives one.
   */
  public String of(String region, RoutingSnapshot snapshot) {
    URI override = overrides.get(region);
    if (override != null) {
      return override.toString();
    }
    RegionRoute route = snapshot == null ? null : snapshot.region(region);
    return route == null ? null : route.url();
  }

  /**
   * Every other region with a URL: the routing table's regions (none while no table is loaded),
   * then the configured ones, which replace the table's and may name regions it does not list yet.
   */
  public Map<String, URI> all(RoutingSnapshot snapshot) {
    Map<String, URI> urls = new TreeMap<>();
    if (snapshot != null) {
      snapshot
          .table()
          .regions()
          .forEach(
              (name, route) -> {
                if (route.url() != null) {
                  urls.put(name, URI.create(route.url()));
                }
              });
    }
    urls.putAll(overrides);
    urls.remove(self);
    return urls;
  }
}
