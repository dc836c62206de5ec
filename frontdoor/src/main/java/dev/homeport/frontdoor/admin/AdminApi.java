package dev.homeport.frontdoor.admin;

import dev.homeport.contract.ContractJson;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.lease.LeaseWatcher;
import dev.homeport.frontdoor.routing.RoutingState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;

/**
 * The admin port: open health endpoints for probes; metrics, audit and routing behind the admin
 * bearer token.
 */
public final class AdminApi {

  private final FrontDoorConfig config;
  private final String instance;
  private final RoutingState routing;
  private final LeaseWatcher lease;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier draining;

  /**
   * @param instance this front-door instance's id, as registered for directory barriers
   */
  public AdminApi(
      FrontDoorConfig config,
      String instance,
      RoutingState routing,
      LeaseWatcher lease,
      PrometheusMeterRegistry registry,
      BooleanSupplier draining) {
    this.config = config;
    this.instance = instance;
    this.routing = routing;
    this.lease = lease;
    this.registry = registry;
    this.draining = draining;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(this::health);
    router.get("/readyz").handler(this::ready);
    router.route("/metrics").handler(this::authorize);
    router.route("/admin/*").handler(this::authorize);
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
    router.get("/admin/audit").handler(this::audit);
    router.get("/admin/routing").handler(this::routingTable);
    return router;
  }

  /** Liveness, with the detail an on-call engineer needs: degraded while Redis is unreachable. */
  private void health(RoutingContext ctx) {
    ctx.json(status());
  }

  private void ready(RoutingContext ctx) {
    JsonObject status = status();
    boolean ready = routing.epoch() >= 0 && !draining.getAsBoolean();
    ctx.response().setStatusCode(ready ? 200 : 503);
    ctx.json(status.put("ready", ready));
  }

  JsonObject status() {
    long staleNanos = routing.staleNanos();
    boolean redisOk = routing.lastError() == null && staleNanos >= 0;
    JsonObject status =
        new JsonObject()
            .put("status", redisOk ? "ok" : "degraded")
            .put("region", config.region())
            .put("instance", instance)
            .put("routingEpoch", routing.epoch())
            .put(
                "routingTableConfirmedSecondsAgo",
                staleNanos < 0 ? null : staleNanos / 1_000_000_000.0)
            .put("leaseHeld", lease.held())
            .put("leaseAgeSeconds", lease.ageNanos() < 0 ? null : lease.ageNanos() / 1e9);
    if (!redisOk) {
      status.put(
          "redis",
          routing.lastError() == null ? "never reached" : "unreachable: " + routing.lastError());
    }
    return status;
  }

  /** Every route with its row of the conflict matrix. */
  private void audit(RoutingContext ctx) {
    JsonArray routes = new JsonArray();
    for (Route route : config.routes()) {
      routes.add(
          new JsonObject()
              .put("name", route.name())
              .put("path", route.pathPrefix())
              .put("policy", route.policy().wire())
              .put("onHomeDown", route.onHomeDown().wire())
              .put("noKey", route.rejectWithoutKey() ? "reject" : "local")
              .put("bothConcurrentWritesKept", route.policy().keepsConcurrentWrites())
              .put("toleratesClockSkew", route.policy().toleratesClockSkew())
              .put("survivesPartition", route.policy().survivesPartition())
              .put("crossRegionRttOnWrites", route.policy().crossRegionRttOnWrites()));
    }
    ctx.json(new JsonObject().put("region", config.region()).put("routes", routes));
  }

  private void routingTable(RoutingContext ctx) {
    routing
        .snapshot()
        .ifPresentOrElse(
            snapshot ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(ContractJson.write(snapshot.table())),
            () ->
                ctx.response()
                    .setStatusCode(404)
                    .end(new JsonObject().put("error", "no routing table loaded yet").encode()));
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String expected = "Bearer " + config.adminToken();
    if (header != null
        && MessageDigest.isEqual(
            header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer")
        .end(
            new JsonObject()
                .put("error", "unauthorized")
                .put("message", "send Authorization: Bearer <admin token>")
                .encode());
  }
}
