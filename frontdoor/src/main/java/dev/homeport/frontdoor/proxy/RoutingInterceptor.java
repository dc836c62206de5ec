package dev.homeport.frontdoor.proxy;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Durations;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.config.RoutePolicy;
import dev.homeport.frontdoor.crdt.GlobalQuota;
import dev.homeport.frontdoor.lease.LeaseWatcher;
import dev.homeport.frontdoor.routing.Decision;
import dev.homeport.frontdoor.routing.HomeDirectory;
import dev.homeport.frontdoor.routing.Hop;
import dev.homeport.frontdoor.routing.InflightWrites;
import dev.homeport.frontdoor.routing.PeerUrls;
import dev.homeport.frontdoor.routing.RequestRouter;
import dev.homeport.frontdoor.routing.RoutingSnapshot;
import dev.homeport.frontdoor.routing.RoutingState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front-door's request pipeline, as one proxy interceptor: strip and verify Homeport headers →
 * match the route → extract the routing key → resolve its home → decide (policy, fences, lease) →
 * send to the local backend or the serving region, or refuse. Every refusal leaves through {@link
 * #refuse}, the one place that maps a failure to a status code.
 */
public final class RoutingInterceptor implements ProxyInterceptor {

  private static final Logger log = LoggerFactory.getLogger(RoutingInterceptor.class);

  /** The context attribute holding the chosen {@link Target}. */
  public static final String TARGET = "homeport.target";

  private static final String ROUTE = "homeport.route";
  private static final String OUTCOME = "homeport.outcome";
  private static final String REFUSAL = "homeport.refusal";
  private static final String DECISION = "homeport.decision";
  private static final String EPOCH = "homeport.epoch";
  private static final String STARTED = "homeport.started";
  private static final String HOP = "homeport.hop";

  private final FrontDoorConfig config;
  private final Vertx vertx;
  private final RoutingState routing;
  private final HomeDirectory directory;
  private final InflightWrites writes;
  private final LeaseWatcher lease;
  private final RequestRouter router;
  private final KeyExtractor keys;
  private final Target backend;
  private final MeterRegistry registry;
  private final GlobalQuota quota;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public RoutingInterceptor(
      FrontDoorConfig config,
      Vertx vertx,
      RoutingState routing,
      HomeDirectory directory,
      InflightWrites writes,
      LeaseWatcher lease,
      GlobalQuota quota,
      PeerUrls peers,
      MeterRegistry registry) {
    this.config = config;
    this.quota = quota;
    this.vertx = vertx;
    this.routing = routing;
    this.directory = directory;
    this.writes = writes;
    this.lease = lease;
    this.registry = registry;
    this.router = new RequestRouter(config.region(), peers);
    this.keys = new KeyExtractor(vertx, config.keySource());
    this.backend = Target.of("backend", config.backend().toString());
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    context.set(STARTED, System.nanoTime());
    context.set(EPOCH, routing.epoch());
    HttpServerRequest incoming = context.request().proxiedRequest();
    MultiMap outgoing = context.request().headers();
    Hop hop = Headers.inboundHop(incoming.headers(), config.internalSecret());
    context.set(HOP, hop);
    Headers.strip(outgoing);

    Route route = config.routeFor(incoming.path());
    if (route == null) {
      return refuse(context, 404, "no_route", "no route covers path " + incoming.path(), 0);
    }
    context.set(ROUTE, route);
    boolean safe = Route.SAFE_METHODS.contains(incoming.method().name());
    if (route.quota() != null && hop == null) {
      // Counted once, where the request enters; a hop from another region was counted there.
      return keys.extract(incoming)
          .compose(
              key -> {
                int retryAfter = quota.admit(route, key);
                if (retryAfter > 0) {
                  return refuse(
                      context,
                      429,
                      "over_quota",
                      "route "
                          + route.name()
                          + " allows "
                          + route.quota().limit()
                          + " requests per key per "
                          + Durations.format(route.quota().window())
                          + " across all regions",
                      retryAfter);
                }
                return routed(context, route, safe, hop, Future.succeededFuture(key));
              },
              error -> badKey(context, error));
    }
    return routed(context, route, safe, hop, null);
  }

  private Future<ProxyResponse> routed(
      ProxyContext context, Route route, boolean safe, Hop hop, Future<String> knownKey) {
    HttpServerRequest incoming = context.request().proxiedRequest();
    if (route.policy() == RoutePolicy.LOCAL) {
      return send(context, new Decision.Local(Decision.Reason.LOCAL), null, hop);
    }
    Optional<RoutingSnapshot> snapshot = routing.snapshot();
    if (snapshot.isEmpty()) {
      return refuse(context, 503, "no_table", "no routing table has been loaded from Redis yet", 1);
    }
    context.set(EPOCH, snapshot.get().epoch());
    return (knownKey != null ? knownKey : keys.extract(incoming))
        .compose(
            key -> {
              if (key == null) {
                return decided(context, route, safe, null, null, snapshot.get(), hop);
              }
              if (safe) {
                return resolved(context, route, true, key, snapshot.get(), hop);
              }
              return inFlight(key, () -> resolved(context, route, false, key, snapshot.get(), hop));
            },
            error -> badKey(context, error));
  }

  /**
   * Runs a write as one of the {@link InflightWrites}: begun before its home is looked up, so that
   * a directory barrier that drops the cached entry waits for it, and ended exactly once, when the
   * backend or the serving region has answered, the write was refused, or it failed.
   */
  private Future<ProxyResponse> inFlight(String key, Supplier<Future<ProxyResponse>> write) {
    long ticket = writes.begin(key);
    Future<ProxyResponse> response;
    try {
      response = write.get();
    } catch (RuntimeException e) {
      response = Future.failedFuture(e);
    }
    return response.onComplete(done -> writes.end(ticket));
  }

  /** Looks up the key's home, then decides. */
  private Future<ProxyResponse> resolved(
      ProxyContext context,
      Route route,
      boolean safe,
      String key,
      RoutingSnapshot snapshot,
      Hop hop) {
    return Future.fromCompletionStage(directory.lookup(key), vertx.getOrCreateContext())
        .compose(
            entry -> decided(context, route, safe, key, entry.orElse(null), snapshot, hop),
            error ->
                safe
                    ? decided(context, route, safe, key, directory.bucketEntry(key), snapshot, hop)
                    : refuse(
                        context,
                        503,
                        "unresolved",
                        "the home of this key cannot be resolved while Redis is unreachable",
                        1));
  }

  private Future<ProxyResponse> badKey(ProxyContext context, Throwable error) {
    return error instanceof KeyExtractor.InvalidToken
        ? refuse(context, 401, "bad_token", error.getMessage(), 0)
        : Future.failedFuture(error);
  }

  private Future<ProxyResponse> decided(
      ProxyContext context,
      Route route,
      boolean safe,
      String key,
      DirectoryEntry entry,
      RoutingSnapshot snapshot,
      Hop hop) {
    Decision decision = router.decide(route, safe, key, entry, snapshot, lease.held(), hop);
    context.set(DECISION, decision);
    if (hop != null && log.isDebugEnabled()) {
      if (decision instanceof Decision.Proxy proxy) {
        log.debug(
            "Re-routing a {} request on route {} to {}: {} proxied it here by routing epoch {},"
                + " this region routes by epoch {}",
            context.request().getMethod(),
            route.name(),
            proxy.region(),
            hop.from(),
            hop.epoch(),
            snapshot.epoch());
      } else if (decision instanceof Decision.Refuse refusal && refusal.status() == 508) {
        log.debug("Refusing a loop on route {}: {}", route.name(), refusal.message());
      }
    }
    if (decision instanceof Decision.Refuse refusal) {
      return refuse(
          context,
          refusal.status(),
          refusal.outcome(),
          refusal.message(),
          refusal.retryAfterSeconds());
    }
    String home = null;
    if (decision instanceof Decision.Local local
        && local.reason() == Decision.Reason.LOCAL_READ
        && key != null) {
      // Only a local read names the home it may lag; nothing else needs the key hashed again.
      home = entry != null ? entry.home() : snapshot.bucketHome(key);
    }
    return send(context, decision, home, hop);
  }

  private Future<ProxyResponse> send(
      ProxyContext context, Decision decision, String home, Hop hop) {
    MultiMap outgoing = context.request().headers();
    if (decision instanceof Decision.Proxy proxy) {
      context.set(TARGET, Target.of(proxy.region(), proxy.url()));
      context.set(OUTCOME, proxy.reason().header());
      outgoing.set(Headers.HOP, config.region());
      outgoing.set(Headers.AUTH, config.internalSecret());
      // The table this decision was made by: a region routing by a newer one may proxy it once
      // more, to the server of that table.
      outgoing.set(Headers.EPOCH, Long.toString(context.get(EPOCH, Long.class)));
      outgoing.set(Headers.HOPS, Integer.toString(hop == null ? 1 : hop.count() + 1));
    } else {
      Decision.Local local = (Decision.Local) decision;
      context.set(TARGET, backend);
      if (hop != null) {
        // Tell the backend which region proxied the request; the internal secret stays here.
        outgoing.set(Headers.HOP, hop.from());
      }
      context.set(OUTCOME, local.reason().header());
      if (home != null) {
        context.set(Headers.HOME, home);
      }
    }
    return context.sendRequest();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    MultiMap headers = context.response().headers();
    Decision decision = context.get(DECISION, Decision.class);
    String outcome = context.get(OUTCOME, String.class);
    if (decision instanceof Decision.Proxy proxy) {
      // Keep the serving front-door's region header (and the re-routing one's, if one re-routed
      // it); say below why it went there.
      headers.remove(Headers.HOME);
      if (proxy.reason() == Decision.Reason.REROUTED) {
        headers.set(Headers.REROUTED, config.region());
      }
    } else {
      // Served or refused here: whatever the backend said, the region is this one.
      Headers.strip(headers);
      headers.set(Headers.REGION, config.region());
    }
    if (outcome != null) {
      headers.set(Headers.SERVED, outcome);
    }
    String home = context.get(Headers.HOME, String.class);
    if (home != null) {
      headers.set(Headers.HOME, home);
    }
    Long epoch = context.get(EPOCH, Long.class);
    if (epoch != null && epoch >= 0) {
      headers.set(Headers.EPOCH, Long.toString(epoch));
    }
    String refusal = context.get(REFUSAL, String.class);
    record(context, refusal != null ? refusal : outcome != null ? outcome : "refused");
    return context.sendResponse();
  }

  private Future<ProxyResponse> refuse(
      ProxyContext context, int status, String outcome, String message, int retryAfterSeconds) {
    ProxyResponse response =
        context
            .request()
            .response()
            .setStatusCode(status)
            .putHeader("Content-Type", "application/json");
    if (retryAfterSeconds > 0) {
      response.putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }
    context.set(REFUSAL, outcome);
    JsonObject body =
        new JsonObject()
            .put("error", outcome)
            .put("message", message)
            .put("region", config.region());
    response.setBody(Body.body(Buffer.buffer(body.encode())));
    return Future.succeededFuture(response);
  }

  /**
   * Records the request; one timer per route, outcome, status class and hop, built once, not per
   * request.
   *
   * <p>{@code outcome} says where the request went, not how it ended: a request served locally or
   * proxied is {@code local} or {@code proxied} whether the backend answered 200 or 500, and a
   * backend that could not be reached or did not answer in time is answered 502 or 504 by the proxy
   * under the same outcome. {@code status} (the response's class, {@code 2xx} … {@code 5xx}) tells
   * them apart without a series per status code. {@code hop} is {@code true} on the front-door that
   * received the request from another region's front-door: such a request is recorded twice, once
   * where it entered ({@code hop="false"}) and once where it was served, so counting users'
   * requests, or their latency, means summing {@code hop="false"} only. A request that a region
   * routing by a newer table proxied a second time is recorded there too, as {@code hop="true"}
   * with outcome {@code rerouted}: how many requests reached their server only through a second hop
   * while tables disagreed.
   */
  private void record(ProxyContext context, String outcome) {
    long started = context.get(STARTED, Long.class);
    Route route = context.get(ROUTE, Route.class);
    String routeName = route == null ? "none" : route.name();
    String status = statusClass(context.response().getStatusCode());
    String hop = context.get(HOP, Hop.class) != null ? "true" : "false";
    timers
        .computeIfAbsent(
            routeName + '\n' + outcome + '\n' + status + '\n' + hop,
            id ->
                Timer.builder("homeport.requests")
                    .description(
                        "Requests through the front-door by route, policy, outcome, status class"
                            + " and hop")
                    .tag("route", routeName)
                    .tag("policy", route == null ? "none" : route.policy().wire())
                    .tag("outcome", outcome)
                    .tag("status", status)
                    .tag("hop", hop)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  /** {@code 1xx} … {@code 5xx}; {@code other} for a code outside 100-599. */
  static String statusClass(int status) {
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }
}
