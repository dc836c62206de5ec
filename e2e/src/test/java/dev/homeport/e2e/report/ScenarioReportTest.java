package dev.homeport.e2e.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.e2e.history.AppliedWrite;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;
import dev.homeport.e2e.history.History;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.HistoryChecker.Policy;
import dev.homeport.e2e.history.Timeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ScenarioReportTest {

  private static final long BASE = 3_000_000_000L;

  @TempDir Path directory;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  /** Two seconds of writes through mumbai, refused for half a second, then through frankfurt. */
  private static History regionFailure() {
    History history = new History();
    for (int i = 0; i < 40; i++) {
      long start = BASE + i * 50_000_000L;
      String id = "w" + i;
      Outcome outcome = i >= 10 && i < 20 ? Outcome.REFUSED : Outcome.ACK;
      String region = i < 10 ? "mumbai" : "frankfurt";
      history.record(
          new ClientOp(
              "op-" + id,
              Kind.WRITE,
              "k" + (i % 4),
              "singapore",
              id,
              outcome,
              outcome == Outcome.ACK ? 200 : 503,
              outcome == Outcome.ACK ? region : null,
              start,
              start + 2_000_000));
      if (outcome == Outcome.ACK) {
        history.applied(new AppliedWrite(id, "k" + (i % 4), region, start + 1_000_000));
      }
    }
    return history;
  }

  @Test
  void writesMarkdownJsonAndAnSvgThatParsesAndNamesTheEvents() throws Exception {
    History history = regionFailure();
    CheckResult check = HistoryChecker.check(history, Policy.strict(Duration.ofSeconds(5)));
    ScenarioReport report = new ScenarioReport(null, out);
    report
        .scenario("Region failure: mumbai killed")
        .figure("writes acknowledged", 30, "")
        .figure("failover time", Duration.ofMillis(1234))
        .figure("entry regions", "singapore")
        .check(check)
        .timeline(Timeline.of(history))
        .event(BASE + 500_000_000L, "mumbai killed")
        .event(BASE + 1_000_000_000L, "failover <published> & served")
        .done();

    report.write(directory);

    String markdown = Files.readString(directory.resolve("report.md"));
    assertThat(markdown)
        .contains("## Region failure: mumbai killed")
        .contains("Status: clean")
        .contains("| writes acknowledged | 30 |")
        .contains("| failover time | 1,234 ms |")
        .contains("| lost | 0 |")
        .contains("| +0.500 s | mumbai killed |")
        .contains("| p50 | 400 ms |")
        .contains("](region-failure-mumbai-killed.svg)")
        .contains(check.summary());

    JsonNode json = new ObjectMapper().readTree(directory.resolve("report.json").toFile());
    JsonNode scenario = json.get("scenarios").get(0);
    assertThat(scenario.get("name").asText()).isEqualTo("Region failure: mumbai killed");
    assertThat(scenario.get("figures").get("failover time").asText()).isEqualTo("1,234 ms");
    assertThat(scenario.get("check").get("acknowledgedWrites").asInt()).isEqualTo(30);
    assertThat(scenario.get("check").get("anomalies").get("split-brain").asInt()).isZero();
    assertThat(scenario.get("timeline").get("slices")).hasSize(8);
    assertThat(scenario.get("timeline").get("slices").get(2).get("refused").asInt()).isEqualTo(5);
    assertThat(scenario.get("events").get(1).get("atSeconds").asDouble()).isEqualTo(1.0);
    assertThat(scenario.get("plot").asText()).isEqualTo("region-failure-mumbai-killed.svg");

    Document svg = parse(directory.resolve("region-failure-mumbai-killed.svg"));
    Element root = svg.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    assertThat(texts(svg, "title"))
        .contains("Region failure: mumbai killed: request outcomes per 250 ms");
    assertThat(texts(svg, "text"))
        .contains(
            "mumbai killed",
            "failover <published> & served",
            "time since start (s)",
            "requests per 250 ms slice",
            "acknowledged by frankfurt",
            "acknowledged by mumbai",
            "refused",
            "errors");
    assertThat(dashedLines(svg)).isEqualTo(3); // two events and the legend's sample
  }

  @Test
  void aReportWritingToADirectoryIsRewrittenAsEachScenarioIsDone() throws Exception {
    Path reportDirectory = directory.resolve("e2e-report");
    ScenarioReport report = new ScenarioReport(reportDirectory, out);

    Scenario first = report.scenario("Partition");
    first.figure("fenced after", Duration.ofMillis(900));
    assertThat(reportDirectory.resolve("report.md")).doesNotExist();
    first.done();

    assertThat(Files.readString(reportDirectory.resolve("report.md")))
        .contains("## Partition")
        .contains("Status: no history check")
        .doesNotContain("Drill");

    Scenario second = report.scenario("Drill");
    History history = regionFailure();
    second.timeline(Timeline.of(history)).event(BASE, "drill started");
    second.done();

    assertThat(Files.readString(reportDirectory.resolve("report.md")))
        .contains("## Partition")
        .contains("## Drill")
        .contains("(drill.svg)");
    assertThat(reportDirectory.resolve("drill.svg")).exists();
    assertThat(reportDirectory.resolve("partition.svg")).doesNotExist();
    try (var files = Files.list(reportDirectory)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("report.md", "report.json", "drill.svg");
    }
  }

  @Test
  void aFinishedScenarioIsPrintedWithItsFiguresAndCheck() {
    History history = regionFailure();
    history.record(
        new ClientOp(
            "op-lost",
            Kind.WRITE,
            "k9",
            "mumbai",
            "lost-1",
            Outcome.ACK,
            200,
            "mumbai",
            BASE,
            BASE + 1));
    ScenarioReport report = new ScenarioReport(null, out);

    report
        .scenario("Rehoming")
        .figure("keys moved", 100_000, "")
        .figure("rate", 2_500.24, "keys/s")
        .check(HistoryChecker.check(history, Policy.strict(Duration.ofSeconds(5))))
        .done();

    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("=== Rehoming (ANOMALIES)")
        .contains("  keys moved: 100,000\n")
        .contains("  rate: 2,500.2 keys/s\n")
        .contains("  history: 31 writes acknowledged, 1 lost,")
        .contains("  lost: write lost-1 to key k9 acknowledged (200) by mumbai");
  }

  @Test
  void scenariosWithTheSameNameGetTheirOwnPlots() throws Exception {
    ScenarioReport report = new ScenarioReport(null, out);
    Timeline timeline = Timeline.of(regionFailure());
    report.scenario("Drill").timeline(timeline).done();
    report.scenario("drill!").timeline(timeline).done();
    report.scenario("???").timeline(timeline).done();

    report.write(directory);

    assertThat(directory.resolve("drill.svg")).exists();
    assertThat(directory.resolve("drill-2.svg")).exists();
    assertThat(directory.resolve("scenario.svg")).exists();
  }

  @Test
  void theSharedReportsDirectoryComesFromTheSystemPropertyElseTarget() {
    String before = System.getProperty(ScenarioReport.DIR_PROPERTY);
    try {
      System.clearProperty(ScenarioReport.DIR_PROPERTY);
      assertThat(ScenarioReport.defaultDirectory()).isEqualTo(Path.of("target", "e2e-report"));
      System.setProperty(ScenarioReport.DIR_PROPERTY, directory.toString());
      assertThat(ScenarioReport.defaultDirectory()).isEqualTo(directory);
    } finally {
      if (before == null) {
        System.clearProperty(ScenarioReport.DIR_PROPERTY);
      } else {
        System.setProperty(ScenarioReport.DIR_PROPERTY, before);
      }
    }
  }

  @Test
  void numbersAreGroupedAndTrimmed() {
    assertThat(Scenario.number(13_311)).isEqualTo("13,311");
    assertThat(Scenario.number(1_234.5678)).isEqualTo("1,234.6");
    assertThat(Scenario.number(0.25)).isEqualTo("0.25");
    assertThat(Scenario.number(-3)).isEqualTo("-3");
  }

  @Test
  void anEmptyTimelineStillDrawsAValidChart() throws Exception {
    ScenarioReport report = new ScenarioReport(null, out);
    report.scenario("Idle").timeline(Timeline.of(List.of())).event(0, "nothing").done();

    report.write(directory);

    assertThat(texts(parse(directory.resolve("idle.svg")), "text")).contains("nothing");
  }

  private static Document parse(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(file.toFile());
  }

  private static List<String> texts(Document svg, String element) {
    NodeList nodes = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", element);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      texts.add(nodes.item(i).getTextContent());
    }
    return texts;
  }

  private static int dashedLines(Document svg) {
    NodeList lines = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line");
    int dashed = 0;
    for (int i = 0; i < lines.getLength(); i++) {
      if (((Element) lines.item(i)).hasAttribute("stroke-dasharray")) {
        dashed++;
      }
    }
    return dashed;
  }
}
