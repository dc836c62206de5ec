package dev.homeport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ToxiproxyServerIT {

  private HttpServer east;
  private HttpServer west;

  @BeforeEach
  void startUpstreams() throws IOException {
    east = answering("east");
    west = answering("west");
  }

  @AfterEach
  void stopUpstreams() {
    east.stop(0);
    west.stop(0);
  }

  @Test
  void linkCarriesRequestsUntilDisabledAndAgainOnceEnabled() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      assertThat(toxiproxy.client().version()).isNotBlank();
      Proxy link = toxiproxy.link("east", east.getAddress().getPort());
      int port = ToxiproxyServer.listenPort(link);
      assertThat(port).isPositive().isNotEqualTo(east.getAddress().getPort());

      assertThat(get(port)).isEqualTo("east");

      link.disable();
      assertThatThrownBy(() -> get(port)).as("partitioned link").isInstanceOf(IOException.class);

      link.enable();
      assertThat(ToxiproxyServer.listenPort(link)).as("same port after enable").isEqualTo(port);
      assertThat(get(port)).isEqualTo("east");
    }
  }

  @Test
  void latencyToxicSlowsEveryRoundTrip() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      Proxy link = toxiproxy.link("slow-east", east.getAddress().getPort());
      int port = ToxiproxyServer.listenPort(link);
      assertThat(get(port)).isEqualTo("east");

      link.toxics().latency("wan", ToxicDirection.DOWNSTREAM, 100);

      long started = System.nanoTime();
      assertThat(get(port)).isEqualTo("east");
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(Duration.ofMillis(100));

      link.toxics().get("wan").remove();
      assertThat(get(port)).isEqualTo("east");
    }
  }

  @Test
  void linkCanBeRepointedToAnotherUpstreamOnTheSamePort() throws IOException {
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      Proxy link = toxiproxy.link("home", east.getAddress().getPort());
      int port = ToxiproxyServer.listenPort(link);
      assertThat(get(port)).isEqualTo("east");

      link.setUpstream("127.0.0.1:" + west.getAddress().getPort());

      assertThat(ToxiproxyServer.listenPort(link)).isEqualTo(port);
      assertThat(get(port)).isEqualTo("west");
    }
  }

  @Test
  void closeStopsTheServer() throws IOException {
    ToxiproxyServer toxiproxy = ToxiproxyServer.start();
    int apiPort = toxiproxy.apiPort();
    toxiproxy.close();

    assertThatThrownBy(() -> toxiproxy.client().version()).isInstanceOf(IOException.class);
    assertThat(toxiproxy.logFile()).exists();
    assertThatThrownBy(() -> new Socket("127.0.0.1", apiPort).close())
        .isInstanceOf(IOException.class);
  }

  /** An HTTP server on a free loopback port whose every answer is {@code body}. */
  private static HttpServer answering(String body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return server;
  }

  /**
   * One GET on a fresh connection (no pool to hide a cut link), returning the body of a 200 answer.
   */
  private static String get(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!response.startsWith("HTTP/1.1 200")) {
        throw new IOException("Not a 200 answer through port " + port + ": " + response);
      }
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }
}
