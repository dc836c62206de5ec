package dev.homeport.frontdoor.proxy;

import dev.homeport.frontdoor.routing.Hop;
import dev.homeport.frontdoor.routing.RequestRouter;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Homeport's own HTTP headers. Clients can never set them: they are stripped on the way in. */
public final class Headers {

  public static final String PREFIX = "x-homeport-";

  /** Region whose backend served the request. */
  public static final String REGION = "X-Homeport-Region";

  /** Why it was served there: local, local-read, proxied, failover, failover-local. */
  public static final String SERVED = "X-Homeport-Served";

  /**
   * On a response: the routing epoch the ingress front-door decided by. On a region-to-region
   * request: the epoch the proxying region decided by, which lets a region routing by a newer table
   * proxy the request once more.
   */
  public static final String EPOCH = "X-Homeport-Epoch";

  /** On a local read of a home-reads-local route: the key's home, the data may lag it. */
  public static final String HOME = "X-Homeport-Home";

  /** On a region-to-region request: the region that proxied it. */
  public static final String HOP = "X-Homeport-Hop";

  /** On a region-to-region request: the shared internal secret. */
  public static final String AUTH = "X-Homeport-Auth";

  /**
   * On a region-to-region request: how many front-doors have proxied it, {@code 1} or {@code 2};
   * absent means 1.
   */
  public static final String HOPS = "X-Homeport-Hops";

  /**
   * On a response to a request proxied twice: the region whose newer routing table sent it on to
   * the region that served it ({@link #REGION}).
   */
  public static final String REROUTED = "X-Homeport-Rerouted";

  private Headers() {}

  /** Removes every Homeport header from {@code headers}. */
  public static void strip(MultiMap headers) {
    List<String> ours = new ArrayList<>();
    for (String name : headers.names()) {
      if (name.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
        ours.add(name);
      }
    }
    ours.forEach(headers::remove);
  }

  /**
   * How another region's front-door proxied this request here, or null when it did not (no hop
   * marker, or not with the right internal secret). A hop count that cannot be read counts as the
   * most there may be, so such a request is never proxied again.
   */
  public static Hop inboundHop(MultiMap headers, String secret) {
    if (!isAuthenticatedHop(headers, secret)) {
      return null;
    }
    return new Hop(headers.get(HOP), epoch(headers.get(EPOCH)), hops(headers.get(HOPS)));
  }

  private static long epoch(String value) {
    if (value == null) {
      return Hop.UNKNOWN_EPOCH;
    }
    try {
      long epoch = Long.parseLong(value.trim());
      return epoch < 0 ? Hop.UNKNOWN_EPOCH : epoch;
    } catch (NumberFormatException e) {
      return Hop.UNKNOWN_EPOCH;
    }
  }

  private static int hops(String value) {
    if (value == null) {
      return 1;
    }
    try {
      int hops = Integer.parseInt(value.trim());
      return hops < 1 ? RequestRouter.MAX_HOPS : hops;
    } catch (NumberFormatException e) {
      return RequestRouter.MAX_HOPS;
    }
  }

  /** Whether the request carries a hop marker with the right internal secret. */
  public static boolean isAuthenticatedHop(MultiMap headers, String secret) {
    String hop = headers.get(HOP);
    String auth = headers.get(AUTH);
    return hop != null
        && auth != null
        && MessageDigest.isEqual(
            auth.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
  }
}
