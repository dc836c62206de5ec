package dev.homeport.frontdoor.routing;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RegionRoute;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.config.OnHomeDown;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.config.RoutePolicy;
import dev.homeport.frontdoor.routing.Decision.Local;
import dev.homeport.frontdoor.routing.Decision.Proxy;
import dev.homeport.frontdoor.routing.Decision.Reason;
import dev.homeport.frontdoor.routing.Decision.Refuse;

/**
 * Decides where one request is served, from the route's policy, the key's home, the routing table,
 * per-key fences and this region's lease, and at which URL another region is reached. Pure: no I/O,
 * so every combination is tested.
 */
public final class RequestRouter {

  /** Retry-After for conditions that clear within a lease period or a re-homing batch. */
  static final int RETRY_SECONDS = 1;

  /**
   * The most front-doors that proxy one request: the one it entered and, when that one routed by an
   * older table, one that routes by a newer table. A third hop is a loop.
   */
  public static final int MAX_HOPS = 2;

  private final String self;
  private final PeerUrls peers;

  /**
   * @param self this front-door's region
   * @param peers where other regions' front-doors are reached from here
   */
  public RequestRouter(String self, PeerUrls peers) {
    this.self = self;
    this.peers = peers;
  }

  /**
   * @param route the matched route
   * @param safe whether the method changes nothing (GET, HEAD, OPTIONS)
   * @param key the routing key, or null when the request carries none
   * @param entry the key's directory override, or null
   * @param snapshot the current routing table
   * @param leaseHeld whether this region currently holds its write lease
   * @param hop how another front-door proxied this request here, or null when it entered here
   */
  public Decision decide(
      Route route,
      boolean safe,
      String key,
      DirectoryEntry entry,
      RoutingSnapshot snapshot,
      boolean leaseHeld,
      Hop hop) {
    if (route.policy() == RoutePolicy.LOCAL) {
      return new Local(Reason.LOCAL);
    }
    if (key == null) {
      return route.rejectWithoutKey()
          ? new Refuse(
              400,
              "no_key",
              "route " + route.name() + " needs a routing key and the request carries none",
              0)
          : new Local(Reason.LOCAL);
    }
    if (!safe && entry != null && entry.fenced()) {
      return new Refuse(
          503, "fenced_key", "key is moving to another home region; retry shortly", RETRY_SECONDS);
    }
    if (safe && route.policy() == RoutePolicy.HOME_READS_LOCAL) {
      return new Local(Reason.LOCAL_READ);
    }

    String home = entry != null ? entry.home() : snapshot.bucketHome(key);
    RegionRoute homeRoute = snapshot.region(home);
    if (homeRoute == null) {
      return new Refuse(
          503,
          "unknown_home",
          "home region " + home + " is not in routing table epoch " + snapshot.epoch(),
          RETRY_SECONDS);
    }

    String server = home;
    boolean failover = false;
    if (homeRoute.servedBy() != null) {
      if (route.onHomeDown() != OnHomeDown.PEER) {
        return homeDown(route, safe, home);
      }
      server = homeRoute.servedBy();
      failover = true;
    } else if (homeRoute.phase() == RegionPhase.Fenced
        || homeRoute.phase() == RegionPhase.FailedOver) {
      // The home no longer takes writes and no peer serves its keys yet. A Suspect home still
      // holds its lease and is served: one missed probe must not become an outage.
      return homeDown(route, safe, home);
    }

    if (server.equals(self)) {
      if (!safe && !leaseHeld) {
        return new Refuse(
            503,
            "fenced_region",
            "region " + self + " does not hold its write lease; writes are fenced",
            RETRY_SECONDS);
      }
      return new Local(failover ? Reason.FAILOVER_LOCAL : Reason.LOCAL);
    }
    if (hop != null) {
      // Proxying again is how a loop starts, and also how a request that entered at a region
      // still routing by the table before a flip reaches the server of the flip's table. Only
      // the second is allowed: once, and only by a table newer than the one that sent it here.
      // The server still decides by its own table, lease and fences (the Local path above).
      String refusal = rerouteRefusal(hop, snapshot.epoch(), server);
      if (refusal != null) {
        return new Refuse(508, "loop", refusal, 0);
      }
    }
    String url = peers.of(server, snapshot);
    if (url == null) {
      return new Refuse(
          503,
          "no_url",
          "region "
              + server
              + " has no front-door URL in routing table epoch "
              + snapshot.epoch()
              + " and peers."
              + server
              + " is not configured",
          RETRY_SECONDS);
    }
    if (hop != null) {
      return new Proxy(server, url, Reason.REROUTED);
    }
    return new Proxy(server, url, failover ? Reason.FAILOVER : Reason.PROXIED);
  }

  /**
   * Why a request proxied here may not be proxied again, to {@code server}; null when it may be,
   * once.
   */
  private String rerouteRefusal(Hop hop, long epoch, String server) {
    if (hop.count() >= MAX_HOPS) {
      return "request was already proxied "
          + hop.count()
          + " times, last by region "
          + hop.from()
          + ", and region "
          + self
          + " would proxy it again to "
          + server;
    }
    if (hop.epoch() == Hop.UNKNOWN_EPOCH) {
      return "request was already proxied once, by region "
          + hop.from()
          + " without saying its routing epoch, and region "
          + self
          + " would proxy it again to "
          + server;
    }
    if (epoch <= hop.epoch()) {
      return "request was already proxied once, by region "
          + hop.from()
          + " routing by epoch "
          + hop.epoch()
          + ", and region "
          + self
          + " would proxy it again to "
          + server
          + " by epoch "
          + epoch
          + ", which is not newer";
    }
    return null;
  }

  private Decision homeDown(Route route, boolean safe, String home) {
    if (safe && route.onHomeDown() == OnHomeDown.READ_ONLY) {
      return new Local(Reason.LOCAL_READ);
    }
    return new Refuse(
        503,
        "home_down",
        "home region " + home + " of this key is unavailable (route " + route.name() + ")",
        RETRY_SECONDS);
  }
}
