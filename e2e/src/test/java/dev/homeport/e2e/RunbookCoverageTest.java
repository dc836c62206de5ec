package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.e2e.runbook.RunbookPage;
import dev.homeport.testkit.ProjectPaths;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every runbook page is run by a test: each page in runbooks/ has at least one command block, is
 * listed in runbooks/README.md, and has exactly one {@link RunbookIT} test ({@link RunsPage});
 * every page a test names exists.
 */
class RunbookCoverageTest {

  private static final Path RUNBOOKS = ProjectPaths.root().resolve("runbooks");

  @Test
  void everyPageHasCommandsATestAndAnEntryInTheIndex() throws IOException {
    List<String> pages = pages();
    assertThat(pages).as("pages in %s", RUNBOOKS).isNotEmpty();
    Map<String, List<String>> tests = testsByPage();
    String index = Files.readString(RUNBOOKS.resolve("README.md"), StandardCharsets.UTF_8);

    List<String> problems = new ArrayList<>();
    for (String page : pages) {
      RunbookPage parsed = RunbookPage.load(RUNBOOKS.resolve(page));
      if (parsed.commands().isEmpty()) {
        problems.add(page + " has no command block (a fenced block tagged sh)");
      }
      List<String> methods = tests.getOrDefault(page, List.of());
      if (methods.size() != 1) {
        problems.add(
            page
                + (methods.isEmpty()
                    ? " has no test: add one to RunbookIT with @RunsPage(\"" + page + "\")"
                    : " has " + methods.size() + " tests in RunbookIT " + methods + "; keep one"));
      }
      if (!index.contains("](" + page + ")")) {
        problems.add(page + " is not linked from runbooks/README.md");
      }
    }
    for (String page : tests.keySet()) {
      if (!pages.contains(page)) {
        problems.add(
            "RunbookIT " + tests.get(page) + " runs " + page + ", which is not in runbooks/");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theIndexItselfIsNotAPageButFollowsTheConventions() {
    // Its example blocks must parse: the conventions it documents are the ones the runner reads.
    RunbookPage index = RunbookPage.load(RUNBOOKS.resolve("README.md"));
    assertThat(index.commands()).as("the index shows no command to run").isEmpty();
  }

  private static List<String> pages() throws IOException {
    try (Stream<Path> files = Files.list(RUNBOOKS)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".md") && !name.equals("README.md"))
          .sorted()
          .toList();
    }
  }

  private static Map<String, List<String>> testsByPage() {
    Map<String, List<String>> tests = new TreeMap<>();
    for (Method method : RunbookIT.class.getDeclaredMethods()) {
      RunsPage page = method.getAnnotation(RunsPage.class);
      if (page != null) {
        tests.computeIfAbsent(page.value(), p -> new ArrayList<>()).add(method.getName());
      }
    }
    return tests;
  }
}
