package dev.homeport.e2e.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The end-to-end run's report: one {@link Scenario} per scenario a test ran, written as {@code
 * report.md} (a table per scenario), {@code report.json} (the same data) and one SVG plot of
 * request outcomes over time per scenario with a timeline. Safe to use from several threads and
 * from every test class of a JVM.
 */
public final class ScenarioReport {

  /** The system property naming the directory of {@link #shared()}. */
  public static final String DIR_PROPERTY = "homeport.e2e.report.dir";

  private static final class Shared {
    static final ScenarioReport INSTANCE = writingTo(defaultDirectory());
  }

  private final Path directory;
  private final PrintStream out;
  private final List<Scenario> scenarios = new ArrayList<>();
  private final Set<String> slugs = new HashSet<>();

  ScenarioReport(Path directory, PrintStream out) {
    this.directory = directory;
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * The report every scenario test of this JVM adds to. It is rewritten each time a scenario is
   * {@linkplain Scenario#done() done}, so it is complete whenever the JVM stops, in the directory
   * named by the system property {@value #DIR_PROPERTY}, else {@code target/e2e-report} under the
   * working directory (the module's directory under failsafe).
   */
  public static ScenarioReport shared() {
    return Shared.INSTANCE;
  }

  /** A report that is rewritten in {@code directory} each time a scenario is done. */
  public static ScenarioReport writingTo(Path directory) {
    return new ScenarioReport(Objects.requireNonNull(directory, "directory"), System.out);
  }

  /** A report that only prints finished scenarios; {@link #write(Path)} writes it. */
  public static ScenarioReport create() {
    return new ScenarioReport(null, System.out);
  }

  static Path defaultDirectory() {
    String property = System.getProperty(DIR_PROPERTY);
    return property == null || property.isBlank()
        ? Path.of("target", "e2e-report")
        : Path.of(property);
  }

  /** Begins a scenario; its plot's file name is derived from its name, made unique. */
  public synchronized Scenario scenario(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("A scenario needs a name, got a blank one");
    }
    Scenario scenario = new Scenario(this, name, uniqueSlug(name));
    scenarios.add(scenario);
    return scenario;
  }

  /** The scenarios begun so far, in the order they were begun. */
  public synchronized List<Scenario> scenarios() {
    return List.copyOf(scenarios);
  }

  /**
   * Writes {@code report.md}, {@code report.json} and the scenarios' plots into {@code directory},
   * creating it; each file is replaced whole, so a reader never sees half of one.
   */
  public synchronized void write(Path directory) throws IOException {
    // Snapshots are taken under the report's lock so that the last writer writes the newest state.
    List<Scenario.Snapshot> snapshots = scenarios.stream().map(Scenario::snapshot).toList();
    Files.createDirectories(directory);
    for (Scenario.Snapshot scenario : snapshots) {
      if (scenario.timeline() != null) {
        replace(directory.resolve(scenario.plotFile()), OutcomeChart.svg(scenario));
      }
    }
    replace(directory.resolve("report.json"), ReportJson.json(snapshots));
    replace(directory.resolve("report.md"), ReportMarkdown.markdown(snapshots));
  }

  void finished(Scenario scenario) {
    out.print(ReportMarkdown.block(scenario.snapshot()));
    out.flush();
    if (directory != null) {
      try {
        write(directory);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot write the e2e report into "
                + directory.toAbsolutePath()
                + " (set -D"
                + DIR_PROPERTY
                + " to a writable directory)",
            e);
      }
    }
  }

  private String uniqueSlug(String name) {
    String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    base = base.replaceAll("^-+|-+$", "");
    if (base.isEmpty()) {
      base = "scenario";
    }
    String slug = base;
    for (int n = 2; !slugs.add(slug); n++) {
      slug = base + "-" + n;
    }
    return slug;
  }

  private static void replace(Path file, String content) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    try {
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
