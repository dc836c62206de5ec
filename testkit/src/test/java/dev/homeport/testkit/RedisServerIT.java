package dev.homeport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedisServerIT {

  @Test
  void startsIsolatedServersOnDistinctLoopbackPorts() throws IOException {
    try (RedisServer first = RedisServer.start();
        RedisServer second = RedisServer.start()) {
      assertThat(first.port()).isNotEqualTo(second.port());
      assertThat(first.uri()).startsWith("redis://127.0.0.1:");

      assertThat(command(first, "SET", "k", "first")).isEqualTo("+OK");
      assertThat(command(second, "GET", "k")).as("servers share nothing").isEqualTo("$-1");
      assertThat(command(first, "GET", "k")).isEqualTo("$5");
    }
  }

  @Test
  void killedServerRefusesConnectionsAndRestartsEmptyOnTheSamePort() throws IOException {
    try (RedisServer redis = RedisServer.start()) {
      command(redis, "SET", "k", "v");
      int port = redis.port();

      redis.kill();
      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> command(redis, "PING")).isInstanceOf(IOException.class);

      redis.restart();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(command(redis, "PING")).isEqualTo("+PONG");
      assertThat(command(redis, "GET", "k")).as("no persistence").isEqualTo("$-1");
    }
  }

  @Test
  void fixedPortServerReportsAPortInUse() {
    try (RedisServer redis = RedisServer.start()) {
      assertThatThrownBy(() -> RedisServer.startOn(redis.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + redis.port());
    }
  }

  /** Sends one command in RESP and returns the first line of the reply. */
  private static String command(RedisServer redis, String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(redis.host(), redis.port()), 2000);
      socket.setSoTimeout(2000);
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        request.append(arg).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      return in.readLine();
    }
  }
}
