package dev.homeport.e2e.history;

import static dev.homeport.e2e.history.Ops.applied;
import static dev.homeport.e2e.history.Ops.increment;
import static dev.homeport.e2e.history.Ops.read;
import static dev.homeport.e2e.history.Ops.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

  @TempDir Path directory;

  @Test
  void recordsFromManyThreadsAreAllKept() throws Exception {
    History history = new History();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        running.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 1_000; i++) {
                    String id = thread + "-" + i;
                    history.record(write(id, "k" + i, Outcome.ACK, "mumbai", i, i + 1));
                    history.applied(applied(id, "k" + i, "mumbai", i + 0.5));
                  }
                }));
      }
      for (Future<?> future : running) {
        future.get();
      }
    } finally {
      threads.shutdown();
    }

    assertThat(history.ops()).hasSize(8_000);
    assertThat(history.appliedWrites()).hasSize(8_000);
    assertThat(history.ops().stream().map(ClientOp::value).distinct()).hasSize(8_000);
  }

  @Test
  void snapshotsAreCopies() {
    History history = new History();
    List<ClientOp> before = history.ops();
    history.record(write("w1", "k1", Outcome.ACK, "mumbai", 0, 1));

    assertThat(before).isEmpty();
    assertThat(history.ops()).hasSize(1);
  }

  @Test
  void theJsonLinesDumpHasOneTypedObjectPerLineAndReadsBackEqual() throws IOException {
    History history = new History();
    history.record(write("w1", "k1", Outcome.ACK, "mumbai", 0, 1));
    history.record(write("w2", "k1", Outcome.ERROR, null, 2, 3));
    history.record(read("r1", "k1", 1, 4, 5));
    history.record(increment("i1", "downloads", -3, Outcome.ACK, "singapore", 6));
    history.applied(applied("w1", "k1", "mumbai", 0.5));
    history.counterReading("downloads", "frankfurt", -3);
    Path file = directory.resolve("runs/history.jsonl");

    history.writeJsonLines(file);

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    ObjectMapper json = new ObjectMapper();
    assertThat(lines).hasSize(6);
    List<String> types = new ArrayList<>();
    for (String line : lines) {
      types.add(json.readTree(line).get("type").asText());
    }
    assertThat(types).containsExactly("op", "op", "op", "op", "applied", "counter");
    assertThat(json.readTree(lines.get(1)).get("servedBy").isNull()).isTrue();
    assertThat(json.readTree(lines.get(0)).get("kind").asText()).isEqualTo("WRITE");

    History read = History.readJsonLines(file);
    assertThat(read.ops()).isEqualTo(history.ops());
    assertThat(read.appliedWrites()).isEqualTo(history.appliedWrites());
    assertThat(read.counterReadings())
        .containsExactly(new CounterReading("downloads", "frankfurt", -3));
  }

  @Test
  void aDumpLineOfAnUnknownTypeIsRefusedNamingTheLine() throws IOException {
    Path file = directory.resolve("history.jsonl");
    Files.writeString(
        file,
        "{\"type\":\"counter\",\"counter\":\"c\",\"region\":\"r\",\"value\":1}\n"
            + "{\"type\":\"gossip\"}\n");

    assertThatThrownBy(() -> History.readJsonLines(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + " line 2: type must be op, applied or counter, got 'gossip'");
  }

  @Test
  void anIncrementWithoutADecimalDeltaIsRefusedNamingTheOp() {
    assertThatThrownBy(
            () ->
                new ClientOp(
                    "i7",
                    Kind.INCREMENT,
                    "downloads",
                    "mumbai",
                    "five",
                    Outcome.ACK,
                    200,
                    "mumbai",
                    0,
                    1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Op i7: value must be the delta as a decimal, got five");
  }

  @Test
  void anOpEndingBeforeItStartsIsRefused() {
    assertThatThrownBy(() -> write("w1", "k1", Outcome.ACK, "mumbai", 5, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Op op-w1 ends");
  }
}
