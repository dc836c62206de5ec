package dev.homeport.testkit;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway {@code toxiproxy-server} process whose HTTP API listens on a free loopback port.
 * Tests put a {@linkplain #link link} between a client and a server to cut it ({@code
 * proxy.disable()}, a partition), slow it down (a latency toxic) or point it elsewhere ({@code
 * proxy.setUpstream(...)}), which is how faults between regions are rehearsed.
 *
 * <p>The binary is, in order: {@code HOMEPORT_TOXIPROXY_SERVER}; the one {@code
 * e2e/bin/toxiproxy.sh} caches at {@code ${XDG_CACHE_HOME:-~/.cache}/homeport/bin/}; {@code
 * toxiproxy-server} on PATH; else, when Go is installed, that script builds it first.
 */
public final class ToxiproxyServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ToxiproxyServer.class);

  /** toxiproxy-server version the tests run; the build passes it in from the parent POM. */
  public static final String DEFAULT_VERSION = "2.5.0";

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Process process;
  private final int apiPort;
  private final Path logFile;
  private final ToxiproxyClient client;

  private ToxiproxyServer(Process process, int apiPort, Path logFile) {
    this.process = process;
    this.apiPort = apiPort;
    this.logFile = logFile;
    this.client = new ToxiproxyClient(HOST, apiPort);
  }

  /** Starts a fresh server with no proxies, its API on a free loopback port. */
  public static ToxiproxyServer start() {
    Path executable = executable();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < LocalProcesses.PORT_ATTEMPTS; attempt++) {
      try {
        return launch(executable, LocalProcesses.freePort());
      } catch (IllegalStateException e) {
        // Another process may have taken the port between probing and binding; try another.
        last = e;
      }
    }
    throw last;
  }

  /**
   * The toxiproxy-server binary: {@code HOMEPORT_TOXIPROXY_SERVER}, else the cached build of the
   * pinned version, else the one on PATH, else one built now with {@code e2e/bin/toxiproxy.sh} when
   * Go is installed.
   */
  public static Path executable() {
    String configured = System.getenv("HOMEPORT_TOXIPROXY_SERVER");
    if (configured != null && !configured.isBlank()) {
      Path path = Paths.get(configured);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(
            "HOMEPORT_TOXIPROXY_SERVER is " + configured + ", which is not an executable file");
      }
      return path;
    }
    String version =
        LocalProcesses.setting(
            "homeport.toxiproxy.version", "HOMEPORT_TOXIPROXY_VERSION", DEFAULT_VERSION);
    Path cached = cachedBinary(version);
    if (Files.isExecutable(cached)) {
      return cached;
    }
    Optional<Path> onPath = Executables.find("toxiproxy-server");
    if (onPath.isPresent()) {
      return onPath.get();
    }
    Optional<Path> script = ProjectPaths.find("e2e/bin/toxiproxy.sh");
    if (script.isPresent() && Executables.find("go").isPresent()) {
      build(script.get(), version);
      if (Files.isExecutable(cached)) {
        return cached;
      }
    }
    throw new IllegalStateException(
        "toxiproxy-server "
            + version
            + " is not installed: run `bash e2e/bin/setup.sh` (it builds it with Go into "
            + cached
            + "), put toxiproxy-server on PATH or set HOMEPORT_TOXIPROXY_SERVER to its path");
  }

  /** A client for this server's API. */
  public ToxiproxyClient client() {
    return client;
  }

  public String host() {
    return HOST;
  }

  /** The server's process id. */
  public long pid() {
    return process.pid();
  }

  public int apiPort() {
    return apiPort;
  }

  /**
   * Where the server's output goes; kept after {@link #close()} for a failed test's post-mortem.
   */
  public Path logFile() {
    return logFile;
  }

  /**
   * Creates an enabled proxy named {@code name} from a free loopback port to {@code
   * 127.0.0.1:upstreamPort}. Clients connect to {@link #listenPort(Proxy)} instead of the upstream.
   */
  public Proxy link(String name, int upstreamPort) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("A Toxiproxy link needs a name");
    }
    if (upstreamPort < 1 || upstreamPort > 65535) {
      throw new IllegalArgumentException(
          String.format("Link '%s': upstream port %d is not in 1..65535", name, upstreamPort));
    }
    String upstream = HOST + ":" + upstreamPort;
    try {
      // Port 0: the server binds a free port itself (no probe-then-bind race) and reports it back
      // as the proxy's listen address, which it keeps across disable() and enable().
      return client.createProxy(name, HOST + ":0", upstream);
    } catch (IOException e) {
      throw new UncheckedIOException(
          String.format(
              "Could not create Toxiproxy link '%s' to %s through the API on %s:%d (log: %s)",
              name, upstream, HOST, apiPort, logFile),
          e);
    }
  }

  /** The loopback port a proxy listens on, parsed from its {@code host:port} listen address. */
  public static int listenPort(Proxy proxy) {
    String listen = proxy.getListen();
    int colon = listen == null ? -1 : listen.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "Proxy '" + proxy.getName() + "' has no host:port listen address: " + listen);
    }
    try {
      return Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Proxy '" + proxy.getName() + "' has no port in its listen address: " + listen, e);
    }
  }

  /** Stops the server and whatever it started, waiting for them to exit. */
  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      for (ProcessHandle child : descendants) {
        child.destroyForcibly();
        child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("A child of toxiproxy-server on port {} did not exit: {}", apiPort, e.toString());
    }
  }

  private static ToxiproxyServer launch(Path executable, int apiPort) {
    Path logFile = logDirectory().resolve("toxiproxy-" + apiPort + ".log");
    List<String> command =
        List.of(executable.toString(), "-host", HOST, "-port", Integer.toString(apiPort));
    Process process;
    try {
      Files.deleteIfExists(logFile);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + executable, e);
    }
    ToxiproxyServer server = new ToxiproxyServer(process, apiPort, logFile);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest version =
        HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + apiPort + "/version"))
            .timeout(Duration.ofSeconds(1))
            .build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "toxiproxy-server exited while starting on port "
                + apiPort
                + ":\n"
                + LocalProcesses.read(logFile));
      }
      try {
        HttpResponse<String> response = http.send(version, HttpResponse.BodyHandlers.ofString());
        // Alive after answering: the answer came from this process, not from another one that
        // holds the port while this one fails to bind it.
        if (response.statusCode() == 200 && process.isAlive()) {
          log.debug(
              "toxiproxy-server {} ready on {}:{} (log: {})",
              response.body().trim(),
              HOST,
              apiPort,
              logFile);
          return server;
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.close();
        throw new IllegalStateException("Interrupted while waiting for toxiproxy-server", e);
      }
      LocalProcesses.pause("toxiproxy-server");
    }
    server.close();
    throw new IllegalStateException(
        "toxiproxy-server did not answer GET /version on port "
            + apiPort
            + " within "
            + START_TIMEOUT
            + ":\n"
            + LocalProcesses.read(logFile));
  }

  private static void build(Path script, String version) {
    log.info("Building toxiproxy-server {} with {}", version, script);
    ProcessBuilder builder =
        new ProcessBuilder("bash", script.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("HOMEPORT_TOXIPROXY_VERSION", version);
    try {
      int exit = builder.start().waitFor();
      if (exit != 0) {
        log.warn("{} exited with {}", script, exit);
      }
    } catch (IOException e) {
      log.warn("Could not run {}: {}", script, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while building toxiproxy-server", e);
    }
  }

  /** Where {@code e2e/bin/toxiproxy.sh} puts a version. */
  static Path cachedBinary(String version) {
    return ToolCache.binary("toxiproxy-server-" + version);
  }

  /** The module's {@code target/} when a test runs in Maven, else the temp folder. */
  private static Path logDirectory() {
    Path target = Paths.get("target").toAbsolutePath();
    if (Files.isDirectory(target)) {
      return target;
    }
    return Paths.get(System.getProperty("java.io.tmpdir"));
  }
}
