package dev.homeport.frontdoor.crdt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Names of counters and registers, and the counters behind global quotas. */
public final class CrdtNames {

  /** Longest counter or register name. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String QUOTA = "quota:";

  /** How long a quota counter outlives its window, so late shipments still find it. */
  static final long QUOTA_GRACE_MILLIS = 60_000;

  private CrdtNames() {}

  /** Why {@code name} is not a valid counter or register name, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "a name is required";
    }
    if (name.length() > MAX_LENGTH) {
      return "name is " + name.length() + " characters long; at most " + MAX_LENGTH + " allowed";
    }
    if (!NAME.matcher(name).matches()) {
      return "name '" + name + "' may only hold letters, digits and . _ : -";
    }
    return null;
  }

  /**
   * The counter that counts {@code key}'s requests on {@code route} in the window ending at {@code
   * windowEndMillis}. The window end is part of the name, so that every region can tell when the
   * counter expires; keys that are not plain are hashed.
   */
  public static String quotaCounter(String route, long windowEndMillis, String key) {
    String safeKey = key == null ? "-" : PLAIN_KEY.matcher(key).matches() ? key : hash(key);
    return QUOTA + route + ":" + windowEndMillis + ":" + safeKey;
  }

  /** When a counter expires (Unix ms): quota counters after their window; others never (0). */
  public static long expiresAt(String name) {
    if (!name.startsWith(QUOTA)) {
      return 0;
    }
    int routeEnd = name.indexOf(':', QUOTA.length());
    int windowEnd = routeEnd < 0 ? -1 : name.indexOf(':', routeEnd + 1);
    if (windowEnd < 0) {
      return 0;
    }
    try {
      return Long.parseLong(name.substring(routeEnd + 1, windowEnd)) + QUOTA_GRACE_MILLIS;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String hash(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return "h" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
