package dev.homeport.frontdoor.proxy;

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

  /** Routing epoch the ingress front-door decided by. */
  public static final String EPOCH = "X-Homeport-Epoch";

  /** On a local read of a home-reads-local route: the key's home, the data may lag it. */
  public static final String HOME = "X-Homeport-Home";

  /** On a region-to-region request: the region that proxied it. */
  public static final String HOP = "X-Homeport-Hop";

  /** On a region-to-region request: the shared internal secret. */
  public static final String AUTH = "X-Homeport-Auth";

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
