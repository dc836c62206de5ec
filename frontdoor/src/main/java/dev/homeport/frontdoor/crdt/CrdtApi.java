package dev.homeport.frontdoor.crdt;

import dev.homeport.frontdoor.proxy.Headers;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The CRDT API on the public port: {@code POST /v1/counters/{name}:increment}, {@code GET
 * /v1/counters/{name}}, {@code PUT|GET /v1/registers/{name}}; and {@code POST
 * /internal/v1/crdt/merge}, which only peers holding the internal secret may call. Every refusal is
 * a JSON body naming what was wrong and what to send instead.
 */
public final class CrdtApi {

  private static final String COUNTERS = "/v1/counters/";
  private static final String REGISTERS = "/v1/registers/";
  private static final String INCREMENT = ":increment";

  private final CrdtService crdt;
  private final String internalSecret;
  private final String apiToken;

  public CrdtApi(CrdtService crdt, String internalSecret, String apiToken) {
    this.crdt = crdt;
    this.internalSecret = internalSecret;
    this.apiToken = apiToken;
  }

  /** Whether the front-door serves {@code path} itself rather than proxying it. */
  public static boolean serves(String path) {
    return path.startsWith(COUNTERS)
        || path.startsWith(REGISTERS)
        || path.equals(Replication.MERGE_PATH);
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post(Replication.MERGE_PATH).handler(this::authorizePeer);
    router
        .post(Replication.MERGE_PATH)
        .handler(BodyHandler.create(false).setBodyLimit(32L * 1024 * 1024))
        .handler(this::merge);
    router.route(COUNTERS + "*").handler(this::authorizeClient);
    router.route(REGISTERS + "*").handler(this::authorizeClient);
    router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.post(COUNTERS + "*").handler(this::increment);
    router.get(COUNTERS + "*").handler(this::readCounter);
    router.put(REGISTERS + "*").handler(this::putRegister);
    router.get(REGISTERS + "*").handler(this::getRegister);
    router
        .route()
        .handler(
            ctx ->
                fail(
                    ctx,
                    405,
                    "method_not_allowed",
                    ctx.request().method()
                        + " "
                        + ctx.request().path()
                        + ": use POST /v1/counters/{name}:increment, GET /v1/counters/{name},"
                        + " PUT or GET /v1/registers/{name}"));
    return router;
  }

  private void increment(RoutingContext ctx) {
    String rest = ctx.request().path().substring(COUNTERS.length());
    if (!rest.endsWith(INCREMENT)) {
      fail(ctx, 404, "not_found", "POST to /v1/counters/{name}:increment to change a counter");
      return;
    }
    String name = name(ctx, rest.substring(0, rest.length() - INCREMENT.length()));
    if (name == null) {
      return;
    }
    JsonObject body = jsonBody(ctx, true);
    if (body == null) {
      return;
    }
    Object raw = body.getValue("delta", 1L);
    if (!(raw instanceof Integer || raw instanceof Long) || ((Number) raw).longValue() == 0) {
      fail(
          ctx,
          400,
          "bad_delta",
          "delta must be a non-zero whole number within ±9223372036854775807, is " + raw);
      return;
    }
    long delta = ((Number) raw).longValue();
    if (delta == Long.MIN_VALUE) {
      fail(ctx, 400, "bad_delta", "delta " + delta + " is out of range");
      return;
    }
    Long floor = crdt.floor(name);
    CompletionStage<PnCounter> applied;
    try {
      applied = crdt.increment(name, delta);
    } catch (ArithmeticException e) {
      fail(ctx, 409, "overflow", "counter " + name + ": " + e.getMessage());
      return;
    }
    Future.fromCompletionStage(applied)
        .onSuccess(state -> ctx.json(counterJson(name, state, floor).put("delta", delta)))
        .onFailure(error -> failed(ctx, name, error));
  }

  private void readCounter(RoutingContext ctx) {
    String name = name(ctx, ctx.request().path().substring(COUNTERS.length()));
    if (name == null) {
      return;
    }
    Long floor = crdt.floor(name);
    Future.fromCompletionStage(crdt.read(name))
        .compose(
            state ->
                Future.fromCompletionStage(crdt.staleness())
                    .map(staleness -> counterJson(name, state, floor).put("staleness", staleness)))
        .onSuccess(ctx::json)
        .onFailure(error -> failed(ctx, name, error));
  }

  private JsonObject counterJson(String name, PnCounter state, Long floor) {
    JsonObject vector = new JsonObject();
    state
        .slots()
        .forEach(
            (slot, count) -> {
              String region = slot.substring(0, slot.length() - 2);
              JsonObject entry = vector.getJsonObject(region);
              if (entry == null) {
                entry = new JsonObject().put("p", 0L).put("n", 0L);
                vector.put(region, entry);
              }
              entry.put(slot.endsWith(":p") ? "p" : "n", count);
            });
    JsonObject json =
        new JsonObject()
            .put("name", name)
            .put("value", state.value())
            .put("region", crdt.region())
            .put("vector", vector);
    if (floor != null) {
      json.put("floor", floor).put("oversold", Math.max(0, floor - state.value()));
      if (state.value() < floor) {
        json.put("compensationStream", CounterStore.compensationStream(name));
      }
    }
    return json;
  }

