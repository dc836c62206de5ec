package dev.homeport.e2e.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunbookPageTest {

  @Test
  void commandBlocksAreTheShBlocksInPageOrderWithTheirLines() {
    RunbookPage page =
        RunbookPage.parse(
            "failback.md",
            """
            # Failback

            Check first:

            ```sh
            : "${REGION:=mumbai}"
            kubectl homeport status
            ```

            ```text
            NAME     PHASE
            mumbai   FailedOver
            ```

            ~~~sh
            kubectl homeport failback "$REGION" --approve --wait 10m
            ~~~
            """);

    assertThat(page.title()).isEqualTo("Failback");
    assertThat(page.commands()).hasSize(2);
    CommandBlock first = page.commands().get(0);
    assertThat(first.number()).isEqualTo(1);
    assertThat(first.fenceLine()).isEqualTo(5);
    assertThat(first.firstLine()).isEqualTo(6);
    assertThat(first.text()).isEqualTo(": \"${REGION:=mumbai}\"\nkubectl homeport status\n");
    assertThat(first.pageLine(2)).isEqualTo(7);
    assertThat(first.line(2)).isEqualTo("kubectl homeport status");
    CommandBlock second = page.commands().get(1);
    assertThat(second.number()).isEqualTo(2);
    assertThat(second.firstLine()).isEqualTo(16);
    assertThat(second.text())
        .isEqualTo("kubectl homeport failback \"$REGION\" --approve --wait 10m\n");
  }

  @Test
  void blocksInListItemsLoseTheFencesIndentation() {
    RunbookPage page =
        RunbookPage.parse(
            "p.md",
            """
            1. Approve:

               ```sh
               kubectl homeport failback mumbai --approve
                 --help
               ```
            """);

    assertThat(page.commands())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.text())
                  .isEqualTo("kubectl homeport failback mumbai --approve\n  --help\n");
              assertThat(b.firstLine()).isEqualTo(4);
            });
  }

  @Test
  void aShBlockShownInsideALongerFenceIsNotRun() {
    RunbookPage page =
        RunbookPage.parse(
            "README.md",
            """
            ````markdown
            ```sh
            rm -rf /
            ```
            ````

            ```sh
            echo run
            ```
            """);

    assertThat(page.commands())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.text()).isEqualTo("echo run\n");
              assertThat(b.firstLine()).isEqualTo(8);
            });
  }

  @Test
  void aClosingFenceMustBeAtLeastAsLongAndOfTheSameCharacter() {
    RunbookPage page =
        RunbookPage.parse(
            "p.md",
            """
            ~~~~sh
            echo one
            ~~~
            ```
            echo two
            ~~~~~
            """);

    assertThat(page.commands())
        .singleElement()
        .extracting(CommandBlock::text)
        .isEqualTo("echo one\n~~~\n```\necho two\n");
  }

  @Test
  void otherTagsAreShownNotRun() {
    RunbookPage page =
        RunbookPage.parse(
            "p.md",
            """
            ```yaml
            spec: {}
            ```
            ```json
            {}
            ```
            Inline ```sh code``` is prose.
            """);

    assertThat(page.commands()).isEmpty();
  }

  @Test
  void anUnclosedFenceIsRefusedWithItsLine() {
    assertThatThrownBy(() -> RunbookPage.parse("drill.md", "# Drill\n\n```sh\necho never closed\n"))
        .isInstanceOf(RunbookFormatException.class)
        .hasMessage("drill.md:3: the ```sh block opened here is never closed; close it with ```");
  }

  @Test
  void anUntaggedBlockIsRefused() {
    assertThatThrownBy(() -> RunbookPage.parse("p.md", "text\n```\nkubectl get pods\n```\n"))
        .isInstanceOf(RunbookFormatException.class)
        .hasMessageStartingWith("p.md:2: a block without a tag; tag it sh");
  }

  @Test
  void shellTagsOtherThanShAreRefused() {
    for (String tag : new String[] {"bash", "console", "shell", "SH", "zsh"}) {
      assertThatThrownBy(() -> RunbookPage.parse("p.md", "```" + tag + "\nls\n```\n"))
          .as(tag)
          .isInstanceOf(RunbookFormatException.class)
          .hasMessage(
              "p.md:1: a block tagged "
                  + tag
                  + "; tag commands sh (they are run by e2e) and output text (not run)");
    }
  }

  @Test
  void wordsAfterShAreRefused() {
    assertThatThrownBy(() -> RunbookPage.parse("p.md", "```sh {timeout=5m}\nls\n```\n"))
        .isInstanceOf(RunbookFormatException.class)
        .hasMessage(
            "p.md:1: 'sh {timeout=5m}' after the fence; a command block is tagged sh alone");
  }

  @Test
  void anEmptyShBlockIsRefused() {
    assertThatThrownBy(() -> RunbookPage.parse("p.md", "x\n\n```sh\n\n```\n"))
        .isInstanceOf(RunbookFormatException.class)
        .hasMessage("p.md:3: an empty sh block; write its commands or drop it");
  }

  @Test
  void aFenceIndentedWithATabIsRefused() {
    assertThatThrownBy(() -> RunbookPage.parse("p.md", "1. x\n\t```sh\n\tls\n\t```\n"))
        .isInstanceOf(RunbookFormatException.class)
        .hasMessage("p.md:2: a fence indented with a tab; indent it with spaces");
  }

  @Test
  void windowsLineEndingsKeepLineNumbers() {
    RunbookPage page = RunbookPage.parse("p.md", "# T\r\n\r\n```sh\r\necho hi\r\n```\r\n");

    assertThat(page.commands())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.firstLine()).isEqualTo(4);
              assertThat(b.text()).isEqualTo("echo hi\n");
            });
  }
}
