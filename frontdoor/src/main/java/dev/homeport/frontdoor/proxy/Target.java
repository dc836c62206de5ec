package dev.homeport.frontdoor.proxy;

import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;

/** Where a proxied request goes: the local backend or another region's front-door. */
public record Target(String name, String host, int port, boolean ssl) {

  public static Target of(String name, String url) {
    URI uri = URI.create(url);
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    return new Target(name, uri.getHost(), port, ssl);
  }

  public RequestOptions requestOptions(long connectTimeoutMillis, long idleTimeoutMillis) {
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(port, host))
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setConnectTimeout(connectTimeoutMillis)
        .setIdleTimeout(idleTimeoutMillis);
  }
}