  private void putRegister(RoutingContext ctx) {
    String name = name(ctx, ctx.request().path().substring(REGISTERS.length()));
    if (name == null) {
      return;
    }
    JsonObject body = jsonBody(ctx, false);
    if (body == null) {
      return;
    }
    Object value = body.getValue("value");
    if (!(value instanceof String text)) {
      fail(ctx, 400, "bad_value", "send {\"value\": \"...\"}: a string");
      return;
    }
    if (text.length() > MergeBatch.MAX_REGISTER_VALUE) {
      fail(
          ctx,
          413,
          "value_too_large",
          "value is " + text.length() + " characters; at most " + MergeBatch.MAX_REGISTER_VALUE);
      return;
    }
    Future.fromCompletionStage(crdt.put(name, text))
        .onSuccess(write -> ctx.json(registerJson(name, write)))
        .onFailure(error -> failed(ctx, name, error));
  }

  private void getRegister(RoutingContext ctx) {
    String name = name(ctx, ctx.request().path().substring(REGISTERS.length()));
    if (name == null) {
      return;
    }
    Future.fromCompletionStage(crdt.get(name))
        .compose(
            register ->
                Future.fromCompletionStage(crdt.staleness())
                    .map(staleness -> Map.entry(register, staleness)))
        .onSuccess(
            found -> {
              if (found.getKey().isEmpty()) {
                fail(ctx, 404, "not_found", "register " + name + " has never been written");
              } else {
                ctx.json(
                    registerJson(name, found.getKey().get()).put("staleness", found.getValue()));
              }
            })
        .onFailure(error -> failed(ctx, name, error));
  }

  private JsonObject registerJson(String name, LwwRegister register) {
    return new JsonObject()
        .put("name", name)
        .put("value", register.value())
        .put("region", crdt.region())
        .put(
            "timestamp",
            new JsonObject()
                .put("physical", register.timestamp().physicalMillis())
                .put("logical", register.timestamp().logical())
                .put("region", register.timestamp().region()));
  }

  private void merge(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx, false);
    if (body == null) {
      return;
    }
    MergeBatch batch;
    try {
      batch = MergeBatch.fromJson(body);
    } catch (IllegalArgumentException | ClassCastException e) {
      fail(ctx, 400, "bad_shipment", e.getMessage());
      return;
    }
    Future.fromCompletionStage(crdt.merge(batch))
        .onSuccess(
            outcome -> {
              var deferred = new io.vertx.core.json.JsonArray();
              outcome
                  .deferredRegisters()
                  .forEach(
                      (register, reason) ->
                          deferred.add(
                              new JsonObject().put("register", register).put("reason", reason)));
              ctx.json(
                  new JsonObject()
                      .put("countersRaised", outcome.countersRaised())
                      .put("registersWritten", outcome.registersWritten())
                      .put("deferred", deferred));
            })
        .onFailure(error -> failed(ctx, "shipment from " + batch.from(), error));
  }

  private void authorizePeer(RoutingContext ctx) {
    if (Headers.isAuthenticatedHop(ctx.request().headers(), internalSecret)) {
      ctx.next();
      return;
    }
    fail(
        ctx,
        401,
        "unauthorized",
        "internal endpoint: send X-Homeport-Hop: <region> and X-Homeport-Auth: <internal secret>");
  }

  private void authorizeClient(RoutingContext ctx) {
    if (apiToken == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String expected = "Bearer " + apiToken;
    if (header != null
        && MessageDigest.isEqual(
            header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    fail(ctx, 401, "unauthorized", "send Authorization: Bearer <crdt.apiToken>");
  }

  /** The name from the path, or null after answering 400. */
  private static String name(RoutingContext ctx, String name) {
    String problem = CrdtNames.problem(name);
    if (problem != null) {
      fail(ctx, 400, "bad_name", problem);
      return null;
    }
    return name;
  }

  /** The JSON body, or null after answering 400; an empty body is {} when allowed. */
  private static JsonObject jsonBody(RoutingContext ctx, boolean emptyAllowed) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (emptyAllowed) {
        return new JsonObject();
      }
      fail(ctx, 400, "bad_body", "send a JSON object");
      return null;
    }
    try {
      Object parsed = Json.decodeValue(body);
      if (parsed instanceof JsonObject object) {
        return object;
      }
      fail(ctx, 400, "bad_body", "the body must be a JSON object, is " + body);
    } catch (DecodeException e) {
      fail(ctx, 400, "bad_body", "the body is not JSON: " + e.getMessage());
    }
    return null;
  }

  private void failed(RoutingContext ctx, String what, Throwable error) {
    Throwable cause = RedisScript.rootCause(error);
    if (cause instanceof CrdtService.InsufficientException insufficient) {
      fail(ctx, 409, "insufficient", insufficient.getMessage());
    } else if (cause instanceof HybridLogicalClock.ClockSkewException skew) {
      fail(ctx, 409, "clock_skew", skew.getMessage());
    } else if (cause instanceof RedisCommandExecutionException redis
        && String.valueOf(redis.getMessage()).contains("overflow")) {
      fail(ctx, 409, "overflow", what + ": the counter slot would overflow");
    } else if (cause instanceof ArithmeticException overflow) {
      fail(ctx, 409, "overflow", what + ": " + overflow.getMessage());
    } else if (cause instanceof RedisException || cause instanceof TimeoutException) {
      ctx.response().putHeader("Retry-After", "1");
      String message =
          cause instanceof TimeoutException
              ? "Redis did not answer in time"
              : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      fail(
          ctx,
          503,
          "unavailable",
          what + ": region " + crdt.region() + " cannot reach its Redis: " + message);
    } else {
      ctx.response().putHeader("Retry-After", "1");
      fail(ctx, 503, "unavailable", what + ": " + cause.getMessage());
    }
  }

  private static void fail(RoutingContext ctx, int status, String error, String message) {
    HttpServerRequest request = ctx.request();
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("error", error)
                .put("message", message)
                .put("path", request.path())
                .encode());
  }
}
