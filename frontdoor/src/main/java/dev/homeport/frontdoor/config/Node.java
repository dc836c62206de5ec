package dev.homeport.frontdoor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.homeport.contract.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A position in the configuration tree that knows its own path, so that every error names the key
 * it is about ({@code routes[2].policy}) and says what to write instead.
 */
final class Node {

  private final JsonNode json;
  private final String path;

  Node(JsonNode json, String path) {
    this.json = json;
    this.path = path;
  }

  String path() {
    return path;
  }

  boolean has(String key) {
    return json != null && json.has(key) && !json.get(key).isNull();
  }

  Node child(String key) {
    return new Node(json == null ? null : json.get(key), path.isEmpty() ? key : path + "." + key);
  }

  /** Fails on keys this object does not know, which are almost always typos. */
  Node onlyKeys(String... known) {
    if (json == null || !json.isObject()) {
      return this;
    }
    Set<String> allowed = Set.of(known);
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw fail("unknown key '" + name + "'; the keys here are " + new TreeSet<>(allowed), name);
      }
    }
    return this;
  }

  List<Node> list(String key) {
    Node list = child(key);
    List<Node> items = new ArrayList<>();
    if (list.json == null || list.json.isNull()) {
      return items;
    }
    if (!list.json.isArray()) {
      throw list.fail("must be a list");
    }
    for (int i = 0; i < list.json.size(); i++) {
      items.add(new Node(list.json.get(i), list.path + "[" + i + "]"));
    }
    return items;
  }

  String text(String key, String fix) {
    Node value = child(key);
    if (value.json == null || value.json.isNull()) {
      throw value.fail("is missing: " + fix);
    }
    if (!value.json.isValueNode() || value.json.asText().isBlank()) {
      throw value.fail("must be a non-empty string: " + fix);
    }
    return value.json.asText();
  }

  String text(String key, String fallback, String fix) {
    return has(key) ? text(key, fix) : fallback;
  }

  int integer(String key, int fallback, int min, int max) {
    if (!has(key)) {
      return fallback;
    }
    Node value = child(key);
    JsonNode json = value.json;
    Integer number =
        json.isInt()
            ? Integer.valueOf(json.asInt())
            : json.isTextual() && isInteger(json.asText()) ? Integer.valueOf(json.asText()) : null;
    if (number == null) {
      throw value.fail("must be a whole number from " + min + " to " + max);
    }
    if (number < min || number > max) {
      throw value.fail("is " + number + "; it must be from " + min + " to " + max);
    }
    return number;
  }

  long longInteger(String key, long fallback, long min, long max) {
    if (!has(key)) {
      return fallback;
    }
    Node value = child(key);
    JsonNode json = value.json;
    Long number =
        json.isIntegralNumber() && json.canConvertToLong()
            ? Long.valueOf(json.asLong())
            : json.isTextual() && json.asText().matches("-?[0-9]{1,18}")
                ? Long.valueOf(json.asText())
                : null;
    if (number == null) {
      throw value.fail("must be a whole number from " + min + " to " + max);
    }
    if (number < min || number > max) {
      throw value.fail("is " + number + "; it must be from " + min + " to " + max);
    }
    return number;
  }

  /** The keys of this mapping, in file order; empty when absent. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    if (json == null || json.isNull()) {
      return keys;
    }
    if (!json.isObject()) {
      throw fail("must be a mapping");
    }
    json.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    Node value = child(key);
    String text = value.json.asText();
    if (value.json.isBoolean() || text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw value.fail("must be true or false");
  }

  Duration duration(String key, String fallback, Duration min) {
    String text = has(key) ? child(key).json.asText() : fallback;
    Duration duration = Durations.parse(text);
    if (duration == null) {
      throw child(key).fail("is '" + text + "', not a duration; write e.g. 500ms, 2s or 1m");
    }
    if (duration.compareTo(min) < 0) {
      throw child(key).fail("is " + text + "; it must be at least " + Durations.format(min));
    }
    return duration;
  }

  URI httpUrl(String key, String fix) {
    String text = text(key, fix);
    try {
      URI uri = URI.create(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw child(key).fail("is '" + text + "', not an http(s) URL: " + fix);
  }

  ConfigException fail(String problem) {
    return new ConfigException("front-door config: " + path + " " + problem);
  }

  private ConfigException fail(String problem, String key) {
    return new ConfigException(
        "front-door config: " + (path.isEmpty() ? key : path + "." + key) + ": " + problem);
  }

  private static boolean isInteger(String text) {
    return text.matches("-?[0-9]{1,9}");
  }
}
