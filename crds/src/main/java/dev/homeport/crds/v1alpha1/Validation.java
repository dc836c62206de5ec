package dev.homeport.crds.v1alpha1;

/**
 * Patterns shared by the custom resources' schemas, so that the API server and the operator agree
 * on what a region name, a duration or a bucket range looks like.
 */
public final class Validation {

  /** A region name: a DNS label of at most 32 characters. */
  public static final String REGION_NAME = "^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$";

  /** A residency zone such as {@code eu} or {@code in}. */
  public static final String RESIDENCY = "^[a-z][a-z0-9-]{0,31}$";

  /**
   * A non-negative duration in the Kubernetes/Go notation ({@code 500ms}, {@code 2s}, {@code
   * 1m30s}), which CEL's {@code duration()} also parses.
   */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /** A bucket or an inclusive bucket range such as {@code 7} or {@code 0-511}. */
  public static final String BUCKET_RANGE = "^(0|[1-9][0-9]{0,5})(-(0|[1-9][0-9]{0,5}))?$";

  /** An http(s) URL. */
  public static final String HTTP_URL = "^https?://[^\\s/]+(/\\S*)?$";

  /** A Redis URI in Lettuce's notation: standalone, TLS, Sentinel or Unix socket. */
  public static final String REDIS_URL =
      "^(redis|rediss|redis-sentinel|rediss-sentinel|redis-socket)://\\S+$";

  /** A drill identifier such as {@code Q4-2026}. */
  public static final String DRILL_ID = "^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

  /** A Kubernetes object name (DNS subdomain). */
  public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

  /** A routing key: a user, tenant or merchant id, printable and without white space. */
  public static final String ROUTING_KEY = "^[!-~]{1,256}$";

  /** An RFC 3339 instant such as {@code 2026-12-20T00:00:00Z} or {@code …+01:00}. */
  public static final String RFC3339 =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

  /** A time of day, {@code HH:MM} on a 24-hour clock. */
  public static final String CLOCK_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

  /** A fraction between 0 and 1 such as {@code 0.05}. */
  public static final String FRACTION = "^(0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)$";

  /** An absolute URL path such as {@code /orders}. */
  public static final String URL_PATH = "^/[!-~]*$";

  /** An HTTP header name (an RFC 9110 token). */
  public static final String HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

  private Validation() {}
}
