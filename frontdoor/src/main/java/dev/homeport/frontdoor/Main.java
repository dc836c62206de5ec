package dev.homeport.frontdoor;

import dev.homeport.frontdoor.config.ConfigException;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar homeport-frontdoor.jar --config region.yaml} */
@Command(
    name = "homeport-frontdoor",
    mixinStandardHelpOptions = true,
    description = "Runs one region's Homeport front-door until SIGTERM, then drains and stops.")
public final class Main implements Callable<Integer> {

  /** Exit code for a configuration the front-door refuses to start with. */
  static final int BAD_CONFIG = 2;

  @Option(
      names = "--config",
      required = true,
      description = "YAML configuration file; HOMEPORT_* environment variables override keys.")
  Path config;

  private final PrintStream err;

  Main(PrintStream err) {
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main(System.err)).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FrontDoorConfig loaded;
    try {
      loaded = FrontDoorConfig.load(config);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return BAD_CONFIG;
    }
    Vertx vertx = Vertx.vertx();
    FrontDoor frontDoor;
    try {
      frontDoor = FrontDoor.start(vertx, loaded).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      err.println("front-door " + loaded.region() + " failed to start: " + rootMessage(e));
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    frontDoor
                        .stop()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(loaded.drainTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
                    vertx
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    err.println("front-door stop: " + rootMessage(e));
                  } finally {
                    stopped.countDown();
                  }
                },
                "homeport-frontdoor-stop"));
    stopped.await();
    return 0;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
