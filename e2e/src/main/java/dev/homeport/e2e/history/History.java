package dev.homeport.e2e.history;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * What happened during a scenario: every request the clients sent, every write the backends
 * applied, and the counters' final values per region. Safe to record into from any number of
 * threads; the snapshots are copies.
 */
public final class History {

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final ConcurrentLinkedQueue<ClientOp> ops = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<AppliedWrite> applied = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<CounterReading> readings = new ConcurrentLinkedQueue<>();

  /** Records a request as the client saw it end. */
  public void record(ClientOp op) {
    ops.add(Objects.requireNonNull(op, "op"));
  }

  /** Records a write a backend applied. */
  public void applied(AppliedWrite write) {
    applied.add(Objects.requireNonNull(write, "write"));
  }

  /** Records a counter's final value as read from one region after convergence. */
  public void counterReading(String counter, String region, long value) {
    readings.add(new CounterReading(counter, region, value));
  }

  /** The requests recorded so far, in the order they were recorded. */
  public List<ClientOp> ops() {
    return List.copyOf(ops);
  }

  /**
   * Requests matching {@code matching}, sent at or after {@code sinceNanos}, that {@code region}
   * served and acknowledged.
   */
  public long servedSince(long sinceNanos, Predicate<ClientOp> matching, String region) {
    return ops().stream()
        .filter(
            op ->
                op.startNanos() >= sinceNanos
                    && matching.test(op)
                    && op.acknowledged()
                    && region.equals(op.servedBy()))
        .count();
  }

  /** The applied writes recorded so far, in the order they were recorded. */
  public List<AppliedWrite> appliedWrites() {
    return List.copyOf(applied);
  }

  /** The counter readings recorded so far, in the order they were recorded. */
  public List<CounterReading> counterReadings() {
    return List.copyOf(readings);
  }

  /**
   * Writes everything recorded so far to {@code file}, one JSON object per line, each with a {@code
   * type} of {@code op}, {@code applied} or {@code counter}, so that a failed run leaves its raw
   * history behind. Creates the parent directories; replaces the file.
   */
  public void writeJsonLines(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ClientOp op : ops()) {
        writeLine(out, "op", op);
      }
      for (AppliedWrite write : appliedWrites()) {
        writeLine(out, "applied", write);
      }
      for (CounterReading reading : counterReadings()) {
        writeLine(out, "counter", reading);
      }
    }
  }

  /**
   * Reads a history written by {@link #writeJsonLines(Path)}, to check a failed run's history
   * again.
   *
   * @throws IOException when the file cannot be read, or a line is not one of the three types
   */
  public static History readJsonLines(Path file) throws IOException {
    History history = new History();
    int number = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      String type = node.path("type").asText();
      switch (type) {
        case "op" -> history.record(JSON.treeToValue(node, ClientOp.class));
        case "applied" -> history.applied(JSON.treeToValue(node, AppliedWrite.class));
        case "counter" -> {
          CounterReading reading = JSON.treeToValue(node, CounterReading.class);
          history.counterReading(reading.counter(), reading.region(), reading.value());
        }
        default ->
            throw new IOException(
                String.format(
                    "%s line %d: type must be op, applied or counter, got '%s'",
                    file, number, type));
      }
    }
    return history;
  }

  private static void writeLine(BufferedWriter out, String type, Object value) throws IOException {
    ObjectNode line = JSON.createObjectNode().put("type", type);
    line.setAll((ObjectNode) JSON.valueToTree(value));
    out.write(JSON.writeValueAsString(line));
    out.newLine();
  }
}
