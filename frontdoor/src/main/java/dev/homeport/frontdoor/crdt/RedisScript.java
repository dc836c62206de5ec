package dev.homeport.frontdoor.crdt;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script shipped with the front-door: loaded once, called by its SHA, and loaded again when
 * Redis has forgotten it (a restart or {@code SCRIPT FLUSH}).
 */
final class RedisScript {

  private final String name;
  private final String source;
  private final ScriptOutputType output;
  private volatile String sha;

  RedisScript(String name, ScriptOutputType output) {
    this.name = name;
    this.source = read(name);
    this.output = output;
  }

  <T> CompletionStage<T> call(
      RedisClusterAsyncCommands<String, String> redis, String[] keys, String... argv) {
    return this.<T>attempt(redis, keys, argv)
        .exceptionallyCompose(
            error -> {
              if (rootCause(error) instanceof RedisNoScriptException) {
                sha = null;
                return attempt(redis, keys, argv);
              }
              return CompletableFuture.failedFuture(error);
            });
  }

  private <T> CompletionStage<T> attempt(
      RedisClusterAsyncCommands<String, String> redis, String[] keys, String[] argv) {
    String known = sha;
    if (known != null) {
      return redis.<T>evalsha(known, output, keys, argv);
    }
    return redis
        .scriptLoad(source)
        .thenCompose(
            loaded -> {
              sha = loaded;
              return redis.<T>evalsha(loaded, output, keys, argv);
            });
  }

  @Override
  public String toString() {
    return name;
  }

  static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String read(String name) {
    try (InputStream in = RedisScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
