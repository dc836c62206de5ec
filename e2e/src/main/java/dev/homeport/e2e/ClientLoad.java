package dev.homeport.e2e;

import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;
import dev.homeport.e2e.history.History;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Clients sending {@code /orders} writes (and reads and counter increments, if asked) for random
 * keys through random front-doors, each request recorded in a {@link History} with its outcome. A
 * refused write is sent again, as a new write with a new id, until acknowledged: the history shows
 * every key's unavailability window. Bounded in time; paced so that two cores keep up.
 */
public final class ClientLoad implements AutoCloseable {

  private static final AtomicLong LOADS = new AtomicLong();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final History history;
  private final ExecutorService clients;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final String prefix = "w" + LOADS.incrementAndGet() + "-";
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final List<Future<?>> running = new ArrayList<>();

  /**
   * What the clients send besides writes.
   *
   * @param reads share of requests that read a key (0 to 1)
   * @param increments share of requests that add 1 to 3 to one of {@code counters} (CRDT)
   * @param counters the counters incremented
   */
  public record Mix(double reads, double increments, List<String> counters) {

    /** Writes only. */
    public static final Mix WRITES = new Mix(0, 0, List.of());

    /** Writes and {@code share} reads. */
    public static Mix withReads(double share) {
      return new Mix(share, 0, List.of());
    }

    /** Writes and {@code share} increments of {@code counters}. */
    public static Mix withIncrements(double share, List<String> counters) {
      return new Mix(0, share, counters);
    }
  }

  /**
   * @param entries front-door URLs by region, where requests enter
   * @param keys the keys written
   * @param clients concurrent clients
   * @param mix what is sent besides writes
   * @param pause pause after each acknowledged request, per client
   * @param atMost the load stops by itself after this long
   */
  public ClientLoad(
      History history,
      Map<String, URI> entries,
      List<String> keys,
      int clients,
      Mix mix,
      Duration pause,
      Duration atMost) {
    this.history = history;
    this.clients = Executors.newFixedThreadPool(clients);
    List<String> regions = List.copyOf(entries.keySet());
    long end = System.nanoTime() + atMost.toNanos();
    for (int c = 0; c < clients; c++) {
      running.add(
          this.clients.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                String retry = null; // a refused write's key, written again until acknowledged
                while (!stop.get() && System.nanoTime() < end) {
                  String key = retry != null ? retry : keys.get(random.nextInt(keys.size()));
                  String region = regions.get(random.nextInt(regions.size()));
                  URI entry = URI.create(entries.get(region) + "/orders");
                  double dice = retry != null ? 1 : random.nextDouble();
                  ClientOp op;
                  if (dice < mix.reads()) {
                    op = read(entry, region, key);
                  } else if (dice < mix.reads() + mix.increments()) {
                    String counter = mix.counters().get(random.nextInt(mix.counters().size()));
                    op = increment(entries.get(region), region, counter, 1 + random.nextInt(3));
                  } else {
                    op = write(entry, region, key);
                  }
                  history.record(op);
                  retry = op.kind() == Kind.WRITE && !op.acknowledged() ? key : null;
                  if (op.acknowledged()) {
                    acknowledged.incrementAndGet();
                  }
                  sleep(op.acknowledged() ? pause.toMillis() : 10);
                }
              }));
    }
  }

  private ClientOp write(URI entry, String region, String key) {
    String id = prefix + ids.incrementAndGet();
    HttpRequest request =
        HttpRequest.newBuilder(entry)
            .timeout(TIMEOUT)
            .header("X-User-Id", key)
            .header("X-Write-Id", id)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    return send(id, Kind.WRITE, key, region, request, response -> id);
  }

  private ClientOp read(URI entry, String region, String key) {
    HttpRequest request =
        HttpRequest.newBuilder(entry).timeout(TIMEOUT).header("X-User-Id", key).GET().build();
    return send(
        prefix + "r" + ids.incrementAndGet(),
        Kind.READ,
        key,
        region,
        request,
        response ->
            response == null || outcome(response.statusCode()) != Outcome.ACK
                ? null
                : Long.toString(new JsonObject(response.body()).getLong("writes")));
  }

  private ClientOp increment(URI frontDoor, String region, String counter, long delta) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(frontDoor + "/v1/counters/" + counter + ":increment"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"delta\":" + delta + "}"))
            .build();
    String value = Long.toString(delta);
    return send(
        prefix + "i" + ids.incrementAndGet(),
        Kind.INCREMENT,
        counter,
        region,
        request,
        response -> value);
  }

  /**
   * Sends {@code request} and records it as an operation; {@code value} reads the operation's value
   * from the response ({@code null} when there was none).
   */
  private ClientOp send(
      String id,
      Kind kind,
      String key,
      String region,
      HttpRequest request,
      Function<HttpResponse<String>, String> value) {
    long start = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return new ClientOp(
          id,
          kind,
          key,
          region,
          value.apply(null),
          Outcome.ERROR,
          0,
          null,
          start,
          System.nanoTime());
    }
    return new ClientOp(
        id,
        kind,
        key,
        region,
        value.apply(response),
        outcome(response.statusCode()),
        response.statusCode(),
        response.headers().firstValue("X-Homeport-Region").orElse(null),
        start,
        System.nanoTime());
  }

  /**
   * 2xx: done. The front-door's refusals (503 fenced or home down, 409, 429, 508): certainly not
   * done. Anything else (a proxy error, a timeout): unknown.
   */
  static Outcome outcome(int status) {
    if (status >= 200 && status < 300) {
      return Outcome.ACK;
    }
    if (status == 503 || status == 409 || status == 429 || status == 508) {
      return Outcome.REFUSED;
    }
    return Outcome.ERROR;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis); // pacing the client, not waiting for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Requests acknowledged so far. */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** Stops the clients and waits for their last requests. */
  @Override
  public void close() throws Exception {
    stop.set(true);
    for (Future<?> future : running) {
      future.get(30, TimeUnit.SECONDS);
    }
    clients.shutdown();
  }
}
