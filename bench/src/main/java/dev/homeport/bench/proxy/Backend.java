package dev.homeport.bench.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.CountDownLatch;

/**
 * The one backend every proxy case reaches: a Vert.x server on one event loop answering every
 * request with the same small body. Run as its own process ({@code java -cp homeport-bench.jar
 * dev.homeport.bench.proxy.Backend <port>}) so that the proxies under test and the load generator
 * never share its JVM.
 */
public final class Backend {

  /** What every request gets: 200, text/plain, these bytes. */
  public static final String BODY = "hello from the backend\n";

  private Backend() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: Backend <port>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Buffer body = Buffer.buffer(BODY);
    String length = Integer.toString(body.length());
    vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(
            request ->
                request
                    .response()
                    .putHeader("Content-Type", "text/plain")
                    .putHeader("Content-Length", length)
                    .end(body))
        .listen()
        .await();
    System.out.println("backend listening on 127.0.0.1:" + port);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }
}
